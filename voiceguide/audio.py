"""pydub, set up for voiceguide: one PCM format, ffmpeg found, no import noise."""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    # pydub warns at import when ffmpeg is not on PATH; we point it at one ourselves.
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)  # pydub imports audioop (3.11-3.12)
    from pydub import AudioSegment

SAMPLE_RATE = 44100
CHANNELS = 1
SAMPLE_WIDTH = 2  # bytes: 16-bit signed PCM


def conform(segment: AudioSegment) -> AudioSegment:
    """The session's format: 44.1 kHz, mono, 16-bit."""
    return segment.set_channels(CHANNELS).set_sample_width(SAMPLE_WIDTH).set_frame_rate(SAMPLE_RATE)


def load_wav(path) -> AudioSegment:
    return conform(AudioSegment.from_wav(str(path)))


def seconds(segment: AudioSegment) -> float:
    return segment.frame_count() / segment.frame_rate


__all__ = ["AudioSegment", "SAMPLE_RATE", "CHANNELS", "SAMPLE_WIDTH", "conform", "load_wav", "seconds"]

"""The session's one PCM format, and the few tools every audio module shares.

16-bit signed mono at SAMPLE_RATE everywhere: clips, chimes, music and the mix.
`audioop` comes from the standard library up to Python 3.12 and from the
audioop-lts wheel from 3.13 (a dependency in pyproject.toml); it is imported
here once. pydub is set up here too: ffmpeg found, no import noise.
"""

from __future__ import annotations

import contextlib
import os
import stat
import warnings
import wave
from collections.abc import Iterator
from pathlib import Path

with warnings.catch_warnings():
    # pydub warns at import when ffmpeg is not on PATH; we point it at one ourselves.
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)  # audioop is deprecated in 3.11-3.12
    import audioop

    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

__all__ = ["AudioSegment", "audioop", "detect_leading_silence"]

SAMPLE_RATE = 44100
CHANNELS = 1
SAMPLE_WIDTH = 2  # bytes: 16-bit signed PCM
WAV_HEADER_BYTES = 44


def frame_of(seconds: float) -> int:
    """The sample a timeline time lands on, via whole milliseconds (441 samples per 10 ms).

    round(seconds * SAMPLE_RATE) would let float error round the two ends of a hold
    differently where a time sits on an odd multiple of 5 ms: one sample off.
    """
    return (round(seconds * 1000) * (SAMPLE_RATE // 100) + 5) // 10


def ms(seconds: float) -> int:
    """Whole milliseconds, as tags, chapters and captions count time."""
    return round(seconds * 1000)


def conform(segment: AudioSegment) -> AudioSegment:
    """The session's format: SAMPLE_RATE, mono, 16-bit."""
    return segment.set_channels(CHANNELS).set_sample_width(SAMPLE_WIDTH).set_frame_rate(SAMPLE_RATE)


def load_wav(path: str | os.PathLike[str]) -> AudioSegment:
    return conform(AudioSegment.from_wav(str(path)))


def seconds(segment: AudioSegment) -> float:
    return float(segment.frame_count() / segment.frame_rate)


def write_wav(target: Path, pcm: bytes, rate: int = SAMPLE_RATE) -> None:
    """16-bit mono PCM as a WAV file (write it to a staging path: see atomic.py)."""
    with wave.open(str(target), "wb") as w:
        w.setnchannels(CHANNELS)
        w.setsampwidth(SAMPLE_WIDTH)
        w.setframerate(rate)
        w.writeframes(pcm)


@contextlib.contextmanager
def _session_wav(path: Path) -> Iterator[wave.Wave_read | None]:
    """A WAV file in the session's format opened for reading, else None.

    Never blocks: a FIFO or device where a file should be is refused before
    anything is read from it (opened non-blocking, checked to be a regular file).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        yield None
        return
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            yield None
            return
        with os.fdopen(fd, "rb", closefd=False) as f:
            try:
                w: wave.Wave_read | None = wave.open(f, "rb")
            except (OSError, EOFError, wave.Error):
                w = None
            if w is not None:
                fmt = (w.getframerate(), w.getnchannels(), w.getsampwidth())
                frames = w.getnframes()
                complete = 0 < frames and frames * SAMPLE_WIDTH + WAV_HEADER_BYTES <= info.st_size
                if fmt != (SAMPLE_RATE, CHANNELS, SAMPLE_WIDTH) or not complete:
                    w = None
            yield w
    finally:
        os.close(fd)


def wav_seconds(path: Path) -> float | None:
    """The length of a complete WAV file in the session's format; None for anything else."""
    with _session_wav(path) as w:
        return None if w is None else w.getnframes() / SAMPLE_RATE


def read_wav(path: Path) -> bytes | None:
    """The PCM of a complete WAV file in the session's format; None for anything else."""
    try:
        with _session_wav(path) as w:
            if w is None:
                return None
            pcm = w.readframes(w.getnframes())
            return pcm if len(pcm) == w.getnframes() * SAMPLE_WIDTH else None
    except (OSError, EOFError, wave.Error):
        return None


__all__ = [
    "AudioSegment",
    "SAMPLE_RATE",
    "CHANNELS",
    "SAMPLE_WIDTH",
    "audioop",
    "conform",
    "load_wav",
    "seconds",
    "ms",
    "read_wav",
    "wav_seconds",
    "write_wav",
]

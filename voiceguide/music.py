"""A music bed under the session: looped or trimmed, faded, ducked under speech.

The bed is decoded by ffmpeg (anything it reads) as a stream of exactly the
session's length, looped if short, faded in and out, and levelled well under
the voice. Ducking comes from the timeline itself: wherever a cue is spoken
the bed dips DUCK_DB, easing down ATTACK seconds before the words and back up
RELEASE seconds after them, so it rises again in the silences of a hold.
`--music ambient` is a calm pad voiceguide makes with ffmpeg's own sources.
"""

from __future__ import annotations

import bisect
import functools
import math
import os
import queue
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # audioop, 3.11-3.12
    try:
        import audioop
    except ImportError:  # pragma: no cover - 3.13 without audioop-lts
        from pydub import pyaudioop as audioop

from voiceguide import ffmpeg
from voiceguide.audio import SAMPLE_RATE
from voiceguide.errors import EnvironmentFailure, InputError
from voiceguide.timeline import Timeline

AMBIENT = "ambient"
BED_LUFS = -40.0  # the bed in silence: 18 LU under the voice, below the gate of the integrated loudness
DUCK_DB = -15.0  # under speech (at least 12 dB, as spoken-word mixes do)
ATTACK = 0.25  # seconds the bed takes to dip before a cue
RELEASE = 0.8  # seconds it takes to come back after one
STEP = 0.005  # seconds per gain step of the ducking envelope: smooth, and cheap
FADE_IN, FADE_OUT = 3.0, 5.0
AMBIENT_LOOP = 40.0  # seconds: every partial and swell repeats exactly, so the loop is seamless


class MusicBed:
    def __init__(self, source: str, timeline: Timeline):
        self.timeline = timeline
        self.path = ambient_pad() if source == AMBIENT else _music_file(source)
        self.gain_db = BED_LUFS - measure_loudness(self.path)
        self.ducked = _duck_spans(timeline)
        self._ends = [end for _, end in self.ducked]

    def chunks(self, chunk_frames: int) -> Iterator[bytes]:
        """The ducked bed, `chunk_frames` samples at a time, the session's length in all."""
        from voiceguide.mix import frame_of

        total = frame_of(self.timeline.duration)
        duration = total / SAMPLE_RATE
        fade = (
            f"volume={self.gain_db:.2f}dB,afade=t=in:d={min(FADE_IN, duration / 3):.3f},"
            f"afade=t=out:st={max(0.0, duration - FADE_OUT):.3f}:d={min(FADE_OUT, duration / 3):.3f}"
        )
        args = [
            "-nostdin", "-hide_banner", "-loglevel", "error",
            "-stream_loop", "-1", "-i", str(self.path), "-t", f"{duration:.6f}",
            "-af", fade, "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1",
        ]  # fmt: skip
        proc = ffmpeg.popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        # Read ahead on a thread, so decoding the bed overlaps the mixing and encoding.
        ahead: queue.Queue[bytes] = queue.Queue(maxsize=4)
        sizes = [min(chunk_frames, total - at) for at in range(0, total, chunk_frames)]

        def read() -> None:
            for want in sizes:
                data = proc.stdout.read(want * 2) or b""
                ahead.put(data + b"\0" * (want * 2 - len(data)))  # a bed a few samples short ends in silence

        reader = threading.Thread(target=read, name="voiceguide-music", daemon=True)
        reader.start()
        try:
            done = 0
            for want in sizes:
                yield self._duck(ahead.get(), done)
                done += want
        finally:
            proc.kill()
            proc.wait()

    def _duck(self, data: bytes, first: int) -> bytes:
        step = int(STEP * SAMPLE_RATE)
        t0, t1 = first / SAMPLE_RATE, (first + len(data) // 2) / SAMPLE_RATE
        spans = self._spans_near(t0, t1)
        if not spans:
            return data
        out = bytearray()
        for at in range(0, len(data) // 2, step):
            piece = data[at * 2 : (at + step) * 2]
            gain = self.gain_at((first + at + step / 2) / SAMPLE_RATE, spans)
            out += piece if gain == 1.0 else audioop.mul(piece, 2, gain)
        return bytes(out)

    def _spans_near(self, t0: float, t1: float) -> list[tuple[float, float]]:
        """The spoken spans whose ramps reach into [t0, t1]."""
        i = bisect.bisect_left(self._ends, t0 - RELEASE)
        near = []
        while i < len(self.ducked) and self.ducked[i][0] - ATTACK <= t1:
            near.append(self.ducked[i])
            i += 1
        return near

    def gain_at(self, t: float, spans: list[tuple[float, float]] | None = None) -> float:
        """The envelope: 1 in silence, DUCK_DB under speech, raised-cosine ramps between."""
        depth = 10 ** (DUCK_DB / 20)
        level = 1.0
        for start, end in self.ducked if spans is None else spans:
            if t < start - ATTACK:
                break
            if t <= end + RELEASE:
                if t < start:
                    x = (start - t) / ATTACK  # 1 -> 0 as the cue nears
                elif t <= end:
                    x = 0.0
                else:
                    x = (t - end) / RELEASE
                shape = 0.5 - 0.5 * math.cos(math.pi * min(1.0, x))
                level = min(level, depth + (1 - depth) * shape)
        return level


def _duck_spans(timeline: Timeline) -> list[tuple[float, float]]:
    """Spoken stretches of the session, merged where the bed would not come back up between."""
    spans: list[tuple[float, float]] = []
    for e in timeline.speech:
        if spans and e.start - spans[-1][1] < ATTACK + RELEASE:
            spans[-1] = (spans[-1][0], max(spans[-1][1], e.end))
        else:
            spans.append((e.start, e.end))
    return spans


def _music_file(source: str) -> Path:
    path = Path(source)
    if path.is_dir():
        raise InputError(f"--music: {path}: is a directory; give an audio file, or 'ambient'")
    if not path.is_file():
        raise InputError(f"--music: {path}: no such file; give an audio file, or 'ambient'")
    return path


def check_music(source: str) -> None:
    """Refuse a music file ffmpeg cannot read before any other work is done."""
    if source != AMBIENT:
        measure_loudness(_music_file(source))


@functools.lru_cache(maxsize=8)
def measure_loudness(path: Path) -> float:
    """Integrated loudness of (the first five minutes of) an audio file, per ffmpeg's ebur128."""
    args = [
        "-nostdin", "-hide_banner", "-nostats", "-t", "300", "-i", str(path),
        "-af", "aresample=44100,ebur128=framelog=verbose", "-f", "null", "-",
    ]  # fmt: skip
    done = ffmpeg.run(args, capture_output=True, text=True, errors="replace")
    summary = done.stderr[done.stderr.rfind("Summary:") :]
    if done.returncode != 0 or "I:" not in summary:
        raise InputError(f"--music: {path}: ffmpeg cannot read it as audio; give an audio file (mp3, ogg, wav, ...)")
    value = summary.split("I:")[1].split("LUFS")[0].strip()
    if value == "-inf" or float(value) < -70:
        raise InputError(f"--music: {path}: is silent; give another file")
    return float(value)


def ambient_pad() -> Path:
    """A calm pad, made once by ffmpeg and kept in the cache: two soft chords breathing into each other."""
    from voiceguide.cache import cache_dir

    path = cache_dir() / "music" / "ambient-v1.flac"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # Frequencies with whole numbers of cycles in AMBIENT_LOOP and swells of 20 s
    # and 40 s, so the loop joins without a seam. A maj7 <-> D maj9, low and soft.
    loop = AMBIENT_LOOP
    chord_a = (110.0, 165.0, 220.0, 277.5, 330.0, 415.0)
    chord_b = (73.5, 147.0, 220.0, 277.5, 370.0, 440.0)
    swell = f"(0.5+0.5*cos(2*PI*t/{loop / 2:g}))"

    def voices(chord, weight):
        partials = "+".join(
            f"{0.05 / (1 + i * 0.4):.4f}*sin(2*PI*{round(f * loop) / loop:.4f}*t)*(0.75+0.25*sin(2*PI*t/{loop:g}+{i}))"
            for i, f in enumerate(chord)
        )
        return f"({weight})*({partials})"

    expr = voices(chord_a, swell) + "+" + voices(chord_b, f"(1-{swell})")
    fd, part = tempfile.mkstemp(suffix=".part.flac", dir=path.parent)
    os.close(fd)
    args = [
        "-nostdin", "-hide_banner", "-loglevel", "error",
        "-f", "lavfi", "-i", f"aevalsrc={expr}:s={SAMPLE_RATE}:d={loop:g}",
        "-af", "lowpass=f=1800", "-c:a", "flac", "-f", "flac", "-y", part,
    ]  # fmt: skip
    try:
        done = ffmpeg.run(args, capture_output=True, text=True)
        if done.returncode != 0:
            raise EnvironmentFailure(f"ffmpeg could not make the ambient pad: {done.stderr.strip()[-200:]}")
        os.replace(part, path)
    finally:
        if os.path.exists(part):
            os.unlink(part)
    return path

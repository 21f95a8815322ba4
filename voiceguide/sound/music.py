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
import shutil
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

from voiceguide import ffmpeg
from voiceguide.atomic import atomic_path
from voiceguide.audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH, audioop, frame_of
from voiceguide.errors import EnvironmentFailure, InputError
from voiceguide.sound.cache import cache_dir
from voiceguide.sound.loudness import parse_summary
from voiceguide.words.timeline import CHIME, Timeline

AMBIENT = "ambient"
BED_LUFS = -40.0  # the bed in silence: 18 LU under the voice, below the gate of the integrated loudness
DUCK_DB = -15.0  # under speech (at least 12 dB, as spoken-word mixes do)
ATTACK = 0.25  # seconds the bed takes to dip before a cue
RELEASE = 0.8  # seconds it takes to come back after one
STEP = 0.005  # seconds per gain step of the ducking envelope: smooth, and cheap
FADE_IN, FADE_OUT = 3.0, 5.0
AMBIENT_LOOP = 40.0  # seconds: every partial and swell repeats exactly, so the loop is seamless
AMBIENT_FILE = "ambient-v1.flac"  # in the cache's music/ folder (see cache.OWN_FILES)
MEASURE_SECONDS = 300  # of a music file, for its loudness


class MusicBed:
    def __init__(self, source: str, timeline: Timeline):
        self.timeline = timeline
        self.path = ambient_pad() if source == AMBIENT else _music_file(source)
        self.gain_db = BED_LUFS - measure_loudness(self.path)
        # Under the chimes too: their peaks are the session's highest, and a bed added on
        # top of them would hold the master gain (and the loudness) down.
        chimes = [(e.start, e.end) for e in timeline.events if e.kind == CHIME]
        self.ducked = _merged(sorted(_duck_spans(timeline) + chimes))
        self._ends = [end for _, end in self.ducked]

    def chunks(self, chunk_frames: int) -> Iterator[bytes]:
        """The ducked bed, `chunk_frames` samples at a time, the session's length in all."""
        total = frame_of(self.timeline.duration)
        duration = total / SAMPLE_RATE
        fade = (
            f"volume={self.gain_db:.2f}dB,afade=t=in:d={min(FADE_IN, duration / 3):.3f},"
            f"afade=t=out:st={max(0.0, duration - FADE_OUT):.3f}:d={min(FADE_OUT, duration / 3):.3f}"
        )
        args = [
            "-nostdin", "-hide_banner", "-loglevel", "error",
            "-stream_loop", "-1", "-i", ffmpeg.file_url(self.path), "-t", f"{duration:.6f}",
            "-af", fade, "-f", "s16le", "-ac", str(CHANNELS), "-ar", str(SAMPLE_RATE), "pipe:1",
        ]  # fmt: skip
        proc = ffmpeg.popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        # Read ahead on a thread, so decoding the bed overlaps the mixing and encoding.
        ahead: queue.Queue[bytes] = queue.Queue(maxsize=4)
        sizes = [min(chunk_frames, total - at) for at in range(0, total, chunk_frames)]

        def read() -> None:
            assert proc.stdout is not None
            for want in sizes:
                data = proc.stdout.read(want * SAMPLE_WIDTH) or b""
                ahead.put(data + b"\0" * (want * SAMPLE_WIDTH - len(data)))  # a bed a few samples short ends in silence

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
        frames = len(data) // SAMPLE_WIDTH
        t0, t1 = first / SAMPLE_RATE, (first + frames) / SAMPLE_RATE
        spans = self._spans_near(t0, t1)
        if not spans:
            return data
        out = bytearray()
        for at in range(0, frames, step):
            piece = data[at * SAMPLE_WIDTH : (at + step) * SAMPLE_WIDTH]
            gain = self.gain_at((first + at + step / 2) / SAMPLE_RATE, spans)
            out += piece if gain == 1.0 else audioop.mul(piece, SAMPLE_WIDTH, gain)
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


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sorted spans joined where the bed would not come back up between them."""
    out: list[tuple[float, float]] = []
    for start, end in spans:
        if out and start - out[-1][1] < ATTACK + RELEASE:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _music_file(source: str) -> Path:
    """The music file named: a regular file (a FIFO or device would never end), else an input error."""
    path = Path(source)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"--music: {path}: no such file; give an audio file, or 'ambient'") from None
    except OSError as exc:
        raise InputError(f"--music: {path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"--music: {path}: is a directory; give an audio file, or 'ambient'")
    if not stat.S_ISREG(mode):
        raise InputError(f"--music: {path}: is not a regular file (a device or FIFO); give an audio file")
    if not os.access(path, os.R_OK):
        raise InputError(f"--music: {path}: permission denied; make it readable")
    return path


def check_music(source: str) -> None:
    """Refuse a music file ffmpeg cannot read before any other work is done."""
    if source != AMBIENT:
        measure_loudness(_music_file(source))


def _loudness(path: Path) -> float | None:
    """Integrated loudness of (the first MEASURE_SECONDS of) an audio file per ffmpeg's ebur128; None if unreadable."""
    args = [
        "-nostdin", "-hide_banner", "-nostats", "-t", str(MEASURE_SECONDS), "-i", ffmpeg.file_url(path),
        "-af", f"aresample={SAMPLE_RATE},ebur128=framelog=verbose", "-f", "null", "-",
    ]  # fmt: skip
    done = ffmpeg.run(args, capture_output=True, text=True, errors="replace")
    return parse_summary(done.stderr) if done.returncode == 0 else None


@functools.lru_cache(maxsize=8)
def measure_loudness(path: Path) -> float:
    """Integrated loudness of a music file; an input error when it is not audio, or silent."""
    value = _loudness(path)
    if value is None:
        raise InputError(f"--music: {path}: ffmpeg cannot read it as audio; give an audio file (mp3, ogg, wav, ...)")
    if value < -70:
        raise InputError(f"--music: {path}: is silent; give another file")
    return value


def ambient_pad() -> Path:
    """A calm pad, made once by ffmpeg and kept in the cache: two soft chords breathing into each other.

    A pad found in the cache is measured before it is used: a damaged one is made again.
    """
    path = cache_dir() / "music" / AMBIENT_FILE
    try:
        mode = path.lstat().st_mode
    except OSError:
        mode = 0
    if stat.S_ISREG(mode) and (_loudness(path) or -math.inf) > -70:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    if stat.S_ISDIR(mode):  # a folder in its place would stop the rename for good
        shutil.rmtree(path)
    # Frequencies with whole numbers of cycles in AMBIENT_LOOP and swells of 20 s
    # and 40 s, so the loop joins without a seam. A maj7 <-> D maj9, low and soft.
    loop = AMBIENT_LOOP
    chord_a = (110.0, 165.0, 220.0, 277.5, 330.0, 415.0)
    chord_b = (73.5, 147.0, 220.0, 277.5, 370.0, 440.0)
    swell = f"(0.5+0.5*cos(2*PI*t/{loop / 2:g}))"

    def voices(chord: tuple[float, ...], weight: str) -> str:
        partials = "+".join(
            f"{0.05 / (1 + i * 0.4):.4f}*sin(2*PI*{round(f * loop) / loop:.4f}*t)*(0.75+0.25*sin(2*PI*t/{loop:g}+{i}))"
            for i, f in enumerate(chord)
        )
        return f"({weight})*({partials})"

    expr = voices(chord_a, swell) + "+" + voices(chord_b, f"(1-{swell})")
    with atomic_path(path, record=False) as part:
        args = [
            "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "lavfi", "-i", f"aevalsrc={expr}:s={SAMPLE_RATE}:d={loop:g}",
            "-af", "lowpass=f=1800", "-c:a", "flac", "-f", "flac", "-y", ffmpeg.file_url(part),
        ]  # fmt: skip
        done = ffmpeg.run(args, capture_output=True, text=True)
        if done.returncode != 0:
            raise EnvironmentFailure(f"ffmpeg could not make the ambient pad: {done.stderr.strip()[-200:]}")
    measure_loudness.cache_clear()  # a pad of the same name measured earlier was another file
    return path

"""Mixing: the timeline's clips laid at their exact sample offsets, chunk by chunk.

pydub loads and converts every clip; the laying is done here on raw PCM with
audioop.add (the primitive pydub's own overlay uses) because overlay positions
are whole milliseconds, cut clips at the segment's end and copy the whole
segment on every call. Here each clip lands on its exact sample, a clip that
runs over a chunk boundary carries into the next chunk, and memory holds one
chunk at a time, whatever the session's length.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # audioop, 3.11-3.12
    if sys.version_info < (3, 13):
        import audioop
    else:  # audioop-lts brings it back; else pydub's pure-Python copy
        try:
            import audioop
        except ImportError:  # pragma: no cover - 3.13 without audioop-lts
            from pydub import pyaudioop as audioop

from voiceguide.audio import SAMPLE_RATE, SAMPLE_WIDTH, frame_of
from voiceguide.words.timeline import Event, Timeline

if TYPE_CHECKING:
    from voiceguide.sound.music import MusicBed

CHUNK_SECONDS = 10


def render_chunks(
    timeline: Timeline,
    pcm_of: Callable[[Event], bytes],
    chunk_seconds: float = CHUNK_SECONDS,
    bed: MusicBed | None = None,
) -> Iterator[bytes]:
    """Yield the session as consecutive chunks of 16-bit mono PCM at 44.1 kHz.

    `pcm_of(event)` gives the raw samples of an event's clip or chime; `bed`
    (a music.MusicBed) is mixed under everything when given.
    """
    total = frame_of(timeline.duration)
    chunk = max(1, int(chunk_seconds * SAMPLE_RATE))
    pending = sorted(timeline.events, key=lambda e: e.start)
    active: list[tuple[int, bytes]] = []
    nxt = 0
    music = bed.chunks(chunk) if bed is not None else None
    for c0 in range(0, total, chunk):
        c1 = min(c0 + chunk, total)
        while nxt < len(pending) and frame_of(pending[nxt].start) < c1:
            event = pending[nxt]
            active.append((frame_of(event.start), pcm_of(event)))
            nxt += 1
        buf = bytearray((c1 - c0) * SAMPLE_WIDTH)
        still: list[tuple[int, bytes]] = []
        for start, data in active:
            end = start + len(data) // SAMPLE_WIDTH
            a, b = max(start, c0), min(end, c1)
            if a < b:
                dst = slice((a - c0) * SAMPLE_WIDTH, (b - c0) * SAMPLE_WIDTH)
                src = data[(a - start) * SAMPLE_WIDTH : (b - start) * SAMPLE_WIDTH]
                buf[dst] = audioop.add(bytes(buf[dst]), src, SAMPLE_WIDTH)
            if end > c1:
                still.append((start, data))
        active = still
        if music is not None:
            yield audioop.add(bytes(buf), next(music), SAMPLE_WIDTH)
        else:
            yield bytes(buf)

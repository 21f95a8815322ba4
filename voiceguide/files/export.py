"""The whole export of a session: the audio file, and on request its sidecars and split tracks.

It orchestrates; each writer writes: encode.py (the audio through ffmpeg),
tags.py (what ffmpeg cannot write), sidecars.py (LRC, WebVTT, JSON chapters),
tracks.py (split tracks and their playlist). Every file is staged beside its
target and renamed into place only when all are complete (atomic.py).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.atomic import atomic_path
from voiceguide.files import sidecars
from voiceguide.files.cover import Cover, for_embedding, generated_cover
from voiceguide.files.encode import encode
from voiceguide.files.outputs import Outputs
from voiceguide.files.tags import TrackInfo, track_info, write_tags
from voiceguide.files.tracks import split_tracks, track_file_name
from voiceguide.sound import loudness
from voiceguide.words.chapters import Chapter, chapters_of

if TYPE_CHECKING:
    from voiceguide.words.timeline import Timeline

PEAK_PASSES = 2  # encodes a peak over the ceiling may add; the first one lands it (the excess is taken off)


def timeline_json(timeline: Timeline) -> str:
    """The timeline contract as written by --timeline and printed by `script --format json`."""
    return json.dumps(timeline.to_dict(), indent=2, ensure_ascii=False) + "\n"


def export_session(
    render: Callable[[], Iterable[bytes]],
    timeline: Timeline,
    outputs: Outputs,
    *,
    info: TrackInfo | None = None,
    cover: Cover | None = None,
    gain_key: str | None = None,
) -> Exported:
    """Write the session's audio file and, as `outputs` asks, its sidecars and split tracks.

    `render()` returns a fresh iterator of the session's PCM chunks each time it
    is called (once, or twice with a split folder; once more when the loudness
    meter asks for another gain). `info` defaults to tags.track_info(timeline),
    `cover` to the cover drawn from the routine. Every file is written to a
    temporary file beside its target first and all are renamed into place only
    once every one is complete: a build that stops leaves no new or replaced
    output behind. Returns the paths written, the audio file first.
    """
    info = info or track_info(timeline)
    chapters = chapters_of(timeline)
    names = [track_file_name(n, len(chapters), c.title) for n, c in enumerate(chapters, 1)]
    if outputs.split is not None:
        outputs.check_tracks(names)  # before any work, like every other path
    cover = for_embedding(cover) if cover is not None else generated_cover(timeline, info.title)
    texts: list[tuple[Path | None, Callable[[], str]]] = [
        (outputs.lrc, lambda: sidecars.lrc(timeline, artist=info.artist, album=info.album_name, title=info.title)),
        (outputs.vtt, lambda: sidecars.vtt(timeline)),
        (outputs.chapters, lambda: sidecars.podcast_chapters_json(timeline, chapters, title=info.title)),
        (outputs.timeline, lambda: timeline_json(timeline)),
    ]
    written = [outputs.audio] + [path for path, _ in texts if path is not None]
    with contextlib.ExitStack() as staged:
        for path, text in texts:
            if path is not None:
                staged.enter_context(atomic_path(path)).write_text(text(), encoding="utf-8")
        audio = staged.enter_context(atomic_path(outputs.audio))
        gain, level = _encode_on_target(render, timeline, audio, outputs, info, chapters, cover, gain_key)
        if outputs.split is not None:
            written += split_tracks(
                render(), timeline, chapters, outputs.split, info, cover,
                filters=loudness.master_filter(gain), staged=staged,
            )  # fmt: skip
    return Exported(written, level)


def _encode_on_target(
    render: Callable[[], Iterable[bytes]],
    timeline: Timeline,
    path: Path,
    outputs: Outputs,
    info: TrackInfo,
    chapters: Sequence[Chapter],
    cover: Cover | None,
    gain_key: str | None,
) -> tuple[float, float | None]:
    """Encode with the master gain that lands this mix on the loudness target; (gain, LUFS expected).

    The gain is a function of the mix alone (loudness.Measurement.gain), so the
    same mix always gives the same samples; the gain remembered from the last
    build of its kind is only a first guess that, when right, saves a second encode.
    """
    gain = loudness.remembered_gain(gain_key) if gain_key else loudness.DEFAULT_GAIN_DB
    meter = loudness.Analyzer(outputs.fmt)
    try:
        encode(render(), path, outputs.fmt, info.ffmpeg_tags(), chapters, None, loudness.master_filter(gain),
               meter.write, name=outputs.audio.name)  # fmt: skip
        measured = meter.result()
    finally:
        meter.abort()
    if measured is None:
        return gain, None
    first = measured.gain()
    if first != gain:
        gain = first
        encode(render(), path, outputs.fmt, info.ffmpeg_tags(), chapters, None, loudness.master_filter(gain),
               name=outputs.audio.name)  # fmt: skip
    if gain_key:
        loudness.remember_gain(gain_key, gain)  # the mix's gain: where the next build of its kind starts
    # A codec may overshoot a peak more than CODEC_PEAK_MARGIN allows: read the file back, and take the
    # excess off the gain. The steps start from the mix's own gain, so the result is still the mix's alone.
    for _ in range(PEAK_PASSES):
        lower = loudness.over_ceiling(loudness.decoded_peak(path))
        if not lower:
            break
        gain = round(gain - lower, 3)
        encode(render(), path, outputs.fmt, info.ffmpeg_tags(), chapters, None, loudness.master_filter(gain),
               name=outputs.audio.name)  # fmt: skip
    write_tags(path, outputs.fmt, timeline, info, chapters, cover)
    return gain, measured.expected(gain)


@dataclass(frozen=True)
class Exported:
    paths: list[Path]  # the audio file first
    loudness: float | None  # LUFS the audio file measures, as encoded

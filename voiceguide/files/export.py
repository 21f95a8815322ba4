"""Encoding: PCM chunks streamed into ffmpeg, tagged, written atomically.

`encode` streams the session into one ffmpeg process for any of the FORMATS;
tags and chapters go in through a second ffmetadata input, so every container
gets them the way ffmpeg writes them (ID3 CHAP, MP4 chapter track, Vorbis
comments, WAV INFO). A `finish` hook then runs on the finished temporary file,
before it is renamed into place: that is where tags.py adds what ffmpeg cannot
write (lyrics, synchronised lyrics, cover art).

`export_session` is the whole export of a session: the audio file, and on
request the sidecars (LRC, WebVTT, JSON chapters) and the split tracks.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide import ffmpeg
from voiceguide.atomic import NAME_MAX, atomic_path, cut_utf8
from voiceguide.audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH, frame_of, ms
from voiceguide.errors import EnvironmentFailure, InputError
from voiceguide.files import sidecars
from voiceguide.files.cover import Cover, for_embedding, generated_cover
from voiceguide.files.formats import FORMATS
from voiceguide.files.outputs import PLAYLIST, Outputs
from voiceguide.files.sidecars import PlaylistEntry, m3u8
from voiceguide.files.tags import TrackInfo, track_info, write_tags
from voiceguide.sound import loudness
from voiceguide.words.chapters import Chapter, chapters_of, excerpt

if TYPE_CHECKING:
    from voiceguide.words.timeline import Timeline


def ffmetadata(chapters: Sequence[Chapter] = ()) -> str:
    """ffmpeg's metadata file, for the chapters' times only, in milliseconds.

    No text goes in it: ffmpeg's reader cannot read back a value that ends in
    a backslash, however escaped. Tags and chapter titles go on the command
    line instead (metadata_args), where every character is itself.
    """
    lines = [";FFMETADATA1"]
    for c in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={ms(c.start)}", f"END={ms(c.end)}"]
    return "\n".join(lines) + "\n"


def metadata_args(tags: Mapping[str, str] | None = None, chapters: Sequence[Chapter] = ()) -> list[str]:
    """ffmpeg options setting the global tags and each chapter's title (NUL, which argv cannot carry, dropped)."""
    args: list[str] = []
    for key, value in (tags or {}).items():
        args += ["-metadata", f"{key}={value}".replace("\0", "")]
    for n, chapter in enumerate(chapters):
        args += [f"-metadata:c:{n}", f"title={chapter.title}".replace("\0", "")]
    return args


@contextlib.contextmanager
def _metadata_file(text: str) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix="voiceguide-", suffix=".ffmeta")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        yield Path(name)
    finally:
        os.unlink(name)


def encode(
    chunks: Iterable[bytes],
    path: Path,
    fmt: str = "mp3",
    tags: Mapping[str, str] | None = None,
    chapters: Sequence[Chapter] = (),
    finish: Callable[[Path], None] | None = None,
    filters: str | None = None,
    also: Callable[[bytes], None] | None = None,
    name: str | None = None,
) -> None:
    """Stream PCM (16-bit mono, SAMPLE_RATE) into ffmpeg, writing `path` (a staging file: see atomic.py).

    `finish(path)` runs on the encoded file (tags). `filters` is an ffmpeg audio
    filter chain for the whole stream; `also(chunk)` is handed every chunk too
    (a loudness meter). `name` is what messages call the file.
    """
    spec = FORMATS[fmt]
    path = Path(path)
    name = name or path.name
    with _metadata_file(ffmetadata(chapters)) as meta:
        args = [
            "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", str(CHANNELS), "-i", "pipe:0",
            "-f", "ffmetadata", "-i", ffmpeg.file_url(meta),
            "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1", *metadata_args(tags, chapters),
            *(("-af", filters) if filters else ()), *spec.args, "-y", ffmpeg.file_url(path),
        ]  # fmt: skip
        pcm_bytes = _run(args, chunks, name, also)
    # An ffmpeg that exits 0 but wrote (almost) nothing must not replace a good file.
    seconds = pcm_bytes / (SAMPLE_WIDTH * SAMPLE_RATE)
    if path.stat().st_size < min(4096, 200 * seconds):  # even silence costs more than this in every format
        raise EnvironmentFailure(f"ffmpeg wrote no audio to {name}; check your ffmpeg (ffmpeg -version)")
    if finish is not None:
        finish(path)


def _feed(proc: subprocess.Popen[bytes], chunks: Iterable[bytes], also: Callable[[bytes], None] | None) -> int:
    """Write every chunk to ffmpeg's stdin; the number of bytes given (ffmpeg dying stops it early)."""
    assert proc.stdin is not None
    written = 0
    try:
        for chunk in chunks:
            written += len(chunk)
            proc.stdin.write(chunk)
            if also is not None:
                also(chunk)
    except BrokenPipeError:
        pass  # ffmpeg died; its exit status and message say why
    finally:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
    return written


def _run(args: list[str], chunks: Iterable[bytes], name: str, also: Callable[[bytes], None] | None = None) -> int:
    """Feed `chunks` to ffmpeg run with `args`; return the number of PCM bytes it was given."""
    with tempfile.TemporaryFile() as errors:
        proc = ffmpeg.popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            written = _feed(proc, chunks, also)
            code = proc.wait()
        finally:
            if proc.poll() is None:  # interrupted mid-write: don't leave ffmpeg behind
                proc.kill()
                proc.wait()
        if code != 0:
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            detail = lines[-1] if lines else f"exit status {code}"
            raise EnvironmentFailure(f"ffmpeg failed to encode {name}: {detail}")
        return written


# -- a whole session -------------------------------------------------------


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
    if measured.gain() != gain:
        gain = measured.gain()
        encode(render(), path, outputs.fmt, info.ffmpeg_tags(), chapters, None, loudness.master_filter(gain),
               name=outputs.audio.name)  # fmt: skip
    write_tags(path, outputs.fmt, timeline, info, chapters, cover)
    if gain_key:
        loudness.remember_gain(gain_key, gain)
    return gain, measured.expected(gain)


@dataclass(frozen=True)
class Exported:
    paths: list[Path]  # the audio file first
    loudness: float | None  # LUFS the audio file measures, as encoded


# -- split tracks ------------------------------------------------------------


def split_tracks(
    chunks: Iterable[bytes],
    timeline: Timeline,
    chapters: Sequence[Chapter],
    folder: Path,
    info: TrackInfo,
    cover: Cover | None = None,
    playlist: str = PLAYLIST,
    filters: str | None = None,
    staged: contextlib.ExitStack[bool | None] | None = None,
) -> list[Path]:
    """One MP3 per chapter, cut from one pass over the session's PCM, plus a playlist.

    Each track is encoded on its own from exactly its chapter's samples, and
    its LAME header carries the encoder delay and padding, so players that play
    gapless (and ffmpeg) join them back to the session's exact length. Tracks
    are tagged like the whole file (TRCK n/N, the chapter's title, its own cues
    as lyrics). They are renamed into place when `staged` closes (at once when
    it is None). Returns the tracks' paths, then the playlist's.
    """
    with contextlib.ExitStack() as own:
        stack = own if staged is None else staged
        folder = Path(folder)
        stack.enter_context(_made_folder(folder))
        source = _Frames(chunks)
        total = len(chapters)
        written: list[Path] = []
        entries: list[PlaylistEntry] = []
        for n, chapter in enumerate(chapters, 1):
            name = track_file_name(n, total, chapter.title)
            tags = replace(info, title=chapter.title, album=info.album_name, track=(n, total))
            part = excerpt(timeline, chapter)
            first, last = frame_of(chapter.start), frame_of(chapter.end)

            def finish(tmp: Path, tags: TrackInfo = tags, part: Timeline = part) -> None:
                write_tags(tmp, "mp3", part, tags, (), cover)

            tmp = stack.enter_context(atomic_path(folder / name))
            encode(source.take(first, last), tmp, "mp3", tags.ffmpeg_tags(), finish=finish, filters=filters, name=name)
            written.append(folder / name)
            entries.append(PlaylistEntry(name, (last - first) / SAMPLE_RATE, chapter.title))
        text = m3u8(entries, title=info.album_name)
        stack.enter_context(atomic_path(folder / playlist)).write_text(text, encoding="utf-8")
    return written + [folder / playlist]


@contextlib.contextmanager
def _made_folder(folder: Path) -> Iterator[None]:
    """Make `folder` (and its missing parents); on failure remove what was made, if empty."""
    made: list[Path] = []
    at = folder
    while not at.exists():
        made.append(at)
        at = at.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot create the folder ({exc.strerror})") from None
    try:
        yield
    except BaseException:
        for path in made:  # deepest first
            try:
                path.rmdir()
            except OSError:
                break
        raise


def track_file_name(number: int, total: int, title: str, suffix: str = ".mp3") -> str:
    """'03 Lunge With Hamstring Stretch (right side).mp3': sorts in play order, safe on every OS.

    Cut to NAME_MAX bytes of UTF-8, the file systems' limit on one name.
    """
    safe = re.sub(r'[\x00-\x1f<>:"/\\|?*]', "-", title)
    safe = " ".join(safe.split()).strip(" .") or "Track"
    prefix = f"{number:0{max(2, len(str(total)))}d} "
    room = NAME_MAX - len(prefix.encode()) - len(suffix.encode())
    safe = cut_utf8(safe, room).rstrip(" .") or "Track"
    return f"{prefix}{safe}{suffix}"


class _Frames:
    """A stream of PCM chunks read by absolute frame ranges, in order, one chunk in memory."""

    def __init__(self, chunks: Iterable[bytes]):
        self.frame = SAMPLE_WIDTH * CHANNELS  # bytes
        self.chunks = iter(chunks)
        self.buffer = b""
        self.at = 0  # frame number of the buffer's first frame

    def take(self, first: int, last: int) -> Iterator[bytes]:
        """Frames first..last (exclusive); what lies before `first` is skipped."""
        while self.at < last:
            if not self.buffer:
                self.buffer = next(self.chunks, b"")
                if not self.buffer:
                    return  # the stream ended early
            frames = len(self.buffer) // self.frame
            skip = max(0, min(first - self.at, frames))
            use = min(frames - skip, last - self.at - skip)
            piece = self.buffer[skip * self.frame : (skip + use) * self.frame]
            self.buffer = self.buffer[(skip + use) * self.frame :]
            self.at += skip + use
            if piece:
                yield piece

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
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide import ffmpeg, loudness
from voiceguide.atomic import atomic_path, write_text_atomic
from voiceguide.chapters import Chapter
from voiceguide.errors import EnvironmentFailure, InputError

if TYPE_CHECKING:
    from voiceguide.cover import Cover
    from voiceguide.tags import TrackInfo
    from voiceguide.timeline import Timeline

MP3_BITRATE = "96k"  # constant bitrate: mono speech sounds clean and players seek exactly
# AAC: the "fast" coder encodes speech about 2.5x quicker than the default one, and is no worse on
# it (waveform SNR of a real session at 64k mono: 28.5 dB against 23 dB).


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]  # the first is the one to name new files with
    args: tuple[str, ...]  # ffmpeg output options: codec, then muxer
    description: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("mp3", (".mp3",), ("-c:a", "libmp3lame", "-b:a", MP3_BITRATE, "-id3v2_version", "4", "-f", "mp3"),
               "MP3, 96 kbit/s, ID3v2.4 tags with chapters and lyrics"),
        Format("m4b", (".m4b", ".m4a"),
               ("-c:a", "aac", "-aac_coder", "fast", "-b:a", "64k", "-f", "ipod", "-brand", "M4B ", "-movflags", "+faststart"),
               "AAC audiobook (M4B) with chapters, as audiobook players expect"),
        Format("m4a", (".m4a", ".m4b"),
               ("-c:a", "aac", "-aac_coder", "fast", "-b:a", "64k", "-f", "ipod", "-movflags", "+faststart"),
               "AAC (M4A) with chapters"),
        Format("opus", (".opus", ".ogg"), ("-c:a", "libopus", "-b:a", "48k", "-ar", "48000", "-f", "opus"),
               "Ogg Opus, 48 kbit/s, Vorbis comment chapters"),
        Format("ogg", (".ogg", ".oga"), ("-c:a", "libvorbis", "-q:a", "3", "-f", "ogg"),
               "Ogg Vorbis, Vorbis comment chapters"),
        Format("wav", (".wav",), ("-c:a", "pcm_s16le", "-f", "wav"),
               "uncompressed 16-bit WAV"),
    )
}  # fmt: skip


def format_for(path: Path, fmt: str | None = None) -> str:
    """The format to write `path` in: `fmt` when given, else told by the file's extension."""
    suffix = Path(path).suffix.lower()
    if fmt is not None:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        known = {s for f in FORMATS.values() for s in f.suffixes}
        if suffix in known and suffix not in FORMATS[fmt].suffixes:
            raise InputError(
                f"{path}: the name ends in {suffix} but the format is {fmt}; "
                f"name it {Path(path).stem}{FORMATS[fmt].suffixes[0]} or leave the format out"
            )
        return fmt
    for f in FORMATS.values():
        if suffix == f.suffixes[0]:
            return f.name
    if suffix == ".oga":
        return "ogg"
    names = ", ".join(f.suffixes[0] for f in FORMATS.values())
    told = f"'{suffix}'" if suffix else "a name without an extension"
    raise InputError(f"{path}: cannot tell the audio format from {told}; end the name in {names}, or give --format")


def suffix_for(fmt: str) -> str:
    """The extension new files of this format are named with: '.m4b'."""
    return FORMATS[fmt].suffixes[0]


def ffmetadata(tags: Mapping[str, str] | None = None, chapters: Sequence[Chapter] = ()) -> str:
    """ffmpeg's metadata file: global tags, then one [CHAPTER] per chapter in milliseconds."""

    def esc(value: str) -> str:
        return re.sub(r"([=;#\\\n])", r"\\\1", value)

    lines = [";FFMETADATA1"]
    lines += [f"{esc(k)}={esc(v)}" for k, v in (tags or {}).items()]
    for c in chapters:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(c.start * 1000)}",
            f"END={round(c.end * 1000)}",
            f"title={esc(c.title)}",
        ]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def _metadata_file(text: str) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix="voiceguide-", suffix=".ffmeta")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        yield Path(name)
    finally:
        os.unlink(name)


def encode(
    chunks: Iterable[bytes],
    target: Path,
    fmt: str = "mp3",
    tags: Mapping[str, str] | None = None,
    chapters: Sequence[Chapter] = (),
    finish: Callable[[Path], None] | None = None,
    filters: str | None = None,
    also: Callable[[bytes], None] | None = None,
) -> None:
    """Stream PCM (16-bit mono 44.1 kHz) into ffmpeg; `target` appears only when complete.

    `finish(tmp)` runs on the encoded temporary file before the rename; what it
    raises leaves `target` untouched. `filters` is an ffmpeg audio filter chain
    for the whole stream; `also(chunk)` is handed every chunk too (a loudness meter).
    """
    from voiceguide.audio import CHANNELS, SAMPLE_RATE

    spec = FORMATS[fmt]
    target = Path(target)
    with atomic_path(target) as tmp, _metadata_file(ffmetadata(tags, chapters)) as meta:
        args = [
            "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", str(CHANNELS), "-i", "pipe:0",
            "-f", "ffmetadata", "-i", str(meta),
            "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
            *(("-af", filters) if filters else ()), *spec.args, "-y", str(tmp),
        ]  # fmt: skip
        pcm_bytes = _run(args, chunks, target, also)
        # An ffmpeg that exits 0 but wrote (almost) nothing must not replace a good file.
        seconds = pcm_bytes / (2 * SAMPLE_RATE)
        if tmp.stat().st_size < min(4096, 200 * seconds):  # even silence costs more than this in every format
            raise EnvironmentFailure(f"ffmpeg wrote no audio to {target.name}; check your ffmpeg (ffmpeg -version)")
        if finish is not None:
            finish(tmp)


def _run(args: list[str], chunks: Iterable[bytes], target: Path, also: Callable[[bytes], None] | None = None) -> int:
    """Feed `chunks` to ffmpeg run with `args`; return the number of PCM bytes it was given."""
    with tempfile.TemporaryFile() as errors:
        proc = ffmpeg.popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)
        written = 0
        try:
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
            code = proc.wait()
        finally:
            if proc.poll() is None:  # interrupted mid-write: don't leave ffmpeg behind
                proc.kill()
                proc.wait()
        if code != 0:
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            detail = lines[-1] if lines else f"exit status {code}"
            raise EnvironmentFailure(f"ffmpeg failed to encode {target.name}: {detail}")
        return written


# -- a whole session -------------------------------------------------------


def export_session(
    render: Callable[[], Iterable[bytes]],
    timeline: Timeline,
    output: Path,
    *,
    fmt: str | None = None,
    info: TrackInfo | None = None,
    cover: Cover | None = None,
    lrc_path: Path | None = None,
    vtt_path: Path | None = None,
    chapters_path: Path | None = None,
    split_dir: Path | None = None,
    gain_key: str | None = None,
    extra_texts: Sequence[tuple[Path, str]] = (),
) -> Exported:
    """Write the session's audio file and, on request, its sidecars and split tracks.

    `render()` returns a fresh iterator of the session's PCM chunks each time it
    is called (once, or twice with `split_dir`). `info` defaults to
    tags.track_info(timeline), `cover` to the cover drawn from the routine.
    `extra_texts` are more (path, text) files to write beside (the timeline JSON).
    The text files are written to temporary files first, so a full disk stops
    the export before the audio file is touched; all are renamed into place
    once the audio is. Returns the paths written, the audio file first.
    """
    from voiceguide import sidecars
    from voiceguide.chapters import chapters_of
    from voiceguide.cover import for_embedding, generated_cover
    from voiceguide.tags import track_info

    fmt = format_for(output, fmt)
    if split_dir is not None:
        check_split_folder(split_dir)
    info = info or track_info(timeline)
    cover = for_embedding(cover) if cover is not None else generated_cover(timeline, info.title)
    chapters = chapters_of(timeline)

    texts = [
        (lrc_path, lambda: sidecars.lrc(timeline, artist=info.artist, album=info.album_name, title=info.title)),
        (vtt_path, lambda: sidecars.vtt(timeline)),
        (chapters_path, lambda: sidecars.podcast_chapters_json(timeline, chapters, title=info.title)),
        *((path, lambda text=text: text) for path, text in extra_texts),
    ]
    with contextlib.ExitStack() as staged:
        for path, text in texts:
            if path is not None:
                staged.enter_context(atomic_path(Path(path))).write_text(text(), encoding="utf-8")
        measured, gain = _encode_on_target(render, timeline, output, fmt, info, chapters, cover, gain_key)
    written = [Path(output)] + [Path(path) for path, _ in texts if path is not None]
    if split_dir is not None:
        written += split_tracks(
            render(), timeline, chapters, Path(split_dir), info, cover, filters=loudness.master_filter(gain)
        )
    return Exported(written, measured)


def _encode_on_target(render, timeline, output, fmt, info, chapters, cover, gain_key):
    """Encode with the gain that lands the mix on the loudness target; measure while encoding."""
    from voiceguide.tags import write_tags

    gain = loudness.remembered_gain(gain_key) if gain_key else loudness.DEFAULT_GAIN_DB
    measured: loudness.Measurement | None = None
    for attempt in range(2):
        analyzer = loudness.Analyzer(gain, fmt)
        try:

            def finish(tmp: Path) -> None:
                nonlocal measured
                measured = analyzer.result()
                if attempt == 0 and measured is not None and abs(measured.corrected(gain) - gain) > 0.05:
                    if not measured.on_target():
                        raise _Again()  # before the rename: the target is not touched
                write_tags(tmp, fmt, timeline, info, chapters, cover)

            encode(render(), output, fmt, info.ffmpeg_tags(), chapters, finish, loudness.master_filter(gain),
                   analyzer.write)  # fmt: skip
            break
        except _Again:
            gain = measured.corrected(gain)
        finally:
            analyzer.abort()
    if gain_key and measured is not None:
        loudness.remember_gain(gain_key, measured.corrected(gain))
    return measured, gain


class _Again(Exception):
    """The first pass missed the loudness target: encode again with the corrected gain."""


@dataclass(frozen=True)
class Exported:
    paths: list[Path]  # the audio file first
    loudness: loudness.Measurement | None  # of the audio file, as encoded


# -- split tracks ------------------------------------------------------------

PLAYLIST = "playlist.m3u8"


def split_tracks(
    chunks: Iterable[bytes],
    timeline: Timeline,
    chapters: Sequence[Chapter],
    folder: Path,
    info: TrackInfo,
    cover: Cover | None = None,
    playlist: str = PLAYLIST,
    filters: str | None = None,
) -> list[Path]:
    """One MP3 per chapter, cut from one pass over the session's PCM, plus a playlist.

    Each track is encoded on its own from exactly its chapter's samples, and
    its LAME header carries the encoder delay and padding, so players that play
    gapless (and ffmpeg) join them back to the session's exact length. Tracks
    are tagged like the whole file (TRCK n/N, the chapter's title, its own cues
    as lyrics). Returns the tracks' paths, then the playlist's.
    """
    from voiceguide.audio import SAMPLE_RATE
    from voiceguide.chapters import excerpt
    from voiceguide.mix import frame_of
    from voiceguide.sidecars import PlaylistEntry, m3u8
    from voiceguide.tags import write_tags

    folder = check_split_folder(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot create the folder ({exc.strerror})") from None
    source = _Frames(chunks)
    total = len(chapters)
    written: list[Path] = []
    entries: list[PlaylistEntry] = []
    for n, chapter in enumerate(chapters, 1):
        name = track_file_name(n, total, chapter.title)
        tags = replace(info, title=chapter.title, album=info.album_name, track=(n, total))
        part = excerpt(timeline, chapter)
        first, last = frame_of(chapter.start), frame_of(chapter.end)

        def finish(tmp: Path, tags=tags, part=part) -> None:
            write_tags(tmp, "mp3", part, tags, (), cover)

        encode(source.take(first, last), folder / name, "mp3", tags.ffmpeg_tags(), finish=finish, filters=filters)
        written.append(folder / name)
        entries.append(PlaylistEntry(name, (last - first) / SAMPLE_RATE, chapter.title))
    write_text_atomic(folder / playlist, m3u8(entries, title=info.album_name))
    return written + [folder / playlist]


def check_split_folder(folder: Path) -> Path:
    """Refuse, before any work, a split folder that is a file."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: is a file; give a folder for the split tracks")
    return folder


def track_file_name(number: int, total: int, title: str, suffix: str = ".mp3") -> str:
    """'03 Lunge With Hamstring Stretch (right side).mp3': sorts in play order, safe on every OS."""
    safe = re.sub(r'[\x00-\x1f<>:"/\\|?*]', "-", title)
    safe = " ".join(safe.split()).strip(" .") or "Track"
    return f"{number:0{max(2, len(str(total)))}d} {safe[:100]}{suffix}"


class _Frames:
    """A stream of PCM chunks read by absolute frame ranges, in order, one chunk in memory."""

    def __init__(self, chunks: Iterable[bytes]):
        from voiceguide.audio import CHANNELS, SAMPLE_WIDTH

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

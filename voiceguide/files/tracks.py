"""Split tracks: one MP3 per chapter, cut from one pass over the session's PCM, and their playlist.

An orchestrator like export.py: it hands each track to the encoder
(encode.py), the tagger (tags.py) and the playlist writer (sidecars.py).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.atomic import NAME_MAX, atomic_path, cut_utf8
from voiceguide.audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH, frame_of
from voiceguide.errors import InputError
from voiceguide.files.cover import Cover
from voiceguide.files.encode import encode
from voiceguide.files.outputs import PLAYLIST
from voiceguide.files.sidecars import PlaylistEntry, m3u8
from voiceguide.files.tags import TrackInfo, write_tags
from voiceguide.words.chapters import Chapter, excerpt

if TYPE_CHECKING:
    from voiceguide.words.timeline import Timeline


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

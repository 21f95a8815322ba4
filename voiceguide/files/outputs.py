"""Where a build writes: one frozen value, checked whole before any work is done.

Every path a build writes (the audio file, the LRC, WebVTT, JSON chapters and
timeline sidecars, the split tracks and their playlist) is checked here, so a
build that would fail on its outputs fails before speaking or encoding:

- only regular files are ever replaced: a device node, FIFO, socket or folder
  at an output path is refused and left exactly as it was (root included);
- a symlink, dangling or not, is an existing file: it is replaced only with
  --force, and then the link itself is replaced, never the file it points to;
- no two outputs share a path once `.`, `..` and symlinks are resolved;
- the split folder is a folder or can be made, and every name fits
  (inputs.check_name, the check the command line's options make).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceguide.errors import InputError
from voiceguide.files.formats import format_for
from voiceguide.inputs import check_name

PLAYLIST = "playlist.m3u8"
AUDIO_OPTION = "-o/--output"
SPLIT_OPTION = "--split"


@dataclass(frozen=True)
class Outputs:
    """The files of one build. Make it with `Outputs.checked`, which refuses bad paths."""

    audio: Path
    fmt: str  # a name in export.FORMATS
    lrc: Path | None = None
    vtt: Path | None = None
    chapters: Path | None = None
    timeline: Path | None = None
    split: Path | None = None
    force: bool = False  # replace files that exist

    @classmethod
    def checked(
        cls,
        audio: Path,
        fmt: str | None = None,
        *,
        lrc: Path | None = None,
        vtt: Path | None = None,
        chapters: Path | None = None,
        timeline: Path | None = None,
        split: Path | None = None,
        force: bool = False,
    ) -> Outputs:
        """The outputs, every path checked; `fmt` None: told by the audio file's extension."""
        fmt = format_for(audio, fmt)

        def path(p: Path | None) -> Path | None:
            return None if p is None else Path(p)

        outputs = cls(
            Path(audio), fmt, lrc=path(lrc), vtt=path(vtt), chapters=path(chapters), timeline=path(timeline),
            split=path(split), force=force,
        )  # fmt: skip
        outputs.check()
        return outputs

    def files(self) -> Iterator[tuple[str, Path]]:
        """(option, path) of every single file written, the audio file first."""
        for option, path in (
            (AUDIO_OPTION, self.audio),
            ("--lrc", self.lrc),
            ("--vtt", self.vtt),
            ("--chapters", self.chapters),
            ("--timeline", self.timeline),
        ):
            if path is not None:
                yield option, path
        if self.split is not None:
            yield SPLIT_OPTION, self.split / PLAYLIST

    def check(self) -> None:
        for option, path in self.files():
            if option != SPLIT_OPTION:
                check_file(path, option, self.force)
        if self.split is not None:
            check_folder(self.split, self.force)
            check_file(self.split / PLAYLIST, SPLIT_OPTION, force=True, folder_may_be_missing=True)
        _check_distinct(self._claims())

    def check_tracks(self, names: Sequence[str]) -> None:
        """The split tracks about to be written into the split folder (names from export.track_file_name)."""
        if self.split is None:
            return
        for name in names:
            check_file(self.split / name, SPLIT_OPTION, force=True, folder_may_be_missing=True)
        _check_distinct(self._claims() + [(SPLIT_OPTION, self.split / name) for name in names])

    def _claims(self) -> list[tuple[str, Path]]:
        claims = list(self.files())
        if self.split is not None:
            claims.append((SPLIT_OPTION, self.split))  # the folder itself: no file may be written in its place
        return claims


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_file(path: Path, option: str, force: bool, folder_may_be_missing: bool = False) -> None:
    """Refuse an output file path that cannot or may not be written, before any work."""
    path = Path(path)
    if path.name in ("", ".", ".."):
        raise InputError(f"{option}: {path}: is a directory; give a file name")
    check_name(str(path), option, creating=False)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:  # a parent that is a file, a path too long
        raise InputError(f"{option}: {path}: cannot be written ({exc.strerror})") from None
    if mode is not None and not stat.S_ISLNK(mode):
        kind = _kind(mode)
        if kind is not None:
            raise InputError(f"{option}: {path}: is {kind}; voiceguide writes only regular files, choose another path")
    if mode is not None and not force:
        raise InputError(f"{option}: {path}: already exists; add --force to replace it, or choose another path")
    if not folder_may_be_missing:
        _check_parent(path, option)


def _check_parent(path: Path, option: str) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"{option}: {path}: the folder {folder} does not exist; create it or choose another path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{option}: {path}: the folder {folder} is not writable; choose another path")


def check_folder(folder: Path, force: bool) -> None:
    """The split folder: an existing folder (empty unless --force), or one that can be made."""
    folder = Path(folder)
    check_name(str(folder), SPLIT_OPTION, creating=False)
    if folder.exists():
        if not folder.is_dir():
            raise InputError(f"{folder}: is not a folder; give a folder for the split tracks")
        if not force and any(folder.iterdir()):
            raise InputError(f"{folder}: is not empty; add --force to write the split tracks into it")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise InputError(f"{SPLIT_OPTION}: {folder}: is not writable; choose another folder")
        return
    missing = folder
    while not missing.parent.exists() and missing.parent != missing:
        missing = missing.parent
    if os.path.lexists(missing):  # a dangling symlink: nothing can be made through it
        raise InputError(f"{SPLIT_OPTION}: {missing}: is a dangling link; give a folder for the split tracks")
    parent = missing.parent
    if not parent.is_dir():
        raise InputError(f"{SPLIT_OPTION}: {folder}: cannot be made, {parent} is a file; give another folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{SPLIT_OPTION}: {folder}: cannot be made, {parent} is not writable; give another folder")


def _where(path: Path) -> tuple[str, str]:
    """The directory entry a write replaces, and the file behind it, both fully resolved."""
    entry = os.path.join(os.path.realpath(path.parent), path.name)
    return os.path.normcase(entry), os.path.normcase(os.path.realpath(path))


def _check_distinct(claims: Sequence[tuple[str, Path]]) -> None:
    seen: dict[str, tuple[str, Path]] = {}
    for option, path in claims:
        for key in dict.fromkeys(_where(path)):
            if key in seen:
                other, first = seen[key]
                if other == option == SPLIT_OPTION:
                    continue  # a track and the split folder's own entries
                raise InputError(
                    f"{other} {first} and {option} {path} are the same file; give each output its own path"
                )
            seen[key] = (option, path)

"""Files that appear whole or not at all: the only place voiceguide renames a temporary file into place."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

COMMITTED: list[Path] = []  # files renamed into place by this command so far (for its messages)
BEFORE_RENAME: list[Callable[[], None]] = []  # checks that may refuse a rename by raising (workers.py: parent alive)
NAME_MAX = 255  # bytes of one file name on every common file system (ext4, APFS, NTFS counts UTF-16 units)
_TEMP_ROOM = len(".") + len(".") + 8 + len(".part")  # what mkstemp adds around the name: ".NAME.XXXXXXXX.part"


def cut_utf8(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8, never inside a character."""
    data = text.encode("utf-8", "surrogateescape")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while a child starts, so none lands between its
    fork and our holding its handle: such an orphan ffmpeg would finish writing
    a temporary file after the cleanup removed it. (Used here too, so an
    interrupt never lands between making a temporary file and owning it.) The child inherits the
    block, so only our explicit kill stops it; held signals arrive right after.
    """
    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def atomic_path(target: Path, record: bool = True) -> Iterator[Path]:
    """A temporary path beside `target`, renamed onto it only if the block succeeds.

    On any failure or interrupt the temporary file is removed and `target` is
    left exactly as it was. The rename replaces a symlink at `target` itself,
    never the file it points to. `record` lists the file in COMMITTED (the
    user's outputs, named when a command stops half-way; not the cache's own
    files). The temporary name is cut so it stays within NAME_MAX whatever
    the length of a legal target name.
    """
    target = Path(target)
    prefix = "." + cut_utf8(target.name, NAME_MAX - _TEMP_ROOM) + "."
    tmp_path: Path | None = None
    try:
        with signals_held():
            fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=target.parent)
            tmp_path = Path(tmp)
            os.close(fd)
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        for check in BEFORE_RENAME:
            check()
        os.replace(tmp_path, target)
        if record:
            COMMITTED.append(target)
    finally:
        with signals_held():
            if tmp_path is not None and os.path.lexists(tmp_path):
                tmp_path.unlink()


def write_text_atomic(target: Path, text: str, record: bool = True) -> None:
    with atomic_path(target, record) as tmp:
        tmp.write_text(text, encoding="utf-8")

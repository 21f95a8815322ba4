"""Output files that appear whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

COMMITTED: list[Path] = []  # files renamed into place by this command so far (for its messages)


@contextlib.contextmanager
def atomic_path(target: Path, record: bool = True) -> Iterator[Path]:
    """A temporary path beside `target`, renamed onto it only if the block succeeds.

    On any failure or interrupt the temporary file is removed and `target` is
    left exactly as it was. `record` lists the file in COMMITTED (the user's
    outputs, named when a command stops half-way; not the cache's own files).
    """
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
        if record:
            COMMITTED.append(target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text_atomic(target: Path, text: str, record: bool = True) -> None:
    with atomic_path(target, record) as tmp:
        tmp.write_text(text, encoding="utf-8")

"""A file sent from the one descriptor it was checked on, so a file replaced mid-request is never mixed in.

`voiceguide program` renames a new episode over the old one while `serve` may
be answering for it. Starlette's FileResponse takes a path and a stat result
and opens the path again to send the bytes: in between, the name may lead to
the new file, so one response carried the old file's length, ETag and
Content-Range with the new file's bytes (a podcast app resuming a download
with Range would stitch two versions into one broken episode). Here the file
is opened once (O_NOFOLLOW: a symlink put in its place is refused; O_NONBLOCK:
a FIFO put in its place cannot block), checked as a regular file on that
descriptor, and every header is computed from it and every byte read from it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import BinaryIO

import anyio
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class Opened:
    """A regular file open for reading, with the stat of that very file."""

    def __init__(self, path: Path, file: BinaryIO, st: os.stat_result) -> None:
        self.path, self.file, self.stat = path, file, st

    def close(self) -> None:
        self.file.close()


def open_regular(path: Path) -> Opened | None:
    """`path` opened (its last part not a symlink), if it is a regular file now; else None."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError:
        return None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        return None
    return Opened(path, os.fdopen(fd, "rb"), st)


class OpenedFileResponse(FileResponse):
    """FileResponse (ranges, HEAD, ETag, Last-Modified) over an Opened file; closes it when sent."""

    def __init__(self, opened: Opened, media_type: str, headers: Mapping[str, str]) -> None:
        super().__init__(opened.path, stat_result=opened.stat, media_type=media_type, headers=headers)
        self.opened = opened

    @asynccontextmanager
    async def _open_file(self) -> AsyncIterator[anyio.AsyncFile[bytes]]:
        yield anyio.wrap_file(self.opened.file)  # closed by __call__, after every range

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        extensions = {k: v for k, v in (scope.get("extensions") or {}).items() if k != "http.response.pathsend"}
        scope = {**scope, "extensions": extensions}  # the bytes come from the descriptor, never the path again
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.opened.close()

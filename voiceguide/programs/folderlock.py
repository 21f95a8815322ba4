"""One writer per program folder: an flock on a lock file in the folder, held by the run and its workers.

`voiceguide program -o DIR` holds an exclusive flock(2) on DIR/LOCK for as long
as it may write there. The lock belongs to the open file, not to a process:
the worker processes receive the same open file (voiceguide/workers.py passes
it to each one as it is spawned), so the kernel keeps the lock until the run
*and* every one of its workers have exited. A run killed with SIGKILL
therefore leaves a lock that is free again exactly when nothing of it can
rename another file into the folder (its workers end with it: workers.py),
and no one has to guess from process ids whether it is stale.

The lock file holds one line of JSON naming the holder (pid, start time), read
only to say who is in the way. It starts with a dot: not one of the files of
the layout, never listed in the manifest or the feed, never served
(voiceguide/inventory.py serves no dotfiles), and not counted as a file of the
person's when the folder is claimed. It is removed when the run ends; one left
by a killed run is taken over by the next.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from voiceguide.errors import InputError

LOCK = ".voiceguide-program.lock"
WAIT_FOR_LEFTOVERS = 15.0  # seconds a killed run's workers get to unwind (they end with their parent)

_held: int | None = None  # the lock file's descriptor while this process holds a folder


def held_fd() -> int | None:
    """The descriptor of the lock this process holds, for the workers to inherit (None: none held)."""
    return _held


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold DIR's lock for the block; InputError naming the other run if it is taken."""
    global _held
    path = folder / LOCK
    fd = _acquire(path)
    _held = fd
    try:
        since = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps({"pid": os.getpid(), "since": since}) + "\n").encode(), 0)
        yield
    finally:
        _held = None
        with contextlib.suppress(OSError):
            path.unlink()  # while still held: a run waiting on this file sees it gone and opens a new one
        os.close(fd)


def _acquire(path: Path) -> int:
    deadline: float | None = None
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            raise InputError(f"{path}: cannot open the folder's lock file ({exc.strerror})") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise InputError(f"{path}: is not a lock file voiceguide wrote; remove it and run again")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            if _alive(holder.get("pid")):
                raise InputError(_message(path.parent, holder, running=True)) from None
            # Its run is gone but the lock is not: its workers are unwinding. They end soon.
            deadline = deadline or time.monotonic() + WAIT_FOR_LEFTOVERS
            if time.monotonic() > deadline:
                raise InputError(_message(path.parent, holder, running=False)) from None
            time.sleep(0.1)
            continue
        if _same_file(fd, path):
            return fd
        os.close(fd)  # the holder removed the file as it let go: lock the new one


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def _holder(fd: int) -> dict[str, object]:
    try:
        data = json.loads(os.pread(fd, 512, 0).decode("utf-8", "replace") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return True  # not written yet (a run that has just taken the lock): it is alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _message(folder: Path, holder: dict[str, object], running: bool) -> str:
    pid, since = holder.get("pid"), holder.get("since")
    who = f"pid {pid}, since {since}" if isinstance(pid, int) and since else "just started"
    if running:
        return f"{folder}: another 'voiceguide program' run ({who}) is writing this folder; wait for it or stop it"
    return (
        f"{folder}: the workers of a stopped 'voiceguide program' run ({who}) still hold this folder; "
        "run again once they have exited"
    )

"""Finding ffmpeg: the one on PATH first, else the imageio-ffmpeg wheel's binary."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import imageio_ffmpeg

from voiceguide.errors import EnvironmentFailure


@lru_cache(maxsize=1)
def ffmpeg_path() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError:
        raise EnvironmentFailure(
            "no ffmpeg found: install it (apt install ffmpeg) or reinstall voiceguide "
            "so its imageio-ffmpeg dependency is present"
        ) from None


def _failed(exc: OSError) -> EnvironmentFailure:
    return EnvironmentFailure(
        f"ffmpeg would not start ({exc.strerror or exc}: {ffmpeg_path()}); install ffmpeg "
        "(apt install ffmpeg) or reinstall voiceguide"
    )


def file_url(path: str | os.PathLike[str]) -> str:
    """A local file as ffmpeg must be told it: `file:` and an absolute path, so a name such as
    `pipe:0`, `cache:x.wav` or `mix:1.wav` is that file, never one of ffmpeg's protocols."""
    return "file:" + os.path.abspath(os.fspath(path))


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while a child starts, so none lands between its
    fork and our holding its handle: such an orphan ffmpeg would finish writing
    a temporary file after the cleanup removed it. The child inherits the
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


def popen(args: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """Start ffmpeg with `args`; a missing or broken binary is an EnvironmentFailure.

    ffmpeg never reads voiceguide's own stdin: it gets a pipe of ours or nothing.
    """
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    try:
        with signals_held():
            return subprocess.Popen([ffmpeg_path(), *args], **kwargs)
    except OSError as exc:
        raise _failed(exc) from None


def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """Run ffmpeg with `args` to the end; a missing or broken binary is an EnvironmentFailure."""
    if "input" not in kwargs:
        kwargs.setdefault("stdin", subprocess.DEVNULL)
    try:
        return subprocess.run([ffmpeg_path(), *args], **kwargs)
    except OSError as exc:
        raise _failed(exc) from None

"""Finding ffmpeg: the one on PATH first, else the imageio-ffmpeg wheel's binary."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from typing import Any

import imageio_ffmpeg

from voiceguide.atomic import signals_held
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


def popen(args: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """Start ffmpeg with `args`; a missing or broken binary is an EnvironmentFailure.

    ffmpeg never reads voiceguide's own stdin: it gets a pipe of ours or nothing.
    """
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    proc: subprocess.Popen[Any] | None = None
    try:
        with signals_held():
            proc = subprocess.Popen([ffmpeg_path(), *args], **kwargs)
    except OSError as exc:
        raise _failed(exc) from None
    except BaseException:
        # A held Ctrl-C or SIGTERM runs its handler as the signals are released, before the
        # caller has the handle to stop ffmpeg: stop it here, or it outlives us.
        if proc is not None:
            proc.kill()
            proc.wait()
        raise
    return proc


def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """Run ffmpeg with `args` to the end; a missing or broken binary is an EnvironmentFailure."""
    if "input" not in kwargs:
        kwargs.setdefault("stdin", subprocess.DEVNULL)
    try:
        return subprocess.run([ffmpeg_path(), *args], **kwargs)
    except OSError as exc:
        raise _failed(exc) from None

"""Finding ffmpeg: the one on PATH first, else the imageio-ffmpeg wheel's binary."""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
from functools import lru_cache

from voiceguide.errors import EnvironmentFailure


@lru_cache(maxsize=1)
def ffmpeg_path() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        raise EnvironmentFailure(
            "no ffmpeg found: install it (apt install ffmpeg) or reinstall voiceguide "
            "so its imageio-ffmpeg dependency is present"
        ) from None


def _failed(exc: OSError) -> EnvironmentFailure:
    return EnvironmentFailure(
        f"ffmpeg would not start ({exc.strerror or exc}: {ffmpeg_path()}); install ffmpeg "
        "(apt install ffmpeg) or reinstall voiceguide"
    )


@contextlib.contextmanager
def signals_held():
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


def popen(args: list[str], **kwargs) -> subprocess.Popen:
    """Start ffmpeg with `args`; a missing or broken binary is an EnvironmentFailure."""
    try:
        with signals_held():
            return subprocess.Popen([ffmpeg_path(), *args], **kwargs)
    except OSError as exc:
        raise _failed(exc) from None


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run ffmpeg with `args` to the end; a missing or broken binary is an EnvironmentFailure."""
    try:
        return subprocess.run([ffmpeg_path(), *args], **kwargs)
    except OSError as exc:
        raise _failed(exc) from None

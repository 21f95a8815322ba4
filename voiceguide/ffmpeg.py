"""Finding ffmpeg: the one on PATH first, else the imageio-ffmpeg wheel's binary."""

from __future__ import annotations

import shutil
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

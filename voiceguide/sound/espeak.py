"""Making eSpeak NG loadable for pyttsx3 with no system package.

pyttsx3's eSpeak driver loads `libespeak-ng.so.1` by name. When the system has
that library we let it be used; otherwise we load the copy from the
espeakng-loader wheel first, by full path and RTLD_GLOBAL, so the by-name load
finds it already in the process, and point ESPEAK_DATA_PATH at its data.
"""

from __future__ import annotations

import ctypes
import os
import sys
from functools import lru_cache
from pathlib import Path

from voiceguide.errors import EnvironmentFailure

SONAME = "libespeak-ng.so.1"


@lru_cache(maxsize=1)
def ensure_espeak() -> str:
    """Load eSpeak NG; return a description of the library used (for cache keys)."""
    if not sys.platform.startswith("linux"):
        return "platform-default"
    try:
        ctypes.CDLL(SONAME)
        return f"system {_resolved(SONAME)}"
    except OSError:
        pass
    try:
        import espeakng_loader
    except ImportError:
        raise EnvironmentFailure(
            "no eSpeak NG library: install it (apt install libespeak-ng1) or pip install espeakng-loader"
        ) from None
    lib = Path(espeakng_loader.get_library_path()).with_name(SONAME)
    try:
        ctypes.CDLL(str(lib), mode=ctypes.RTLD_GLOBAL)
        os.environ["ESPEAK_DATA_PATH"] = espeakng_loader.get_data_path()
    except (OSError, RuntimeError) as exc:
        raise EnvironmentFailure(f"the bundled eSpeak NG library would not load ({exc}); install espeak-ng") from None
    return f"bundled {lib.resolve().name}"


def _resolved(soname: str) -> str:
    # The file behind the SONAME names the exact version (libespeak-ng.so.1.52.0).
    for folder in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/local/lib"):
        path = Path(folder, soname)
        if path.exists():
            return path.resolve().name
    return soname

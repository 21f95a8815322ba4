"""voiceguide: turn a stretching routine into a follow-along audio session.

The package is laid out in wings, each a subpackage that may import only the
shared leaves here and the wings below it (docs/design.md, "Layout"):
words < sound < files < session < programs < serve < cli.

The modules the README's Python API names by their old flat paths
(`from voiceguide import engines, routine, session`, `voiceguide.builder`) are
found here on first use (PEP 562), so importing voiceguide stays cheap: `--help`
loads no audio library.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"

# The public modules by the names the README gives them.
_ALIASES = {
    "builder": "voiceguide.words.builder",
    "catalog": "voiceguide.words.catalog",
    "engines": "voiceguide.sound.engines",
    "routine": "voiceguide.words.routine",
}


def __getattr__(name: str) -> ModuleType:
    if name in _ALIASES:
        module = importlib.import_module(_ALIASES[name])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'voiceguide' has no attribute {name!r}")

"""The session wing: one session end to end, routine -> speech -> timeline -> mix -> file.

Owns `pipeline` (plan_session, render_session, build_session: the library
entry points the command line and the program folder call). May import the
shared leaves, words, sound and files; nothing above it.

`from voiceguide import session; session.build_session(...)` (the README's
Python API) reaches the pipeline through this package, loaded on first use.
The names it hands out are the pipeline's `__all__`, listed there only.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from voiceguide.session.pipeline import *  # noqa: F403 - the names __getattr__ hands out
    from voiceguide.session.pipeline import __all__ as __all__


def __getattr__(name: str) -> Any:
    if name == "__all__" or not name.startswith("__"):  # a probe for __wrapped__ and the like loads nothing
        pipeline = importlib.import_module("voiceguide.session.pipeline")
        if name == "__all__" or name in pipeline.__all__:
            return getattr(pipeline, name)
    raise AttributeError(f"module 'voiceguide.session' has no attribute {name!r}")

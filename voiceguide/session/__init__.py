"""The session wing: one session end to end, routine -> speech -> timeline -> mix -> file.

Owns `pipeline` (plan_session, render_session, build_session: the library
entry points the command line and the program folder call). May import the
shared leaves, words, sound and files; nothing above it.

`from voiceguide import session; session.build_session(...)` (the README's
Python API) reaches the pipeline through this package, loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from voiceguide.session.pipeline import (
        NoProgress,
        Plan,
        Progress,
        build_session,
        default_output,
        plan_session,
        render_session,
        timeline_json,
    )

__all__ = [
    "NoProgress",
    "Plan",
    "Progress",
    "build_session",
    "default_output",
    "plan_session",
    "render_session",
    "timeline_json",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from voiceguide.session import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'voiceguide.session' has no attribute {name!r}")

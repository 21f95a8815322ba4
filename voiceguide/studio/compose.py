"""What the studio's page edits, checked and rendered by the code the command line uses.

The page sends a routine as the same table a routine file holds (title,
guidance, avoid, steps with stretch, hold, reps, sides, rounds...). It is
validated by `routine_from_data`, the routine-file loader itself, so a field
the page gets wrong gets the loader's message and field path
(`steps[1].hold`); the TOML written is that table, which `voiceguide build`
reads back unchanged; the preview is `voiceguide script`'s text of the
session `plan_session` lays out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import tomli_w

from voiceguide.errors import InputError
from voiceguide.fields import Fields
from voiceguide.files.script import render_text, summary
from voiceguide.session.pipeline import plan_session
from voiceguide.sound.engines import DEFAULT_RATE, RATE_LIMITS, Engine
from voiceguide.sound.music import AMBIENT
from voiceguide.words import cues, routinefile
from voiceguide.words.catalog import HOLD_LIMITS, NEEDS, POSITIONS, TARGETS, Catalog, Stretch
from voiceguide.words.routine import (
    GET_READY_LIMITS,
    GUIDANCE,
    LAPS_LIMITS,
    REPS_LIMITS,
    ROUNDS_LIMITS,
    SIDE_CHOICES,
    Routine,
    routine_from_data,
)

SOURCE = "routine"  # how messages name the routine the page sends
MUSIC = ("none", AMBIENT)  # a music bed the page offers: none, or the calm pad voiceguide makes (--music ambient)
MAX_NAME = 60  # characters of a file's stem made from a title
HEADER = (
    "# A voiceguide routine, composed in 'voiceguide studio'.\n"
    "# Build it with:  voiceguide build {name}\n"
    "# Read it with:   voiceguide script {name}\n\n"
)


def catalog_data(catalog: Catalog) -> dict[str, Any]:
    """The catalog and the routine schema's choices and limits, for the page (one place per fact)."""
    return {
        "exercises": [_exercise(s) for s in catalog],
        "positions": list(POSITIONS),
        "targets": list(TARGETS),
        "needs": list(NEEDS),
        "guidance": list(GUIDANCE),
        "sides": list(SIDE_CHOICES),
        "limits": {
            "hold": list(HOLD_LIMITS),
            "reps": list(REPS_LIMITS),
            "rounds": list(ROUNDS_LIMITS),
            "laps": list(LAPS_LIMITS),
            "get_ready": list(GET_READY_LIMITS),
        },
        "safety": list(cues.SAFETY),
        "rate": {"default": DEFAULT_RATE, "limits": list(RATE_LIMITS)},
        "music": list(MUSIC),
    }


def _exercise(s: Stretch) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "position": s.position,
        "targets": list(s.targets),
        "equipment": list(s.equipment),
        "needs": list(s.needs),
        "kind": s.kind,
        "sided": s.sided,
        "hold": list(s.hold),
        "reps": list(s.reps) if s.reps else None,
        "recommended": s.recommended,
        "benefit": s.benefit,
        "setup": list(s.setup),
        "caution": s.caution,
    }


def routine_of(data: object, catalog: Catalog) -> Routine:
    """The routine the page sent, by the routine-file loader's rules (InputError with the field's path)."""
    return routine_from_data(data, SOURCE, catalog)


def file_stem(title: str) -> str:
    """A file name the studio makes from a title: lowercase words and hyphens, never a path."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    stem = "-".join(words)[:MAX_NAME].strip("-")
    return stem or "routine"


def toml_text(data: dict[str, Any], name: str, header: str = HEADER) -> str:
    """The file of a table its loader accepted: the same keys and values, as TOML.

    Laid out as a person writes one (README, "Routine files"): the settings,
    then tables (`[defaults]`), then each list of tables one `[[steps]]` (or
    `[[phases]]`) table at a time.
    """
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in data.items() if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)}
    top = {k: v for k, v in data.items() if k not in tables and k not in arrays}
    parts = [header.format(name=name), tomli_w.dumps(top)]
    # The keys are the loader's own (it refused any other): bare words, safe as headers.
    parts += [f"\n[{key}]\n{tomli_w.dumps(value)}" for key, value in tables.items()]
    parts += [f"\n[[{key}]]\n{tomli_w.dumps(item)}" for key, items in arrays.items() for item in items]
    return "".join(parts)


def open_text(data: bytes, name: str, catalog: Catalog) -> dict[str, Any]:
    """A routine file's table, parsed and checked as `voiceguide build` would, for the page to edit."""
    suffix = "." + name.rpartition(".")[2] if "." in name else ""
    parsed, _ = routinefile.parse_any(data, name, suffix)
    try:
        routine_from_data(parsed, name, catalog)
    except InputError as exc:
        raise routinefile.with_line(exc, data, name) from None
    if not isinstance(parsed, dict):  # routine_from_data refuses anything else; this tells mypy
        raise InputError(f"{name}: expected a table of settings")
    return parsed


@dataclass(frozen=True)
class Sound:
    """How a build sounds, beyond the routine file: `build`'s --rate and --music (not keys of a routine file)."""

    rate: int | None = None  # words per minute; None: the engine's default
    music: str | None = None  # AMBIENT or None


def sound_of(data: object) -> Sound:
    """The page's sound settings, checked by --rate's limits and --music's choices ('sound: rate: ...')."""
    if data is None:
        return Sound()
    f = Fields(data, "", "sound")
    rate = f.integer("rate", *RATE_LIMITS, default=None, unit="words per minute")
    music = f.choice("music", MUSIC, default="none")
    f.finish()
    return Sound(rate, None if music == "none" else music)


@dataclass(frozen=True)
class Preview:
    script: str  # the text `voiceguide script FILE` prints
    seconds: float
    summary: str
    warnings: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "script": self.script,
            "seconds": round(self.seconds, 3),
            "summary": self.summary,
            "warnings": list(self.warnings),
        }


def preview(routine: Routine, engine: Engine) -> Preview:
    """The session's timed script as `voiceguide script` prints it (speech measured by `engine`)."""
    plan = plan_session(routine, engine)
    timeline = plan.timeline
    warnings = (*plan.routine.warnings(), *plan.notes)
    return Preview(render_text(timeline), timeline.duration, summary(timeline), tuple(dict.fromkeys(warnings)))

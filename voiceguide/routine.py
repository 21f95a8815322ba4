"""Routines: which stretches, in which order, how long, which sides.

A routine comes from a preset (data/routines/NAME.toml) or a routine file of the
same format, and is resolved against the catalog into frozen `Step`s. CLI
options are applied afterwards with `with_overrides`, so they win.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from voiceguide.catalog import Catalog, Stretch, load_catalog
from voiceguide.errors import InputError
from voiceguide.fields import Fields
from voiceguide.tomlload import parse_toml

DEFAULT_PRESET = "full"
SIDES = ("right", "left")

HOLD_LIMITS = (5, 300)
REPS_LIMITS = (1, 50)
GET_READY_LIMITS = (0, 120)


@dataclass(frozen=True)
class Step:
    stretch: Stretch
    hold: int  # seconds, per side for a sided stretch
    reps: int  # per leg, for a dynamic stretch
    get_ready: int  # seconds at least to get into position
    tips: tuple[str, ...] = ()

    @property
    def sides(self) -> tuple[str | None, ...]:
        return SIDES if self.stretch.sided and self.stretch.kind == "hold" else (None,)


@dataclass(frozen=True)
class Routine:
    title: str
    steps: tuple[Step, ...]
    intro: tuple[str, ...] = ()
    outro: tuple[str, ...] = ()
    description: str = ""
    countdown: bool = True
    source: str = ""

    def with_overrides(self, hold: int | None = None) -> "Routine":
        steps = self.steps
        if hold is not None:
            steps = tuple(dataclasses.replace(s, hold=hold) for s in steps)
        return dataclasses.replace(self, steps=steps)


def preset_names() -> list[str]:
    folder = resources.files("voiceguide.data.routines")
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_routine(spec: str | None = None, catalog: Catalog | None = None) -> Routine:
    """A preset name or the path of a routine file."""
    catalog = catalog or load_catalog()
    spec = spec or DEFAULT_PRESET
    if spec in preset_names():
        data = resources.files("voiceguide.data.routines").joinpath(f"{spec}.toml").read_bytes()
        return parse_routine(data, f"{spec}.toml", catalog)
    path = Path(spec)
    if path.suffix.lower() == ".toml" or path.exists():
        return parse_routine(read_routine_file(path), str(path), catalog)
    raise InputError(
        f"no preset or routine file named {spec!r}; presets: {', '.join(preset_names())}"
    )


def read_routine_file(path: Path) -> bytes:
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a routine file such as morning.toml")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def parse_routine(data: bytes, source: str, catalog: Catalog) -> Routine:
    top = Fields(parse_toml(data, source), "", source)
    title = top.text("title", max_len=120)
    description = top.text("description", default="")
    intro = top.texts("intro", default=())
    outro = top.texts("outro", default=())
    defaults = Fields(top.raw("defaults", {}), "defaults", source)
    hold = defaults.integer("hold", *HOLD_LIMITS, default=None, unit="seconds")
    get_ready = defaults.integer("get_ready", *GET_READY_LIMITS, default=10, unit="seconds")
    reps = defaults.integer("reps", *REPS_LIMITS, default=None, unit="reps")
    countdown = defaults.boolean("countdown", default=True)
    defaults.finish()
    tables = top.table_list("steps")
    top.finish()
    if not tables:
        raise top.error("has no stretches; add at least one [[steps]] table", at="steps")
    steps = tuple(
        _parse_step(t, f"steps[{i}]", source, catalog, hold, get_ready, reps) for i, t in enumerate(tables)
    )
    return Routine(
        title=title,
        steps=steps,
        intro=intro,
        outro=outro,
        description=description,
        countdown=countdown,
        source=source,
    )


def _parse_step(table, path, source, catalog, hold, get_ready, reps) -> Step:
    f = Fields(table, path, source)
    stretch = catalog.get(f.text("stretch", max_len=80), where=f"{source}: {f.where('stretch')}")
    step = Step(
        stretch=stretch,
        hold=f.integer("hold", *HOLD_LIMITS, default=hold or stretch.hold[1], unit="seconds"),
        reps=f.integer("reps", *REPS_LIMITS, default=reps or (stretch.reps or (10, 10))[0], unit="reps"),
        get_ready=f.integer("get_ready", *GET_READY_LIMITS, default=get_ready, unit="seconds"),
        tips=f.texts("tips", default=()),
    )
    f.finish()
    return step

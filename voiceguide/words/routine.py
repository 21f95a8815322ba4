"""Routines: which stretches, in which order, how long, which sides.

A routine comes from a preset (data/routines/NAME.toml) or a routine file of
the same schema (TOML or YAML), validated while it is read: unknown keys are
rejected and every error names the file and the field path (`steps[3].hold`).
CLI options are applied afterwards (voiceguide/words/builder.py), so they win.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from voiceguide import language
from voiceguide.errors import InputError
from voiceguide.fields import Fields
from voiceguide.words import profiles, routinefile
from voiceguide.words.catalog import (
    DIRECTIONS,
    EQUIPMENT,
    HOLD_LIMITS,
    KINDS,
    NEEDS,
    POSITIONS,
    PREFERENCES,
    SUITS,
    TARGETS,
    Catalog,
    Stretch,
    setup_items,
)
from voiceguide.words.dose import Dose, read_dose
from voiceguide.words.translated import catalog_in

DEFAULT_PRESET = "full"
SIDE_CHOICES = ("both", "right", "left")

REPS_LIMITS = (1, 50)
GET_READY_LIMITS = (0, 120)
ROUNDS_LIMITS = (1, 20)  # holds of one step in a row
LAPS_LIMITS = (1, 20)  # times through the whole routine
MAX_SESSION_SECONDS = 3 * 3600
MAX_STEPS = 200
GUIDANCE = ("full", "brief", "minimal")


@dataclass(frozen=True)
class Step:
    stretch: Stretch
    hold: int  # seconds, per side for a sided stretch
    reps: int  # per leg, for a dynamic stretch
    get_ready: int  # seconds at least to get into position
    tips: tuple[str, ...] = ()
    side: str = "both"  # for sided stretches: both, right or left
    rounds: int = 1  # holds of this stretch in a row (each side each round)
    dose: Dose | None = None  # tempo reps, paced breathing or contract-relax (voiceguide/words/dose.py)
    when: str = ""  # flexion or extension: taken in only when the person prefers it (--prefer)

    @property
    def kind(self) -> str:
        """hold, reps (alternating dynamic reps), tempo (tempo reps in sets) or breaths."""
        if self.dose is not None and self.dose.tempo is not None:
            return "tempo"
        if self.dose is not None and self.dose.breathing is not None:
            return "breaths"
        return self.stretch.kind

    @property
    def sides(self) -> tuple[str | None, ...]:
        if not (self.stretch.sided and self.kind in ("hold", "tempo")):
            return (None,)
        return ("right", "left") if self.side == "both" else (self.side,)


@dataclass(frozen=True)
class Routine:
    title: str
    steps: tuple[Step, ...]
    intro: tuple[str, ...] = ()
    outro: tuple[str, ...] = ()
    description: str = ""
    countdown: bool = True
    laps: int = 1  # times through the whole list of steps (down to the floor and up again each time)
    artist: str = ""
    album: str = ""
    minutes: float | None = None  # a target length, fitted by the builder
    source: str = ""
    guidance: str = "full"  # full, brief or minimal: how much is said (GUIDANCE)
    avoid: tuple[str, ...] = ()  # what the body cannot do (catalog NEEDS)
    profiles: tuple[str, ...] = ()  # the body in a word: bad-knee, no-floor, ... (voiceguide/words/profiles.py)
    check_in: bool = False  # a pain score asked at the start and looked at the end
    prefer: str = "neutral"  # the direction that eases the back (catalog PREFERENCES)
    settle: float | None = None  # quiet seconds before an opening chime; None: timeline.Pacing's
    preset: str = ""  # the preset's name, for a preset
    pool: bool = False  # a preset's stretches, which --minutes may trim; a person's choices are kept
    tempo: float | None = None  # seconds per rep; None: timeline.Pacing's
    # Set by a program for its day (voiceguide/programs/program.py): said first at every guidance level.
    opening: tuple[str, ...] = ()
    familiar: bool = False  # the full intro was heard on earlier days: the short safety line, no chime key
    deprecated: tuple[str, ...] = ()  # old keys the file used, and what to write instead
    lang: str = "en"  # the language it is spoken in (voiceguide/language.py)

    def warnings(self) -> list[str]:
        """Holds outside the source article's advice (docs/design.md) are allowed, but the person should know.

        A stretch of the person's own has no recommendation, so no warning.
        """
        out = list(self.deprecated)
        for step in self.steps:
            low, high = step.stretch.hold
            if step.kind == "hold" and not step.stretch.custom and not low <= step.hold <= high:
                advice = f"{low} s" if low == high else f"{low}-{high} s"
                out.append(f"{step.stretch.name}: a {step.hold} s hold is outside the recommended {advice}")
        return list(dict.fromkeys(out))


def preset_names() -> list[str]:
    folder = resources.files("voiceguide.data.routines")
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_routine(spec: str | None = None, catalog: Catalog | None = None, lang: str | None = None) -> Routine:
    """A preset name or the path of a routine file (.toml, .yaml, .yml), in a language.

    `lang` (--lang) wins over a file's own `lang`; English when neither says.
    A preset's own words are voiceguide's, so they are translated; a file's are
    its author's, in its `lang`.
    """
    spec = spec or DEFAULT_PRESET
    if spec in preset_names():
        code = lang or language.ENGLISH
        data = resources.files("voiceguide.data.routines").joinpath(f"{spec}.toml").read_bytes()
        with language.speaking(code):
            preset = routine_from_data(
                routinefile.parse(data, f"{spec}.toml"), f"{spec}.toml", catalog or catalog_in(code), ours=True
            )
        return dataclasses.replace(preset, preset=spec, pool=True, lang=code)
    path = Path(spec)
    if path.suffix.lower() in routinefile.ROUTINE_SUFFIXES or path.exists() or "/" in spec:
        raw = routinefile.read_bytes(path)
        parsed, yaml = routinefile.parse_any(raw, str(path), path.suffix)
        try:
            code = lang or file_language(parsed, str(path))
            with language.speaking(code):
                routine = routine_from_data(parsed, str(path), catalog or catalog_in(code))
            return _dose_lines(dataclasses.replace(routine, lang=code), raw, yaml)
        except InputError as exc:
            line = routinefile.field_line(raw, exc.field, yaml) if exc.field and exc.source == str(path) else None
            if line is None:
                raise
            message = str(exc).replace(f"{path}: ", f"{path}, line {line}: ", 1)
            raise InputError(message, source=exc.source, field=exc.field) from None
    raise InputError(
        f"no preset or routine file named {spec!r}; presets: {', '.join(preset_names())} "
        "(or give the path of a .toml or .yaml file)"
    )


def _dose_lines(routine: Routine, raw: bytes, yaml: bool) -> Routine:
    """Each dose told the lines of its fields, for the errors found while it is laid out (voiceguide/words/tempo.py)."""
    steps = []
    for step in routine.steps:
        dose = step.dose
        if dose is not None and dose.written and dose.where:
            keys = ("tempo", "rest") if dose.tempo else ("breath",) if dose.breathing else ("contract_relax",)
            found = ((k, routinefile.field_line(raw, f"{dose.where}.{k}", yaml)) for k in keys)
            lines = tuple((k, line) for k, line in found if line is not None)
            step = dataclasses.replace(step, dose=dataclasses.replace(dose, lines=lines))
        steps.append(step)
    return dataclasses.replace(routine, steps=tuple(steps))


def file_language(data: object, source: str) -> str:
    """A routine or program file's `lang`, checked; English when it has none."""
    if isinstance(data, dict) and "lang" in data:
        code = Fields(data, "", source).text("lang", max_len=20)
        return language.checked(code, f"{source}: lang")
    return language.ENGLISH


def routine_from_data(data: object, source: str, catalog: Catalog, ours: bool = False) -> Routine:
    """The routine a file's data describes; `ours`: a preset, whose words are translated (language._)."""
    top = Fields(data, "", source)
    said = language._ if ours else str
    top.raw("lang", None)  # read by file_language
    title = said(top.text("title", max_len=120))
    routine = Routine(
        title=title,
        steps=(),
        description=said(top.text("description", default="")),
        intro=tuple(map(said, top.texts("intro", default=()))),
        outro=tuple(map(said, top.texts("outro", default=()))),
        artist=top.text("artist", default="", max_len=120),
        album=top.text("album", default="", max_len=120),
        source=source,
        guidance=top.choice("guidance", GUIDANCE, default="full"),
        avoid=tuple(dict.fromkeys(top.choices("avoid", NEEDS, default=()))),
        profiles=_profiles(top),
        check_in=top.boolean("check_in", default=False),
        prefer=top.choice("prefer", PREFERENCES, default="neutral"),
    )
    laps, old_key = read_laps(top, default=1)
    routine = dataclasses.replace(routine, laps=1 if laps is None else laps, deprecated=(old_key,) if old_key else ())
    defaults = Fields(top.raw("defaults", {}), "defaults", source)
    base = dict(
        hold=defaults.integer("hold", *HOLD_LIMITS, default=None, unit="seconds"),
        get_ready=defaults.integer("get_ready", *GET_READY_LIMITS, default=10, unit="seconds"),
        reps=defaults.integer("reps", *REPS_LIMITS, default=None, unit="reps"),
    )
    countdown = defaults.boolean("countdown", default=True)
    defaults.finish()
    minutes = top.integer("minutes", 1, MAX_SESSION_SECONDS // 60, default=None, unit="minutes")
    if top.has("select") and top.has("steps"):
        raise top.error("has both 'select' and 'steps'; choose stretches one way")
    if top.has("select"):
        steps = _select(Fields(top.raw("select"), "select", source), catalog, base)
        top.finish()
        return dataclasses.replace(routine, steps=steps, countdown=countdown, minutes=minutes)
    tables = top.table_list("steps")
    top.finish()
    if not tables:
        raise top.error("is empty; add at least one step with a stretch", at="steps")
    if len(tables) > MAX_STEPS:
        raise top.error(f"has {len(tables)} steps; at most {MAX_STEPS}", at="steps")
    steps = tuple(_parse_step(t, f"steps[{i}]", source, catalog, base) for i, t in enumerate(tables))
    return dataclasses.replace(routine, steps=steps, countdown=countdown, minutes=minutes)


def _profiles(top: Fields) -> tuple[str, ...]:
    return tuple(dict.fromkeys(top.choices("profile", profiles.names(), default=())))


def read_laps(f: Fields, default: int | None) -> tuple[int | None, str | None]:
    """`laps`, the times through the whole routine; and the warning when the file wrote it the old way.

    `rounds` at this level meant laps until `rounds` came to mean holds of one
    step in a row (a step's `rounds`, `--rounds`). An old file keeps working,
    read as before, and is told the new name (README, "Routine files").
    """
    if f.has("rounds") and f.has("laps"):
        raise f.error(
            "has both 'laps' and 'rounds'; here 'rounds' is the old name of 'laps': keep 'laps'", at=f.where("rounds")
        )
    if not f.has("rounds"):
        return f.integer("laps", *LAPS_LIMITS, default=default, unit="laps"), None
    laps = f.integer("rounds", *LAPS_LIMITS, default=default, unit="rounds")
    return laps, (
        f"{f.source}: '{f.where('rounds')}' is now called 'laps' (times through the whole routine, down and up "
        "again), and is read as laps; rename it. To hold each stretch again in place, give a step 'rounds'."
    )


def _select(f: Fields, catalog: Catalog, base: dict[str, Any]) -> tuple[Step, ...]:
    """Steps chosen by what the catalog says of each stretch, in catalog (flow) order."""
    positions = f.choices("positions", POSITIONS, default=POSITIONS)
    suits = f.choices("suits", SUITS, default=())
    has = f.choices("equipment", EQUIPMENT, default=EQUIPMENT)  # what the person has
    kinds = f.choices("kinds", KINDS, default=KINDS)
    targets = f.choices("targets", TARGETS, default=())
    f.finish()
    steps = tuple(
        step_for(s, base)
        for s in catalog
        if s.position in positions
        and s.kind in kinds
        and (not targets or set(s.targets) & set(targets))
        and (not suits or set(s.suits) & set(suits))
        and (not s.equipment_required or set(s.equipment) & set(has))
    )
    if not steps:
        raise f.error("matches no stretch in the catalog; widen it")
    return steps


def step_for(stretch: Stretch, base: dict[str, Any]) -> Step:
    """A catalog stretch as a step, at the routine's defaults (`base`: hold, reps, get_ready) or its own."""
    return Step(
        stretch=stretch,
        hold=base["hold"] or stretch.hold[1],
        reps=base["reps"] or (stretch.reps or (10, 10))[0],
        get_ready=base["get_ready"],
        dose=stretch.dose,
    )


def _parse_step(table: object, path: str, source: str, catalog: Catalog, base: dict[str, Any]) -> Step:
    f = Fields(table, path, source)
    if f.has("stretch") and f.has("name"):
        raise f.error("has both 'stretch' (a catalog stretch) and 'name' (your own); keep one")
    if f.has("stretch"):
        at = f.where("stretch")
        stretch = catalog.get(f.text("stretch", max_len=80), where=f"{source}: {at}", source=source, field=at)
    elif f.has("name"):
        stretch = _custom_stretch(f)
    else:
        raise f.error("needs 'stretch' (a catalog id, name or alias) or 'name' with 'setup' for your own")
    side = f.choice("sides", SIDE_CHOICES, default="both")
    if side != "both" and not stretch.sided:
        raise f.error(f"{stretch.name} is not a one-side-at-a-time stretch; remove 'sides'", at=f.where("sides"))
    recommended_reps = (stretch.reps or (10, 10))[0]
    own_reps = f.integer("reps", *REPS_LIMITS, unit="reps") if f.has("reps") else None
    dose = read_dose(f, stretch.dose, own_reps, stretch.kind == "hold", stretch.name)
    step = Step(
        stretch=stretch,
        hold=f.integer("hold", *HOLD_LIMITS, default=base["hold"] or stretch.hold[1], unit="seconds"),
        reps=f.integer("reps", *REPS_LIMITS, default=base["reps"] or recommended_reps, unit="reps"),
        get_ready=f.integer("get_ready", *GET_READY_LIMITS, default=base["get_ready"], unit="seconds"),
        tips=f.texts("tips", default=(), max_items=10),
        side=side,
        rounds=f.integer("rounds", *ROUNDS_LIMITS, default=1, unit="rounds"),
        dose=dose,
        when=f.choice("when", DIRECTIONS, default=""),
    )
    f.finish()
    return step


def _custom_stretch(f: Fields) -> Stretch:
    """A stretch of the person's own, written in the step itself."""
    name = f.text("name", max_len=80)
    if not f.has("setup"):
        raise f.error(
            f"'{name}' is not from the catalog, so it needs 'setup': the sentences that get a person into it",
            at=f.where("setup"),
        )
    kind = f.choice("kind", KINDS, default="hold")
    setup, once = setup_items(f, "setup", max_items=12, min_items=1)
    slug = "-".join(re.findall(r"[a-z0-9]+", name.lower())) or "custom"
    return Stretch(
        id=slug,
        name=name,
        aliases=(),
        targets=f.texts("targets", default=("hamstrings",), max_len=40),
        position=f.choice("position", POSITIONS, default="standing"),
        equipment=(),
        equipment_required=False,
        sided=f.boolean("sided", default=False),
        kind=kind,
        hold=(20, 30),
        reps=(10, 12) if kind == "reps" else None,
        setup=setup,
        reminders=f.texts("reminders", default=(language._("Breathe slowly."),), max_items=10),
        benefit=f.text("benefit", default=language._("Your own stretch.")),
        suits=(),
        needs=f.choices("needs", NEEDS, default=()),
        once=once,
        exit=f.texts("exit", default=(), max_items=5),
        between_sides=f.texts("between_sides", default=(), max_items=5),
        custom=True,
    )

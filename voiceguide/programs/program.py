"""Programs: a routine a day for days or weeks, the holds and the guidance changing as a person learns.

A program comes from a preset (data/programs/NAME.toml) or a program file of the
same schema (TOML or YAML), read with the machinery of routine files
(voiceguide/words/routinefile.py, voiceguide/fields.py): unknown keys are rejected and
every error names the file, the line and the field (`phases[2].hold`). Its days
are written as `phases` (a run of days sharing a routine, with holds that may
grow across the phase) or as one `[[day]]` table per session day.

`plan_days` turns a program into dated days, each a routine and the builder
options that shape it: the plan that `voiceguide program --plan` prints, that
`--day N` prints as a script and that voiceguide/programs/folder.py renders.
Each day names its number and what changed since the last session in its
opening; after the first few days its intro is short (see `introduced`).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

from voiceguide import language
from voiceguide.errors import InputError
from voiceguide.fields import Fields, check_integer
from voiceguide.programs.openings import LAST_DAY_OUTRO, WEEK_END_OUTRO, narrowed_title, opening
from voiceguide.words import profiles, routinefile
from voiceguide.words.builder import Options, apply, flow_key
from voiceguide.words.catalog import HOLD_LIMITS, NEEDS, POSITIONS, PREFERENCES, Catalog
from voiceguide.words.routine import GUIDANCE, Routine, Step, file_language, load_routine, preset_names, read_laps
from voiceguide.words.translated import catalog_in

DEFAULT_PROGRAM = "hamstrings-14-days"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAYS_LIMITS = (1, 99)  # two-digit file names: day-01 .. day-99
WEEKS_LIMITS = (1, 14)
# Days that open with the routine's welcome, the full safety advice and what the chimes mean;
# later days open with their number, what is new, and the short safety line (docs/program-folder.md).
FULL_INTRO_DAYS = 3


@dataclass(frozen=True)
class DaySpec:
    """One session day as the program file says it."""

    title: str
    routine: str  # a routine preset name, or the path of a routine file
    hold: int | None = None  # seconds, each side; None: the routine's
    laps: int | None = None  # times through the routine; None: the routine's
    guidance: str | None = None  # GUIDANCE; None: the routine's
    positions: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()  # catalog NEEDS
    only: tuple[str, ...] = ()  # stretch ids, in the order the day does them; () for all


@dataclass(frozen=True)
class Choices:
    """What the person asked of every day on the command line (--only, --skip, --avoid), as given."""

    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()  # bad-knee, no-floor, ... (voiceguide/words/profiles.py)
    check_in: bool = True  # False: --no-check-in, no pain score at the start and the end
    prefer: str | None = None  # --prefer: flexion, extension or neutral; None: the program's
    lang: str | None = None  # --lang: the language every day is spoken in; None: the program's

    @property
    def given(self) -> str:
        """ "--skip", "--only and --avoid": the options given, for a message."""
        named = {"only": "only", "skip": "skip", "avoid": "avoid", "profiles": "profile"}
        return " and ".join(f"--{o}" for k, o in named.items() if getattr(self, k)) or "the filters"

    @property
    def verb(self) -> str:
        return "leave" if " and " in self.given else "leaves"


@dataclass(frozen=True)
class Program:
    name: str  # the preset's name, or the file's path as given
    title: str
    description: str
    days: tuple[DaySpec, ...]
    rest_days: tuple[str, ...] = ()
    variety: bool = True  # rotate the order within a position group day by day
    artist: str = ""
    avoid: tuple[str, ...] = ()  # catalog NEEDS left out of every day
    warnings: tuple[str, ...] = ()  # old keys the file used, and what to write instead
    profiles: tuple[str, ...] = ()  # bodies every day suits (voiceguide/words/profiles.py)
    check_in: bool = True  # a pain score at the start and the end of every day
    prefer: str = "neutral"  # the direction that eases the back (catalog PREFERENCES)
    lang: str = language.ENGLISH  # the language its days are spoken in (voiceguide/language.py)


@dataclass(frozen=True)
class Day:
    """A session day of the plan: its date, and the routine and options that make it."""

    number: int  # 1-based, counting session days only
    total: int
    date: datetime.date
    title: str
    routine: Routine  # holds and order for the day already set
    options: Options

    @property
    def shaped(self) -> Routine:
        """The routine as the builder shapes it with the day's options (what is rendered)."""
        return apply(self.routine, self.options)

    @property
    def guidance(self) -> str:
        return self.options.guidance or self.routine.guidance

    @property
    def episode_title(self) -> str:
        with language.speaking(self.routine.lang):
            return language._("Day {n} of {total}: {title}").format(n=self.number, total=self.total, title=self.title)


def preset_programs() -> list[str]:
    folder = resources.files("voiceguide.data.programs")
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_program(spec: str | None = None, lang: str | None = None) -> Program:
    """A program preset name or the path of a program file (.toml, .yaml, .yml), in a language: `lang`
    (--lang) wins over a file's own; a preset's words are voiceguide's, so translated (`_ours`)."""
    spec = spec or DEFAULT_PROGRAM
    if spec in preset_programs():
        data = resources.files("voiceguide.data.programs").joinpath(f"{spec}.toml").read_bytes()
        return program_from_data(routinefile.parse(data, f"{spec}.toml"), f"{spec}.toml", spec, None, lang)
    path = Path(spec)
    if path.suffix.lower() in routinefile.ROUTINE_SUFFIXES or path.exists() or "/" in spec:
        raw = routinefile.read_bytes(path)
        yaml = path.suffix.lower() in routinefile.YAML_SUFFIXES
        try:
            parsed = routinefile.parse(raw, str(path), yaml=yaml)
            return program_from_data(parsed, str(path), spec, path.parent, lang)
        except InputError as exc:
            raise routinefile.with_line(exc, raw, str(path), yaml) from None
    hint = " is a routine preset: build it with 'voiceguide build'" if spec in preset_names() else ""
    raise InputError(
        f"no program preset or program file named {spec!r}{hint}; programs: {', '.join(preset_programs())} "
        "(or give the path of a .toml or .yaml program file; 'voiceguide init --program' writes one)"
    )


def program_from_data(data: object, source: str, name: str, folder: Path | None, lang: str | None = None) -> Program:
    """`folder`: where routine files named by the program are looked up (None for presets: presets only)."""
    top = Fields(data, "", source)
    code = lang or file_language(data, source)
    top.raw("lang", None)  # read by file_language
    said = partial(_ours, code) if folder is None else str
    title = said(top.text("title", max_len=120))
    description = said(top.text("description", default="", max_len=600))
    artist = top.text("artist", default="", max_len=120)
    rest_days = top.choices("rest_days", WEEKDAYS, default=())
    if len(set(rest_days)) == len(WEEKDAYS):
        raise top.error("names every day of the week; leave at least one day to stretch", at="rest_days")
    if top.has("days") and top.has("weeks"):
        raise top.error("is given with 'days'; give the length one way", at="weeks")
    total: int | None = None
    if top.has("weeks"):
        total = top.integer("weeks", *WEEKS_LIMITS, unit="weeks") * (len(WEEKDAYS) - len(set(rest_days)))
    elif top.has("days"):
        total = top.integer("days", *DAYS_LIMITS, unit="days")
    variety = top.boolean("variety", default=True)
    avoid = tuple(dict.fromkeys(top.choices("avoid", NEEDS, default=())))
    chosen = tuple(dict.fromkeys(top.choices("profile", profiles.names(), default=())))
    check_in = top.boolean("check_in", default=True)
    prefer = top.choice("prefer", PREFERENCES, default="neutral")
    default_routine = top.raw("routine", None)
    if top.has("phases") and top.has("day"):
        raise top.error("tables are given with 'phases'; describe the days one way", at="day")
    reader = _Reader(source, folder, default_routine, top, avoid, code, said)
    if top.has("phases"):
        days = reader.phases(top.table_list("phases"), total)
    elif top.has("day"):
        days = reader.days(top.table_list("day"), total)
    else:
        raise top.error(
            "needs 'phases' (runs of days) or '[[day]]' tables (one per day); see 'voiceguide init --program'"
        )
    top.finish()
    old_keys = tuple(dict.fromkeys(reader.warnings))
    return Program(
        name,
        title,
        description,
        tuple(days),
        tuple(dict.fromkeys(rest_days)),
        variety,
        artist,
        avoid,
        old_keys,
        profiles=chosen,
        check_in=check_in,
        prefer=prefer,
        lang=code,
    )


def _ours(code: str, text: str) -> str:
    """A preset's words (voiceguide's own, messages of scripts/messages.py) in the language `code`."""
    with language.speaking(code):
        return language._(text) if text else text


class _Reader:
    """Reads phases and day tables into DaySpecs, resolving routines as it goes."""

    def __init__(
        self, source: str, folder: Path | None, default_routine: Any, top: Fields, avoid: tuple[str, ...],
        lang: str = language.ENGLISH, said: Any = str,
    ):  # fmt: skip
        self.source, self.lang, self.said = source, lang, said
        self.avoid = avoid  # the program's, for every day
        self.folder = folder
        self.default_routine = default_routine
        self.top = top
        self.catalog = catalog_in(lang)
        self.loaded: dict[str, Routine] = {}
        self.warnings: list[str] = []

    def routine_spec(self, f: Fields) -> str:
        if f.has("routine"):
            value, at = f.text("routine", max_len=300), f.where("routine")
        elif self.default_routine is not None:
            value, at = self.top.text("routine", max_len=300), "routine"
        else:
            raise f.error("needs 'routine': a routine preset (full, gentle, ...) or a routine file")
        if value in preset_names():
            return str(value)
        if self.folder is None:
            raise f.error(f"no routine preset named {value!r}; presets: {', '.join(preset_names())}", at=at)
        path = Path(value) if Path(value).is_absolute() else self.folder / value
        if path.suffix.lower() not in routinefile.ROUTINE_SUFFIXES or not path.is_file():
            raise f.error(
                f"no routine preset or routine file named {value!r}; presets: {', '.join(preset_names())}, "
                "or a .toml or .yaml file (relative to the program file)",
                at=at,
            )
        return str(path)

    def common(self, f: Fields) -> dict[str, Any]:
        routine = self.routine_spec(f)
        positions = f.choices("positions", POSITIONS, default=())
        skip, only = self.stretches(f, "skip"), self.stretches(f, "only")
        avoid = tuple(dict.fromkeys(f.choices("avoid", NEEDS, default=())))
        if positions or skip or only or avoid or self.avoid:
            if routine not in self.loaded:
                self.loaded[routine] = load_routine(routine, self.catalog, self.lang)
            ids = [s.stretch.id for s in self.loaded[routine].steps]
            for i, sid in enumerate(only):
                if sid not in ids:
                    raise f.error(
                        f"{sid!r} is not a stretch of {routine!r}; it has {', '.join(ids)}",
                        at=f"{f.where('only')}[{i}]",
                    )
            shaping = Options(positions=positions, skip=skip, only=only, avoid=avoid + self.avoid)
            try:
                apply(self.loaded[routine], shaping, self.catalog)
            except InputError:
                given = [f"'{k}'" for k in ("positions", "skip", "only", "avoid") if f.has(k)]
                given += ["the program's 'avoid'"] if self.avoid else []
                verb = "leaves" if len(given) == 1 else "leave"
                raise f.error(f"{' and '.join(given)} {verb} no stretch of {routine!r}; widen them") from None
        laps, old_key = read_laps(f, default=None)
        self.warnings += [old_key] if old_key else []
        return dict(
            title=self.said(f.text("title", default="", max_len=120)),
            routine=routine,
            laps=laps,
            guidance=f.choice("guidance", GUIDANCE, default=None),
            positions=positions,
            skip=skip,
            avoid=avoid,
            only=only,
        )

    def stretches(self, f: Fields, key: str) -> tuple[str, ...]:
        """A list of catalog stretches (ids, names or aliases) as ids; a typo names its item."""
        found = []
        for i, name in enumerate(f.texts(key, default=(), max_len=80)):
            at = f"{f.where(key)}[{i}]"
            found.append(self.catalog.get(name, where=f"{self.source}: {at}", source=self.source, field=at))
        return tuple(dict.fromkeys(s.id for s in found))

    def phases(self, tables: list[Any], total: int | None) -> list[DaySpec]:
        if not tables:
            raise self.top.error("is empty; add at least one phase", at="phases")
        out: list[DaySpec] = []
        for i, table in enumerate(tables):
            f = Fields(table, f"phases[{i}]", self.source)
            last = i == len(tables) - 1
            if f.has("days") or total is None or not last:
                n = f.integer("days", *DAYS_LIMITS, unit="days")
            else:  # the last phase without 'days' takes the rest
                n = total - len(out)
                if n < 1:
                    raise f.error(f"has no days left: the phases before it already fill the {total} days")
            common = self.common(f)
            holds = self._holds(f, n)
            f.finish()
            out += [DaySpec(hold=hold, **common) for hold in holds]
        if total is not None and len(out) != total:
            raise self.top.error(
                f"cover {len(out)} days but the program has {total}; make the phases' days add up to {total}",
                at="phases",
            )
        if len(out) > DAYS_LIMITS[1]:
            raise self.top.error(f"cover {len(out)} days; a program has at most {DAYS_LIMITS[1]}", at="phases")
        return out

    def days(self, tables: list[Any], total: int | None) -> list[DaySpec]:
        if not tables:
            raise self.top.error("is empty; add at least one [[day]]", at="day")
        if total is not None and len(tables) != total:
            raise self.top.error(f"has {len(tables)} [[day]] tables but the program has {total} days", at="day")
        if len(tables) > DAYS_LIMITS[1]:
            raise self.top.error(f"has {len(tables)} days; a program has at most {DAYS_LIMITS[1]}", at="day")
        out = []
        for i, table in enumerate(tables):
            f = Fields(table, f"day[{i}]", self.source)
            spec = DaySpec(hold=self._holds(f, 1)[0], **self.common(f))
            f.finish()
            out.append(spec)
        return out

    def _holds(self, f: Fields, n: int) -> list[int | None]:
        """`hold = 25` for every day, or `hold = [20, 25]` growing evenly across the phase's days."""
        value = f.raw("hold", None)
        at = f.where("hold")
        if value is None:
            return [None] * n
        if isinstance(value, list):
            if len(value) != 2:
                raise f.error(f"expected one number of seconds or [first, last], got a list of {len(value)}", at=at)
            first, last = (
                check_integer(v, *HOLD_LIMITS, "seconds", partial(f.error, at=f"{at}[{j}]"))
                for j, v in enumerate(value)
            )
            if last < first:
                raise f.error(f"[{first}, {last}] shrinks; holds may only grow across a phase", at=at)
            if n == 1:
                return [first]
            return [int(first + (last - first) * k / (n - 1) + 0.5) for k in range(n)]
        hold = check_integer(value, *HOLD_LIMITS, "seconds", lambda m: f.error(m, at=at))
        return [hold] * n


# -- the plan ----------------------------------------------------------------


def session_dates(start: datetime.date, count: int, rest_days: Sequence[str]) -> list[datetime.date]:
    """The first `count` dates from `start` on that are not rest days."""
    rest = {WEEKDAYS.index(d) for d in rest_days}
    out: list[datetime.date] = []
    day = start
    while len(out) < count:
        if day.weekday() not in rest:
            out.append(day)
        day += datetime.timedelta(days=1)
    return out


def plan_days(
    program: Program,
    start: datetime.date,
    catalog: Catalog | None = None,
    choices: Choices | None = None,
    suggest: bool = True,
) -> list[Day]:
    """Every session day of the program, dated from `start` (rest days skipped), each with its opening.

    `choices` (the command line's --only, --skip, --avoid) narrow every day; the
    day keeps its own order. A day they leave empty is an error naming it.
    """
    catalog = catalog or catalog_in(program.lang)
    choices = choices or Choices()
    dates = session_dates(start, len(program.days), program.rest_days)
    only = tuple(catalog.get(name, where="--only").id for name in choices.only)
    skip = tuple(catalog.get(name, where="--skip").id for name in choices.skip)
    loaded: dict[str, Routine] = {}
    out = []
    before: tuple[str, tuple[str, ...]] | None = None  # the last day's title and stretch ids
    for i, (spec, date) in enumerate(zip(program.days, dates, strict=True)):
        if spec.routine not in loaded:
            loaded[spec.routine] = load_routine(spec.routine, catalog, program.lang)
        routine = loaded[spec.routine]
        if spec.hold is not None:
            routine = with_hold(routine, spec.hold)
        if program.variety:
            routine = dataclasses.replace(routine, steps=rotated(routine.steps, i))
        options = Options(laps=spec.laps, guidance=spec.guidance, positions=spec.positions, skip=spec.skip)
        unwanted = tuple(s.stretch.id for s in routine.steps if only and s.stretch.id not in only)
        options = dataclasses.replace(
            options,
            only=spec.only,
            skip=tuple(dict.fromkeys(spec.skip + skip + unwanted)),
            avoid=tuple(dict.fromkeys(spec.avoid + program.avoid + choices.avoid)),
            profiles=tuple(dict.fromkeys(program.profiles + choices.profiles)),
            check_in=program.check_in and choices.check_in,
            prefer=choices.prefer or program.prefer,
        )
        day = Day(i + 1, len(program.days), date, spec.title or routine.title, routine, options)
        try:
            shaped = apply(routine, options, catalog)
        except InputError:
            others = [n for n in preset_programs() if suggest and n != program.name and fits(n, choices)]
            instead = f"the program {' or '.join(others)}" if others else "another program ('voiceguide programs')"
            raise InputError(
                f"{choices.given} {choices.verb} no stretch on day {day.number} of {day.total} ({day.title}); "
                f"loosen them, or choose {instead}"
            ) from None
        ids = tuple(s.stretch.id for s in shaped.steps)
        phase = apply(routine, dataclasses.replace(options, skip=spec.skip, avoid=spec.avoid), catalog)
        if before is not None and {s.stretch.id for s in phase.steps} - set(ids):
            day = dataclasses.replace(day, title=narrowed_title(before, shaped))
        before = (day.title, ids)
        out.append(day)
    return introduced(out)


def fits(name: str, choices: Choices) -> bool:
    """Whether every day of a built-in program keeps a stretch with these choices (for a message)."""
    try:
        plan_days(load_program(name), datetime.date(2026, 1, 5), choices=choices, suggest=False)
    except InputError:
        return False
    return True


def introduced(days: list[Day]) -> list[Day]:
    """Each day opens with its number and what is new since the last session.

    Day 1 has the routine's welcome. The first FULL_INTRO_DAYS days keep the
    full safety advice and what the chimes mean; later days keep the safety
    advice in its short form and say nothing of the chimes (Routine.familiar):
    the same 58-second intro every morning for two weeks is worse than none.
    """
    out = []
    before: Routine | None = None
    for i, day in enumerate(days):
        now = day.shaped
        familiar = day.number > FULL_INTRO_DAYS
        outro = LAST_DAY_OUTRO if day.number == day.total > 1 else day.routine.outro
        if i + 1 < len(days) and (days[i + 1].date - day.date).days > 1:  # a rest day follows
            outro = (*outro, WEEK_END_OUTRO)
        with language.speaking(day.routine.lang):
            said = opening(day.number, day.total, before, now)
        routine = dataclasses.replace(
            day.routine,
            opening=said,
            familiar=familiar,
            intro=day.routine.intro if day.number == 1 else (),  # the welcome, once
            outro=outro,
        )
        out.append(dataclasses.replace(day, routine=routine))
        before = now
    return out


def with_hold(routine: Routine, hold: int) -> Routine:
    """Every hold `hold` seconds, each side: the program's dose, for every stretch of the day alike.

    (The lying strap stretch is advised at 30 s on its own, but 30 s beside 22 s
    of the others on day 4 is a jump the program's ramp is there to avoid.)
    A hold set by the program wins over the routine's target length.
    """
    steps = tuple(dataclasses.replace(s, hold=hold) for s in routine.steps)
    return dataclasses.replace(routine, steps=steps, minutes=None)


def rotated(steps: Sequence[Step], shift: int) -> tuple[Step, ...]:
    """Each run of neighbouring steps in the same place of the flow, rotated by `shift`.

    Only steps with equal builder.flow_key trade places, so the flow (standing,
    down to the floor, the wall last) and every step's own timing stay as they were.
    """
    out: list[Step] = []
    i = 0
    while i < len(steps):
        j = i
        while j < len(steps) and flow_key(steps[j]) == flow_key(steps[i]):
            j += 1
        run = list(steps[i:j])
        k = shift % len(run)
        out += run[k:] + run[:k]
        i = j
    return tuple(out)

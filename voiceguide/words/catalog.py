"""The stretch catalog: loaded from data/catalog.toml, validated, searchable."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from importlib import resources

from voiceguide.errors import UnknownStretch
from voiceguide.fields import Fields, check_integer, describe_value
from voiceguide.tomlload import parse_toml
from voiceguide.words.dose import Dose, read_dose

# Flow order: the body moves from standing to the floor, never back up.
POSITIONS = ("standing", "lunge", "chair", "all-fours", "seated", "lying", "prone", "wall")  # in flow order
EQUIPMENT = ("strap", "towel", "band", "wall")
SUITS = ("limited-mobility", "back-issues", "busy-schedules", "warm-up", "chronic-pain")
# What an exercise works on: `list --target` and a routine's `[select] targets` choose by it.
TARGETS = ("hamstrings", "calves", "hips", "back", "core", "shoulders")
KINDS = ("hold", "reps")
# Which way a stretch bends the back, for `--prefer` (voiceguide/words/builder.py): people with low back
# pain differ in which one eases it. Neutral takes in neither and leaves out neither.
DIRECTIONS = ("flexion", "extension")
PREFERENCES = ("neutral", *DIRECTIONS)
# What `list --kind` chooses: held still, alternating dynamic reps, tempo reps in sets, paced breathing.
EXERCISE_KINDS = ("hold", "reps", "tempo", "breaths")
HOLD_LIMITS = (5, 300)  # seconds a hold may last, in the catalog and in routine files
# What a body must be able to do for a stretch, for --avoid: floor is sitting or
# lying on the floor, inversion is the head below the heart.
NEEDS = ("kneeling", "lunging", "floor", "inversion", "standing", "prone")
# Helpers a stretch, or the way to and from it, uses but no stretch requires, named in the
# intro so they are at hand: the chair is placed there once (voiceguide/words/cues.py).
PROPS = ("chair", "cushion", "mat")


@dataclass(frozen=True)
class Stretch:
    id: str
    name: str
    aliases: tuple[str, ...]
    targets: tuple[str, ...]
    position: str
    equipment: tuple[str, ...]
    equipment_required: bool
    sided: bool
    kind: str
    hold: tuple[int, int]
    reps: tuple[int, int] | None
    setup: tuple[str, ...]
    reminders: tuple[str, ...]
    benefit: str
    suits: tuple[str, ...]
    needs: tuple[str, ...] = ()  # what a body must be able to do (NEEDS)
    once: frozenset[str] = frozenset()  # setup sentences said on the first side only
    exit: tuple[str, ...] = ()  # said after the last hold instead of the generic release
    between_sides: tuple[str, ...] = ()  # the way out of the first side before the second
    custom: bool = False  # written in a routine file: no recommended dose of its own
    brief: str = ""  # the one sentence brief guidance says for the position; "": the first setup sentence
    props: tuple[str, ...] = ()  # helpers the stretch uses (PROPS)
    caution: str = ""  # who should skip it, said before the setup at every guidance level
    unless: tuple[tuple[str, str], ...] = ()  # (setup sentence, need): not said to a body that avoids the need
    settle: int = 0  # seconds of quiet the move into it needs at least (the wall: roll over, feet up)
    direction: str = ""  # flexion or extension (DIRECTIONS): left out when the other is preferred
    after: str = ""  # the id of one that comes first when both are in a session (press-ups: their test)
    dose: Dose | None = None  # tempo reps, paced breathing or contract-relax by default (voiceguide/words/dose.py)

    def for_body(self, avoid: Collection[str]) -> Stretch:
        """The stretch as said to a body that avoids these needs: the sentences offering them left out.

        "If your knees allow, rest your knee on the cushion" is never said to
        someone who said they cannot kneel.
        """
        dropped = {text for text, need in self.unless if need in avoid}
        if not dropped:
            return self
        return dataclasses.replace(
            self, setup=tuple(t for t in self.setup if t not in dropped), once=self.once - dropped
        )

    @property
    def exercise(self) -> str:
        """Its kind among EXERCISE_KINDS: its catalog dose makes tempo reps or breathing of it."""
        if self.dose is not None and self.dose.tempo is not None:
            return "tempo"
        if self.dose is not None and self.dose.breathing is not None:
            return "breaths"
        return self.kind

    @property
    def recommended(self) -> str:
        """The source article's dose (docs/design.md), as a person would say it: "2 x 8, 2-3-3 tempo, 30 s rest"."""
        if self.dose is not None and (self.dose.tempo or self.dose.breathing):
            return self.dose.describe()
        if self.dose is not None:
            low, high = self.hold
            return (
                f"{self.dose.describe()}, then {low}-{high} s"
                if low != high
                else f"{self.dose.describe()}, then {low} s"
            )
        if self.kind == "reps":
            low, high = self.reps or (10, 12)
            return f"{low}-{high} reps per leg" if low != high else f"{low} reps per leg"
        low, high = self.hold
        per = " per side" if self.sided else ""
        return f"{low}-{high} s{per}" if low != high else f"{low} s{per}"


def _pair(fields: Fields, key: str, low: int, high: int, unit: str) -> tuple[int, int]:
    value = fields.raw(key)
    if not isinstance(value, list) or len(value) != 2:
        raise fields.error(f"expected [low, high], got {value!r}", at=fields.where(key))
    a, b = (
        check_integer(v, low, high, unit, partial(fields.error, at=f"{fields.where(key)}[{i}]"))
        for i, v in enumerate(value)
    )
    if a > b:
        raise fields.error(f"low {a} is above high {b}", at=fields.where(key))
    return a, b


def setup_items(
    f: Fields,
    key: str,
    max_len: int = 300,
    max_items: int = 50,
    min_items: int = 0,
    unless: list[tuple[str, str]] | None = None,
) -> tuple[tuple[str, ...], frozenset[str]]:
    """Setup sentences in order, and those marked to be said once.

    An item is text (said again on the second side, mirrored) or a table
    `{ text = "...", once = true }` (said on the first side only). Given a list
    `unless`, a table may also carry `unless = "kneeling"` (a need): the
    (text, need) pairs are added to it, for `Stretch.for_body`.
    """
    value = f.raw(key)
    at = f.where(key)
    items = [value] if isinstance(value, (str, dict)) else value
    if not isinstance(items, list):
        raise f.error(
            f"expected a list of text or {{ text = ..., once = true }} tables, got {describe_value(value)}", at=at
        )
    if len(items) > max_items:
        raise f.error(f"has {len(items)} items; at most {max_items}", at=at)
    if len(items) < min_items:
        raise f.error(f"is empty; give at least {min_items}", at=at)
    texts: list[str] = []
    once: set[str] = set()
    for i, item in enumerate(items):
        where = f"{at}[{i}]"
        if isinstance(item, dict):
            sub = Fields(item, where, f.source)
            text = sub.text("text", max_len=max_len)
            if sub.boolean("once", default=False):
                once.add(text)
            if unless is not None and sub.has("unless"):
                unless.append((text, sub.choice("unless", NEEDS)))
            sub.finish()
        elif isinstance(item, str):
            text = f.check_text(item, where, max_len)
        else:
            raise f.error(
                f"expected text or a {{ text = ..., once = true }} table, got {describe_value(item)}", at=where
            )
        texts.append(text)
    return tuple(texts), frozenset(once)


def stretch_from_table(table: object, path: str, source: str) -> Stretch:
    f = Fields(table, path, source)
    kind = f.choice("kind", KINDS)
    unless: list[tuple[str, str]] = []
    setup, once = setup_items(f, "setup", unless=unless)
    stretch = Stretch(
        id=f.text("id", max_len=60),
        name=f.text("name", max_len=80),
        aliases=f.texts("aliases", default=(), max_len=80),
        targets=f.choices("targets", TARGETS),
        position=f.choice("position", POSITIONS),
        equipment=f.choices("equipment", EQUIPMENT, default=()),
        equipment_required=f.boolean("equipment_required", default=False),
        sided=f.boolean("sided"),
        kind=kind,
        hold=_pair(f, "hold", *HOLD_LIMITS, "seconds"),
        reps=_pair(f, "reps", 1, 50, "reps") if kind == "reps" or f.has("tempo") else None,
        setup=setup,
        reminders=f.texts("reminders", default=()),
        benefit=f.text("benefit"),
        suits=f.choices("suits", SUITS, default=()),
        needs=f.choices("needs", NEEDS),
        once=once,
        exit=f.texts("exit", default=(), max_items=5),
        between_sides=f.texts("between_sides", default=(), max_items=5),
        brief=f.text("brief", default="", max_len=300),
        props=f.choices("props", PROPS, default=()),
        caution=f.text("caution", default="", max_len=300),
        unless=tuple(unless),
        settle=f.integer("settle", 0, 30, default=0, unit="seconds"),
        direction=f.choice("direction", DIRECTIONS, default=""),
        after=f.text("after", default="", max_len=60),
    )
    low_reps = stretch.reps[0] if stretch.reps and f.has("tempo") else None
    dose = read_dose(f, None, low_reps, kind == "hold", stretch.name, strict=False)
    stretch = dataclasses.replace(stretch, dose=dose)
    f.finish()
    return stretch


def normalize(name: str) -> str:
    """Compare names the way people type them: case, dashes and 'stretch' don't matter."""
    words = re.sub(r"[\W_]+", " ", name.lower()).split()  # letters of any language: "Brücke", "posture"
    words = [w for w in words if w not in ("stretch", "the", "pose")]
    return " ".join(words)


class Catalog:
    def __init__(self, stretches: tuple[Stretch, ...]) -> None:
        self.stretches = stretches
        self._by_key: dict[str, Stretch] = {}
        for s in stretches:
            for key in (s.id, s.name, *s.aliases):
                self._by_key.setdefault(normalize(key), s)

    def __iter__(self) -> Iterator[Stretch]:
        return iter(self.stretches)

    def __len__(self) -> int:
        return len(self.stretches)

    def get(self, query: str, where: str = "", source: str | None = None, field: str | None = None) -> Stretch:
        """Find by id, name or alias; raise UnknownStretch with the closest matches."""
        found = self._by_key.get(normalize(query))
        if found is None:
            raise UnknownStretch(query, self.suggest(query), where, source=source, field=field)
        return found

    def suggest(self, query: str, n: int = 3) -> list[str]:
        keys = list(self._by_key)
        close = difflib.get_close_matches(normalize(query), keys, n=n * 2, cutoff=0.5)
        # Substring matches catch "hamstring" -> every stretch that has it.
        close += [k for k in keys if normalize(query) and normalize(query) in k]
        ids: list[str] = []
        for key in close:
            sid = self._by_key[key].id
            if sid not in ids:
                ids.append(sid)
        return ids[:n]


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The catalog in English; voiceguide/words/translated.py gives it in another language."""
    source = "catalog.toml"
    text = resources.files("voiceguide.data").joinpath(source).read_bytes()
    data = parse_toml(text, source)
    top = Fields(data, "", source)
    tables = top.table_list("stretch")
    top.finish()
    stretches = tuple(stretch_from_table(t, f"stretch[{i}]", source) for i, t in enumerate(tables))
    return Catalog(stretches)

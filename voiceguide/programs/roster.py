"""A roster: one row per person, each to get their own program folder (`voiceguide batch`).

A roster is a CSV file (a header row, then one row per person) or a TOML file
(one `[[person]]` table per person) with the same fields; docs/batch.md lists
them. Every row is checked before anything is written: a bad value is one
error naming the file, the row (CSV: its row number, the header being row 1;
TOML: the line and `person[N].field`) and the field. A program *file* is only
checked to exist here: what is inside it is the person's program, and a bad
one fails that person alone when the batch plans them (voiceguide/programs/batch.py).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voiceguide import language as languages
from voiceguide.errors import InputError
from voiceguide.inputs import parse_at, parse_start
from voiceguide.programs.program import Choices, preset_programs
from voiceguide.tomlload import parse_toml
from voiceguide.words import routinefile
from voiceguide.words.catalog import NEEDS, PREFERENCES, Catalog, load_catalog
from voiceguide.words.profiles import names as profile_names

FIELDS = ("id", "program", "start", "at", "only", "skip", "avoid", "profile", "prefer", "voice", "language")
MAX_PEOPLE = 10_000
MAX_BYTES = 4 * 1024 * 1024
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Person:
    """One row of the roster, checked."""

    id: str
    where: str  # "roster.csv, row 3": for messages about this person
    program: str | None = None  # a preset name or the program file's path; None: the default preset
    start: datetime.date | None = None
    at: str | None = None
    choices: Choices = field(default_factory=Choices)
    voice: str | None = None
    language: str | None = None  # None: the program's own (a program file's `lang`, else English)


Locate = Callable[[str], str]  # a field's name -> "roster.csv, row 3, column start"
Row = tuple[dict[str, Any], Locate, str]  # the values, where each is, where the row is


def load_roster(path: Path, catalog: Catalog | None = None) -> list[Person]:
    """The people of a roster file (.csv or .toml), every row checked; InputError naming row and field."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".toml"):
        raise InputError(f"{path}: a roster is a .csv or .toml file; see docs/batch.md")
    data = routinefile.read_bytes(path, MAX_BYTES, "a roster file")
    rows = _csv_rows(data, str(path)) if suffix == ".csv" else _toml_rows(data, str(path))
    if not rows:
        raise InputError(f"{path}: has nobody in it; add one row per person")
    if len(rows) > MAX_PEOPLE:
        raise InputError(f"{path}: has {len(rows)} people; a batch takes at most {MAX_PEOPLE}")
    catalog = catalog or load_catalog()
    people: list[Person] = []
    seen: dict[str, str] = {}
    for values, locate, where in rows:
        person = _person(values, locate, where, path.parent, catalog)
        if person.id.lower() in seen:
            raise InputError(f"{locate('id')}: {person.id!r} is given twice (first at {seen[person.id.lower()]})")
        seen[person.id.lower()] = person.where
        people.append(person)
    return people


def _csv_rows(data: bytes, source: str) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise InputError(f"{source}: is empty; give a header row ({', '.join(FIELDS)}) and one row per person")
        names = [h.strip().lower() for h in header]
        for i, name in enumerate(names):
            if name not in FIELDS:
                raise InputError(
                    f"{source}, row 1, column {i + 1}: unknown column {header[i]!r}; columns: {', '.join(FIELDS)}"
                )
            if names.index(name) != i:
                raise InputError(f"{source}, row 1, column {i + 1}: column {name!r} is given twice")
        if "id" not in names:
            raise InputError(f"{source}, row 1: needs an 'id' column (the person, as the index names them)")
        out: list[Row] = []
        for cells in reader:
            row = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # a blank line
            if len(cells) > len(names):
                raise InputError(f"{source}, row {row}: has {len(cells)} cells but the header names {len(names)}")
            values = {n: c.strip() for n, c in zip(names, cells, strict=False) if c.strip()}
            out.append((values, _csv_locator(source, row), f"{source}, row {row}"))
    except csv.Error as exc:
        raise InputError(f"{source}, row {reader.line_num}: is not CSV ({exc})") from None
    return out


def _csv_locator(source: str, row: int) -> Locate:
    return lambda name: f"{source}, row {row}, column {name}"


def _toml_rows(data: bytes, source: str) -> list[Row]:
    top = parse_toml(data, source)
    unknown = [k for k in top if k != "person"]
    if unknown:
        raise InputError(f"{source}: unknown key {unknown[0]!r}; a roster is [[person]] tables")
    tables = top.get("person", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise InputError(f"{source}: 'person' must be [[person]] tables, one per person")
    out: list[Row] = []
    for i, table in enumerate(tables):
        for key in table:
            if key not in FIELDS:
                where = _toml_locator(data, source, i)(key)
                raise InputError(f"{where}: unknown key {key!r}; keys: {', '.join(FIELDS)}")
        out.append((dict(table), _toml_locator(data, source, i), f"{source}: person[{i}]"))
    return out


def _toml_locator(data: bytes, source: str, index: int) -> Locate:
    def locate(name: str) -> str:
        at = f"person[{index}].{name}"
        line = routinefile.field_line(data, at) or routinefile.field_line(data, f"person[{index}]")
        return f"{source}, line {line}: {at}" if line else f"{source}: {at}"

    return locate


def _person(values: dict[str, Any], locate: Locate, where: str, folder: Path, catalog: Catalog) -> Person:
    def text(name: str) -> str | None:
        value = values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise InputError(f"{locate(name)}: expected text, got {type(value).__name__} {value!r}")
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise InputError(f"{locate(name)}: contains a control character; give plain text")
        return value.strip()

    def names(name: str) -> tuple[str, ...]:
        value = values.get(name)
        if value is None or value == "":
            return ()
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in items):
            raise InputError(f"{locate(name)}: expected names (text), got {value!r}")
        return tuple(n.strip() for v in items for n in re.split(r"[;,]", v) if n.strip())

    def checked(name: str, check: Callable[[str], Any]) -> Any:
        value = text(name)
        if value is None:
            return None
        try:
            return check(value)
        except InputError as exc:
            message = str(exc)
            message = message.partition(": ")[2] if message.startswith("--") else message  # --start's own words
            raise InputError(f"{locate(name)}: {message}") from None

    ident = text("id")
    if ident is None:
        raise InputError(f"{locate('id')}: is missing; give each person an id (letters, digits, '.', '_', '-')")
    if not ID_PATTERN.fullmatch(ident):
        raise InputError(
            f"{locate('id')}: {ident!r} is not an id; use 1 to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    stretches: dict[str, tuple[str, ...]] = {}
    for name in ("only", "skip"):
        for item in names(name):
            try:
                catalog.get(item)
            except InputError as exc:
                raise InputError(f"{locate(name)}: {exc}") from None
        stretches[name] = names(name)  # as given, as `program --skip` keeps them in the manifest
    avoid = names("avoid")
    for item in avoid:
        if item not in NEEDS:
            raise InputError(f"{locate('avoid')}: {item!r} is not one of {', '.join(NEEDS)}")
    chosen = names("profile")
    for item in chosen:
        if item not in profile_names():
            raise InputError(f"{locate('profile')}: {item!r} is not one of {', '.join(profile_names())}")
    prefer = text("prefer")
    if prefer is not None and prefer not in PREFERENCES:
        raise InputError(f"{locate('prefer')}: {prefer!r} is not one of {', '.join(PREFERENCES)}")
    language = checked("language", languages.checked)  # its "--lang: " is left off
    return Person(
        id=ident,
        where=where,
        program=checked("program", lambda v: _program(v, folder)),
        start=checked("start", parse_start),
        at=checked("at", parse_at),
        choices=Choices(
            only=stretches["only"],
            skip=stretches["skip"],
            avoid=tuple(dict.fromkeys(avoid)),
            profiles=tuple(dict.fromkeys(chosen)),
            prefer=prefer,
            lang=language,
        ),
        voice=text("voice"),
        language=language,
    )


def _program(value: str, folder: Path) -> str:
    """A preset name as it is; a program file's path, relative to the roster's folder."""
    if value in preset_programs():
        return value
    path = Path(value) if Path(value).is_absolute() else folder / value
    if path.suffix.lower() not in routinefile.ROUTINE_SUFFIXES or not path.is_file():
        raise InputError(
            f"{value!r} is no program preset or program file; presets: {', '.join(preset_programs())}, "
            "or a .toml or .yaml file (relative to the roster)"
        )
    return str(path)

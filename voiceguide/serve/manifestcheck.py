"""A program folder's manifest as `voiceguide serve` reads it: every field it uses, type-checked.

The manifest is described in docs/program-folder.md. serve trusts nothing in
it: a value of the wrong type (a string where seconds belong, a list where an
object belongs, NaN, a nesting too deep to parse) is one InputError naming the
file and the field, so the command exits 2 with one line at the start and the
server keeps the last good folder while serving (inventory.Folder).
Keys serve does not read (`hash`, `bytes`, `guidance`, extra keys) are not
checked: a reader ignores what it does not know.
"""

from __future__ import annotations

import datetime
import json
import math
from pathlib import Path
from typing import Any

from voiceguide.errors import InputError

MANIFEST_SCHEMA = 1
MANIFEST_LIMIT = 16 * 1024 * 1024  # a manifest of a few hundred days is well under 1 MB
TEXT_KEYS = ("title", "description", "base_url", "generator", "lang")  # optional strings at the top
EPISODE_TEXT_KEYS = ("title", "guid", "chapters", "transcript")  # optional strings in an episode


def is_plain_name(name: object) -> bool:
    """A file name voiceguide would write: no folders, no dotfiles, nothing a path could escape with."""
    return (
        isinstance(name, str)
        and bool(name)
        and not name.startswith(".")
        and not any(c in name for c in "/\\\x00:")
        and name.strip() == name
    )


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path

    def bad(self, where: str, what: str) -> InputError:
        return InputError(
            f"{self.path}: {where}: {what}; rebuild the folder with 'voiceguide program'",
            source=str(self.path),
            field=where,
        )

    def text(self, doc: dict[str, Any], key: str, where: str) -> None:
        """An optional string: absent, null or text."""
        value = doc.get(key)
        if value is not None and not isinstance(value, str):
            raise self.bad(f"{where}{key}", f"is {_kind(value)}, not text")

    def texts(self, doc: dict[str, Any], key: str, where: str) -> None:
        """An optional list of strings."""
        value = doc.get(key)
        if value is None:
            return
        if not isinstance(value, list):
            raise self.bad(f"{where}{key}", f"is {_kind(value)}, not a list")
        for n, item in enumerate(value):
            if not isinstance(item, str):
                raise self.bad(f"{where}{key}[{n}]", f"is {_kind(item)}, not text")

    def episode(self, ep: object, where: str) -> None:
        if not isinstance(ep, dict):
            raise self.bad(where, f"is {_kind(ep)}, not an object")
        day = ep.get("day")
        if not isinstance(day, int) or isinstance(day, bool):
            raise self.bad(f"{where}.day", "is not a whole number")
        if not is_plain_name(ep.get("audio")):
            raise self.bad(f"{where}.audio", "is not a file name in the folder")
        date = ep.get("date")
        try:
            if not isinstance(date, str):
                raise ValueError(date)
            ep["date"] = datetime.date.fromisoformat(date)
        except ValueError:
            raise self.bad(f"{where}.date", f"{date!r} is not a YYYY-MM-DD date") from None
        for key in EPISODE_TEXT_KEYS:
            self.text(ep, key, where + ".")
        self.texts(ep, "stretches", where + ".")
        seconds = ep.get("seconds")
        if seconds is not None and (
            not isinstance(seconds, (int, float))
            or isinstance(seconds, bool)
            or not math.isfinite(seconds)
            or seconds < 0
        ):
            raise self.bad(f"{where}.seconds", f"is {_kind(seconds)}, not a number of seconds")


def _kind(value: object) -> str:
    """What a JSON value is, for a message: 'the text "abc"', 'a list', 'NaN'."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, str):
        return f"the text {json.dumps(value[:40], ensure_ascii=False)}"
    if isinstance(value, (int, float)):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return "an object"
    return "a list" if isinstance(value, list) else type(value).__name__


def load_manifest(path: Path) -> dict[str, Any]:
    """The manifest, checked for every field serving relies on; its dates parsed."""
    check = _Checker(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MANIFEST_LIMIT + 1)
        if len(data) > MANIFEST_LIMIT:
            raise check.bad("file", f"is larger than {MANIFEST_LIMIT // 1024 // 1024} MB")
        doc = json.loads(data.decode("utf-8"))
    except (OSError, ValueError) as exc:  # JSON and UTF-8 errors, and ints too long to convert, are ValueErrors
        raise check.bad("file", f"is not readable JSON ({exc})") from None
    except RecursionError:  # json's parser recurses once per level of nesting
        raise check.bad("file", "is nested too deeply to be a manifest") from None
    if not isinstance(doc, dict):
        raise check.bad("file", f"is {_kind(doc)}, not a JSON object")
    schema = doc.get("schema")
    if type(schema) is not int or schema != MANIFEST_SCHEMA:
        raise check.bad("schema", f"is {_kind(schema)}, this voiceguide reads schema {MANIFEST_SCHEMA}")
    for key in TEXT_KEYS:
        check.text(doc, key, "")
    check.texts(doc, "files", "")
    episodes = doc.get("episodes")
    if not isinstance(episodes, list):
        raise check.bad("episodes", f"is {_kind(episodes)}, not a list")
    for n, ep in enumerate(episodes):
        check.episode(ep, f"episodes[{n}]")
    return doc

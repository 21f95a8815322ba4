"""Typed reading of parsed TOML tables, with errors that name the field path.

The catalog and routine files are both plain dicts after parsing; every value
is read through a `Fields` so a mistake is reported as
`routine.toml: steps[3].hold: expected a whole number of seconds, got "thirty"`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from voiceguide.errors import InputError
from voiceguide.text import MAX_CUE_CHARS, clean, has_words

_MISSING = object()


def describe_value(value: Any) -> str:
    """A value as an error message shows it: short text quoted, tables and lists by kind."""
    return _describe(value)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if value is None or isinstance(value, (int, float)):
        return repr(value)
    return f"a {type(value).__name__}"


class Fields:
    """Reads one table; `finish()` rejects keys nobody asked for."""

    def __init__(self, data: Any, path: str, source: str):
        self.source = source
        self.path = path
        if not isinstance(data, dict):
            raise self.error(f"expected a table, got {_describe(data)}", at=path)
        self.data = data
        self.seen: set[str] = set()  # keys read
        self.asked: set[str] = set()  # keys read or looked for

    def where(self, key: str | None = None) -> str:
        if key is None:
            return self.path
        return f"{self.path}.{key}" if self.path else key

    def error(self, message: str, at: str | None = None) -> InputError:
        """The error to raise; a misspelled key, the likely cause of any error here, is named instead."""
        typo = self._typo() if hasattr(self, "asked") else None
        if typo is not None:
            message, at = f"unknown key {typo[0]!r}; did you mean {typo[1]!r}?", self.where(typo[0])
        at = self.path if at is None else at
        location = f"{self.source}: {at}" if at else self.source
        return InputError(f"{location}: {message}", source=self.source, field=at)

    def has(self, key: str) -> bool:
        self.asked.add(key)
        return key in self.data

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        self.seen.add(key)
        self.asked.add(key)
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise self.error("is missing", at=self.where(key))
        return default

    def _typo(self) -> tuple[str, str] | None:
        """(a key of the table nobody asked for, the absent asked-for key it looks like): `stepps`, `steps`.

        Only a key the table lacks can be misspelled: `days` beside a present `rest_days` is not a typo.
        """
        absent = sorted(k for k in self.asked if k not in self.data)
        for key in self.data:
            if key not in self.asked:
                close = difflib.get_close_matches(str(key), absent, n=1, cutoff=0.6)
                if close:
                    return str(key), close[0]
        return None

    def text(self, key: str, default: Any = _MISSING, max_len: int = MAX_CUE_CHARS) -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        return self._check_text(value, self.where(key), max_len)

    def check_text(self, value: Any, at: str, max_len: int = 300) -> str:
        """Text found at `at` (an item of a list this table holds), cleaned and checked."""
        return self._check_text(value, at, max_len)

    def _check_text(self, value: Any, at: str, max_len: int) -> str:
        if not isinstance(value, str):
            raise self.error(f"expected text, got {_describe(value)}", at=at)
        if len(value) > max_len * 4:  # before cleaning: refuse floods cheaply
            raise self.error(f"is {len(value)} characters long; keep it under {max_len}", at=at)
        text = clean(value)
        if not text:
            raise self.error("must not be empty", at=at)
        if not has_words(text):
            raise self.error("has no words to speak (only symbols or emoji); write it out in words", at=at)
        if len(text) > max_len:
            raise self.error(f"is {len(text)} characters long; keep it under {max_len}", at=at)
        return text

    def texts(
        self, key: str, default: Any = _MISSING, max_len: int = MAX_CUE_CHARS, max_items: int = 50, min_items: int = 0
    ) -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        at = self.where(key)
        value = self._as_list(value, at, "a list of text")
        if len(value) > max_items:
            raise self.error(f"has {len(value)} items; at most {max_items}", at=at)
        if len(value) < min_items:
            raise self.error(f"is empty; give at least {min_items}", at=at)
        return tuple(self._check_text(v, f"{at}[{i}]", max_len) for i, v in enumerate(value))

    def _as_list(self, value: Any, at: str, what: str) -> list[Any]:
        """A list as given, or a single string as a list of one (people write both)."""
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            raise self.error(f"expected {what}, got {_describe(value)}", at=at)
        return value

    def boolean(self, key: str, default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.error(f"expected true or false, got {_describe(value)}", at=self.where(key))
        return value

    def integer(self, key: str, low: int, high: int, default: Any = _MISSING, unit: str = "") -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        return check_integer(value, low, high, unit, lambda m: self.error(m, at=self.where(key)))

    def choice(self, key: str, choices: Iterable[str], default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        return self._check_choice(value, tuple(choices), self.where(key))

    def choices(self, key: str, choices: Iterable[str], default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        at = self.where(key)
        value = self._as_list(value, at, "a list")
        allowed = tuple(choices)
        return tuple(self._check_choice(v, allowed, f"{at}[{i}]") for i, v in enumerate(value))

    def _check_choice(self, value: Any, allowed: tuple[str, ...], at: str) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise self.error(f"expected one of {', '.join(allowed)}; got {_describe(value)}", at=at)
        return value

    def table_list(self, key: str, default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, list):
            raise self.error(f"expected a list of tables, got {_describe(value)}", at=self.where(key))
        return value

    def finish(self) -> None:
        unknown = [k for k in self.data if k not in self.seen]
        if unknown:
            key = unknown[0]
            close = difflib.get_close_matches(str(key), sorted(self.seen), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(sorted(self.seen))}"
            raise self.error(f"unknown key {str(key)!r}{hint}", at=self.where(str(key)))


def check_integer(value: Any, low: int, high: int, unit: str, error: Callable[[str], Exception]) -> int:
    """A whole number in [low, high]; floats with no fraction are accepted."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise error(f"expected a whole number{' of ' + unit if unit else ''}, got {_describe(value)}")
    if isinstance(value, float):
        if not value.is_integer():
            raise error(f"expected a whole number{' of ' + unit if unit else ''}, got {value}")
        whole = int(value)
    else:
        whole = value
    if not low <= whole <= high:
        raise error(f"{whole} is out of range; use {low} to {high}{' ' + unit if unit else ''}")
    return whole

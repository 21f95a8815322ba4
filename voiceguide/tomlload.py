"""TOML parsing with errors that name the file and line."""

from __future__ import annotations

import sys
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from voiceguide.errors import InputError


def parse_toml(data: bytes, source: str) -> dict[str, Any]:
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark is harmless: drop it
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib messages end with "(at line L, column C)".
        raise InputError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise InputError(f"{source}: is nested too deeply to be a routine") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise InputError(f"{source}: not valid TOML: {exc}") from None

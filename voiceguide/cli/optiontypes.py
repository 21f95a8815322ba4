"""Click parameter types for the command line's options; each calls a check in voiceguide/inputs.py.

voiceguide/cli/main.py turns the InputError they raise into its one line.
"""

from __future__ import annotations

import datetime
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from voiceguide.errors import InputError
from voiceguide.inputs import check_base_url, check_name, check_text, parse_at, parse_start

if TYPE_CHECKING:  # ParamType is generic from Click 8.2 on; pyproject.toml allows 8.1
    _TextType = click.ParamType[str, Any]
    _DateType = click.ParamType[datetime.date, Any]
else:
    _TextType = _DateType = click.ParamType


class BaseUrl(_TextType):
    name = "url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return check_base_url(str(value))


class TimeOfDay(_TextType):
    name = "time"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return parse_at(str(value))


class StartDate(_DateType):
    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime.date:
        return value if isinstance(value, datetime.date) else parse_start(str(value))


class PathName(click.Path):
    """click.Path that refuses an empty name (it would mean "."); with creating=True, names that cannot be made."""

    def __init__(self, *, creating: bool = False, **kwargs: Any):
        super().__init__(path_type=Path, **kwargs)
        self.creating = creating

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            check_name(value, _option_name(param), creating=self.creating)
        return super().convert(value, param, ctx)


class Given(_TextType):
    """A name that must not be empty: a routine, program or voice ("" would silently mean the default)."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if not str(value).strip():
            default = "" if param is not None and param.required else ", or leave it out for the default"
            raise InputError(f"{_option_name(param)}: is empty; give a name{default}")
        return str(value)


class Text(_TextType):
    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return check_text(str(value), _option_name(param))


class Finite(click.FloatRange):
    """FloatRange that also refuses NaN (every comparison with it is false, so the range lets it through)."""

    def __init__(self, low: float, high: float, unit: str):
        super().__init__(low, high)
        self.unit = unit

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number of {self.unit}", param, ctx)
        return number


def _option_name(param: click.Parameter | None) -> str:
    if param is None:
        return "the name"
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    return (param.metavar or param.name or "the name").strip("[].").upper()

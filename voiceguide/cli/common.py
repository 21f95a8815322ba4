"""What the CLI's command modules share: the --engine and --format options, the progress bar, the cache warning.

Every command module (session.py, catalog.py, program.py, serve.py, cache.py)
imports from here, and main.py gathers the commands, so no command module
imports another.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from voiceguide.errors import InputError
from voiceguide.sound.engines import ENGINES

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar  # the type click.progressbar returns

F = TypeVar("F", bound=Callable[..., Any])


def engine_option(what: str, dest: str = "engine") -> Callable[[F], F]:
    """--engine, shared by every command that speaks (or measures speech)."""
    return click.option(
        "--engine", dest, type=click.Choice(ENGINES), default="auto", show_default=True, envvar="VOICEGUIDE_ENGINE",
        show_envvar=True, help=what,
    )  # fmt: skip


def format_option(what: str) -> Callable[[F], F]:
    """--format text|json, for commands that print something a program may read."""
    return click.option(
        "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help=what
    )


class ClickProgress:
    """A progress bar on stderr, one per stage (a session.Progress)."""

    def __init__(self) -> None:
        self.bar: ProgressBar[int] | None = None

    def start(self, label: str, total: int) -> None:
        self.bar = click.progressbar(length=max(total, 1), label=label.ljust(20), file=sys.stderr, width=30)
        self.bar.__enter__()

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def warn_cache() -> None:
    from voiceguide.sound.cache import cap_warning

    warning = cap_warning()
    if warning:
        click.echo(f"Warning: {warning}", err=True)


def split_names(values: tuple[str, ...], option: str) -> tuple[str, ...]:
    """Repeated or comma-separated names; a value naming none ("", ",") would silently mean no filter."""
    for value in values:
        if not value.replace(",", "").strip():
            raise InputError(f"{option}: {value!r} names nothing; give one or more names, or leave {option} out")
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())

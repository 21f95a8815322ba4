"""What the CLI's command modules share: the --engine, --format and stretch filter options, the progress bar,
the cache warning.

Every command module (session.py, catalog.py, program.py, serve.py, cache.py)
imports from here, and main.py gathers the commands, so no command module
imports another.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

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


def lang_option(what: str = "The language it is spoken in") -> Callable[[F], F]:
    """--lang, for every command that makes a session's words."""
    from voiceguide.language import languages

    codes = ", ".join(languages())
    return click.option(
        "--lang", "lang", metavar="LL", envvar="VOICEGUIDE_LANG", show_envvar=True,
        help=f"{what}: {codes}.  [default: the file's own lang, else en]",
    )  # fmt: skip


def format_option(what: str) -> Callable[[F], F]:
    """--format text|json, for commands that print something a program may read."""
    return click.option(
        "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help=what
    )


def filter_options(every_day: bool = False) -> Callable[[F], F]:
    """--only, --skip and --avoid, for one session (build, script) or for every day of a program.

    The command gets the values as given; `filters` splits and checks them.
    """
    from voiceguide.words.catalog import NEEDS, PREFERENCES
    from voiceguide.words.profiles import names as profile_names

    def say(text: str) -> str:
        return f"Every day: {text}" if every_day else text[:1].upper() + text[1:]

    only = "only these of its stretches, in the day's own order" if every_day else "only these stretches"
    options = [
        click.option("--only", multiple=True, metavar="NAMES",
                     help=say(f"{only} (ids, names or aliases; repeat or comma-separate).")),
        click.option("--skip", multiple=True, metavar="NAMES", help=say("leave these stretches out.")),
        click.option("--avoid", multiple=True, metavar="NAMES",
                     help=say(f"leave out stretches that need what your body cannot do: {', '.join(NEEDS)} "
                              "(repeat or comma-separate; inversion: head below the heart).")),
        click.option("--profile", multiple=True, metavar="NAMES",
                     help=say(f"suit a body in a word: {', '.join(profile_names())} (adds to --avoid and "
                              "swaps in the chair versions; repeat or comma-separate).")),
        click.option("--prefer", type=click.Choice(PREFERENCES), default=None,
                     help=say("the direction that eases your back: extension takes in the back bends and press-ups "
                              "and leaves out the knees-to-chest and child's pose; flexion the reverse; neutral "
                              "(the default) neither.")),
        click.option("--check-in/--no-check-in", "check_in", default=None,
                     help=say("a pain score from 0 to 10 at the start, and what to make of it at the end "
                              f"(default: {'on' if every_day else 'off'}).")),
    ]  # fmt: skip

    def decorate(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


class Filters(TypedDict):
    """The filters of `filter_options`, as builder.Options and program.Choices take them."""

    only: tuple[str, ...]
    skip: tuple[str, ...]
    avoid: tuple[str, ...]
    profiles: tuple[str, ...]
    prefer: str | None


def filters(
    only: tuple[str, ...],
    skip: tuple[str, ...],
    avoid: tuple[str, ...],
    profile: tuple[str, ...] = (),
    prefer: str | None = None,
) -> Filters:
    """--only, --skip and --avoid split at commas, the --avoid names checked. Stretch names are checked where
    they are used (voiceguide/words/builder.py, voiceguide/programs/program.py), with the same words."""
    from voiceguide.words import profiles
    from voiceguide.words.builder import parse_choices
    from voiceguide.words.catalog import NEEDS

    return Filters(
        only=split_names(only, "--only"),
        skip=split_names(skip, "--skip"),
        avoid=parse_choices(split_names(avoid, "--avoid"), NEEDS, "--avoid"),
        profiles=profiles.check(split_names(profile, "--profile")),
        prefer=prefer,
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

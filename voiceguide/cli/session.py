"""The commands that make one session: build, script, check and init, and the options they share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from voiceguide.cli.common import (
    ClickProgress,
    engine_option,
    filter_options,
    filters,
    format_option,
    lang_option,
    split_names,
    warn_cache,
)
from voiceguide.cli.optiontypes import Finite, Given, PathName, Text
from voiceguide.errors import InputError
from voiceguide.files.formats import FORMATS
from voiceguide.sound.engines import DEFAULT_RATE, RATE_LIMITS

if TYPE_CHECKING:
    from voiceguide.session.pipeline import Plan
    from voiceguide.words.builder import Options
    from voiceguide.words.routine import Routine

F = TypeVar("F", bound=Callable[..., Any])


def session_options(func: F) -> F:
    """Options that shape the session, shared by build and script."""
    from voiceguide.words.builder import ORDERS
    from voiceguide.words.catalog import HOLD_LIMITS, POSITIONS
    from voiceguide.words.routine import GET_READY_LIMITS, GUIDANCE, LAPS_LIMITS, REPS_LIMITS, ROUNDS_LIMITS
    from voiceguide.words.timeline import DEFAULT_PACING

    options = [
        click.argument("routine", required=False, type=Given(), metavar="[ROUTINE]"),
        click.option("--minutes", type=Finite(1, 180, "minutes"), metavar="N",
                     help="Fit the session to about N minutes (within 10%) by choosing stretches, holds and rounds."),
        filter_options(),
        lang_option(),
        click.option("--position", "positions", multiple=True, metavar="NAMES",
                     help=f"Only stretches in these positions: {', '.join(POSITIONS)} (repeat or comma-separate)."),
        click.option("--equipment", multiple=True, metavar="ITEMS",
                     help="What you have: none, strap, towel, band, wall (repeat or comma-separate); "
                          "stretches that need something else are left out."),
        click.option("--hold", type=click.IntRange(*HOLD_LIMITS), metavar="SECONDS",
                     help="Hold every stretch this long, each side.  [default: the routine's, 30]"),
        click.option("--rounds", type=click.IntRange(*ROUNDS_LIMITS), metavar="N",
                     help="Hold each stretch N times in a row, in place (each side each time); the dynamic "
                          "stretch stays one set."),
        click.option("--laps", type=click.IntRange(*LAPS_LIMITS), metavar="N",
                     help="Go through the whole routine N times (down to the floor and up again each time)."),
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
        click.option("--tempo", type=Finite(4, 10, "seconds"), metavar="SECONDS",
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


def _options(kw: dict[str, Any]) -> Options:
    """The builder options out of the command's keyword arguments."""
    from voiceguide.words.builder import Options, parse_choices, parse_equipment
    from voiceguide.words.catalog import POSITIONS

    equipment = kw.pop("equipment")
    return Options(
        **filters(kw.pop("only"), kw.pop("skip"), kw.pop("avoid"), kw.pop("profile"), kw.pop("prefer")),
        check_in=kw.pop("check_in"),
        positions=parse_choices(split_names(kw.pop("positions"), "--position"), POSITIONS, "--position"),
        guidance=kw.pop("guidance"),
        settle=kw.pop("settle"),
        tempo=kw.pop("tempo"),
        equipment=parse_equipment(equipment) if equipment else None,
        hold=kw.pop("hold"),
        rounds=kw.pop("rounds"),
        laps=kw.pop("laps"),
        get_ready=kw.pop("get_ready"),
        reps=kw.pop("reps"),
        countdown=False if kw.pop("no_countdown") else None,
        order=kw.pop("order"),
        minutes=kw.pop("minutes"),
    )


def _plan(routine: Routine, kw: dict[str, Any], progress: ClickProgress | None = None) -> Plan:
    """Shape and lay out the session the options describe; warn on stderr."""
    from voiceguide.session.pipeline import plan_session
    from voiceguide.sound.engines import make_engine

    options = _options(kw)
    engine = make_engine(kw.pop("engine_choice"), voice=kw.pop("voice"), rate=kw.pop("rate"), language=routine.lang)
    plan = plan_session(routine, engine, progress, options)
    # Said once the input is known good, so a bad input still gets one line.
    click.echo(f"Voice: {engine.name} ({engine.default_voice_id()})", err=True)
    for warning in plan.routine.warnings():
        click.echo(f"Warning: {warning}", err=True)
    for note in plan.notes:
        click.echo(f"Note: {note}", err=True)
    return plan


def _routine(kw: dict[str, Any]) -> Routine:
    """The routine, in the language asked for (--lang), else its file's; the command speaks it from here on."""
    from voiceguide import language
    from voiceguide.words.routine import load_routine

    lang = kw.pop("lang")
    routine = load_routine(kw.pop("routine"), lang=language.checked(lang) if lang else None)
    language.use(routine.lang)
    return routine


@click.command()
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
    from voiceguide.files.outputs import Outputs
    from voiceguide.files.script import summary
    from voiceguide.session.pipeline import default_output, render_session

    spec = kw["routine"]
    routine = _routine(kw)
    outputs = Outputs.checked(
        output or default_output(spec, routine.title, fmt or "mp3"), fmt, lrc=lrc_path, vtt=vtt_path,
        chapters=chapters_path, timeline=timeline_path, split=split_dir, force=force,
    )  # fmt: skip
    art = _load_cover(cover)
    _check_music(music)
    warn_cache()
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

    from voiceguide.files.cover import load_cover

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
        from voiceguide.sound.music import check_music

        check_music(music)


def _track_info(plan: Plan, title: str | None, artist: str | None, album: str | None) -> Any:
    from voiceguide.files.tags import track_info

    return track_info(
        plan.timeline,
        title=title,
        artist=artist or plan.routine.artist or None,
        album=album or plan.routine.album or None,
    )


@click.command()
@session_options
@format_option("text: a timed script with mm:ss stamps; json: the timeline contract.")
def script(fmt: str, **kw: Any) -> None:
    """Print the timed script of a session, without rendering audio.

    The timeline is the same one 'build' renders with the same options.
    """
    from voiceguide.session.pipeline import timeline_json

    plan = _plan(_routine(kw), kw)
    if fmt == "json":
        click.echo(timeline_json(plan.timeline), nl=False)
    else:
        from voiceguide.files.script import render_text

        click.echo(render_text(plan.timeline), nl=False)


@click.command()
@click.argument("file", required=False, type=PathName(creating=True))
@click.option("-f", "--force", is_flag=True, help="Replace the file if it exists.")
@click.option("--program", "is_program", is_flag=True, help="A program file instead (default: program.toml).")
def init(file: Path | None, force: bool, is_program: bool) -> None:
    """Write an annotated starter routine file (default: routine.toml), or with --program a program file."""
    from importlib import resources

    from voiceguide.atomic import write_text_atomic
    from voiceguide.files.outputs import check_file

    file = file or Path("program.toml" if is_program else "routine.toml")
    check_file(file, "FILE", force)
    starter = "program-starter.toml" if is_program else "starter.toml"
    text = resources.files("voiceguide.data").joinpath(starter).read_text(encoding="utf-8")
    write_text_atomic(file, text)
    then = f"voiceguide program {file} --plan" if is_program else f"voiceguide check {file}"
    click.echo(f"Wrote {file}. Edit it, then: {then}")


@click.command()
@click.argument("file", type=Given())
@engine_option("The engine its length is measured with.")
@click.option("--voice", type=Given(), metavar="ID", help="The voice its length is measured with.")
@click.option("--rate", type=click.IntRange(*RATE_LIMITS), metavar="WPM", help="The rate its length is measured with.")
def check(file: str, engine: str, voice: str | None, rate: int | None) -> None:
    """Validate a routine file; print the session's length and stretches."""
    from voiceguide.files.script import summary
    from voiceguide.session.pipeline import plan_session
    from voiceguide.sound.engines import make_engine
    from voiceguide.words.routine import load_routine

    routine = load_routine(file)
    plan = plan_session(routine, make_engine(engine, voice=voice, rate=rate, language=routine.lang))
    for warning in plan.routine.warnings():
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"{file}: OK. {plan.routine.title}: {summary(plan.timeline)}")
    for step in plan.routine.steps:
        s = step.stretch
        if step.dose is not None and (step.dose.tempo or step.dose.breathing):
            sided = f" a side x {len(step.sides)} sides" if len(step.sides) > 1 else ""
            dose = f"{step.dose.describe()}{sided}"
        elif s.kind == "reps":
            dose = f"{step.reps} reps per leg"
        elif len(step.sides) > 1:
            dose = f"{step.hold} s x {len(step.sides)} sides"
        else:
            dose = f"{step.hold} s" + (f", {step.sides[0]} side" if step.sides[0] else "")
        if step.dose is not None and step.dose.contract_relax and step.kind == "hold":
            dose = f"{step.dose.describe()}, then {dose}"
        rounds = f", {step.rounds} rounds" if step.rounds > 1 and step.kind == "hold" else ""
        click.echo(f"  {s.name}: {dose}{rounds}")

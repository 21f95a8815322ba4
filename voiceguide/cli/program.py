"""The commands for programs: `programs` lists the presets, `program` plans, prints a day or renders one.

Registered on the group in voiceguide/cli/main.py (the shared option and progress bar come
from voiceguide/cli/common.py); each command calls the library
(voiceguide/programs/program.py, plan.py, folder.py) and prints.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

import click

from voiceguide.cli.common import ClickProgress, engine_option, filter_options, filters, format_option, lang_option
from voiceguide.cli.optiontypes import BaseUrl, Given, PathName, StartDate, TimeOfDay
from voiceguide.errors import InputError
from voiceguide.inputs import START_LIMITS

if TYPE_CHECKING:
    from voiceguide.session.pipeline import Plan

MORNING = "If you stretch soon after getting up, move around for 30 minutes first: backs are stiffest then."


@click.command()
@engine_option("The engine the lengths are measured with.")
def programs(engine: str) -> None:
    """List the preset programs: days, minutes a day, and what changes."""
    from voiceguide.programs.plan import plan_program, summary_line
    from voiceguide.programs.program import load_program, preset_programs
    from voiceguide.sound.engines import make_engine

    speech = make_engine(engine)
    today = datetime.date.today()
    for name in preset_programs():
        program = load_program(name)
        click.echo(summary_line(name, program, plan_program(program, today, speech)))
        click.echo(f"{'':<21}{program.description}")


@click.command()
@click.argument("program", required=False, type=Given(), metavar="[PROGRAM]")
@click.option("--plan", "show_plan", is_flag=True, help="Print the day-by-day plan; render nothing.")
@click.option(
    "--day",
    type=click.IntRange(1, 99),
    metavar="N",
    help="Print session day N's timed script, as 'voiceguide script' does; render nothing.",
)
@format_option(
    "With --plan: text for reading, json: a list of days with date, guidance, length and holds. "
    "With --day: text, the timed script; json, the timeline (as 'voiceguide script')."
)
@filter_options(every_day=True)
@lang_option("The language every day is spoken in, kept by the folder for its reruns")
@click.option(
    "-o",
    "--output",
    type=PathName(creating=True),
    metavar="DIR",
    help="Render every session day into this folder, with a podcast feed and a calendar.",
)
@click.option(
    "--start",
    type=StartDate(),
    metavar="DATE",
    help=f"The first day (YYYY-MM-DD, from {START_LIMITS[0].year} to {START_LIMITS[1].year}).  "
    "[default: the folder's start date, else today]",
)
@click.option(
    "--at",
    type=TimeOfDay(),
    metavar="HH:MM",
    help=f"When each day's episode is dated and its calendar event set. {MORNING}  [default: 07:00]",
)
@click.option(
    "--base-url",
    type=BaseUrl(),
    metavar="URL",
    help="Where the folder will be served (http or https, no query or #fragment); prefixes every URL in the "
    "feed.  [default: http://localhost:8765/]",
)
@engine_option("Speech engine: piper, pyttsx3, none (chimes only); auto takes the best installed.")
@click.option("-f", "--force", is_flag=True, help="Write into a non-empty folder that is not a program folder.")
def program(
    program: str | None,
    show_plan: bool,
    day: int | None,
    fmt: str,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    avoid: tuple[str, ...],
    profile: tuple[str, ...],
    prefer: str | None,
    check_in: bool | None,
    lang: str | None,
    output: Path | None,
    start: datetime.date | None,
    at: str | None,
    base_url: str | None,
    engine: str,
    force: bool,
) -> None:
    """Plan a program (--plan), print one day's script (--day N), or render it into a folder (-o DIR).

    PROGRAM is a preset (default: hamstrings-14-days; see 'voiceguide programs')
    or a program file (.toml or .yaml; 'voiceguide init --program' writes one).
    The folder gets day-01.mp3 ..., their chapters and transcripts, cover.png,
    feed.xml (subscribe to it in a podcast app), calendar.ics and a manifest.
    A rerun rebuilds only the days that changed. Episodes are dated 07:00
    (--at): if you stretch soon after getting up, move around for 30 minutes first.
    """
    from voiceguide import language
    from voiceguide.programs.program import Choices
    from voiceguide.sound.engines import make_engine

    # Stretch names are checked as each day is planned (plan_days).
    lang = language.checked(lang) if lang else None
    choices = Choices(**filters(only, skip, avoid, profile, prefer), check_in=check_in is not False, lang=lang)
    if day is not None and (show_plan or output is not None):
        raise InputError("--day prints one day's script; give it without --plan and -o")
    if show_plan or day is not None:
        from voiceguide.programs.plan import plan_day, plan_json, plan_program, plan_text
        from voiceguide.programs.program import load_program

        loaded = load_program(program, lang or _folder_kept(output, "lang", language.languages()))
        for warning in loaded.warnings:
            click.echo(f"Warning: {warning}", err=True)
        kept_start = _folder_kept(output, "start")
        first = start or (_date(kept_start) if kept_start else None) or datetime.date.today()
        speech = make_engine(engine, language=loaded.lang)
        if day is None:
            planned = plan_program(loaded, first, speech, choices=choices)
            click.echo(plan_json(planned) if fmt == "json" else plan_text(loaded, planned), nl=False)
            return
        _print_day(plan_day(loaded, day, first, speech, choices).plan, speech.name, speech.default_voice_id(), fmt)
        return
    if output is None:
        raise InputError("give -o DIR to render the program into a folder, --plan to print the plan, or --day N")
    from voiceguide.programs.folder import program_language, render_program

    speech = make_engine(engine, language=program_language(program, output, lang))
    progress = ClickProgress()
    try:
        result = render_program(
            program, output, speech, start=start, at=at, base_url=base_url, force=force,
            progress=progress, choices=choices,
        )  # fmt: skip
    finally:
        progress.finish()
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    from voiceguide.programs.folder import read_manifest

    manifest = read_manifest(output) or {}
    built, kept = len(result.built), len(result.kept)
    click.echo(f"Wrote {output}: {built + kept} episodes ({built} built, {kept} unchanged), feed.xml, calendar.ics")
    click.echo(f"Feed: {manifest.get('base_url', '')}feed.xml (serve the folder there, or: voiceguide serve {output})")


def _print_day(plan: Plan, engine: str, voice: str, fmt: str) -> None:
    """The day's script exactly as 'voiceguide script' prints a session (voiceguide/cli/session.py)."""
    click.echo(f"Voice: {engine} ({voice})", err=True)
    for warning in plan.routine.warnings():
        click.echo(f"Warning: {warning}", err=True)
    for note in plan.notes:
        click.echo(f"Note: {note}", err=True)
    if fmt == "json":
        from voiceguide.session.pipeline import timeline_json

        click.echo(timeline_json(plan.timeline), nl=False)
    else:
        from voiceguide.files.script import render_text

        click.echo(render_text(plan.timeline), nl=False)


def _folder_kept(folder: Path | None, key: str, among: Collection[str] = ()) -> str | None:
    """With --plan -o DIR: what that folder keeps (its start date, its --lang), else None."""
    if folder is None or not folder.is_dir():
        return None
    from voiceguide.programs.folder import read_manifest

    manifest = read_manifest(folder) or {}
    choices = manifest.get("choices")
    value = (choices.get(key) if isinstance(choices, dict) else None) if key == "lang" else manifest.get(key)
    return value if isinstance(value, str) and (not among or value in among) else None


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None

"""The commands that show what there is to choose from: presets, list, show, voices."""

from __future__ import annotations

import click

from voiceguide.cli.common import engine_option


@click.command()
@engine_option("The engine the lengths are measured with.")
def presets(engine: str) -> None:
    """List the preset routines with their length and stretches."""
    from voiceguide.clock import clock
    from voiceguide.session.pipeline import plan_session
    from voiceguide.sound.engines import make_engine
    from voiceguide.words.routine import load_routine, preset_names

    speaker = make_engine(engine)
    for name in preset_names():
        plan = plan_session(load_routine(name), speaker)
        stretches = ", ".join(dict.fromkeys(s.stretch.name for s in plan.routine.steps))
        click.echo(f"{name:<10} {clock(plan.timeline.duration):>6}  {plan.routine.description}")
        click.echo(f"{'':<18}{stretches}")


def _vocabulary(name: str) -> tuple[str, ...]:
    from voiceguide.words import catalog

    return tuple(getattr(catalog, name))


@click.command("list")
@click.option(
    "--target",
    "targets",
    metavar="NAMES",
    multiple=True,
    help=f"Only what works on these: {', '.join(_vocabulary('TARGETS'))} (repeat or comma-separate).",
)
@click.option(
    "--position",
    "positions",
    metavar="NAMES",
    multiple=True,
    help=f"Only these positions: {', '.join(_vocabulary('POSITIONS'))} (repeat or comma-separate).",
)
@click.option(
    "--kind",
    "kinds",
    metavar="NAMES",
    multiple=True,
    help=f"Only these kinds: {', '.join(_vocabulary('EXERCISE_KINDS'))} (repeat or comma-separate).",
)
def list_command(targets: tuple[str, ...], positions: tuple[str, ...], kinds: tuple[str, ...]) -> None:
    """List the stretches in the catalog, with what each works on, its dose and what it needs."""
    from voiceguide.cli.common import split_names
    from voiceguide.errors import InputError
    from voiceguide.files.script import table
    from voiceguide.words.builder import parse_choices
    from voiceguide.words.catalog import load_catalog

    given = {"target": targets, "position": positions, "kind": kinds}
    vocabulary = {"target": "TARGETS", "position": "POSITIONS", "kind": "EXERCISE_KINDS"}
    wanted = {
        k: parse_choices(split_names(v, f"--{k}"), _vocabulary(vocabulary[k]), f"--{k}") for k, v in given.items()
    }
    chosen = [
        s
        for s in load_catalog()
        if (not wanted["target"] or set(s.targets) & set(wanted["target"]))
        and (not wanted["position"] or s.position in wanted["position"])
        and (not wanted["kind"] or s.exercise in wanted["kind"])
    ]
    rows = [
        (
            s.id,
            s.name,
            s.position,
            "yes" if s.sided else "no",
            s.recommended,
            ", ".join(s.equipment) + (" (needed)" if s.equipment_required else "") if s.equipment else "-",
            ", ".join(s.needs),
            ", ".join(s.targets),
        )
        for s in chosen
    ]
    if not rows:
        raise InputError("nothing in the catalog matches; widen --target, --position or --kind")
    click.echo(table(("ID", "NAME", "POSITION", "SIDED", "DOSE", "EQUIPMENT", "NEEDS", "TARGETS"), rows))


@click.command()
@click.argument("stretch")
def show(stretch: str) -> None:
    """Show everything about one stretch (by id, name or alias)."""
    from voiceguide.files.script import describe
    from voiceguide.words.catalog import load_catalog

    click.echo(describe(load_catalog().get(stretch)))


@click.command()
@click.option(
    "--lang", "lang", metavar="LL",
    help="Only the voices that speak this language (en, de, es, fr, ...), each engine's default for it marked.",
)  # fmt: skip
def voices(lang: str | None) -> None:
    """List the voices of every installed speech engine, with the language each speaks."""
    from voiceguide.errors import InputError
    from voiceguide.files.script import table
    from voiceguide.language import languages
    from voiceguide.sound.engines import all_voices, auto_engine, piper_available, primary
    from voiceguide.sound.pico import pico_available

    code = primary(lang) if lang is not None else None
    if code is not None and not code.isalpha():
        raise InputError(f"--lang: {lang!r} is not a language code; give one like en, de, es or fr")
    rows = [
        ("*" if default else "", engine, v.id, v.language or "-", v.name, ", ".join(v.languages))
        for engine, v, default in all_voices(code)
    ]
    if not rows:
        raise InputError(f"--lang: no installed voice speaks {code}; run 'voiceguide voices' to list them all")
    click.echo(table(("", "ENGINE", "ID", "LANG", "NAME", "LANGUAGES"), rows))
    shown = code or "en"
    click.echo(
        f"\n* the engine's default voice for {shown}"
        + ("" if code else " (voiceguide voices --lang LL: another language's)")
        + ". Choose with: voiceguide build --engine ENGINE --voice ID"
    )
    spoken = [code] if code else sorted(languages(), key=lambda c: (c != "en", c))
    click.echo("--engine auto speaks " + ", ".join(f"{c} with {auto_engine(c)}" for c in spoken) + ".")
    if not piper_available() or not pico_available():
        click.echo('For natural voices (Piper for en; Pico for de, es, fr, it): pip install "voiceguide[neural]"')

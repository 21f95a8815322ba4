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


@click.command("list")
def list_command() -> None:
    """List the stretches in the catalog."""
    from voiceguide.files.script import table
    from voiceguide.words.catalog import load_catalog

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


@click.command()
@click.argument("stretch")
def show(stretch: str) -> None:
    """Show everything about one stretch (by id, name or alias)."""
    from voiceguide.files.script import describe
    from voiceguide.words.catalog import load_catalog

    click.echo(describe(load_catalog().get(stretch)))


@click.command()
def voices() -> None:
    """List the voices of every installed speech engine."""
    from voiceguide.files.script import table
    from voiceguide.sound.engines import all_voices, piper_available

    rows = [
        ("*" if default else "", engine, v.id, v.name, ", ".join(v.languages)) for engine, v, default in all_voices()
    ]
    click.echo(table(("", "ENGINE", "ID", "NAME", "LANGUAGES"), rows))
    click.echo("\n* the engine's default voice. Choose with: voiceguide build --engine ENGINE --voice ID")
    if not piper_available():
        click.echo('For a natural neural voice: pip install "voiceguide[neural]"')

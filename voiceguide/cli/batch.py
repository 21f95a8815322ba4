"""The `batch` command: a roster of people rendered into one program folder each, on this machine or a cluster.

Registered on the group in voiceguide/cli/main.py; it calls the library
(voiceguide/programs/batch.py) with a runner (the local worker pool, or a Dask
cluster: voiceguide/programs/cluster.py), prints progress lines on stderr and
one summary line on stdout. docs/batch.md says the whole story.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from voiceguide.cli.common import engine_option
from voiceguide.cli.optiontypes import BaseUrl, PathName
from voiceguide.errors import EXIT_ENVIRONMENT, EnvironmentFailure, InputError

if TYPE_CHECKING:
    from voiceguide.programs.cluster import DaskRunner
    from voiceguide.programs.workers import WorkerPool


@click.command()
@click.argument("roster", type=PathName(), metavar="ROSTER")
@click.option(
    "-o",
    "--output",
    required=True,
    type=PathName(creating=True),
    metavar="DIR",
    help="The batch folder: one program folder per person, under a random token, and index.csv.",
)
@click.option(
    "--base-url",
    type=BaseUrl(),
    metavar="URL",
    help="Where DIR will be served; each feed is URL/<token>/feed.xml.  [default: http://localhost:8765/]",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:8786",
    help='Render on this Dask cluster (pip install "voiceguide[dask]"; the clip cache and DIR on storage every '
    "worker reaches at the same paths).  [default: worker processes on this machine]",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    metavar="N",
    help="Worker processes on this machine.  [default: one per core]",
)
@click.option("--prune", is_flag=True, help="Remove the folders of people no longer in the roster.")
@engine_option("Speech engine: piper, pyttsx3, none (chimes only); auto takes the best installed.")
def batch(
    roster: Path,
    output: Path,
    base_url: str | None,
    scheduler: str | None,
    workers: int | None,
    prune: bool,
    engine: str,
) -> None:
    """Render every person of ROSTER into their own program folder under DIR (-o), in parallel.

    ROSTER is a CSV file (a header row: id, program, start, at, only, skip,
    avoid, voice, language; one row per person) or a TOML file of [[person]]
    tables with the same keys. The language is en, de, es or fr (empty: the
    program's own, else en). Each folder is what 'voiceguide program' makes
    for that person; every distinct sentence is spoken once for the whole
    batch. A rerun rebuilds only what changed. A person whose program fails is
    reported in DIR/index.csv and the others go on (exit 2, or 1 when the
    machine failed).
    """
    from voiceguide.programs.batch import render_batch

    runner: WorkerPool | DaskRunner
    if scheduler is not None:
        if workers is not None:
            raise InputError("--workers: the Dask cluster's workers run the batch; give --workers without --scheduler")
        from voiceguide.programs.cluster import DaskRunner

        runner = DaskRunner(scheduler)
        count = runner.workers()
    else:
        from voiceguide.programs.workers import WorkerPool

        runner = WorkerPool(workers)
        count = runner.count
    with runner:
        result = render_batch(
            roster, output, engine, base_url=base_url, runner=runner, workers=count, prune=prune,
            say=lambda line: click.echo(line, err=True),
        )  # fmt: skip
    click.echo(result.summary())
    failed = result.failed
    if failed:
        first = f"{failed[0].person}: {failed[0].error}"
        message = f"{len(failed)} of {len(result.outcomes)} people failed (see {output / 'index.csv'}); first, {first}"
        raise EnvironmentFailure(message) if result.exit_code == EXIT_ENVIRONMENT else InputError(message)

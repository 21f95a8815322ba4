"""`voiceguide studio`: compose a routine in the browser, save it as a routine file, build it."""

from __future__ import annotations

from pathlib import Path

import click

from voiceguide.cli.common import engine_option
from voiceguide.cli.optiontypes import PathName


@click.command()
@click.argument("folder", required=False, default=".", type=PathName(file_okay=False))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    metavar="N",
    default=8766,
    show_default=True,
    help="Port to listen on, on 127.0.0.1 only (0 picks a free one).",
)
@engine_option("Speech engine of the previews and builds.")
def studio(folder: Path, port: int, engine: str) -> None:
    """Compose a routine in the browser: pick exercises, set their doses, read the script, build the MP3.

    Open the address it prints. Routines are saved as routine files (NAME.toml,
    which 'voiceguide build' reads) and built as NAME.mp3 with its captions and
    chapters, in FOLDER (default: this one). It listens on this machine only.
    """
    from voiceguide.studio.app import StudioServer

    server = StudioServer(folder, port=port, engine=engine)
    click.echo(f"Studio: {server.url}  (saving into {folder}; Ctrl-C to stop)")
    server.run()  # until Ctrl-C or SIGTERM, which run() and explain() turn into exit 130 or 143

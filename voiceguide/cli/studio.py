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
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--lan",
    is_flag=True,
    help="Listen on every interface, so another computer on this network can compose; "
    "the page then needs the token in the address printed.",
)
@engine_option("Speech engine of the previews and builds.")
def studio(folder: Path, port: int, lan: bool, engine: str) -> None:
    """Compose a routine in the browser: pick exercises, set their doses, read the script, build the MP3.

    Open the address it prints. Routines are saved as routine files (NAME.toml,
    which 'voiceguide build' reads) and built as NAME.mp3 with its captions and
    chapters, in FOLDER (default: this one). It listens on this machine only
    (127.0.0.1) unless --lan.
    """
    from voiceguide.serve import lan as net
    from voiceguide.serve.hosts import local_names
    from voiceguide.studio.app import StudioServer

    addresses = net.lan_addresses() if lan else []
    server = StudioServer(
        folder, port=port, engine=engine, lan=lan, names={*addresses, *local_names()} if lan else None
    )
    if lan:
        click.echo(
            "Warning: --lan: anyone on this network with the address below (its token) can compose and build "
            f"into {folder}; keep the address to yourself",
            err=True,
        )
    for host in addresses or ["127.0.0.1"]:
        click.echo(f"Studio: {server.url_at(host)}  (saving into {folder}; Ctrl-C to stop)")
    server.run()  # until Ctrl-C or SIGTERM, which run() and explain() turn into exit 130 or 143

"""`voiceguide serve`: a program folder or a folder of sessions, served to a phone."""

from __future__ import annotations

from pathlib import Path

import click

from voiceguide.cli.optiontypes import PathName


@click.command()
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
    from voiceguide.serve import lan as net
    from voiceguide.serve.app import Server

    server = Server(folder, port=port, lan=lan, release_all=release_all)
    addresses, local = (net.lan_addresses(), net.local_name()) if lan else ([], None)
    lines, warnings = server.banner(addresses, local)
    for line in warnings:
        click.echo(f"Warning: {line}", err=True)
    for line in lines:
        click.echo(line)
    server.run()  # until Ctrl-C or SIGTERM, which run() and explain() turn into exit 130 or 143

"""`voiceguide cache`: where the clip cache is, and clearing it."""

from __future__ import annotations

import click

from voiceguide.cli.common import warn_cache


@click.group()
def cache() -> None:
    """Inspect or clear the cache of spoken clips."""


@cache.command("info")
def cache_info() -> None:
    """Where the cache is, how many clips it holds and its size cap."""
    from voiceguide.sound import cache as clip_cache

    warn_cache()
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
    from voiceguide.sound import cache as clip_cache

    count, size = clip_cache.clear()
    click.echo(f"Removed {count} clips ({size / 1024 / 1024:.1f} MB) from {clip_cache.cache_dir()}")

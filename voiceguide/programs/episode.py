"""One program day ready to render, and the one call that renders it.

An `Episode` holds all a worker process needs (it is pickled to it): the
planned session, its tags, its content hash (contenthash.py) and its GUID
(programid.py). `write_episode` is the only place the program folder calls the
session renderer.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voiceguide import __version__, language
from voiceguide.files import cover
from voiceguide.programs import contenthash
from voiceguide.programs.plan import PlannedDay, describe, stretch_names
from voiceguide.programs.program import Program
from voiceguide.programs.programid import guid_of
from voiceguide.session.pipeline import Plan
from voiceguide.sound.engines import Engine

EPISODE_COVER_SIZE = cover.EMBED_SIZE  # inside each MP3


@dataclass(frozen=True)
class Episode:
    """One day ready to render: all a worker process needs (picklable)."""

    day: int
    total: int
    date: str
    title: str
    album: str
    artist: str
    description: str
    stretches: tuple[str, ...]
    guidance: str
    plan: Plan
    hash: str
    guid: str
    lang: str = language.ENGLISH  # the language it is spoken in (voiceguide/language.py)

    @property
    def audio(self) -> str:
        return f"day-{self.day:02d}.mp3"

    @property
    def chapters(self) -> str:
        return f"day-{self.day:02d}.chapters.json"

    @property
    def transcript(self) -> str:
        return f"day-{self.day:02d}.vtt"

    @property
    def files(self) -> tuple[str, str, str]:
        return self.audio, self.chapters, self.transcript

    def entry(self, size: int) -> dict[str, Any]:
        """The episode as the manifest lists it (the keys of docs/program-folder.md)."""
        return {
            "day": self.day,
            "date": self.date,
            "title": self.title,
            "guid": self.guid,
            "hash": self.hash,
            "audio": self.audio,
            "chapters": self.chapters,
            "transcript": self.transcript,
            "seconds": self.plan.timeline.duration,
            "bytes": size,
            "stretches": list(self.stretches),
            "guidance": self.guidance,
            "description": self.description,
        }


# -- the one call that renders an episode --------------------------------------


def write_episode(episode: Episode, folder: Path) -> int:
    """Render one episode into `folder` (audio, chapters, transcript); return the audio's size in bytes.

    The only place the program folder calls the session renderer.
    """
    from voiceguide.files.outputs import Outputs
    from voiceguide.files.tags import TrackInfo
    from voiceguide.session.pipeline import render_session

    info = TrackInfo(
        title=episode.title,
        artist=episode.artist,
        album=episode.album,
        date=episode.date,
        comment=f"Made with voiceguide {__version__}",
        track=(episode.day, episode.total),
    )
    with language.speaking(episode.lang):
        day = language._("Day {n} of {total}").format(n=episode.day, total=episode.total)
    art = draw_cover(episode.album, episode.stretches, day, EPISODE_COVER_SIZE)
    # force: a rebuilt episode replaces its own files (the folder is checked as voiceguide's first).
    outputs = Outputs.checked(
        folder / episode.audio,
        "mp3",
        vtt=folder / episode.transcript,
        chapters=folder / episode.chapters,
        force=True,
    )
    render_session(episode.plan, outputs, info=info, cover=cover.Cover(art, "image/png"))
    return (folder / episode.audio).stat().st_size


def draw_cover(title: str, stretches: Sequence[str], subtitle: str, size: int) -> bytes:
    return cover.cover_png(title, list(stretches), subtitle=subtitle, size=size)


def write_in_worker(job: tuple[Episode, str]) -> int:
    episode, folder = job
    return write_episode(episode, Path(folder))


def episode_hash(planned: PlannedDay, engine: Engine, fields: dict[str, Any]) -> str:
    """A hash of everything that shapes the episode's bytes (voiceguide/contenthash.py)."""
    inputs = {**fields, "cover_size": EPISODE_COVER_SIZE}
    return contenthash.episode_hash(planned.timeline, engine.identity(), planned.plan.gain_key, inputs)


def episodes_of(
    program: Program,
    planned: Sequence[PlannedDay],
    engine: Engine,
    slug: str,
    start: datetime.date,
    kept: dict[int, str] | None = None,
) -> list[Episode]:
    """The days ready to render; `kept`: GUIDs by day that the folder's subscribers already have."""
    kept = kept or {}
    out = []
    for p in planned:
        fields: dict[str, Any] = {
            "day": p.day.number,
            "total": p.day.total,
            "date": p.day.date.isoformat(),
            "title": p.day.episode_title,
            "album": program.title,
            "artist": program.artist or "voiceguide",
            "description": describe(p),
            "stretches": stretch_names(p),
            "guidance": p.day.guidance,
            "lang": program.lang,
        }
        out.append(
            Episode(
                day=p.day.number,
                total=p.day.total,
                date=fields["date"],
                title=fields["title"],
                album=program.title,
                artist=fields["artist"],
                description=fields["description"],
                stretches=tuple(fields["stretches"]),
                guidance=p.day.guidance,
                plan=p.plan,
                hash=episode_hash(p, engine, fields),
                guid=kept.get(p.day.number) or guid_of(slug, start, p.day.number),
                lang=program.lang,
            )
        )
    return out

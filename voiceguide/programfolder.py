"""A program rendered into a folder: one episode a session day, a podcast feed, a calendar, a manifest.

The layout and the manifest are described in docs/program-folder.md. The
manifest is the folder's truth: the feed and the calendar are renderings of it
(voiceguide/feed.py), and it lists every file voiceguide wrote there, so a
rerun touches only its own files. Each episode carries a content hash over
everything that shapes its audio and tags; a rerun rebuilds only the episodes
whose hash changed, in worker processes across the cores (sharing the clip
cache), and leaves the others untouched.

Interrupted at any moment, the folder stays consistent: episodes appear whole
(voiceguide/atomic.py), an episode about to be rebuilt leaves the feed before
its file is replaced, and the feed and manifest are rewritten after each
finished episode, so the next run picks up where this one stopped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import json
import os
import re
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from voiceguide import __version__, atomic, cover, optiontypes
from voiceguide.engines import Engine
from voiceguide.errors import InputError
from voiceguide.feed import calendar_ics, feed_xml
from voiceguide.program import Program, load_program
from voiceguide.programplan import PlannedDay, describe, plan_program, stretch_names
from voiceguide.session import NoProgress, Plan, Progress
from voiceguide.workers import each_in_processes

MANIFEST = "voiceguide-program.json"
SCHEMA = 1
FEED, COVER, CALENDAR = "feed.xml", "cover.png", "calendar.ics"
FILES = [FEED, COVER, CALENDAR]
DEFAULT_AT = "07:00"
DEFAULT_BASE_URL = "http://localhost:8765/"  # voiceguide serve's DEFAULT_PORT (not imported: Starlette is heavy)
EPISODE_COVER_SIZE = cover.EMBED_SIZE  # inside each MP3
FOLDER_COVER_SIZE = cover.SIZE  # cover.png: podcast directories ask for 1400-3000 px


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


@dataclass(frozen=True)
class Result:
    folder: Path
    built: list[int]  # day numbers rendered this run
    kept: list[int]  # day numbers left untouched
    removed: list[str]  # files of days no longer in the program


# -- the one call that renders an episode --------------------------------------


def write_episode(episode: Episode, folder: Path) -> int:
    """Render one episode into `folder` (audio, chapters, transcript); return the audio's size in bytes.

    The only place the program folder calls the session renderer.
    """
    from voiceguide.outputs import Outputs
    from voiceguide.session import render_session
    from voiceguide.tags import TrackInfo

    info = TrackInfo(
        title=episode.title,
        artist=episode.artist,
        album=episode.album,
        date=episode.date,
        comment=f"Made with voiceguide {__version__}",
        track=(episode.day, episode.total),
    )
    art = draw_cover(episode.album, episode.stretches, f"Day {episode.day} of {episode.total}", EPISODE_COVER_SIZE)
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


def _write_in_worker(job: tuple[Episode, str]) -> int:
    episode, folder = job
    return write_episode(episode, Path(folder))


# -- the folder ---------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest; None for a missing or empty folder; refuses a folder that is not voiceguide's."""
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path}: is not a readable program manifest ({exc}); move the folder's files away or choose another -o"
        ) from None
    ok = isinstance(data, dict) and data.get("schema") == SCHEMA and isinstance(data.get("episodes"), list)
    if not ok or not all(isinstance(e, dict) and isinstance(e.get("day"), int) for e in data["episodes"]):
        raise InputError(f"{path}: is not a schema {SCHEMA} voiceguide program manifest; choose another -o")
    manifest: dict[str, Any] = data
    return manifest


def claim(folder: Path, force: bool) -> dict[str, Any] | None:
    """The old manifest of a voiceguide folder (None for an empty or new one); others are refused."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: is not a folder; give a folder for the program")
    manifest = read_manifest(folder) if folder.is_dir() else None
    if manifest is None and folder.is_dir() and any(folder.iterdir()) and not force:
        raise InputError(
            f"{folder}: is not empty and has no {MANIFEST}, so it is not a voiceguide program folder; "
            "choose an empty or new folder, or add --force to add the program's files beside what is there"
        )
    existing = next(p for p in (folder.absolute(), *folder.absolute().parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"{folder}: {existing} is not a writable folder; choose another folder")
    return manifest


def _make(folder: Path, manifest: dict[str, Any] | None) -> None:
    """The folder, made once the plan is known good (so bad input leaves nothing behind)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot create the folder ({exc.strerror})") from None
    if manifest is not None:
        _remove_stray_parts(folder, manifest)


def _owned(manifest: dict[str, Any] | None) -> set[str]:
    """Every file name a manifest says voiceguide wrote."""
    if manifest is None:
        return set()
    names = {str(n) for n in manifest.get("files", []) + manifest.get("pending", [])}
    for e in manifest["episodes"]:
        names |= {str(e.get(k)) for k in ("audio", "chapters", "transcript") if e.get(k)}
    return {n for n in names if n and "/" not in n and "\\" not in n and n not in (".", "..")}


def _remove_stray_parts(folder: Path, manifest: dict[str, Any]) -> None:
    """Temporary files a killed run left beside voiceguide's own files (atomic.py names them .NAME.*.part)."""
    for name in _owned(manifest) | {MANIFEST}:
        for part in folder.glob(f".{glob_escape(name)}.*.part"):
            part.unlink(missing_ok=True)


def glob_escape(name: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", name)


def parse_at(text: str) -> str:
    return optiontypes.parse_at(text)  # the rules the CLI's --at checks too


def check_base_url(text: str) -> str:
    return optiontypes.check_base_url(text)  # the rules the CLI's --base-url checks too


@lru_cache(maxsize=1)
def content_digest() -> str:
    """What every episode depends on beyond its own day: the catalog, the cue texts, the chimes."""
    h = hashlib.sha256()
    h.update(resources.files("voiceguide.data").joinpath("catalog.toml").read_bytes())
    h.update(resources.files("voiceguide").joinpath("cues.py").read_bytes())
    sounds = resources.files("voiceguide.sounds")
    for item in sorted(sounds.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".wav"):
            h.update(item.name.encode() + item.read_bytes())
    return h.hexdigest()


def episode_hash(planned: PlannedDay, engine: Engine, fields: dict[str, Any]) -> str:
    """A hash of everything that shapes the episode's audio and tags."""
    from voiceguide.formats import FORMATS

    routine = dataclasses.replace(planned.plan.routine, source="")  # where the file lies does not change the audio
    doc = {
        "voiceguide": __version__,
        "content": content_digest(),
        "engine": engine.identity(),
        "routine": repr(routine),
        "options": repr(planned.day.options),
        "timeline": planned.timeline.to_dict(),
        "format": list(FORMATS["mp3"].args),
        "cover": EPISODE_COVER_SIZE,
        "fields": fields,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())) or "program"


def episodes_of(name: str, program: Program, planned: Sequence[PlannedDay], engine: Engine) -> list[Episode]:
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
        }
        digest = episode_hash(p, engine, fields)
        guid = f"voiceguide:{_slug(Path(name).stem if '/' in name else name)}:day-{p.day.number:02d}:{digest[:16]}"
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
                hash=digest,
                guid=guid,
            )
        )
    return out


class _Folder:
    """Writes the manifest, feed, calendar and cover of one run, each only when its bytes change."""

    def __init__(self, folder: Path, head: dict[str, Any]):
        self.folder = folder
        self.head = head  # the manifest's keys before "episodes"

    def manifest(self, episodes: dict[int, dict[str, Any]], pending: Sequence[str] = ()) -> dict[str, Any]:
        doc = dict(self.head)
        doc["episodes"] = [episodes[d] for d in sorted(episodes)]
        if pending:
            doc["pending"] = sorted(pending)  # files of episodes being rebuilt: still voiceguide's
        return doc

    def publish(self, manifest: dict[str, Any]) -> None:
        """The feed, then the manifest: each lists only episodes whose files are complete."""
        self.write(FEED, feed_xml(manifest).encode("utf-8"))
        self.write(MANIFEST, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))

    def write(self, name: str, data: bytes) -> bool:
        path = self.folder / name
        try:
            if path.read_bytes() == data:
                return False
        except OSError:
            pass
        with atomic.atomic_path(path, record=False) as tmp:
            tmp.write_bytes(data)
        return True


def render_program(
    spec: str | None,
    folder: Path,
    engine: Engine,
    *,
    start: datetime.date | None = None,
    at: str | None = None,
    base_url: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Result:
    """Render (or bring up to date) the program folder. See docs/program-folder.md."""
    progress = progress or NoProgress()
    at = parse_at(at) if at is not None else None
    base_url = check_base_url(base_url) if base_url is not None else None
    program = load_program(spec)
    name = spec or program.name
    folder = Path(folder)
    old = claim(folder, force)
    start, at, base_url = _schedule(old, name, start, at, base_url)

    planned = plan_program(program, start, engine, progress)
    episodes = episodes_of(name, program, planned, engine)
    out = _Folder(folder, _head(name, program, start, at, base_url))
    done, todo = _split_unchanged(folder, old, episodes)
    leaving = sorted(_owned(old) - set(_files_of(episodes)) - set(FILES) - {MANIFEST})

    _make(folder, old)
    _write_cover(out, program, planned, old)
    _publish_before_rendering(out, done, todo, leaving, episodes)
    _render_days(out, done, todo, workers, progress)
    out.publish(out.manifest(done))
    return Result(folder, sorted(e.day for e in todo), sorted(set(done) - {e.day for e in todo}), leaving)


def _schedule(
    old: dict[str, Any] | None, name: str, start: datetime.date | None, at: str | None, base_url: str | None
) -> tuple[datetime.date, str, str]:
    """Start day, time of day and base URL: as given, else as the folder's last run had them, else the defaults.

    The old start is kept only for the same program: another program starts afresh today.
    """
    if start is None and old is not None and old.get("program") == name:
        start = _old_start(old)
    return (
        start or datetime.date.today(),
        at or _old_setting(old, "at", DEFAULT_AT),
        base_url or _old_setting(old, "base_url", DEFAULT_BASE_URL),
    )


def _old_setting(old: dict[str, Any] | None, key: str, default: str) -> str:
    value = old.get(key) if old else None
    return str(value) if value else default


def _head(name: str, program: Program, start: datetime.date, at: str, base_url: str) -> dict[str, Any]:
    """The manifest's keys before "episodes" (docs/program-folder.md)."""
    return {
        "schema": SCHEMA,
        "generator": f"voiceguide {__version__}",
        "program": name,
        "title": program.title,
        "description": program.description,
        "start": start.isoformat(),
        "at": at,
        "base_url": base_url,
        "files": list(FILES),
    }


def _files_of(episodes: Iterable[Episode]) -> list[str]:
    return [n for e in episodes for n in e.files]


def _split_unchanged(
    folder: Path, old: dict[str, Any] | None, episodes: Sequence[Episode]
) -> tuple[dict[int, dict[str, Any]], list[Episode]]:
    """The old manifest entries of episodes whose hash is unchanged and files intact, and the episodes to render."""
    previous = {int(e["day"]): e for e in (old or {}).get("episodes", [])}
    done: dict[int, dict[str, Any]] = {}
    todo: list[Episode] = []
    for e in episodes:
        was = previous.get(e.day)
        if was is not None and was.get("hash") == e.hash and _intact(folder, was):
            done[e.day] = was
        else:
            todo.append(e)
    return done, todo


def _publish_before_rendering(
    out: _Folder,
    done: dict[int, dict[str, Any]],
    todo: Sequence[Episode],
    leaving: Sequence[str],
    episodes: Sequence[Episode],
) -> None:
    """The feed without what is about to change, so it never lists a file being replaced; then the calendar."""
    out.publish(out.manifest(done, _files_of(todo) + list(leaving)))
    for name in leaving:
        (out.folder / name).unlink(missing_ok=True)
    out.publish(out.manifest(done, _files_of(todo)))
    out.write(CALENDAR, calendar_ics(out.manifest(done), [e.entry(0) for e in episodes]))


def _render_days(
    out: _Folder,
    done: dict[int, dict[str, Any]],
    todo: Sequence[Episode],
    workers: int | None,
    progress: Progress,
) -> None:
    """Render the episodes in `todo` into `done`, publishing the feed and manifest after each one."""
    progress.start("Rendering days", len(todo))
    remaining = {e.day: e for e in todo}
    with contextlib.closing(_render_all(todo, out.folder, workers)) as rendered:  # closed at once on Ctrl-C
        for episode, size in rendered:
            done[episode.day] = episode.entry(size)
            remaining.pop(episode.day)
            atomic.COMMITTED.append(out.folder / episode.audio)
            out.publish(out.manifest(done, _files_of(remaining.values())))
            progress.advance()
    progress.finish()


def _old_start(old: dict[str, Any] | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str((old or {}).get("start")))
    except ValueError:
        return None


def _intact(folder: Path, entry: dict[str, Any]) -> bool:
    """The episode's files are all there, the audio of the size the manifest says."""
    try:
        if (folder / str(entry["audio"])).stat().st_size != entry.get("bytes"):
            return False
        return all((folder / str(entry[k])).is_file() for k in ("chapters", "transcript"))
    except (OSError, KeyError):
        return False


def _write_cover(out: _Folder, program: Program, planned: Sequence[PlannedDay], old: dict[str, Any] | None) -> None:
    """cover.png: the program's title and its last day's stretches, drawn again only when those change."""
    stretches = stretch_names(planned[-1])
    subtitle = f"{len(planned)} days"
    key = hashlib.sha256(json.dumps([__version__, program.title, stretches, subtitle]).encode()).hexdigest()
    out.head["cover"] = key
    if old is not None and old.get("cover") == key and (out.folder / COVER).is_file():
        return
    out.write(COVER, draw_cover(program.title, stretches, subtitle, FOLDER_COVER_SIZE))


def _render_all(
    todo: Sequence[Episode], folder: Path, workers: int | None
) -> Generator[tuple[Episode, int], None, None]:
    """Render episodes, yielding each as it finishes: across the cores in worker processes."""
    jobs = [(episode, str(folder)) for episode in todo]
    with contextlib.closing(each_in_processes(_write_in_worker, jobs, workers)) as results:
        for (episode, _), size in results:
            yield episode, size

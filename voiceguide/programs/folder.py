"""A program rendered into a folder: one episode a session day, a podcast feed, a calendar, a manifest.

The layout and the manifest are described in docs/program-folder.md. The
manifest is the folder's truth: the feed and the calendar are renderings of it
(voiceguide/programs/feed.py), and it lists every file voiceguide wrote there, so a
rerun touches only its own files. Each episode carries a content hash over
everything that shapes its bytes (voiceguide/contenthash.py) and a GUID that
never follows it (voiceguide/programid.py); a rerun rebuilds only the episodes
whose hash changed, in worker processes across the cores (sharing the clip
cache), and leaves the others untouched. One run at a time writes a folder
(voiceguide/folderlock.py).

Interrupted at any moment, the folder stays consistent: episodes appear whole
(voiceguide/atomic.py), an episode about to be rebuilt leaves the feed before
its file is replaced, and the feed and manifest are rewritten after each
finished episode, so the next run picks up where this one stopped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import os
import re
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voiceguide import __version__, atomic, inputs, language
from voiceguide.errors import InputError
from voiceguide.files import cover
from voiceguide.programs import contenthash
from voiceguide.programs.episode import Episode, draw_cover, episodes_of, write_in_worker
from voiceguide.programs.feed import calendar_ics, feed_xml
from voiceguide.programs.folderlock import LOCK, folder_lock, held_fd
from voiceguide.programs.plan import PlannedDay, plan_program, stretch_names
from voiceguide.programs.program import Choices, Program, load_program
from voiceguide.programs.programid import kept_guids, program_identity, same_program, slug_for
from voiceguide.programs.workers import Runner, each_in_processes
from voiceguide.session.pipeline import NoProgress, Progress
from voiceguide.sound.engines import Engine
from voiceguide.words.catalog import NEEDS, PREFERENCES
from voiceguide.words.profiles import names as profile_names

MANIFEST = "voiceguide-program.json"
SCHEMA = 1
FEED, COVER, CALENDAR = "feed.xml", "cover.png", "calendar.ics"
FILES = [FEED, COVER, CALENDAR]
DEFAULT_AT = "07:00"
DEFAULT_BASE_URL = "http://localhost:8765/"  # voiceguide serve's DEFAULT_PORT (not imported: Starlette is heavy)
FOLDER_COVER_SIZE = cover.SIZE  # cover.png: podcast directories ask for 1400-3000 px


@dataclass(frozen=True)
class Result:
    folder: Path
    built: list[int]  # day numbers rendered this run
    kept: list[int]  # day numbers left untouched
    removed: list[str]  # files of days no longer in the program
    warnings: tuple[str, ...] = ()  # about the program file (old keys), for the command line to say


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
    ok = ok and all(_texts(data.get(key, [])) for key in ("files", "pending"))
    if not ok or not all(isinstance(e, dict) and isinstance(e.get("day"), int) for e in data["episodes"]):
        raise InputError(f"{path}: is not a schema {SCHEMA} voiceguide program manifest; choose another -o")
    manifest: dict[str, Any] = data
    return manifest


def _texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def claim(folder: Path, force: bool) -> dict[str, Any] | None:
    """The old manifest of a voiceguide folder (None for an empty or new one); others are refused."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: is not a folder; give a folder for the program")
    manifest = read_manifest(folder) if folder.is_dir() else None
    if manifest is None and folder.is_dir() and any(p.name != LOCK for p in folder.iterdir()) and not force:
        raise InputError(
            f"{folder}: is not empty and has no {MANIFEST}, so it is not a voiceguide program folder; "
            "choose an empty or new folder, or add --force to add the program's files beside what is there"
        )
    existing = next(p for p in (folder.absolute(), *folder.absolute().parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"{folder}: {existing} is not a writable folder; choose another folder")
    return manifest


def _make(folder: Path) -> None:
    """The folder, made once the plan is known good (so bad input leaves nothing behind)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot create the folder ({exc.strerror})") from None


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


def remove_stray_parts(folder: Path) -> None:
    """A run's leftover temporary files, removed after it (a batch: a cluster worker killed mid-episode)."""
    manifest = read_manifest(folder)
    if manifest is not None:
        _remove_stray_parts(folder, manifest)


def glob_escape(name: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", name)


def parse_at(text: str) -> str:
    return inputs.parse_at(text)  # the rules the CLI's --at checks too


def check_base_url(text: str) -> str:
    return inputs.check_base_url(text)  # the rules the CLI's --base-url checks too


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
    choices: Choices | None = None,
    runner: Runner | None = None,
) -> Result:
    """Render (or bring up to date) the program folder. See docs/program-folder.md.

    `choices` (--only, --skip, --avoid) narrow every day; they are kept in the
    manifest, so a rerun without them keeps what the person asked for. `runner`
    renders the episodes somewhere else than worker processes of this run's own
    (voiceguide/programs/batch.py: one pool or a cluster for many folders); this
    run still holds the lock and writes the manifest and the feed.
    """
    progress = progress or NoProgress()
    at = parse_at(at) if at is not None else None
    base_url = check_base_url(base_url) if base_url is not None else None
    program = load_program(spec, choices.lang if choices else None)
    identity = program_identity(spec)
    folder = Path(folder)
    claim(folder, force)  # a folder that is not ours is refused before anything is locked or made
    with contextlib.ExitStack() as held:
        if folder.is_dir():
            held.enter_context(folder_lock(folder))  # before the manifest is read: one writer at a time
        old = claim(folder, force)
        job = _Job(spec, program, identity, folder, old, start, at, base_url, engine, progress, choices)
        if not folder.is_dir():
            _make(folder)  # only now: bad input leaves nothing behind
            held.enter_context(folder_lock(folder))
            now = claim(folder, force)
            if now != old:  # another run made the folder meanwhile: plan again from what it wrote
                old = now
                job = _Job(spec, program, identity, folder, old, start, at, base_url, engine, progress, choices)
        return job.run(workers, progress, runner)


def program_language(spec: str | None, folder: Path | None, given: str | None = None) -> str:
    """The language a run would speak the program in, to choose its voice first: --lang, else the folder's
    (for the same program), else the program's own."""
    old = read_manifest(folder) if folder is not None and folder.is_dir() else None
    kept = _kept_choices(old, same_program(old, program_identity(spec), spec), Choices(lang=given)).lang
    return kept or load_program(spec).lang


class _Job:
    """One run's plan for the folder, made under its lock from the manifest it found."""

    def __init__(
        self,
        spec: str | None,
        program: Program,
        identity: str,
        folder: Path,
        old: dict[str, Any] | None,
        start: datetime.date | None,
        at: str | None,
        base_url: str | None,
        engine: Engine,
        progress: Progress,
        choices: Choices | None,
    ):
        same = same_program(old, identity, spec)
        start, at, base_url = _schedule(folder / MANIFEST, old, same, start, at, base_url)
        choices = _kept_choices(old, same, choices)
        if choices.lang is not None and choices.lang != program.lang:  # the folder's --lang, kept
            program = load_program(spec, choices.lang)
        speaks = getattr(engine, "language", program.lang) if engine.name != "none" else program.lang
        if speaks != program.lang:  # a library caller's engine: its voice would read another language
            raise InputError(
                f"the program is spoken in {program.lang} but the {engine.name} engine speaks {speaks}; "
                f"make the engine for {program.lang} (make_engine(..., language=program_language(...)))"
            )
        slug = slug_for(old, same, identity)
        self.program, self.old = program, old
        self.planned = plan_program(program, start, engine, progress, choices)
        self.episodes = episodes_of(program, self.planned, engine, slug, start, kept_guids(old, same, start))
        head = _head(identity, slug, program, start, at, base_url)
        if choices != Choices():
            head["choices"] = {"only": list(choices.only), "skip": list(choices.skip), "avoid": list(choices.avoid)}
            head["choices"] |= {"profile": list(choices.profiles), "check_in": choices.check_in}
            head["choices"] |= {"prefer": choices.prefer} if choices.prefer else {}
            head["choices"] |= {"lang": choices.lang} if choices.lang else {}
        head["guids"] = [e.guid for e in self.episodes]
        self.out = _Folder(folder, head)
        self.done, self.todo = _split_unchanged(folder, old, self.episodes)
        self.leaving = sorted(_owned(old) - set(_files_of(self.episodes)) - set(FILES) - {MANIFEST})
        _refuse_foreign(folder, old, [*FILES, *_files_of(self.episodes)])

    def run(self, workers: int | None, progress: Progress, runner: Runner | None = None) -> Result:
        out, old = self.out, self.old
        if old is not None:
            _remove_stray_parts(out.folder, old)
        _write_cover(out, self.program, self.planned, old, self.done, _files_of(self.todo) + self.leaving)
        _publish_before_rendering(out, self.done, self.todo, self.leaving, self.episodes)
        _render_days(out, self.done, self.todo, workers, progress, runner)
        out.publish(out.manifest(self.done))
        built = sorted(e.day for e in self.todo)
        kept = sorted(set(self.done) - set(built))
        return Result(out.folder, built, kept, self.leaving, self.program.warnings)


def _refuse_foreign(folder: Path, old: dict[str, Any] | None, names: Sequence[str]) -> None:
    """voiceguide replaces only files it wrote: a file of the layout that no manifest lists is the person's."""
    theirs = set(_owned(old)) | {MANIFEST}
    clash = [n for n in names if n not in theirs and os.path.lexists(folder / n)]
    if clash:
        shown = ", ".join(clash[:5]) + (f" and {len(clash) - 5} more" if len(clash) > 5 else "")
        raise InputError(
            f"{folder}: {shown} {'is' if len(clash) == 1 else 'are'} not voiceguide's (no {MANIFEST} lists "
            f"{'it' if len(clash) == 1 else 'them'}) and the program would replace "
            f"{'it' if len(clash) == 1 else 'them'}; move {'it' if len(clash) == 1 else 'them'} away "
            "or choose another -o"
        )


def _schedule(
    path: Path,
    old: dict[str, Any] | None,
    same: bool,
    start: datetime.date | None,
    at: str | None,
    base_url: str | None,
) -> tuple[datetime.date, str, str]:
    """Start day, time of day and base URL: as given, else as the folder's last run had them, else the defaults.

    The old start is kept only for the same program: another program starts afresh today. An old time or
    base URL passes the checks the options do (an edited manifest must not break the feed or the calendar).
    """
    if start is None and same:
        start = _old_start(old)
    return (
        start or datetime.date.today(),
        at or _old_setting(path, old, "at", DEFAULT_AT, parse_at),
        base_url or _old_setting(path, old, "base_url", DEFAULT_BASE_URL, check_base_url),
    )


def _kept_choices(old: dict[str, Any] | None, same: bool, given: Choices | None) -> Choices:
    """The filters as given; else, for the same program, as the folder's last run had them (its "choices").

    The language is kept on its own: --lang alone keeps the filters, other filters alone keep the language.
    """
    kept = old.get("choices") if old and same else None
    kept = kept if isinstance(kept, dict) else {}
    lang = (given.lang if given else None) or (kept.get("lang") if kept.get("lang") in language.languages() else None)
    if given is not None and dataclasses.replace(given, lang=None) != Choices():
        return dataclasses.replace(given, lang=lang)
    if not kept:
        return Choices(lang=lang)

    def names(key: str) -> tuple[str, ...]:
        value = kept.get(key)
        return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

    # Stretch names, given or kept, are checked as they are used (plan_days): a hand-edited one is an error there.
    return Choices(
        only=names("only"),
        skip=names("skip"),
        avoid=tuple(n for n in names("avoid") if n in NEEDS),
        profiles=tuple(n for n in names("profile") if n in profile_names()),
        check_in=kept.get("check_in") is not False,
        prefer=kept.get("prefer") if kept.get("prefer") in PREFERENCES else None,
        lang=lang,
    )


def _old_setting(path: Path, old: dict[str, Any] | None, key: str, default: str, check: Callable[[str], str]) -> str:
    value = old.get(key) if old else None
    if value is None or value == "":
        return default
    try:
        return check(value if isinstance(value, str) else repr(value))
    except InputError as exc:
        why = str(exc).partition(": ")[2]
        option = "--" + key.replace("_", "-")
        raise InputError(f"{path}: its {key} {why.split(';')[0]}; give {option} to set it anew") from None


def _head(identity: str, slug: str, program: Program, start: datetime.date, at: str, base_url: str) -> dict[str, Any]:
    """The manifest's keys before "episodes" (docs/program-folder.md)."""
    return {
        "schema": SCHEMA,
        "generator": f"voiceguide {__version__}",
        "program": identity,
        "slug": slug,
        "title": program.title,
        "description": program.description,
        "lang": program.lang,
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
            done[e.day] = e.entry(int(was["bytes"]))  # the same bytes; the GUID as this run has it
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
    runner: Runner | None = None,
) -> None:
    """Render the episodes in `todo` into `done`, publishing the feed and manifest after each one."""
    progress.start("Rendering days", len(todo))
    remaining = {e.day: e for e in todo}
    with contextlib.closing(_render_all(todo, out.folder, workers, runner)) as rendered:  # closed at once on Ctrl-C
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


def _write_cover(
    out: _Folder,
    program: Program,
    planned: Sequence[PlannedDay],
    old: dict[str, Any] | None,
    done: dict[int, dict[str, Any]],
    pending: list[str],
) -> None:
    """cover.png: the program's title and its last day's stretches, drawn again only when those change.

    The manifest naming cover.png as voiceguide's is written before the cover itself, so a run killed
    in between leaves a folder the next run knows as its own.
    """
    stretches = stretch_names(planned[-1])
    with language.speaking(program.lang):
        subtitle = language.n_("{n} day", "{n} days", len(planned)).format(n=len(planned))
    key = contenthash.digest([program.title, stretches, subtitle, FOLDER_COVER_SIZE])
    drawn = old is not None and old.get("cover") == key and (out.folder / COVER).is_file()
    was = (old or {}).get("cover")
    if drawn or was is not None:
        out.head["cover"] = key if drawn else was  # the old key until the new cover is in place
    out.publish(out.manifest(done, pending))
    if not drawn:
        out.write(COVER, draw_cover(program.title, stretches, subtitle, FOLDER_COVER_SIZE))
        out.head["cover"] = key


def _render_all(
    todo: Sequence[Episode], folder: Path, workers: int | None, runner: Runner | None = None
) -> Generator[tuple[Episode, int], None, None]:
    """Render episodes, yielding each as it finishes: across the cores in worker processes (or the runner's)."""
    jobs = [(episode, str(folder)) for episode in todo]
    if runner is not None:
        each = runner.each(write_in_worker, jobs)
    else:
        each = each_in_processes(write_in_worker, jobs, workers, keep_open=held_fd())
    with contextlib.closing(each) as results:
        for (episode, _), size in results:
            yield episode, size

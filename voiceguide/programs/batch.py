"""Many people's programs at once: a roster rendered into one program folder per person (`voiceguide batch`).

The coordinator (this process) reads the roster (voiceguide/programs/roster.py),
then works in three steps; docs/batch.md tells the whole story:

1. Plan: every person's program is loaded and their days planned; a person
   whose program file is bad fails here, alone, and the others go on.
2. Speech: every distinct text for one voice, across the whole batch, is
   spoken once, the texts spread over the workers (`speak_in_worker`), into
   the shared clip cache; the batch counts the clips it synthesized and reused.
3. Render: two people at a time (one planned here while the other's episodes
   render), the coordinator holds each folder's lock and
   writes its manifest and feed (voiceguide/programs/folder.py, the very code of
   `voiceguide program`, so each folder is what `program` makes for that
   person); the episodes go to the runner: a local pool of worker processes
   (workers.WorkerPool) or a Dask cluster (voiceguide/programs/cluster.py). After
   each person the batch manifest and the index are written again.

Each person's folder is `DIR/<token>/`, a random token kept in the batch
manifest (`voiceguide-batch.json`) so that a feed's URL cannot be guessed from
a name; `index.csv` is the clinician's list (person, folder, feed, days,
status, error). A person no longer in the roster keeps their folder until
`prune`.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime
import io
import json
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voiceguide import __version__, atomic
from voiceguide.atomic import atomic_path
from voiceguide.audio import wav_seconds
from voiceguide.errors import EXIT_ENVIRONMENT, EXIT_INPUT, EnvironmentFailure, InputError, VoiceguideError
from voiceguide.inputs import check_base_url
from voiceguide.programs.folder import DEFAULT_BASE_URL, MANIFEST, read_manifest, remove_stray_parts, render_program
from voiceguide.programs.folderlock import LOCK, folder_lock
from voiceguide.programs.program import plan_days
from voiceguide.programs.roster import Person, load_roster
from voiceguide.programs.workers import Runner
from voiceguide.sound.cache import clip_path
from voiceguide.sound.engines import Engine, make_engine
from voiceguide.sound.speech import CLIP_PROCESSING, Speech
from voiceguide.words.timeline import spoken_texts

BATCH_MANIFEST = "voiceguide-batch.json"
INDEX = "index.csv"
SCHEMA = 1
TOKEN_BYTES = 16  # 128 bits: a feed URL nobody guesses
INDEX_COLUMNS = ("person", "folder", "feed", "days", "status", "built", "error")
IN_FLIGHT = 2  # people rendered at once: one planning in this process while the other's episodes render


@dataclass
class Outcome:
    """One person's line of the index."""

    person: str
    token: str
    feed: str = ""
    days: int = 0
    status: str = "pending"  # built, unchanged, failed, not in roster
    built: int = 0
    error: str = ""
    exit_code: int = 0  # of a failure: 2 bad input (their program), 1 the environment

    def row(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "folder": self.token + "/",
            "feed": self.feed,
            "days": self.days,
            "status": self.status,
            "built": self.built,
            "error": self.error,
        }


@dataclass
class BatchResult:
    folder: Path
    outcomes: list[Outcome]
    synthesized: int = 0
    reused: int = 0
    pruned: list[str] = field(default_factory=list)
    episodes_built: int = 0
    episodes_kept: int = 0

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def exit_code(self) -> int:
        codes = {o.exit_code for o in self.failed}
        return EXIT_ENVIRONMENT if EXIT_ENVIRONMENT in codes else EXIT_INPUT if codes else 0

    def summary(self) -> str:
        count = {s: sum(o.status == s for o in self.outcomes) for s in ("built", "unchanged", "failed")}
        people = count["built"] + count["unchanged"] + count["failed"]
        left = sum(o.status == "not in roster" for o in self.outcomes)
        extra = f", {left} not in the roster kept (--prune removes them)" if left else ""
        extra += f", {len(self.pruned)} pruned" if self.pruned else ""
        return (
            f"Batch {self.folder}: {people} people ({count['built']} built, {count['unchanged']} unchanged, "
            f"{count['failed']} failed{extra}); episodes: {self.episodes_built} built, {self.episodes_kept} "
            f"unchanged; speech clips: {self.synthesized} synthesized, {self.reused} reused; index: "
            f"{self.folder / INDEX}"
        )


Say = Callable[[str], None]  # a progress line for stderr


def render_batch(
    roster: Path,
    folder: Path,
    engine: str = "auto",
    *,
    base_url: str | None = None,
    runner: Runner | None = None,
    workers: int = 1,
    prune: bool = False,
    say: Say | None = None,
) -> BatchResult:
    """Render every person of the roster into `folder/<token>/`; see the module's docstring.

    `runner` renders the episodes and the speech (None: in this process); `workers`
    is how many it runs at once, to split the speech between them. Bad roster
    input raises InputError before anything is written; a person who fails is
    an Outcome with status "failed", and the others go on.
    """
    say = say or (lambda line: None)
    people = [_spoken_in(p) for p in load_roster(roster)]
    base = check_base_url(base_url) if base_url is not None else DEFAULT_BASE_URL
    engines = _engines(people, engine)
    old = _claim(folder)
    if not folder.is_dir():
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            raise InputError(f"{folder}: cannot create the folder ({exc.strerror})") from None
    with folder_lock(folder):
        old = _claim(folder)
        tokens = _tokens(old)
        result = BatchResult(folder, [])
        outcomes = {p.id: Outcome(p.id, tokens.get(p.id) or secrets.token_hex(TOKEN_BYTES)) for p in people}
        for name, token in tokens.items():
            if name not in outcomes:
                outcomes[name] = Outcome(name, token, status="not in roster")
        result.outcomes = list(outcomes.values())
        _write(folder, base, result)  # every token is kept before any folder is made
        texts = _plan(people, engines, outcomes, say)
        result.synthesized, result.reused = _speak(texts, engines, runner, workers, say)
        lock = threading.Lock()
        finished = 0

        def render(person: Person) -> None:
            nonlocal finished
            outcome = outcomes[person.id]
            if outcome.status != "failed":
                _render_person(person, engines[_voice(person)], folder, base, outcome, runner, result, lock)
            with lock:
                finished += 1
                say(f"[{finished}/{len(people)}] {person.id}: {_said(outcome)}")
                _write(folder, base, result)
                _committed_as_folder(folder / outcome.token)

        # Two people at once keep the workers busy while the coordinator plans the next person.
        _each_person(render, people, runner, IN_FLIGHT if runner is not None and workers > 1 else 1)
        if prune:
            _prune(folder, result)
            _write(folder, base, result)
    return result


def _each_person(render: Callable[[Person], None], people: Sequence[Person], runner: Runner | None, n: int) -> None:
    """`render` for every person, `n` at a time in threads; on Ctrl-C the runner stops and every thread unwinds."""
    if n == 1:
        for person in people:
            render(person)
        return
    with ThreadPoolExecutor(n, thread_name_prefix="voiceguide-person") as threads:
        futures = [threads.submit(render, person) for person in people]
        try:
            for future in as_completed(futures):
                future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            if runner is not None:
                runner.stop()
            wait(futures)  # each person under way lets go of their folder's lock before this run ends
            raise


def _committed_as_folder(person: Path) -> None:
    """The person's episodes named once, by their folder, in what a stopped run says it wrote (atomic.COMMITTED)."""
    inside = [p for p in atomic.COMMITTED if p.parent == person]
    if inside:
        atomic.COMMITTED[:] = [p for p in atomic.COMMITTED if p.parent != person] + [person]


VoiceKey = tuple[str | None, str]  # a roster's voice (None: the engine's default) and the language it speaks


def _voice(person: Person) -> VoiceKey:
    return person.voice, person.language or "en"


def _spoken_in(person: Person) -> Person:
    """The person with the language they are spoken to in (for their voice): the roster's, else their
    program's own. Their choices keep only the roster's, so the folder is what `program` makes."""
    from voiceguide.programs.program import load_program

    if person.language is None:
        try:
            return dataclasses.replace(person, language=load_program(person.program).lang)
        except VoiceguideError:
            pass  # a bad program fails the person when the batch plans them
    return person


def _engines(people: Sequence[Person], name: str) -> dict[VoiceKey, Engine]:
    """One engine per voice and language the roster names, each checked now (a bad voice is bad roster input)."""
    engines: dict[VoiceKey, Engine] = {}
    for person in people:
        if _voice(person) not in engines:
            try:
                made = make_engine(name, voice=person.voice, language=_voice(person)[1])
                made.identity()
            except InputError as exc:
                raise InputError(f"{person.where}, voice: {exc}") from None
            engines[_voice(person)] = made
    return engines


def _claim(folder: Path) -> dict[str, Any] | None:
    """The batch manifest of a batch folder; None for a new or empty folder; any other folder is refused."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: is not a folder; give a folder for the batch")
    path = folder / BATCH_MANIFEST
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: is not a readable batch manifest ({exc}); choose another -o") from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("people"), list):
            raise InputError(f"{path}: is not a schema {SCHEMA} voiceguide batch manifest; choose another -o")
        manifest: dict[str, Any] = data
        return manifest
    if folder.is_dir() and any(p.name != LOCK for p in folder.iterdir()):
        raise InputError(
            f"{folder}: is not empty and has no {BATCH_MANIFEST}, so it is not a voiceguide batch folder; "
            "choose an empty or new folder"
        )
    return None


def _tokens(old: dict[str, Any] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in (old or {}).get("people", []):
        if isinstance(entry, dict):
            person, token = entry.get("person"), str(entry.get("folder", "")).rstrip("/")
            if isinstance(person, str) and len(token) == 2 * TOKEN_BYTES and token.isalnum():
                out[person] = token
    return out


def _plan(
    people: Sequence[Person], engines: dict[VoiceKey, Engine], outcomes: dict[str, Outcome], say: Say
) -> dict[VoiceKey, list[str]]:
    """Every distinct text each voice will speak; a person whose program is bad fails here."""
    from voiceguide.programs.program import load_program

    texts: dict[VoiceKey, dict[str, None]] = {voice: {} for voice in engines}
    for person in people:
        try:
            program = load_program(person.program, person.choices.lang)
            days = plan_days(program, person.start or datetime.date.today(), choices=person.choices)
        except VoiceguideError as exc:
            _failed(outcomes[person.id], exc)
            continue
        outcomes[person.id].days = len(days)
        if engines[_voice(person)].name != "none":
            for day in days:
                texts[_voice(person)].update(dict.fromkeys(spoken_texts(day.shaped)))
    planned = sum(o.status != "failed" for o in outcomes.values() if o.status != "not in roster")
    say(f"Planned {planned} of {len(people)} people; {sum(map(len, texts.values()))} distinct texts to speak")
    return {voice: list(found) for voice, found in texts.items()}


def _speak(
    texts: dict[VoiceKey, list[str]],
    engines: dict[VoiceKey, Engine],
    runner: Runner | None,
    workers: int,
    say: Say,
) -> tuple[int, int]:
    """Speak every missing text once, spread over the workers; (clips synthesized, clips reused)."""
    synthesized = reused = 0
    for voice, wanted in texts.items():
        engine = engines[voice]
        if engine.name == "none" or not wanted:
            continue
        identity = f"{engine.identity()}|{CLIP_PROCESSING}"
        missing = [t for t in wanted if wav_seconds(clip_path(identity, t)) is None]
        synthesized += len(missing)
        reused += len(wanted) - len(missing)
        if not missing:
            continue
        say(f"Speaking {len(missing)} new clips ({engine.name}, {engine.default_voice_id()})")
        parts = max(1, min(workers, len(missing)))
        jobs = [(engine.name, voice, tuple(missing[i::parts])) for i in range(parts)]  # voice: (voice, language)
        if runner is None or parts == 1:
            Speech(engine).prepare(missing)
        else:
            with contextlib.closing(runner.each(speak_in_worker, jobs)) as spoken:
                for _ in spoken:
                    pass
    return synthesized, reused


def speak_in_worker(job: tuple[str, VoiceKey, tuple[str, ...]]) -> int:
    """In a worker: speak these texts into the shared clip cache (the batch's speech step)."""
    name, (voice, lang), texts = job
    Speech(make_engine(name, voice=voice, language=lang)).prepare(texts)
    return len(texts)


def _render_person(
    person: Person,
    engine: Engine,
    folder: Path,
    base: str,
    outcome: Outcome,
    runner: Runner | None,
    result: BatchResult,
    lock: threading.Lock,
) -> None:
    """The person's program folder, as `voiceguide program` makes it; a failure is the person's outcome."""
    outcome.feed = f"{base}{outcome.token}/feed.xml"
    try:
        done = render_program(
            person.program, folder / outcome.token, engine, start=person.start, at=person.at,
            base_url=f"{base}{outcome.token}/", choices=person.choices, runner=runner, workers=1,
        )  # fmt: skip
    except VoiceguideError as exc:
        _failed(outcome, exc)
        return
    except OSError as exc:
        _failed(outcome, EnvironmentFailure(f"{exc.filename or folder}: {exc.strerror or exc}"))
        return
    remove_stray_parts(folder / outcome.token)  # a task run again elsewhere left its first try's temporary file
    with lock:
        outcome.days = len(done.built) + len(done.kept)
        outcome.built = len(done.built)
        outcome.status = "built" if done.built or done.removed else "unchanged"
        outcome.error = ""
        result.episodes_built += len(done.built)
        result.episodes_kept += len(done.kept)


def _failed(outcome: Outcome, exc: VoiceguideError) -> None:
    outcome.status = "failed"
    outcome.error = str(exc)
    outcome.exit_code = exc.exit_code


def _said(outcome: Outcome) -> str:
    if outcome.status == "failed":
        return f"failed: {outcome.error}"
    return f"{outcome.days} days ({outcome.built} built, {outcome.days - outcome.built} unchanged)"


def _prune(folder: Path, result: BatchResult) -> None:
    """Remove the folders of people no longer in the roster (only folders voiceguide wrote)."""
    kept = []
    for outcome in result.outcomes:
        if outcome.status != "not in roster":
            kept.append(outcome)
            continue
        path = folder / outcome.token
        if path.is_dir() and not path.is_symlink() and (path / MANIFEST).is_file():
            read_manifest(path)  # refuses a folder that is not a program folder
            shutil.rmtree(path)
        result.pruned.append(outcome.person)
    result.outcomes = kept


def _write(folder: Path, base: str, result: BatchResult) -> None:
    """The batch manifest (tokens and statuses) and the index, each renamed into place whole."""
    rows = [o.row() for o in result.outcomes]
    manifest = {
        "schema": SCHEMA,
        "generator": f"voiceguide {__version__}",
        "base_url": base,
        "updated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "people": rows,
    }
    with atomic_path(folder / BATCH_MANIFEST, record=False) as tmp:
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with atomic_path(folder / INDEX, record=False) as tmp:
        tmp.write_text(index_csv(rows), encoding="utf-8")


def index_csv(rows: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, INDEX_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def read_index(folder: Path) -> Iterator[dict[str, str]]:
    """The index's rows, as the clinician's spreadsheet reads them."""
    with (folder / INDEX).open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)

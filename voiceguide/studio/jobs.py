"""Builds started from the studio's page: one at a time in a bounded queue, with progress the page polls, and cancel.

A build is `plan_session` then `render_session`, the functions `voiceguide
build` calls (a program: `render_program`), run one after another on a
worker thread; at most MAX_WAITING wait behind the one running (Busy, 409,
beyond that). Progress comes through the
pipeline's Progress protocol; cancel is a flag its `advance` checks, so a
cancelled build stops at the next clip or chunk by raising, and export.py's
staged files are removed as for any build that stops: nothing is left
half-written. The speech engine is used by one thread at a time (`speaking`),
shared with the page's previews.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voiceguide.errors import InputError, VoiceguideError
from voiceguide.files.outputs import Outputs
from voiceguide.files.script import summary
from voiceguide.session.pipeline import plan_session, render_session
from voiceguide.sound.engines import Engine
from voiceguide.words.routine import Routine

SIDECARS = (".vtt", ".chapters.json")  # written beside each MP3, for a player's captions and chapters
STOP_SECONDS = 10.0  # how long a stopping server waits for a cancelled build to clean up
MAX_WAITING = 4  # builds queued behind the running one
KEEP = 20  # finished jobs the page may still ask about


Work = Callable[["JobProgress"], tuple[str, list[str]]]  # a job: (message, names written in the folder)


class Cancelled(Exception):
    """Raised from Progress.advance once the person pressed Cancel."""


class Busy(InputError):
    """A build asked for while the queue is full."""


@dataclass
class Job:
    """One build, as the page sees it (`as_json`)."""

    number: int
    stem: str
    state: str = "waiting"  # waiting, running, done, failed, cancelled
    label: str = "Waiting for the build before it"
    done: int = 0
    total: int = 0
    message: str = ""
    files: list[str] = field(default_factory=list)
    cancel: threading.Event = field(default_factory=threading.Event)
    stopped: str = "Cancelled: nothing was written."  # the message of a cancel while it runs

    def as_json(self) -> dict[str, Any]:
        return {
            "job": self.number,
            "state": self.state,
            "label": self.label,
            "done": self.done,
            "total": self.total,
            "message": self.message,
            "files": list(self.files),
        }


class JobProgress:
    """The pipeline's Progress, recorded on the job; raises Cancelled once cancel is asked."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def start(self, label: str, total: int) -> None:
        self._check()
        self.job.label, self.job.done, self.job.total = label, 0, total

    def advance(self, n: int = 1) -> None:
        self._check()
        self.job.done = min(self.job.done + n, self.job.total)

    def finish(self) -> None:
        self.job.done = self.job.total

    def _check(self) -> None:
        if self.job.cancel.is_set():
            raise Cancelled


class Builds:
    """The studio's builds into `folder`: a queue run by one worker thread; recent jobs kept for the page."""

    def __init__(self, folder: Path, engine: Callable[[int | None], Engine]) -> None:
        self.folder = folder
        self.engine = engine  # the engine at a rate (None: its default), made on first use
        self.speaking = threading.Lock()  # one synthesis at a time: previews and builds share the engine
        self.lock = threading.Lock()
        self.jobs: dict[int, Job] = {}
        self.queue: deque[tuple[Job, Work]] = deque()
        self.thread: threading.Thread | None = None
        self.count = 0
        self.written: set[str] = set()  # names the studio wrote in `folder`, which it may serve back

    def plan(self, routine: Routine, progress: JobProgress | None = None, rate: int | None = None) -> Any:
        with self.speaking:
            return plan_session(routine, self.engine(rate), progress)

    def start(self, work: Work, stem: str, stopped: str = "Cancelled: nothing was written.") -> Job:
        """Queue `work`; it runs once the builds before it are done. Busy when MAX_WAITING already wait.

        `stopped`: what the page says when it is cancelled while running.
        """
        with self.lock:
            if len(self.queue) >= MAX_WAITING:
                raise Busy(f"{MAX_WAITING} builds are waiting already; wait for one to finish, or cancel one")
            self.count += 1
            job = Job(self.count, stem, stopped=stopped)
            self.jobs[job.number] = job
            for old in [n for n, j in self.jobs.items() if j.state not in ("waiting", "running")][:-KEEP]:
                del self.jobs[old]
            self.queue.append((job, work))
            if self.thread is None:
                self.thread = threading.Thread(target=self._work, daemon=True, name="studio-builds")
                self.thread.start()
            return job

    def start_session(
        self, routine: Routine, stem: str, also: tuple[str, ...] = (), rate: int | None = None, music: str | None = None
    ) -> Job:
        """Build the routine as STEM.mp3 and its sidecars; `also`: files written for it (its TOML), listed with them.

        `rate` and `music`: as `build --rate --music`.
        """

        def work(progress: JobProgress) -> tuple[str, list[str]]:
            audio, vtt, chapters = (self.folder / name for name in sidecar_names(stem))
            outputs = Outputs.checked(audio, vtt=vtt, chapters=chapters, force=True)
            plan = self.plan(routine, progress, rate)
            render_session(plan, outputs, progress, music=music)
            return f"Wrote {audio.name}: {summary(plan.timeline)}", [*sidecar_names(stem), *also]

        return self.start(work, stem)

    def current(self, number: int | None = None) -> Job | None:
        """Job `number`, or the latest."""
        if number is not None:
            return self.jobs.get(number)
        return self.jobs[max(self.jobs)] if self.jobs else None

    def cancel(self, number: int | None = None) -> Job | None:
        """Cancel job `number` (or the latest): a waiting one never starts, a running one stops at its next step."""
        with self.lock:
            job = self.current(number)
            if job is not None and job.state in ("waiting", "running"):
                job.cancel.set()
                if job.state == "waiting":
                    job.state, job.message = "cancelled", "Cancelled before it started: nothing was written."
            return job

    def stop(self) -> None:
        """Cancel every build and wait for the running one to remove its staged files (Ctrl-C)."""
        with self.lock:
            numbers = [job.number for job, _ in self.queue]
            thread = self.thread
        for number in numbers:
            self.cancel(number)
        for job in list(self.jobs.values()):
            if job.state == "running":
                job.cancel.set()
        if thread is not None:
            thread.join(STOP_SECONDS)

    def _work(self) -> None:
        while True:
            with self.lock:
                if not self.queue:
                    self.thread = None
                    return
                job, work = self.queue.popleft()
                if job.cancel.is_set():
                    continue
                job.state, job.label = "running", "Starting"
            self._run(job, work)

    def _run(self, job: Job, work: Work) -> None:
        try:
            message, files = work(JobProgress(job))
        except Cancelled:
            job.state, job.message = "cancelled", job.stopped
        except VoiceguideError as exc:
            job.state, job.message = "failed", str(exc)
        except Exception as exc:  # noqa: BLE001 - the page says what failed; the server goes on
            job.state, job.message = "failed", f"internal error ({type(exc).__name__}: {exc})"
        else:
            job.files = files
            self.written.update(files)
            job.state, job.message = "done", message


def sidecar_names(stem: str) -> list[str]:
    """The files one build writes: the MP3 first, then its sidecars."""
    return [f"{stem}.mp3", *(f"{stem}{suffix}" for suffix in SIDECARS)]

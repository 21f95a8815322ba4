"""Builds started from the studio's page: one at a time, with progress the page polls, and cancel.

A build is `plan_session` then `render_session`, the functions `voiceguide
build` calls, run on a thread of its own. Progress comes through the
pipeline's Progress protocol; cancel is a flag its `advance` checks, so a
cancelled build stops at the next clip or chunk by raising, and export.py's
staged files are removed as for any build that stops: nothing is left
half-written. The speech engine is used by one thread at a time (`speaking`),
shared with the page's previews.
"""

from __future__ import annotations

import threading
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


Work = Callable[["JobProgress"], tuple[str, list[str]]]  # a job: (message, names written in the folder)


class Cancelled(Exception):
    """Raised from Progress.advance once the person pressed Cancel."""


class Busy(InputError):
    """A second build while one runs."""


@dataclass
class Job:
    """One build, as the page sees it (`as_json`)."""

    number: int
    stem: str
    state: str = "running"  # running, done, failed, cancelled
    label: str = "Starting"
    done: int = 0
    total: int = 0
    message: str = ""
    files: list[str] = field(default_factory=list)
    cancel: threading.Event = field(default_factory=threading.Event)

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
    """The studio's builds into `folder`: one at a time; the last one kept for the page to ask about."""

    def __init__(self, folder: Path, engine: Callable[[], Engine]) -> None:
        self.folder = folder
        self.engine = engine  # made on first use, on the thread that speaks
        self.speaking = threading.Lock()  # one synthesis at a time: previews and builds share the engine
        self.lock = threading.Lock()
        self.job: Job | None = None
        self.thread: threading.Thread | None = None
        self.count = 0
        self.written: set[str] = set()  # names the studio wrote in `folder`, which it may serve back

    def plan(self, routine: Routine, progress: JobProgress | None = None) -> Any:
        with self.speaking:
            return plan_session(routine, self.engine(), progress)

    def start(self, work: Work, stem: str) -> Job:
        """Run `work` on a thread of its own as the one job; Busy while another runs."""
        with self.lock:
            if self.running():
                raise Busy("a build is running; wait for it or cancel it first")
            self.count += 1
            job = Job(self.count, stem)
            self.job = job
            self.thread = threading.Thread(target=self._run, args=(job, work), daemon=True, name="studio-build")
            self.thread.start()
            return job

    def start_session(self, routine: Routine, stem: str, also: tuple[str, ...] = ()) -> Job:
        """Build the routine as STEM.mp3 and its sidecars; `also`: files written for it (its TOML), listed with them."""

        def work(progress: JobProgress) -> tuple[str, list[str]]:
            audio, vtt, chapters = (self.folder / name for name in sidecar_names(stem))
            outputs = Outputs.checked(audio, vtt=vtt, chapters=chapters, force=True)
            plan = self.plan(routine, progress)
            render_session(plan, outputs, progress)
            return f"Wrote {audio.name}: {summary(plan.timeline)}", [*sidecar_names(stem), *also]

        return self.start(work, stem)

    def running(self) -> bool:
        return self.job is not None and self.job.state == "running"

    def current(self) -> Job | None:
        return self.job

    def cancel(self) -> Job | None:
        job = self.job
        if job is not None and job.state == "running":
            job.cancel.set()
        return job

    def stop(self) -> None:
        """Cancel a running build and wait for it to remove its staged files (Ctrl-C)."""
        self.cancel()
        if self.thread is not None:
            self.thread.join(STOP_SECONDS)

    def _run(self, job: Job, work: Work) -> None:
        try:
            message, files = work(JobProgress(job))
        except Cancelled:
            job.state, job.message = "cancelled", "Cancelled: nothing was written."
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

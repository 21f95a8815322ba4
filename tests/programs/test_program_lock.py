"""One writer per program folder, and workers that end with the run that started them.

Real processes throughout: two `voiceguide program` runs on one folder, a run
killed with SIGKILL while its workers render, and a small script whose worker
outlives its parent for a moment (it holds SIGTERM back) to show that the
folder's lock is free again only once that worker has exited
(voiceguide/folderlock.py, voiceguide/workers.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest

from voiceguide.errors import InputError
from voiceguide.programs import folderlock
from voiceguide.programs.folder import MANIFEST, render_program
from voiceguide.programs.folderlock import LOCK, folder_lock
from voiceguide.serve.inventory import program_inventory
from voiceguide.sound.engines import make_engine

ROOT = Path(__file__).resolve().parent.parent


def env_for(mark: Path, cache: Path) -> dict[str, str]:
    # The mark finds this test's processes afterwards: workers and their ffmpeg inherit the environment.
    return dict(os.environ, PYTHONPATH=str(ROOT), VOICEGUIDE_CACHE_DIR=str(cache), VOICEGUIDE_TEST_MARK=str(mark))


def processes_with(mark: Path) -> list[int]:
    """Processes still running with this test's VOICEGUIDE_TEST_MARK."""
    wanted = f"VOICEGUIDE_TEST_MARK={mark}".encode()
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if wanted in (proc / "environ").read_bytes().split(b"\0"):
                    pids.append(int(proc.name))
            except OSError:
                continue
    return pids


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def listing(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


@pytest.mark.slow
def test_a_second_run_is_refused_with_the_first_runs_pid_and_the_first_completes(tmp_path, shared_cache):
    out = tmp_path / "out"
    args = [sys.executable, "-m", "voiceguide", "program", "daily-anywhere", "-o", str(out), "--start", "2026-11-30"]
    env = env_for(tmp_path, shared_cache)
    first = subprocess.Popen(
        [*args, "--engine", "pyttsx3"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for(lambda: (out / MANIFEST).exists() or first.poll() is not None, 120, "the first run never started")
        assert first.poll() is None, "the first run ended before a second could meet it"
        second = subprocess.run([*args, "--engine", "none"], env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2, second.stderr
        assert f"another 'voiceguide program' run (pid {first.pid}, since " in second.stderr
        assert "is writing this folder" in second.stderr and len(second.stderr.splitlines()) == 1
        assert second.stdout == ""
        said, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    assert "(7 built, 0 unchanged)" in said
    manifest = json.loads((out / MANIFEST).read_text())
    assert [e["day"] for e in manifest["episodes"]] == list(range(1, 8))
    entries = feedparser.parse(str(out / "feed.xml")).entries
    assert [int(e.enclosures[0].length) for e in entries] == [
        (out / e["audio"]).stat().st_size for e in manifest["episodes"]
    ]
    assert not (out / LOCK).exists()  # removed as the run ends


@pytest.mark.slow
def test_sigkill_of_the_run_ends_its_workers_and_nothing_more_is_renamed_in(tmp_path, shared_cache):
    out = tmp_path / "out"
    args = [sys.executable, "-m", "voiceguide", "program", "daily-anywhere", "-o", str(out), "--start", "2026-11-30"]
    env = env_for(tmp_path, shared_cache)
    run = subprocess.Popen([*args, "--engine", "pyttsx3"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(
            lambda: '"day": 1' in ((out / MANIFEST).read_text(errors="replace") if (out / MANIFEST).exists() else ""),
            180,
            "the first episode never arrived",
        )
        workers = [p for p in processes_with(tmp_path) if p != run.pid]
        assert workers, "no worker processes to outlive the run"
        run.send_signal(signal.SIGKILL)
        run.wait(10)
        at_kill = listing(out)
    finally:
        if run.poll() is None:
            run.kill()
    started = time.monotonic()
    wait_for(lambda: not processes_with(tmp_path), 5, f"workers outlived the run: {processes_with(tmp_path)}")
    gone_after = time.monotonic() - started
    time.sleep(1)
    after = listing(out)
    renamed = {n for n in after if n not in at_kill or after[n] != at_kill[n]}
    assert not renamed, f"renamed into the folder after the kill: {renamed}"
    assert not [n for n in after if n.endswith(".part")]
    assert gone_after < 5

    # The killed run's lock file is left; it is not the person's, not in the manifest, not served.
    assert (out / LOCK).exists()
    assert LOCK not in (out / MANIFEST).read_text() and LOCK not in (out / "feed.xml").read_text()
    assert LOCK not in program_inventory(out, out / MANIFEST, lambda path: None).files
    rerun = subprocess.run([*args[:-2], "--engine", "pyttsx3"], env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr  # the lock is taken over at once: nothing of the old run holds it
    assert [e["day"] for e in json.loads((out / MANIFEST).read_text())["episodes"]] == list(range(1, 8))
    assert not (out / LOCK).exists()


LINGER = """
import os, signal, sys, time
from pathlib import Path

from voiceguide.programs.folderlock import folder_lock, held_fd
from voiceguide.programs.workers import each_in_processes


def linger(n):
    # Holds back the SIGTERM its parent's death sends, so it outlives the parent by a moment.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    Path(sys.argv[1], f"worker-{n}").write_text(str(os.getpid()))
    time.sleep(float(sys.argv[2]))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    return n


if __name__ == "__main__":
    with folder_lock(Path(sys.argv[1])):
        for _ in each_in_processes(linger, [1, 2], workers=2, keep_open=held_fd()):
            pass
"""


def _kill_a_run_with_lingering_workers(tmp_path: Path, linger: float) -> tuple[Path, int, list[int]]:
    folder = tmp_path / "folder"
    folder.mkdir()
    script = tmp_path / "linger.py"
    script.write_text(LINGER, encoding="utf-8")
    run = subprocess.Popen([sys.executable, str(script), str(folder), str(linger)], env=env_for(tmp_path, tmp_path))
    try:
        wait_for(lambda: len(list(folder.glob("worker-*"))) == 2, 60, "the workers never started")
        run.send_signal(signal.SIGKILL)
        run.wait(10)
    finally:
        if run.poll() is None:
            run.kill()
    return folder, run.pid, [int(p.read_text()) for p in folder.glob("worker-*")]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_runs_lock_is_taken_over_only_once_its_workers_are_gone(tmp_path):
    folder, parent, workers = _kill_a_run_with_lingering_workers(tmp_path, linger=2.0)
    assert all(_alive(w) for w in workers)  # the parent is gone, its workers are not yet
    with folder_lock(folder):
        assert not any(_alive(w) for w in workers)
        assert json.loads((folder / LOCK).read_text())["pid"] == os.getpid()
    assert not (folder / LOCK).exists()


def test_workers_that_hold_on_are_named_once_the_wait_is_over(tmp_path, monkeypatch):
    monkeypatch.setattr(folderlock, "WAIT_FOR_LEFTOVERS", 0.3)
    folder, parent, workers = _kill_a_run_with_lingering_workers(tmp_path, linger=4.0)
    with pytest.raises(InputError) as caught:
        with folder_lock(folder):
            pass
    message = str(caught.value)
    assert f"the workers of a stopped 'voiceguide program' run (pid {parent}, since " in message
    assert "run again once they have exited" in message
    wait_for(lambda: not any(_alive(w) for w in workers), 10, "the workers never ended")


def test_a_lock_file_left_behind_does_not_make_the_folder_someone_elses(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK).write_text('{"pid": 999999999, "since": "2026-11-30 07:00:00"}\n')  # a run killed at once
    (tmp_path / "short.toml").write_text(
        'title = "Short"\n[defaults]\nget_ready = 2\n[[steps]]\nstretch = "forward bend"\n', encoding="utf-8"
    )
    (tmp_path / "p.toml").write_text('title = "P"\ndays = 1\n[[phases]]\nroutine = "short.toml"\nhold = 5\n')
    result = render_program(str(tmp_path / "p.toml"), out, make_engine("none"), workers=1)
    assert result.built == [1]
    assert LOCK not in {p.name for p in out.iterdir()}

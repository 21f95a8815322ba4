"""`voiceguide batch`: one program folder per person, each what `voiceguide program` makes for them.

Most cases render short three-day programs with the chimes-only engine in one
worker (a batch of two people takes a few seconds); the speech cases speak
with eSpeak (milliseconds a clip). The Dask cases are in test_batch_dask.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import feedparser
import pytest
from clirun import run

from voiceguide.programs.batch import BATCH_MANIFEST, INDEX, read_index, render_batch
from voiceguide.programs.workers import WorkerPool

SHORT = 'title = "Short"\n[defaults]\nget_ready = 2\n[[steps]]\nstretch = "forward bend"\n[[steps]]\nstretch = "wall"\n'
WEEK = """title = "Test week"
description = "Three short days."
days = 3
rest_days = ["saturday", "sunday"]

[[phases]]
days = 2
routine = "short.toml"
hold = [5, 6]

[[phases]]
routine = "short.toml"
hold = 7
"""
ROSTER = "id,program,start,avoid\nann,week.toml,2026-11-27,\nben,week.toml,2026-11-30,inversion\n"
URL = "https://clinic.example/stretch/"


@pytest.fixture
def here(tmp_path: Path) -> Path:
    (tmp_path / "short.toml").write_text(SHORT, encoding="utf-8")
    (tmp_path / "week.toml").write_text(WEEK, encoding="utf-8")
    (tmp_path / "bad.toml").write_text('title = "Bad"\n', encoding="utf-8")
    (tmp_path / "people.csv").write_text(ROSTER, encoding="utf-8")
    return tmp_path


def batch(here: Path, *extra: object, roster: str = "people.csv", engine: str = "none"):
    return run("batch", here / roster, "-o", here / "out", "--engine", engine, "--workers", 1, *extra)


def index(here: Path) -> dict[str, dict[str, str]]:
    return {row["person"]: row for row in read_index(here / "out")}


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def test_each_folder_is_exactly_what_program_makes_for_that_person(here):
    result = batch(here, "--base-url", URL)
    assert result.exit_code == 0, result.stderr
    ben = index(here)["ben"]
    mine = here / "program"
    alone = run(
        "program", here / "week.toml", "-o", mine, "--start", "2026-11-30", "--avoid", "inversion",
        "--base-url", f"{URL}{ben['folder']}", "--engine", "none",
    )  # fmt: skip
    assert alone.exit_code == 0, alone.stderr
    theirs = here / "out" / ben["folder"]
    assert files(theirs) == files(mine)  # manifest, feed, calendar, cover and every episode, byte for byte
    assert json.loads((theirs / "voiceguide-program.json").read_text())["choices"] == {
        "only": [],
        "skip": [],
        "avoid": ["inversion"],
        "profile": [],
        "check_in": True,
    }
    parsed = feedparser.parse(str(theirs / "feed.xml"))
    assert not parsed.bozo and len(parsed.entries) == 3
    assert all(e.enclosures[0].href.startswith(f"{URL}{ben['folder']}day-") for e in parsed.entries)


def test_progress_goes_to_stderr_and_one_summary_line_to_stdout(here):
    result = batch(here)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Batch {here / 'out'}: 2 people (2 built, 0 unchanged, 0 failed); episodes: 6 built, 0 unchanged; "
        f"speech clips: 0 synthesized, 0 reused; index: {here / 'out' / INDEX}"
    ]
    assert "[1/2] ann: 3 days (3 built, 0 unchanged)" in result.stderr
    assert "[2/2] ben: 3 days (3 built, 0 unchanged)" in result.stderr


def test_folders_are_random_tokens_kept_across_runs(here):
    assert batch(here, "--base-url", URL).exit_code == 0
    first = index(here)
    tokens = [row["folder"].rstrip("/") for row in first.values()]
    assert all(re.fullmatch(r"[0-9a-f]{32}", t) for t in tokens) and len(set(tokens)) == 2
    assert sorted(p.name for p in (here / "out").iterdir()) == sorted([*tokens, BATCH_MANIFEST, INDEX])
    assert first["ann"]["feed"] == f"{URL}{first['ann']['folder']}feed.xml"
    assert batch(here, "--base-url", URL).exit_code == 0
    assert {k: v["folder"] for k, v in index(here).items()} == {k: v["folder"] for k, v in first.items()}


def test_a_rerun_with_nothing_changed_renders_nothing(here):
    assert batch(here).exit_code == 0
    out = here / "out"
    before = {p: p.stat().st_mtime_ns for p in out.glob("*/*")}
    again = batch(here)
    assert again.exit_code == 0, again.stderr
    assert "(0 built, 2 unchanged, 0 failed); episodes: 0 built, 6 unchanged" in again.stdout
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/*")} == before
    assert {row["status"] for row in index(here).values()} == {"unchanged"}


def test_a_changed_person_alone_is_rebuilt(here):
    assert batch(here).exit_code == 0
    (here / "people.csv").write_text(ROSTER.replace("2026-11-30,inversion", "2026-11-30,kneeling"))
    again = batch(here)
    assert again.exit_code == 0, again.stderr
    rows = index(here)
    assert rows["ann"]["status"] == "unchanged" and rows["ben"]["status"] == "built"


def test_a_failing_person_is_reported_and_the_others_are_rendered(here):
    (here / "people.csv").write_text(ROSTER + "cat,bad.toml,2026-11-27,\n")
    result = batch(here)
    assert result.exit_code == 2
    assert "(2 built, 0 unchanged, 1 failed)" in result.stdout
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: 1 of 3 people failed (see ") and "cat: " in last and "needs 'phases'" in last
    rows = index(here)
    assert rows["cat"]["status"] == "failed" and "bad.toml" in rows["cat"]["error"]
    assert rows["ann"]["status"] == rows["ben"]["status"] == "built"
    assert (here / "out" / rows["ben"]["folder"] / "day-03.mp3").is_file()


def test_a_person_left_out_keeps_their_folder_until_prune(here):
    assert batch(here).exit_code == 0
    ben = here / "out" / index(here)["ben"]["folder"]
    (here / "people.csv").write_text(ROSTER.splitlines()[0] + "\n" + ROSTER.splitlines()[1] + "\n")
    kept = batch(here)
    assert kept.exit_code == 0, kept.stderr
    assert "1 not in the roster kept (--prune removes them)" in kept.stdout
    assert index(here)["ben"]["status"] == "not in roster" and (ben / "day-01.mp3").is_file()
    pruned = batch(here, "--prune")
    assert pruned.exit_code == 0, pruned.stderr
    assert "1 pruned" in pruned.stdout and not ben.exists() and "ben" not in index(here)


def test_a_folder_that_is_not_a_batch_folder_is_refused(here):
    (here / "out").mkdir()
    (here / "out" / "notes.txt").write_text("mine")
    result = batch(here)
    assert result.exit_code == 2 and "is not a voiceguide batch folder" in result.stderr
    assert sorted(p.name for p in (here / "out").iterdir()) == ["notes.txt"]


def test_speech_is_spoken_once_for_the_whole_batch(here):
    first = batch(here, engine="pyttsx3")
    assert first.exit_code == 0, first.stderr
    spoken = int(re.search(r"(\d+) synthesized, 0 reused", first.stdout).group(1))
    assert spoken > 10
    again = batch(here, engine="pyttsx3")
    assert f"0 synthesized, {spoken} reused" in again.stdout


@pytest.mark.slow
def test_the_local_pool_shares_speech_and_renders_the_same_bytes(here, tmp_path):
    one = batch(here, engine="pyttsx3")
    assert one.exit_code == 0, one.stderr
    pooled = run("batch", here / "people.csv", "-o", tmp_path / "pooled", "--engine", "pyttsx3", "--workers", 2)
    assert pooled.exit_code == 0, pooled.stderr
    assert "0 synthesized" in pooled.stdout  # the cache is shared with the first batch
    rows = {r["person"]: r for r in read_index(tmp_path / "pooled")}
    for person, row in index(here).items():
        mine = files(tmp_path / "pooled" / rows[person]["folder"])
        theirs = files(here / "out" / row["folder"])
        assert {k: v for k, v in mine.items() if k.endswith(".mp3")} == {
            k: v for k, v in theirs.items() if k.endswith(".mp3")
        }


@pytest.mark.slow
def test_a_pool_worker_killed_mid_episode_is_replaced_and_the_batch_completes(here):
    (here / "short.toml").write_text(SHORT.replace("get_ready = 2", "get_ready = 2\nhold = 30"), encoding="utf-8")
    (here / "week.toml").write_text(WEEK.replace("hold = [5, 6]", "").replace("hold = 7", ""), encoding="utf-8")
    killed: list[int] = []
    with WorkerPool(2) as pool:

        def kill_one_mid_episode() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not killed:
                procs = list((getattr(pool._pool, "_processes", None) or {}).values())
                if procs and list((here / "out").glob("*/.day-*.mp3.*.part")):  # an episode being encoded
                    os.kill(procs[0].pid, signal.SIGKILL)
                    killed.append(procs[0].pid)
                time.sleep(0.01)

        killer = threading.Thread(target=kill_one_mid_episode, daemon=True)
        killer.start()
        result = render_batch(here / "people.csv", here / "out", "pyttsx3", runner=pool, workers=2)
        killer.join()
    assert killed, "no worker was caught mid-episode"
    assert result.exit_code == 0 and result.episodes_built == 6, result.summary()
    for row in read_index(here / "out"):
        folder = here / "out" / row["folder"]
        assert row["status"] == "built"
        assert not [p.name for p in folder.iterdir() if p.name.startswith(".")], "a partial file is left"
        manifest = json.loads((folder / "voiceguide-program.json").read_text())
        assert [e["day"] for e in manifest["episodes"]] == [1, 2, 3]
        for episode in manifest["episodes"]:
            assert (folder / episode["audio"]).stat().st_size == episode["bytes"]


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_with_130_and_a_rerun_completes(here):
    (here / "short.toml").write_text(SHORT.replace("get_ready = 2", "get_ready = 2\nhold = 30"), encoding="utf-8")
    (here / "week.toml").write_text(WEEK.replace("hold = [5, 6]", "").replace("hold = 7", ""), encoding="utf-8")
    cmd = [sys.executable, "-m", "voiceguide", "batch", str(here / "people.csv"), "-o", str(here / "out"),
           "--engine", "pyttsx3", "--workers", "2"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, text=True)
    deadline = time.monotonic() + 120
    while not list((here / "out").glob("*/.day-*.mp3.*.part")) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    # Python's multiprocessing resource tracker may warn after us about the killed workers' semaphores.
    ours = [line for line in err.splitlines() if "resource_tracker" not in line and "warnings.warn" not in line]
    assert ours[-1].startswith("Interrupted: "), err
    left = subprocess.run(["ps", "-s", str(proc.pid), "-o", "pid=,stat=,args="], capture_output=True, text=True)
    deadline = time.monotonic() + 15  # workers end with their parent, unwinding their episode first
    while left.stdout.strip() and time.monotonic() < deadline:
        time.sleep(0.1)
        left = subprocess.run(["ps", "-s", str(proc.pid), "-o", "pid=,stat=,args="], capture_output=True, text=True)
    assert left.stdout.strip() == "", left.stdout  # no worker, no ffmpeg left behind
    for folder in (here / "out").iterdir():
        if folder.is_dir():
            assert not [p.name for p in folder.iterdir() if p.name.endswith(".lock")]
    # A worker stopped in its cleanup can leave a hidden temporary file (rarely): the next run removes it.
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert not list((here / "out").glob("*/.*.part"))
    assert {row["status"] for row in index(here).values()} <= {"built", "unchanged"}


def test_a_scheduler_that_is_not_an_address_is_bad_input(here):
    result = run("batch", here / "people.csv", "-o", here / "out", "--engine", "none", "--scheduler", "localhost")
    assert result.exit_code == 2 and "is not a Dask scheduler address; give tcp://HOST:8786" in result.stderr
    both = run("batch", here / "people.csv", "-o", here / "out", "--scheduler", "tcp://127.0.0.1:8786", "--workers", 2)
    assert both.exit_code == 2 and "--workers" in both.stderr
    assert not (here / "out").exists()


def test_a_toml_roster_renders_like_a_csv_one(here):
    (here / "people.toml").write_text(
        '[[person]]\nid = "ann"\nprogram = "week.toml"\nstart = "2026-11-27"\n', encoding="utf-8"
    )
    result = batch(here, roster="people.toml")
    assert result.exit_code == 0, result.stderr
    assert index(here)["ann"]["days"] == "3" and index(here)["ann"]["status"] == "built"

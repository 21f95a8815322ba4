"""`voiceguide batch --scheduler`: the same episode tasks on a real Dask distributed cluster, on loopback only.

A LocalCluster of worker processes, and a `dask scheduler` with two `dask worker`
processes, every one bound to and advertising 127.0.0.1 with no dashboard (by
default a scheduler advertises the LAN address: never used here). Each folder
must hold the same bytes as one rendered by the local pool; a worker killed
with SIGKILL in the middle of an episode leaves no partial file and the batch
completes. All slow: a cluster takes seconds to start.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from clirun import run

from voiceguide.programs.batch import read_index, render_batch
from voiceguide.programs.cluster import DaskRunner

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

SHORT = 'title = "Short"\n[defaults]\nget_ready = 2\n[[steps]]\nstretch = "forward bend"\n[[steps]]\nstretch = "wall"\n'
WEEK = 'title = "Test week"\ndays = 3\n[[phases]]\nroutine = "short.toml"\nhold = HOLD\n'
ROSTER = "id,program,start\nann,week.toml,2026-11-27\nben,week.toml,2026-11-30\n"


@pytest.fixture
def here(tmp_path: Path) -> Path:
    (tmp_path / "short.toml").write_text(SHORT, encoding="utf-8")
    (tmp_path / "week.toml").write_text(WEEK.replace("HOLD", "6"), encoding="utf-8")
    (tmp_path / "people.csv").write_text(ROSTER, encoding="utf-8")
    return tmp_path


@pytest.fixture
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local:
        assert local.scheduler_address.startswith("tcp://127.0.0.1:")
        yield local


def mp3s(folder: Path) -> dict[str, dict[str, bytes]]:
    rows = {r["person"]: r["folder"] for r in read_index(folder)}
    return {p: {f.name: f.read_bytes() for f in sorted((folder / t).glob("day-*.mp3"))} for p, t in rows.items()}


def test_a_local_cluster_renders_what_the_local_pool_renders(here, cluster):
    local = run("batch", here / "people.csv", "-o", here / "pool", "--engine", "pyttsx3", "--workers", 2)
    assert local.exit_code == 0, local.stderr
    dask = run("batch", here / "people.csv", "-o", here / "dask", "--engine", "pyttsx3", "--scheduler",
               cluster.scheduler_address)  # fmt: skip
    assert dask.exit_code == 0, dask.stderr
    assert "episodes: 6 built" in dask.stdout and "0 synthesized" in dask.stdout  # the clip cache is shared
    assert mp3s(here / "dask") == mp3s(here / "pool")
    again = run("batch", here / "people.csv", "-o", here / "dask", "--engine", "pyttsx3", "--scheduler",
                cluster.scheduler_address)  # fmt: skip
    assert "episodes: 0 built, 6 unchanged" in again.stdout


def test_a_worker_killed_mid_episode_leaves_no_partial_file_and_the_batch_completes(here, cluster):
    (here / "week.toml").write_text(WEEK.replace("HOLD", "30"), encoding="utf-8")  # episodes long enough to kill
    killed: list[int] = []
    with DaskRunner(cluster.scheduler_address) as runner:
        pids = runner.client.run(os.getpid)  # worker address -> pid

        def kill_one_mid_episode() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not killed:
                if list((here / "out").glob("*/.day-*.mp3.*.part")):  # an episode being encoded
                    busy = [a for a, tasks in runner.client.processing().items() if tasks]
                    if busy and busy[0] in pids:
                        os.kill(pids[busy[0]], signal.SIGKILL)
                        killed.append(pids[busy[0]])
                time.sleep(0.01)

        killer = threading.Thread(target=kill_one_mid_episode, daemon=True)
        killer.start()
        result = render_batch(
            here / "people.csv", here / "out", "pyttsx3", runner=runner, workers=runner.workers()
        )  # fmt: skip
        killer.join()
    assert killed, "no worker was caught mid-episode"
    assert result.exit_code == 0 and result.episodes_built == 6, result.summary()
    for row in read_index(here / "out"):
        folder = here / "out" / row["folder"]
        assert row["status"] == "built"
        assert not [p.name for p in folder.iterdir() if p.name.startswith(".")], "a partial file is left"
        manifest = json.loads((folder / "voiceguide-program.json").read_text())
        for episode in manifest["episodes"]:
            assert (folder / episode["audio"]).stat().st_size == episode["bytes"]


def test_a_scheduler_and_two_worker_processes_on_loopback(here, tmp_path):
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    info = tmp_path / "scheduler.json"
    procs = [
        subprocess.Popen(
            [*dask, "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(info)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
    ]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        worker = [sys.executable, "-m", "distributed.cli.dask_worker", address, "--host", "127.0.0.1"]
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [*worker, "--nthreads", "1", "--no-dashboard"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )  # fmt: skip
            )
        with DaskRunner(address) as runner:
            runner.client.wait_for_workers(2, timeout=60)
        result = run("batch", here / "people.csv", "-o", here / "out", "--engine", "none", "--scheduler", address)
        assert result.exit_code == 0, result.stderr
        assert "2 people (2 built" in result.stdout and "episodes: 6 built" in result.stdout
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()

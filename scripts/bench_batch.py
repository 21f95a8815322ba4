#!/usr/bin/env python3
"""Benchmark `voiceguide batch`: a roster of short programs on this machine's pool and on a Dask cluster.

Run by hand, not in CI, with the Python that has voiceguide installed (the Dask
figures need the `dask` extra):

    python scripts/bench_batch.py                      # 50 people, 2 days each
    python scripts/bench_batch.py --people 10 --days 3 --no-dask

Each figure is one run of the real CLI in a subprocess (`python -m voiceguide
batch ...`), timed with scripts/benchkit.py (wall, CPU of the whole process
tree, peak memory of the tree), VOICEGUIDE_CACHE_DIR a temporary folder:

- cold: an empty clip cache, the local pool (one worker per core);
- rerun: the same batch again, nothing changed;
- warm: a new folder with the cache filled, the local pool;
- dask: the same, on a LocalCluster of worker processes on 127.0.0.1 started in
  the measured process (so its workers' CPU is counted);
- one by one: every person's program rendered in one process, one episode
  after another (render_program with workers=1), the cache warm: the summed
  cost of the batch's episodes without a pool.

The figures and the targets of issue 28 are printed; docs/performance.md keeps
a copy. Standard library only, besides voiceguide (and dask for its case).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from benchkit import Run, run_measured

SHORT = """title = "Short day"
[defaults]
get_ready = 8
hold = 20
[[steps]]
stretch = "standing"
[[steps]]
stretch = "supine"
"""
PROGRAM = """title = "Two short days"
days = DAYS
[[phases]]
routine = "short.toml"
hold = [20, 25]
"""
AVOIDS = ["", "kneeling", "inversion", "", "floor"]
DASK = """
import sys
from distributed import LocalCluster
from voiceguide.cli.main import run
if __name__ == "__main__":
    with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        code = run(["batch", *sys.argv[1:], "--scheduler", cluster.scheduler_address])
    sys.exit(code)
"""
ONE_BY_ONE = """
import sys
from pathlib import Path
from voiceguide.programs.folder import render_program
from voiceguide.programs.roster import load_roster
from voiceguide.sound.engines import make_engine
people = load_roster(Path(sys.argv[1]))
out = Path(sys.argv[2])
engine = make_engine(sys.argv[3])
for p in people:
    render_program(p.program, out / p.id, engine, start=p.start, choices=p.choices, workers=1)
"""


def write_roster(work: Path, people: int, days: int) -> Path:
    (work / "short.toml").write_text(SHORT, encoding="utf-8")
    (work / "program.toml").write_text(PROGRAM.replace("DAYS", str(days)), encoding="utf-8")
    rows = ["id,program,start,avoid"]
    for n in range(people):
        rows.append(f"p{n:04d},program.toml,2026-12-{1 + n % 28:02d},{AVOIDS[n % len(AVOIDS)]}")
    path = work / "roster.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def measured(cmd: list[str], env: dict[str, str], what: str) -> tuple[Run, str]:
    out = tempfile.NamedTemporaryFile("w+", suffix=".out", delete=False)
    out.close()
    # run_measured discards stdout: the summary is read from stderr's copy (the CLI's last lines).
    run = run_measured(["sh", "-c", '"$@" 1>&2', "sh", *cmd], env=env)
    os.unlink(out.name)
    if run.code not in (0,):
        sys.exit(f"{what} failed with {run.code}:\n{run.stderr[-2000:]}")
    return run, run.stderr


def clips(text: str) -> str:
    m = re.search(r"speech clips: (\d+) synthesized, (\d+) reused", text)
    return f"{m.group(1)} synthesized, {m.group(2)} reused" if m else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--engine", default="pyttsx3")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    python = sys.executable
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        roster = write_roster(work, args.people, args.days)
        env = dict(os.environ, VOICEGUIDE_CACHE_DIR=str(work / "cache"))
        batch = [python, "-m", "voiceguide", "batch", str(roster), "--engine", args.engine]
        rows: list[tuple[str, Run, str]] = []
        cold, text = measured([*batch, "-o", str(work / "cold"), "--workers", str(args.workers)], env, "cold")
        rows.append(("cold batch, local pool", cold, clips(text)))
        rerun, text = measured([*batch, "-o", str(work / "cold"), "--workers", str(args.workers)], env, "rerun")
        rows.append(("rerun, nothing changed", rerun, clips(text)))
        warm, text = measured([*batch, "-o", str(work / "warm"), "--workers", str(args.workers)], env, "warm")
        rows.append(("warm batch, local pool", warm, clips(text)))
        if not args.no_dask:
            script = work / "dask_batch.py"
            script.write_text(DASK.replace("WORKERS", str(args.workers)), encoding="utf-8")
            cmd = [python, str(script), str(roster), "-o", str(work / "dask"), "--engine", args.engine]
            dask, text = measured(cmd, env, "dask")
            rows.append(("warm batch, Dask LocalCluster", dask, clips(text)))
        script = work / "one_by_one.py"
        script.write_text(ONE_BY_ONE, encoding="utf-8")
        single, _ = measured([python, str(script), str(roster), str(work / "single"), args.engine], env, "single")
        rows.append(("one by one, warm, one process", single, ""))
        episodes = args.people * args.days
        minutes = sum(
            float(e) for e in re.findall(r'"seconds": ([0-9.]+)', _all_manifests(work / "single"))
        ) / 60  # fmt: skip
        print(f"{args.people} people x {args.days} days = {episodes} episodes, {minutes:.1f} min of audio, "
              f"engine {args.engine}, {args.workers} workers, {os.cpu_count()} cores")  # fmt: skip
        print(f"{'':34}{'wall s':>9}{'cpu s':>9}{'peak MB':>9}  clips")
        for name, run, note in rows:
            print(f"{name:34}{run.wall:9.2f}{run.cpu:9.2f}{run.peak_rss / 2**20:9.0f}  {note}")
        print()
        print(f"cost: cold {cold.cpu / minutes:.2f} CPU-s per episode minute, warm {warm.cpu / minutes:.2f}, "
              f"one by one {single.cpu / minutes:.2f}")  # fmt: skip
        print(f"target: batch CPU within 1.2x of one by one: {warm.cpu / single.cpu:.2f}x")
        print(f"target: batch wall within 0.6x of one by one: {warm.wall / single.wall:.2f}x")
        print(f"target: rerun under 10 s: {rerun.wall:.2f} s")
        if not args.no_dask:
            print(f"Dask against the local pool: wall {dask.wall / warm.wall:.2f}x, CPU {dask.cpu / warm.cpu:.2f}x")
        per_minute = warm.cpu / minutes
        for n in (2, 8, 32):
            hours = 1000 * 14 * 10 * per_minute / 3600 / n
            print(f"projected: 1,000 people x 14 days x 10 min, warm, {n} workers: {hours:.1f} h")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _all_manifests(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in folder.glob("*/voiceguide-program.json"))


if __name__ == "__main__":
    main()

"""The meter every benchmark in scripts/ shares: time, CPU and memory of a process tree,
waiting for an idle machine, and printing figures and targets.

Why flat modules next to each other rather than a package:

- Every benchmark stays runnable by path, from anywhere, as scripts/bench.py always was
  (`python scripts/bench_startup.py`): Python puts the script's folder first on sys.path,
  so `import benchkit` finds this file with no install, no `-m` and no chosen working
  directory. scripts/ is not a package and nothing else in it needs to become one.
- A package `scripts/bench/` would shadow scripts/bench.py for `import bench`, and
  `python -m bench.startup` only works with scripts/ as the working directory.

The layout, one job a file (all under 500 lines):

    benchkit.py        this file: the meter and the printed report; imports nothing of voiceguide
    benchcli.py        voiceguide as a user runs it (the CLI in a subprocess, a snapshot of the
                       code, the engines), the floor, and the command line each benchmark shares
    bench_startup.py   case startup: `voiceguide --help` and `list`, and import times
    bench_builds.py    cases cold, warm, 60min and 3h: builds against the floor, and --profile
    bench_parts.py     case parts: the ffmpeg stages of a build on their own
    bench_program.py   case program: a program against its days built one by one
    bench.py           every case in one run, with one report (docs/performance.md)

voiceguide is imported only inside functions, and only in benchcli.py, bench_builds.py,
bench_parts.py and bench_program.py, each import naming the module in full
(`from voiceguide.X import ...`): an import has to wait until benchcli.take_snapshot
has put the snapshot first on sys.path.

Standard library only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass

PAGE = os.sysconf("SC_PAGE_SIZE")


# -- measuring a process tree -------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    """ppid -> pids, from /proc/*/stat (works without CONFIG_PROC_CHILDREN)."""
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces and parentheses.
        ppid = int(stat[stat.rfind(b")") + 2 :].split(maxsplit=2)[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def _has_task_children() -> bool:
    return os.path.exists(f"/proc/self/task/{os.getpid()}/children")


def tree_pids(root: int, fast: bool) -> list[int]:
    if fast:
        pids, todo = [], [root]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as f:
                        todo += [int(x) for x in f.read().split()]
            except OSError:
                pass
        return pids
    kids = _children_map()
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += kids.get(pid, [])
    return pids


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class TreePeak(threading.Thread):
    """Polls the RSS of a process tree; `peak` is the largest sum seen."""

    def __init__(self, pid: int, interval: float = 0.02):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.stop = threading.Event()
        self.fast = _has_task_children()

    def run(self) -> None:
        while not self.stop.is_set():
            total = sum(rss_bytes(p) for p in tree_pids(self.pid, self.fast))
            self.peak = max(self.peak, total)
            self.stop.wait(self.interval)


@dataclass
class Run:
    wall: float
    cpu: float  # user + sys of the process and its reaped descendants
    peak_rss: int  # bytes, summed over the tree
    code: int
    stderr: str = ""


def run_measured(cmd: list[str], env: dict | None = None, cwd: str | None = None, stdin_path: str | None = None) -> Run:
    """Run cmd; wall time, tree CPU and peak tree RSS.

    With `stdin_path`, the file is fed through a pipe (as voiceguide feeds ffmpeg),
    by a thread copying 1 MiB blocks.
    """
    source = open(stdin_path, "rb") if stdin_path else None
    err = tempfile.TemporaryFile()
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE if source else subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=err, env=env, cwd=cwd,
        )  # fmt: skip
        poller = TreePeak(proc.pid)
        poller.start()
        feeder = None
        if source:

            def feed() -> None:
                try:
                    shutil.copyfileobj(source, proc.stdin, 1 << 20)
                except BrokenPipeError:
                    pass
                finally:
                    try:
                        proc.stdin.close()
                    except BrokenPipeError:
                        pass

            feeder = threading.Thread(target=feed, daemon=True)
            feeder.start()
        _, status, usage = os.wait4(proc.pid, 0)
        if feeder:
            feeder.join()
        wall = time.perf_counter() - t0
        poller.stop.set()
        poller.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    finally:
        err.close()
        if source:
            source.close()
    # ru_maxrss is the largest single process (KiB); the poller can miss a short spike.
    peak = max(poller.peak, usage.ru_maxrss * 1024)
    return Run(wall, usage.ru_utime + usage.ru_stime, peak, proc.returncode, text)


def best(runs: list[Run]) -> Run:
    """Best wall time of the runs; peak RSS is the worst of them."""
    fastest = min(runs, key=lambda r: r.wall)
    return Run(fastest.wall, fastest.cpu, max(r.peak_rss for r in runs), 0)


def cpu_busy(seconds: float = 0.5) -> float:
    """Share of all CPUs busy over `seconds`, from /proc/stat."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values), idle

    t0, i0 = sample()
    time.sleep(seconds)
    t1, i1 = sample()
    return 1 - (i1 - i0) / max(1, t1 - t0)


class Quiet:
    """Waits, before each timed run, until the machine is idle (other work skews timings)."""

    def __init__(self, threshold: float, patience: float):
        self.threshold, self.patience = threshold, patience
        self.waited = 0.0
        self.busy_runs = 0

    def wait(self) -> None:
        if self.threshold >= 1:
            return
        t0 = time.monotonic()
        while cpu_busy() > self.threshold:
            if time.monotonic() - t0 > self.patience:
                self.busy_runs += 1
                break


# -- printing figures ----------------------------------------------------------


def mmss(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


class Report:
    """The printed report, line by line; `ok` turns False once a target is missed."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.ok = True

    def add(self, *lines: str) -> None:
        self.lines += lines

    def fail(self) -> None:
        self.ok = False

    def target(self, text: str, ok: bool | None, detail: str) -> None:
        """One target's line; ok None: informative, neither met nor missed."""
        if ok is None:
            self.lines.append(f"  [ n/a] {text}: {detail}")
            return
        self.ok &= ok
        self.lines.append(f"  [{verdict(ok)}] {text}: {detail}")

    def text(self) -> str:
        return "\n".join(self.lines)

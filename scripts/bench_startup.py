#!/usr/bin/env python3
"""Benchmark voiceguide's startup: `voiceguide --help` and `voiceguide list`.

Run by hand, from anywhere, with the Python that has voiceguide installed:

    python scripts/bench_startup.py             # best of 5 each, and the import times
    python scripts/bench_startup.py --help      # the options every benchmark shares

Case startup: `voiceguide --help` and `voiceguide list` (best of 5 each), plus the top
offenders of `python -X importtime -m voiceguide list`. scripts/bench.py runs it with the
other cases; the meter and the layout: scripts/benchkit.py.
"""

from __future__ import annotations

import re
import subprocess
import sys

from benchcli import Bench, Results, check, env_with_cache, main, vg_cmd
from benchkit import Report, run_measured

CASES = ("startup",)
STARTUP_MAX_S = 0.2  # the target (docs/performance.md)


def run(bench: Bench, cases: list[str]) -> None:
    if "startup" not in cases:
        return
    bench.log("startup")
    env = env_with_cache(bench.work / "cache-startup")
    for label, args in (("--help", ["--help"]), ("list", ["list"])):
        bench.log(f"  voiceguide {label} x5")
        runs = []
        for _ in range(5):
            bench.quiet.wait()
            runs.append(run_measured(vg_cmd(bench.python, *args), env=env, cwd=str(bench.work)))
        for r in runs:
            check(r, f"voiceguide {label}")
        bench.results.startup[label] = min(r.wall for r in runs)
    proc = subprocess.run(
        [bench.python, "-X", "importtime", "-m", "voiceguide", "list"],
        env=env, cwd=str(bench.work), capture_output=True, text=True,
    )  # fmt: skip
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (.*)$", line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), m.group(3)))
    bench.results.importtime = rows


def figures(results: Results, rep: Report) -> None:
    if results.startup:
        rep.add("Startup (best of 5): " + ", ".join(f"voiceguide {k}: {v:.3f} s" for k, v in results.startup.items()))
    if results.importtime:
        top = sorted(results.importtime, key=lambda r: -r[0])[:10]
        rep.add("python -X importtime -m voiceguide list, top 10 by self time (us self | us cumulative | module):")
        rep.add(*[f"    {s:>7} | {c:>7} | {name.strip()}" for s, c, name in top])
        roots = sorted((r for r in results.importtime if not r[2].startswith(" ")), key=lambda r: -r[1])[:8]
        rep.add("  top-level imports by cumulative time:")
        rep.add(*[f"    {s:>7} | {c:>7} | {name.strip()}" for s, c, name in roots])


def targets(results: Results, rep: Report, engines) -> None:
    for label, secs in results.startup.items():
        rep.target(f"voiceguide {label} < {STARTUP_MAX_S} s", secs < STARTUP_MAX_S, f"{secs:.3f} s")


if __name__ == "__main__":
    sys.exit(main(__doc__, CASES, [run], [figures], [targets]))

#!/usr/bin/env python3
"""Benchmark a program: its episodes in worker processes against its days built one by one.

Run by hand, from anywhere, with the Python that has voiceguide installed:

    python scripts/bench_program.py             # best of 1
    python scripts/bench_program.py --repeat 2  # best of 2, as docs/performance.md

Case program: the hamstrings-14-days program, warm: one `voiceguide program -o DIR`
(episodes in worker processes) against the same 14 sessions built one after another by
`voiceguide build` (each day written as a routine file from the plan), and a no-change
rebuild of the finished folder. scripts/bench.py runs it with the other cases; the meter
and the layout: scripts/benchkit.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from benchcli import Bench, Results, check, env_with_cache, main, toml_value, vg_cmd
from benchkit import Report, mmss, run_measured

CASES = ("program",)
PROGRAM = "hamstrings-14-days"
PROGRAM_START = "2026-11-30"
# Targets (docs/performance.md).
PROGRAM_MAX_RATIO = 0.65  # a program's episodes in parallel against the same builds one after another
REBUILD_MAX_S = 2.0  # a rerun of a program with nothing changed


def day_routine_toml(routine) -> str:
    """A shaped routine (voiceguide.words.routine.Routine) written back as a routine file, step by step."""
    lines = [f"title = {toml_value(routine.title)}"]
    for key in ("intro", "outro"):
        if getattr(routine, key):
            lines.append(f"{key} = {toml_value(list(getattr(routine, key)))}")
    if routine.laps > 1:
        lines.append(f"laps = {routine.laps}")
    lines += ["", "[defaults]", f"countdown = {toml_value(routine.countdown)}"]
    for step in routine.steps:
        lines += ["", "[[steps]]", f"stretch = {toml_value(step.stretch.id)}", f"hold = {step.hold}",
                  f"reps = {step.reps}", f"get_ready = {step.get_ready}", f"rounds = {step.rounds}"]  # fmt: skip
        if step.side != "both":
            lines.append(f"sides = {toml_value(step.side)}")
        if step.tips:
            lines.append(f"tips = {toml_value(list(step.tips))}")
    return "\n".join(lines) + "\n"


def program_day_files(work: Path) -> list[tuple[Path, str | None]]:
    """Each day of the benchmark program as a routine file, with the day's guidance (None: the routine's)."""
    import datetime

    from voiceguide.programs.program import load_program, plan_days

    days = plan_days(load_program(PROGRAM), datetime.date.fromisoformat(PROGRAM_START))
    out = []
    for day in days:
        path = work / f"program-day-{day.number:02d}.toml"
        path.write_text(day_routine_toml(day.shaped), encoding="utf-8")
        out.append((path, day.options.guidance))
    return out


def program(bench: Bench, engine: str, engine_args) -> None:
    """A warm program in worker processes, the same days built one by one, and a no-change rebuild."""
    warm = bench.warm_cache(engine, engine_args)
    env = env_with_cache(warm)
    days = program_day_files(bench.work)
    help_text = subprocess.run(vg_cmd(bench.python, "build", "--help"), capture_output=True, text=True).stdout
    guidance = "--guidance" in help_text  # the guidance levels, once `build` has them

    def program_cmd(out: Path) -> list[str]:
        return vg_cmd(bench.python, "program", PROGRAM, "-o", str(out), "--start", PROGRAM_START, *engine_args)

    def serial() -> float:
        total = 0.0
        for path, level in days:
            extra = ["--guidance", level] if guidance and level else []
            cmd = vg_cmd(bench.python, "build", str(path), "-o", str(bench.work / "day.mp3"), "--force",
                         *extra, *engine_args)  # fmt: skip
            run = run_measured(cmd, env=env, cwd=str(bench.work))
            check(run, f"program: serial build of {path.name}")
            total += run.wall
        return total

    bench.log(f"  untimed: the program and its {len(days)} days one by one, to warm the cache")
    first = bench.work / "program-warm"
    check(run_measured(program_cmd(first), env=env, cwd=str(bench.work)), "program: warm-up")
    serial()
    manifest = json.loads((first / "voiceguide-program.json").read_text(encoding="utf-8"))
    audio = sum(e["seconds"] for e in manifest["episodes"])
    walls, serials, rebuilds = [], [], []
    for i in range(bench.args.repeat):
        bench.log(f"  timed {i + 1}/{bench.args.repeat}: the program into a new folder, its days one by one, a rerun")
        out = bench.work / f"program-{i}"
        bench.quiet.wait()
        run = run_measured(program_cmd(out), env=env, cwd=str(bench.work))
        check(run, "program")
        walls.append(run.wall)
        bench.quiet.wait()
        serials.append(serial())
        bench.quiet.wait()
        again = run_measured(program_cmd(out), env=env, cwd=str(bench.work))
        check(again, "program: rebuild")
        rebuilds.append(again.wall)
        shutil.rmtree(out, ignore_errors=True)
    bench.results.program = {
        "program": min(walls),
        "serial": min(serials),
        "rebuild": min(rebuilds),
        "audio": audio,
        "days": len(days),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
        "guidance": guidance,
    }


def run(bench: Bench, cases: list[str]) -> None:
    if "program" not in cases:
        return
    default_engine, default_args = bench.engines[0]
    bench.log(f"program: {PROGRAM}, warm, against its days built one by one")
    program(bench, default_engine, default_args)


def targets(results: Results, rep: Report, engines) -> None:
    p = results.program
    if p:
        ratio = p["program"] / p["serial"]
        rep.target(
            f"program ({p['days']:.0f} days, {mmss(p['audio'])} of audio, {p['cores']:.0f} cores) <= "
            f"{PROGRAM_MAX_RATIO}x its days built one by one",
            ratio <= PROGRAM_MAX_RATIO,
            f"{p['program']:.2f} s vs {p['serial']:.2f} s = {ratio:.2f}x"
            + ("" if p["guidance"] else " (build has no --guidance yet: its days at the routine's guidance)"),
        )
        rep.target(f"program rebuild with nothing changed < {REBUILD_MAX_S} s", p["rebuild"] < REBUILD_MAX_S,
                   f"{p['rebuild']:.2f} s")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main(__doc__, CASES, [run], [], [targets]))

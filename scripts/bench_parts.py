#!/usr/bin/env python3
"""Benchmark the ffmpeg stages of a build on their own, on the full routine's own PCM.

Run by hand, from anywhere, with the Python that has voiceguide installed:

    python scripts/bench_parts.py               # best of 1 of each stage
    python scripts/bench_parts.py --repeat 3    # best of 3

Case parts: the encoder alone (the floor), the encoder with voiceguide's gain filter, the
loudness meter as voiceguide runs it (and at the other sample rate, to compare), and
encoder and meter at once, to explain a gap to the floor. One build of the full routine
with the first engine gives the PCM. scripts/bench.py runs it with the other cases; the
meter and the layout: scripts/benchkit.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from benchcli import RATE, Bench, Results, check, main, mp3_args, script_duration
from benchkit import Report, best, mmss, run_measured

CASES = ("parts",)


def master_and_meter_filters() -> tuple[str, str]:
    """voiceguide's master gain filter and its loudness meter's filter chain, if it has them.

    The meter's chain is read from the command voiceguide's loudness.Analyzer starts
    (subprocess.Popen is stubbed while one is made), so it follows the code.
    """
    import io
    from unittest import mock

    try:
        from voiceguide.sound import loudness
    except ImportError:
        return "", ""
    gain = getattr(loudness, "DEFAULT_GAIN_DB", 0.0)
    volume = loudness.master_filter(gain) if hasattr(loudness, "master_filter") else ""
    started: list[list[str]] = []

    class Stub:
        def __init__(self, cmd, *args, **kwargs):
            started.append(list(cmd))
            self.stdin, self.pid, self.returncode = io.BytesIO(), 0, 0

        def poll(self):
            return 0

        def wait(self, *args, **kwargs):
            return 0

        def kill(self):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    meter = ""
    try:
        from voiceguide.ffmpeg import ffmpeg_path

        ffmpeg_path()  # found (and cached) before Popen is stubbed
        with mock.patch("subprocess.Popen", Stub):
            analyzer = loudness.Analyzer("mp3")  # the meter takes the format; the gain is applied after it
            analyzer.abort()
        cmd = next(c for c in started if "-af" in c)
        meter = cmd[cmd.index("-af") + 1]
    except Exception as exc:  # noqa: BLE001 - the meter changed shape: say so rather than guess
        print(f"  (could not read voiceguide's meter command: {exc!r})", file=sys.stderr)
    return volume, meter


def run_parallel(cmds: list[list[str]], pcm: str) -> tuple[float, float]:
    """(wall, cpu) of several ffmpeg processes each fed the same PCM file, started together."""
    t0 = time.perf_counter()
    procs = []
    for cmd in cmds:
        with open(pcm, "rb") as f:
            procs.append(subprocess.Popen(cmd, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    cpu = 0.0
    for p in procs:
        _, _, usage = os.wait4(p.pid, 0)
        p.returncode = 0
        cpu += usage.ru_utime + usage.ru_stime
    return time.perf_counter() - t0, cpu


# -- cases -----------------------------------------------------------------------


def parts(bench: Bench, engine: str, engine_args) -> None:
    """The encoder as voiceguide runs it, the loudness meter, and both at once, on the same PCM."""
    warm = bench.warm_cache(engine, engine_args)
    duration = script_duration(bench.python, "full", engine_args, warm, str(bench.work))
    key = ("full", engine, round(duration * RATE))
    if key not in bench.pcms:
        out = bench.work / "parts.mp3"
        check(bench.build("full", engine_args, warm, out), "parts: build")
        bench.floor_pcm(key, out, duration)
    pcm = str(bench.pcms[key])
    head = [bench.ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-nostats",
            "-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0"]  # fmt: skip
    mp3 = [*mp3_args(), "-y", str(bench.work / "parts-out.mp3")]
    volume, meter = master_and_meter_filters()
    stages = {"encoder alone (the floor)": head + mp3}
    if volume:
        stages["encoder with voiceguide's gain filter"] = head + ["-af", volume] + mp3
    if meter:
        stages[f"loudness meter as voiceguide runs it: {meter}"] = head + ["-af", meter, "-f", "null", "-"]
        if "aresample=" in meter:
            other = ",".join(f for f in meter.split(",") if not f.startswith("aresample="))
            stages["the same meter at 44.1 kHz (no aresample), to compare"] = head + [
                "-af",
                other,
                "-f",
                "null",
                "-",
            ]
        else:
            other = meter.replace("ebur128", "aresample=16000,ebur128", 1)
            stages["the same meter at 16 kHz (aresample=16000 first), to compare"] = head + [
                "-af", other, "-f", "null", "-"]  # fmt: skip
    for name, cmd in stages.items():
        runs = []
        for _ in range(bench.args.repeat):
            bench.quiet.wait()
            runs.append(run_measured(cmd, stdin_path=pcm))
            check(runs[-1], f"parts: {name}")
        fastest = best(runs)
        bench.results.parts[name] = (fastest.wall, fastest.cpu)
    if volume and meter:
        both = []
        for _ in range(bench.args.repeat):
            bench.quiet.wait()
            both.append(run_parallel([head + ["-af", volume] + mp3, head + ["-af", meter, "-f", "null", "-"]], pcm))
        bench.results.parts["encoder and meter at once (2 processes)"] = min(both)
    bench.results.parts_audio = duration


def run(bench: Bench, cases: list[str]) -> None:
    if "parts" not in cases:
        return
    default_engine, default_args = bench.engines[0]
    bench.log("parts: ffmpeg stages alone on the full routine's PCM")
    parts(bench, default_engine, default_args)


def figures(results: Results, rep: Report) -> None:
    if results.parts:
        rep.add(f"ffmpeg stages alone, on the full routine's PCM ({mmss(results.parts_audio)}), best of each:")
        width = max(len(k) for k in results.parts)
        rep.add(*[f"  {k.ljust(width)}  wall {w:6.2f} s  cpu {c:6.2f} s" for k, (w, c) in results.parts.items()])
        rep.add("")


if __name__ == "__main__":
    sys.exit(main(__doc__, CASES, [run], [figures], []))

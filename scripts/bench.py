#!/usr/bin/env python3
"""Benchmark voiceguide against the floor: ffmpeg alone encoding the same audio.

Run by hand (not in CI), from anywhere, with the Python that has voiceguide installed:

    python scripts/bench.py                      # every case, best of 1
    python scripts/bench.py --repeat 3           # best of 3 (wall time)
    python scripts/bench.py --cases startup,warm # only some cases
    python scripts/bench.py --profile warm       # also cProfile one extra build of a case

Cases:
    startup     `voiceguide --help` and `voiceguide list` (best of 5 each), plus
                `python -X importtime` top offenders for `list`
    cold        the full routine with an empty clip cache, for each installed engine
    warm        the full routine with a warm clip cache, for each installed engine
    60min       a ~60-minute routine (the full routine's steps repeated), warm
    parts       what the ffmpeg stages of a build cost alone, on the full routine's own PCM
                (encoder with voiceguide's filter, the loudness meter, both at once), to
                explain a gap to the floor
    3h          a ~3-hour routine, warm
    program     the hamstrings-14-days program, warm: one `voiceguide program -o DIR` (episodes in
                worker processes) against the same 14 sessions built one after another by
                `voiceguide build` (each day written as a routine file from the plan), and a
                no-change rebuild of the finished folder

Every build is the real CLI in a subprocess, `python -m voiceguide build ROUTINE -o
FILE`, with VOICEGUIDE_CACHE_DIR pointing at a temporary folder (cold: a fresh
empty folder per run; warm: filled by one untimed build first). Wall time is the
subprocess's start to exit; peak memory is the largest sum of RSS over the
process and all its descendants (ffmpeg included), polled from /proc every 20 ms;
CPU is user+sys of the whole tree (from wait4).

The floor, measured in the same run: the session's own audio (the built MP3
decoded back to 16-bit PCM and cut to exactly round(duration * 44100) samples)
piped into the same ffmpeg binary voiceguide uses, with the encoder settings of
voiceguide/files/encode.py, timed the same way. Ratios to the floor compare across
machines; absolute seconds do not.

So that one run measures one version of the code while others edit the checkout,
the voiceguide package is copied (and byte-compiled, as pip leaves an install) into
the temporary folder at the start and put first on PYTHONPATH (--no-snapshot: run
the installed code live). Other work on the machine skews timings: before each
timed run the bench waits (up to --idle-patience s) until the CPUs are idle, and
each build is followed at once by its floor, so a busy spell hits both alike.

Each case is also a script of its own, with the same options (--cases naming its cases
only), for running one benchmark alone:

    python scripts/bench_startup.py   startup
    python scripts/bench_builds.py    cold, warm, 60min, 3h (and --profile)
    python scripts/bench_parts.py     parts
    python scripts/bench_program.py   program

This file runs them all in one run with one report. The meter they share and why they
are split this way: scripts/benchkit.py; the CLI runs, the floor and the options:
scripts/benchcli.py.

Standard library only, plus voiceguide itself (to find its ffmpeg and presets).
Exit status: 0 when every target is met, 1 when one is missed.
"""

from __future__ import annotations

import sys

import bench_builds
import bench_parts
import bench_program
import bench_startup
from benchcli import main

ALL_CASES = ("startup", "cold", "warm", "parts", "60min", "3h", "program")

# The order of the run and of the report, as it was when this was one file.
STEPS = [bench_startup.run, bench_builds.run_full, bench_parts.run, bench_builds.run_long, bench_program.run]
FIGURES = [bench_builds.table, bench_parts.figures, bench_builds.rejections, bench_startup.figures]
TARGETS = [bench_builds.targets, bench_startup.targets, bench_program.targets]
APPENDICES = [bench_builds.profiles]


if __name__ == "__main__":
    sys.exit(main(__doc__, ALL_CASES, STEPS, FIGURES, TARGETS, APPENDICES, bench_builds.add_arguments))

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
voiceguide/export.py, timed the same way. Ratios to the floor compare across
machines; absolute seconds do not.

So that one run measures one version of the code while others edit the checkout,
the voiceguide package is copied (and byte-compiled, as pip leaves an install) into
the temporary folder at the start and put first on PYTHONPATH (--no-snapshot: run
the installed code live). Other work on the machine skews timings: before each
timed run the bench waits (up to --idle-patience s) until the CPUs are idle, and
each build is followed at once by its floor, so a busy spell hits both alike.

Standard library only, plus voiceguide itself (to find its ffmpeg and presets).
Exit status: 0 when every target is met, 1 when one is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

RATE = 44100
PAGE = os.sysconf("SC_PAGE_SIZE")
ALL_CASES = ("startup", "cold", "warm", "parts", "60min", "3h", "program")
LONG_TARGETS = {"60min": 60 * 60, "3h": 180 * 60}  # seconds of audio wanted

# Targets (docs/performance.md; ratios measured in one run on a 2-core machine).
WARM_MAX_RATIO = 1.5
COLD_MAX_RATIO = 2.5
LINEAR_TOLERANCE = 0.10
LONG_MAX_RSS_MB = 250
STARTUP_MAX_S = 0.2
PROGRAM_MAX_RATIO = 0.65  # a program's episodes in parallel against the same builds one after another
REBUILD_MAX_S = 2.0  # a rerun of a program with nothing changed
PROGRAM = "hamstrings-14-days"
PROGRAM_START = "2026-11-30"


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
        self.waited += time.monotonic() - t0


# -- voiceguide, as a user runs it --------------------------------------------


def vg_cmd(python: str, *args: str) -> list[str]:
    return [python, "-m", "voiceguide", *args]


SNAPSHOT: Path | None = None  # a copy of the voiceguide package, put first on PYTHONPATH


def env_with_cache(cache: Path) -> dict:
    env = dict(os.environ)
    env["VOICEGUIDE_CACHE_DIR"] = str(cache)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    if SNAPSHOT is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(SNAPSHOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def take_snapshot(work: Path, python: str) -> str:
    """Copy the installed voiceguide source (and its chimes) so every case of this run
    measures the same code, however the checkout changes meanwhile. Returns a description."""
    import importlib.util

    spec = importlib.util.find_spec("voiceguide")
    src = Path(list(spec.submodule_search_locations)[0])
    sounds_spec = importlib.util.find_spec("voiceguide.sounds")
    sounds = Path(list(sounds_spec.submodule_search_locations)[0]) if sounds_spec else None
    dest = work / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(src, dest / "voiceguide", ignore=ignore)
    if sounds is not None and sounds.resolve() != (src / "sounds").resolve():
        shutil.copytree(sounds, dest / "voiceguide" / "sounds", ignore=ignore, dirs_exist_ok=True)
    # As pip leaves an installed package: compiled (this machine may set PYTHONDONTWRITEBYTECODE,
    # which would make every run compile voiceguide's sources again).
    subprocess.run([python, "-m", "compileall", "-q", str(dest)], check=True)
    global SNAPSHOT
    SNAPSHOT = dest
    sys.path.insert(0, str(dest))
    for name in [m for m in sys.modules if m == "voiceguide" or m.startswith("voiceguide.")]:
        del sys.modules[name]
    return f"{src} (copied and compiled at start){git_state(src.parent)}"


def git_state(folder: Path) -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "voiceguide", "sounds"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return f", git {head}" + (f" + {len(dirty)} uncommitted file(s) in voiceguide/" if dirty else "")  # fmt: skip


def check(run: Run, what: str) -> None:
    if run.code != 0:
        tail = "\n".join(run.stderr.strip().splitlines()[-5:])
        raise SystemExit(f"{what} failed with exit status {run.code}:\n{tail}")


ANOMALIES: list[str] = []  # odd things voiceguide did during the run, reported at the end


def script_duration(python: str, routine: str, engine_args: list[str], cache: Path, cwd: str) -> float:
    """The session length from `voiceguide script --format json` (fills the cache as it goes)."""
    cmd = vg_cmd(python, "script", routine, "--format", "json", *engine_args)
    for attempt in range(2):
        proc = subprocess.run(cmd, env=env_with_cache(cache), cwd=cwd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RoutineRejected(
                proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
            )
        try:
            return float(json.loads(proc.stdout)["duration"])
        except (ValueError, KeyError, TypeError):
            ANOMALIES.append(
                f"'{' '.join(cmd[2:])}' exited 0 but printed no timeline JSON "
                f"({len(proc.stdout)} bytes on stdout){'; asked again' if attempt == 0 else ''}"
            )
    raise SystemExit(f"voiceguide script gave no timeline twice: {' '.join(cmd)}")


class RoutineRejected(Exception):
    pass


def installed_engines(python: str, cwd: str) -> list[tuple[str, list[str]]]:
    """(name, extra build args) for each engine the CLI can use here.

    voiceguide has one engine today (pyttsx3, no --engine option); when `build`
    grows an --engine option, every engine whose module imports is benchmarked.
    """
    help_text = subprocess.run(vg_cmd(python, "build", "--help"), capture_output=True, text=True, cwd=cwd).stdout
    if "--engine" not in help_text:
        return [("pyttsx3", [])]
    engines = []
    for name, module in (("pyttsx3", "pyttsx3"), ("piper", "piper")):
        probe = subprocess.run(
            [python, "-c", f"import importlib.util,sys; sys.exit(importlib.util.find_spec({module!r}) is None)"]
        )
        if probe.returncode == 0:
            engines.append((name, ["--engine", name]))
    return engines


# -- routine files for long sessions -------------------------------------------


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def repeated_routine_toml(rounds: int) -> str:
    """The full preset with its steps repeated `rounds` times, in the routine file format."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    from importlib import resources

    preset = tomllib.loads(resources.files("voiceguide.data.routines").joinpath("full.toml").read_text("utf-8"))
    lines = [f"title = {_toml_value(preset['title'] + f' x{rounds}')}"]
    for key in ("description", "intro", "outro"):
        if key in preset:
            lines.append(f"{key} = {_toml_value(preset[key])}")
    lines += ["", "[defaults]"] + [f"{k} = {_toml_value(v)}" for k, v in preset.get("defaults", {}).items()]
    for _ in range(rounds):
        for step in preset["steps"]:
            lines += ["", "[[steps]]"] + [f"{k} = {_toml_value(v)}" for k, v in step.items()]
    return "\n".join(lines) + "\n"


def long_routine(python: str, work: Path, name: str, target: float, engine_args, cache: Path) -> tuple[str, float, int]:
    """Write a routine file of about `target` seconds; return (path, duration, rounds)."""

    def length(rounds: int) -> tuple[str, float]:
        path = work / f"routine-{name}-{rounds}.toml"
        path.write_text(repeated_routine_toml(rounds), encoding="utf-8")
        return str(path), script_duration(python, str(path), engine_args, cache, str(work))

    _, one = length(1)
    _, two = length(2)
    per_round = two - one
    rounds = max(1, round((target - (one - per_round)) / per_round))
    try:
        path, duration = length(rounds)
    except RoutineRejected as exc:
        # voiceguide caps a session's length (3 hours); one round fewer, and say so.
        if rounds == 1:
            raise
        print(f"  {rounds} rounds rejected ({exc}); trying {rounds - 1}", file=sys.stderr)
        rounds -= 1
        path, duration = length(rounds)
    return path, duration, rounds


def day_routine_toml(routine) -> str:
    """A shaped routine (voiceguide.words.routine.Routine) written back as a routine file, step by step."""
    lines = [f"title = {_toml_value(routine.title)}"]
    for key in ("intro", "outro"):
        if getattr(routine, key):
            lines.append(f"{key} = {_toml_value(list(getattr(routine, key)))}")
    if routine.rounds > 1:
        lines.append(f"rounds = {routine.rounds}")
    lines += ["", "[defaults]", f"countdown = {_toml_value(routine.countdown)}"]
    for step in routine.steps:
        lines += ["", "[[steps]]", f"stretch = {_toml_value(step.stretch.id)}", f"hold = {step.hold}",
                  f"reps = {step.reps}", f"get_ready = {step.get_ready}", f"rounds = {step.rounds}"]  # fmt: skip
        if step.side != "both":
            lines.append(f"sides = {_toml_value(step.side)}")
        if step.tips:
            lines.append(f"tips = {_toml_value(list(step.tips))}")
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


# -- the floor -----------------------------------------------------------------


def mp3_args() -> list[str]:
    """voiceguide/export.py's MP3 output options (codec, bitrate, muxer)."""
    try:
        from voiceguide.files.formats import FORMATS

        return list(FORMATS["mp3"].args)
    except (ImportError, KeyError, AttributeError):
        from voiceguide.files.formats import MP3_BITRATE

        return ["-c:a", "libmp3lame", "-b:a", MP3_BITRATE, "-id3v2_version", "4", "-f", "mp3"]


def encoder_cmd(ffmpeg: str, output: str) -> list[str]:
    """ffmpeg reading 16-bit mono PCM on stdin, with the settings of voiceguide/export.py."""
    return [
        ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
        "-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0",
        "-metadata", "title=floor", *mp3_args(), "-y", output,
    ]  # fmt: skip


def decode_to_pcm(ffmpeg: str, mp3: Path, pcm: Path, samples: int) -> None:
    """The session's audio as raw PCM, exactly `samples` long (encoder padding cut, or zeros added)."""
    with open(pcm, "wb") as out:
        subprocess.run(
            [ffmpeg, "-nostdin", "-v", "error", "-i", str(mp3), "-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"],
            stdout=out, check=True,
        )  # fmt: skip
    size = pcm.stat().st_size
    want = samples * 2
    if size > want:
        os.truncate(pcm, want)
    elif size < want:
        with open(pcm, "ab") as out:
            out.write(bytes(want - size))


def measure_floor(ffmpeg: str, pcm: Path, work: Path) -> Run:
    """ffmpeg encoding the PCM, piped on stdin as voiceguide pipes it."""
    run = run_measured(encoder_cmd(ffmpeg, str(work / "floor.mp3")), stdin_path=str(pcm))
    check(run, "the floor (ffmpeg alone)")
    return run


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


@dataclass
class Row:
    case: str
    audio: float  # seconds of audio
    wall: float
    cpu: float
    rss_mb: float
    floor: float
    floor_rss_mb: float
    note: str = ""
    floor_cpu: float = 0.0

    @property
    def rtf(self) -> float:
        return self.audio / self.wall

    @property
    def ratio(self) -> float:
        return self.wall / self.floor


@dataclass
class Results:
    rows: dict[str, Row] = field(default_factory=dict)
    startup: dict[str, float] = field(default_factory=dict)
    importtime: list[tuple[int, int, str]] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    profiles: dict[str, str] = field(default_factory=dict)
    parts: dict[str, tuple[float, float]] = field(default_factory=dict)  # name -> (wall, cpu)
    parts_audio: float = 0.0
    program: dict[str, float] = field(default_factory=dict)  # program, serial, rebuild walls; audio; days


class Bench:
    def __init__(self, args, work: Path):
        from voiceguide.ffmpeg import ffmpeg_path

        self.args = args
        self.python = args.python
        self.work = work
        self.ffmpeg = ffmpeg_path()
        self.results = Results()
        self.floors: dict[tuple, list[Run]] = {}  # every floor run of each distinct session
        self.pcms: dict[tuple, Path] = {}
        self.quiet = Quiet(args.idle_below, args.idle_patience)
        self.engines = installed_engines(self.python, str(work))
        self.warm_caches: dict[str, Path] = {}

    def log(self, msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    def warm_cache(self, engine: str, engine_args) -> Path:
        cache = self.warm_caches.get(engine)
        if cache is None:
            cache = self.work / f"cache-warm-{engine}"
            cache.mkdir()
            self.warm_caches[engine] = cache
        return cache

    def build(self, routine: str, engine_args, cache: Path, out: Path) -> Run:
        out.unlink(missing_ok=True)  # build refuses to replace a file without --force
        cmd = vg_cmd(self.python, "build", routine, "-o", str(out), *engine_args)
        return run_measured(cmd, env=env_with_cache(cache), cwd=str(self.work))

    def floor_pcm(self, key: tuple, mp3: Path, duration: float) -> Path:
        """The session's PCM for the floor, decoded once per distinct session."""
        if key not in self.pcms:
            pcm = self.work / f"floor-{len(self.pcms)}.pcm"
            decode_to_pcm(self.ffmpeg, mp3, pcm, round(duration * RATE))
            self.pcms[key] = pcm
        return self.pcms[key]

    def build_case(self, case: str, routine: str, engine: str, engine_args, cold: bool, note: str = "") -> None:
        warm = self.warm_cache(engine, engine_args)
        duration = script_duration(self.python, routine, engine_args, warm, str(self.work))
        out = self.work / f"{case}.mp3"
        if cold:

            def one(i: int) -> Run:
                cache = self.work / f"cache-cold-{engine}-{case}-{i}"
                run = self.build(routine, engine_args, cache, out)
                shutil.rmtree(cache, ignore_errors=True)
                return run

        else:
            self.log(f"  untimed build to warm the cache ({duration / 60:.1f} min of audio)")
            check(self.build(routine, engine_args, warm, out), f"{case}: warm-up build")

            def one(i: int) -> Run:
                return self.build(routine, engine_args, warm, out)

        # Build and floor alternate, so a busy spell on the machine hits both alike.
        key = (routine, engine, round(duration * RATE))
        runs: list[Run] = []
        floors = self.floors.setdefault(key, [])
        for i in range(self.args.repeat):
            self.log(f"  timed build {i + 1}/{self.args.repeat}, then the floor (ffmpeg alone, same audio)")
            self.quiet.wait()
            run = one(i)
            check(run, f"{case}: build")
            runs.append(run)
            pcm = self.floor_pcm(key, out, duration)
            self.quiet.wait()
            floors.append(measure_floor(self.ffmpeg, pcm, self.work))
        run, floor = best(runs), best(floors)
        self.results.rows[case] = Row(
            case,
            duration,
            run.wall,
            run.cpu,
            run.peak_rss / 2**20,
            floor.wall,
            floor.peak_rss / 2**20,
            note,
            floor.cpu,
        )
        if case in self.args.profile:
            self.profile(case, routine, engine_args, None if cold else warm)
        out.unlink(missing_ok=True)

    def profile(self, case: str, routine: str, engine_args, cache: Path | None) -> None:
        """One more build under cProfile; keep the top of the cumulative listing."""
        cache = cache or self.work / f"cache-profile-{case}"
        stats = self.work / f"{case}.prof"
        out = self.work / f"profile-{case}.mp3"
        out.unlink(missing_ok=True)
        cmd = [self.python, "-m", "cProfile", "-o", str(stats), "-m", "voiceguide", "build", routine,
               "-o", str(out), *engine_args]  # fmt: skip
        self.log(f"  profiling {case}")
        done = subprocess.run(cmd, env=env_with_cache(cache), cwd=str(self.work), capture_output=True, text=True)
        if done.returncode != 0 or not out.exists():
            self.results.profiles[case] = f"(the profiled build failed: {done.stderr.strip()[-300:]})"
            return
        import io
        import pstats

        text = io.StringIO()
        p = pstats.Stats(str(stats), stream=text)
        p.sort_stats("cumulative").print_stats(25)
        p.sort_stats("tottime").print_stats(15)
        self.results.profiles[case] = text.getvalue()

    def parts(self, engine: str, engine_args) -> None:
        """The encoder as voiceguide runs it, the loudness meter, and both at once, on the same PCM."""
        warm = self.warm_cache(engine, engine_args)
        duration = script_duration(self.python, "full", engine_args, warm, str(self.work))
        key = ("full", engine, round(duration * RATE))
        if key not in self.pcms:
            out = self.work / "parts.mp3"
            check(self.build("full", engine_args, warm, out), "parts: build")
            self.floor_pcm(key, out, duration)
        pcm = str(self.pcms[key])
        head = [self.ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-nostats",
                "-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0"]  # fmt: skip
        mp3 = [*mp3_args(), "-y", str(self.work / "parts-out.mp3")]
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
            for _ in range(self.args.repeat):
                self.quiet.wait()
                runs.append(run_measured(cmd, stdin_path=pcm))
                check(runs[-1], f"parts: {name}")
            fastest = best(runs)
            self.results.parts[name] = (fastest.wall, fastest.cpu)
        if volume and meter:
            both = []
            for _ in range(self.args.repeat):
                self.quiet.wait()
                both.append(run_parallel([head + ["-af", volume] + mp3, head + ["-af", meter, "-f", "null", "-"]], pcm))
            self.results.parts["encoder and meter at once (2 processes)"] = min(both)
        self.results.parts_audio = duration

    def program(self, engine: str, engine_args) -> None:
        """A warm program in worker processes, the same days built one by one, and a no-change rebuild."""
        warm = self.warm_cache(engine, engine_args)
        env = env_with_cache(warm)
        days = program_day_files(self.work)
        help_text = subprocess.run(vg_cmd(self.python, "build", "--help"), capture_output=True, text=True).stdout
        guidance = "--guidance" in help_text  # the guidance levels, once `build` has them

        def program_cmd(out: Path) -> list[str]:
            return vg_cmd(self.python, "program", PROGRAM, "-o", str(out), "--start", PROGRAM_START, *engine_args)

        def serial() -> float:
            total = 0.0
            for path, level in days:
                extra = ["--guidance", level] if guidance and level else []
                cmd = vg_cmd(self.python, "build", str(path), "-o", str(self.work / "day.mp3"), "--force",
                             *extra, *engine_args)  # fmt: skip
                run = run_measured(cmd, env=env, cwd=str(self.work))
                check(run, f"program: serial build of {path.name}")
                total += run.wall
            return total

        self.log(f"  untimed: the program and its {len(days)} days one by one, to warm the cache")
        first = self.work / "program-warm"
        check(run_measured(program_cmd(first), env=env, cwd=str(self.work)), "program: warm-up")
        serial()
        manifest = json.loads((first / "voiceguide-program.json").read_text(encoding="utf-8"))
        audio = sum(e["seconds"] for e in manifest["episodes"])
        walls, serials, rebuilds = [], [], []
        for i in range(self.args.repeat):
            self.log(f"  timed {i + 1}/{self.args.repeat}: the program into a new folder, its days one by one, a rerun")
            out = self.work / f"program-{i}"
            self.quiet.wait()
            run = run_measured(program_cmd(out), env=env, cwd=str(self.work))
            check(run, "program")
            walls.append(run.wall)
            self.quiet.wait()
            serials.append(serial())
            self.quiet.wait()
            again = run_measured(program_cmd(out), env=env, cwd=str(self.work))
            check(again, "program: rebuild")
            rebuilds.append(again.wall)
            shutil.rmtree(out, ignore_errors=True)
        self.results.program = {
            "program": min(walls),
            "serial": min(serials),
            "rebuild": min(rebuilds),
            "audio": audio,
            "days": len(days),
            "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
            "guidance": guidance,
        }

    def startup(self) -> None:
        env = env_with_cache(self.work / "cache-startup")
        for label, args in (("--help", ["--help"]), ("list", ["list"])):
            self.log(f"  voiceguide {label} x5")
            runs = []
            for _ in range(5):
                self.quiet.wait()
                runs.append(run_measured(vg_cmd(self.python, *args), env=env, cwd=str(self.work)))
            for r in runs:
                check(r, f"voiceguide {label}")
            self.results.startup[label] = min(r.wall for r in runs)
        proc = subprocess.run(
            [self.python, "-X", "importtime", "-m", "voiceguide", "list"],
            env=env, cwd=str(self.work), capture_output=True, text=True,
        )  # fmt: skip
        rows = []
        for line in proc.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (.*)$", line)
            if m:
                rows.append((int(m.group(1)), int(m.group(2)), m.group(3)))
        self.results.importtime = rows

    def run(self, cases: list[str]) -> Results:
        default_engine, default_args = self.engines[0]
        if "startup" in cases:
            self.log("startup")
            self.startup()
        for kind in ("cold", "warm"):
            if kind not in cases:
                continue
            for engine, engine_args in self.engines:
                case = f"{kind}-{engine}"
                self.log(f"{case}: full routine, {'empty' if kind == 'cold' else 'warm'} cache")
                self.build_case(case, "full", engine, engine_args, cold=kind == "cold", note="full")
        if "parts" in cases:
            self.log("parts: ffmpeg stages alone on the full routine's PCM")
            self.parts(default_engine, default_args)
        for case, target in LONG_TARGETS.items():
            if case not in cases:
                continue
            name = f"{case}-warm"
            self.log(f"{name}: writing a routine of about {target / 60:.0f} min (checked with 'voiceguide script')")
            try:
                path, duration, rounds = long_routine(
                    self.python, self.work, case, target, default_args, self.warm_cache(default_engine, default_args)
                )
            except RoutineRejected as exc:
                self.results.rejected[name] = str(exc)
                self.log(f"  rejected by voiceguide: {exc}")
                continue
            self.log(f"  {rounds} rounds of the full routine's steps: {duration / 60:.1f} min")
            self.build_case(name, path, default_engine, default_args, cold=False, note=f"full x{rounds}")
        if "program" in cases:
            self.log(f"program: {PROGRAM}, warm, against its days built one by one")
            self.program(default_engine, default_args)
        return self.results


# -- report ------------------------------------------------------------------------


def mmss(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(results: Results, engines) -> tuple[str, bool]:
    out: list[str] = []
    all_ok = True
    rows = results.rows
    if rows:
        head = (
            "case",
            "audio",
            "wall s",
            "cpu s",
            "RTF",
            "floor s",
            "floor cpu s",
            "x floor",
            "peak RSS MB",
            "floor RSS MB",
        )
        body = [
            (r.case + (f" ({r.note})" if r.note else ""), mmss(r.audio), f"{r.wall:.2f}", f"{r.cpu:.2f}",
             f"{r.rtf:.0f}x", f"{r.floor:.2f}", f"{r.floor_cpu:.2f}", f"{r.ratio:.2f}", f"{r.rss_mb:.0f}",
             f"{r.floor_rss_mb:.0f}")
            for r in rows.values()
        ]  # fmt: skip
        widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=False)]
        line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=False)) + " |"  # noqa: E731
        out += [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(b) for b in body]
        out.append("")
        out.append("RTF = audio seconds / wall seconds; x floor = wall / floor (ffmpeg alone, same audio, same run).")
        out.append("cpu s = user + sys of the whole process tree (Python, ffmpeg and any other child).")
        out.append("")
    if results.parts:
        out.append(f"ffmpeg stages alone, on the full routine's PCM ({mmss(results.parts_audio)}), best of each:")
        width = max(len(k) for k in results.parts)
        out += [f"  {k.ljust(width)}  wall {w:6.2f} s  cpu {c:6.2f} s" for k, (w, c) in results.parts.items()]
        out.append("")
    for case, why in results.rejected.items():
        out.append(f"{case}: routine rejected by voiceguide: {why}")
        all_ok = False
    if results.startup:
        out.append(
            "Startup (best of 5): " + ", ".join(f"voiceguide {k}: {v:.3f} s" for k, v in results.startup.items())
        )
    if results.importtime:
        top = sorted(results.importtime, key=lambda r: -r[0])[:10]
        out.append("python -X importtime -m voiceguide list, top 10 by self time (us self | us cumulative | module):")
        out += [f"    {s:>7} | {c:>7} | {name.strip()}" for s, c, name in top]
        roots = sorted((r for r in results.importtime if not r[2].startswith(" ")), key=lambda r: -r[1])[:8]
        out.append("  top-level imports by cumulative time:")
        out += [f"    {s:>7} | {c:>7} | {name.strip()}" for s, c, name in roots]
    out.append("")
    out.append("Targets:")

    def target(text: str, ok: bool | None, detail: str) -> None:
        nonlocal all_ok
        if ok is None:
            out.append(f"  [ n/a] {text}: {detail}")
            return
        all_ok &= ok
        out.append(f"  [{verdict(ok)}] {text}: {detail}")

    for engine, _ in engines:
        r = rows.get(f"warm-{engine}")
        if r:
            target(
                f"warm full build ({engine}) <= {WARM_MAX_RATIO}x floor", r.ratio <= WARM_MAX_RATIO, f"{r.ratio:.2f}x"
            )
    r = rows.get("cold-pyttsx3")
    if r:
        target(f"cold full build (pyttsx3) <= {COLD_MAX_RATIO}x floor", r.ratio <= COLD_MAX_RATIO, f"{r.ratio:.2f}x")
    full = rows.get(f"warm-{engines[0][0]}")
    for name in ("60min-warm", "3h-warm"):
        r = rows.get(name)
        if not r:
            continue
        if full:
            length_ratio = r.audio / full.audio
            time_ratio = r.wall / full.wall
            floor_ratio = r.floor / full.floor
            off = time_ratio / length_ratio - 1
            text = f"{name}: time linear in length (within {LINEAR_TOLERANCE:.0%})"
            side = "faster than linear" if off < 0 else "slower than linear"
            detail = (
                f"time ratio {time_ratio:.2f} vs length ratio {length_ratio:.2f} ({off:+.1%}, {side}); "
                f"floor's own ratio {floor_ratio:.2f} ({floor_ratio / length_ratio - 1:+.1%}); "
                f"normalised by the floor: {r.ratio:.2f}x / {full.ratio:.2f}x = {r.ratio / full.ratio - 1:+.1%}"
            )
            target(
                text,
                abs(off) <= LINEAR_TOLERANCE if name == "3h-warm" else None,
                detail if name == "3h-warm" else detail + " (informative)",
            )
            if name == "3h-warm":
                # time = fixed + marginal * audio, through the two points, for voiceguide and for the floor
                marginal = (r.wall - full.wall) / (r.audio - full.audio)
                floor_marginal = (r.floor - full.floor) / (r.audio - full.audio)
                out.append(
                    f"         fit through full and 3h: voiceguide {full.wall - marginal * full.audio:.2f} s fixed + "
                    f"{marginal * 60:.3f} s per audio minute; floor {full.floor - floor_marginal * full.audio:.2f} s + "
                    f"{floor_marginal * 60:.3f} s per minute "
                    f"(marginal cost {marginal / floor_marginal:.2f}x the floor's)"
                )
        if name == "3h-warm":
            target(
                f"3h-warm: peak RSS <= {LONG_MAX_RSS_MB} MB",
                r.rss_mb <= LONG_MAX_RSS_MB,
                f"{r.rss_mb:.0f} MB (whole tree)",
            )
        else:
            out.append(f"  [ n/a] {name}: peak RSS {r.rss_mb:.0f} MB (informative; the target is on 3h)")
    for label, secs in results.startup.items():
        target(f"voiceguide {label} < {STARTUP_MAX_S} s", secs < STARTUP_MAX_S, f"{secs:.3f} s")
    p = results.program
    if p:
        ratio = p["program"] / p["serial"]
        target(
            f"program ({p['days']:.0f} days, {mmss(p['audio'])} of audio, {p['cores']:.0f} cores) <= "
            f"{PROGRAM_MAX_RATIO}x its days built one by one",
            ratio <= PROGRAM_MAX_RATIO,
            f"{p['program']:.2f} s vs {p['serial']:.2f} s = {ratio:.2f}x"
            + ("" if p["guidance"] else " (build has no --guidance yet: its days at the routine's guidance)"),
        )
        target(f"program rebuild with nothing changed < {REBUILD_MAX_S} s", p["rebuild"] < REBUILD_MAX_S,
               f"{p['rebuild']:.2f} s")  # fmt: skip
    if ANOMALIES:
        out += ["", "Anomalies seen during the run:"] + [f"  - {a}" for a in ANOMALIES]
    for case, text in results.profiles.items():
        out += ["", f"cProfile of one more build of {case}:", text]
    return "\n".join(out), all_ok


def machine() -> str:
    from voiceguide.ffmpeg import ffmpeg_path

    ff = subprocess.run([ffmpeg_path(), "-version"], capture_output=True, text=True).stdout.splitlines()[0]
    return "\n".join(
        [
            f"nproc: {os.cpu_count()} ({platform.machine()}, {platform.processor() or 'cpu ?'})",
            f"python: {platform.python_version()} ({sys.executable})",
            f"ffmpeg: {ffmpeg_path()}",
            f"        {ff}",
            "load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        ]
    )


def parse_cases(text: str) -> list[str]:
    cases = [c.strip() for c in text.split(",") if c.strip()]
    if cases == ["all"]:
        return list(ALL_CASES)
    unknown = [c for c in cases if c not in ALL_CASES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(ALL_CASES)}")
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog="Cases: " + ", ".join(ALL_CASES))
    parser.add_argument(
        "--cases", type=parse_cases, default=list(ALL_CASES), help="comma-separated cases (default: all)"
    )
    parser.add_argument("--repeat", type=int, default=1, metavar="N", help="best of N timed runs per case (default 1)")
    parser.add_argument(
        "--profile", type=lambda s: [c.strip() for c in s.split(",")], default=[], metavar="CASE[,CASE]",
        help="also cProfile one extra build of these build cases (e.g. warm-pyttsx3, 3h-warm)",
    )  # fmt: skip
    parser.add_argument("--python", default=sys.executable, help="the Python that runs voiceguide (default: this one)")
    parser.add_argument(
        "--idle-below", type=float, default=0.15, metavar="SHARE",
        help="before each timed run, wait until the CPUs are less than this busy (default 0.15; 1 = never wait)",
    )  # fmt: skip
    parser.add_argument(
        "--idle-patience", type=float, default=120, metavar="SECONDS",
        help="longest wait for an idle machine before timing anyway, and saying so (default 120)",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--no-snapshot", dest="snapshot", action="store_false",
        help="run the installed voiceguide as it is, not a copy taken at the start",
    )  # fmt: skip
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    work = Path(tempfile.mkdtemp(prefix="voiceguide-bench-"))
    try:
        source = take_snapshot(work, args.python) if args.snapshot else "the installed voiceguide, live"
        bench = Bench(args, work)
        print(machine(), flush=True)
        print(f"voiceguide: {source}", flush=True)
        print(f"command: {' '.join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]])}", flush=True)
        print("", flush=True)
        results = bench.run(args.cases)
        text, ok = report(results, bench.engines)
        print(text)
        q = bench.quiet
        print(
            f"\nwaited {q.waited:.0f} s in all for an idle machine before timed runs"
            + (f"; {q.busy_runs} run(s) timed on a busy machine after {q.patience:.0f} s" if q.busy_runs else "")
        )
        print("load average at the end (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
        if args.json:
            data = {
                "machine": machine(),
                "rows": {k: {**asdict(v), "rtf": v.rtf, "ratio": v.ratio} for k, v in results.rows.items()},
                "parts": results.parts,
                "startup": results.startup,
                "program": results.program,
                "rejected": results.rejected,
                "anomalies": ANOMALIES,
            }
            data["voiceguide"] = source
            args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

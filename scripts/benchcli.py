"""voiceguide as a user runs it, the floor, and the command line every benchmark shares.

Each benchmark (scripts/bench_*.py) gives `main` its cases and its parts of the run and
of the report; scripts/bench.py gives it all of them. Why the benchmarks are split this
way: scripts/benchkit.py.

Every build is the real CLI in a subprocess, `python -m voiceguide build ROUTINE -o
FILE`, with VOICEGUIDE_CACHE_DIR pointing at a temporary folder. So that one run
measures one version of the code while others edit the checkout, the voiceguide
package is copied (and byte-compiled, as pip leaves an install) into the temporary
folder at the start and put first on PYTHONPATH (--no-snapshot: run the installed code
live). That is why voiceguide is imported inside functions only, after take_snapshot.

The floor: the session's own audio (the built MP3 decoded back to 16-bit PCM and cut to
exactly round(duration * 44100) samples) piped into the same ffmpeg binary voiceguide
uses, with the encoder settings of voiceguide/files/encode.py, timed the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchkit import Quiet, Report, Run, run_measured

RATE = 44100

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


# -- routine files ---------------------------------------------------------------


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


# -- the floor -----------------------------------------------------------------


def mp3_args() -> list[str]:
    """voiceguide/files/formats.py's MP3 output options (codec, bitrate, muxer)."""
    try:
        from voiceguide.files.formats import FORMATS

        return list(FORMATS["mp3"].args)
    except (ImportError, KeyError, AttributeError):
        from voiceguide.files.formats import MP3_BITRATE

        return ["-c:a", "libmp3lame", "-b:a", MP3_BITRATE, "-id3v2_version", "4", "-f", "mp3"]


def encoder_cmd(ffmpeg: str, output: str) -> list[str]:
    """ffmpeg reading 16-bit mono PCM on stdin, with the settings of voiceguide/files/encode.py."""
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


# -- figures and the state of a run ------------------------------------------------


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
    """What the cases of one run share: the options, the temporary folder, the engines,
    the warm clip caches, the floor's PCM of each session, and the results."""

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


# -- the command line --------------------------------------------------------------


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


def parse_cases(known: Sequence[str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        cases = [c.strip() for c in text.split(",") if c.strip()]
        if cases == ["all"]:
            return list(known)
        unknown = [c for c in cases if c not in known]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(known)}")
        return cases

    return parse


Step = Callable[[Bench, list[str]], None]  # runs the cases it knows among those asked for
Figures = Callable[[Results, Report], None]
Targets = Callable[[Results, Report, list], None]  # the list: (engine, build args) of each engine


def report(results: Results, engines, figures: Sequence[Figures], targets: Sequence[Targets],
           appendices: Sequence[Figures]) -> Report:  # fmt: skip
    """Figures first, then every target, the anomalies, and the appendices (profiles)."""
    rep = Report()
    for part in figures:
        part(results, rep)
    rep.add("", "Targets:")
    for check_targets in targets:
        check_targets(results, rep, engines)
    if ANOMALIES:
        rep.add("", "Anomalies seen during the run:", *[f"  - {a}" for a in ANOMALIES])
    for part in appendices:
        part(results, rep)
    return rep


def main(
    doc: str,
    cases: Sequence[str],
    steps: Sequence[Step],
    figures: Sequence[Figures],
    targets: Sequence[Targets],
    appendices: Sequence[Figures] = (),
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> int:
    """Parse the shared options, run the steps on the cases asked for, print the report.

    Exit status: 0 when every target is met, 1 when one is missed.
    """
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0], epilog="Cases: " + ", ".join(cases))
    parser.add_argument(
        "--cases", type=parse_cases(cases), default=list(cases), help="comma-separated cases (default: all)"
    )
    parser.add_argument("--repeat", type=int, default=1, metavar="N", help="best of N timed runs per case (default 1)")
    if add_arguments:
        add_arguments(parser)
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
        for step in steps:
            step(bench, args.cases)
        results = bench.results
        rep = report(results, bench.engines, figures, targets, appendices)
        print(rep.text())
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
        return 0 if rep.ok else 1
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

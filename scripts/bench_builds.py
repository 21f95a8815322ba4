#!/usr/bin/env python3
"""Benchmark voiceguide's builds against the floor: ffmpeg alone encoding the same audio.

Run by hand, from anywhere, with the Python that has voiceguide installed:

    python scripts/bench_builds.py                       # every build case, best of 1
    python scripts/bench_builds.py --cases cold,warm     # the full routine only
    python scripts/bench_builds.py --profile warm-pyttsx3  # also cProfile one extra build

Cases:
    cold     the full routine with an empty clip cache, for each installed engine
    warm     the full routine with a warm clip cache, for each installed engine
    60min    a ~60-minute routine (the full routine's steps repeated), warm
    3h       a ~3-hour routine, warm

Cold: a fresh empty clip cache per run; warm: a cache filled by one untimed build first.
Each timed build is followed at once by its floor, so a busy spell hits both alike.
scripts/bench.py runs these with the other cases; the meter and the layout:
scripts/benchkit.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from benchcli import (
    RATE,
    Bench,
    Results,
    RoutineRejected,
    Row,
    check,
    env_with_cache,
    main,
    measure_floor,
    script_duration,
    toml_value,
)  # fmt: skip
from benchkit import Report, Run, best, mmss

CASES = ("cold", "warm", "60min", "3h")
LONG_TARGETS = {"60min": 60 * 60, "3h": 180 * 60}  # seconds of audio wanted

# Targets (docs/performance.md; ratios measured in one run on a 2-core machine).
WARM_MAX_RATIO = 1.5
COLD_MAX_RATIO = 2.5
LINEAR_TOLERANCE = 0.10
LONG_MAX_RSS_MB = 250


def add_arguments(parser) -> None:
    parser.add_argument(
        "--profile", type=lambda s: [c.strip() for c in s.split(",")], default=[], metavar="CASE[,CASE]",
        help="also cProfile one extra build of these build cases (e.g. warm-pyttsx3, 3h-warm)",
    )  # fmt: skip


# -- routine files for long sessions -------------------------------------------


def repeated_routine_toml(rounds: int) -> str:
    """The full preset with its steps repeated `rounds` times, in the routine file format."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    from importlib import resources

    from voiceguide.data import routines as presets  # an import, not a name in a string: it moves with the code

    preset = tomllib.loads(resources.files(presets).joinpath("full.toml").read_text("utf-8"))
    lines = [f"title = {toml_value(preset['title'] + f' x{rounds}')}"]
    for key in ("description", "intro", "outro"):
        if key in preset:
            lines.append(f"{key} = {toml_value(preset[key])}")
    lines += ["", "[defaults]"] + [f"{k} = {toml_value(v)}" for k, v in preset.get("defaults", {}).items()]
    for _ in range(rounds):
        for step in preset["steps"]:
            lines += ["", "[[steps]]"] + [f"{k} = {toml_value(v)}" for k, v in step.items()]
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


# -- the cases -------------------------------------------------------------------


def build_case(bench: Bench, case: str, routine: str, engine: str, engine_args, cold: bool, note: str = "") -> None:
    warm = bench.warm_cache(engine, engine_args)
    duration = script_duration(bench.python, routine, engine_args, warm, str(bench.work))
    out = bench.work / f"{case}.mp3"
    if cold:

        def one(i: int) -> Run:
            cache = bench.work / f"cache-cold-{engine}-{case}-{i}"
            run = bench.build(routine, engine_args, cache, out)
            shutil.rmtree(cache, ignore_errors=True)
            return run

    else:
        bench.log(f"  untimed build to warm the cache ({duration / 60:.1f} min of audio)")
        check(bench.build(routine, engine_args, warm, out), f"{case}: warm-up build")

        def one(i: int) -> Run:
            return bench.build(routine, engine_args, warm, out)

    # Build and floor alternate, so a busy spell on the machine hits both alike.
    key = (routine, engine, round(duration * RATE))
    runs: list[Run] = []
    floors = bench.floors.setdefault(key, [])
    for i in range(bench.args.repeat):
        bench.log(f"  timed build {i + 1}/{bench.args.repeat}, then the floor (ffmpeg alone, same audio)")
        bench.quiet.wait()
        run = one(i)
        check(run, f"{case}: build")
        runs.append(run)
        pcm = bench.floor_pcm(key, out, duration)
        bench.quiet.wait()
        floors.append(measure_floor(bench.ffmpeg, pcm, bench.work))
    run, floor = best(runs), best(floors)
    bench.results.rows[case] = Row(
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
    if case in bench.args.profile:
        profile(bench, case, routine, engine_args, None if cold else warm)
    out.unlink(missing_ok=True)


def profile(bench: Bench, case: str, routine: str, engine_args, cache: Path | None) -> None:
    """One more build under cProfile; keep the top of the cumulative listing."""
    cache = cache or bench.work / f"cache-profile-{case}"
    stats = bench.work / f"{case}.prof"
    out = bench.work / f"profile-{case}.mp3"
    out.unlink(missing_ok=True)
    cmd = [bench.python, "-m", "cProfile", "-o", str(stats), "-m", "voiceguide", "build", routine,
           "-o", str(out), *engine_args]  # fmt: skip
    bench.log(f"  profiling {case}")
    done = subprocess.run(cmd, env=env_with_cache(cache), cwd=str(bench.work), capture_output=True, text=True)
    if done.returncode != 0 or not out.exists():
        bench.results.profiles[case] = f"(the profiled build failed: {done.stderr.strip()[-300:]})"
        return
    import io
    import pstats

    text = io.StringIO()
    p = pstats.Stats(str(stats), stream=text)
    p.sort_stats("cumulative").print_stats(25)
    p.sort_stats("tottime").print_stats(15)
    bench.results.profiles[case] = text.getvalue()


def run_full(bench: Bench, cases: list[str]) -> None:
    """Cases cold and warm: the full routine, with each installed engine."""
    for kind in ("cold", "warm"):
        if kind not in cases:
            continue
        for engine, engine_args in bench.engines:
            case = f"{kind}-{engine}"
            bench.log(f"{case}: full routine, {'empty' if kind == 'cold' else 'warm'} cache")
            build_case(bench, case, "full", engine, engine_args, cold=kind == "cold", note="full")


def run_long(bench: Bench, cases: list[str]) -> None:
    """Cases 60min and 3h: routine files of that length, warm, with the first engine."""
    default_engine, default_args = bench.engines[0]
    for case, target in LONG_TARGETS.items():
        if case not in cases:
            continue
        name = f"{case}-warm"
        bench.log(f"{name}: writing a routine of about {target / 60:.0f} min (checked with 'voiceguide script')")
        try:
            path, duration, rounds = long_routine(
                bench.python, bench.work, case, target, default_args, bench.warm_cache(default_engine, default_args)
            )
        except RoutineRejected as exc:
            bench.results.rejected[name] = str(exc)
            bench.log(f"  rejected by voiceguide: {exc}")
            continue
        bench.log(f"  {rounds} rounds of the full routine's steps: {duration / 60:.1f} min")
        build_case(bench, name, path, default_engine, default_args, cold=False, note=f"full x{rounds}")


# -- report ------------------------------------------------------------------------


def table(results: Results, rep: Report) -> None:
    """One row a build case, against its floor."""
    rows = results.rows
    if not rows:
        return
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

    def line(cells) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=False)) + " |"

    rep.add(line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *[line(b) for b in body])
    rep.add("")
    rep.add("RTF = audio seconds / wall seconds; x floor = wall / floor (ffmpeg alone, same audio, same run).")
    rep.add("cpu s = user + sys of the whole process tree (Python, ffmpeg and any other child).")
    rep.add("")


def rejections(results: Results, rep: Report) -> None:
    """A long routine voiceguide refused (over its cap on session length) misses its targets."""
    for case, why in results.rejected.items():
        rep.add(f"{case}: routine rejected by voiceguide: {why}")
        rep.fail()


def targets(results: Results, rep: Report, engines) -> None:
    rows = results.rows
    for engine, _ in engines:
        r = rows.get(f"warm-{engine}")
        if r:
            rep.target(
                f"warm full build ({engine}) <= {WARM_MAX_RATIO}x floor", r.ratio <= WARM_MAX_RATIO, f"{r.ratio:.2f}x"
            )
    r = rows.get("cold-pyttsx3")
    if r:
        rep.target(
            f"cold full build (pyttsx3) <= {COLD_MAX_RATIO}x floor", r.ratio <= COLD_MAX_RATIO, f"{r.ratio:.2f}x"
        )
    full = rows.get(f"warm-{engines[0][0]}")
    for name in ("60min-warm", "3h-warm"):
        r = rows.get(name)
        if not r:
            continue
        if full:
            linearity(rep, name, r, full)
        if name == "3h-warm":
            rep.target(
                f"3h-warm: peak RSS <= {LONG_MAX_RSS_MB} MB",
                r.rss_mb <= LONG_MAX_RSS_MB,
                f"{r.rss_mb:.0f} MB (whole tree)",
            )
        else:
            rep.add(f"  [ n/a] {name}: peak RSS {r.rss_mb:.0f} MB (informative; the target is on 3h)")


def linearity(rep: Report, name: str, r: Row, full: Row) -> None:
    """Time linear in length: the target on 3h, informative on 60min; and the fit line on 3h."""
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
    rep.target(
        text,
        abs(off) <= LINEAR_TOLERANCE if name == "3h-warm" else None,
        detail if name == "3h-warm" else detail + " (informative)",
    )
    if name == "3h-warm":
        # time = fixed + marginal * audio, through the two points, for voiceguide and for the floor
        marginal = (r.wall - full.wall) / (r.audio - full.audio)
        floor_marginal = (r.floor - full.floor) / (r.audio - full.audio)
        rep.add(
            f"         fit through full and 3h: voiceguide {full.wall - marginal * full.audio:.2f} s fixed + "
            f"{marginal * 60:.3f} s per audio minute; floor {full.floor - floor_marginal * full.audio:.2f} s + "
            f"{floor_marginal * 60:.3f} s per minute "
            f"(marginal cost {marginal / floor_marginal:.2f}x the floor's)"
        )


def profiles(results: Results, rep: Report) -> None:
    for case, text in results.profiles.items():
        rep.add("", f"cProfile of one more build of {case}:", text)


if __name__ == "__main__":
    sys.exit(main(__doc__, CASES, [run_full, run_long], [table, rejections], [targets], [profiles], add_arguments))

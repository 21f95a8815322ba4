"""Fuzzing `voiceguide script` with routine files and CLI options: never a traceback, exit 0 or 2.

Routine files are random text, random bytes, or random structures mixing valid
and invalid fields, written as TOML or YAML; options are drawn from the real
option set of `script` with random (valid and invalid) values.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voiceguide.cli.main import cli

STRETCHES = ["forward-bend", "forward bend", "seated", "lunge", "standing", "supine", "wall", "downward dog",
             "dynamic", "reclining hand-to-big-toe", "seated hamstring", "nonsense", ""]  # fmt: skip
POSITIONS = ["standing", "lunge", "all-fours", "seated", "lying", "wall", "floor", ""]
EQUIPMENT = ["none", "strap", "towel", "band", "wall", "chair", ""]

words = st.sampled_from(["Breathe.", "Relax your neck.", "Slowly now.", "", " ", "🙂", "<b>x</b>", "\x07",
                         "تنفس", "深呼吸", "a" * 500, "Ten seconds.", "1", "-"])  # fmt: skip
short_text = st.one_of(words, st.text(max_size=60))
scalar = st.one_of(
    st.integers(-1000, 1000),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    short_text,
)
anything = st.recursive(
    scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
seconds = st.one_of(
    st.integers(0, 400), st.sampled_from([5, 20, 30, 300]), st.floats(-10, 400), short_text, st.booleans()
)


def maybe(value_strategy):
    return st.one_of(st.none(), value_strategy)


step = st.fixed_dictionaries(
    {},
    optional={
        "stretch": st.one_of(st.sampled_from(STRETCHES), anything),
        "name": short_text,
        "setup": st.one_of(st.lists(short_text, max_size=3), anything),
        "hold": seconds,
        "reps": st.one_of(st.integers(-5, 60), anything),
        "get_ready": seconds,
        "sides": st.one_of(st.sampled_from(["both", "right", "left", "up"]), anything),
        "rounds": st.one_of(st.integers(-1, 25), anything),
        "tips": st.one_of(st.lists(short_text, max_size=3), anything),
        "kind": st.sampled_from(["hold", "reps", "dance"]),
        "position": st.sampled_from(POSITIONS),
        "sided": st.one_of(st.booleans(), anything),
        "reminders": st.lists(short_text, max_size=2),
        "bogus": anything,
    },
)
routine_data = st.fixed_dictionaries(
    {},
    optional={
        "title": st.one_of(st.just("Fuzz"), short_text, anything),
        "intro": st.one_of(st.lists(short_text, max_size=3), anything),
        "outro": st.one_of(st.lists(short_text, max_size=2), anything),
        "description": short_text,
        "artist": short_text,
        "album": short_text,
        "rounds": st.one_of(st.integers(-1, 25), anything),
        "minutes": st.one_of(st.integers(-1, 300), anything),
        "defaults": st.one_of(
            st.fixed_dictionaries({}, optional={"hold": seconds, "get_ready": seconds, "reps": st.integers(-1, 60),
                                                "countdown": st.one_of(st.booleans(), anything), "holdd": scalar}),
            anything,
        ),
        "steps": st.one_of(st.lists(step, max_size=4), anything),
        "select": st.one_of(
            st.fixed_dictionaries({}, optional={"positions": st.lists(st.sampled_from(POSITIONS), max_size=3),
                                                "equipment": st.lists(st.sampled_from(EQUIPMENT), max_size=3),
                                                "kinds": st.lists(st.sampled_from(["hold", "reps", "x"]), max_size=2),
                                                "suits": st.lists(short_text, max_size=2)}),
            anything,
        ),
        "extra_key": anything,
    },
)  # fmt: skip


def to_toml(data) -> str:
    """A small TOML writer: inline tables and arrays only (valid TOML for any JSON-like data)."""

    def key(k: str) -> str:
        return json.dumps(k)

    def value(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            return repr(v) if math.isfinite(v) else "nan"
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + "}"
        raise TypeError(v)

    return "".join(f"{key(k)} = {value(v)}\n" for k, v in data.items())


def toml_text(data) -> str:
    try:
        return to_toml(data)
    except (TypeError, ValueError):
        return "title = 'x'\n"


routine_file = st.one_of(
    routine_data.map(lambda d: (".toml", toml_text(d).encode("utf-8", "surrogatepass"))),
    routine_data.map(lambda d: (".yaml", yaml.safe_dump(d, allow_unicode=True).encode("utf-8", "surrogatepass"))),
    anything.map(lambda d: (".yaml", yaml.safe_dump(d, allow_unicode=True).encode("utf-8", "surrogatepass"))),
    st.tuples(st.sampled_from([".toml", ".yaml", ".yml"]),
              st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))),
    st.tuples(st.sampled_from([".toml", ".yaml"]), st.binary(max_size=300)),
    st.tuples(st.sampled_from([".toml", ".yaml"]), st.sampled_from([
        b'title = "x"\n[[steps]]\nstretch = "forward bend"\nhold = 20\n',
        b'title: x\nsteps:\n  - stretch: seated\n    hold: 25\n',
        b'title = "x"\n[select]\npositions = ["wall"]\n',
        b'title = "x"\n[[steps]]\nname = "My own"\nsetup = ["Sit down."]\n',
    ])),
)  # fmt: skip

option = st.one_of(
    st.tuples(st.just("--minutes"),
              st.one_of(st.floats(-5, 400).map(str), st.sampled_from(["5", "abc", "1e9", "nan"]))),
    st.tuples(st.sampled_from(["--only", "--skip"]),
              st.one_of(st.sampled_from(STRETCHES), st.lists(st.sampled_from(STRETCHES), max_size=3).map(",".join),
                        st.text(max_size=20))),
    st.tuples(st.just("--position"), st.one_of(st.sampled_from(POSITIONS), st.text(max_size=10))),
    st.tuples(st.just("--equipment"),
              st.one_of(st.lists(st.sampled_from(EQUIPMENT), max_size=3).map(",".join), st.text(max_size=10))),
    st.tuples(st.sampled_from(["--hold", "--rounds", "--get-ready", "--reps", "--rate"]),
              st.one_of(st.integers(-10, 400).map(str), st.sampled_from(["20", "x", "", "3.5", "1e3"]))),
    st.tuples(st.just("--no-countdown")),
    st.tuples(st.just("--order"), st.sampled_from(["flow", "as-given", "random"])),
    st.tuples(st.just("--voice"), st.sampled_from(["en-us", "en", "gmw/en-us", "klingon", "", "../../etc"])),
    st.tuples(st.just("--format"), st.sampled_from(["text", "json", "xml"])),
    st.tuples(st.sampled_from(["--bogus", "-x", "--"])),
)  # fmt: skip


def check(result) -> None:
    assert "Traceback" not in result.output and "Traceback" not in result.stderr, result.stderr
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr, result.exception)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) <= 1, result.stderr
    if result.exit_code == 2:
        assert len(errors) == 1, result.stderr


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(routine=st.one_of(st.none(), routine_file, st.sampled_from(["full", "quick", "gentle", "nope", "-"])),
       options=st.lists(option, max_size=5))  # fmt: skip
def test_script_never_crashes(routine, options):
    args = ["script"]
    with tempfile.TemporaryDirectory() as folder:
        if isinstance(routine, tuple):
            suffix, data = routine
            path = Path(folder) / f"r{suffix}"
            path.write_bytes(data)
            args.append(str(path))
        elif routine is not None:
            args.append(routine)
        for opt in options:
            args += list(opt)
        result = CliRunner().invoke(cli, args)
    check(result)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(routine=routine_file)
def test_check_never_crashes(routine):
    suffix, data = routine
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"r{suffix}"
        path.write_bytes(data)
        result = CliRunner().invoke(cli, ["check", str(path)])
    check(result)


# -- build: option values with control characters, backslashes, non-UTF-8 bytes; odd paths ----------

hostile_text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.sampled_from(["\\", "a\\", "\\n", "x\r\ny", "=;#", "[00:01.00] hi", "\x00", "\x1b[31m", "pipe:0", "-"]),
    st.binary(min_size=1, max_size=8).map(lambda b: b.decode("utf-8", "surrogateescape")),
)
odd_name = st.one_of(
    st.sampled_from(["cache:x", "pipe:0", "mix:1.wav", "file:a", "a:b:c", ".", "..", "-", "x/", " ", "a\\b"]),
    st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=20),
    st.binary(min_size=1, max_size=8)
    .filter(lambda b: b"/" not in b and b"\0" not in b)
    .map(lambda b: b.decode("utf-8", "surrogateescape")),
)
build_option = st.one_of(
    st.tuples(st.sampled_from(["--title", "--artist", "--album"]), hostile_text),
    st.tuples(st.sampled_from(["--only", "--skip", "--voice"]), hostile_text),
    st.tuples(st.sampled_from(["-o", "--lrc", "--vtt", "--chapters", "--timeline", "--split", "--cover", "--music"]),
              odd_name),
    st.tuples(st.sampled_from(["--format"]), st.sampled_from(["mp3", "wav", "flac", "\\"])),
    st.tuples(st.just("--force")),
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(options=st.lists(build_option, max_size=4), odd=st.sampled_from(["fifo", "dir", "file", "none"]))
def test_build_never_crashes_on_hostile_values(options, odd):
    import os

    with tempfile.TemporaryDirectory() as folder:
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            if odd == "fifo":
                os.mkfifo("cache:x")
            elif odd == "dir":
                os.mkdir("pipe:0")
            elif odd == "file":
                Path("mix:1.wav").write_text("not audio")
            args = ["build", "--only", "forward-bend", "--hold", "5", "--engine", "none", "-o", "s.mp3"]
            for opt in options:
                args += list(opt)
            result = CliRunner().invoke(cli, args)
        finally:
            os.chdir(cwd)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr, result.exception, args)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == (1 if result.exit_code == 2 else 0), result.stderr

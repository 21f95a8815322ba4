"""The command line as a person meets it: help, output on stdout, errors on stderr."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from voiceguide import __version__
from voiceguide.cli.main import cli
from voiceguide.words.catalog import load_catalog

COMMANDS = ["build", "script", "list", "show", "voices"]


def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    for flag in ("--help", "-h"):
        result = run(command, flag)
        assert result.exit_code == 0
        assert result.stdout.startswith(f"Usage: cli {command}") or result.stdout.startswith("Usage: ")
        assert len(result.stdout.splitlines()) > 3


def test_top_level_help_lists_commands():
    result = run("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s+\S", result.stdout, re.M), command


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (
            ["--target", "hips", "--position", "standing,chair"],
            {"dynamic-hamstring", "figure-four-chair", "sit-to-stand", "knee-hug-chair"},
        ),
        (["--kind", "breaths"], {"belly-breathing", "belly-breathing-chair"}),
        (["--kind", "tempo", "--position", "all-fours"], {"cat-camel", "bird-dog"}),
        (["--target", "hamstrings", "--position", "lying"], {"supine-hamstring", "reclining-hand-to-big-toe"}),
        (["--kind", "reps"], {"dynamic-hamstring"}),
        (["--position", "standing", "--kind", "hold"], {"forward-bend", "standing-hamstring"}),
    ],
)
def test_list_filters_by_target_position_and_kind(args, ids):
    result = run("list", *args)
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[1:]
    assert {row.split()[0] for row in rows} == ids


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--target", "legs"], "--target: unknown 'legs'; use hamstrings"),
        (["--target", ""], "--target: '' names nothing"),
        (["--position", "lying", "--kind", "reps"], "nothing in the catalog matches"),
    ],
)
def test_list_refuses_what_matches_nothing_in_one_line(args, words):
    result = run("list", *args)
    assert result.exit_code == 2 and words in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_list_is_a_table_of_the_catalog():
    result = run("list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "NAME", "POSITION"]
    assert len(lines) == 1 + len(load_catalog())
    assert any(line.startswith("wall-hamstring") for line in lines)
    assert lines[0].split()[-2:] == ["NEEDS", "TARGETS"]
    dog = next(line for line in lines if line.startswith("downward-dog"))
    assert "kneeling, floor, inversion" in dog and dog.endswith("hamstrings, back, calves, shoulders")


def test_show_one_stretch():
    result = run("show", "down dog")
    assert result.exit_code == 0
    assert "Downward Dog" in result.stdout and "Setup:" in result.stdout
    assert "Let your heels sink towards the floor" in result.stdout
    assert "  Caution:      It puts your head below your heart, and weight on your knees: skip it" in result.stdout
    assert "  Needs:        kneeling, floor, inversion\n" in result.stdout
    assert "Coming out:\n    - Slowly lower your knees to the cushion" in result.stdout


def test_show_unknown_suggests_and_exits_2():
    result = run("show", "forwad bend")
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: no stretch named 'forwad bend'. Did you mean: forward-bend")
    assert line.endswith("Run 'voiceguide list' to see them all.")


@pytest.mark.parametrize(
    "args, words",
    [
        (["build", "--hold", "3"], ["--hold", "5<=x<=300"]),
        (["build", "--hold", "thirty"], ["--hold", "not a valid integer"]),
        (["build", "--rate", "1000"], ["--rate"]),
        (["build", "no-such-preset"], ["no preset or routine file", "full", "quick", "gentle"]),
        (["script", "--format", "xml"], ["--format", "text", "json"]),
        (["bild"], ["No such command", "build"]),
        (["show"], ["Missing argument"]),
    ],
)
def test_bad_input_is_one_line_exit_2(args, words):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in result.stderr


def test_build_refuses_missing_folder_before_any_work(tmp_path):
    result = run("build", "-o", str(tmp_path / "no" / "such" / "x.mp3"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "no").exists()


def test_build_refuses_directory_output(tmp_path):
    result = run("build", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_script_text_has_stamps_and_every_stretch():
    result = run("script")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("Hamstring stretches for lower back pain\n")
    stamps = re.findall(r"^(\d\d):(\d\d)  ", out, re.M)
    assert len(stamps) > 100
    seconds = [int(m) * 60 + int(s) for m, s in stamps]
    assert seconds == sorted(seconds)
    assert out.count("~ chime: hold 30 s begins") == 13  # 8 holds, 5 of them sided
    for name in ("Forward Bend", "Downward Dog", "Wall Hamstring Stretch"):
        assert name in out


def test_script_json_is_the_timeline_contract():
    result = run("script", "--format", "json", "--hold", "25")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["title"] == "Hamstring stretches for lower back pain"
    assert all(round(h["end"] - h["start"], 3) == 25 for h in data["holds"])
    assert data["duration"] >= data["events"][-1]["end"]
    sounds = {e["sound"] for e in data["events"] if e["kind"] == "chime"}
    assert sounds == {"start.wav", "end.wav", "switch.wav", "finish.wav"}


def test_script_same_options_same_timeline():
    a = run("script", "--format", "json", "--rate", "170", "--hold", "20").stdout
    b = run("script", "--format", "json", "--rate", "170", "--hold", "20").stdout
    c = run("script", "--format", "json", "--rate", "120", "--hold", "20").stdout
    assert a == b
    assert json.loads(a)["duration"] < json.loads(c)["duration"]  # a slower voice takes longer


def test_voices_marks_the_default():
    result = run("voices")
    assert result.exit_code == 0
    default = [line.split() for line in result.stdout.splitlines() if line.startswith("*  ")]
    assert ["*", "pyttsx3", "gmw/en-us"] in [d[:3] for d in default]
    engines = {d[1] for d in default}
    assert len(default) == len(engines)  # one default per engine


def test_unknown_voice_is_bad_input():
    result = run("script", "--voice", "klingon-xx")
    assert result.exit_code == 2
    assert "no voice 'klingon-xx'" in result.stderr

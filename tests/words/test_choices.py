"""What a person chose is kept: --minutes never drops it, --avoid leaves out what a body cannot do,
chimes-only builds keep the structure, titles tell builds apart. Through the real CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3

from voiceguide.cli.main import cli
from voiceguide.words.catalog import load_catalog
from voiceguide.words.routine import load_routine

CATALOG = load_catalog()


@pytest.fixture(autouse=True)
def one_cache(shared_cache, monkeypatch):
    """Every plan here speaks the same cues: speak them once."""
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(shared_cache))


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def plan(*args: str) -> tuple[dict, str]:
    result = run("script", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def stretches(timeline: dict) -> list[str]:
    return list(dict.fromkeys(b["stretch"] for b in timeline["blocks"]))


def test_minutes_keeps_every_stretch_the_person_kept():
    chosen = ["--equipment", "towel", "--skip", "lunge,downward-dog,dynamic"]
    unfitted, _ = plan(*chosen)
    target = round(unfitted["duration"] / 60 * 0.95, 1)  # shorter than all at 30 s: holds must shrink
    fitted, stderr = plan(*chosen, "--minutes", str(target))
    assert stretches(fitted) == stretches(unfitted)
    assert "reclining-hand-to-big-toe" in stretches(fitted)  # the towel stretch this person owns
    assert abs(fitted["duration"] - target * 60) <= target * 6
    (note,) = [line for line in stderr.splitlines() if line.startswith("Note: ")]
    assert "fitted to" in note and "left out" not in note


def test_a_choice_that_cannot_fit_says_by_how_much():
    result = run("script", "--only", "lunge,standing,seated,supine,wall", "--minutes", "3")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "cannot fit 3 minutes" in line and "over" in line and "--only or --skip" in line


def test_a_presets_pool_may_be_trimmed_and_stderr_names_what_was_left_out():
    fitted, stderr = plan("--minutes", "6")
    assert len(stretches(fitted)) < len(list(CATALOG))
    (note,) = [line for line in stderr.splitlines() if line.startswith("Note: ")]
    left = note.split("left out: ")[1].split(", ")
    names = {CATALOG.get(s).name for s in stretches(fitted)}
    assert left and not set(left) & names


@pytest.mark.parametrize(
    ("avoid", "gone"),
    [
        ("kneeling", {"downward-dog"}),
        ("lunging", {"lunge-hamstring"}),
        (
            "floor",
            {"downward-dog", "seated-hamstring", "supine-hamstring", "reclining-hand-to-big-toe", "wall-hamstring"},
        ),
        ("inversion", {"forward-bend", "lunge-hamstring", "downward-dog"}),
        ("kneeling,lunging", {"downward-dog", "lunge-hamstring"}),
    ],
)
def test_avoid_leaves_out_what_needs_it(avoid, gone):
    timeline, _ = plan("--avoid", avoid)
    kept = set(stretches(timeline))
    assert not kept & gone
    full = [s.stretch for s in load_routine("full").steps]  # the default routine
    assert kept == {s.id for s in full if not set(avoid.split(",")) & set(s.needs)}


def test_avoid_in_a_routine_file(tmp_path):
    path = tmp_path / "knees.toml"
    path.write_text('title = "Bad knees"\navoid = ["kneeling", "lunging"]\n[select]\n')
    timeline, _ = plan(str(path))
    assert {"downward-dog", "lunge-hamstring"}.isdisjoint(stretches(timeline))


@pytest.mark.parametrize(("option", "value"), [("--avoid", "jumping"), ("--position", "upside-down")])
def test_list_options_refuse_unknown_names_in_one_line(option, value):
    result = run("script", option, f"standing,{value}")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert option in line and value in line


def test_position_takes_commas():
    timeline, _ = plan("--position", "standing,seated")
    positions = {CATALOG.get(s).position for s in stretches(timeline)}
    assert positions == {"standing", "seated"}


def test_chimes_only_build_keeps_chapters_split_tracks_and_cover_list(tmp_path):
    common = ["--only", "forward-bend,standing-hamstring,dynamic", "--hold", "5", "--reps", "2"]
    outputs = {}
    for engine in ("pyttsx3", "none"):
        folder = tmp_path / engine
        folder.mkdir()
        result = run(
            "build", *common, "--engine", engine, "-o", str(folder / "s.mp3"),
            "--chapters", str(folder / "c.json"), "--split", str(folder / "tracks"),
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        chapters = json.loads((folder / "c.json").read_text())["chapters"]
        tracks = sorted(p.name for p in (folder / "tracks").iterdir() if p.suffix == ".mp3")
        outputs[engine] = ([c["title"] for c in chapters], tracks, ID3(folder / "s.mp3")["TIT2"].text[0])
    spoken, silent = outputs["pyttsx3"], outputs["none"]
    assert silent[0] == spoken[0] and len(silent[0]) == 1 + 4 + 1  # intro, rep set, bend, two sides, closing
    assert silent[1] == spoken[1] and len(silent[1]) == len(silent[0])
    assert silent[2] != spoken[2] and silent[2].endswith("(chimes only)")


def test_chimes_only_ticks_the_reps(tmp_path):
    timeline, _ = plan("--only", "dynamic", "--reps", "3", "--engine", "none")
    ticks = [e for e in timeline["events"] if e.get("sound") == "tick.wav"]
    assert len(ticks) == 6 and {e["kind"] for e in ticks} == {"chime"}
    steps = {round(b["start"] - a["start"], 3) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert steps == {6.0}


def test_quick_builds_chimes_only_unfitted_but_an_explicit_minutes_is_refused(tmp_path):
    # quick is a fixed standing list: the same steps whatever the voice (it was fitted, and a slow voice lost them).
    result = run("build", "quick", "--engine", "none", "-o", str(tmp_path / "q.mp3"))
    assert result.exit_code == 0, result.stderr
    assert "Note: fitted to" not in result.stderr
    refused = run("build", "--minutes", "5", "--engine", "none", "-o", str(tmp_path / "m.mp3"))
    assert refused.exit_code == 2 and "--minutes needs speech" in refused.stderr
    assert not (tmp_path / "m.mp3").exists()


def test_titles_tell_builds_apart():
    titles = {
        plan(*args)[0]["title"] for args in [(), ("--engine", "none"), ("--minutes", "8"), ("--guidance", "brief")]
    }
    assert len(titles) == 4

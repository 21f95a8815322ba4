"""Every projection of the timeline knows the dosed blocks: chapters, captions, lyrics, script, cover, ducking."""

from __future__ import annotations

import json

import pytest
from clirun import run
from timing_rules import CHIME_LENGTHS

from voiceguide.files import cover, script, sidecars
from voiceguide.sound.music import _duck_spans
from voiceguide.words import chapters
from voiceguide.words.catalog import stretch_from_table
from voiceguide.words.routine import load_routine
from voiceguide.words.timeline import build_timeline

ROUTINE = """\
title = "Back care"

[[steps]]
name = "Glute bridge"
setup = ["Lie on your back, knees bent, feet flat."]
position = "lying"
reps = 3
sets = 2
rest = 30
tempo = { up = 2, hold = 3, down = 3 }

[[steps]]
name = "Belly breathing"
setup = ["Rest a hand on your belly."]
position = "lying"
breaths = 4
breath = { in = 4, out = 6 }

[[steps]]
stretch = "reclining-hand-to-big-toe"
contract_relax = { cycles = 2, press = 5, relax = 3 }
"""


@pytest.fixture
def path(tmp_path):
    file = tmp_path / "back.toml"
    file.write_text(ROUTINE)
    return file


@pytest.fixture
def timeline(path):
    return build_timeline(load_routine(str(path)), lambda text: 0.2 + 0.05 * len(text), CHIME_LENGTHS)


def test_one_chapter_per_set_and_none_for_a_rest_or_a_press(timeline):
    cut = chapters.chapters_of(timeline)
    assert [c.title for c in cut] == [
        "Introduction",
        "Glute bridge, set 1 of 2",
        "Glute bridge, set 2 of 2",
        "Belly breathing",
        "Lying Strap Stretch (right side)",
        "Lying Strap Stretch (left side)",
        "Closing",
    ]
    said = {e.start: e.text for e in timeline.speech}
    assert said[cut[2].start] == "Set two of two."  # set two starts with its words, after the rest's
    assert said[cut[4].start] == "Last stretch: Lying Strap Stretch."  # the press is part of its hold's chapter
    assert all(a.end == b.start for a, b in zip(cut, cut[1:], strict=False))
    track = chapters.excerpt(timeline, cut[2])  # a split track keeps its set's phases, from its own start
    assert [b.kind for b in track.blocks] == ["tempo-set"] and len(track.phases) == 9
    assert track.phases[0].block == 0
    assert track.phases[0].start == pytest.approx(timeline.phases[9].start - cut[2].start, abs=1e-6)


def test_captions_and_lyrics_carry_the_phase_words_and_what_each_chime_means(timeline):
    vtt = sidecars.vtt(timeline)
    for text in ("One. Lift.", "Last one. Lift.", "Rest. Thirty seconds.", "Set two of two.", "Breathe in."):
        assert f"\n{text}\n" in vtt
    assert "[chime: set begins]" in vtt and "[chime: breathing begins]" in vtt
    assert "[chime: press and relax begins]" in vtt and "[chime: hold begins]" in vtt
    lrc = sidecars.lrc(timeline)
    assert "]One. Lift." in lrc and "]And lower." in lrc


def test_printed_script_names_sets_breathing_and_phase_ticks(timeline):
    text = script.render_text(timeline)
    assert "~ chime: set 1 of 2 begins (Glute bridge)" in text
    assert "~ chime: breathing begins (Belly breathing)" in text
    assert "~ chime: press and relax begins (Lying Strap Stretch)" in text
    assert script.summary(timeline).endswith(", 2 tempo sets, 1 breathing block")
    silent = script.render_text(timeline.without_speech(tick=0.15))
    assert "~ chime: phase" in silent and "~ chime: rep" not in silent


def test_cover_lists_each_step_once_with_its_dose(timeline):
    assert cover.stretches_in_order(timeline) == [
        "Glute bridge, 2 x 3",
        "Belly breathing, 4 breaths",
        "Lying Strap Stretch",
    ]


def test_music_ducks_under_every_phase_word(timeline):
    spans = _duck_spans(timeline)
    for e in timeline.speech:
        if e.role == "phase":
            assert any(a <= e.start and e.end <= b for a, b in spans), e


def test_script_json_from_the_command_line_has_phases_and_set_blocks(path):
    result = run("script", path, "--engine", "none", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    sets = [b for b in data["blocks"] if b["kind"] == "tempo-set"]
    assert [(b["set"], b["of"]) for b in sets] == [(1, 2), (2, 2)]
    assert len(data["phases"]) == 2 * 3 * 3 + 4 * 2 + 2 * 2 * 2
    ticks = {e["start"] for e in data["events"] if e.get("sound") == "tick.wav"}
    assert {p["start"] for p in data["phases"]} <= ticks  # chimes only: a tick on every phase
    assert {e["kind"] for e in data["events"]} == {"chime"}


CATALOG_ENTRY = {
    "id": "glute-bridge",
    "name": "Glute Bridge",
    "targets": ["back"],
    "position": "lying",
    "sided": False,
    "kind": "hold",
    "hold": [20, 30],
    "reps": [8, 12],
    "setup": ["Lie on your back, knees bent, feet flat."],
    "benefit": "Strong hips for a supported back.",
    "needs": ["floor"],
    "sets": 2,
    "rest": 30,
    "tempo": {"up": 2, "hold": 3, "down": 3},
}


def test_a_catalog_entry_takes_the_same_fields_as_defaults_and_show_prints_the_dose():
    stretch = stretch_from_table(CATALOG_ENTRY, "stretch[0]", "catalog.toml")
    assert stretch.dose is not None and not stretch.dose.written
    assert stretch.recommended == "2 x 8, 2-3-3 tempo, 30 s rest"
    shown = script.describe(stretch)
    assert "Recommended:  2 x 8, 2-3-3 tempo, 30 s rest" in shown and "Kind:         tempo reps" in shown


def test_a_step_naming_a_catalog_stretch_overrides_its_dose(tmp_path, monkeypatch):
    from voiceguide.words import catalog as catalog_module

    stretch = stretch_from_table(CATALOG_ENTRY, "stretch[0]", "catalog.toml")
    ours = catalog_module.Catalog((*catalog_module.load_catalog().stretches, stretch))
    file = tmp_path / "bridge.yaml"
    file.write_text("title: Bridge\nsteps:\n  - stretch: glute bridge\n    sets: 3\n")
    step = load_routine(str(file), ours).steps[0]
    assert step.kind == "tempo" and step.dose is not None and step.dose.tempo is not None
    assert (step.dose.tempo.sets, step.dose.tempo.reps, step.dose.tempo.label) == (3, 8, "3-3-3")  # the catalog's
    assert step.dose.written == ("sets",)  # the tempo is the catalog's: its words may be fewer, never an error


def test_check_prints_each_steps_dose(path):
    result = run("check", path, "--engine", "none")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "  Glute bridge: 2 x 3, 2-3-3 tempo, 30 s rest",
        "  Belly breathing: 4 breaths, in 4 s, out 6 s",
        "  Lying Strap Stretch: contract-relax 2 x (press 5 s, relax 3 s), then 30 s x 2 sides",
    ]

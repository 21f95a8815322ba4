"""Profiles: a body in one word (voiceguide/words/profiles.py, data/profiles.toml)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from timing_rules import CHIME_LENGTHS, assert_obeys_timing_rules

from voiceguide.cli.main import cli
from voiceguide.errors import InputError
from voiceguide.words import cues, profiles
from voiceguide.words.builder import Options, apply
from voiceguide.words.catalog import NEEDS, load_catalog
from voiceguide.words.routine import load_routine, routine_from_data
from voiceguide.words.timeline import SPEECH, build_timeline

CATALOG = load_catalog()
KNEELING = re.compile(r"\bkneel|hands and knees|onto your knees|knees? on the cushion", re.I)


def length(text: str) -> float:
    return 0.24 + 0.049 * len(text)


def laid(routine):
    timeline = build_timeline(routine, length, CHIME_LENGTHS)
    assert_obeys_timing_rules(timeline, routine, length)
    return timeline, [e.text or "" for e in timeline.events if e.kind == SPEECH]


def test_every_profile_swaps_to_a_stretch_its_body_can_do():
    for profile in profiles.load_profiles().values():
        assert set(profile.avoid) <= set(NEEDS)
        for old, new in profile.swap:
            assert CATALOG.get(old).id == old
            assert not set(CATALOG.get(new).needs) & set(profile.avoid), (profile.name, new)


def test_no_floor_turns_a_floor_session_into_the_chair_versions():
    routine = apply(load_routine("gentle"), Options(profiles=("no-floor",)))
    assert [s.stretch.id for s in routine.steps] == ["chair-hamstring"]  # said once, not twice
    _, said = laid(routine)
    assert not any("onto the floor" in t or "lie down" in t for t in said)
    assert "floor" in routine.avoid and routine.profiles == ("no-floor",)
    low_back = apply(load_routine("low-back-daily"), Options(profiles=("no-floor",)))
    chair = ["belly-breathing-chair", "pelvic-tilt-chair", "knee-hug-chair", "figure-four-chair", "sit-to-stand"]
    assert [s.stretch.id for s in low_back.steps] == chair


def test_bad_knee_never_hears_kneeling_and_gets_the_chair_figure_four():
    for name in ("full", "low-back-daily"):
        routine = apply(load_routine(name), Options(profiles=("bad-knee",)))
        _, said = laid(routine)
        assert not [t for t in said if KNEELING.search(t)], name
    ids = [s.stretch.id for s in apply(load_routine("low-back-daily"), Options(profiles=("bad-knee",))).steps]
    assert "figure-four-chair" in ids and "figure-four" not in ids


def test_high_blood_pressure_goes_nowhere_head_down_and_holds_no_breath():
    routine = apply(load_routine("full"), Options(profiles=("high-blood-pressure",)))
    assert not [s for s in routine.steps if "inversion" in s.stretch.needs]
    data = {
        "title": "Breath",
        "profile": ["high-blood-pressure"],
        "steps": [{"name": "Box breathing", "setup": ["Lie on your back."], "position": "lying", "breaths": 3,
                   "breath": {"in": 4, "hold_in": 4, "out": 4, "hold_out": 4}}],
    }  # fmt: skip
    held = apply(routine_from_data(data, "breath.toml", CATALOG), Options())
    breathing = held.steps[0].dose.breathing
    assert (breathing.hold_in, breathing.hold_out) == (0.0, 0.0)
    assert [p for p, _ in breathing.phases()] == ["in", "out"]


def test_a_routine_file_names_its_profile_and_a_wrong_one_is_refused_with_its_field():
    data = {"title": "Mine", "profile": ["bad-knee"], "steps": [{"stretch": "figure-four"}]}
    routine = apply(routine_from_data(data, "mine.toml", CATALOG), Options())
    assert [s.stretch.id for s in routine.steps] == ["figure-four-chair"]
    with pytest.raises(InputError, match=r"mine.toml: profile\[0\].*bad-knee"):
        routine_from_data({**data, "profile": ["bad knees"]}, "mine.toml", CATALOG)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--profile", "pregnant"], ["--profile", "'pregnant' is not offered", "docs/catalog.md"]),
        (["--profile", "badknee"], ["--profile", "unknown profile 'badknee'", "bad-knee, no-floor"]),
    ],
)
def test_an_unknown_profile_is_one_line_and_exit_2(args, words):
    result = CliRunner().invoke(cli, ["script", "--engine", "none", *args])
    assert result.exit_code == 2 and "Traceback" not in result.output
    for word in words:
        assert word in result.stderr


def test_the_check_in_asks_a_number_first_and_says_what_to_make_of_it_last():
    routine = apply(load_routine("low-back-daily"), Options(check_in=True))
    timeline, said = laid(routine)
    assert said.index(cues.CHECK_IN) < said.index(next(t for t in said if t.startswith("First exercise")))
    closing = said[said.index(cues.CHECK_OUT[0]) :]
    assert closing[: len(cues.CHECK_OUT)] == list(cues.CHECK_OUT)
    assert closing[-1].startswith("Take your time getting up.")  # the way up stays the last thing said
    for level in ("brief", "minimal"):
        _, short = laid(apply(load_routine("low-back-daily"), Options(check_in=True, guidance=level)))
        assert cues.CHECK_IN in short and cues.CHECK_OUT[2] in short, level
    _, plain = laid(apply(load_routine("low-back-daily"), Options()))
    assert cues.CHECK_IN not in plain


def test_a_test_position_comes_before_what_it_tests_whatever_the_order_asked():
    """Press-ups only if lying on the elbows eased the back: the elbows come first (catalog `after`)."""
    for s in CATALOG:
        assert not s.after or CATALOG.get(s.after).id == s.after, s.id
    routine = apply(load_routine("low-back-daily"), Options(only=("press-ups", "prone-on-elbows")))
    assert [s.stretch.id for s in routine.steps] == ["prone-on-elbows", "press-ups"]
    _, said = laid(routine)
    assert "If pain spreads down your leg at any time, stop, and lie still." in said


def test_a_profile_that_brings_the_chair_in_keeps_one_trip_down_and_up():
    routine = apply(load_routine("low-back-daily"), Options(profiles=("bad-knee",)))
    on_floor = [cues.LEVELS[s.stretch.position] not in cues.OFF_THE_FLOOR for s in routine.steps]
    assert on_floor == sorted(on_floor)  # the chair first, then the floor: down once
    _, said = laid(routine)
    assert "We begin sitting on the chair, then move to the floor." in said

"""The cues between positions: a way from every position to every other, none kneeling for a body that avoids it."""

from __future__ import annotations

import itertools

import pytest
from timing_rules import CHIME_LENGTHS, assert_obeys_timing_rules

from voiceguide.words import cues
from voiceguide.words.builder import Options, apply
from voiceguide.words.catalog import POSITIONS, load_catalog
from voiceguide.words.routine import Routine, routine_from_data
from voiceguide.words.timeline import build_timeline


def length(text: str) -> float:
    return 0.2 + 0.06 * len(text)


KNEELING = ("kneel", "knees and", "hands and knees", "cushion under your knees")


@pytest.mark.parametrize(("a", "b"), list(itertools.product(POSITIONS, repeat=2)))
def test_a_way_from_every_position_to_every_other(a, b):
    cue = cues.move(a, b)
    if cues.LEVELS[a] == cues.LEVELS[b]:
        assert cue is None
        return
    assert cue and cue.endswith("."), (a, b)
    spared = cues.move(a, b, ("kneeling",)) or ""
    if "all-fours" not in (a, b):  # on hands and knees is itself a kneel
        assert not any(word in spared.lower() for word in KNEELING), (a, b, spared)


def test_the_chair_and_face_down_are_reached_through_the_floor_never_a_kneel():
    assert cues.move("chair", "prone") == " ".join(
        (cues.move("chair", "seated") or "", cues.move("seated", "lying") or "", cues.move("lying", "prone") or "")
    )
    assert "kneel" not in (cues.move("prone", "chair") or "")
    assert cues.move("standing", "chair") == cues.move(None, "chair")  # a session begins standing


def test_courses_with_the_chair():
    assert cues.course(["chair"]) == "Everything in this session is done sitting on the chair."
    assert cues.course(["standing", "chair", "lying"]) == (
        "We begin standing, then move to the chair, then to the floor."
    )


def _routine(ids: list[str]) -> Routine:
    data = {"title": "New places", "steps": [{"stretch": i} for i in ids]}
    return apply(routine_from_data(data, "test", load_catalog()), Options())


@pytest.mark.parametrize(
    "ids",
    [
        ["chair-hamstring", "figure-four-chair", "prone-on-elbows", "knee-to-chest", "hip-flexor-standing"],
        ["prone-on-elbows", "chair-hamstring", "childs-pose", "double-knee-to-chest", "figure-four"],
    ],
)
def test_sessions_through_the_new_positions_keep_the_timing_rules(ids):
    routine = _routine(ids)
    assert [s.stretch.id for s in routine.steps] == ids  # a file's steps keep their order
    timeline = build_timeline(routine, length, CHIME_LENGTHS)
    assert_obeys_timing_rules(timeline, routine, length)
    said = [e.text for e in timeline.speech]
    # Whoever should skip prone-on-elbows or the child's pose hears so before the way down to it.
    for stretch in ("prone-on-elbows", "childs-pose", "double-knee-to-chest"):
        caution = load_catalog().get(stretch).caution
        if stretch in ids:
            assert caution in said

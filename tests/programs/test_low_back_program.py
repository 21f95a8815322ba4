"""The low-back-4-weeks program: profiles, a direction preference, a pain check-in, growing gently."""

from __future__ import annotations

import datetime
import itertools

import pytest
from click.testing import CliRunner
from timing_rules import CHIME_LENGTHS, assert_obeys_timing_rules

from voiceguide.cli.main import cli
from voiceguide.programs.openings import WEEK_END_OUTRO
from voiceguide.programs.program import Choices, load_program, plan_days
from voiceguide.words import cues
from voiceguide.words.timeline import SPEECH, build_timeline

MONDAY = datetime.date(2026, 1, 5)
PROFILES = [(), ("bad-knee",), ("no-floor",), ("high-blood-pressure",)]
PREFER = [None, "flexion", "extension"]
LOADED = {"hold", "tempo-set", "breaths", "reps", "contract-relax"}
STRENGTH = {"glute-bridge", "bird-dog", "sit-to-stand", "dead-bug-heel-slides"}


def length(text: str) -> float:
    return 0.24 + 0.049 * len(text)


def days(prefer=None, profiles=()):
    return plan_days(load_program("low-back-4-weeks"), MONDAY, choices=Choices(prefer=prefer, profiles=profiles))


def under_load(timeline) -> float:
    """Seconds held or moving: holds, and reps times their tempo (rests, setups and moves not counted)."""
    return sum(b.end - b.start for b in timeline.blocks if b.kind in LOADED)


@pytest.mark.parametrize(("prefer", "profiles"), list(itertools.product(PREFER, PROFILES)))
def test_every_session_grows_gently_and_suits_the_body(prefer, profiles):
    planned = days(prefer, profiles)
    assert 20 <= len(planned) <= 24
    before = None
    for day in planned:
        routine = day.shaped
        timeline = build_timeline(routine, length, CHIME_LENGTHS)
        assert_obeys_timing_rules(timeline, routine, length)
        load = under_load(timeline)
        if before is not None:
            assert load <= 1.5 * before + 1e-6, (day.number, load, before)
        before = load
        assert not routine.warnings(), (day.number, routine.warnings())  # holds and reps in each one's range
        needs = {n for s in routine.steps for n in s.stretch.needs}
        avoided = {"bad-knee": {"kneeling"}, "no-floor": {"floor", "kneeling", "prone"}}
        for profile in profiles:
            assert not needs & avoided.get(profile, {"inversion"}), (profile, day.number)


def test_it_starts_lying_with_breathing_and_reaches_strengthening_by_week_three():
    planned = days()
    first = [s.stretch.id for s in planned[0].shaped.steps]
    assert first == ["belly-breathing", "pelvic-tilt", "knee-to-chest"]
    assert {s.stretch.position for s in planned[0].shaped.steps} == {"lying"}
    week_three = [d for d in planned if (d.date - MONDAY).days // 7 == 2]
    assert all(STRENGTH & {s.stretch.id for s in d.shaped.steps} for d in week_three)
    added = [len({s.stretch.id for s in b.shaped.steps} - {s.stretch.id for s in a.shaped.steps})
             for a, b in itertools.pairwise(planned)]  # fmt: skip
    assert max(added) <= 3 and sum(1 for n in added if n) >= 6


@pytest.mark.parametrize(
    ("prefer", "taken", "left"),
    [
        ("extension", {"press-ups", "prone-on-elbows", "standing-back-bend"}, {"double-knee-to-chest", "childs-pose"}),
        ("flexion", {"double-knee-to-chest", "childs-pose"}, {"press-ups", "prone-on-elbows", "standing-back-bend"}),
        (None, set(), {"press-ups", "prone-on-elbows", "standing-back-bend", "double-knee-to-chest", "childs-pose"}),
    ],
)
def test_the_direction_preference_takes_in_its_own_and_leaves_out_the_other(prefer, taken, left):
    ids = {s.stretch.id for d in days(prefer) for s in d.shaped.steps}
    assert taken <= ids and not ids & left


def test_each_week_ends_with_a_walk_and_every_day_with_the_check_in():
    planned = days()
    for a, b in itertools.pairwise(planned):
        rest_follows = (b.date - a.date).days > 1
        assert (WEEK_END_OUTRO in a.routine.outro) == rest_follows, a.number
    for day in planned:
        said = [e.text for e in build_timeline(day.shaped, length, CHIME_LENGTHS).events if e.kind == SPEECH]
        assert cues.CHECK_IN in said and cues.CHECK_OUT[0] in said, day.number


def test_the_command_line_prints_doses_and_drops_the_check_in_on_request():
    run = CliRunner().invoke
    plan = run(cli, ["program", "low-back-4-weeks", "--plan", "--start", "2026-01-05", "--profile", "no-floor"])
    assert plan.exit_code == 0, plan.stderr
    assert "Belly Breathing on a Chair 5 breaths, in 4 s, out 6 s" in plan.stdout
    assert "Sit to Stand 2 x 8, 3-2-3 tempo, 30 s rest" in plan.stdout
    args = ["program", "low-back-4-weeks", "--day", "1", "--start", "2026-01-05", "--engine", "pyttsx3"]
    with_check = run(cli, args)
    without = run(cli, [*args, "--no-check-in"])
    assert with_check.exit_code == 0 and without.exit_code == 0, without.stderr
    assert cues.CHECK_IN in with_check.stdout and cues.CHECK_IN not in without.stdout


def test_the_fifth_read_holds_no_breath_one_trip_down_and_a_pause_after_getting_up():
    """Physio read 5: a bare "Hold." makes people hold their breath; a chair version must not make a second
    trip to the floor; getting up mid-session is followed by a breath standing still; the skipper gets up too."""
    last = days(profiles=("high-blood-pressure",))[-1]
    timeline = build_timeline(last.shaped, length, CHIME_LENGTHS)
    said = [e.text or "" for e in timeline.events if e.kind == SPEECH]
    assert "Hold." not in said and any("Keep breathing" in t for t in said)
    moves = [e.text or "" for e in timeline.events if e.kind == SPEECH and e.role == "move"]
    ups = [t for t in moves[:-1] if "stand up" in t.lower() or "push up slowly through" in t]
    assert ups and all(t.endswith(cues.STAND_STILL) for t in ups)
    for day in days(profiles=("bad-knee",)):
        levels = [cues.LEVELS[s.stretch.position] in cues.OFF_THE_FLOOR for s in day.shaped.steps]
        downs = sum(1 for a, b in itertools.pairwise([True, *levels]) if a and not b)
        assert downs <= 1, (day.number, [s.stretch.id for s in day.shaped.steps])
    for day in days():
        if day.shaped.steps[-1].stretch.caution and cues.LEVELS[day.shaped.steps[-1].stretch.position] == "kneel":
            closing = [e.text for e in build_timeline(day.shaped, length, CHIME_LENGTHS).events if e.kind == SPEECH]
            assert "If you skipped it" in closing[-1], day.number
    assert all(d.guidance == "full" for d in days()[:21])  # every exercise is talked through before brief

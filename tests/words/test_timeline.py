"""The timing rules, on timelines laid out with made-up speech lengths (no audio)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from timing_rules import CHIME_LENGTHS, assert_obeys_timing_rules

from voiceguide.words import cues
from voiceguide.words.builder import Options, apply
from voiceguide.words.catalog import load_catalog
from voiceguide.words.dose import Breathing, ContractRelax, Dose, TempoReps
from voiceguide.words.routine import GUIDANCE, Routine, Step, load_routine
from voiceguide.words.timeline import CHIMES, SPEECH, Pacing, build_timeline, spoken_texts


def words_length(seconds_per_char: float = 0.06):
    """A stand-in for TTS: length grows with the text, like real speech."""
    return lambda text: 0.2 + seconds_per_char * len(text)


def one_step(stretch_id: str, **step) -> Routine:
    stretch = load_catalog().get(stretch_id)
    defaults = dict(hold=30, reps=10, get_ready=10)
    defaults.update(step)
    return Routine(title="Test", steps=(Step(stretch=stretch, **defaults),))


def lay(routine, length=None):
    length = length or words_length()
    return build_timeline(routine, length, CHIME_LENGTHS), length


def speech(timeline, role):
    return [e for e in timeline.events if e.kind == SPEECH and e.role == role]


@pytest.mark.parametrize("hold", [5, 8, 12, 15, 20, 25, 30, 60, 300])
def test_every_hold_is_exactly_its_length(hold):
    routine = apply(load_routine(), Options(hold=hold))
    timeline, length = lay(routine)
    assert {h.seconds for h in timeline.holds} == {hold}
    assert_obeys_timing_rules(timeline, routine, length)


def test_full_routine_shape():
    routine = load_routine()
    timeline, length = lay(routine)
    assert_obeys_timing_rules(timeline, routine, length)
    # 9 stretches, 5 of them sided: 14 holds minus the dynamic one, which is a rep set.
    assert len(timeline.holds) == 13
    assert [s.stretch for s in timeline.sets] == ["dynamic-hamstring"]
    assert 12 * 60 <= timeline.duration <= 24 * 60
    assert speech(timeline, "intro") and speech(timeline, "outro")


def test_sided_stretch_gets_both_sides_in_full_with_a_switch_between():
    routine = one_step("lunge-hamstring", hold=25)
    timeline, length = lay(routine)
    right, left = timeline.holds
    assert (right.side, left.side) == ("right", "left")
    assert right.seconds == left.seconds == 25
    switch = [e for e in timeline.events if e.role == "switch" and e.kind == SPEECH]
    assert switch and right.end < switch[0].start < left.start
    # The left side hears the mirrored instruction.
    spoken = [e.text for e in timeline.events if e.kind == SPEECH and right.end < e.start < left.start]
    assert any("right foot back" in t and "left knee" in t for t in spoken)
    assert_obeys_timing_rules(timeline, routine, length)


def test_get_ready_is_the_longer_of_setting_and_setup_speech_and_settle():
    short_speech = lambda text: 0.3  # noqa: E731
    long_speech = lambda text: 6.0  # noqa: E731
    for length, get_ready in ((short_speech, 30), (long_speech, 5)):
        routine = one_step("forward-bend", get_ready=get_ready)
        timeline, _ = lay(routine, length)
        announce = speech(timeline, "announce")[0]
        setup = speech(timeline, "setup")
        hold = timeline.holds[0]
        wait = hold.start - announce.start
        if length is short_speech:
            assert wait == pytest.approx(get_ready, abs=1e-9)
            assert hold.start - setup[-1].end > Pacing().settle
        else:
            # The chime waits the settle time after the last instruction, not a breath.
            assert hold.start == pytest.approx(setup[-1].end + Pacing().settle, abs=1e-9)
            assert wait > get_ready


@pytest.mark.parametrize("settle", [0, 2.5, 12])
def test_settle_option_sets_the_quiet_before_every_opening_chime(settle):
    routine = dataclasses.replace(one_step("standing-hamstring", get_ready=0), settle=settle)
    timeline, _ = lay(routine, lambda text: 2.0)
    previous_end = None
    for hold in timeline.holds:
        last_words = max(e.end for e in timeline.speech if e.end <= hold.start)
        quiet = max(settle, Pacing().clearance)
        if previous_end is not None:  # the second side also waits for the least switch time
            quiet = max(quiet, previous_end + Pacing().switch - last_words)
        assert hold.start - last_words == pytest.approx(quiet, abs=1e-6)
        previous_end = hold.end


def test_countdown_on_long_holds_and_no_ten_seconds():
    timeline, _ = lay(one_step("forward-bend", hold=30))
    hold = timeline.holds[0]
    assert not [e for e in timeline.speech if "seconds" in (e.text or "").lower()]
    countdown = speech(timeline, "countdown")
    assert [e.text for e in countdown] == list(cues.COUNTDOWN)
    assert [round(hold.end - e.start, 3) for e in countdown] == [3, 2, 1]


def test_short_hold_drops_ten_seconds_but_keeps_exact_length():
    timeline, _ = lay(one_step("forward-bend", hold=8))
    assert not speech(timeline, "ten")
    assert timeline.holds[0].seconds == 8


def test_no_countdown_when_switched_off():
    routine = dataclasses.replace(one_step("forward-bend", hold=30), countdown=False)
    timeline, _ = lay(routine)
    assert not speech(timeline, "countdown") and not speech(timeline, "ten")


def test_cues_that_do_not_fit_are_dropped_least_important_first():
    # A slow voice: reminders no longer fit a 12 s hold, the countdown still does.
    slow = lambda text: 0.1 if text in cues.COUNTDOWN else 3.5  # noqa: E731
    timeline, _ = lay(one_step("forward-bend", hold=12), slow)
    reminders = speech(timeline, "reminder")
    catalog_reminders = load_catalog().get("forward-bend").reminders
    assert len(reminders) < len(catalog_reminders)
    # What stays is the start of the list, the most important reminders.
    assert [e.text for e in reminders] == list(catalog_reminders[: len(reminders)])
    assert speech(timeline, "countdown")
    assert timeline.holds[0].seconds == 12


def test_countdown_dropped_whole_when_words_are_too_long():
    timeline, _ = lay(one_step("forward-bend", hold=30), lambda text: 1.5)
    assert not speech(timeline, "countdown")
    assert timeline.holds[0].seconds == 30


def test_dynamic_stretch_is_counted_rep_by_rep():
    routine = one_step("dynamic-hamstring", reps=12)
    timeline, length = lay(routine)
    assert not timeline.holds
    (rep_set,) = timeline.sets
    counts = speech(timeline, "count")
    assert len(counts) == 24
    assert counts[0].text == "Right, one." and counts[-1].text == "Left, twelve."
    assert_obeys_timing_rules(timeline, routine, length)


def test_slow_counts_slow_the_tempo_instead_of_overlapping():
    routine = one_step("dynamic-hamstring", reps=3)
    timeline, length = lay(routine, lambda text: 7.0)
    counts = speech(timeline, "count")
    assert counts[1].start - counts[0].start == pytest.approx(7.0 + Pacing().gap)
    assert_obeys_timing_rules(timeline, routine, length)


def test_spoken_texts_covers_everything_the_timeline_speaks():
    routine = load_routine()
    needed = set(spoken_texts(routine))
    for length in (words_length(0.03), words_length(0.09), lambda text: 2.0):
        timeline, _ = lay(routine, length)
        assert {e.text for e in timeline.speech} <= needed


def test_json_contract_keys():
    timeline, _ = lay(one_step("forward-bend"))
    data = timeline.to_dict()
    assert set(data) >= {"title", "duration", "events", "holds"}
    speech_event = next(e for e in data["events"] if e["kind"] == "speech")
    chime_event = next(e for e in data["events"] if e["kind"] == "chime")
    assert {"kind", "start", "end", "text"} <= set(speech_event)
    assert {"kind", "start", "end", "sound"} <= set(chime_event)
    assert chime_event["sound"] in CHIMES
    hold = data["holds"][0]
    assert set(hold) == {"stretch", "name", "side", "start", "end"}
    assert hold["stretch"] == "forward-bend" and hold["side"] is None


# -- property: any routine yields a timeline that obeys every rule ---------

catalog_ids = [s.id for s in load_catalog()]


phase_seconds = st.sampled_from([0.5, 1, 1.5, 2, 3, 4, 6])


@st.composite
def doses(draw, holds: bool):
    """No dose, or a catalog-like one (fewer words where they do not fit): tempo reps, breathing, contract-relax."""
    kind = draw(st.sampled_from(["none", "none", "tempo", "breaths", *(["contract-relax"] if holds else [])]))
    if kind == "tempo":
        tempo = TempoReps(
            reps=draw(st.integers(1, 6)),
            sets=draw(st.integers(1, 3)),
            rest=draw(st.sampled_from([5, 12, 30, 90])),
            up=draw(phase_seconds),
            hold=draw(st.sampled_from([0, 1, 3])),
            down=draw(phase_seconds),
        )
        return Dose(tempo=tempo)
    if kind == "breaths":
        hold_in = draw(st.sampled_from([0, 0, 2]))
        breathing = Breathing(draw(st.integers(1, 6)), draw(phase_seconds), draw(phase_seconds), hold_in, 0)
        return Dose(breathing=breathing)
    if kind == "contract-relax":
        return Dose(contract_relax=ContractRelax(draw(st.integers(1, 3)), draw(phase_seconds), draw(phase_seconds)))
    return None


@st.composite
def routines(draw):
    catalog = load_catalog()
    ids = draw(st.lists(st.sampled_from(catalog_ids), min_size=1, max_size=6))
    steps = tuple(
        Step(
            stretch=catalog.get(i),
            hold=draw(st.integers(5, 300)),
            reps=draw(st.integers(1, 50)),
            get_ready=draw(st.integers(0, 120)),
            side=draw(st.sampled_from(["both", "right", "left"])) if catalog.get(i).sided else "both",
            rounds=draw(st.integers(1, 3)),
            dose=draw(doses(catalog.get(i).kind == "hold")),
        )
        for i in ids
    )
    return Routine(
        title="Any",
        steps=steps,
        countdown=draw(st.booleans()),
        laps=draw(st.integers(1, 2)),
        guidance=draw(st.sampled_from(GUIDANCE)),
        outro=draw(st.sampled_from([(), ("Well done.",)])),
    )


@settings(max_examples=150, deadline=None)
@given(routine=routines(), per_char=st.floats(0.0, 0.3), floor=st.floats(0.05, 2.0))
def test_any_routine_obeys_the_timing_rules(routine, per_char, floor):
    length = lambda text: floor + per_char * len(text)  # noqa: E731
    timeline = build_timeline(routine, length, CHIME_LENGTHS)
    assert_obeys_timing_rules(timeline, routine, length)

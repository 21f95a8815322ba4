"""Tempo reps in sets with rests, paced breathing and contract-relax, laid out (voiceguide/words/tempo.py)."""

from __future__ import annotations

import dataclasses

import pytest
from timing_rules import CHIME_LENGTHS, assert_dosed_blocks, assert_obeys_timing_rules

from voiceguide.errors import InputError
from voiceguide.words import cues
from voiceguide.words.dose import Breathing, ContractRelax, Dose, TempoReps
from voiceguide.words.routine import GUIDANCE, Routine, load_routine
from voiceguide.words.timeline import CHIME, SPEECH, Pacing, build_timeline, spoken_texts

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
phase_words = { up = "Lift", hold = "Hold", down = "Lower" }

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


def words_length(per_char: float = 0.06):
    return lambda text: 0.2 + per_char * len(text)


@pytest.fixture
def routine(tmp_path) -> Routine:
    path = tmp_path / "back.toml"
    path.write_text(ROUTINE)
    return load_routine(str(path))


def lay(routine: Routine, length=None):
    return build_timeline(routine, length or words_length(), CHIME_LENGTHS)


def test_a_tempo_set_is_every_phase_of_every_rep_at_its_planned_instant(routine):
    t = lay(routine)
    sets = [b for b in t.blocks if b.kind == "tempo-set"]
    assert [(b.set_n, b.set_of, b.reps) for b in sets] == [(1, 2, 3), (2, 2, 3)]
    first = sets[0]
    phases = [p for p in t.phases if p.block == t.blocks.index(first)]
    assert [(p.rep, p.phase) for p in phases] == [(r, ph) for r in (1, 2, 3) for ph in ("up", "hold", "down")]
    assert phases[0].start == first.start + 1.0 + 0.3  # the opening chime, then the clearance
    assert [round(p.end - p.start, 3) for p in phases] == [2, 3, 3] * 3
    assert phases[-1].end == first.end  # the closing chime sounds as the last rep's last phase ends
    said = {e.start: e.text for e in t.speech}
    assert [said[p.start] for p in phases] == [
        "One. Lift.", "Hold.", "And lower.",
        "Two. Lift.", "Hold.", "And lower.",
        "Last one. Lift.", "Hold.", "And lower.",
    ]  # fmt: skip


def test_rest_is_exact_from_closing_chime_to_opening_chime(routine):
    t = lay(routine)
    rest = next(b for b in t.blocks if b.kind == "rest")
    sets = [b for b in t.blocks if b.kind == "tempo-set"]
    assert rest.start == sets[0].end and rest.end == sets[1].start and rest.seconds == 30
    assert (rest.set_n, rest.set_of) == (1, 2)
    inside = [e for e in t.speech if rest.start < e.start < rest.end]
    assert [e.text for e in inside] == ["Rest. Thirty seconds.", "Set two of two."]
    assert sets[1].start - inside[-1].end == pytest.approx(5.0)  # the settle time, exactly
    assert inside[-1].start == sets[1].lead_in  # set two's chapter starts with its words


def test_breaths_are_exact_and_counted_aloud_only_at_first(routine):
    t = lay(routine)
    block = next(b for b in t.blocks if b.kind == "breaths")
    phases = [p for p in t.phases if p.block == t.blocks.index(block)]
    assert [(p.phase, round(p.end - p.start, 3)) for p in phases] == [("in", 4), ("out", 6)] * 4
    said = [e for e in t.speech if block.start < e.start < block.end]
    assert [e.text for e in said] == ["Breathe in.", "And out.", "Breathe in.", "And out."]
    assert [e.start for e in said] == [p.start for p in phases[:4]]


def test_contract_relax_ends_where_its_hold_opens(routine):
    t = lay(routine)
    presses = [b for b in t.blocks if b.kind == "contract-relax"]
    assert [b.side for b in presses] == ["right", "left"]
    for press in presses:
        hold = next(h for h in t.holds if h.start == press.end)
        assert hold.side == press.side and hold.seconds == 30
        phases = [p for p in t.phases if p.block == t.blocks.index(press)]
        assert [(p.phase, round(p.end - p.start, 3)) for p in phases] == [("press", 5), ("relax", 3)] * 2
    assert len(t.holds) == 2  # the contract-relax's holds are holds


@pytest.mark.parametrize("guidance", GUIDANCE)
@pytest.mark.parametrize("per_char", [0.0, 0.04, 0.08])
def test_dosed_routine_obeys_the_timing_rules(routine, guidance, per_char):
    routine = dataclasses.replace(routine, guidance=guidance)
    length = words_length(per_char)
    assert_obeys_timing_rules(lay(routine, length), routine, length)


def test_minimal_guidance_says_the_count_and_ticks_the_other_phases(routine):
    t = lay(dataclasses.replace(routine, guidance="minimal"))
    first = next(i for i, b in enumerate(t.blocks) if b.kind == "tempo-set")
    marks = {e.start: e for e in t.events}
    phases = [p for p in t.phases if p.block == first]
    assert [marks[p.start].text or marks[p.start].sound for p in phases[:3]] == ["One.", "tick.wav", "tick.wav"]


def test_chimes_only_ticks_every_phase(routine):
    t = build_timeline(routine, lambda text: 0.0, CHIME_LENGTHS).without_speech(tick=0.15)
    ticks = {e.start for e in t.events if e.kind == CHIME and e.sound == "tick.wav"}
    assert {p.start for p in t.phases} <= ticks
    assert not t.speech
    assert_dosed_blocks(t, routine, lambda text: 0.0, Pacing(), Pacing().settle)


def test_sided_tempo_reps_do_every_set_on_one_side_first(routine):
    step = routine.steps[0]
    sided = dataclasses.replace(step, stretch=dataclasses.replace(step.stretch, sided=True))
    routine = dataclasses.replace(routine, steps=(sided,))
    t = lay(routine)
    sets = [(b.side, b.set_n) for b in t.blocks if b.kind == "tempo-set"]
    assert sets == [("right", 1), ("right", 2), ("left", 1), ("left", 2)]
    between = [e.text for e in t.speech if t.blocks[2].end < e.start < t.blocks[3].start]
    assert cues.SWITCH in between and step.stretch.setup[0] in between
    assert_obeys_timing_rules(t, routine, words_length())


def test_a_routine_files_tempo_too_quick_for_its_words_is_an_error_naming_the_shortest(tmp_path):
    path = tmp_path / "quick.toml"
    path.write_text(ROUTINE.replace("up = 2, hold = 3", "up = 0.5, hold = 3"))
    routine = load_routine(str(path))
    with pytest.raises(InputError) as caught:
        lay(routine)
    message = str(caught.value)
    assert message.startswith(f"{path}, line 10: steps[0].tempo: Glute bridge: too quick")
    assert "the shortest that fits is tempo = { up = " in message


def test_a_rest_shorter_than_its_words_and_the_settle_time_is_an_error(tmp_path):
    path = tmp_path / "rest.toml"
    path.write_text(ROUTINE.replace("rest = 30", "rest = 6"))
    with pytest.raises(InputError, match=r"line 9: steps\[0\]\.rest: Glute bridge: the 6 s rest is shorter"):
        lay(load_routine(str(path)))


def test_catalog_defaults_fall_back_to_the_phase_word_then_a_tick(routine):
    step = routine.steps[0]
    quick = TempoReps(reps=3, sets=1, up=1.0, hold=1.0, down=1.0)
    dose = Dose(tempo=quick)  # not strict: a catalog default
    routine = dataclasses.replace(routine, steps=(dataclasses.replace(step, dose=dose),))
    t = lay(routine, words_length(0.2))
    marks = {e.start: e for e in t.events}
    kinds = [marks[p.start].text or marks[p.start].sound for p in t.phases]
    assert kinds[:3] == ["tick.wav"] * 3  # not even "Lift." fits a second: every phase ticks
    t = lay(routine, words_length(0.06))  # "Last one. Lift." does not fit, "Lower." does
    marks = {e.start: e for e in t.events}
    assert [marks[p.start].text for p in t.phases][:3] == ["Lift.", "Hold.", "Lower."]


def test_spoken_texts_cover_every_wording_the_layout_may_choose(routine):
    texts = set(spoken_texts(routine))
    for level in (0.0, 0.03, 0.06):
        t = lay(routine, words_length(level))
        assert {e.text for e in t.speech} <= texts


def test_json_has_phases_and_set_blocks(routine):
    data = lay(routine).to_dict()
    kinds = [b["kind"] for b in data["blocks"]]
    assert kinds == [
        "tempo-set", "rest", "tempo-set", "breaths", "contract-relax", "hold", "contract-relax", "hold"
    ]  # fmt: skip
    assert {k: data["blocks"][0][k] for k in ("set", "of")} == {"set": 1, "of": 2}
    assert "set" not in data["blocks"][5]
    assert data["phases"][0] == {"block": 0, "rep": 1, "phase": "up", "start": data["phases"][0]["start"],
                                 "end": data["phases"][0]["end"]}  # fmt: skip
    assert {p["phase"] for p in data["phases"]} == {"up", "hold", "down", "in", "out", "press", "relax"}
    assert [h["name"] for h in data["holds"]] == ["Lying Strap Stretch"] * 2
    assert data["sets"] == []  # rep sets of dynamic stretches only
    assert {e["kind"] for e in data["events"]} == {SPEECH.value, CHIME.value}


def test_the_dose_is_described_as_a_clinician_writes_it():
    assert TempoReps(reps=8, sets=2, rest=30, up=2, hold=3, down=3).describe() == "2 x 8, 2-3-3 tempo, 30 s rest"
    assert Breathing(5, 4, 6).describe() == "5 breaths, in 4 s, out 6 s"
    assert ContractRelax(2, 5, 3).describe() == "contract-relax 2 x (press 5 s, relax 3 s)"


def test_minutes_fitting_changes_sets_before_anything_is_left_out(routine):
    from voiceguide.words.builder import fit_minutes

    def duration(r):
        return lay(r).duration

    step = routine.steps[0]
    three = dataclasses.replace(step.dose.tempo, sets=3)
    routine = dataclasses.replace(
        routine, steps=(dataclasses.replace(step, dose=dataclasses.replace(step.dose, tempo=three)), routine.steps[2])
    )
    full = duration(routine)
    fitted = fit_minutes(routine, (full - 70) / 60, duration)
    sets = [s.dose.tempo.sets for s in fitted.routine.steps if s.dose and s.dose.tempo]
    assert sets and sets[0] < 3 and len(fitted.routine.steps) == 2, fitted.note
    assert "Glute bridge " in fitted.note and f"x {three.reps}" in fitted.note
    assert fitted.routine.steps[0].dose.tempo.label == "2-3-3"  # the tempo is a prescription: never fitted


def test_spoken_texts_cover_the_fallback_words_of_a_catalog_default(routine):
    step = routine.steps[0]
    dose = Dose(tempo=TempoReps(reps=3, sets=2, rest=30, up=1.0, hold=1.0, down=1.0))  # a catalog default
    routine = dataclasses.replace(routine, steps=(dataclasses.replace(step, dose=dose),))
    texts = set(spoken_texts(routine))
    said = {e.text for e in lay(routine, words_length(0.06)).speech}
    assert {"Lift.", "Hold.", "Lower."} <= said <= texts  # the count did not fit: the phase words alone


def test_a_yaml_routine_file_takes_the_same_doses(routine, tmp_path):
    path = tmp_path / "back.yaml"
    path.write_text(
        "title: Back care\n"
        "steps:\n"
        "  - name: Glute bridge\n"
        '    setup: ["Lie on your back, knees bent, feet flat."]\n'
        "    position: lying\n"
        "    reps: 3\n"
        "    sets: 2\n"
        "    rest: 30\n"
        "    tempo: {up: 2, hold: 3, down: 3}\n"
        "    phase_words: {up: Lift, hold: Hold, down: Lower}\n"
        "  - name: Belly breathing\n"
        "    setup: [Rest a hand on your belly.]\n"
        "    position: lying\n"
        "    breaths: 4\n"
        "    breath: {in: 4, out: 6}\n"
        "  - stretch: reclining-hand-to-big-toe\n"
        "    contract_relax: {cycles: 2, press: 5, relax: 3}\n"
    )
    from_yaml = load_routine(str(path))
    assert lay(from_yaml).to_dict() == lay(routine).to_dict()


@pytest.mark.parametrize("level", GUIDANCE)
@pytest.mark.parametrize("per_char", [0.03, 0.049, 0.09])  # 300, 150 and 80 words a minute or so
def test_every_dosed_catalog_exercise_speaks_only_what_was_synthesized(level, per_char):
    """The words a real layout picks (a count alone, a phase word alone) are among those spoken up front:
    a fallback missed there was a KeyError in the middle of a build (minimal, the standing back bend)."""
    from voiceguide.words.builder import Options, apply
    from voiceguide.words.catalog import load_catalog

    dosed = [s.id for s in load_catalog() if s.dose is not None]
    assert len(dosed) >= 10
    for sid in dosed:
        routine = apply(load_routine("low-back-daily"), Options(only=(sid,), guidance=level))
        spoken = set(spoken_texts(routine))
        timeline = build_timeline(routine, lambda text: 0.24 + per_char * len(text), CHIME_LENGTHS)
        said = {e.text for e in timeline.events if e.kind == SPEECH}
        assert said <= spoken, (sid, said - spoken)
        assert_obeys_timing_rules(timeline, routine, lambda text: 0.24 + per_char * len(text))

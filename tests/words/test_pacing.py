"""A session a body can follow: guidance levels, calm holds, whole second sides, rounds, reps.

Timelines laid out with made-up speech lengths; the same rules with the real
engines at 80, 150 and 300 words a minute are checked in subprocesses (slow).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from repo import TESTS
from test_timeline import CHIME_LENGTHS, lay, one_step, speech, words_length
from timing_rules import assert_obeys_timing_rules

from voiceguide.errors import InputError
from voiceguide.words import cues
from voiceguide.words.builder import Options, apply
from voiceguide.words.routine import GUIDANCE, load_routine, preset_names
from voiceguide.words.timeline import Pacing, build_timeline

CORPUS = sorted(str(p) for p in (TESTS / "good_routines").iterdir() if p.suffix in (".toml", ".yaml"))


def preset(name: str, **options) -> object:
    return apply(load_routine(name), Options(**options))


@pytest.mark.parametrize("name", preset_names())
def test_guidance_keeps_the_holds_and_says_less_at_each_level(name):
    laid = {level: lay(preset(name, guidance=level))[0] for level in GUIDANCE}
    holds = {level: [(b.stretch, b.side, b.seconds) for b in t.blocks] for level, t in laid.items()}
    assert holds["full"] == holds["brief"] == holds["minimal"]
    said = {level: len(t.speech) for level, t in laid.items()}
    assert said["full"] > said["brief"] > said["minimal"], said
    for level, t in laid.items():
        intro = [e.text for e in speech(t, "intro")]
        safety = cues.SAFETY if level == "full" else cues.SAFETY_SHORT
        assert all(intro.count(line) == 1 for line in safety) and intro.count(cues.CHIMES_EXPLAINED) == 1, level
        assert [e.text for e in t.speech].count(cues.CHIMES_EXPLAINED) == 1, level
        assert_obeys_timing_rules(t, preset(name, guidance=level), words_length())


AVOIDS = [(), ("kneeling",), ("kneeling", "floor"), ("inversion",), ("floor",), ("standing",)]


@pytest.mark.parametrize("avoid", AVOIDS, ids=lambda a: ",".join(a) or "nothing")
@pytest.mark.parametrize("level", GUIDANCE)
@pytest.mark.parametrize("name", preset_names())
def test_every_preset_level_and_avoid_obeys_the_rules(name, level, avoid):
    try:
        routine = preset(name, guidance=level, avoid=avoid)
    except InputError:
        pytest.skip(f"{name} has nothing left without {avoid}")
    for laps in (1, 2):
        shaped = dataclasses.replace(routine, laps=laps)
        assert_obeys_timing_rules(lay(shaped)[0], shaped, words_length())


@pytest.mark.parametrize("level", GUIDANCE)
def test_every_switch_takes_at_least_15_seconds(level):
    # Minimal used to give a standing switch 11 s: out of the hinge, step back, swap, hinge again.
    t = lay(preset("full", guidance=level))[0]
    switches = [
        (a.stretch, round(b.start - a.end, 1)) for a, b in zip(t.blocks, t.blocks[1:], strict=False) if a.step == b.step
    ]
    assert len(switches) >= 4 and all(seconds >= 15 for _, seconds in switches), switches


def test_no_release_after_reps_and_no_words_after_staying_down():
    t = lay(preset("full"))[0]
    (warm_up,) = t.sets
    after = min((e for e in t.speech if e.start > warm_up.end), key=lambda e: e.start)
    assert after.text != cues.RELEASE  # the stretch's own way to finish, if it has one, or the next stretch
    # The way up is the last thing said: nothing after it but the closing chord.
    assert t.speech[-1].role == "move" and t.speech[-1].start > t.blocks[-1].end
    assert [e.sound for e in t.events if e.start > t.speech[-1].start] == ["finish.wav"]


def assert_first_reminder_in_every_hold(timeline, routine):
    """Every hold long enough for a reminder says the stretch's first, its most important, first."""
    for hold in timeline.holds:
        step = routine.steps[hold.step]
        best = [*step.tips, *step.stretch.reminders][:1]
        said = [e.text for e in speech(timeline, "reminder") if hold.start < e.start < hold.end]
        if hold.seconds >= 18 and best:
            assert said[:1] == best, (hold.stretch, hold.seconds, said)


@pytest.mark.parametrize("level", ["full", "brief"])
@pytest.mark.parametrize("name", preset_names())
def test_the_best_cue_is_said_in_every_hold(name, level):
    routine = preset(name, guidance=level)
    assert_first_reminder_in_every_hold(lay(routine)[0], routine)


def test_the_best_cue_is_said_on_every_program_day():
    import datetime

    from voiceguide.programs.program import load_program, plan_days

    for day in plan_days(load_program("hamstrings-14-days"), datetime.date(2026, 11, 30)):
        routine = day.shaped
        assert_first_reminder_in_every_hold(lay(routine)[0], routine)


def test_brief_names_the_position_and_minimal_only_names():
    routine = one_step("standing-hamstring")
    brief = lay(dataclasses.replace(routine, guidance="brief"))[0]
    minimal = lay(dataclasses.replace(routine, guidance="minimal"))[0]
    setup = routine.steps[0].stretch.setup
    stretch = routine.steps[0].stretch
    told = [e.text for e in speech(brief, "setup")]
    assert told == [stretch.brief, cues.mirror(stretch.brief)] and stretch.brief not in setup
    # Brief says one reminder a hold, the stretch's most important; minimal none.
    assert [e.text for e in speech(brief, "reminder")] == [stretch.reminders[0]] * 2
    assert not speech(minimal, "reminder")
    assert not speech(minimal, "setup")
    assert [e.text for e in speech(minimal, "countdown")] == list(cues.COUNTDOWN) * 2
    assert cues.SWITCH in [e.text for e in brief.speech] and cues.SWITCH not in [e.text for e in minimal.speech]


def test_no_countdown_wins_over_every_guidance_level():
    for level in GUIDANCE:
        t = lay(dataclasses.replace(one_step("forward-bend"), guidance=level, countdown=False))[0]
        assert not speech(t, "countdown"), level


@pytest.mark.parametrize(("hold", "most"), [(10, 0), (20, 1), (30, 2), (45, 3), (60, 4), (120, 9)])
def test_reminders_per_hold_length(hold, most):
    step = one_step("forward-bend", hold=hold, tips=tuple(f"Tip {i}." for i in range(12)))
    t = lay(step, lambda text: 0.8)[0]
    reminders = speech(t, "reminder")
    assert len(reminders) == most
    starts = [e.start for e in reminders]
    assert all(b - a >= 8 for a, b in zip(starts, starts[1:], strict=False))
    assert all(e.start >= t.holds[0].start + 6 for e in reminders)


def test_second_side_hears_the_whole_setup_but_what_is_said_once():
    routine = one_step("reclining-hand-to-big-toe")
    stretch = routine.steps[0].stretch
    t = lay(routine)[0]
    right, left = t.holds
    second = [e.text for e in t.speech if right.end < e.start < left.start]
    assert stretch.between_sides and second[: len(stretch.between_sides)] == list(stretch.between_sides)
    # ...with time to do it before "Switch sides.".
    after = [e for e in t.speech if e.text == cues.SWITCH][0]
    before = [e for e in t.speech if e.text == stretch.between_sides[-1]][0]
    assert after.start - before.end >= Pacing().settle - 1e-9
    for text in stretch.setup:
        assert (cues.mirror(text) in second) == (text not in stretch.once), text


def test_rounds_in_place_come_out_of_the_left_side_before_the_right_again():
    routine = one_step("supine-hamstring", rounds=2)
    stretch = routine.steps[0].stretch
    t = lay(routine)[0]
    first_left, second_right = t.holds[1], t.holds[2]
    between = [e.text for e in t.speech if first_left.end < e.start < second_right.start]
    assert between[: len(stretch.between_sides)] == [cues.mirror(x) for x in stretch.between_sides]
    assert cues.round_start(2, "right") in between
    assert_obeys_timing_rules(t, routine, words_length())


def test_a_routine_files_own_sentence_is_said_on_both_sides(tmp_path):
    path = tmp_path / "physio.toml"
    path.write_text(
        'title = "Physio"\n[[steps]]\nname = "Leg raise"\nsided = true\n'
        'setup = [{ text = "Lie on your back.", once = true }, "Lift your right leg.",\n'
        '         "Look up as your foot comes up."]\n'
    )
    t = lay(load_routine(str(path)))[0]
    texts = [e.text for e in t.speech]
    assert texts.count("Look up as your foot comes up.") == 2
    assert texts.count("Lie on your back.") == 1
    assert "Lift your left leg." in texts


def test_last_stretch_once_and_a_cue_to_come_up_between_rounds():
    routine = preset("full", laps=2)
    t = lay(routine)[0]
    lasts = [e for e in t.speech if e.text.startswith("Last stretch")]
    assert len(lasts) == 1 and lasts[0].start > t.blocks[len(t.blocks) // 2].start
    (lap2,) = [e for e in speech(t, "round") if e.stretch is None]
    after = [e for e in t.speech if e.start > lap2.start]
    assert after[0].role == "move" and "stronger foot forward" in after[0].text
    assert_obeys_timing_rules(t, routine, words_length())


@pytest.mark.parametrize(("tempo", "expected"), [(None, 6.0), (2.5, 2.5), (7, 7.0)])
def test_reps_at_a_pace_a_back_can_take(tempo, expected):
    routine = dataclasses.replace(one_step("dynamic-hamstring", reps=4), tempo=tempo)
    t = lay(routine, lambda text: 0.6)[0]
    counts = speech(t, "count")
    assert {round(b.start - a.start, 3) for a, b in zip(counts, counts[1:], strict=False)} == {expected}


def test_chimes_only_ticks_every_rep():
    routine = one_step("dynamic-hamstring", reps=5)
    spoken = lay(routine)[0]
    silent = spoken.without_speech(tick=0.15)
    ticks = [e for e in silent.events if e.role == "tick"]
    assert [e.start for e in ticks] == [e.start for e in speech(spoken, "count")]
    assert {e.sound for e in ticks} == {"tick.wav"} and len(ticks) == 10
    assert {e["kind"] for e in silent.to_dict()["events"]} == {"chime"}


def test_equipment_named_in_the_intro():
    t = lay(preset("full"))[0]
    intro = [e.text for e in speech(t, "intro")]
    assert cues.equipment(["chair", "cushion", "mat", "strap", "towel", "band", "wall"]) in intro
    standing = lay(preset("anywhere"))[0]
    assert cues.equipment(["chair"]) in [e.text for e in speech(standing, "intro")]


@pytest.mark.parametrize("name", preset_names())
def test_a_cue_to_move_whenever_the_body_changes_level_and_time_to_do_it(name):
    routine = preset(name, laps=2)
    t = lay(routine)[0]
    levels = [cues.LEVELS[s.stretch.position] for s in routine.steps]
    for before, after in zip(t.blocks, t.blocks[1:], strict=False):
        if levels[before.step] == levels[after.step]:
            continue
        moves = [e for e in t.speech if before.end < e.start < after.start and e.role == "move"]
        assert len(moves) == 1, (before.stretch, after.stretch)
        assert after.start - moves[0].start >= Pacing().new_level
        # Then quiet to do it with eyes closed: 15 s to get down to the floor or up, 12 s on the floor.
        following = min((e for e in t.speech if e.start > moves[0].start), key=lambda e: e.start)
        least = 15 if cues.to_or_from_the_floor(levels[before.step], levels[after.step]) else 12
        assert following.start - moves[0].end >= least, (moves[0].text, following.start - moves[0].end)
    if levels[-1] != "up":
        # How to get up is the last thing said, after the outro.
        assert t.speech[-1].role == "move" and t.speech[-1].start > t.blocks[-1].end
        assert [e.text for e in speech(t, "outro")] == list(routine.outro)
        assert max(e.end for e in speech(t, "outro")) < t.speech[-1].start
        assert t.speech[-1].text == cues.getting_up(routine.steps[-1].stretch.position)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: Path(p).name)
@pytest.mark.parametrize("per_char", [0.03, 0.06, 0.12], ids=["300wpm", "150wpm", "80wpm"])
@pytest.mark.parametrize("level", [None, *GUIDANCE])
def test_routine_file_corpus_obeys_the_rules(path, per_char, level):
    routine = apply(load_routine(path), Options(guidance=level))
    length = words_length(per_char)
    assert_obeys_timing_rules(build_timeline(routine, length, CHIME_LENGTHS), routine, length)


# -- the real engines, at three rates -------------------------------------------

ENGINE_CHECK = """
import sys
sys.path.insert(0, {tests!r})
from timing_rules import assert_obeys_timing_rules
from voiceguide.words.builder import Options
from voiceguide.sound.engines import make_engine
from voiceguide.words.routine import load_routine, preset_names
from voiceguide.session.pipeline import plan_session

engine_name, lang = sys.argv[1], sys.argv[2]
checked = 0
for rate in (80, 150, 300):
    engine = make_engine(engine_name, rate=rate, language=lang)
    # The routine-file corpus is written in English: other languages lay out the presets.
    for name in preset_names() + ({corpus!r} if lang == "en" else []):
        for guidance in ("full", "brief"):
            plan = plan_session(load_routine(name, lang=lang), engine, options=Options(guidance=guidance))
            assert_obeys_timing_rules(plan.timeline, plan.routine, lambda t: plan.clips[t].seconds)
            checked += 1
print(checked)
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("engine", "lang"),
    [("pyttsx3", "en"), ("piper", "en"), ("auto", "de"), ("auto", "es"), ("auto", "fr")],
    ids=["pyttsx3", "piper", "de", "es", "fr"],
)
def test_every_preset_obeys_the_rules_with_real_speech_at_three_rates(engine, lang, shared_cache):
    # In German, Spanish and French `auto` is the voice a default install speaks them with (Pico).
    proc = subprocess.run(
        [sys.executable, "-c", ENGINE_CHECK.format(tests=str(TESTS), corpus=CORPUS), engine, lang],
        capture_output=True,
        text=True,
        timeout=900,
        env={**__import__("os").environ, "VOICEGUIDE_CACHE_DIR": str(shared_cache)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    routines = len(preset_names()) + (len(CORPUS) if lang == "en" else 0)
    assert int(proc.stdout.split()[-1]) == 3 * routines * 2


def test_layout_needs_no_tick_length_for_speech():
    # The tick is a chime like the others: its length comes with the chime lengths.
    t = build_timeline(one_step("forward-bend"), words_length(), {**CHIME_LENGTHS, "tick.wav": 0.15})
    assert json.loads(json.dumps(t.to_dict()))["blocks"][0]["kind"] == "hold"

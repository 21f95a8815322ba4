"""The builder options and the presets, on timelines laid out with made-up speech lengths.

Every shaped routine must still obey the timing rules (tests/timing_rules.py);
options must do what they say and win over the routine they are applied to.
"""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from timing_rules import CHIME_LENGTHS, assert_obeys_timing_rules

from voiceguide.cli.main import cli
from voiceguide.errors import InputError
from voiceguide.text import clean
from voiceguide.words import routinefile
from voiceguide.words.builder import (
    Options,
    _Fit,
    _loose_choices,
    _pool_choices,
    apply,
    fit_minutes,
    parse_equipment,
    trim_rank,
)
from voiceguide.words.catalog import load_catalog
from voiceguide.words.routine import load_routine, preset_names, routine_from_data
from voiceguide.words.timeline import SPEECH, build_timeline

ALL_IDS = [s.stretch.id for s in load_routine("full").steps]  # the seed's nine, in the full preset's order


def length(text: str) -> float:
    """A stand-in for TTS: length grows with the text, like real speech."""
    return 0.2 + 0.06 * len(text)


def lay(routine, speech=length):
    return build_timeline(routine, speech, CHIME_LENGTHS)


def duration_of(routine) -> float:
    return lay(routine).duration


def ids(routine) -> list[str]:
    return [s.stretch.id for s in routine.steps]


def spoken(timeline, role):
    return [e for e in timeline.events if e.kind == SPEECH and e.role == role]


# -- presets -----------------------------------------------------------------


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_obeys_the_timing_rules(name):
    routine = apply(load_routine(name), Options())
    if routine.minutes:
        # A preset's own length is "about": the closest wins (it is within 10% with the default voice, below).
        routine = fit_minutes(routine, routine.minutes, duration_of, exact=False).routine
        assert abs(duration_of(routine) - routine.minutes * 60) <= 0.15 * routine.minutes * 60
    timeline = lay(routine)
    assert_obeys_timing_rules(timeline, routine, length)
    assert timeline.holds or timeline.sets


def test_presets_are_the_expected_ones():
    assert {"full", "quick", "gentle", "anywhere", "warm-up"} <= set(preset_names())


# -- --minutes -----------------------------------------------------------------


@pytest.mark.parametrize("minutes", [5, 8, 12, 20, 45, 90, 180])
def test_minutes_hits_the_target_within_ten_percent(minutes):
    routine = fit_minutes(load_routine(), minutes, duration_of).routine
    got = duration_of(routine)
    assert abs(got - minutes * 60) <= 0.10 * minutes * 60, (minutes, got / 60)
    assert_obeys_timing_rules(lay(routine), routine, length)
    # Holds stay in the source article's advice, 20-30 s, and the routine keeps its order.
    assert {s.hold for s in routine.steps} <= set(range(20, 31))
    chosen = ids(routine)
    assert chosen == [i for i in ALL_IDS if i in chosen]  # a preset's pool, trimmed in its own order


def piper_like(text: str) -> float:
    """The default voice's pace (Piper's joe-medium: 0.24 s + 0.049 s a character); `length` is eSpeak's."""
    return 0.24 + 0.049 * len(text)


@pytest.mark.parametrize("minutes", [6, 8, 12])
@pytest.mark.parametrize("name", [n for n in preset_names() if n != "quick"])  # quick is a fixed list
def test_minutes_trims_a_preset_in_clinical_order(name, minutes):
    pool = apply(load_routine(name), Options())
    with_piper = lambda r: lay(r, piper_like).duration  # noqa: E731
    routine = fit_minutes(pool, minutes, with_piper).routine
    assert abs(with_piper(routine) - minutes * 60) <= 0.10 * minutes * 60
    assert_obeys_timing_rules(lay(routine, piper_like), routine, piper_like)
    kept = [s.stretch.id for s in routine.steps]
    dropped = [s for s in pool.steps if s.stretch.id not in kept]
    # Nothing is left out while a stretch of an earlier tier stays...
    tiered = all(
        trim_rank(gone, pool.steps)[0] <= trim_rank(stays, pool.steps)[0] for gone in dropped for stays in routine.steps
    )
    if not tiered:  # ...unless no tiered trim is within 10%: then the kneeling, lunging, head-down ones go first
        strict = _Fit(pool, minutes * 60, with_piper, hold_fixed=False)
        assert abs(with_piper(strict.best(range(1, 21))) - minutes * 60) > 0.10 * minutes * 60
        assert [s.stretch.id for s in routine.steps] in [[s.stretch.id for s in c] for c in _loose_choices(pool.steps)]
    # A session that keeps a standing stretch keeps its warm-up, and never starts head-down.
    warm_up = [s.stretch.id for s in pool.steps if s.stretch.kind == "reps"]
    if any(s.stretch.position == "standing" for s in routine.steps):
        assert set(warm_up) <= set(kept)
    assert "inversion" not in routine.steps[0].stretch.needs or not warm_up
    # Lengthened in place, never with an extra trip down and up.
    assert routine.laps == 1


def test_minutes_8_keeps_the_warm_up_and_the_lying_stretch():
    routine = fit_minutes(load_routine("full"), 8, duration_of).routine
    kept = ids(routine)
    assert kept[0] == "dynamic-hamstring" and "supine-hamstring" in kept
    assert not {"forward-bend", "downward-dog", "lunge-hamstring"} & set(kept)


def test_minutes_lengthens_with_rounds_in_place_and_keeps_the_laps():
    routine = fit_minutes(apply(load_routine("warm-up"), Options(laps=2)), 14, duration_of).routine
    assert routine.laps == 2
    longer = fit_minutes(load_routine("anywhere"), 12, duration_of).routine
    assert longer.laps == 1 and max(s.rounds for s in longer.steps) > 1
    fixed = fit_minutes(apply(load_routine("gentle"), Options(rounds=1)), 8, duration_of, rounds_fixed=True)
    assert {s.rounds for s in fixed.routine.steps} == {1}


def test_when_the_tiers_leave_a_gap_only_the_two_main_rules_hold():
    pool = load_routine("full").steps
    ids_of = lambda choice: [s.stretch.id for s in choice]  # noqa: E731
    demanding = ["downward-dog", "lunge-hamstring", "forward-bend"]  # in the order they go out
    for choice in _loose_choices(pool):
        kept = ids_of(choice)
        gone = [i for i in demanding if i not in kept]
        assert gone == demanding[: len(gone)], kept
        if len(kept) + len(gone) < len(pool):  # anything else left out: the demanding ones went first
            assert gone == demanding, kept
        if any(s.stretch.position == "standing" for s in choice):
            assert "dynamic-hamstring" in kept
    assert len(_loose_choices(pool)) > len(_pool_choices(pool))


def test_a_presets_own_minutes_is_about_and_says_so():
    # Nothing of gentle is near one minute: --minutes 1 is refused, a preset's own 1 takes the closest.
    with pytest.raises(InputError):
        fit_minutes(load_routine("gentle"), 1, duration_of)
    fitted = fit_minutes(load_routine("gentle"), 1, duration_of, exact=False)
    assert "the closest to the routine's 1 minute)" in fitted.note and len(fitted.routine.steps) == 1


def test_minutes_refuses_one_minute_and_says_why():
    with pytest.raises(InputError) as err:
        fit_minutes(load_routine(), 1, duration_of)
    message = str(err.value)
    assert "--minutes" in message and "cannot fit 1" in message
    assert "shortest session" in message and "minutes" in message


def test_minutes_over_three_hours_is_refused():
    with pytest.raises(InputError, match="3-hour"):
        fit_minutes(load_routine(), 181, duration_of)


def test_minutes_keeps_a_given_hold():
    routine = fit_minutes(apply(load_routine(), Options(hold=25)), 20, duration_of, hold_fixed=True).routine
    assert {s.hold for s in routine.steps} == {25}
    assert abs(duration_of(routine) - 1200) <= 120


# -- --only, --skip, --position, --equipment, --order ----------------------------


def test_only_keeps_the_given_order():
    wanted = ("wall", "dynamic", "lunge")
    for order in (None, "as-given"):
        routine = apply(load_routine(), Options(only=wanted, order=order))
        assert ids(routine) == ["wall-hamstring", "dynamic-hamstring", "lunge-hamstring"]


def test_only_with_flow_order_regroups_by_position():
    routine = apply(load_routine(), Options(only=("wall", "supine", "dynamic", "lunge"), order="flow"))
    assert ids(routine) == ["dynamic-hamstring", "lunge-hamstring", "supine-hamstring", "wall-hamstring"]
    assert_obeys_timing_rules(lay(routine), routine, length)


def test_only_through_the_cli_keeps_its_order(shared_cache, monkeypatch):
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(shared_cache))
    result = CliRunner().invoke(cli, ["script", "--format", "json", "--only", "wall,forward bend"])
    assert result.exit_code == 0, result.stderr
    holds = json.loads(result.stdout)["holds"]
    assert [h["stretch"] for h in holds] == ["wall-hamstring", "forward-bend"]


def test_skip_drops_stretches_and_keeps_the_rest_in_order():
    routine = apply(load_routine(), Options(skip=("wall", "down dog", "dynamic-hamstring")))
    kept = [i for i in ALL_IDS if i not in ("wall-hamstring", "downward-dog", "dynamic-hamstring")]
    # With no warm-up left, the head-down forward bend does not open the session cold.
    assert kept[0] == "forward-bend" and ids(routine) == [kept[1], kept[0], *kept[2:]]
    assert_obeys_timing_rules(lay(routine), routine, length)


def test_no_session_opens_head_down_and_cold():
    """--avoid standing leaves no warm-up: the first stretch that keeps the head up comes first, and the
    session begins and ends on the chair (a body that cannot stand never steps a leg back)."""
    routine = apply(load_routine(), Options(avoid=("standing",)))
    assert "inversion" not in routine.steps[0].stretch.needs
    assert "downward-dog" in ids(routine)
    timeline = lay(routine)
    assert_obeys_timing_rules(timeline, routine, length)
    said = [e.text for e in timeline.events if e.kind == SPEECH]
    assert "We begin sitting on the chair, then move to the floor." in said
    assert not any("step your weaker leg back" in t or "Stand still" in t for t in said)
    assert said[-1].startswith("Take your time getting up.") and "onto the seat" in said[-1]
    as_given = apply(load_routine(), Options(avoid=("standing",), order="as-given"))
    assert ids(as_given)[0] == "downward-dog"  # the person's own order is theirs


def test_position_keeps_only_those_positions():
    routine = apply(load_routine(), Options(positions=("seated", "lying")))
    assert ids(routine) == ["seated-hamstring", "supine-hamstring", "reclining-hand-to-big-toe"]
    assert_obeys_timing_rules(lay(routine), routine, length)


def test_equipment_none_drops_what_needs_equipment():
    assert parse_equipment(("none",)) == ()
    routine = apply(load_routine(), Options(equipment=parse_equipment(("none",))))
    assert "wall-hamstring" not in ids(routine)
    assert "reclining-hand-to-big-toe" not in ids(routine)
    assert len(routine.steps) == len(ALL_IDS) - 2
    assert_obeys_timing_rules(lay(routine), routine, length)


def test_equipment_strap_keeps_reclining_but_not_wall():
    routine = apply(load_routine(), Options(equipment=parse_equipment(("strap",))))
    assert "reclining-hand-to-big-toe" in ids(routine)
    assert "wall-hamstring" not in ids(routine)
    both = apply(load_routine(), Options(equipment=parse_equipment(("strap, wall",))))
    assert ids(both) == ALL_IDS


# -- doses ---------------------------------------------------------------------


def test_rounds_two_holds_each_stretch_twice_in_place():
    one = lay(apply(load_routine(), Options(rounds=1)))
    routine = apply(load_routine(), Options(rounds=2))
    two = lay(routine)
    # Head-down stretches are held once (no second time down without the caution): the rest twice.
    once = [b for b in one.holds if "inversion" in load_catalog().get(b.stretch).needs]
    assert once and len(two.holds) == 2 * len(one.holds) - len(once)
    assert len(two.sets) == len(one.sets)  # the warm-up stays one set
    # In place: the same moves between positions as one round, no extra trip down and up.
    assert len(spoken(two, "move")) == len(spoken(one, "move"))
    assert [b.stretch for b in two.holds][:5] == ["forward-bend"] + ["standing-hamstring"] * 4
    assert [(b.side, b.step_round) for b in two.holds if b.stretch == "standing-hamstring"] == [
        ("right", 1),
        ("left", 1),
        ("right", 2),
        ("left", 2),
    ]
    assert_obeys_timing_rules(two, routine, length)


def test_laps_two_goes_through_the_whole_routine_twice():
    one = lay(apply(load_routine(), Options()))
    routine = apply(load_routine(), Options(laps=2))
    two = lay(routine)
    assert len(two.holds) == 2 * len(one.holds) and len(two.sets) == 2 * len(one.sets)
    assert {b.lap for b in two.blocks} == {1, 2} and two.laps == 2
    assert two.duration > 1.9 * one.duration - 120
    assert_obeys_timing_rules(two, routine, length)


def test_laps_in_a_routine_file_and_the_old_top_level_rounds(tmp_path):
    steps = '[[steps]]\nstretch = "forward bend"\n'
    new = tmp_path / "new.toml"
    new.write_text(f'title = "T"\nlaps = 2\n{steps}')
    assert load_routine(str(new)).laps == 2 and not load_routine(str(new)).warnings()
    # An old file keeps its meaning (times through the whole routine) and is told the new name.
    old = tmp_path / "old.toml"
    old.write_text(f'title = "T"\nrounds = 2\n{steps}')
    routine = load_routine(str(old))
    assert routine.laps == 2 and [s.rounds for s in routine.steps] == [1]
    (warning,) = routine.warnings()
    assert "'rounds' is now called 'laps'" in warning and "old.toml" in warning
    both = tmp_path / "both.toml"
    both.write_text(f'title = "T"\nrounds = 2\nlaps = 2\n{steps}')
    with pytest.raises(InputError, match="both 'laps' and 'rounds'"):
        load_routine(str(both))


def test_hold_option_sets_every_hold():
    routine = apply(load_routine(), Options(hold=45))
    timeline = lay(routine)
    assert {h.seconds for h in timeline.holds} == {45}
    assert_obeys_timing_rules(timeline, routine, length)


def test_get_ready_takes_effect():
    routine = apply(load_routine(), Options(get_ready=40, only=("forward bend",)))
    assert {s.get_ready for s in routine.steps} == {40}
    timeline = lay(routine)
    announce = spoken(timeline, "announce")[0]
    assert timeline.holds[0].start - announce.start >= 40 - 1e-9
    assert_obeys_timing_rules(timeline, routine, length)


def test_reps_takes_effect():
    routine = apply(load_routine(), Options(reps=15, only=("dynamic",)))
    timeline = lay(routine)
    (rep_set,) = timeline.sets
    assert rep_set.reps == 15
    assert len(spoken(timeline, "count")) == 30
    assert_obeys_timing_rules(timeline, routine, length)


def test_no_countdown_takes_effect():
    with_countdown = lay(apply(load_routine(), Options()))
    assert spoken(with_countdown, "countdown")
    routine = apply(load_routine(), Options(countdown=False))
    timeline = lay(routine)
    assert not spoken(timeline, "countdown") and not spoken(timeline, "ten")
    assert_obeys_timing_rules(timeline, routine, length)


# -- options compose with a routine file ----------------------------------------

FILE_HOLD_20 = """title = "Mine"
[defaults]
hold = 20
get_ready = 12
[[steps]]
stretch = "forward bend"
[[steps]]
stretch = "lunge"
[[steps]]
stretch = "dynamic"
"""


def test_cli_hold_wins_over_the_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(FILE_HOLD_20)
    routine = load_routine(str(path))
    assert {s.hold for s in routine.steps} == {20}
    shaped = apply(routine, Options(hold=25))
    assert {s.hold for s in shaped.steps} == {25}
    assert {s.get_ready for s in shaped.steps} == {12}  # what the option does not touch stays
    assert shaped.title == "Mine"
    assert_obeys_timing_rules(lay(shaped), shaped, length)


def test_cli_hold_wins_over_the_file_through_the_cli(tmp_path, monkeypatch, shared_cache):
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(shared_cache))
    path = tmp_path / "mine.toml"
    path.write_text(FILE_HOLD_20)
    result = CliRunner().invoke(cli, ["script", "--format", "json", str(path), "--hold", "25", "--rounds", "2"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["title"] == "Mine"
    assert {round(h["end"] - h["start"], 3) for h in data["holds"]} == {25}
    assert len(data["holds"]) == 3  # head-down: the forward bend and the lunge (2 sides) are held once


def test_script_json_with_minutes_5_is_about_five_minutes(shared_cache, monkeypatch):
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(shared_cache))
    result = CliRunner().invoke(cli, ["script", "--format", "json", "--minutes", "5"])
    assert result.exit_code == 0, result.stderr
    duration = json.loads(result.stdout)["duration"]
    assert abs(duration - 300) <= 30, duration


# -- property: any routine FILE is either accepted and well-timed, or an InputError ----

_catalog = load_catalog()
STRETCH_NAMES = sorted({n for s in _catalog for n in (s.id, s.name, *s.aliases)})
SIDED = {n for s in _catalog for n in (s.id, s.name, *s.aliases) if s.sided}
# Paced breathing counts breaths, not reps: `reps` on it is refused (tests/cli/test_bad_input.py).
BREATHING = {n for s in _catalog for n in (s.id, s.name, *s.aliases) if s.exercise == "breaths"}
# Any text a person might type, as long as it has something to speak (the
# validator refuses text of only symbols, emoji or control characters).
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60).filter(
    lambda t: any(ch.isalnum() for ch in clean(t))
)


@st.composite
def catalog_step(draw):
    name = draw(st.sampled_from(STRETCH_NAMES))
    step: dict = {"stretch": name}
    if draw(st.booleans()):
        step["hold"] = draw(st.integers(5, 300))
    if draw(st.booleans()):
        step["breaths" if name in BREATHING else "reps"] = draw(st.integers(1, 50))
    if draw(st.booleans()):
        step["get_ready"] = draw(st.integers(0, 120))
    if name in SIDED and draw(st.booleans()):
        step["sides"] = draw(st.sampled_from(["both", "right", "left"]))
    if draw(st.booleans()):
        step["rounds"] = draw(st.integers(1, 3))
    if draw(st.booleans()):
        step["tips"] = draw(st.lists(text, min_size=1, max_size=3))
    return step


@st.composite
def custom_step(draw):
    step: dict = {
        "name": draw(text),
        "setup": draw(st.lists(text, min_size=1, max_size=3)),
    }
    kind = draw(st.sampled_from([None, "hold", "reps"]))
    if kind:
        step["kind"] = kind
    if draw(st.booleans()):
        step["sided"] = draw(st.booleans())
        if step["sided"] and draw(st.booleans()):
            step["sides"] = draw(st.sampled_from(["both", "right", "left"]))
    if draw(st.booleans()):
        step["position"] = draw(st.sampled_from(["standing", "lunge", "all-fours", "seated", "lying", "wall"]))
    if draw(st.booleans()):
        step["hold"] = draw(st.integers(5, 300))
    if draw(st.booleans()):
        step["reps"] = draw(st.integers(1, 50))
    if draw(st.booleans()):
        step["reminders"] = draw(st.lists(text, min_size=1, max_size=2))
    return step


# Mistakes a person makes; each must give an InputError.
CORRUPTIONS = [
    ("steps", 0, "hold", 0),
    ("steps", 0, "hold", 301),
    ("steps", 0, "hold", "thirty"),
    ("steps", 0, "hold", 2.5),
    ("steps", 0, "hold", True),
    ("steps", 0, "reps", 51),
    ("steps", 0, "rounds", 21),
    ("steps", 0, "sides", "middle"),
    ("steps", 0, "stretchh", "lunge"),
    ("steps", 0, "tips", [""]),
    ("steps", 0, "tips", 7),
    ("steps", 0, "stretch", "no such stretch"),
    ("top", None, "laps", 0),
    ("top", None, "rounds", 21),
    ("top", None, "titel", "x"),
    ("top", None, "title", ""),
    ("top", None, "intro", 5),
    ("top", None, "steps", []),
    ("top", None, "steps", "x"),
    ("top", None, "defaults", {"hold": 4}),
    ("top", None, "defaults", {"hodl": 30}),
    ("top", None, "minutes", 0),
]


@st.composite
def routine_data(draw):
    data: dict = {"title": draw(text)}
    if draw(st.booleans()):
        data["intro"] = draw(st.lists(text, min_size=1, max_size=3))
    if draw(st.booleans()):
        data["outro"] = draw(st.lists(text, min_size=1, max_size=2))
    if draw(st.booleans()):
        data["laps"] = draw(st.integers(1, 3))
    if draw(st.booleans()):
        defaults: dict = {}
        if draw(st.booleans()):
            defaults["hold"] = draw(st.integers(5, 300))
        if draw(st.booleans()):
            defaults["reps"] = draw(st.integers(1, 50))
        if draw(st.booleans()):
            defaults["get_ready"] = draw(st.integers(0, 120))
        if draw(st.booleans()):
            defaults["countdown"] = draw(st.booleans())
        data["defaults"] = defaults
    data["steps"] = draw(st.lists(st.one_of(catalog_step(), catalog_step(), custom_step()), min_size=1, max_size=5))
    corruption = draw(st.none() | st.sampled_from(CORRUPTIONS))
    if corruption:
        where, index, key, value = corruption
        target = data if where == "top" else data["steps"][index]
        if key == "stretch":
            target.pop("name", None)
        target[key] = value
    return data, corruption


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # A TOML basic string: JSON's escapes are TOML's, but TOML also wants DEL escaped.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def to_toml(data: dict) -> str:
    lines = [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in data.items() if k != "steps" or not _is_tables(v)]
    if _is_tables(data.get("steps")):
        for step in data["steps"]:
            lines.append("")
            lines.append("[[steps]]")
            lines.extend(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in step.items())
    return "\n".join(lines) + "\n"


def _is_tables(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def test_toml_writer_round_trips():
    data = {"title": 'a "quoted" \\ title ✓', "steps": [{"stretch": "lunge", "tips": ["x"], "hold": 20}]}
    assert routinefile.parse(to_toml(data).encode(), "x.toml") == data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=routine_data(), fmt=st.sampled_from(["toml", "toml", "yaml"]), per_char=st.floats(0.0, 0.2))
def test_any_routine_file_is_accepted_and_well_timed_or_refused_clearly(generated, fmt, per_char):
    data, corruption = generated
    if fmt == "toml":
        raw, source = to_toml(data).encode("utf-8"), "gen.toml"
    else:
        raw, source = yaml.safe_dump(data, allow_unicode=True).encode("utf-8"), "gen.yaml"
    try:
        routine = routine_from_data(routinefile.parse(raw, source, yaml=fmt == "yaml"), source, load_catalog())
    except InputError as exc:
        assert corruption is not None, f"a valid routine was refused: {exc}\n{raw.decode()}"
        assert str(exc).startswith(f"{source}: ")
        event("refused")
        return
    event(f"accepted {fmt}")
    assert corruption is None, f"accepted despite {corruption}:\n{raw.decode()}"
    speech = lambda t: 0.1 + per_char * len(t)  # noqa: E731
    timeline = lay(routine, speech)
    assert_obeys_timing_rules(timeline, routine, speech)


@pytest.mark.parametrize(
    "options",
    [Options(avoid=("kneeling",)), Options(skip=("downward-dog",)), Options(avoid=("inversion",), equipment=())],
)
def test_minutes_still_trims_a_preset_the_filters_narrowed(options):
    """A bad knee gets a short session too: --avoid, --skip, --position and --equipment narrow the pool,
    and --minutes may trim what is left (it refused, and people dropped --avoid kneeling to get one)."""
    narrowed = apply(load_routine("full"), options)
    assert narrowed.pool
    fitted = fit_minutes(narrowed, 8, duration_of).routine
    assert abs(duration_of(fitted) - 480) <= 48
    assert {s.stretch.id for s in fitted.steps} <= {s.stretch.id for s in narrowed.steps}


def test_minutes_keeps_every_stretch_named_by_only():
    named = apply(load_routine("full"), Options(only=("forward-bend", "supine-hamstring", "wall-hamstring")))
    assert not named.pool
    with pytest.raises(InputError):
        fit_minutes(named, 2, duration_of)

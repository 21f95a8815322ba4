"""Programs: presets and program files turned into dated days, and the plan the CLI prints.

Timelines here are laid out with made-up speech lengths (as in tests/words/test_builder.py);
the CLI cases run with --engine none so no speech is synthesized.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from repo import REPO
from timing_rules import CHIME_LENGTHS, assert_obeys_timing_rules

from voiceguide.cli.main import cli
from voiceguide.programs.program import (
    DEFAULT_PROGRAM,
    FULL_INTRO_DAYS,
    WEEKDAYS,
    Choices,
    load_program,
    plan_days,
    preset_programs,
    rotated,
    session_dates,
)
from voiceguide.words import cues
from voiceguide.words.builder import Options, flow_key
from voiceguide.words.catalog import load_catalog
from voiceguide.words.routine import load_routine, preset_names
from voiceguide.words.timeline import Role, build_timeline

MONDAY = datetime.date(2026, 11, 30)
README = REPO / "README.md"


def length(text: str) -> float:
    return 0.2 + 0.06 * len(text)


def lay(day):
    return build_timeline(day.shaped, length, CHIME_LENGTHS)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# -- presets -------------------------------------------------------------------


def test_the_presets_are_there_and_do_not_collide_with_routine_presets():
    assert {"hamstrings-14-days", "daily-anywhere"} <= set(preset_programs())
    assert not set(preset_programs()) & set(preset_names())
    assert DEFAULT_PROGRAM == "hamstrings-14-days"


@pytest.mark.parametrize("name", preset_programs())
def test_every_preset_plan_grows_its_holds_and_obeys_the_timing_rules(name):
    days = plan_days(load_program(name), MONDAY)
    holds = []
    per_stretch = []
    for day in days:
        timeline = lay(day)
        assert_obeys_timing_rules(timeline, day.shaped, length)
        assert timeline.holds, f"day {day.number} has no holds"
        holds.append([h.seconds for h in timeline.holds])
        per_stretch.append({h.stretch: h.seconds for h in timeline.holds})
    assert max(holds[0]) <= 20, holds[0]
    assert set(holds[-1]) == {30}, holds[-1]
    lows = [min(h) for h in holds]
    assert lows == sorted(lows), lows
    # Each stretch's hold never shrinks from one day to a later one.
    seen: dict[str, float] = {}
    for number, stretches in enumerate(per_stretch, 1):
        for stretch, seconds in stretches.items():
            assert seconds >= seen.get(stretch, 0), (number, stretch, seconds, seen[stretch])
            seen[stretch] = seconds


def test_hamstrings_14_days_starts_lying_and_ends_with_every_stretch_brief():
    days = plan_days(load_program("hamstrings-14-days"), MONDAY)
    assert len(days) == 14
    for day in days[:3]:  # not long sitting, cold: the back supported by the floor
        assert {s.stretch.position for s in day.shaped.steps} <= {"lying", "wall"}
        assert day.shaped.steps[0].stretch.id == "supine-hamstring"
    assert len(days[0].shaped.steps) < len(days[-1].shaped.steps)
    # Every stretch but the strap one, the same movement as the Lying Hamstring Stretch.
    full = {s.stretch.id for s in load_routine("full").steps} - {"reclining-hand-to-big-toe"}
    assert {s.stretch.id for s in days[-1].shaped.steps} == full
    guidance = [d.guidance for d in days]
    assert guidance[0] == "full" and guidance[-1] == "brief"
    assert guidance == sorted(guidance, key=["full", "brief", "minimal"].index)
    # Every stretch is talked through in full on at least two days before the guidance turns brief.
    for stretch in full:
        assert sum(d.guidance == "full" and stretch in {s.stretch.id for s in d.shaped.steps} for d in days) >= 2


def test_daily_anywhere_is_standing_every_day():
    days = plan_days(load_program("daily-anywhere"), MONDAY)
    assert [d.date for d in days] == [MONDAY + datetime.timedelta(n) for n in range(len(days))]
    assert all(s.stretch.position == "standing" for d in days for s in d.shaped.steps)


# -- dates ---------------------------------------------------------------------


def test_dates_skip_rest_days():
    dates = session_dates(datetime.date(2026, 11, 27), 6, ("saturday", "sunday"))  # a Friday
    assert [d.isoformat() for d in dates] == [
        "2026-11-27",
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
        "2026-12-04",
    ]
    assert all(WEEKDAYS[d.weekday()] not in ("saturday", "sunday") for d in dates)


def test_a_start_on_a_rest_day_moves_to_the_next_session_day():
    assert session_dates(datetime.date(2026, 11, 29), 1, ("sunday",)) == [MONDAY]


def _write(tmp_path: Path, text: str, name: str = "p.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_weeks_count_session_days_without_rest_days(tmp_path):
    path = _write(
        tmp_path,
        'title = "T"\nweeks = 2\nrest_days = ["wednesday", "sunday"]\n'
        '[[phases]]\nroutine = "anywhere"\nhold = [20, 30]\n',
    )
    days = plan_days(load_program(str(path)), MONDAY)
    assert len(days) == 10
    assert all(d.date.weekday() not in (2, 6) for d in days)
    assert days[-1].date == MONDAY + datetime.timedelta(days=12)  # the second Saturday
    assert {s.hold for s in days[0].shaped.steps if s.stretch.kind == "hold"} == {20}
    assert {s.hold for s in days[-1].shaped.steps if s.stretch.kind == "hold"} == {30}


# -- program files ---------------------------------------------------------------


def test_phases_ramp_the_hold_evenly_and_the_last_phase_takes_the_rest(tmp_path):
    path = _write(
        tmp_path,
        """title = "Ramp"
days = 6
[[phases]]
days = 3
routine = "gentle"
hold = [20, 24]
guidance = "full"
[[phases]]
routine = "full"
hold = 25
guidance = "minimal"
laps = 2
""",
    )
    days = plan_days(load_program(str(path)), MONDAY)
    seated = [next(s.hold for s in d.shaped.steps if s.stretch.id == "seated-hamstring") for d in days]
    assert seated == [20, 22, 24, 25, 25, 25]
    assert [d.guidance for d in days] == ["full"] * 3 + ["minimal"] * 3
    assert days[3].shaped.laps == 2


def test_day_tables_and_yaml_with_a_routine_file_beside_the_program(tmp_path):
    (tmp_path / "mine.toml").write_text('title = "Mine"\n[[steps]]\nstretch = "forward bend"\n', encoding="utf-8")
    path = _write(
        tmp_path,
        "title: Days\nrest_days: [sunday]\nday:\n  - routine: mine.toml\n    hold: 20\n"
        "  - routine: mine.toml\n    hold: 22\n    guidance: brief\n",
        "p.yaml",
    )
    days = plan_days(load_program(str(path)), datetime.date(2026, 12, 5))  # a Saturday
    assert [d.date.isoformat() for d in days] == ["2026-12-05", "2026-12-07"]
    assert [d.shaped.steps[0].hold for d in days] == [20, 22]
    assert [d.guidance for d in days] == ["full", "brief"]
    assert days[0].title == "Mine" and days[0].episode_title == "Day 1 of 2: Mine"


def test_a_program_hold_is_every_stretchs_hold_the_strap_stretch_too(tmp_path):
    """The strap stretch is advised at 30 s on its own; beside 22 s of the others it was a jump (issue 22)."""
    path = _write(tmp_path, 'title = "T"\ndays = 2\n[[phases]]\nroutine = "full"\nhold = [22, 23]\n')
    for day, hold in zip(plan_days(load_program(str(path)), MONDAY), (22, 23), strict=True):
        assert {s.hold for s in day.shaped.steps if s.stretch.kind == "hold"} == {hold}


# -- variety ---------------------------------------------------------------------


def test_rotation_changes_order_only_within_a_place_in_the_flow():
    steps = load_routine("full").steps
    orders = {tuple(s.stretch.id for s in rotated(steps, k)) for k in range(4)}
    assert len(orders) > 1  # it does vary
    for k in range(4):
        out = rotated(steps, k)
        assert [flow_key(s) for s in out] == [flow_key(s) for s in steps]
        assert sorted(s.stretch.id for s in out) == sorted(s.stretch.id for s in steps)


def test_variety_false_keeps_the_routine_order(tmp_path):
    path = _write(tmp_path, 'title = "T"\ndays = 3\nvariety = false\n[[phases]]\nroutine = "full"\nhold = 20\n')
    orders = {tuple(s.stretch.id for s in d.shaped.steps) for d in plan_days(load_program(str(path)), MONDAY)}
    assert orders == {tuple(s.stretch.id for s in load_routine("full").steps)}


# -- the CLI ---------------------------------------------------------------------


def test_plan_json_lists_days_with_date_guidance_length_and_holds():
    result = run("program", "daily-anywhere", "--plan", "--format", "json", "--start", "2026-11-30", "--engine", "none")
    assert result.exit_code == 0, result.stderr
    days = json.loads(result.stdout)
    assert [d["day"] for d in days] == list(range(1, len(days) + 1))
    assert days[0]["date"] == "2026-11-30" and days[1]["date"] == "2026-12-01"
    for d in days:
        assert d["guidance"] in ("full", "brief", "minimal")
        assert d["length"] > 0
        assert d["holds"] and all({"stretch", "seconds"} <= set(h) for h in d["holds"])
    assert {h["seconds"] for h in days[0]["holds"]} == {20.0}
    assert {h["seconds"] for h in days[-1]["holds"]} == {30.0}


def test_plan_text_defaults_to_hamstrings_14_days():
    result = run("program", "--plan", "--start", "2026-11-30", "--engine", "none")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Hamstrings in 14 days"
    days = [line for line in lines if line.startswith("Day ")]
    assert len(days) == 14
    assert "Mon 2026-11-30" in days[0] and "Sun 2026-12-13" in days[-1]
    assert "Lying Hamstring Stretch 20 s each side; Wall Hamstring Stretch 20 s." in result.stdout


def test_programs_lists_days_minutes_and_what_changes():
    result = run("programs", "--engine", "none")
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("hamstrings-14-days"))
    assert "14 days" in line and "min a day" in line
    assert "holds 20 -> 30 s" in line and "guidance full -> brief" in line


def test_init_program_writes_a_program_that_plans(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("init", "--program")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "program.toml").is_file() and not (tmp_path / "routine.toml").exists()
    plan = run("program", "program.toml", "--plan", "--format", "json", "--engine", "none")
    assert plan.exit_code == 0, plan.stderr
    assert len(json.loads(plan.stdout)) == 15


def test_the_readme_example_program_plans(tmp_path):
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```toml\n(# A voiceguide program.*?)```", text, re.S)
    assert block, "the README shows the annotated program example"
    path = _write(tmp_path, block.group(1))
    assert plan_days(load_program(str(path)), MONDAY)


def test_a_routine_preset_name_is_not_a_program():
    result = run("program", "full", "--plan", "--engine", "none")
    assert result.exit_code == 2
    assert "is a routine preset" in result.stderr and "voiceguide build" in result.stderr


def test_catalog_has_every_stretch_the_presets_name():
    catalog = load_catalog()
    for name in preset_programs():
        for spec in load_program(name).days:
            for skip in spec.skip:
                catalog.get(skip)


def test_the_readme_example_is_the_starter_file():
    from importlib import resources

    starter = resources.files("voiceguide.data").joinpath("program-starter.toml").read_text(encoding="utf-8")
    assert f"```toml\n{starter}```" in README.read_text(encoding="utf-8")


def test_the_days_shared_clips_are_spoken_once(monkeypatch):
    """A fresh cache: every text of the 14 days is synthesized exactly once (pyttsx3, real speech)."""
    from voiceguide.programs.plan import plan_program
    from voiceguide.sound.engines import Pyttsx3Engine

    spoken: list[str] = []
    real = Pyttsx3Engine.synthesize

    def counting(self, text, wav_path):
        spoken.append(text)
        return real(self, text, wav_path)

    monkeypatch.setattr(Pyttsx3Engine, "synthesize", counting)
    planned = plan_program(load_program("hamstrings-14-days"), MONDAY, Pyttsx3Engine())
    said = {e.text for p in planned for e in p.timeline.events if e.text}
    assert len(spoken) == len(set(spoken))
    assert said <= set(spoken)
    again = len(spoken)
    plan_program(load_program("hamstrings-14-days"), MONDAY, Pyttsx3Engine())
    assert len(spoken) == again  # all from the cache


def test_a_top_level_routine_serves_every_phase_that_names_none(tmp_path):
    path = _write(
        tmp_path,
        'title = "T"\nroutine = "anywhere"\n'
        '[[phases]]\ndays = 2\nhold = 20\n[[phases]]\ndays = 1\nroutine = "gentle"\n',
    )
    days = plan_days(load_program(str(path)), MONDAY)
    assert [d.routine.title for d in days][:2] == [load_routine("anywhere").title] * 2
    assert days[2].routine.title == load_routine("gentle").title


# -- what a day says about itself (issue 22) ----------------------------------------


def intro_texts(day) -> list[str]:
    return [e.text for e in lay(day).events if e.role == Role.INTRO]


@pytest.mark.parametrize("name", preset_programs())
def test_every_day_opens_with_its_number_and_keeps_the_safety_advice(name):
    days = plan_days(load_program(name), MONDAY)
    for day in days:
        intro = intro_texts(day)
        assert intro[0].startswith(f"Day {day.number} of {len(days)}"), intro
        if day.number <= FULL_INTRO_DAYS and day.guidance == "full":
            assert set(cues.SAFETY) <= set(intro) and cues.CHIMES_EXPLAINED in intro
        else:
            assert set(cues.SAFETY_SHORT) <= set(intro), (day.number, intro)
        if day.number > FULL_INTRO_DAYS:  # short and day-specific: no chime key
            assert cues.CHIMES_EXPLAINED not in intro and not set(cues.SAFETY) - set(cues.SAFETY_SHORT) & set(intro)
        welcome = load_routine(load_program(name).days[0].routine).intro
        assert set(welcome) <= set(intro) if day.number == 1 else not set(welcome) & set(intro)
    assert days[-1].routine.opening[0] == f"Day {len(days)} of {len(days)}, the last one."
    lengths = {d.number: sum(e.end - e.start for e in lay(d).events if e.role == Role.INTRO) for d in days}
    # Without the full safety advice, the welcome and the chime key, a later day's intro is much shorter.
    assert lengths[FULL_INTRO_DAYS + 1] < 0.7 * lengths[1]


def test_a_day_that_changes_says_so():
    days = plan_days(load_program("hamstrings-14-days"), MONDAY)
    opening = {d.number: d.routine.opening for d in days}
    assert opening[1] == ("Day 1 of 14.",)
    assert opening[2] == ("Day 2 of 14.", "The same stretches as last time, each held a little longer.")
    assert opening[4] == ("Day 4 of 14.", "Today adds the Seated Hamstring Stretch.")
    assert opening[5] == ("Day 5 of 14.", "The same stretches as last time, each held a little longer.")
    assert opening[6] == (
        "Day 6 of 14.",
        "Today adds two standing stretches: the Dynamic Hamstring Stretch and the Standing Hamstring Stretch.",
    )
    assert opening[10] == ("Day 10 of 14.", "Today adds the Downward Dog.")
    assert opening[12][:2] == ("Day 12 of 14.", "You know these now, so I'll say less.")
    # Said at every guidance level: a minimal day still names its number.
    minimal = [e.text for e in lay(dataclasses.replace(days[12], options=Options(guidance="minimal"))).events]
    assert "Day 13 of 14." in minimal


def holding_per_leg(day) -> int:
    """Seconds of holding a leg gets in the day: a one-side stretch counts once, as does a two-leg one."""
    return sum(s.hold for s in day.shaped.steps if s.stretch.kind == "hold")


@pytest.mark.parametrize("name", preset_programs())
def test_the_holding_time_grows_gently(name):
    """Add a stretch or two every few days: never half as much holding again from one session to the next."""
    per_day = [holding_per_leg(d) for d in plan_days(load_program(name), MONDAY)]
    for number, (before, now) in enumerate(itertools.pairwise(per_day), 2):
        assert now <= 1.6 * before, (number, per_day)


@pytest.mark.parametrize("name", preset_programs())
def test_no_day_does_the_same_lying_movement_twice_in_a_row(name):
    twins = {"supine-hamstring", "reclining-hand-to-big-toe"}
    for day in plan_days(load_program(name), MONDAY):
        ids = [s.stretch.id for s in day.shaped.steps]
        assert all({a, b} != twins for a, b in itertools.pairwise(ids)), (day.number, ids)


@pytest.mark.parametrize("name", preset_programs())
def test_a_head_down_stretch_comes_only_after_the_warm_up(name):
    for day in plan_days(load_program(name), MONDAY):
        steps = day.shaped.steps
        for i, step in enumerate(steps):
            if "inversion" in step.stretch.needs:
                assert i > 0 and steps[0].stretch.id == "dynamic-hamstring", (day.number, step.stretch.id)


INVERTED = {s.name for s in load_catalog() if "inversion" in s.needs}


@pytest.mark.parametrize("name", preset_programs())
def test_avoid_inversion_leaves_every_head_down_stretch_out_of_every_day(name):
    result = run("program", name, "--plan", "--format", "json", "--avoid", "inversion", "--engine", "none")
    assert result.exit_code == 0, result.stderr
    days = json.loads(result.stdout)
    assert all(not set(d["stretches"]) & INVERTED for d in days)
    with_dog = json.loads(run("program", name, "--plan", "--format", "json", "--engine", "none").stdout)
    # There was something to leave out (low-back-4-weeks has a head-down stretch only with --prefer flexion).
    assert any(set(d["stretches"]) & INVERTED for d in with_dog) or name == "low-back-4-weeks"
    for n in range(1, len(days) + 1):
        script = run("program", name, "--day", n, "--avoid", "inversion", "--engine", "none")
        assert script.exit_code == 0, script.stderr
        assert not any(stretch in script.stdout for stretch in INVERTED), n


def test_a_program_file_avoids_at_the_top_in_a_phase_and_in_a_day(tmp_path):
    top = _write(tmp_path, 'title = "T"\ndays = 2\navoid = ["inversion"]\n[[phases]]\nroutine = "full"\n', "top.toml")
    phase = _write(
        tmp_path,
        'title = "T"\ndays = 2\n[[phases]]\ndays = 1\nroutine = "full"\navoid = ["inversion", "kneeling"]\n'
        '[[phases]]\nroutine = "full"\n',
        "phase.toml",
    )
    day = _write(tmp_path, 'title = "T"\n[[day]]\nroutine = "full"\navoid = ["floor"]\n', "day.toml")
    ids = {s.stretch.name for d in plan_days(load_program(str(top)), MONDAY) for s in d.shaped.steps}
    assert not ids & INVERTED and "Seated Hamstring Stretch" in ids
    first, second = plan_days(load_program(str(phase)), MONDAY)
    assert not {s.stretch.name for s in first.shaped.steps} & INVERTED
    assert "Downward Dog" in {s.stretch.name for s in second.shaped.steps}
    (only,) = plan_days(load_program(str(day)), MONDAY)
    assert not {s.stretch.position for s in only.shaped.steps} & {"seated", "lying", "wall"}


def test_a_phase_only_chooses_and_orders_its_stretches(tmp_path):
    path = _write(
        tmp_path,
        'title = "T"\ndays = 2\n[[phases]]\nroutine = "full"\nonly = ["lying hamstring", "wall", "seated"]\n',
    )
    for day in plan_days(load_program(str(path)), MONDAY):
        assert [s.stretch.id for s in day.shaped.steps] == ["supine-hamstring", "wall-hamstring", "seated-hamstring"]


def test_command_line_only_and_skip_narrow_every_day_in_its_own_order():
    plain = plan_days(load_program("hamstrings-14-days"), MONDAY)
    narrowed = plan_days(
        load_program("hamstrings-14-days"), MONDAY, choices=Choices(only=("wall", "lying hamstring"), skip=())
    )
    for a, b in zip(plain, narrowed, strict=True):
        assert [s.stretch.id for s in b.shaped.steps] == [
            s.stretch.id for s in a.shaped.steps if s.stretch.id in ("supine-hamstring", "wall-hamstring")
        ]
    skipped = plan_days(load_program("hamstrings-14-days"), MONDAY, choices=Choices(skip=("wall",)))
    assert all("wall-hamstring" not in {s.stretch.id for s in d.shaped.steps} for d in skipped)


@pytest.mark.parametrize("number", [1, 4, 8, 12, 14])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_day_n_prints_the_days_own_script(number, fmt):
    """`program --day N` is the very session the folder renders for day N, printed as `script` prints one."""
    from voiceguide.files.script import render_text
    from voiceguide.session.pipeline import plan_session, timeline_json
    from voiceguide.sound.engines import Pyttsx3Engine

    result = run(
        "program", "--day", number, "--format", fmt, "--start", MONDAY.isoformat(), "--avoid", "kneeling",
        "--engine", "pyttsx3",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    day = plan_days(load_program(DEFAULT_PROGRAM), MONDAY, choices=Choices(avoid=("kneeling",)))[number - 1]
    plan = plan_session(day.routine, Pyttsx3Engine(), None, day.options)
    assert result.stdout == (timeline_json(plan.timeline) if fmt == "json" else render_text(plan.timeline))
    assert f"Day {number} of 14" in result.stdout and "Downward Dog" not in result.stdout
    assert result.stderr.startswith("Voice: pyttsx3")


def test_the_default_time_comes_with_the_advice_to_move_first():
    help_text = " ".join(run("program", "--help").stdout.split())
    assert "07:00" in help_text and "move around for 30 minutes first" in help_text
    from importlib import resources

    starter = resources.files("voiceguide.data").joinpath("program-starter.toml").read_text(encoding="utf-8")
    assert "move around for 30 minutes" in starter
    for doc in (REPO / "docs" / "program-folder.md", README):
        assert "move around for 30 minutes" in " ".join(doc.read_text(encoding="utf-8").split())


def test_an_old_phase_rounds_is_read_as_laps_with_a_warning_on_every_command(tmp_path):
    """A 0.1.0 program file's phase 'rounds' (times through the routine) still works, and says to write 'laps'."""
    program = _write(tmp_path, 'title = "Old"\ndays = 2\n[[phases]]\nroutine = "gentle"\nrounds = 2\n')
    for args in (["--plan"], ["--day", "1"], ["-o", str(tmp_path / "out")]):
        result = run("program", str(program), *args, "--engine", "none", "--start", "2026-01-05")
        assert result.exit_code == 0, result.stderr
        warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
        assert len(warnings) == 1 and "'laps'" in warnings[0] and "phases[0].rounds" in warnings[0], result.stderr
    assert load_program(str(program)).days[0].laps == 2


# -- titles and order that tell the truth -----------------------------------------


def test_a_day_never_titled_after_stretches_the_person_avoids():
    """ "Forward bend and lunge" on a day with neither (--avoid inversion) becomes the last day's title,
    or what the day really adds."""
    program = load_program("hamstrings-14-days")
    start = datetime.date(2026, 1, 5)
    plain = plan_days(program, start)
    avoided = plan_days(program, start, choices=Choices(avoid=("inversion",)))
    assert [d.title for d in plain][7:10] == ["Forward bend and lunge", "Forward bend and lunge", "Every stretch"]
    for day in avoided:
        ids = {s.stretch.id for s in day.shaped.steps}
        assert not ids & {"forward-bend", "lunge-hamstring", "downward-dog"}
        assert "Forward bend" not in day.title and "Every stretch" not in day.title, (day.number, day.title)
    assert [d.title for d in avoided][5:] == ["Standing, then the floor"] * 9
    # Leaving the lying stretch out on days 1-3 leaves their title; day 4 adds the seated stretch, by name.
    skipped = plan_days(program, start, choices=Choices(skip=("supine-hamstring",)))
    assert skipped[0].title == "Lying down" and skipped[3].title == "Adds Seated Hamstring Stretch"


def test_the_14_days_keep_one_order():
    days = plan_days(load_program("hamstrings-14-days"), datetime.date(2026, 1, 5))
    orders = [[s.stretch.id for s in d.shaped.steps] for d in days[5:]]  # from standing on: one flow, no swaps
    for a, b in itertools.pairwise(orders):
        common = [x for x in b if x in a]
        assert [x for x in a if x in b] == common, (a, b)


def test_a_program_the_avoids_empty_names_one_that_fits():
    """Whoever cannot get to the floor is pointed at a program they can follow, not left with none."""
    result = run("program", "hamstrings-14-days", "--plan", "--avoid", "floor")
    assert result.exit_code == 2
    assert "day 1 of 14" in result.stderr and "choose the program daily-anywhere" in result.stderr
    assert plan_days(load_program("daily-anywhere"), MONDAY, choices=Choices(avoid=("floor",)))
    nothing = run("program", "hamstrings-14-days", "--plan", "--avoid", "floor,standing")
    assert nothing.exit_code == 2 and "choose another program ('voiceguide programs')" in nothing.stderr

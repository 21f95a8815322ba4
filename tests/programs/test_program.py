"""Programs: presets and program files turned into dated days, and the plan the CLI prints.

Timelines here are laid out with made-up speech lengths (as in tests/test_builder.py);
the CLI cases run with --engine none so no speech is synthesized.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from repo import REPO
from timing_rules import assert_obeys_timing_rules

from voiceguide.cli.main import cli
from voiceguide.programs.program import (
    DEFAULT_PROGRAM,
    WEEKDAYS,
    load_program,
    plan_days,
    preset_programs,
    rotated,
    session_dates,
)
from voiceguide.words.builder import flow_key
from voiceguide.words.catalog import load_catalog
from voiceguide.words.routine import load_routine, preset_names
from voiceguide.words.timeline import build_timeline

CHIME_LENGTHS = {"start.wav": 1.0, "end.wav": 1.0, "switch.wav": 0.8, "finish.wav": 2.8}
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


def test_hamstrings_14_days_starts_gentle_and_ends_with_the_full_routine_brief():
    days = plan_days(load_program("hamstrings-14-days"), MONDAY)
    assert len(days) == 14
    first = {s.stretch.position for s in days[0].shaped.steps}
    assert first <= {"seated", "lying"}
    assert len(days[0].shaped.steps) < len(days[-1].shaped.steps)
    full = {s.stretch.id for s in load_routine("full").steps}
    assert {s.stretch.id for s in days[-1].shaped.steps} == full
    guidance = [d.guidance for d in days]
    assert guidance[0] == "full" and guidance[-1] == "brief"
    assert guidance == sorted(guidance, key=["full", "brief", "minimal"].index)


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
routine = "quick"
hold = 25
guidance = "minimal"
laps = 2
""",
    )
    days = plan_days(load_program(str(path)), MONDAY)
    seated = [next(s.hold for s in d.shaped.steps if s.stretch.id == "seated-hamstring") for d in days]
    assert seated == [20, 22, 24, 25, 25, 25]
    assert [d.guidance for d in days] == ["full"] * 3 + ["minimal"] * 3
    assert days[3].shaped.laps == 2 and days[3].routine.minutes is None  # the program's hold wins


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


def test_the_reclining_pose_keeps_its_advised_30_seconds():
    day = plan_days(load_program("hamstrings-14-days"), MONDAY)[3]
    holds = {s.stretch.id: s.hold for s in day.shaped.steps if s.stretch.kind == "hold"}
    assert holds["reclining-hand-to-big-toe"] == 30
    assert holds["seated-hamstring"] == 22


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
    assert "Seated Hamstring Stretch 20 s" in result.stdout


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

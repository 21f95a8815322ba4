"""A corpus of bad program files, each run through the real CLI: one clear line, exit status 2.

Program files live in tests/bad_programs/ (one mistake each); binary, non-UTF-8,
oversized and missing files are made here. Every case asserts what
tests/cli/test_bad_input.py asserts for routine files: exit status 2, nothing on
stdout, exactly one "Error: " line naming the file, and the line and field
where the file shows the mistake. --plan and -o DIR must refuse alike, and -o
must write nothing.
"""

from __future__ import annotations

import shutil

import pytest
from clirun import assert_one_error, run
from repo import TESTS

CORPUS = TESTS / "bad_programs"
P = pytest.param

# file in tests/bad_programs, words the one error line must contain (the file's name is always checked)
FILE_CASES = [
    P("top_key_typo.toml", ["line 3", "descripton", "did you mean 'description'"], id="top-key-typo"),
    P("title_missing.toml", ["title", "is missing"], id="title-missing"),
    P("days_and_weeks.toml", ["line 3", "weeks", "one way"], id="days-and-weeks"),
    P("days_zero.toml", ["line 2", "days", "0 is out of range", "1 to 99 days"], id="days-zero"),
    P("days_100.toml", ["line 2", "100 is out of range"], id="days-100"),
    P("weeks_text.toml", ["line 2", "weeks", "whole number of weeks", "'two'"], id="weeks-text"),
    P("rest_day_typo.toml", ["line 3", "rest_days[1]", "monday", "'sundy'"], id="rest-day-typo"),
    P("rest_every_day.toml", ["line 3", "rest_days", "every day of the week"], id="rest-every-day"),
    P("phases_and_day.toml", ["line 7", "day", "'phases'"], id="phases-and-day"),
    P("no_days.toml", ["needs 'phases'", "[[day]]", "init --program"], id="no-phases-no-days"),
    P("phases_empty.toml", ["line 3", "phases", "is empty"], id="phases-empty"),
    P("phases_not_list.toml", ["line 3", "expected a list of tables", "'full'"], id="phases-not-a-list"),
    P("phase_key_typo.toml", ["line 11", "phases[1].hodl", "did you mean 'hold'"], id="phase-key-typo"),
    P("phase_days_missing.toml", ["line 4", "phases[0].days", "is missing"], id="phase-days-missing"),
    P("phase_hold_text.toml", ["line 6", "phases[0].hold", "whole number of seconds", "'twenty'"], id="hold-text"),
    P("phase_hold_shrinks.toml", ["line 6", "phases[0].hold", "[30, 20] shrinks"], id="hold-shrinks"),
    P("phase_hold_three.toml", ["line 6", "phases[0].hold", "[first, last]", "list of 3"], id="hold-three"),
    P("phase_hold_zero.toml", ["line 6", "phases[0].hold[0]", "0 is out of range", "5 to 300"], id="hold-zero"),
    P("phase_hold_fraction.toml", ["line 6", "phases[0].hold", "20.5"], id="hold-fraction"),
    P("phases_sum_short.toml", ["line 4", "cover 7 days", "has 14"], id="phases-do-not-add-up"),
    P("last_phase_no_days_left.toml", ["line 8", "phases[1]", "no days left"], id="last-phase-no-days-left"),
    P("phase_routine_unknown.toml", ["line 5", "phases[0].routine", "'fulll'", "presets: anywhere"], id="routine-typo"),
    P("phase_routine_missing.toml", ["line 4", "phases[0]", "needs 'routine'"], id="routine-missing"),
    P("phase_routine_program.toml", ["line 5", "'hamstrings-14-days'", "routine preset"], id="routine-is-a-program"),
    P("phase_guidance_wrong.toml", ["line 6", "phases[0].guidance", "full, brief, minimal", "'loud'"], id="guidance"),
    P("phase_positions_wrong.toml", ["line 6", "phases[0].positions[1]", "'ceiling'"], id="positions-unknown"),
    P("phase_rounds_zero.toml", ["line 6", "phases[0].rounds", "1 to 20 rounds"], id="rounds-zero"),
    P("phase_skip_typo.toml", ["line 6", "phases[0].skip[0]", "Did you mean: wall-hamstring"], id="skip-typo"),
    P(
        "phase_filters_leave_nothing.toml",
        ["line 4", "phases[0]", "'positions' leaves no stretch", "widen"],
        id="filters-empty",
    ),
    P("phase_avoid_wrong.toml", ["line 6", "phases[0].avoid[1]", "inversion", "'ceiling'"], id="phase-avoid-unknown"),
    P("top_avoid_wrong.toml", ["line 3", "avoid[0]", "inversion", "'inversions'"], id="program-avoid-unknown"),
    P("phase_only_typo.toml", ["line 6", "phases[0].only[1]", "Did you mean: wall-hamstring"], id="only-typo"),
    P(
        "phase_only_not_in_routine.toml",
        ["line 6", "phases[0].only[1]", "not a stretch of 'anywhere'"],
        id="only-other",
    ),
    P("day_avoid_leaves_nothing.toml", ["line 6", "day[1]", "'avoid' leaves no stretch", "widen"], id="avoid-empty"),
    P(
        "top_avoid_leaves_nothing.toml",
        ["line 5", "phases[0]", "the program's 'avoid'", "no stretch"],
        id="top-avoid-empty",
    ),
    P("day_key_typo.toml", ["line 8", "day[1].guidence", "did you mean 'guidance'"], id="day-key-typo"),
    P("day_count_mismatch.toml", ["line 4", "2 [[day]] tables", "3 days"], id="day-count-mismatch"),
    P("day_hold_huge.toml", ["line 5", "day[0].hold", "1000 is out of range"], id="day-hold-huge"),
    P("day_not_table.toml", ["line 2", "day[0]", "expected a table"], id="day-not-a-table"),
    P("invalid_toml.toml", ["not valid TOML", "line 5"], id="invalid-toml"),
    P("top_key_typo.yaml", ["line 3", "rest_day", "did you mean 'rest_days'"], id="yaml-top-key-typo"),
    P("phase_hold_text.yaml", ["line 7", "phases[1].hold", "'twenty'"], id="yaml-hold-text"),
    P("phases_mapping.yaml", ["line 3", "phases", "expected a list of tables", "a table"], id="yaml-phases-mapping"),
    P("billion_laughs.yaml", ["anchors and aliases", "not allowed", "line 1"], id="yaml-anchors"),
    P("invalid_yaml.yaml", ["not valid YAML", "line 5"], id="yaml-bad-indent"),
    P("python_tag.yaml", ["not valid YAML", "line 2", "python/object"], id="yaml-python-tag"),
]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("name, words", FILE_CASES)
def test_bad_program_file(in_tmp, name, words):
    shutil.copy(CORPUS / name, in_tmp / name)
    assert_one_error(run("program", name, "--plan", "--engine", "none"), name, *words)


def test_a_bad_routine_file_named_by_a_program_is_reported_in_its_own_file(in_tmp):
    for name in ("routine_file_bad.toml", "bad_routine.toml"):
        shutil.copy(CORPUS / name, in_tmp / name)
    line = assert_one_error(run("program", "routine_file_bad.toml", "--plan", "--engine", "none"), "bad_routine.toml")
    assert "line 5" in line and "steps[0].hold" in line and "'thirty'" in line


@pytest.mark.parametrize("name", ["phase_key_typo.toml", "phase_hold_shrinks.toml", "invalid_yaml.yaml"])
def test_rendering_a_bad_program_writes_nothing(in_tmp, name):
    shutil.copy(CORPUS / name, in_tmp / name)
    assert_one_error(run("program", name, "-o", "out", "--engine", "none"), name)
    assert not (in_tmp / "out").exists()


MADE_CASES = [
    P("empty.toml", b"", ["is empty"], id="empty"),
    P("binary.toml", b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)), ["binary file"], id="binary"),
    P("latin1.toml", 'title = "Étirements"\n'.encode("latin-1"), ["not UTF-8"], id="latin1"),
    P("huge.yaml", b"title: T\n" + b"# padding\n" * 30000, ["at most 256 KiB"], id="huge"),
    P("missing.toml", None, ["no such file"], id="missing"),
    P("folder.toml", "dir", ["is a directory"], id="directory"),
]


@pytest.mark.parametrize("name, content, words", MADE_CASES)
def test_bad_program_made_here(in_tmp, name, content, words):
    if content == "dir":
        (in_tmp / name).mkdir()
    elif content is not None:
        (in_tmp / name).write_bytes(content)
    assert_one_error(run("program", name, "--plan", "--engine", "none"), name, *words)


OPTION_CASES = [
    P(["program", "nosuchprogram", "--plan"], ["'nosuchprogram'", "programs: daily-anywhere"], id="unknown-program"),
    P(["program"], ["-o DIR", "--plan"], id="neither-plan-nor-output"),
    P(["program", "--plan", "--start", "2026-13-01"], ["--start", "2026-13-01"], id="start-not-a-date"),
    P(["program", "-o", "out", "--at", "7am"], ["--at", "'7am'", "HH:MM"], id="at-not-a-time"),
    P(["program", "-o", "out", "--at", "25:00"], ["--at", "HH:MM"], id="at-25"),
    P(["program", "-o", "out", "--base-url", "ftp://x/"], ["--base-url", "http"], id="base-url-ftp"),
    P(["program", "--plan", "--format", "xml"], ["--format", "'xml'"], id="format-xml"),
    P(["program", "--plan", "--avoid", "kneeling,ceiling"], ["--avoid", "'ceiling'", "inversion"], id="avoid-unknown"),
    P(["program", "--day", "2", "--skip", "wal"], ["--skip", "'wal'", "Did you mean: wall-hamstring"], id="skip-typo"),
    P(["program", "--plan", "--only", "wal"], ["--only", "'wal'", "wall-hamstring"], id="only-typo"),
    P(
        ["program", "--plan", "--only", "downward dog"],
        ["--only leaves no stretch", "day 1 of 14"],
        id="only-empties-a-day",
    ),
    P(
        ["program", "--day", "3", "--avoid", "floor"],
        ["--avoid leaves no stretch", "day 1 of 14", "choose the program daily-anywhere"],
        id="avoid-floor",
    ),
    P(["program", "--day", "15"], ["--day", "15 is out of range", "14 session days"], id="day-15"),
    P(["program", "daily-anywhere", "--day", "8"], ["--day", "daily-anywhere has 7"], id="day-8-of-7"),
    P(["program", "--day", "0"], ["--day", "0 is not in the range"], id="day-0"),
    P(["program", "--day", "2", "--plan"], ["--day", "without --plan"], id="day-with-plan"),
    P(["program", "--day", "2", "-o", "out"], ["--day", "without --plan and -o"], id="day-with-output"),
    P(["program", "-o", "out", "--avoid", "ceiling"], ["--avoid", "ceiling"], id="avoid-unknown-with-output"),
    P(["program", "-o", "out", "--only", "wal"], ["--only", "'wal'", "wall-hamstring"], id="only-typo-with-output"),
]


@pytest.mark.parametrize("args, words", OPTION_CASES)
def test_bad_program_option(in_tmp, args, words):
    assert_one_error(run(*args, "--engine", "none"), *words)
    assert not (in_tmp / "out").exists()

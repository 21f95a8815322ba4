"""Routines from presets and files, and the errors people meet."""

from __future__ import annotations

import datetime

import pytest
from repo import REPO

from voiceguide.errors import InputError
from voiceguide.words.builder import Options, apply
from voiceguide.words.catalog import load_catalog
from voiceguide.words.routine import load_routine, preset_names

# The two lying stretches are the same movement: the wall stretch comes between them.
FLOW = ["dynamic-hamstring", "forward-bend", "standing-hamstring", "lunge-hamstring", "downward-dog",
        "seated-hamstring", "supine-hamstring", "wall-hamstring", "reclining-hand-to-big-toe"]  # fmt: skip


def test_default_routine_is_all_nine_in_flow_order():
    routine = load_routine()
    assert [s.stretch.id for s in routine.steps] == FLOW
    assert {s.hold for s in routine.steps} == {30}
    assert routine.intro and routine.outro
    # The safety line and the chimes' meaning are said by every session's timeline
    # (voiceguide/words/cues.py), so a preset's intro carries neither: no session says them twice.
    intro = " ".join(routine.intro).lower()
    assert "welcome" in intro and "pain" not in intro and "notes" not in intro


def test_hold_override_applies_to_every_step():
    routine = apply(load_routine("full"), Options(hold=25))
    assert {s.hold for s in routine.steps} == {25}


def test_presets_listed():
    assert "full" in preset_names()


def write(tmp_path, text, name="r.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_routine_file(tmp_path):
    path = write(
        tmp_path,
        'title = "Mine"\n[defaults]\nhold = 20\n'
        '[[steps]]\nstretch = "down dog"\n[[steps]]\nstretch = "lunge"\nhold = 25\n',
    )
    routine = load_routine(path)
    assert routine.title == "Mine"
    assert [(s.stretch.id, s.hold) for s in routine.steps] == [("downward-dog", 20), ("lunge-hamstring", 25)]


@pytest.mark.parametrize(
    "text, message",
    [
        (
            'title = "x"\n[[steps]]\nstretch = "forward bend"\nhold = "thirty"\n',
            r"steps\[0\]\.hold: expected a whole number of seconds, got 'thirty'",
        ),
        (
            'title = "x"\n[[steps]]\nstretch = "forward bend"\nhold = 0\n',
            r"steps\[0\]\.hold: 0 is out of range; use 5 to 300 seconds",
        ),
        (
            'title = "x"\n[[steps]]\nstretch = "forwrd bend"\n',
            r"steps\[0\]\.stretch: no stretch named 'forwrd bend'\. Did you mean: forward-bend",
        ),
        (
            'title = "x"\n[[steps]]\nstretch = "forward bend"\nhodl = 3\n',
            r"steps\[0\]\.hodl: unknown key 'hodl'; did you mean 'hold'\?",
        ),
        ('title = "x"\nsteps = []\n', r"steps: is empty; add at least one step"),
        ('[[steps]]\nstretch = "forward bend"\n', r"title: is missing"),
        ('title = "x"\n[[steps]\n', r"not valid TOML: .*line 2"),
    ],
)
def test_bad_routine_files_name_file_and_field(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=message) as err:
        load_routine(path)
    assert str(err.value).startswith(path)


def test_not_utf8(tmp_path):
    path = tmp_path / "r.toml"
    path.write_bytes(b'title = "\xff\xfe"\n')
    with pytest.raises(InputError, match="not UTF-8"):
        load_routine(str(path))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_routine(str(tmp_path / "nope.toml"))
    with pytest.raises(InputError, match="is a directory"):
        load_routine(str(tmp_path))


def test_unknown_preset_lists_presets():
    with pytest.raises(InputError, match="presets: .*full"):
        load_routine("fulll")


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("r.toml",
         'title = "x"\n[defaults]\nhold = 20\n\n[[steps]]\nstretch = "forward bend"\n\n[[steps]]\nstretch = "lunge"\n'
         'hold = "thirty"\n',
         "r.toml, line 10: steps[1].hold: expected a whole number"),
        ("r.toml", 'title = "x"\n[defaults]\nhold = 0\n[[steps]]\nstretch = "lunge"\n',
         "r.toml, line 3: defaults.hold: 0 is out of range"),
        ("r.toml", 'title = "x"\n[[steps]]\nstretch = "forwrd"\n',
         "r.toml, line 3: steps[0].stretch: no stretch named 'forwrd'"),
        ("r.toml", 'title = "x"\ntypo = 1\n[[steps]]\nstretch = "lunge"\n', "r.toml, line 2: typo: unknown key"),
        ("r.yaml", "title: x\nsteps:\n  - stretch: forward bend\n  - stretch: lunge\n    hold: thirty\n",
         "r.yaml, line 5: steps[1].hold: expected a whole number"),
    ],
)  # fmt: skip
def test_errors_name_the_line_where_the_file_shows_the_field(tmp_path, monkeypatch, name, text, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_routine(name)
    assert str(err.value).startswith(expected), str(err.value)


def test_a_programs_old_rounds_is_read_as_laps_with_a_warning(tmp_path):
    from voiceguide.programs.program import load_program, plan_days

    path = tmp_path / "old.toml"
    path.write_text('title = "Old"\ndays = 2\n[[phases]]\nroutine = "quick"\nhold = 25\nrounds = 2\n', encoding="utf-8")
    program = load_program(str(path))
    (warning,) = program.warnings
    assert "phases[0].rounds' is now called 'laps'" in warning
    days = plan_days(program, datetime.date(2026, 11, 30))
    assert [d.shaped.laps for d in days] == [2, 2]
    assert {s.rounds for d in days for s in d.shaped.steps} == {1}


def test_select_by_target_and_a_target_not_in_the_list(tmp_path):
    path = tmp_path / "hips.toml"
    path.write_text('title = "Hips"\n[select]\ntargets = ["hips"]\n', encoding="utf-8")
    hips = [s.stretch.id for s in load_routine(str(path)).steps]
    assert hips and all("hips" in load_catalog().get(i).targets for i in hips) and "dynamic-hamstring" in hips
    path.write_text('title = "Legs"\n[select]\ntargets = ["hips", "legs"]\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_routine(str(path))
    assert "legs.toml" not in str(err.value) and "select.targets[1]" in str(err.value) and "'legs'" in str(err.value)


def test_presets_that_select_pick_only_hamstring_stretches():
    for name in ("anywhere", "warm-up"):
        assert all("hamstrings" in s.stretch.targets for s in load_routine(name).steps)
    assert "targets" in (REPO / "voiceguide/data/routines/anywhere.toml").read_text(encoding="utf-8")

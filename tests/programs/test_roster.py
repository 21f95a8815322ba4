"""The roster of `voiceguide batch`: CSV and TOML read alike, every bad value one error naming row and field."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from clirun import assert_one_error, run

from voiceguide.errors import InputError
from voiceguide.programs.program import Choices
from voiceguide.programs.roster import load_roster

PROGRAM = 'title = "Week"\ndays = 2\n[[phases]]\nroutine = "quick"\n'


@pytest.fixture
def here(tmp_path: Path) -> Path:
    (tmp_path / "week.toml").write_text(PROGRAM, encoding="utf-8")
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(InputError) as info:
        load_roster(path)
    return str(info.value)


def test_a_csv_roster_reads_every_field(here):
    path = write(
        here,
        "people.csv",
        "id,program,start,at,only,skip,avoid,voice,language\n"
        'ann,week.toml,2026-12-01,06:30,,"wall, seated",kneeling;inversion,,en\n'
        "\n"
        "ben,hamstrings-14-days,,,,,,,\n",
    )
    ann, ben = load_roster(path)
    assert ann.id == "ann" and ann.where == f"{path}, row 2"
    assert ann.program == str(here / "week.toml")  # relative to the roster, not the working folder
    assert ann.start == datetime.date(2026, 12, 1) and ann.at == "06:30"
    assert ann.choices == Choices(skip=("wall", "seated"), avoid=("kneeling", "inversion"), lang="en")
    assert ann.voice is None and ann.language == "en"
    assert ben.language is None and ben.choices.lang is None  # empty: the program's own language
    assert ben.program == "hamstrings-14-days" and ben.start is None and ben.where == f"{path}, row 4"


def test_a_toml_roster_reads_the_same(here):
    path = write(
        here,
        "people.toml",
        '[[person]]\nid = "ann"\nprogram = "week.toml"\nstart = "2026-12-01"\navoid = ["kneeling"]\n'
        '[[person]]\nid = "ben"\n',
    )
    ann, ben = load_roster(path)
    assert ann.program == str(here / "week.toml") and ann.choices.avoid == ("kneeling",)
    assert ben.program is None and ben.where == f"{path}: person[1]"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("id,programme\nann,week.toml\n", ["row 1, column 2", "unknown column 'programme'", "columns: id,"]),
        ("program\nweek.toml\n", ["row 1", "needs an 'id' column"]),
        ("id,start\nann,2026-12-01\nben,2026-13-01\n", ["row 3, column start", "'2026-13-01' is not a date"]),
        ("id,at\nann,25:00\n", ["row 2, column at", "not a time of day"]),
        ("id\nann\nAnn\n", ["row 3, column id", "'Ann' is given twice", "row 2"]),
        ("id\n../ann\n", ["row 2, column id", "is not an id"]),
        ("id,program\nann,\nben,missing.toml\n", ["row 3, column program", "'missing.toml' is no program preset"]),
        ("id,skip\nann,wal\n", ["row 2, column skip", "no stretch named 'wal'"]),
        ("id,avoid\nann,knees\n", ["row 2, column avoid", "'knees' is not one of kneeling"]),
        ("id,language\nann,xx\n", ["row 2, column language", "no language 'xx'", "de (Deutsch)"]),
        ("id,program\nann,week.toml,extra\n", ["row 2", "has 3 cells but the header names 2"]),
        ("id,start\n", ["has nobody in it"]),
        ("", ["is empty"]),
    ],
)
def test_a_bad_csv_row_names_its_row_and_column(here, text, words):
    message = error_of(write(here, "people.csv", text))
    assert message.startswith(str(here / "people.csv"))
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[[person]]\nid = "ann"\n\n[[person]]\nid = "ben"\nstrat = "2026-12-01"\n', ["line 6", "person[1].strat"]),
        ('[[person]]\nid = "ann"\nstart = 2026-12-01\n', ["line 3", "person[0].start", "expected text"]),
        ('[[person]]\nid = "ann"\n[[person]]\nprogram = "week.toml"\n', ["person[1].id", "is missing"]),
        ('[[people]]\nid = "ann"\n', ["unknown key 'people'"]),
    ],
)
def test_a_bad_toml_person_names_its_line_and_key(here, text, words):
    message = error_of(write(here, "people.toml", text))
    for word in words:
        assert word in message, (word, message)


def test_a_roster_of_another_kind_is_refused(here):
    assert "a roster is a .csv or .toml file" in error_of(write(here, "people.txt", "id\nann\n"))


def test_the_command_refuses_a_bad_roster_in_one_line_and_writes_nothing(here):
    path = write(here, "people.csv", "id,start\nann,2026-12-01\nben,yesterday\n")
    out = here / "out"
    line = assert_one_error(run("batch", path, "-o", out, "--engine", "none"), "row 3, column start", "'yesterday'")
    assert line.startswith(f"Error: {path}, row 3")
    assert not out.exists()


def test_a_roster_carries_profiles_and_a_preference_as_program_does(tmp_path):

    (tmp_path / "people.csv").write_text(
        "id,program,profile,prefer\nann,low-back-4-weeks,bad-knee;high-blood-pressure,extension\n", encoding="utf-8"
    )
    person = load_roster(tmp_path / "people.csv")[0]
    assert person.choices.profiles == ("bad-knee", "high-blood-pressure") and person.choices.prefer == "extension"
    (tmp_path / "bad.csv").write_text("id,profile\nbo,pregnant\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv, row 2, column profile.*'pregnant' is not one of bad-knee"):
        load_roster(tmp_path / "bad.csv")

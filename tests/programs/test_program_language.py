"""A program in another language: its file's `lang`, --lang, and the language in every file of the folder.

Folders are rendered with the chimes-only engine (--engine none), as in
test_program_folder.py, and read back with the readers podcast apps and
players use: feedparser and podcastparser (the feed), icalendar (the
calendar), mutagen (the MP3's ID3 tag).
"""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import icalendar
import podcastparser
import pytest
from clirun import assert_one_error, run
from mutagen.id3 import ID3

from voiceguide import language
from voiceguide.errors import InputError
from voiceguide.language import Number
from voiceguide.programs.feed import PODCAST
from voiceguide.programs.folder import MANIFEST, program_language, read_manifest, render_program
from voiceguide.programs.openings import LAST_DAY_OUTRO
from voiceguide.programs.program import Choices, load_program, plan_days
from voiceguide.sound.engines import make_engine

FRIDAY = datetime.date(2026, 11, 27)
SHORT = 'title = "Short"\n[defaults]\nget_ready = 2\n[[steps]]\nstretch = "forward bend"\n[[steps]]\nstretch = "wall"\n'
PROGRAM = """title = "Kurze Woche"
description = "Drei kurze Tage."
LANG
days = 2

[[phases]]
routine = "short.toml"
hold = 5
"""


def write_program(folder: Path, lang: str | None) -> Path:
    (folder / "short.toml").write_text(SHORT, encoding="utf-8")
    path = folder / "week.toml"
    path.write_text(PROGRAM.replace("LANG", f'lang = "{lang}"' if lang else ""), encoding="utf-8")
    return path


def render(program: Path, out: Path, **kw):
    return render_program(str(program), out, make_engine("none"), start=FRIDAY, workers=1, **kw)


def in_german(message: str) -> str:
    with language.speaking("de"):
        return language._(message)


@pytest.fixture(scope="module")
def german(tmp_path_factory) -> Path:
    """A program file that says lang = "de", rendered once."""
    here = tmp_path_factory.mktemp("german")
    out = here / "out"
    render(write_program(here, "de"), out)
    return out


def test_a_program_file_says_its_language_and_every_day_is_spoken_in_it(tmp_path):
    program = load_program(str(write_program(tmp_path, "de")))
    assert program.lang == "de"
    assert program.title == "Kurze Woche"  # the author's words, as written


def test_the_feed_names_the_language_for_feedparser_and_podcastparser(german):
    parsed = feedparser.parse(str(german / "feed.xml"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.language == "de"
    with open(german / "feed.xml", "rb") as f:
        gpodder = podcastparser.parse("http://localhost:8765/feed.xml", f)
    assert gpodder["language"] == "de"
    titles = [e["title"] for e in gpodder["episodes"]]
    day_one = in_german("Day {n} of {total}: {title}").format(n=1, total=2, title="")
    assert any(t.startswith(day_one.strip()) for t in titles), titles
    transcripts = ET.parse(german / "feed.xml").getroot().iter(f"{{{PODCAST}}}transcript")
    assert {t.get("language") for t in transcripts} == {"de"}


def test_the_calendar_says_its_texts_are_german(german):
    cal = icalendar.Calendar.from_ical((german / "calendar.ics").read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(events) == 2
    for event in events:
        assert event["SUMMARY"].params["LANGUAGE"] == "de"
        assert event["DESCRIPTION"].params["LANGUAGE"] == "de"
    assert cal["X-WR-CALNAME"].params["LANGUAGE"] == "de"


def test_every_episode_is_tagged_german(german):
    for day in (1, 2):
        tag = ID3(german / f"day-0{day}.mp3")
        assert tag["TLAN"].text == ["deu"]
        assert {f.lang for f in tag.getall("USLT") + tag.getall("COMM") + tag.getall("SYLT")} == {"deu"}
    manifest = read_manifest(german)
    assert manifest is not None and manifest["lang"] == "de"
    assert "choices" not in manifest  # the file's own language is no choice of the person's


def test_lang_on_the_command_line_wins_and_the_folder_keeps_it(tmp_path):
    program = write_program(tmp_path, "de")
    out = tmp_path / "out"
    result = run("program", program, "-o", out, "--engine", "none", "--start", "2026-11-27", "--lang", "FR")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["lang"] == "fr" and manifest["choices"]["lang"] == "fr"
    assert ID3(out / "day-01.mp3")["TLAN"].text == ["fra"]
    # A rerun without --lang keeps French; a rerun with other filters keeps it too, and rebuilds nothing.
    assert render(program, out).built == []
    again = render(program, out, choices=Choices(skip=("wall",)))
    assert read_manifest(out)["lang"] == "fr"  # type: ignore[index]
    assert read_manifest(out)["choices"] == {  # type: ignore[index]
        "only": [], "skip": ["wall"], "avoid": [], "profile": [], "check_in": True, "lang": "fr",
    }  # fmt: skip
    assert again.built == [1, 2]  # the wall left out: new days, still in French
    assert feedparser.parse(str(out / "feed.xml")).feed.language == "fr"


def test_lang_alone_keeps_the_filters_the_folder_has(tmp_path):
    program = write_program(tmp_path, None)
    out = tmp_path / "out"
    render(program, out, choices=Choices(skip=("wall",)))
    assert read_manifest(out)["lang"] == "en"  # type: ignore[index]
    render(program, out, choices=Choices(lang="es"))
    manifest = read_manifest(out)
    assert manifest is not None and manifest["lang"] == "es"
    assert manifest["choices"]["skip"] == ["wall"] and manifest["choices"]["lang"] == "es"


def test_an_unknown_lang_option_is_one_line_listing_the_languages(tmp_path):
    line = assert_one_error(run("program", "--plan", "--engine", "none", "--lang", "xx"), "--lang", "'xx'")
    for code, known in language.languages().items():
        assert f"{code} ({known.name})" in line


def test_an_unknown_lang_in_a_program_file_names_the_file_and_field(tmp_path):
    program = write_program(tmp_path, "klingon")
    for args in (["--plan"], ["-o", tmp_path / "out"]):
        line = assert_one_error(run("program", program, *args, "--engine", "none"), str(program), "lang", "klingon")
        assert "de (Deutsch)" in line
    assert not (tmp_path / "out").exists()


def test_a_preset_program_is_translated_and_its_plan_says_german_days():
    english, german = load_program("hamstrings-14-days"), load_program("hamstrings-14-days", "de")
    assert german.lang == "de"
    assert german.title == in_german(english.title) != english.title
    assert german.description == in_german(english.description)
    result = run("program", "hamstrings-14-days", "--plan", "--engine", "none", "--lang", "de", "--start", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(german.title + "\n")
    data = json.loads(
        run("program", "hamstrings-14-days", "--plan", "--format", "json", "--engine", "none", "--lang", "de").stdout
    )
    first = in_german("Day {n} of {total}: {title}").format(n=1, total=len(data), title="")
    assert all(d["title"].startswith(first.split(" 1 ")[0]) for d in data), data[0]["title"]
    assert data[0]["title"].startswith(first.strip())


def test_a_day_opens_and_ends_in_the_programs_language():
    days = plan_days(load_program("hamstrings-14-days", "de"), datetime.date(2026, 11, 30))
    assert {d.routine.lang for d in days} == {"de"}
    with language.speaking("de"):  # a voice other than English is given numbers as words
        two, fourteen = str(Number(2)), str(Number(14))
    assert days[1].routine.opening[0] == in_german("Day {n} of {total}.").format(n=two, total=fourteen)
    assert days[-1].routine.opening[0] == in_german("Day {n} of {total}, the last one.").format(
        n=fourteen, total=fourteen
    )
    assert days[0].episode_title.startswith(in_german("Day {n} of {total}: {title}").format(n=1, total=14, title=""))
    assert days[-1].routine.outro == LAST_DAY_OUTRO  # messages, said in German by the timeline


def test_the_voice_is_chosen_for_the_language_the_run_will_speak(tmp_path):
    program = write_program(tmp_path, "de")
    out = tmp_path / "out"
    assert program_language(str(program), out) == "de"  # the file's own
    assert program_language(str(program), out, "es") == "es"  # --lang
    render(program, out, choices=Choices(lang="fr"))
    assert program_language(str(program), out) == "fr"  # the folder's, kept
    assert program_language("hamstrings-14-days", out) == "en"  # another program: not the folder's


def test_an_engine_for_another_language_is_refused_before_anything_is_written(tmp_path):
    class English:
        name, language = "pico", "en"

    out = tmp_path / "out"
    with pytest.raises(InputError, match="spoken in de but the pico engine speaks en"):
        render_program(str(write_program(tmp_path, "de")), out, English(), start=FRIDAY)  # type: ignore[arg-type]
    assert not out.exists()


def test_a_roster_gives_each_person_their_language(tmp_path):
    from voiceguide.programs.batch import read_index

    write_program(tmp_path, None)
    (tmp_path / "people.csv").write_text("id,program,language\nann,week.toml,de\nben,week.toml,\n", encoding="utf-8")
    result = run("batch", tmp_path / "people.csv", "-o", tmp_path / "out", "--engine", "none", "--workers", 1)
    assert result.exit_code == 0, result.stderr
    folders = {row["person"]: tmp_path / "out" / row["folder"] for row in read_index(tmp_path / "out")}
    assert feedparser.parse(str(folders["ann"] / "feed.xml")).feed.language == "de"
    assert feedparser.parse(str(folders["ben"] / "feed.xml")).feed.language == "en"
    assert ID3(folders["ann"] / "day-01.mp3")["TLAN"].text == ["deu"]

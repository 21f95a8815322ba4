"""The folder's language as `voiceguide serve` hands it to the page: page.json's "lang", each session's,
and where the page puts it (the captions track's srclang, the program's words' lang)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from repo import REPO

from voiceguide import language
from voiceguide.errors import InputError
from voiceguide.files.tags import TrackInfo, write_tags
from voiceguide.programs.folder import MANIFEST, render_program
from voiceguide.serve.app import Site
from voiceguide.serve.inventory import Folder, stretches_of
from voiceguide.sound.engines import make_engine

TODAY = datetime.date.today()
SHORT = 'title = "Kurz"\nlang = "LL"\n[defaults]\nget_ready = 2\n[[steps]]\nstretch = "forward bend"\n'
PROGRAM = 'title = "Woche"\ndays = 2\n[[phases]]\nroutine = "short.toml"\nhold = 5\n'
WEB = REPO / "voiceguide" / "serve" / "web"


def program_folder(here: Path, lang: str) -> Path:
    (here / "short.toml").write_text(SHORT.replace("LL", "en"), encoding="utf-8")
    (here / "week.toml").write_text(PROGRAM, encoding="utf-8")
    from voiceguide.programs.program import Choices

    out = here / "out"
    render_program(
        str(here / "week.toml"), out, make_engine("none"), start=TODAY, workers=1, choices=Choices(lang=lang)
    )
    return out


def page(folder: Path) -> dict:
    return Site(Folder(folder), release_all=True)._page(Folder(folder).inventory(), TODAY)


def test_a_program_folders_page_says_its_language(tmp_path):
    data = page(program_folder(tmp_path, "de"))
    assert data["kind"] == "program" and data["lang"] == "de"
    assert {s["lang"] for s in data["sessions"]} == {"de"}
    json.dumps(data)  # what page.json sends


def test_a_manifest_from_before_languages_is_english_and_a_bad_lang_is_refused(tmp_path):
    folder = program_folder(tmp_path, "fr")
    path = folder / MANIFEST
    doc = json.loads(path.read_text(encoding="utf-8"))
    del doc["lang"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert page(folder)["lang"] == "en"
    doc["lang"] = "<script>"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert page(folder)["lang"] == "en"  # not a language tag: the page never gets it
    doc["lang"] = ["de"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError, match="lang: is a list, not text"):
        Folder(folder).inventory()


def test_a_folder_of_mp3s_takes_each_sessions_language_from_its_tlan(tmp_path):
    from voiceguide.files.encode import encode
    from voiceguide.session.pipeline import plan_session
    from voiceguide.words.chapters import chapters_of
    from voiceguide.words.routine import load_routine

    (tmp_path / "short.toml").write_text(SHORT.replace("LL", "es"), encoding="utf-8")
    folder = tmp_path / "served"
    folder.mkdir()
    timeline = plan_session(load_routine(str(tmp_path / "short.toml")), make_engine("none")).timeline
    encode([bytes(2 * 44100 // 5 * 2)], folder / "corto.mp3", "mp3", None)
    write_tags(folder / "corto.mp3", "mp3", timeline, TrackInfo(title="Corto", comment="Made with voiceguide"),
               chapters_of(timeline))  # fmt: skip
    data = page(folder)
    assert data["kind"] == "folder" and data["lang"] == "es"
    assert [s["lang"] for s in data["sessions"]] == ["es"]


def test_stretch_names_are_read_from_chapter_titles_in_the_mp3s_language():
    with language.speaking("de"):
        titles = [language._("Introduction"), language._("Round {n}: {title}").format(n=2, title="Vorbeuge (rechts)")]
        titles.append(language._("Closing"))
    assert stretches_of(titles, "de") == ("Vorbeuge",)
    assert stretches_of(["Introduction", "Round 2: Lunge (left side)", "Closing"]) == ("Lunge",)


def test_the_page_puts_the_language_on_the_captions_and_the_programs_words():
    script = (WEB / "app.js").read_text(encoding="utf-8")
    assert "srclang: this.lang" in script and 'srclang: "en"' not in script
    assert '$("title").lang = data.lang' in script
    assert '<html lang="en">' in (WEB / "index.html").read_text(encoding="utf-8")  # the page's own words

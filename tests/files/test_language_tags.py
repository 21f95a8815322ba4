"""The timeline's language in the files written from it: ID3 (TLAN, COMM, USLT, SYLT), Vorbis comments,
the WebVTT chime captions; read back with mutagen and the standard library."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from mutagen.id3 import ID3
from timing_rules import CHIME_LENGTHS

from voiceguide import language
from voiceguide.files import sidecars
from voiceguide.files.encode import encode
from voiceguide.files.tags import LANGUAGE, TrackInfo, iso639_2, track_info, vorbis_comments, write_tags
from voiceguide.words.chapters import chapters_of
from voiceguide.words.routine import Routine, Step
from voiceguide.words.timeline import CHIME, build_timeline
from voiceguide.words.translated import catalog_in

INFO = TrackInfo(title="Morgendehnung", comment="Made with voiceguide")


def timeline_in(code: str):
    catalog = catalog_in(code)
    steps = tuple(
        Step(stretch=catalog.get(i), hold=10, reps=1, get_ready=3) for i in ("forward-bend", "lunge-hamstring")
    )
    routine = Routine(title="Test", steps=steps, intro=("Hallo.",), outro=("Gut gemacht.",), lang=code)
    return build_timeline(routine, lambda text: 0.2 + 0.061 * len(text), CHIME_LENGTHS)


@pytest.fixture(scope="module")
def german():
    return timeline_in("de")


def test_an_mp3_of_a_german_timeline_says_german_in_every_frame(tmp_path: Path, german):
    path = tmp_path / "kurz.mp3"
    encode([bytes(2 * 44100 // 5 * 2)], path, "mp3", None)  # a fifth of a second of silence
    write_tags(path, "mp3", german, INFO, chapters_of(german))
    tag = ID3(path)
    assert tag["TLAN"].text == ["deu"]
    assert [f.lang for f in tag.getall("COMM")] == ["deu"]
    assert [f.lang for f in tag.getall("USLT")] == ["deu"]
    assert [f.lang for f in tag.getall("SYLT")] == ["deu"]
    with language.speaking("de"):
        assert language._("Introduction") in [c.sub_frames["TIT2"].text[0] for c in tag.getall("CHAP")]


@pytest.mark.parametrize("code", sorted(language.languages()))
def test_every_language_has_its_iso_639_2_code(code):
    timeline = timeline_in(code)
    assert iso639_2(timeline) == language.info(code).iso639_2
    assert ("LANGUAGE", code) in vorbis_comments(timeline, INFO)


def test_a_timeline_in_a_language_voiceguide_does_not_know_is_tagged_english(german):
    assert iso639_2(dataclasses.replace(german, lang="tlh")) == LANGUAGE == "eng"
    assert track_info(dataclasses.replace(german, lang="tlh")).comment.startswith("Made with voiceguide ")


def test_the_default_comment_is_in_the_timelines_language(german):
    assert track_info(german).comment.startswith("Erstellt mit voiceguide ")
    assert track_info(timeline_in("fr")).comment.startswith("Créé avec voiceguide ")


def test_the_webvtt_header_stays_exact_and_the_chime_captions_are_translated(tmp_path: Path, german):
    """A pseudo-language whose chime words are marked: the captions are said in the timeline's language."""
    po = Catalog(locale="en", charset="utf-8")
    po.add("[chime: {what}]", "[GONG: {what}]")
    po.add("hold begins", "HALTEN")
    (tmp_path / "qch" / "LC_MESSAGES").mkdir(parents=True)
    with (tmp_path / "qch" / "LC_MESSAGES" / "voiceguide.mo").open("wb") as f:
        write_mo(f, po)
    sides = language.info("en").sides
    language.add(language.Language("qch", "Chimes", "qch", sides), tmp_path)
    try:
        text = sidecars.vtt(dataclasses.replace(german, lang="qch"))
    finally:
        language.remove("qch")
    assert text.startswith("WEBVTT\n\n")  # nothing after the magic: WebVTT's header holds no "Language:" line
    assert "[GONG: HALTEN]" in text
    chimes = [e for e in german.events if e.kind == CHIME]
    assert text.count("[GONG: ") == len(chimes)
    assert sidecars.vtt(german).startswith("WEBVTT\n\n")


def test_the_chapters_json_keeps_to_the_podcasting_keys(german):
    doc = json.loads(sidecars.podcast_chapters_json(german, chapters_of(german)))
    assert set(doc) == {"version", "title", "chapters"}

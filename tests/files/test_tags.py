"""Tags written with mutagen and read back with mutagen: ID3v2.4 (text frames,
USLT, SYLT, CHAP/CTOC, APIC), Vorbis comments and MP4 atoms."""

from __future__ import annotations

import base64
import datetime
from pathlib import Path

import pytest
from mutagen.flac import Picture
from mutagen.id3 import ID3, CTOCFlags, PictureType
from timing_rules import CHIME_LENGTHS

from voiceguide import __version__
from voiceguide.errors import EnvironmentFailure
from voiceguide.files.cover import Cover, cover_png
from voiceguide.files.encode import encode
from voiceguide.files.tags import (
    TrackInfo,
    chapter_clock,
    flac_picture,
    track_info,
    vorbis_comments,
    write_id3,
    write_tags,
)
from voiceguide.words.catalog import load_catalog
from voiceguide.words.chapters import chapters_of, script_lines
from voiceguide.words.routine import Routine, Step
from voiceguide.words.timeline import SPEECH, build_timeline

INFO = TrackInfo(
    title="Morning stretch", artist="Ann Example", album="Back care", date="2025-06-30", comment="Made with voiceguide"
)


@pytest.fixture(scope="module")
def timeline():
    catalog = load_catalog()
    steps = tuple(
        Step(stretch=catalog.get(i), hold=10, reps=1, get_ready=3)
        for i in ("lunge-hamstring", "forward-bend", "dynamic-hamstring")
    )
    routine = Routine(title="Test routine", steps=steps, intro=("Welcome.",), outro=("Well done.",))
    return build_timeline(routine, lambda text: 0.2 + 0.061 * len(text), CHIME_LENGTHS)


@pytest.fixture(scope="module")
def cover():
    return Cover(cover_png("Morning stretch", ["Forward Bend"], size=600), "image/png")


def spoken(timeline):
    return [e for e in timeline.events if e.kind == SPEECH]


# -- what goes in ---------------------------------------------------------------


def test_track_info_defaults_and_overrides(timeline):
    info = track_info(timeline)
    assert (info.title, info.artist, info.album, info.genre) == ("Test routine", "voiceguide", "Test routine", "Speech")
    assert info.date == datetime.date.today().isoformat()
    assert info.comment == f"Made with voiceguide {__version__}"
    given = track_info(timeline, title="Mine", artist="Me", album="Series", date="2024", comment="")
    assert (given.title, given.artist, given.album, given.date, given.comment) == ("Mine", "Me", "Series", "2024", "")
    assert track_info(timeline, title="Mine").album == "Mine"


def test_ffmpeg_tags_leave_out_what_is_empty():
    assert TrackInfo(title="T", track=(2, 9)).ffmpeg_tags() == {
        "title": "T",
        "artist": "voiceguide",
        "album_artist": "voiceguide",
        "album": "T",
        "genre": "Speech",
        "track": "2/9",
    }


@pytest.mark.parametrize("seconds, text", [(0, "00:00:00.000"), (61.5, "00:01:01.500"), (3725.007, "01:02:05.007")])
def test_chapter_clock(seconds, text):
    assert chapter_clock(seconds) == text


def test_vorbis_comments(timeline, cover):
    chapters = chapters_of(timeline)
    pairs = vorbis_comments(timeline, INFO, chapters, cover)
    tags = dict(pairs)
    assert tags["TITLE"] == "Morning stretch" and tags["ALBUM"] == "Back care" and tags["DATE"] == "2025-06-30"
    assert tags["DESCRIPTION"] == tags["COMMENT"] == "Made with voiceguide"
    assert tags["LYRICS"] == script_lines(timeline, chapters)
    for n, chapter in enumerate(chapters, 1):
        assert tags[f"CHAPTER{n:03d}"] == chapter_clock(chapter.start)
        assert tags[f"CHAPTER{n:03d}NAME"] == chapter.title
    assert f"CHAPTER{len(chapters) + 1:03d}" not in tags
    picture = Picture(base64.b64decode(tags["METADATA_BLOCK_PICTURE"]))
    assert (picture.type, picture.mime, picture.width, picture.height, picture.data) == (
        3,
        "image/png",
        600,
        600,
        cover.data,
    )


def test_flac_picture_of_a_jpeg_without_a_size_still_encodes():
    picture = Picture(base64.b64decode(flac_picture(Cover(b"\xff\xd8\xff\xe0", "image/jpeg"))))
    assert (picture.mime, picture.width, picture.height) == ("image/jpeg", 0, 0)


# -- ID3 --------------------------------------------------------------------------


def id3_frame_ids(path: Path) -> list[str]:
    """The frames of an ID3v2.4 tag in file order, with CHAP element ids: ['TIT2', ..., 'CHAP:chp0']."""
    data = path.read_bytes()
    assert data[:3] == b"ID3" and data[3] == 4

    def syncsafe(b: bytes) -> int:
        return b[0] << 21 | b[1] << 14 | b[2] << 7 | b[3]

    end, pos, ids = 10 + syncsafe(data[6:10]), 10, []
    while pos + 10 <= end and data[pos : pos + 4].strip(b"\0"):
        frame, size = data[pos : pos + 4].decode(), syncsafe(data[pos + 4 : pos + 8])
        if frame == "CHAP":
            frame += ":" + data[pos + 10 : pos + 10 + size].split(b"\0", 1)[0].decode()
        ids.append(frame)
        pos += 10 + size
    return ids


def test_id3_round_trip(tmp_path, timeline, cover):
    path = tmp_path / "tagged.mp3"
    path.write_bytes(b"")  # mutagen puts an ID3 tag in front of any file
    chapters = chapters_of(timeline)
    write_id3(path, timeline, INFO, chapters, cover)
    tag = ID3(path)
    assert tag.version == (2, 4, 0)
    assert tag["TIT2"].text == ["Morning stretch"]
    assert tag["TPE1"].text == tag["TPE2"].text == ["Ann Example"]
    assert tag["TALB"].text == ["Back care"]
    assert tag["TCON"].text == ["Speech"]
    assert str(tag["TDRC"].text[0]) == "2025-06-30"
    assert tag["TLEN"].text == [str(round(timeline.duration * 1000))]
    assert "TRCK" not in tag
    (comm,) = tag.getall("COMM")
    assert (comm.lang, comm.text) == ("eng", ["Made with voiceguide"])
    (uslt,) = tag.getall("USLT")
    assert uslt.text == script_lines(timeline, chapters)
    assert all(e.text in uslt.text for e in spoken(timeline))
    (sylt,) = tag.getall("SYLT")
    assert (sylt.format, sylt.type, sylt.lang) == (2, 1, "eng")  # milliseconds, lyrics
    assert sylt.text == [(e.text, round(e.start * 1000)) for e in spoken(timeline)]
    chaps = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.element_id, c.start_time, c.end_time, c.sub_frames["TIT2"].text) for c in chaps] == [
        (f"chp{i}", round(ch.start * 1000), round(ch.end * 1000), [ch.title]) for i, ch in enumerate(chapters)
    ]
    (toc,) = tag.getall("CTOC")
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    assert toc.child_element_ids == [f"chp{i}" for i in range(len(chapters))]
    assert toc.sub_frames["TIT2"].text == ["Morning stretch"]
    (apic,) = tag.getall("APIC")
    assert (apic.mime, apic.type, apic.data) == ("image/png", PictureType.COVER_FRONT, cover.data)
    # ffmpeg lists chapters in the order of their frames: they come in time order.
    ids = id3_frame_ids(path)
    assert [i for i in ids if i.startswith("CHAP")] == [f"CHAP:chp{i}" for i in range(len(chapters))]


def test_id3_of_a_split_track_has_its_number(tmp_path, timeline):
    path = tmp_path / "track.mp3"
    path.write_bytes(b"")
    write_id3(path, timeline, TrackInfo(title="Forward Bend", album="Back care", track=(4, 6)))
    tag = ID3(path)
    assert tag["TRCK"].text == ["4/6"] and tag["TALB"].text == ["Back care"]
    assert not tag.getall("CHAP") and not tag.getall("CTOC") and not tag.getall("APIC")
    assert not tag.getall("TDRC")


def test_a_file_mutagen_cannot_tag_is_an_environment_failure(tmp_path, timeline):
    path = tmp_path / "not.ogg"
    path.write_bytes(b"this is no ogg file")
    with pytest.raises(EnvironmentFailure, match="could not write the tags of not.ogg"):
        write_tags(path, "ogg", timeline, INFO)


# -- every container, on real (short) encoded files ------------------------------

SILENCE = bytes(2 * 44100 * 2)  # two seconds


def encoded(tmp_path: Path, fmt: str, tags=None) -> Path:
    path = tmp_path / f"short.{fmt}"
    encode([SILENCE], path, fmt, tags)
    return path


@pytest.mark.slow
def test_id3_replaces_the_tag_ffmpeg_wrote(tmp_path, timeline, cover):
    path = encoded(tmp_path, "mp3", {"title": "ffmpeg's", "comment": "old"})
    assert "TXXX:comment" in ID3(path)
    write_tags(path, "mp3", timeline, INFO, chapters_of(timeline), cover)
    tag = ID3(path)
    assert tag["TIT2"].text == ["Morning stretch"]
    assert not tag.getall("TXXX") and len(tag.getall("APIC")) == 1


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["opus", "ogg"])
def test_vorbis_comment_round_trip(tmp_path, timeline, cover, fmt):
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    path = encoded(tmp_path, fmt, {"title": "ffmpeg's"})
    chapters = chapters_of(timeline)
    write_tags(path, fmt, timeline, INFO, chapters, cover)
    audio = (OggOpus if fmt == "opus" else OggVorbis)(path)
    pairs = list(audio.tags)
    assert [k for k, _ in pairs if k.lower() == "title"] == ["TITLE"], "ffmpeg's title is replaced, not doubled"
    assert any(k.lower() == "encoder" for k, _ in pairs)
    assert [(k, v) for k, v in pairs if k.lower() != "encoder"] == vorbis_comments(timeline, INFO, chapters, cover)


@pytest.mark.slow
@pytest.mark.parametrize("fmt, kind", [("m4b", 2), ("m4a", None)])
def test_mp4_round_trip(tmp_path, timeline, cover, fmt, kind):
    from mutagen.mp4 import MP4, MP4Cover

    path = encoded(tmp_path, fmt)
    chapters = chapters_of(timeline)
    write_tags(path, fmt, timeline, INFO, chapters, cover)
    tags = MP4(path).tags
    assert tags["\xa9nam"] == ["Morning stretch"] and tags["\xa9ART"] == tags["aART"] == ["Ann Example"]
    assert tags["\xa9alb"] == ["Back care"] and tags["\xa9gen"] == ["Speech"] and tags["\xa9day"] == ["2025-06-30"]
    assert tags["\xa9cmt"] == ["Made with voiceguide"]
    assert tags["\xa9lyr"] == [script_lines(timeline, chapters)]
    assert tags.get("stik") == ([kind] if kind else None)
    (art,) = tags["covr"]
    assert bytes(art) == cover.data and art.imageformat == MP4Cover.FORMAT_PNG


@pytest.mark.slow
def test_wav_carries_an_id3_chunk(tmp_path, timeline, cover):
    from mutagen.wave import WAVE

    path = encoded(tmp_path, "wav")
    chapters = chapters_of(timeline)
    write_tags(path, "wav", timeline, INFO, chapters, cover)
    tag = WAVE(path).tags
    assert tag["TIT2"].text == ["Morning stretch"]
    assert len(tag.getall("CHAP")) == len(chapters) and tag.getall("SYLT") and tag.getall("APIC")
    # The audio is untouched: still two seconds of 16-bit mono.
    assert WAVE(path).info.length == pytest.approx(2.0, abs=1e-6)

"""Tags inside the audio file, written with mutagen after ffmpeg has encoded it.

Every container gets the same facts, each in its own dialect:

- MP3 (and an "id3 " chunk in WAV): ID3v2.4 with TIT2, TPE1, TPE2, TALB, TCON,
  TDRC, COMM, TLEN, TRCK, TLAN, the whole script as USLT, every spoken cue as SYLT
  (millisecond stamps), one CHAP per chapter (with a TIT2 sub-frame) under a
  top-level ordered CTOC, and the cover as APIC;
- Ogg Opus and Ogg Vorbis: Vorbis comments (LANGUAGE among them), chapters as CHAPTER001=HH:MM:SS.mmm
  and CHAPTER001NAME, lyrics as LYRICS, the cover as METADATA_BLOCK_PICTURE;
- MP4 audiobook (m4b/m4a): iTunes atoms (©nam, ©ART, aART, ©alb, ©gen, ©day,
  ©cmt, ©lyr, covr, stik); its chapters are written by ffmpeg while encoding
  (see export.py) and survive this rewrite.

Call `write_tags` on the finished (temporary) file before it is renamed into place.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from mutagen import MutagenError
from mutagen.flac import Picture
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    SYLT,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TLEN,
    TPE1,
    TPE2,
    TRCK,
    USLT,
    CTOCFlags,
    Encoding,
    PictureType,
)
from mutagen.mp4 import MP4, MP4Cover, MP4Tags
from mutagen.ogg import OggFileType
from mutagen.oggopus import OggOpus, OggOpusVComment
from mutagen.oggvorbis import OggVCommentDict, OggVorbis
from mutagen.wave import WAVE

from voiceguide import __version__, language
from voiceguide.audio import ms as _ms
from voiceguide.clock import vtt_stamp
from voiceguide.errors import EnvironmentFailure
from voiceguide.files.cover import Cover
from voiceguide.words.chapters import Chapter, script_lines
from voiceguide.words.timeline import Timeline

DEFAULT_ARTIST = "voiceguide"
DEFAULT_GENRE = "Speech"
LANGUAGE = "eng"  # ISO 639-2 (TLAN, COMM, USLT, SYLT) of a timeline in a language voiceguide does not know
TOC_ID = "toc"


@dataclass(frozen=True)
class TrackInfo:
    """What a player shows about the file. An empty album means the title."""

    title: str
    artist: str = DEFAULT_ARTIST
    album: str = ""
    genre: str = DEFAULT_GENRE
    date: str = ""  # ISO 8601: 2025, 2025-06 or 2025-06-30; empty for none
    comment: str = ""
    track: tuple[int, int] | None = None  # (number, total) for split tracks

    @property
    def album_name(self) -> str:
        return self.album or self.title

    def ffmpeg_tags(self) -> dict[str, str]:
        """The same facts as ffmpeg metadata keys, for containers ffmpeg tags itself (WAV INFO)."""
        tags = {
            "title": self.title,
            "artist": self.artist,
            "album_artist": self.artist,
            "album": self.album_name,
            "genre": self.genre,
            "date": self.date,
            "comment": self.comment,
        }
        if self.track:
            tags["track"] = f"{self.track[0]}/{self.track[1]}"
        return {k: v for k, v in tags.items() if v}


def track_info(
    timeline: Timeline,
    title: str | None = None,
    artist: str | None = None,
    album: str | None = None,
    date: str | None = None,
    comment: str | None = None,
) -> TrackInfo:
    """The tags of a session: what is given, else the routine's title, voiceguide, today."""
    title = title or timeline.title
    return TrackInfo(
        title=title,
        artist=artist or DEFAULT_ARTIST,
        album=album or title,
        date=date if date is not None else datetime.date.today().isoformat(),
        comment=comment if comment is not None else _made_with(timeline.lang),
    )


def _made_with(lang: str) -> str:
    with language.speaking(lang if lang in language.languages() else language.ENGLISH):
        return language._("Made with voiceguide {version}").format(version=__version__)


def write_tags(
    path: Path,
    fmt: str,
    timeline: Timeline,
    info: TrackInfo,
    chapters: Sequence[Chapter] = (),
    cover: Cover | None = None,
) -> None:
    """Tag an encoded file of format `fmt` (see export.FORMATS) in place."""
    try:
        if fmt == "mp3":
            write_id3(path, timeline, info, chapters, cover)
        elif fmt == "wav":
            write_wav_id3(path, timeline, info, chapters, cover)
        elif fmt in ("opus", "ogg"):
            write_vorbis_tags(path, timeline, info, chapters, cover, opus=fmt == "opus")
        elif fmt in ("m4b", "m4a"):
            write_mp4_tags(path, timeline, info, chapters, cover, audiobook=fmt == "m4b")
        else:
            raise ValueError(f"no tag writer for the format {fmt!r}")
    except (MutagenError, OSError) as exc:
        raise EnvironmentFailure(f"could not write the tags of {Path(path).name}: {exc}") from None


# -- ID3 ------------------------------------------------------------------


def iso639_2(timeline: Timeline) -> str:
    """The timeline's language as ID3 names it: "deu" (voiceguide/language.py)."""
    known = language.languages().get(timeline.lang)
    return known.iso639_2 if known else LANGUAGE


def id3_tag(timeline: Timeline, info: TrackInfo, chapters: Sequence[Chapter] = (), cover: Cover | None = None) -> ID3:
    """A complete ID3v2.4 tag for the session (a mutagen.id3.ID3, not yet saved)."""
    utf8 = Encoding.UTF8
    lang = iso639_2(timeline)
    tag = ID3()
    tag.add(TIT2(encoding=utf8, text=[info.title]))
    tag.add(TPE1(encoding=utf8, text=[info.artist]))
    tag.add(TPE2(encoding=utf8, text=[info.artist]))
    tag.add(TALB(encoding=utf8, text=[info.album_name]))
    tag.add(TCON(encoding=utf8, text=[info.genre]))
    if info.date:
        tag.add(TDRC(encoding=utf8, text=[info.date]))
    if info.comment:
        tag.add(COMM(encoding=utf8, lang=lang, desc="", text=[info.comment]))
    if info.track:
        tag.add(TRCK(encoding=utf8, text=[f"{info.track[0]}/{info.track[1]}"]))
    tag.add(TLEN(encoding=utf8, text=[str(_ms(timeline.duration))]))
    tag.add(TLAN(encoding=utf8, text=[lang]))
    tag.add(USLT(encoding=utf8, lang=lang, desc="", text=script_lines(timeline, chapters)))
    synced = [(" ".join((e.text or "").split()), _ms(e.start)) for e in timeline.speech]
    tag.add(SYLT(encoding=utf8, lang=lang, format=2, type=1, desc="", text=synced))  # format 2: milliseconds
    ids = [f"chp{i}" for i in range(len(chapters))]
    for element_id, chapter in zip(ids, chapters, strict=False):
        tag.add(
            CHAP(
                element_id=element_id,
                start_time=_ms(chapter.start),
                end_time=_ms(chapter.end),
                sub_frames=[TIT2(encoding=utf8, text=[chapter.title])],
            )
        )
    if ids:
        tag.add(
            CTOC(
                element_id=TOC_ID,
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=utf8, text=[info.title])],
            )
        )
    if cover is not None:
        tag.add(APIC(encoding=utf8, mime=cover.mime, type=PictureType.COVER_FRONT, desc="Cover", data=cover.data))
    return tag


def write_id3(
    path: Path, timeline: Timeline, info: TrackInfo, chapters: Sequence[Chapter] = (), cover: Cover | None = None
) -> None:
    """Replace an MP3's ID3 tag (ffmpeg's) with the complete one."""
    tag = id3_tag(timeline, info, chapters, cover)
    _chapters_in_order(tag)
    tag.save(str(path), v2_version=4, v1=0)


def write_wav_id3(
    path: Path, timeline: Timeline, info: TrackInfo, chapters: Sequence[Chapter] = (), cover: Cover | None = None
) -> None:
    """Add the ID3 tag as a WAV "id3 " chunk, beside the INFO list ffmpeg wrote."""
    wav = WAVE(str(path))
    if wav.tags is None:
        wav.add_tags()
    tags = cast(ID3, wav.tags)  # mutagen declares FileType.tags as None
    tags.clear()
    for frame in id3_tag(timeline, info, chapters, cover).values():
        tags.add(frame)
    _chapters_in_order(tags)
    wav.save(v2_version=4)


def _chapters_in_order(tag: ID3) -> None:
    """Make `tag` write its CHAP frames last and in time order.

    mutagen orders frames by size, and ffmpeg (and the players built on it)
    lists chapters in the order their frames come, not by the CTOC. This hooks
    mutagen's frame writer (`ID3Tags._write` and `save_frame`, internal names
    that mutagen 1.47 and 1.48 have); without them the tag is still valid,
    its CHAP frames merely in mutagen's order. test_tags.py checks the order.
    """
    try:
        from mutagen.id3._tags import save_frame
    except ImportError:  # pragma: no cover - a mutagen without the internals
        return
    write = getattr(tag, "_write", None)
    if write is None:  # pragma: no cover
        return

    def ordered(config: object) -> bytes:  # config: mutagen's ID3SaveConfig, passed through
        chaps = sorted(tag.getall("CHAP"), key=lambda c: (c.start_time, c.element_id))
        tag.delall("CHAP")
        try:
            data: bytes = write(config)
        finally:
            for chap in chaps:
                tag.add(chap)
        return data + b"".join(save_frame(chap, config=config) for chap in chaps)

    tag._write = ordered  # type: ignore[method-assign]  # the hook on mutagen's frame writer, this tag only


# -- Vorbis comments ------------------------------------------------------


def vorbis_comments(
    timeline: Timeline, info: TrackInfo, chapters: Sequence[Chapter] = (), cover: Cover | None = None
) -> list[tuple[str, str]]:
    """The Vorbis comments of the session, in order."""
    pairs = [
        ("TITLE", info.title),
        ("ARTIST", info.artist),
        ("ALBUMARTIST", info.artist),
        ("ALBUM", info.album_name),
        ("GENRE", info.genre),
    ]
    if info.date:
        pairs.append(("DATE", info.date))
    if info.comment:
        pairs += [("DESCRIPTION", info.comment), ("COMMENT", info.comment)]
    if info.track:
        pairs += [("TRACKNUMBER", str(info.track[0])), ("TRACKTOTAL", str(info.track[1]))]
    pairs.append(("LANGUAGE", timeline.lang))  # the Xiph recommendation: a language code, as in the feed
    pairs.append(("LYRICS", script_lines(timeline, chapters)))
    for n, chapter in enumerate(chapters, 1):  # the Xiph chapter extension numbers from 001
        pairs += [(f"CHAPTER{n:03d}", chapter_clock(chapter.start)), (f"CHAPTER{n:03d}NAME", chapter.title)]
    if cover is not None:
        pairs.append(("METADATA_BLOCK_PICTURE", flac_picture(cover)))
    return [(k, v) for k, v in pairs if v]


# HH:MM:SS.mmm, as the Vorbis chapter extension writes times: WebVTT's format.
chapter_clock = vtt_stamp


def flac_picture(cover: Cover) -> str:
    """The cover as a base64 FLAC picture block, the Vorbis comment way to carry art."""
    picture = Picture()
    picture.type = 3  # front cover
    picture.mime = cover.mime
    picture.desc = "Cover"
    picture.width, picture.height = cover.size
    picture.depth = 24
    picture.data = cover.data
    return base64.b64encode(picture.write()).decode("ascii")


def write_vorbis_tags(
    path: Path,
    timeline: Timeline,
    info: TrackInfo,
    chapters: Sequence[Chapter] = (),
    cover: Cover | None = None,
    opus: bool = True,
) -> None:
    """Replace the comments of an Ogg Opus (or, opus=False, Ogg Vorbis) file; the encoder's name stays."""
    audio: OggFileType = (OggOpus if opus else OggVorbis)(str(path))
    if audio.tags is None:
        audio.add_tags()
    tags = cast("OggOpusVComment | OggVCommentDict", audio.tags)  # mutagen declares FileType.tags as None
    kept = [(k, v) for k, v in tags if k.lower() == "encoder"]
    tags.clear()
    tags.extend(kept + vorbis_comments(timeline, info, chapters, cover))
    audio.save()


# -- MP4 ------------------------------------------------------------------


def write_mp4_tags(
    path: Path,
    timeline: Timeline,
    info: TrackInfo,
    chapters: Sequence[Chapter] = (),
    cover: Cover | None = None,
    audiobook: bool = True,
) -> None:
    """iTunes-style atoms on an MP4 audio file; ffmpeg's chapter track is left as it is."""
    audio = MP4(str(path))
    if audio.tags is None:
        audio.add_tags()
    tags = cast(MP4Tags, audio.tags)  # mutagen declares FileType.tags as None
    tags["\xa9nam"] = [info.title]
    tags["\xa9ART"] = [info.artist]
    tags["aART"] = [info.artist]
    tags["\xa9alb"] = [info.album_name]
    tags["\xa9gen"] = [info.genre]
    if info.date:
        tags["\xa9day"] = [info.date]
    if info.comment:
        tags["\xa9cmt"] = [info.comment]
    if info.track:
        tags["trkn"] = [info.track]
    tags["\xa9lyr"] = [script_lines(timeline, chapters)]
    if audiobook:
        tags["stik"] = [2]  # media kind: audiobook
    if cover is not None:
        kind = MP4Cover.FORMAT_PNG if cover.mime == "image/png" else MP4Cover.FORMAT_JPEG
        tags["covr"] = [MP4Cover(cover.data, imageformat=kind)]
    audio.save()

"""What `voiceguide serve` may serve from a folder: voiceguide's own files and nothing else.

Two kinds of folder (docs/program-folder.md describes the first):

- a program folder: `voiceguide-program.json` lists every file voiceguide owns
  there (the folder-level files and each episode's audio, chapters and
  transcript); only those are served, the manifest itself is not;
- any other folder: the MP3s voiceguide made (their ID3 comment says
  "Made with voiceguide", see tags.track_info), the sidecars beside them with
  the same stem (.vtt, .chapters.json, .lrc) and the split tracks of a
  playlist.m3u8 (export.split_tracks) in the folder or a subfolder.

Served names are plain relative names ("day-01.mp3", "tracks/01 Intro.mp3");
a request is answered only when its path is one of them, so nothing outside
this list (dotfiles, other files, parent folders) can be named at all. Each
file is resolved again when it is served and refused if it now leads out of
the folder or is not a regular file.
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import os
import re
import stat
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voiceguide import language
from voiceguide.errors import InputError
from voiceguide.serve.manifestcheck import is_plain_name, load_manifest
from voiceguide.words.chapters import CLOSING, INTRODUCTION

MANIFEST = "voiceguide-program.json"
PLAYLIST = "playlist.m3u8"  # export.PLAYLIST, without importing the encoder
MARKER = "Made with voiceguide"  # the start of the COMM frame tags.track_info writes
SIDECARS = {"transcript": ".vtt", "chapters": ".chapters.json", "lyrics": ".lrc"}
SIDECAR_LIMIT = 4 * 1024 * 1024  # a sidecar is text of a few kB; anything bigger is not ours
RECHECK_SECONDS = 0.5  # how stale the inventory may be while files are being rebuilt
PICTURE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")  # a BCP 47 tag, as <html lang> and srclang take it


@dataclass(frozen=True)
class Session:
    """One playable session (or program day) as the page lists it."""

    audio: str  # served name of the MP3
    title: str
    seconds: float
    stretches: tuple[str, ...]
    chapters: str | None = None
    transcript: str | None = None
    lyrics: str | None = None
    has_art: bool = False  # the MP3 carries a cover (APIC)
    day: int | None = None
    date: datetime.date | None = None
    guid: str | None = None
    lang: str | None = None  # the language it is spoken in ("de"); None: not known


@dataclass(frozen=True)
class Playlist:
    """Split tracks (export.split_tracks) and their playlist."""

    url: str
    title: str
    tracks: tuple[tuple[str, str], ...]  # (served name, title)


@dataclass(frozen=True)
class Program:
    """The folder-level facts of a program folder's manifest."""

    title: str
    description: str
    base_url: str
    generator: str
    feed: str | None
    calendar: str | None
    cover: str | None
    lang: str = language.ENGLISH  # the manifest's "lang": the program's language


@dataclass(frozen=True)
class Inventory:
    root: Path  # resolved
    files: Mapping[str, Path]  # served name -> path inside root
    sessions: tuple[Session, ...] = ()
    playlists: tuple[Playlist, ...] = ()
    program: Program | None = None

    def path_of(self, name: str) -> tuple[Path, os.stat_result] | None:
        """The file behind a served name, checked now: inside the folder and a regular file."""
        path = self.files.get(name)
        if path is None:
            return None
        return regular_file_inside(path, self.root)

    def session(self, audio: str) -> Session | None:
        return next((s for s in self.sessions if s.audio == audio), None)


def regular_file_inside(path: Path, root: Path) -> tuple[Path, os.stat_result] | None:
    """`path` resolved (symlinks followed) with its stat, if it is a regular file inside `root`."""
    try:
        real = path.resolve(strict=True)
        st = real.stat()
    except (OSError, RuntimeError):  # missing, a symlink loop
        return None
    if not real.is_relative_to(root) or not stat.S_ISREG(st.st_mode):
        return None
    return real, st


# -- MP3 facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mp3Facts:
    voiceguide: bool
    title: str
    seconds: float
    chapters: tuple[str, ...]  # chapter titles in time order
    has_art: bool
    lang: str | None = None  # from TLAN ("deu" -> "de"); None: not a language voiceguide speaks


def read_mp3_facts(path: Path) -> Mp3Facts | None:
    """The tags voiceguide wrote into an MP3, or None when it is not an MP3 mutagen can read."""
    from mutagen import MutagenError
    from mutagen.mp3 import MP3

    try:
        audio: Any = MP3(str(path))
    except (MutagenError, OSError):
        return None
    tags = audio.tags
    if tags is None:
        return Mp3Facts(False, path.stem, float(audio.info.length), (), False)
    lang = language_of_tlan(str(tags["TLAN"].text[0]) if "TLAN" in tags and tags["TLAN"].text else "")
    comments = [str(text) for frame in tags.getall("COMM") for text in frame.text]
    title = str(tags["TIT2"].text[0]) if "TIT2" in tags and tags["TIT2"].text else path.stem
    chaps = sorted(tags.getall("CHAP"), key=lambda c: (c.start_time, c.element_id))
    titles = tuple(str(c.sub_frames["TIT2"].text[0]) for c in chaps if "TIT2" in c.sub_frames)
    return Mp3Facts(
        voiceguide=any(c.startswith(MARKER) for c in comments),
        title=title,
        seconds=float(audio.info.length),
        chapters=titles,
        has_art=_front_picture(tags) is not None,
        lang=lang,
    )


def language_of_tlan(tlan: str) -> str | None:
    """The language code of an ID3 TLAN ("deu" -> "de", what files/tags.py writes); None for others."""
    return next((code for code, known in language.languages().items() if known.iso639_2 == tlan.strip()), None)


def language_tag(value: object) -> str:
    """A manifest's "lang" as a page may use it: a BCP 47 tag, else English."""
    return value if isinstance(value, str) and LANGUAGE_TAG.fullmatch(value) else language.ENGLISH


def picture_type(data: bytes) -> str | None:
    """The image type `data` is, read from its first bytes: PNG or JPEG, else None.

    The MIME type an MP3's APIC frame claims is whatever its writer put there
    (text/html, image/svg+xml); only the bytes decide what is served.
    """
    return next((kind for magic, kind in PICTURE_MAGIC if data.startswith(magic)), None)


def _front_picture(tags: Any) -> tuple[bytes, str] | None:
    """The front cover (else the first picture) of ID3 tags, with its verified type; None if not PNG or JPEG."""
    pictures = tags.getall("APIC")
    if not pictures:
        return None
    front = next((p for p in pictures if p.type == 3), pictures[0])
    data = bytes(front.data)
    kind = picture_type(data)
    return (data, kind) if kind else None


def cover_art(path: Path) -> tuple[bytes, str] | None:
    """The cover embedded in an MP3 (data, type verified from the bytes), or None."""
    from mutagen import MutagenError
    from mutagen.id3 import ID3

    try:
        tag: Any = ID3(str(path))
    except (MutagenError, OSError):
        return None
    return _front_picture(tag)


def stretches_of(chapter_titles: Iterable[str], lang: str | None = None) -> tuple[str, ...]:
    """The stretch names in chapter titles ("Round 2: Lunge (left side)" -> "Lunge"), each once;
    the titles are in the MP3's language `lang` (voiceguide/words/chapters.py), its words are looked for too."""
    skipped, rounds = _chapter_words(lang or language.ENGLISH)
    names: dict[str, None] = {}
    for title in chapter_titles:
        if title in skipped:
            continue
        name = next((m[1] for m in (r.fullmatch(title) for r in rounds) if m), title)
        name = re.sub(r" \([^()]*\)$", "", name).strip()
        if name:
            names.setdefault(name, None)
    return tuple(names)


@functools.cache
def _chapter_words(lang: str) -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    """The chapter titles that name no stretch, and the patterns of a round's title, in English and `lang`."""
    words = [(INTRODUCTION, CLOSING, "Round {n}: {title}")]
    try:
        with language.speaking(lang):
            words.append((language._(INTRODUCTION), language._(CLOSING), language._("Round {n}: {title}")))
    except (OSError, KeyError):  # a language without messages, or none voiceguide knows: the English words
        pass
    skipped = frozenset(w for intro, closing, _ in words for w in (intro, closing))
    said = (re.escape(r).replace(r"\{n\}", r"\d+").replace(r"\{title\}", "(.*)", 1) for _, _, r in words)
    return skipped, tuple(re.compile(s) for s in dict.fromkeys(said))


# -- the folder ---------------------------------------------------------------------------------


@dataclass
class Folder:
    """A served folder: its inventory, rebuilt when the folder changes (at most every RECHECK_SECONDS)."""

    root: Path
    _facts: dict[tuple[str, int, int], Mp3Facts | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _key: tuple[Any, ...] | None = None
    _checked: float = 0.0
    _inventory: Inventory | None = None

    def __post_init__(self) -> None:
        root = Path(self.root)
        if not root.is_dir():
            raise InputError(f"{root}: no such folder; give the folder 'voiceguide program' or 'build' wrote into")
        self.root = root.resolve()

    def inventory(self) -> Inventory:
        with self._lock:
            now = time.monotonic()
            if self._inventory is not None and now - self._checked < RECHECK_SECONDS:
                return self._inventory
            self._checked = now
            key = self._change_key()
            if self._inventory is None or key != self._key:
                try:
                    inventory = self._scan()
                except InputError as exc:
                    if self._inventory is None:
                        raise  # at the start: the command reports it
                    # Broken while serving: keep serving what was there, say so once per change.
                    logging.getLogger(__name__).warning("%s; still serving the folder as it was", exc)
                    self._key = key
                    return self._inventory
                self._inventory, self._key = inventory, key
            return self._inventory

    def _change_key(self) -> tuple[Any, ...]:
        """What changes when voiceguide writes into the folder (it renames whole files into place)."""
        folders = [self.root]
        if self._inventory is not None:
            folders += sorted({p.parent for p in self._inventory.files.values()})
        key: list[Any] = []
        for path in [*folders, self.root / MANIFEST]:
            try:
                st = path.stat()
                key.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                key.append(None)
        return tuple(key)

    def _scan(self) -> Inventory:
        manifest = self.root / MANIFEST
        if manifest.is_file():
            return program_inventory(self.root, manifest, self._mp3_facts)
        return plain_inventory(self.root, self._mp3_facts)

    def _mp3_facts(self, path: Path) -> Mp3Facts | None:
        checked = regular_file_inside(path, self.root)
        if checked is None:
            return None
        real, st = checked
        key = (str(real), st.st_mtime_ns, st.st_size)
        if key not in self._facts:
            self._facts[key] = read_mp3_facts(real)
        return self._facts[key]


# -- a program folder -------------------------------------------------------------------------


def program_inventory(root: Path, manifest: Path, facts_of: Any) -> Inventory:
    """The files a program manifest lists (those present and inside the folder)."""
    doc = load_manifest(manifest)
    served = _Served(root)
    for name in doc.get("files") or []:
        served.add(name)
    sessions = []
    lang = language_tag(doc.get("lang"))
    for ep in doc["episodes"]:
        audio = served.add(ep["audio"])
        if audio is None:
            continue  # not built yet: neither listed nor served
        sessions.append(_episode_session(ep, audio, facts_of(root / audio), served, lang))
    sessions.sort(key=lambda s: (s.day or 0, s.audio))
    return Inventory(
        root=root, files=served.files, sessions=tuple(sessions), program=_program_of(doc, root, served.files)
    )


class _Served:
    """The names a manifest lists that are plain and lead to a regular file inside the folder: only those are served."""

    def __init__(self, root: Path):
        self.root = root
        self.files: dict[str, Path] = {}

    def add(self, name: object) -> str | None:
        """The name, now served; None if it is not one voiceguide would write or its file is not there."""
        if is_plain_name(name) and regular_file_inside(self.root / str(name), self.root) is not None:
            self.files[str(name)] = self.root / str(name)
            return str(name)
        return None


def _episode_session(ep: dict[str, Any], audio: str, facts: Mp3Facts | None, served: _Served, lang: str) -> Session:
    """A built episode as the page lists it: the manifest's facts (types checked by manifestcheck), else the MP3's."""
    return Session(
        audio=audio,
        title=str(ep.get("title") or (facts.title if facts else audio)),
        seconds=float(ep.get("seconds") or (facts.seconds if facts else 0.0)),
        stretches=tuple(str(s) for s in ep.get("stretches") or ()) or stretches_of(facts.chapters if facts else ()),
        chapters=served.add(ep.get("chapters")),
        transcript=served.add(ep.get("transcript")),
        has_art=bool(facts and facts.has_art),
        day=int(ep["day"]),
        date=ep["date"],
        guid=str(ep.get("guid") or "") or None,
        lang=lang,
    )


def _program_of(doc: dict[str, Any], root: Path, files: Mapping[str, Path]) -> Program:
    """The folder-level facts of the manifest; the feed, calendar and cover only when they are served."""
    return Program(
        title=str(doc.get("title") or root.name),
        description=str(doc.get("description") or ""),
        base_url=_with_slash(str(doc.get("base_url") or "")),
        generator=str(doc.get("generator") or ""),
        feed="feed.xml" if "feed.xml" in files else None,
        calendar="calendar.ics" if "calendar.ics" in files else None,
        cover="cover.png" if "cover.png" in files else None,
        lang=language_tag(doc.get("lang")),
    )


def _with_slash(url: str) -> str:
    """A base URL ends in a slash: every file's URL is the base followed by its name."""
    return url if not url or url.endswith("/") else url + "/"


# -- a folder of voiceguide MP3s -------------------------------------------------------------------


def plain_inventory(root: Path, facts_of: Any) -> Inventory:
    """voiceguide's MP3s, their same-stem sidecars and split-track playlists, top level and one folder down."""
    files: dict[str, Path] = {}
    playlists: list[Playlist] = []
    in_playlists: set[str] = set()
    for folder, prefix in [(root, ""), *_subfolders(root)]:
        playlist = _playlist(folder, prefix, root, facts_of)
        if playlist is not None:
            playlists.append(playlist)
            files[playlist.url] = folder / PLAYLIST
            for url, _ in playlist.tracks:
                files[url] = folder / url[len(prefix) :]
                in_playlists.add(url)
    sessions = []
    for name in _names(root):
        if not name.lower().endswith(".mp3") or name in in_playlists:
            continue
        facts = facts_of(root / name)
        if facts is None or not facts.voiceguide:
            continue
        files[name] = root / name
        stem = name[: -len(".mp3")]
        found: dict[str, str] = {}
        for role, suffix in SIDECARS.items():
            sidecar = stem + suffix
            if _is_sidecar(root / sidecar, root, role):
                files[sidecar] = root / sidecar
                found[role] = sidecar
        sessions.append(
            Session(
                audio=name,
                title=facts.title,
                seconds=facts.seconds,
                stretches=stretches_of(facts.chapters, facts.lang),
                chapters=found.get("chapters"),
                transcript=found.get("transcript"),
                lyrics=found.get("lyrics"),
                has_art=facts.has_art,
                lang=facts.lang,
            )
        )
    return Inventory(root=root, files=files, sessions=tuple(sessions), playlists=tuple(playlists))


def _names(folder: Path) -> list[str]:
    try:
        names = [e.name for e in os.scandir(folder)]
    except OSError:
        return []
    return sorted((n for n in names if is_plain_name(n)), key=_natural)


def _natural(name: str) -> list[Any]:
    """'day-2' before 'day-10'."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def _subfolders(root: Path) -> list[tuple[Path, str]]:
    found = []
    for name in _names(root):
        path = root / name
        if path.is_dir() and path.resolve().is_relative_to(root) and not path.is_symlink():
            found.append((path, name + "/"))
    return found


def _playlist(folder: Path, prefix: str, root: Path, facts_of: Any) -> Playlist | None:
    """A split-track playlist in `folder` whose every entry is a voiceguide MP3 beside it."""
    path = folder / PLAYLIST
    text = _small_text(path, root)
    if text is None or not text.startswith("#EXTM3U"):
        return None
    title, tracks, pending = "", [], ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#PLAYLIST:"):
            title = line[len("#PLAYLIST:") :].strip()
        elif line.startswith("#EXTINF:"):
            pending = line.partition(",")[2].strip()
        elif line and not line.startswith("#"):
            facts = facts_of(folder / line) if is_plain_name(line) and line.lower().endswith(".mp3") else None
            if facts is None or not facts.voiceguide:
                return None
            tracks.append((prefix + line, pending or facts.title))
            pending = ""
    if not tracks:
        return None
    return Playlist(url=prefix + PLAYLIST, title=title or folder.name, tracks=tuple(tracks))


def _small_text(path: Path, root: Path) -> str | None:
    checked = regular_file_inside(path, root)
    if checked is None or checked[1].st_size > SIDECAR_LIMIT:
        return None
    try:
        return checked[0].read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _is_sidecar(path: Path, root: Path, role: str) -> bool:
    """Whether a same-stem file has the shape voiceguide writes for that sidecar (sidecars.py)."""
    text = _small_text(path, root)
    if text is None:
        return False
    if role == "transcript":
        return text.startswith("WEBVTT")
    if role == "lyrics":
        return "[re:voiceguide]" in text
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(doc, dict) and isinstance(doc.get("chapters"), list)

"""Text files beside the audio, rendered from the timeline (never read back from audio).

- `lrc`: LRC lyrics, one line per spoken cue, [mm:ss.xx] stamps;
- `vtt`: WebVTT captions, the spoken cues and the chimes (captioned in the
  timeline's language), millisecond stamps. The language itself is not written
  in the file: WebVTT's header holds only regions, styles and comments (the old
  drafts' "Language:" header lines are gone from the spec and trip some
  parsers); the feed's podcast:transcript and the page's <track srclang> say it;
- `podcast_chapters_json`: Podcasting 2.0 JSON chapters;
- `m3u8`: an extended M3U playlist (UTF-8) of split tracks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from voiceguide import language
from voiceguide.clock import lrc_stamp, vtt_stamp
from voiceguide.language import N_, _
from voiceguide.words.chapters import Chapter
from voiceguide.words.timeline import BREATHS, CONTRACT_RELAX, REPS, SPEECH, TEMPO_SET, Event, Role, Timeline

PODCAST_CHAPTERS_VERSION = "1.2.0"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _lrc_text(text: str) -> str:
    """LRC has no escapes: brackets become parentheses, so no text reads as a time or header tag."""
    return _one_line(text).replace("[", "(").replace("]", ")")


def lrc(timeline: Timeline, artist: str | None = None, album: str | None = None, title: str | None = None) -> str:
    """LRC lyrics: one line per spoken cue, stamped at its start."""
    length_s = int(timeline.duration)
    head = [f"[ti:{_lrc_text(title or timeline.title)}]"]
    if artist:
        head.append(f"[ar:{_lrc_text(artist)}]")
    if album:
        head.append(f"[al:{_lrc_text(album)}]")
    head += [f"[length:{length_s // 60:02d}:{length_s % 60:02d}]", "[re:voiceguide]"]
    lines = [f"{lrc_stamp(e.start)}{_lrc_text(e.text or '')}" for e in timeline.speech]
    return "\n".join(head + lines) + "\n"


def _vtt_text(text: str) -> str:
    return _one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chime_caption(timeline: Timeline, event: Event) -> str:
    """What a chime means, as a sound caption in the timeline's language: "[chime: hold begins]"."""
    with language.speaking(timeline.lang):
        return _("[chime: {what}]").format(what=_(_chime_means(timeline, event)))


def _chime_means(timeline: Timeline, event: Event) -> str:
    block = timeline.blocks[event.block] if event.block is not None else None
    reps = block is not None and block.kind in (REPS, TEMPO_SET)
    if event.role == Role.START and block is not None and block.kind in DOSED:
        what = DOSED[block.kind]
    elif event.role == Role.START:
        what = N_("reps begin") if reps else N_("hold begins")
    elif event.role == Role.END and block is not None and block.kind == BREATHS:
        what = N_("breathing ends")
    elif event.role == Role.END:
        what = N_("reps end") if reps else N_("hold ends")
    elif event.role == Role.TICK and block is not None and block.kind != REPS:
        what = N_("phase")
    elif event.role is None:
        what = N_("chime")
    else:
        what = CAPTIONS.get(event.role, event.role.value)
    return what


DOSED = {TEMPO_SET: N_("set begins"), BREATHS: N_("breathing begins"), CONTRACT_RELAX: N_("press and relax begins")}
CAPTIONS = {Role.SWITCH: N_("switch sides"), Role.FINISH: N_("session complete"), Role.TICK: N_("rep")}


def vtt(timeline: Timeline) -> str:
    """WebVTT captions: every spoken cue, and every chime as a sound caption.

    Cues never overlap: the timeline never lays speech over speech or a chime.
    """
    blocks = ["WEBVTT"]
    for e in timeline.events:
        text = _vtt_text(e.text or "") if e.kind == SPEECH else chime_caption(timeline, e)
        blocks.append(f"{vtt_stamp(e.start)} --> {vtt_stamp(e.end)}\n{text}")
    return "\n\n".join(blocks) + "\n"


def podcast_chapters_json(timeline: Timeline, chapters: Sequence[Chapter], title: str | None = None) -> str:
    """Podcasting 2.0 JSON chapters (application/json+chapters)."""
    doc = {
        "version": PODCAST_CHAPTERS_VERSION,
        "title": title or timeline.title,
        "chapters": [{"startTime": round(c.start, 3), "endTime": round(c.end, 3), "title": c.title} for c in chapters],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class PlaylistEntry:
    path: str  # as written in the playlist: relative to the playlist's folder
    seconds: float
    title: str


def m3u8(entries: Iterable[PlaylistEntry], title: str | None = None) -> str:
    """An extended M3U playlist, UTF-8, one #EXTINF (length in seconds, title) per track."""
    lines = ["#EXTM3U"]
    if title:
        lines.append(f"#PLAYLIST:{_one_line(title)}")
    for entry in entries:
        lines.append(f"#EXTINF:{entry.seconds:.3f},{_one_line(entry.title)}")
        lines.append(entry.path)
    return "\n".join(lines) + "\n"

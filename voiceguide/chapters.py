"""Chapters: the session cut where a listener would want to skip to.

Pure code on the timeline. An "Introduction" (when the routine has intro
speech), one chapter per stretch, one per side of a sided stretch, and a
"Closing". Each stretch chapter starts where its announcement is spoken (for
the second side, where "Switch sides" is), so a skip lands on the words that
say what comes next. The chapters tile the whole session: each ends where the
next starts, the first starts at 0 and the last ends at the duration.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from voiceguide.timeline import SPEECH, Timeline

INTRODUCTION = "Introduction"
CLOSING = "Closing"


@dataclass(frozen=True)
class Chapter:
    title: str
    start: float  # seconds
    end: float

    @property
    def seconds(self) -> float:
        return round(self.end - self.start, 3)


def chapters_of(timeline: Timeline) -> list[Chapter]:
    """The chapters of a session, in order, tiling 0 .. duration."""
    speech = [e for e in timeline.events if e.kind == SPEECH]
    # Every hold and rep set with the title a listener sees, in time order.
    blocks = sorted(
        [(h.start, f"{h.name} ({h.side} side)" if h.side else h.name) for h in timeline.holds]
        + [(s.start, s.name) for s in timeline.sets]
    )
    marks: list[tuple[float, str]] = []  # (start, title)
    if any(e.role == "intro" for e in speech):
        marks.append((0.0, INTRODUCTION))
    for e in speech:
        if e.role in ("announce", "switch"):
            # The hold or set this announcement leads into is the first one after it.
            title = next((t for at, t in blocks if at > e.start), None)
            if title is not None:
                marks.append((e.start, title))
    closing = next((e.start for e in timeline.events if e.role in ("outro", "finish")), None)
    if closing is not None and (not marks or closing > marks[-1][0]):
        marks.append((closing, CLOSING))
    if not marks:
        return [Chapter(timeline.title, 0.0, timeline.duration)]
    marks[0] = (0.0, marks[0][1])  # nothing before the first chapter
    ends = [start for start, _ in marks[1:]] + [timeline.duration]
    return [Chapter(title, start, end) for (start, title), end in zip(marks, ends)]


def excerpt(timeline: Timeline, chapter: Chapter) -> Timeline:
    """The part of the timeline inside a chapter, with times from the chapter's start.

    What a split track's lyrics are made of. Holds and sets are kept when they
    start inside the chapter.
    """

    def shift(item):
        return dataclasses.replace(item, start=round(item.start - chapter.start, 3), end=round(item.end - chapter.start, 3))

    def inside(item) -> bool:
        return chapter.start <= item.start < chapter.end

    return Timeline(
        title=chapter.title,
        duration=chapter.seconds,
        events=tuple(shift(e) for e in timeline.events if inside(e)),
        holds=tuple(shift(h) for h in timeline.holds if inside(h)),
        sets=tuple(shift(s) for s in timeline.sets if inside(s)),
    )

"""Chapters: the session cut where a listener would want to skip to.

Pure code on the timeline. An "Introduction" (when the routine has intro
speech), one chapter per stretch, one per side of a sided stretch (and per
round of a stretch held in rounds), and a "Closing". Each stretch chapter
starts where its announcement is spoken (for the second side, where "Switch
sides" is), so a skip lands on the words that say what comes next. The
chapters tile the whole session: each ends where the next starts, the first
starts at 0 and the last ends at the duration.
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
    """The chapters of a session, in order, tiling 0 .. duration.

    One chapter per hold or rep set, starting at the speech that leads into it:
    the announcement, "Switch sides", or a step's "Round two". A routine's own
    "Round two of three" opens the chapter of the stretch it leads into.
    Titles say the side, the step's round when it has several, and the
    routine's round when it has several: "Round 2: Lunge With Hamstring
    Stretch (round 1, right side)".
    """
    speech = sorted((e for e in timeline.events if e.kind == SPEECH), key=lambda e: e.start)
    blocks = sorted(
        [(h.start, h.name, h.side) for h in timeline.holds] + [(s.start, s.name, None) for s in timeline.sets]
    )
    # (start, name, side, routine round, step number, round within the step)
    marks: list[tuple[float, str, str | None, int, int, int]] = []
    routine_round, step, step_round = 1, 0, 1
    pending: float | None = None  # where a routine round's speech began
    for e in speech:
        if e.role == "round" and e.stretch is None:
            routine_round += 1
            pending = e.start
            continue
        if e.role not in ("announce", "switch", "round"):
            continue
        if e.role == "announce":
            step, step_round = step + 1, 1
        elif e.role == "round":
            step_round += 1
        block = next((b for b in blocks if b[0] > e.start), None)
        if block is not None:
            marks.append((e.start if pending is None else pending, block[1], block[2], routine_round, step, step_round))
        pending = None
    several_rounds = {m[4] for m in marks if m[5] > 1}  # steps held more than one round
    titled: list[tuple[float, str]] = []
    for start, name, side, r_round, step_no, s_round in marks:
        qualifiers = ([f"round {s_round}"] if step_no in several_rounds else []) + ([f"{side} side"] if side else [])
        title = f"{name} ({', '.join(qualifiers)})" if qualifiers else name
        titled.append((start, f"Round {r_round}: {title}" if routine_round > 1 else title))
    if any(e.role == "intro" for e in speech):
        titled.insert(0, (0.0, INTRODUCTION))
    closing = next(
        (e.start for e in sorted(timeline.events, key=lambda e: e.start) if e.role in ("outro", "finish")), None
    )
    if closing is not None and (not titled or closing > titled[-1][0]):
        titled.append((closing, CLOSING))
    if not titled:
        return [Chapter(timeline.title, 0.0, timeline.duration)]
    titled[0] = (0.0, titled[0][1])  # nothing before the first chapter
    ends = [start for start, _ in titled[1:]] + [timeline.duration]
    return [Chapter(title, start, end) for (start, title), end in zip(titled, ends, strict=False)]


def excerpt(timeline: Timeline, chapter: Chapter) -> Timeline:
    """The part of the timeline inside a chapter, with times from the chapter's start.

    What a split track's lyrics are made of. Holds and sets are kept when they
    start inside the chapter.
    """

    def shift(item):
        return dataclasses.replace(
            item, start=round(item.start - chapter.start, 3), end=round(item.end - chapter.start, 3)
        )

    def inside(item) -> bool:
        return chapter.start <= item.start < chapter.end

    return Timeline(
        title=chapter.title,
        duration=chapter.seconds,
        events=tuple(shift(e) for e in timeline.events if inside(e)),
        holds=tuple(shift(h) for h in timeline.holds if inside(h)),
        sets=tuple(shift(s) for s in timeline.sets if inside(s)),
    )

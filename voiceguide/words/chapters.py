"""Chapters: the session cut where a listener would want to skip to.

A projection of the timeline's blocks: an "Introduction" (when the session
opens with words), one chapter per hold, rep set, tempo set ("Glute bridge,
set 1 of 2") or breathing block (so one per side of a sided stretch, and per
round of a stretch held in rounds), and a "Closing"; a rest is part of the
set before it, a contract-relax part of its hold. Each
starts where the words leading into its block begin (the announcement, "Switch
sides", "Round two"), so a skip lands on what comes next; a chimes-only session
has the same chapters at the same times. The chapters tile the whole session:
each ends where the next starts, the first starts at 0 and the last ends at the
duration.

`script_lines` is the whole spoken script with a blank line between chapters:
the lyrics the tags embed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from voiceguide import language
from voiceguide.language import N_, Side, _
from voiceguide.words.timeline import CONTRACT_RELAX, REST, TEMPO_SET, Block, Event, Phase, Timeline, ms

INTRODUCTION = N_("Introduction")
CLOSING = N_("Closing")


@dataclass(frozen=True)
class Chapter:
    title: str
    start: float  # seconds
    end: float

    @property
    def seconds(self) -> float:
        return ms(self.end - self.start)


def block_title(block: Block, timeline: Timeline, several_rounds: bool) -> str:
    """'Round 2: Lunge With Hamstring Stretch (round 1, right side)'."""
    with language.speaking(timeline.lang):
        qualifiers = ([_("round {n}").format(n=block.step_round)] if several_rounds else []) + (
            [_("{side:adj} side").format(side=Side(block.side))] if block.side else []
        )
        title = f"{block.name} ({', '.join(qualifiers)})" if qualifiers else block.name
        if block.kind == TEMPO_SET and block.set_of > 1:
            title = _("{title}, set {n} of {total}").format(title=title, n=block.set_n, total=block.set_of)
        return _("Round {n}: {title}").format(n=block.lap, title=title) if timeline.laps > 1 else title


def _in(timeline: Timeline, message: str) -> str:
    with language.speaking(timeline.lang):
        return _(message)


# Blocks inside another's chapter: a rest belongs to the set before it, a contract-relax to its hold.
UNCHAPTERED = (REST, CONTRACT_RELAX)


def chapters_of(timeline: Timeline) -> list[Chapter]:
    """The chapters of a session, in order, tiling 0 .. duration."""
    in_rounds = {(b.lap, b.step) for b in timeline.blocks if b.step_round > 1}
    titled = [
        (b.lead_in, block_title(b, timeline, (b.lap, b.step) in in_rounds))
        for b in timeline.blocks
        if b.kind not in UNCHAPTERED
    ]
    if timeline.intro and titled:
        titled.insert(0, (0.0, _in(timeline, INTRODUCTION)))
    closing = timeline.closing
    if closing is not None and (not titled or closing > titled[-1][0]):
        titled.append((closing, _in(timeline, CLOSING)))
    if not titled:
        return [Chapter(timeline.title, 0.0, timeline.duration)]
    titled[0] = (0.0, titled[0][1])  # nothing before the first chapter
    ends = [start for start, _ in titled[1:]] + [timeline.duration]
    return [Chapter(title, start, end) for (start, title), end in zip(titled, ends, strict=True)]


_Timed = TypeVar("_Timed", Event, Block, Phase)


def excerpt(timeline: Timeline, chapter: Chapter) -> Timeline:
    """The part of the timeline inside a chapter, with times from the chapter's start.

    What a split track's lyrics are made of. Blocks are kept when they start
    inside the chapter; events keep their block index only when it still points
    at the same block.
    """

    def shift(item: _Timed) -> _Timed:
        return dataclasses.replace(item, start=ms(item.start - chapter.start), end=ms(item.end - chapter.start))

    def inside(item: Event | Block) -> bool:
        return chapter.start <= item.start < chapter.end

    kept = [i for i, b in enumerate(timeline.blocks) if inside(b)]
    renumber = {old: new for new, old in enumerate(kept)}
    blocks = tuple(
        dataclasses.replace(shift(timeline.blocks[i]), lead_in=ms(max(0.0, timeline.blocks[i].lead_in - chapter.start)))
        for i in kept
    )
    events = tuple(
        dataclasses.replace(shift(e), block=renumber.get(e.block) if e.block is not None else None)
        for e in timeline.events
        if inside(e)
    )
    phases = tuple(
        dataclasses.replace(shift(p), block=renumber[p.block]) for p in timeline.phases if p.block in renumber
    )
    return Timeline(
        title=chapter.title,
        duration=chapter.seconds,
        events=events,
        blocks=blocks,
        laps=timeline.laps,
        phases=phases,
        lang=timeline.lang,
    )


def script_lines(timeline: Timeline, chapters: Sequence[Chapter] = ()) -> str:
    """The whole spoken script, one cue a line, a blank line between chapters."""
    bounds = sorted(c.start for c in chapters[1:])
    lines: list[str] = []
    passed = 0
    for e in timeline.speech:
        crossed = False
        while passed < len(bounds) and bounds[passed] <= e.start:
            passed += 1
            crossed = True
        if crossed and lines:
            lines.append("")
        lines.append(" ".join((e.text or "").split()))
    return "\n".join(lines)

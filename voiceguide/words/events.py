"""The timeline's data: events, blocks, the timeline itself, and the silences it is laid out with.

voiceguide/words/timeline.py lays a routine out into these; chapters, captions,
the printed script, the cover and the mix read them. Pure data: no audio.

Times are rounded to whole milliseconds so they land on exact sample offsets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Kind(str, Enum):
    """What an event is: words or a sound."""

    SPEECH = "speech"
    CHIME = "chime"


SPEECH = Kind.SPEECH
CHIME = Kind.CHIME


class Role(str, Enum):
    """What an event does in the session (the timeline JSON's `role`)."""

    INTRO = "intro"
    ROUND = "round"  # a step's next round, or (with no stretch) the routine's next round
    ANNOUNCE = "announce"
    SETUP = "setup"
    REMINDER = "reminder"
    COUNTDOWN = "countdown"
    SWITCH = "switch"  # the words (and the way out of the first side), and the double chime
    COUNT = "count"
    RELEASE = "release"  # "And release.", or the stretch's own way out of the pose
    MOVE = "move"  # getting down or up to the next stretch's position, or up at the end
    OUTRO = "outro"
    START = "start"
    END = "end"
    FINISH = "finish"
    TICK = "tick"  # one rep, in a chimes-only session; one phase of a tempo rep, breath or press where no words fit
    PHASE = "phase"  # the words at a phase's onset: "One. Lift.", "Hold.", "Breathe in.", "Press gently."
    REST = "rest"  # "Rest. Thirty seconds." after a set
    SET = "set"  # "Set two of two." before the next set


START_CHIME = "start.wav"
END_CHIME = "end.wav"
SWITCH_CHIME = "switch.wav"
FINISH_CHIME = "finish.wav"
TICK_CHIME = "tick.wav"
CHIMES = (START_CHIME, END_CHIME, SWITCH_CHIME, FINISH_CHIME, TICK_CHIME)

HOLD = "hold"
REPS = "reps"
TEMPO_SET = "tempo-set"  # one set of tempo reps
REST = "rest"  # the rest between two sets: from the closing chime of one to the opening chime of the next
BREATHS = "breaths"  # paced breathing
CONTRACT_RELAX = "contract-relax"  # press and relax before a hold: it ends where the hold's opening chime sounds


@dataclass(frozen=True)
class Pacing:
    """Silences between things, in seconds."""

    lead_in: float = 0.5  # silence before the first word
    gap: float = 0.45  # between two spoken cues
    clearance: float = 0.3  # between speech and a chime, either way round
    between: float = 1.0  # extra pause before each new stretch is announced
    settle: float = 5.0  # quiet after the last setup words before an opening chime (--settle)
    new_level: float = 20.0  # least get-ready time when the body changes level (standing to the floor)
    into_pose: float = 12.0  # least quiet to get into a stretch from its name alone (no setup said: minimal)
    # Quiet after a cue to change level before the next words: time to do it with eyes closed.
    move_quiet: float = 12.0  # on the floor: kneeling, sitting, lying, at the wall
    floor_quiet: float = 15.0  # down to the floor from standing, or up to standing from it
    floor_switch: float = 15.0  # least get-ready time to switch sides in a lunge or on the floor
    switch: float = 15.0  # least time from a hold's closing chime to the next hold of the same step (any level)
    rep_seconds: float = 6.0  # one movement of a dynamic stretch (--tempo)
    count_gap: float = 0.1  # least silence between countdown words
    reminder_after: float = 6.0  # no reminder in a hold's first seconds: time to breathe into it
    reminder_every: float = 12.0  # at most one reminder per this many seconds of hold after that
    reminder_apart: float = 8.0  # least time between the starts of two reminders
    tail: float = 0.5  # silence after the finishing chime


DEFAULT_PACING = Pacing()


def ms(seconds: float) -> float:
    """Seconds rounded to a whole millisecond."""
    return round(seconds, 3)


def ms_up(seconds: float) -> float:
    """Seconds rounded up to a whole millisecond (a length never shrinks)."""
    return math.ceil(round(seconds * 1000, 6)) / 1000


@dataclass(frozen=True)
class Event:
    kind: Kind
    start: float
    end: float
    text: str | None = None
    sound: str | None = None
    role: Role | None = None
    stretch: str | None = None
    block: int | None = None  # index in Timeline.blocks of the hold or set it belongs to

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value, "start": self.start, "end": self.end}
        if self.kind == SPEECH:
            out["text"] = self.text
        else:
            out["sound"] = self.sound
        out["role"] = self.role.value if self.role else ""
        if self.stretch:
            out["stretch"] = self.stretch
        if self.block is not None:
            out["block"] = self.block
        return out


@dataclass(frozen=True)
class Block:
    """One hold (of one side) or one rep set, and where it sits in the routine."""

    kind: str  # HOLD or REPS
    stretch: str
    name: str
    side: str | None
    start: float  # onset of the opening chime
    end: float  # onset of the closing chime
    lead_in: float  # where the words leading into it begin: a chapter starts here
    lap: int = 1  # the routine's round, from 1
    step: int = 0  # the step's index in the routine
    step_round: int = 1  # the round within the step, from 1
    reps: int = 0  # per leg, for a rep set; per set, for a tempo set
    set_n: int = 0  # a tempo set's number (from 1), or the set a rest follows; 0: not a set
    set_of: int = 0  # the step's sets on this side

    @property
    def seconds(self) -> float:
        return ms(self.end - self.start)

    def hold_dict(self) -> dict[str, Any]:
        return {"stretch": self.stretch, "name": self.name, "side": self.side, "start": self.start, "end": self.end}

    def set_dict(self) -> dict[str, Any]:
        return {"stretch": self.stretch, "name": self.name, "reps": self.reps, "start": self.start, "end": self.end}

    def to_dict(self) -> dict[str, Any]:
        out = {
            "kind": self.kind,
            **self.hold_dict(),
            "reps": self.reps,
            "lead_in": self.lead_in,
            "lap": self.lap,
            "step": self.step,
            "step_round": self.step_round,
        }
        if self.set_n:
            out |= {"set": self.set_n, "of": self.set_of}
        return out


@dataclass(frozen=True)
class Phase:
    """One phase of a tempo rep (up, hold, down), a breath (in, hold, out) or a contract-relax (press, relax)."""

    block: int  # index in Timeline.blocks
    rep: int  # the rep, breath or cycle, from 1
    phase: str
    start: float
    end: float

    def to_dict(self) -> dict[str, Any]:
        return {"block": self.block, "rep": self.rep, "phase": self.phase, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Timeline:
    title: str
    duration: float
    events: tuple[Event, ...]  # in order of start
    blocks: tuple[Block, ...] = ()  # in order of start
    closing: float | None = None  # where the closing part (outro, finishing chime) begins
    laps: int = 1  # times through the routine
    intro: bool = False  # the session opens with spoken words before the first stretch
    phases: tuple[Phase, ...] = ()  # every phase of every tempo rep, breath and contract-relax, in order
    lang: str = "en"  # the language it is spoken in (voiceguide/language.py)

    @property
    def holds(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.kind == HOLD)

    @property
    def sets(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.kind == REPS)

    @property
    def speech(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.kind == SPEECH)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "lang": self.lang,
            "duration": self.duration,
            "events": [e.to_dict() for e in self.events],
            "holds": [h.hold_dict() for h in self.holds],
            "sets": [s.set_dict() for s in self.sets],
            "blocks": [b.to_dict() for b in self.blocks],
            "phases": [p.to_dict() for p in self.phases],
        }

    def without_speech(self, tick: float | None = None) -> Timeline:
        """The same session with chimes only (--engine none): same times, same structure.

        With `tick` (the tick sound's length), each spoken rep count becomes a
        soft tick, so the reps keep their pace, and so does the onset of every
        phase (of a tempo rep, a breath, a press) that has no chime of its own.
        """
        events = [
            Event(CHIME, e.start, ms(e.start + tick), None, TICK_CHIME, Role.TICK, e.stretch, e.block)
            if tick is not None and e.role == Role.COUNT
            else e
            for e in self.events
            if e.kind == CHIME or (tick is not None and e.role == Role.COUNT)
        ]
        if tick is not None and self.phases:
            chimed = {e.start for e in events}
            events += [
                Event(
                    CHIME,
                    p.start,
                    ms(p.start + tick),
                    None,
                    TICK_CHIME,
                    Role.TICK,
                    self.blocks[p.block].stretch,
                    p.block,
                )
                for p in self.phases
                if p.start not in chimed
            ]
            events.sort(key=lambda e: e.start)
        return Timeline(
            self.title,
            self.duration,
            tuple(events),
            self.blocks,
            self.closing,
            self.laps,
            self.intro,
            self.phases,
            self.lang,
        )

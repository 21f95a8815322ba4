"""The timeline: every cue and chime of a session, with exact start and end.

Pure code: it never touches audio. It is told how long each spoken text lasts
(`speech_length`) and each chime (`chime_lengths`), and lays them out by the
timing rules of DESIGN.md:

- a hold lasts exactly its seconds, from the onset of its opening chime to the
  onset of its closing chime;
- speech never overlaps speech or a chime; a cue that does not fit is dropped,
  least important first, and the holds stay exact;
- getting into position takes the longer of get-ready time and the setup speech;
- a sided stretch gets its full hold on each side, with a switch between;
- a dynamic stretch is counted out rep by rep at a steady tempo, legs alternating.

Times are rounded to whole milliseconds so they land on exact sample offsets.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field

from voiceguide import cues
from voiceguide.routine import Routine, Step

SPEECH = "speech"
CHIME = "chime"

START_CHIME = "start.wav"
END_CHIME = "end.wav"
SWITCH_CHIME = "switch.wav"
FINISH_CHIME = "finish.wav"
CHIMES = (START_CHIME, END_CHIME, SWITCH_CHIME, FINISH_CHIME)


@dataclass(frozen=True)
class Pacing:
    """Silences between things, in seconds."""

    lead_in: float = 0.5  # silence before the first word
    gap: float = 0.45  # between two spoken cues
    clearance: float = 0.3  # between speech and a chime, either way round
    between: float = 1.0  # extra pause before each new stretch is announced
    rep_seconds: float = 3.0  # one movement of a dynamic stretch
    count_gap: float = 0.1  # least silence between countdown words
    ten_seconds_from: int = 15  # shortest hold that gets "ten seconds"
    tail: float = 0.5  # silence after the finishing chime


@dataclass(frozen=True)
class Event:
    kind: str  # "speech" or "chime"
    start: float
    end: float
    text: str | None = None
    sound: str | None = None
    role: str = ""  # intro, announce, setup, reminder, ten, countdown, switch, count, release, outro; chimes: start, end, switch, finish
    stretch: str | None = None

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "start": self.start, "end": self.end}
        if self.kind == SPEECH:
            out["text"] = self.text
        else:
            out["sound"] = self.sound
        out["role"] = self.role
        if self.stretch:
            out["stretch"] = self.stretch
        return out


@dataclass(frozen=True)
class Hold:
    stretch: str
    name: str
    side: str | None
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return round(self.end - self.start, 3)


@dataclass(frozen=True)
class RepSet:
    stretch: str
    name: str
    reps: int
    start: float
    end: float


@dataclass(frozen=True)
class Timeline:
    title: str
    duration: float
    events: tuple[Event, ...]
    holds: tuple[Hold, ...]
    sets: tuple[RepSet, ...] = field(default=())

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "duration": self.duration,
            "events": [e.to_dict() for e in self.events],
            "holds": [asdict(h) for h in self.holds],
            "sets": [asdict(s) for s in self.sets],
        }

    def without_speech(self) -> Timeline:
        """The same session with chimes only (--engine none)."""
        return Timeline(
            self.title, self.duration, tuple(e for e in self.events if e.kind == CHIME), self.holds, self.sets
        )

    def speech_texts(self) -> list[str]:
        return list(dict.fromkeys(e.text for e in self.events if e.kind == SPEECH))


def _ms(seconds: float) -> float:
    return round(seconds, 3)


def _ms_up(seconds: float) -> float:
    return math.ceil(round(seconds * 1000, 6)) / 1000


class _Builder:
    def __init__(self, speech_length: Callable[[str], float], chime_lengths: Mapping[str, float], pacing: Pacing):
        self.length = lambda text: _ms_up(speech_length(text))
        self.chime_lengths = {k: _ms_up(v) for k, v in chime_lengths.items()}
        self.p = pacing
        self.events: list[Event] = []
        self.holds: list[Hold] = []
        self.sets: list[RepSet] = []
        self.t = 0.0  # end of the last event laid so far
        self.last_kind = CHIME  # so the lead-in is the only silence at the start

    def next_start(self) -> float:
        return _ms(self.t + (self.p.gap if self.last_kind == SPEECH else self.p.clearance))

    def say(self, text: str, role: str, stretch: str | None = None, at: float | None = None) -> Event:
        start = self.next_start() if at is None else _ms(at)
        event = Event(SPEECH, start, _ms(start + self.length(text)), text=text, role=role, stretch=stretch)
        self._add(event)
        return event

    def chime(self, sound: str, at: float, role: str, stretch: str | None = None) -> Event:
        at = _ms(at)
        event = Event(CHIME, at, _ms(at + self.chime_lengths[sound]), sound=sound, role=role, stretch=stretch)
        self._add(event)
        return event

    def _add(self, event: Event) -> None:
        self.events.append(event)
        if event.end >= self.t:
            self.t = event.end
            self.last_kind = event.kind

    def pause(self, seconds: float) -> None:
        self.t = _ms(self.t + seconds)

    # -- the parts of a session ------------------------------------------

    def session(self, routine: Routine) -> Timeline:
        self.t = self.p.lead_in - self.p.clearance
        for text in routine.intro:
            self.say(text, "intro")
        count = len(routine.steps)
        for r in range(routine.rounds):
            if r:
                self.pause(self.p.between)
                self.say(cues.routine_round(r + 1, routine.rounds), "round")
            for index, step in enumerate(routine.steps):
                self.pause(self.p.between)
                if step.stretch.kind == "reps":
                    self.rep_step(step, index, count)
                else:
                    self.hold_step(step, index, count, routine.countdown)
                self.say(cues.RELEASE, "release", step.stretch.id)
        for text in routine.outro:
            self.say(text, "outro")
        finish = self.chime(FINISH_CHIME, self.next_start(), "finish")
        duration = _ms(finish.end + self.p.tail)
        return Timeline(routine.title, duration, tuple(self.events), tuple(self.holds), tuple(self.sets))

    def get_into_position(self, step: Step, texts: list[str], first_role: str = "announce") -> float:
        """Speak the setup; return when the opening chime sounds."""
        sid = step.stretch.id
        began = self.next_start()
        for i, text in enumerate(texts):
            self.say(text, first_role if i == 0 else "setup", sid)
        return _ms(max(began + step.get_ready, self.t + self.p.clearance))

    def hold_step(self, step: Step, index: int, count: int, countdown: bool) -> None:
        s = step.stretch
        plan = [(r, side) for r in range(step.rounds) for side in step.sides]
        for n, (r, side) in enumerate(plan):
            setup = [cues.mirror(t) if side == "left" else t for t in s.setup]
            if n == 0:
                texts = [cues.announce(s.name, index, count)]
                if side:
                    texts.append(cues.first_side(side, only=len(step.sides) == 1))
                texts, role = texts + setup, "announce"
            elif r != plan[n - 1][0]:
                texts, role = [cues.round_start(r + 1, side)] + setup, "round"
            else:
                texts, role = [cues.SWITCH] + [t for t in setup if cues.names_a_side(t)], "switch"
            start = self.get_into_position(step, texts, role)
            end = _ms(start + step.hold)
            switch_next = n + 1 < len(plan) and plan[n + 1][0] == r
            self.chime(START_CHIME, start, "start", s.id)
            self.in_hold_cues(step, start, end, countdown)
            self.chime(SWITCH_CHIME if switch_next else END_CHIME, end, "switch" if switch_next else "end", s.id)
            self.holds.append(Hold(s.id, s.name, side, start, end))

    def in_hold_cues(self, step: Step, start: float, end: float, countdown: bool) -> None:
        """Reminders spread through the hold, then "ten seconds" and 3-2-1, as fit."""
        sid = step.stretch.id
        p = self.p
        window_start = _ms(start + self.chime_lengths[START_CHIME] + p.clearance)
        boundary = _ms(end - p.clearance)  # nothing spoken may run past this
        anchored: list[tuple[float, str, str]] = []
        if countdown:
            counted = []
            for i, word in enumerate(cues.COUNTDOWN):
                at = _ms(end - (len(cues.COUNTDOWN) - i))
                limit = boundary if i == len(cues.COUNTDOWN) - 1 else _ms(at + 1 - p.count_gap)
                counted.append((at, word, "countdown"))
                if at < window_start or at + self.length(word) > limit:
                    counted = []
                    break
            anchored += counted
            if counted:
                boundary = _ms(counted[0][0] - p.gap)
            ten_at = _ms(end - 10)
            if (
                step.hold >= p.ten_seconds_from
                and ten_at >= window_start
                and ten_at + self.length(cues.TEN_SECONDS) <= boundary
            ):
                anchored.insert(0, (ten_at, cues.TEN_SECONDS, "ten"))
                boundary = _ms(ten_at - p.gap)
        for at, text in self.spread(list(step.stretch.reminders) + list(step.tips), window_start, boundary):
            self.say(text, "reminder", sid, at=at)
        for at, text, role in anchored:
            self.say(text, role, sid, at=at)

    def spread(self, texts: list[str], zone_start: float, zone_end: float) -> list[tuple[float, str]]:
        """Reminders at even slots over the zone; the last ones go first if they don't fit."""
        lengths = [self.length(t) for t in texts]
        for k in range(len(texts), 0, -1):
            slot = (zone_end - zone_start) / k
            if all(lengths[i] + self.p.gap <= slot for i in range(k)):
                return [(_ms(zone_start + i * slot), texts[i]) for i in range(k)]
        return []

    def rep_step(self, step: Step, index: int, count: int) -> None:
        s = step.stretch
        texts = [cues.announce(s.name, index, count), *s.setup, cues.reps_intro(step.reps)]
        start = self.get_into_position(step, texts)
        self.chime(START_CHIME, start, "start", s.id)
        counts = [cues.rep_count(side, n) for n in range(1, step.reps + 1) for side in ("right", "left")]
        longest = max(self.length(t) for t in counts)
        tempo = _ms(max(self.p.rep_seconds, longest + self.p.gap))
        first = _ms(start + self.chime_lengths[START_CHIME] + self.p.clearance)
        for i, text in enumerate(counts):
            self.say(text, "count", s.id, at=first + i * tempo)
        end = _ms(first + len(counts) * tempo)
        self.chime(END_CHIME, end, "end", s.id)
        self.sets.append(RepSet(s.id, s.name, step.reps, start, end))


def build_timeline(
    routine: Routine,
    speech_length: Callable[[str], float],
    chime_lengths: Mapping[str, float],
    pacing: Pacing = Pacing(),
) -> Timeline:
    """Lay out a routine. `speech_length(text)` gives seconds of each spoken cue."""
    return _Builder(speech_length, chime_lengths, pacing).session(routine)


def spoken_texts(routine: Routine, pacing: Pacing = Pacing()) -> list[str]:
    """Every text the timeline of this routine may speak, to synthesize up front.

    Laying the routine out with zero-length speech drops nothing, so this is a
    superset of what the real timeline (with real lengths) will use.
    """
    seen: dict[str, None] = {}

    def record(text: str) -> float:
        seen[text] = None
        return 0.0

    build_timeline(routine, record, {c: 1.0 for c in CHIMES}, pacing)
    return list(seen)

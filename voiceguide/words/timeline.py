"""The timeline: every cue and chime of a session, with exact start and end.

Pure code: it never touches audio. It is told how long each spoken text lasts
(`speech_length`) and each chime (`chime_lengths`), and lays them out by the
timing rules of docs/design.md:

- a hold lasts exactly its seconds, from the onset of its opening chime to the
  onset of its closing chime;
- speech never overlaps speech or a chime; a cue that does not fit is dropped,
  least important first, and the holds stay exact;
- after the last instruction, the settle time of quiet before an opening chime,
  and at least the get-ready time in all (more when the body changes level);
- a sided stretch gets its full hold on each side, the whole setup again before
  the second, after the way out of the first;
- a few calm reminders in a hold, then three-two-one;
- a cue to move whenever the body changes level, and a way out of every pose;
- a dynamic stretch is counted out rep by rep at a steady tempo, legs alternating.

How much is said comes from the guidance level (voiceguide/words/guidance.py).

Besides the flat list of events, the timeline keeps the structure it was laid
out from: one `Block` per hold or rep set (its stretch, side, round and where
the words leading into it begin). Chapters, captions, the printed script, the
cover's list and the music's ducking are projections of it. The data types are
in voiceguide/words/events.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from voiceguide import language
from voiceguide.words import cues
from voiceguide.words.catalog import EQUIPMENT, PROPS
from voiceguide.words.events import (
    BREATHS,
    CHIME,
    CHIMES,
    CONTRACT_RELAX,
    DEFAULT_PACING,
    END_CHIME,
    FINISH_CHIME,
    HOLD,
    REPS,
    REST,
    SPEECH,
    START_CHIME,
    SWITCH_CHIME,
    TEMPO_SET,
    TICK_CHIME,
    Block,
    Event,
    Kind,
    Pacing,
    Phase,
    Role,
    Timeline,
    ms,
    ms_up,
)
from voiceguide.words.guidance import Talk, talk_for
from voiceguide.words.routine import Routine, Step
from voiceguide.words.tempo import DoseSteps, Place

# The data types live in voiceguide/words/events.py; they are named here too, where callers look for them.
__all__ = [
    "BREATHS",
    "CHIME",
    "CHIMES",
    "CONTRACT_RELAX",
    "DEFAULT_PACING",
    "END_CHIME",
    "FINISH_CHIME",
    "HOLD",
    "REPS",
    "REST",
    "SPEECH",
    "START_CHIME",
    "SWITCH_CHIME",
    "TEMPO_SET",
    "TICK_CHIME",
    "Block",
    "Event",
    "Kind",
    "Pacing",
    "Phase",
    "Role",
    "Timeline",
    "build_timeline",
    "ms",
    "ms_up",
    "spoken_texts",
]


def said(text: str) -> str:
    """A text as spoken: a message of voiceguide's own in the session's language (cues.py marks them),
    a translation's side placeholders as words (voiceguide/language.py)."""
    return language.fill(language._(text))


class _Builder(DoseSteps):
    def __init__(self, speech_length: Callable[[str], float], chime_lengths: Mapping[str, float], pacing: Pacing):
        self.speech_length = speech_length
        self.chime_lengths = {k: ms_up(v) for k, v in chime_lengths.items()}
        self.p = pacing
        self.events: list[Event] = []
        self.blocks: list[Block] = []
        self.phases: list[Phase] = []
        self.t = 0.0  # end of the last event laid so far
        self.last_kind = CHIME  # so the lead-in is the only silence at the start
        self.place = Place()

    def length(self, text: str) -> float:
        return ms_up(self.speech_length(said(text)))

    def next_start(self) -> float:
        return ms(self.t + (self.p.gap if self.last_kind == SPEECH else self.p.clearance))

    def say(
        self, text: str, role: Role, stretch: str | None = None, at: float | None = None, block: int | None = None
    ) -> Event:
        start = self.next_start() if at is None else ms(at)
        text = said(text)
        event = Event(SPEECH, start, ms(start + self.length(text)), text, None, role, stretch, block)
        self._add(event)
        return event

    def chime(self, sound: str, at: float, role: Role, stretch: str | None = None, block: int | None = None) -> Event:
        at = ms(at)
        event = Event(CHIME, at, ms(at + self.chime_lengths[sound]), None, sound, role, stretch, block)
        self._add(event)
        return event

    def _add(self, event: Event) -> None:
        self.events.append(event)
        if event.end >= self.t:
            self.t = event.end
            self.last_kind = event.kind

    def pause(self, seconds: float) -> None:
        self.t = ms(self.t + seconds)

    def block(self, kind: str, step: Step, side: str | None, start: float, end: float, **more: int) -> int:
        s = step.stretch
        place = self.place
        self.blocks.append(Block(kind, s.id, s.name, side, start, end, place.lead_in, place.lap, place.step, **more))
        return len(self.blocks) - 1

    # -- the parts of a session ------------------------------------------

    def session(self, routine: Routine) -> Timeline:
        self.talk = talk_for(routine.guidance)
        self.minimal = routine.guidance == "minimal"
        self.settle = max(self.p.settle if routine.settle is None else routine.settle, self.p.clearance)
        self.tempo = self.p.rep_seconds if routine.tempo is None else routine.tempo
        self.avoid = routine.avoid  # the move cues offer no kneeling to a body that avoids it
        self.t = self.p.lead_in - self.p.clearance
        self.intro(routine)
        count = len(routine.steps)
        position = cues.start(routine.avoid)  # where the body is: None standing
        skipped_from: str | None = None  # where whoever skipped a cautioned stretch on the knees still is
        for lap in range(1, routine.laps + 1):
            self.place.lap = lap
            lap_began: float | None = None
            if lap > 1:
                self.pause(self.p.between)
                lap_began = self.next_start()
                self.say(cues.lap_start(lap, routine.laps), Role.ROUND)
            for index, step in enumerate(routine.steps):
                self.pause(self.p.between)
                self.place.step = index
                self.place.lead_in = self.next_start() if lap_began is None else lap_began
                lap_began = None
                last_lap = lap == routine.laps
                noun = "exercise" if step.kind in ("tempo", "breaths") else "stretch"
                announced = cues.announce(step.stretch.name, index, count, last_lap, noun)
                named_at = None
                if step.stretch.caution:  # who should skip it, heard before the way down to it (docs/catalog.md)
                    named_at = self.next_start()
                    self.say(announced, Role.ANNOUNCE, step.stretch.id)
                    self.say(step.stretch.caution, Role.SETUP, step.stretch.id)
                    announced = ""
                moved = self.move(position, step.stretch.position, skipped_from)
                # The get-ready time runs from the name, wherever it was said.
                ready = step.get_ready - (self.next_start() - named_at if named_at is not None else 0)
                least = max(ready, self.p.new_level if moved else 0)
                if step.kind == "tempo":
                    on_floor = cues.LEVELS[step.stretch.position] != "up" or step.stretch.position == "lunge"
                    self.tempo_step(step, announced, least, on_floor)
                elif step.kind == "breaths":
                    self.breaths_step(step, announced, least)
                elif step.stretch.kind == REPS:
                    self.rep_step(step, announced, least)
                else:
                    self.hold_step(step, announced, routine.countdown, least)
                self.leave(step)
                kneels = step.stretch.caution and cues.LEVELS[step.stretch.position] == "kneel"
                skipped_from = (position or "standing") if kneels else None
                position = step.stretch.position
        closing = self.next_start()
        for text in cues.CHECK_OUT if routine.check_in else ():
            self.say(text, Role.OUTRO)
        for text in Talk.some(routine.outro, self.talk.welcome):
            self.say(text, Role.OUTRO)
        # The way up is the last thing said ("Stay here as long as you like" was followed by 20 s of talk).
        way_up = cues.getting_up(position, routine.avoid, skipped_from) if position is not None else None
        if way_up:
            self.say(way_up, Role.MOVE)
        finish = self.chime(FINISH_CHIME, self.next_start(), Role.FINISH)
        duration = ms(finish.end + self.p.tail)
        events = tuple(sorted(self.events, key=lambda e: e.start))
        blocks, phases = tuple(self.blocks), tuple(self.phases)
        return Timeline(routine.title, duration, events, blocks, closing, routine.laps, True, phases, routine.lang)

    def intro(self, routine: Routine) -> None:
        """The routine's welcome, then once in every session: safety, what to have ready, the chimes."""
        for text in (*routine.opening, *Talk.some(routine.intro, self.talk.welcome)):
            self.say(text, Role.INTRO)
        used = {item for step in routine.steps for item in (*step.stretch.equipment, *step.stretch.props)}
        if any(cues.LEVELS[s.stretch.position] not in cues.OFF_THE_FLOOR for s in routine.steps):
            used.add("cushion")  # every way down to the floor kneels on it or slides off the chair onto it (cues.move)
        ready = cues.equipment([item for item in (*PROPS, *EQUIPMENT) if item in used])
        safety = cues.SAFETY if self.talk.safety == "full" and not routine.familiar else cues.SAFETY_SHORT
        begins = cues.start(routine.avoid)
        course = cues.course([*([begins] if begins else []), *(step.stretch.position for step in routine.steps)])
        check_in = cues.CHECK_IN if routine.check_in else None
        for line in (*safety, check_in, course, ready, None if routine.familiar else cues.CHIMES_EXPLAINED):
            if line:
                self.say(line, Role.INTRO)

    def move(self, position: str | None, next_position: str, skipped_from: str | None = None) -> bool:
        """Down to the floor or up again between stretches, with time to do it; True when the body moved."""
        text = cues.move(position, next_position, self.avoid, skipped_from)  # position None: it begins standing
        if text:
            self.say(text, Role.MOVE)
            quiet = self.quiet_after_move(position, next_position)
            if skipped_from is not None:  # whoever skipped it may have further to go
                quiet = max(quiet, self.quiet_after_move(skipped_from, next_position))
            self.pause(max(self.settle, quiet))
        return text is not None

    def quiet_after_move(self, position: str | None, next_position: str) -> float:
        """Seconds of quiet after a cue to change level: longer to get down to the floor or up from it."""
        levels = (cues.LEVELS[position] if position else "up", cues.LEVELS[next_position])  # it begins standing
        return self.p.floor_quiet if cues.to_or_from_the_floor(*levels) else self.p.move_quiet

    def leave(self, step: Step) -> None:
        """Out of the pose: the stretch's own way out (with time to do it), or a plain release after a hold.

        Reps hold nothing, and each ends standing with the feet together: no "And release." after them.
        """
        exit_cues = step.stretch.exit
        for text in exit_cues or ((cues.RELEASE,) if step.kind == HOLD else ()):
            self.say(text, Role.RELEASE, step.stretch.id)
            if exit_cues:
                self.pause(self.settle)  # each part of the way out done before the next is said

    def get_into_position(
        self, step: Step, lines: list[tuple[str, Role]], least: float, not_before: float = 0.0
    ) -> float:
        """Speak the lead-in; return when the opening chime sounds: after the settle time, `least` seconds
        from the first words, and not before `not_before`."""
        began = self.next_start()
        for text, role in lines:
            self.say(text, role, step.stretch.id)
        # Some moves take longer (the wall: roll over, feet up); with no setup said, the name is the whole cue.
        settle = max(self.settle, step.stretch.settle)
        if not any(role == Role.SETUP for _, role in lines):
            settle = max(settle, self.p.into_pose)
        return ms(max(began + least, self.t + settle, not_before))

    def setup(self, step: Step, side: str | None, first_side: bool) -> list[tuple[str, Role]]:
        """The setup for one side: whole on every side (mirrored), but for sentences said once."""
        s = step.stretch
        texts = [t for t in s.setup if first_side or t not in s.once]
        texts = [s.brief] if self.talk.setup == "first" and s.brief else Talk.some(texts, self.talk.setup)
        return [(cues.mirror(t) if side == "left" else t, Role.SETUP) for t in texts]

    def lead_into(
        self, step: Step, plan: list[tuple[int, str | None]], n: int, announced: str
    ) -> list[tuple[str, Role]]:
        """The words before hold n of a step: its announcement, a step's next round, or the switch."""
        r, side = plan[n]
        if n == 0:
            first = [(cues.first_side(side, only=len(step.sides) == 1), Role.ANNOUNCE)] if side else []
            named = [(announced, Role.ANNOUNCE)] if announced else []
            return [*named, *first, *self.setup(step, side, True)]
        if r != plan[n - 1][0]:
            return [(cues.round_start(r + 1, side), Role.ROUND), *self.setup(step, side, True)]
        switch = [(cues.SWITCH, Role.SWITCH)] if self.talk.switch_words else []
        return [*switch, *self.setup(step, side, False)]

    def hold_step(self, step: Step, announced: str, countdown: bool, least: float) -> None:
        """Every hold of a step ("" for `announced` when the stretch was announced before the way to it)."""
        s = step.stretch
        plan = [(r, side) for r in range(step.rounds) for side in step.sides]
        on_floor = cues.LEVELS[s.position] != "up" or s.position == "lunge"
        not_before = 0.0
        for n, (r, side) in enumerate(plan):
            if n:
                self.place.lead_in = self.next_start()
                least = max(step.get_ready, self.p.floor_switch if on_floor else 0)
                # Out of one side, into the other (or the same again): time for it at every level.
                not_before = self.blocks[-1].end + self.p.switch
            previous_side = plan[n - 1][1] if n else None
            if previous_side is not None and previous_side != side:
                # Out of one side before the other, in a round or into the next ("Round two, right side").
                self.out_of_side(step, previous_side)
            elif n:
                # The same side again in the next round: out of the pose first (never twice head-down in a row).
                self.leave(step)
            lines = [*self.lead_into(step, plan, n, announced), *self.contract_relax_intro(step)]
            start = self.get_into_position(step, lines, least, not_before)
            if step.dose is not None and step.dose.contract_relax is not None:
                start = self.contract_relax(step, side, start, r + 1)  # the hold opens where the last relax ends
            end = ms(start + step.hold)
            switch_next = n + 1 < len(plan) and plan[n + 1][0] == r
            block = self.block(HOLD, step, side, start, end, step_round=r + 1)
            self.chime(START_CHIME, start, Role.START, s.id, block)
            self.in_hold_cues(step, start, end, countdown, block)
            sound, closing = (SWITCH_CHIME, Role.SWITCH) if switch_next else (END_CHIME, Role.END)
            self.chime(sound, end, closing, s.id, block)

    def out_of_side(self, step: Step, side: str) -> None:
        """The way out of one side ("Slowly lower your right leg."), with time to do it."""
        if self.talk.between_sides and step.stretch.between_sides:
            for text in step.stretch.between_sides:
                self.say(cues.mirror(text) if side == "left" else text, Role.SWITCH, step.stretch.id)
                self.pause(self.settle)  # each part done before the next ("slowly come up", then the feet)

    def in_hold_cues(self, step: Step, start: float, end: float, countdown: bool, block: int) -> None:
        """A few calm reminders spread through the hold, then three-two-one, as fit."""
        sid = step.stretch.id
        p = self.p
        window_start = ms(start + self.chime_lengths[START_CHIME] + p.clearance)
        boundary = ms(end - p.clearance)  # nothing spoken may run past this
        counted = self.countdown(end, window_start, boundary) if countdown else []
        if counted:
            boundary = ms(counted[0][0] - p.gap)
        most = min(int((step.hold - p.reminder_after) // p.reminder_every), self.talk.reminders)
        texts = [*step.tips, *step.stretch.reminders][: max(most, 0)]
        zone_start = max(window_start, ms(start + p.reminder_after))
        for at, text in self.spread(texts, zone_start, boundary):
            self.say(text, Role.REMINDER, sid, at=at, block=block)
        for at, text in counted:
            self.say(text, Role.COUNTDOWN, sid, at=at, block=block)

    def countdown(self, end: float, window_start: float, boundary: float) -> list[tuple[float, str]]:
        """Three-two-one on the last seconds, or nothing when one word would not fit its second."""
        words = cues.COUNTDOWN
        counted = []
        for i, word in enumerate(words):
            at = ms(end - (len(words) - i))
            limit = boundary if i == len(words) - 1 else ms(at + 1 - self.p.count_gap)
            if at < window_start or at + self.length(word) > limit:
                return []
            counted.append((at, word))
        return counted

    def spread(self, texts: list[str], zone_start: float, zone_end: float) -> list[tuple[float, str]]:
        """Reminders at even slots over the zone, far enough apart; the last ones go first if they don't fit."""
        lengths = [self.length(t) for t in texts]
        for k in range(len(texts), 0, -1):
            slot = (zone_end - zone_start) / k
            if (k == 1 or slot >= self.p.reminder_apart) and all(lengths[i] + self.p.gap <= slot for i in range(k)):
                return [(ms(zone_start + i * slot), texts[i]) for i in range(k)]
        return []

    def rep_step(self, step: Step, announced: str, least: float) -> None:
        s = step.stretch
        lines = [
            *([(announced, Role.ANNOUNCE)] if announced else []),
            *self.setup(step, None, True),
            (cues.reps_intro(step.reps), Role.SETUP),
        ]
        start = self.get_into_position(step, lines, least)
        counts = [cues.rep_count(side, n) for n in range(1, step.reps + 1) for side in ("right", "left")]
        longest = max(self.length(t) for t in counts)
        tempo = ms(max(self.tempo, longest + self.p.gap))
        first = ms(start + self.chime_lengths[START_CHIME] + self.p.clearance)
        end = ms(first + len(counts) * tempo)
        block = self.block(REPS, step, None, start, end, reps=step.reps)
        self.chime(START_CHIME, start, Role.START, s.id, block)
        for i, text in enumerate(counts):
            self.say(text, Role.COUNT, s.id, at=first + i * tempo, block=block)
        self.chime(END_CHIME, end, Role.END, s.id, block)


def build_timeline(
    routine: Routine,
    speech_length: Callable[[str], float],
    chime_lengths: Mapping[str, float],
    pacing: Pacing = DEFAULT_PACING,
) -> Timeline:
    """Lay out a routine, in its language. `speech_length(text)` gives seconds of each spoken cue."""
    with language.speaking(routine.lang):
        return _Builder(speech_length, chime_lengths, pacing).session(routine)


def spoken_texts(routine: Routine, pacing: Pacing = DEFAULT_PACING) -> list[str]:
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

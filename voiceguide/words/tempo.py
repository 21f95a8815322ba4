"""Laying out the doses of voiceguide/words/dose.py: tempo reps in sets with rests, paced breathing, contract-relax.

Part of the timeline's builder (voiceguide/words/timeline.py mixes `DoseSteps`
in), by the timing rules of docs/design.md:

- every phase of every rep, breath and press starts on its planned instant and
  lasts its seconds: its words (or a tick) begin at its onset, and a
  `Phase` records it (the timeline JSON's `phases`);
- a set opens and closes with a chime; a rest lasts exactly `rest` from one
  set's closing chime to the next set's opening chime, with "Rest. Thirty
  seconds." after the one and "Set two of two." the settle time before the
  other;
- words never run into the next phase: the richest words that fit every phase
  are said ("One. Lift." / "Hold." / "And lower."; then the phase word alone;
  then a tick). A dose written in a routine file that does not fit its words
  at the voice's rate is an error naming the step and the shortest tempo that
  fits; a catalog default says fewer words instead;
- breaths are counted aloud ("Breathe in." / "And out.") for the first
  `counting.SPOKEN_BREATHS`, then breathed in quiet;
- sided tempo reps do every set on one side, then the whole setup and every set
  on the other;
- guidance brief says the same words (they are the phase words and counts),
  minimal the count alone at the first phase of a rep and ticks elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from voiceguide.errors import InputError
from voiceguide.words import counting, cues
from voiceguide.words.dose import Dose, seconds_text
from voiceguide.words.events import (
    BREATHS,
    CONTRACT_RELAX,
    END_CHIME,
    REST,
    START_CHIME,
    SWITCH_CHIME,
    TEMPO_SET,
    TICK_CHIME,
    Block,
    Event,
    Pacing,
    Phase,
    Role,
    ms,
)
from voiceguide.words.guidance import Talk
from voiceguide.words.routine import Step

TICK = ""  # a phase marked by a tick, not words
QUIET = None  # a phase with nothing at its onset (a quiet breath)


@dataclass
class Place:
    """Where the builder is in the routine, for the blocks it lays."""

    lap: int = 1
    step: int = 0
    lead_in: float = 0.0


# (rep or cycle, phase index) -> words, TICK or QUIET
Wording = Callable[[int, int], str | None]


class DoseSteps:
    """The timeline builder's layout of dosed steps; `timeline._Builder` provides what is declared here."""

    p: Pacing
    t: float
    settle: float
    talk: Talk
    minimal: bool
    chime_lengths: dict[str, float]
    blocks: list[Block]
    phases: list[Phase]
    place: Place

    def length(self, text: str) -> float:
        raise NotImplementedError

    def next_start(self) -> float:
        raise NotImplementedError

    def say(
        self, text: str, role: Role, stretch: str | None = None, at: float | None = None, block: int | None = None
    ) -> Event:
        raise NotImplementedError

    def chime(self, sound: str, at: float, role: Role, stretch: str | None = None, block: int | None = None) -> Event:
        raise NotImplementedError

    def block(self, kind: str, step: Step, side: str | None, start: float, end: float, **more: int) -> int:
        raise NotImplementedError

    def get_into_position(
        self, step: Step, lines: list[tuple[str, Role]], least: float, not_before: float = 0.0
    ) -> float:
        raise NotImplementedError

    def setup(self, step: Step, side: str | None, first_side: bool) -> list[tuple[str, Role]]:
        raise NotImplementedError

    def out_of_side(self, step: Step, side: str) -> None:
        raise NotImplementedError

    # -- choosing the words ----------------------------------------------

    def fits(self, wording: Wording, count: int, seconds: Sequence[float]) -> bool:
        """Every phase's words (or tick) end at least the clearance before the phase ends."""
        tick = self.chime_lengths[TICK_CHIME]
        fits = True
        for n in range(1, count + 1):  # every text measured, even after a misfit: see `choose`
            for i, secs in enumerate(seconds):
                said = wording(n, i)
                if said is None:
                    continue
                took = tick if said == TICK else self.length(said)
                fits = fits and took + self.p.clearance <= secs + 1e-9
        return fits

    def choose(self, options: list[Wording], count: int, seconds: Sequence[float]) -> Wording:
        """The first wording that fits; ticks, else quiet, when none does.

        Every option is measured, so laying out with made-up lengths (`timeline.spoken_texts`) asks for
        every text any of them may say, and all are spoken before the real layout picks one.
        """
        fitting = [wording for wording in options if self.fits(wording, count, seconds)]
        return fitting[0] if fitting else lambda n, i: QUIET

    def too_quick(
        self,
        dose: Dose,
        name: str,
        key: str,
        wording: Wording,
        count: int,
        phases: Sequence[str],
        given: Sequence[float],
    ) -> None:
        """A routine file's dose whose words do not fit: the error names the step and the shortest dose that fits
        (each phase as given where its words fit, else the half second its words and the clearance need)."""
        needs = [0.0] * len(phases)
        for n in range(1, count + 1):
            for i in range(len(phases)):
                said = wording(n, i)
                if said:
                    needs[i] = max(needs[i], self.length(said) + self.p.clearance)
        fits = [g if need <= g + 1e-9 else math.ceil(need * 2) / 2 for g, need in zip(given, needs, strict=True)]
        shortest = ", ".join(f"{p} = {seconds_text(s)}" for p, s in zip(phases, fits, strict=True))
        field = f"{dose.where}.{key}" if dose.where else key
        line = dict(dose.lines).get(key)
        location = f"{dose.source}, line {line}" if line else dose.source
        raise InputError(
            f"{location}: {field}: {name}: too quick to say its count at this rate; the shortest that fits is "
            f"{key} = {{ {shortest} }} (or a faster --rate)",
            source=dose.source,
            field=field,
        )

    def mark(self, said: str | None, at: float, sid: str, block: int) -> None:
        if said == TICK:
            self.chime(TICK_CHIME, at, Role.TICK, sid, block)
        elif said:
            self.say(said, Role.PHASE, sid, at=at, block=block)

    def lay_phases(
        self, block: int, first: float, count: int, phases: Sequence[tuple[str, float]], wording: Wording, sid: str
    ) -> float:
        """`count` cycles of the phases from `first`, each marked at its onset; the end of the last."""
        cycle = sum(secs for _, secs in phases)
        for n in range(1, count + 1):
            at = ms(first + (n - 1) * cycle)
            for i, (phase, secs) in enumerate(phases):
                end = ms(at + secs)
                self.phases.append(Phase(block, n, phase, at, end))
                self.mark(wording(n, i), at, sid, block)
                at = end
        return ms(first + count * cycle)

    # -- tempo reps ------------------------------------------------------

    def tempo_wording(self, step: Step) -> Wording:
        dose = step.dose
        assert dose is not None and dose.tempo is not None
        tempo = dose.tempo
        phases = tempo.phases()
        last = len(phases) - 1
        seconds = [secs for _, secs, _ in phases]

        def full(n: int, i: int) -> str:
            return counting.rep_phase(phases[i][2], n, tempo.reps, i == 0, i == last)

        def words(n: int, i: int) -> str:
            return counting.rep_phase(phases[i][2], n, tempo.reps, i == 0, i == last, counted=False)

        def counts(n: int, i: int) -> str:
            return counting.rep_count_only(n, tempo.reps) if i == 0 else TICK

        def ticks(n: int, i: int) -> str:
            return TICK

        if self.minimal:
            return self.choose([counts, ticks], tempo.reps, seconds)
        if dose.wrote("tempo", "phase_words") and not self.fits(full, tempo.reps, seconds):
            self.too_quick(dose, step.stretch.name, "tempo", full, tempo.reps, [p for p, _, _ in phases], seconds)
        return self.choose([full, words, ticks], tempo.reps, seconds)

    def tempo_step(self, step: Step, announced: str, least: float, on_floor: bool) -> None:
        """Every set on one side, with rests between; then the whole setup and every set on the other."""
        assert step.dose is not None and step.dose.tempo is not None
        tempo = step.dose.tempo
        wording = self.tempo_wording(step)
        sides = step.sides
        not_before = 0.0
        for n, side in enumerate(sides):
            if n:
                self.place.lead_in = self.next_start()
                self.out_of_side(step, sides[n - 1] or "right")
                least = max(step.get_ready, self.p.floor_switch if on_floor else 0)
                not_before = ms(self.blocks[-1].end + self.p.switch)
                switch = [(cues.SWITCH, Role.SWITCH)] if self.talk.switch_words else []
                lines = [*switch, *self.setup(step, side, False)]
            else:
                first = [(cues.first_side(side, only=len(sides) == 1), Role.ANNOUNCE)] if side else []
                lines = [*([(announced, Role.ANNOUNCE)] if announced else []), *first, *self.setup(step, side, True)]
            lines.append((counting.tempo_intro(tempo.reps, tempo.sets), Role.SETUP))
            start = self.get_into_position(step, lines, least, not_before)
            for k in range(1, tempo.sets + 1):
                closing = SWITCH_CHIME if k == tempo.sets and n + 1 < len(sides) else END_CHIME
                end = self.tempo_set(step, side, start, k, wording, closing)
                if k < tempo.sets:
                    start = self.rest_between(step, side, end, k)

    def tempo_set(self, step: Step, side: str | None, start: float, k: int, wording: Wording, closing: str) -> float:
        assert step.dose is not None and step.dose.tempo is not None
        tempo = step.dose.tempo
        sid = step.stretch.id
        phases = [(phase, secs) for phase, secs, _ in tempo.phases()]
        first = ms(start + self.chime_lengths[START_CHIME] + self.p.clearance)
        end = ms(first + tempo.reps * sum(secs for _, secs in phases))
        block = self.block(TEMPO_SET, step, side, start, end, reps=tempo.reps, set_n=k, set_of=tempo.sets)
        self.chime(START_CHIME, start, Role.START, sid, block)
        self.lay_phases(block, first, tempo.reps, phases, wording, sid)
        self.chime(closing, end, Role.SWITCH if closing == SWITCH_CHIME else Role.END, sid, block)
        return end

    def rest_between(self, step: Step, side: str | None, end: float, k: int) -> float:
        """The rest after set k: exactly `rest` seconds to the next set's opening chime. Returns that chime's time."""
        dose = step.dose
        assert dose is not None and dose.tempo is not None
        tempo = dose.tempo
        sid = step.stretch.id
        following = ms(end + tempo.rest)
        block = self.block(REST, step, side, end, following, set_n=k, set_of=tempo.sets)
        after_chime = ms(end + self.chime_lengths[END_CHIME] + self.p.clearance)
        rest_text, set_text = counting.rest(tempo.rest), counting.set_start(k + 1, tempo.sets)
        both = after_chime - end + self.length(rest_text) + self.p.gap + self.length(set_text) + self.settle
        if tempo.rest + 1e-9 < both and dose.wrote("rest"):
            field = f"{dose.where}.rest" if dose.where else "rest"
            line = dict(dose.lines).get("rest")
            location = f"{dose.source}, line {line}" if line else dose.source
            raise InputError(
                f"{location}: {field}: {step.stretch.name}: the {seconds_text(tempo.rest)} s rest is shorter than its "
                f"words and the {seconds_text(self.settle)} s settle time; give at least {math.ceil(both)} s",
                source=dose.source,
                field=field,
            )
        only_set = after_chime - end + self.length(set_text) + self.settle
        if tempo.rest + 1e-9 >= both:
            self.say(rest_text, Role.REST, sid, at=after_chime, block=block)
        self.place.lead_in = end  # the next set's chapter starts with the rest, or with "Set two of two."
        if tempo.rest + 1e-9 >= only_set:
            self.place.lead_in = ms(following - self.settle - self.length(set_text))
            self.say(set_text, Role.SET, sid, at=self.place.lead_in, block=block)
        return following

    # -- paced breathing -------------------------------------------------

    def breaths_step(self, step: Step, announced: str, least: float) -> None:
        dose = step.dose
        assert dose is not None and dose.breathing is not None
        breathing = dose.breathing
        sid = step.stretch.id
        lines = [
            *([(announced, Role.ANNOUNCE)] if announced else []),
            *self.setup(step, None, True),
            (counting.breathing_intro(breathing.breaths), Role.SETUP),
        ]
        start = self.get_into_position(step, lines, least)
        phases = breathing.phases()
        seconds = [secs for _, secs in phases]
        spoken = min(counting.SPOKEN_BREATHS, breathing.breaths)

        def said(kind: int) -> Wording:
            return lambda n, i: counting.BREATH_WORDS[phases[i][0]][kind] if n <= spoken else QUIET

        def ticks(n: int, i: int) -> str | None:
            return TICK if n <= spoken else QUIET

        if self.minimal:
            wording = self.choose([ticks], spoken, seconds)
        else:
            if dose.wrote("breath") and not self.fits(said(0), spoken, seconds):
                keys = ("in", "hold_in", "out", "hold_out")
                every = (breathing.inhale, breathing.hold_in, breathing.exhale, breathing.hold_out)
                names = [k for k, secs in zip(keys, every, strict=True) if secs > 0]
                self.too_quick(dose, step.stretch.name, "breath", said(0), spoken, names, seconds)
            wording = self.choose([said(0), said(1), ticks], spoken, seconds)
        first = ms(start + self.chime_lengths[START_CHIME] + self.p.clearance)
        end = ms(first + breathing.breaths * sum(seconds))
        block = self.block(BREATHS, step, None, start, end, reps=breathing.breaths)
        self.chime(START_CHIME, start, Role.START, sid, block)
        self.lay_phases(block, first, breathing.breaths, phases, wording, sid)
        self.chime(END_CHIME, end, Role.END, sid, block)

    # -- contract-relax before a hold --------------------------------------

    def contract_relax_intro(self, step: Step) -> list[tuple[str, Role]]:
        cr = step.dose.contract_relax if step.dose else None
        return [(counting.contract_relax_intro(cr.cycles), Role.SETUP)] if cr else []

    def contract_relax(self, step: Step, side: str | None, start: float, step_round: int) -> float:
        """Press and relax from the chime at `start`; returns where the hold's opening chime sounds."""
        dose = step.dose
        assert dose is not None and dose.contract_relax is not None
        cr = dose.contract_relax
        sid = step.stretch.id
        phases = (("press", cr.press), ("relax", cr.relax))
        seconds = [cr.press, cr.relax]

        def said(kind: int) -> Wording:
            return lambda n, i: counting.PRESS_WORDS[phases[i][0]][kind]

        def ticks(n: int, i: int) -> str:
            return TICK

        if self.minimal:
            wording = self.choose([ticks], cr.cycles, seconds)
        else:
            if dose.wrote("contract_relax") and not self.fits(said(0), cr.cycles, seconds):
                self.too_quick(
                    dose, step.stretch.name, "contract_relax", said(0), cr.cycles, ["press", "relax"], seconds
                )
            wording = self.choose([said(0), said(1), ticks], cr.cycles, seconds)
        first = ms(start + self.chime_lengths[START_CHIME] + self.p.clearance)
        hold_start = ms(first + cr.cycles * (cr.press + cr.relax))
        block = self.block(CONTRACT_RELAX, step, side, start, hold_start, reps=cr.cycles, step_round=step_round)
        self.chime(START_CHIME, start, Role.START, sid, block)
        self.lay_phases(block, first, cr.cycles, phases, wording, sid)
        return hold_start

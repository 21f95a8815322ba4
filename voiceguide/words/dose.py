"""Doses beyond a plain hold: tempo reps in sets with rests, paced breathing, contract-relax before a hold.

A routine file's step and a catalog entry take the same fields (README,
"Routine files"); a step's fields win over its stretch's catalog defaults:

    reps = 8, sets = 2, rest = 30, tempo = { up = 2, hold = 3, down = 3 }
    phase_words = { up = "Lift", hold = "Hold", down = "Lower" }      # optional
    breaths = 5, breath = { in = 4, out = 6, hold_in = 0, hold_out = 0 }
    contract_relax = { cycles = 2, press = 5, relax = 3 }             # then the step's hold

Validated while read, every error naming its field path. What needs speech
lengths (does a phase fit its words, does a rest fit its words and the settle
time) is checked where the session is laid out (voiceguide/words/tempo.py):
a dose written in a routine file (`written`) that does not fit is an error
there, a catalog default says fewer words instead.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from voiceguide import language
from voiceguide.fields import Fields, describe_value

PHASE_LIMITS = (0.5, 60.0)  # seconds of one phase of a rep, a breath or a press
SETS_LIMITS = (1, 10)
REST_LIMITS = (1.0, 600.0)  # seconds between sets: at most 10 minutes
BREATHS_LIMITS = (1, 60)
CYCLES_LIMITS = (1, 10)
REPS_LIMITS = (1, 50)
TEMPO_PHASES = ("up", "hold", "down")
DOSE_KEYS = ("tempo", "sets", "rest", "phase_words", "breaths", "breath", "contract_relax")


def seconds_text(value: float) -> str:
    """2.0 -> "2", 1.5 -> "1.5"."""
    return f"{value:g}"


@dataclass(frozen=True)
class TempoReps:
    """`reps` reps in `sets` sets, `rest` seconds between sets, each rep in phases up, hold (0: none), down."""

    reps: int
    sets: int = 1
    rest: float = 30.0
    up: float = 2.0
    hold: float = 0.0
    down: float = 2.0
    words: tuple[str, str, str] = ("Lift", "Hold", "Lower")  # up, hold, down

    def phases(self) -> tuple[tuple[str, float, str], ...]:
        """(phase, seconds, word) of one rep, in order."""
        named = zip(TEMPO_PHASES, (self.up, self.hold, self.down), self.words, strict=True)
        return tuple((phase, secs, word) for phase, secs, word in named if secs > 0)

    @property
    def label(self) -> str:
        return "-".join(seconds_text(s) for _, s, _ in self.phases())

    def describe(self) -> str:
        """ "2 x 8, 3-3-3 tempo, 30 s rest", in the session's language (voiceguide/language.py)."""
        if self.sets > 1:
            return language._("{sets} x {reps}, {label} tempo, {rest} s rest").format(
                sets=self.sets, reps=self.reps, label=self.label, rest=seconds_text(self.rest)
            )
        return language._("{sets} x {reps}, {label} tempo").format(sets=self.sets, reps=self.reps, label=self.label)


@dataclass(frozen=True)
class Breathing:
    breaths: int
    inhale: float
    exhale: float
    hold_in: float = 0.0
    hold_out: float = 0.0

    def phases(self) -> tuple[tuple[str, float], ...]:
        """(phase, seconds) of one breath, in order: in, hold (after in), out, hold (after out)."""
        every = (("in", self.inhale), ("hold", self.hold_in), ("out", self.exhale), ("hold", self.hold_out))
        return tuple((phase, secs) for phase, secs in every if secs > 0)

    def describe(self) -> str:
        parts = [language._("in {n} s").format(n=seconds_text(self.inhale))]
        parts += [language._("hold {n} s").format(n=seconds_text(self.hold_in))] if self.hold_in else []
        parts += [language._("out {n} s").format(n=seconds_text(self.exhale))]
        parts += [language._("hold {n} s").format(n=seconds_text(self.hold_out))] if self.hold_out else []
        said = language.n_("{n} breath, {phases}", "{n} breaths, {phases}", self.breaths)
        return said.format(n=self.breaths, phases=", ".join(parts))


@dataclass(frozen=True)
class ContractRelax:
    cycles: int
    press: float
    relax: float

    def describe(self) -> str:
        return language._("contract-relax {n} x (press {press} s, relax {relax} s)").format(
            n=self.cycles, press=seconds_text(self.press), relax=seconds_text(self.relax)
        )


@dataclass(frozen=True)
class Dose:
    """What a step does besides a plain hold or alternating reps; at most one of tempo and breathing."""

    tempo: TempoReps | None = None
    breathing: Breathing | None = None
    contract_relax: ContractRelax | None = None
    # Keys a routine file wrote itself (tempo, phase_words, rest, breath, contract_relax): where these
    # cannot fit their words at the voice's rate it is an error, not fewer words (a catalog default's).
    written: tuple[str, ...] = ()

    def wrote(self, *keys: str) -> bool:
        return any(k in self.written for k in keys)

    where: str = ""  # the field path of its step (steps[0]), for errors found while laying it out
    source: str = ""  # the file it was written in
    lines: tuple[tuple[str, int], ...] = ()  # (key, line in the file): tempo, rest, breath, contract_relax

    def describe(self) -> str:
        parts = [
            *([self.tempo.describe()] if self.tempo else []),
            *([self.breathing.describe()] if self.breathing else []),
            *([self.contract_relax.describe()] if self.contract_relax else []),
        ]
        return "; ".join(parts)


def _seconds(f: Fields, key: str, low: float, high: float, default: Any = None) -> Any:
    value = f.raw(key, default)
    if value is default and default is not None:
        return value
    if value is None:
        return None
    at = f.where(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise f.error(f"expected a number of seconds, got {describe_value(value)}", at=at)
    if value <= 0:
        raise f.error(f"{value:g} s is not a length of time; give more than 0 seconds (at least {low:g})", at=at)
    if not low <= value <= high:
        limit = f"at most {high:g} s ({high / 60:g} minutes)" if high >= 120 else f"{low:g} to {high:g} seconds"
        raise f.error(f"{value:g} s is out of range; use {limit}", at=at)
    return round(float(value) * 1000) / 1000


def _tempo(f: Fields, base: TempoReps | None, reps: int | None) -> TempoReps | None:
    has = [k for k in ("tempo", "sets", "rest", "phase_words") if f.has(k)]
    if not has and base is None:
        return None
    if base is None and not f.has("tempo"):
        raise f.error(
            f"'{has[0]}' belongs to tempo reps; add 'tempo = {{ up = 2, hold = 3, down = 3 }}' (seconds per phase)",
            at=f.where(has[0]),
        )
    if base is None and reps is None:
        raise f.error("tempo reps need 'reps' (reps in each set)", at=f.where("reps"))
    out = base or TempoReps(reps=reps or 1)
    if f.has("tempo"):
        t = Fields(f.raw("tempo"), f.where("tempo"), f.source)
        up = _seconds(t, "up", *PHASE_LIMITS)
        down = _seconds(t, "down", *PHASE_LIMITS)
        hold = _seconds(t, "hold", *PHASE_LIMITS, default=0.0) if t.has("hold") else 0.0
        t.finish()
        out = dataclasses.replace(out, up=up, hold=hold, down=down)
    if f.has("phase_words"):
        w = Fields(f.raw("phase_words"), f.where("phase_words"), f.source)
        words = tuple(
            w.text(p, default=old, max_len=30).rstrip(".!,;: ") if w.has(p) else old
            for p, old in zip(TEMPO_PHASES, out.words, strict=True)
        )
        w.finish()
        out = dataclasses.replace(out, words=(words[0], words[1], words[2]))
    sets = f.integer("sets", *SETS_LIMITS, default=out.sets, unit="sets")
    rest = _seconds(f, "rest", *REST_LIMITS, default=out.rest)
    return dataclasses.replace(out, reps=reps or out.reps, sets=sets, rest=rest)


def _breathing(f: Fields, base: Breathing | None) -> Breathing | None:
    if not (f.has("breaths") or f.has("breath")):
        return base
    if not f.has("breath") and base is None:
        raise f.error("needs 'breath = { in = 4, out = 6 }' (seconds in and out)", at=f.where("breath"))
    count = f.integer("breaths", *BREATHS_LIMITS, default=base.breaths if base else 5, unit="breaths")
    if not f.has("breath"):
        return dataclasses.replace(base, breaths=count) if base else None
    b = Fields(f.raw("breath"), f.where("breath"), f.source)
    out = Breathing(
        breaths=count,
        inhale=_seconds(b, "in", *PHASE_LIMITS),
        exhale=_seconds(b, "out", *PHASE_LIMITS),
        hold_in=_seconds(b, "hold_in", *PHASE_LIMITS, default=0.0) if b.has("hold_in") else 0.0,
        hold_out=_seconds(b, "hold_out", *PHASE_LIMITS, default=0.0) if b.has("hold_out") else 0.0,
    )
    b.finish()
    return out


def _contract_relax(f: Fields, base: ContractRelax | None) -> ContractRelax | None:
    if not f.has("contract_relax"):
        return base
    c = Fields(f.raw("contract_relax"), f.where("contract_relax"), f.source)
    out = ContractRelax(
        cycles=c.integer("cycles", *CYCLES_LIMITS, default=1, unit="cycles"),
        press=_seconds(c, "press", *PHASE_LIMITS),
        relax=_seconds(c, "relax", *PHASE_LIMITS),
    )
    c.finish()
    return out


def read_dose(
    f: Fields, base: Dose | None, reps: int | None, holds: bool, name: str, strict: bool = True
) -> Dose | None:
    """The dose of a step (or catalog entry) from its fields over `base` (the catalog's).

    `reps`: the step's own `reps`, when it gave them; `holds`: the step is a
    hold (a contract-relax needs one). None when the step has no dose.
    """
    base = base or Dose()
    given = {key for key in DOSE_KEYS if f.has(key)}  # every key asked, so a misspelling is told as one
    own_breath = bool(given & {"breaths", "breath"})
    if own_breath or base.breathing:
        other = "reps" if reps is not None else next((k for k in ("tempo", "sets", "rest") if f.has(k)), None)
        if other:
            raise f.error(
                f"has both 'breaths' and '{other}'; a step is either paced breathing or reps: make two steps",
                at=f.where(other),
            )
    breathing = _breathing(f, base.breathing)
    tempo = None if breathing else _tempo(f, base.tempo, reps)
    contract_relax = _contract_relax(f, base.contract_relax)
    if f.has("contract_relax") and (tempo or breathing or not holds):
        what = "tempo reps" if tempo else "paced breathing" if breathing else "dynamic reps"
        raise f.error(
            f"{name} is {what}, with no hold; contract-relax comes before a hold: remove 'contract_relax'",
            at=f.where("contract_relax"),
        )
    if tempo is None and breathing is None and contract_relax is None:
        return None
    written = tuple(sorted(given)) if strict else ()
    return Dose(tempo, breathing, None if tempo or breathing else contract_relax, written, f.where(), f.source)

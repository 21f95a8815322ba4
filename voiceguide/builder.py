"""Shaping a routine with the builder options: filters, order, doses, a target length.

Applied after the routine is loaded, so an option given on the command line
wins over the preset or routine file it is applied to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from voiceguide.catalog import EQUIPMENT, POSITIONS, Catalog, Stretch, load_catalog
from voiceguide.errors import InputError
from voiceguide.routine import MAX_SESSION_SECONDS, Routine, Step

ORDERS = ("flow", "as-given")
MINUTES_TOLERANCE = 0.10
FIT_HOLDS = range(20, 31)  # the seed's advice: 20-30 s
FIT_MAX_ROUNDS = 20  # the most rounds a routine may have


@dataclass(frozen=True)
class Options:
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()
    equipment: tuple[str, ...] | None = None  # what the person has; None: not asked
    hold: int | None = None
    rounds: int | None = None
    get_ready: int | None = None
    reps: int | None = None
    countdown: bool | None = None
    order: str | None = None
    minutes: float | None = None
    guidance: str | None = None  # full, brief or minimal (GUIDANCE); None: the routine's
    avoid: tuple[str, ...] = ()  # what the body cannot do (catalog NEEDS): kneeling, lunging, ...
    settle: float | None = None  # quiet seconds after the setup before the opening chime
    tempo: float | None = None  # seconds per rep of a dynamic stretch


def apply(routine: Routine, options: Options, catalog: Catalog | None = None) -> Routine:
    """Everything but --minutes, which needs speech lengths (see fit_minutes)."""
    catalog = catalog or load_catalog()
    steps = list(routine.steps)
    if options.only:
        wanted = [catalog.get(name, where="--only").id for name in options.only]
        steps = [s for s in steps if s.stretch.id in wanted]
        if options.order == "as-given" or options.order is None:
            steps.sort(key=lambda s: wanted.index(s.stretch.id))
    if options.skip:
        unwanted = {catalog.get(name, where="--skip").id for name in options.skip}
        steps = [s for s in steps if s.stretch.id not in unwanted]
    if options.positions:
        steps = [s for s in steps if s.stretch.position in options.positions]
    if options.equipment is not None:
        steps = [s for s in steps if usable(s.stretch, options.equipment)]
    if not steps:
        raise InputError("no stretches left after --only/--skip/--position/--equipment; loosen a filter")
    if options.order == "flow":
        steps.sort(key=flow_key)
    changes = {
        k: v
        for k, v in (("hold", options.hold), ("get_ready", options.get_ready), ("reps", options.reps))
        if v is not None
    }
    steps = [dataclasses.replace(s, **changes) for s in steps]
    routine = dataclasses.replace(routine, steps=tuple(steps))
    if options.rounds is not None:
        routine = dataclasses.replace(routine, rounds=options.rounds)
    if options.countdown is not None:
        routine = dataclasses.replace(routine, countdown=options.countdown)
    return routine


def advised(step: Step, hold: int) -> int:
    """The hold, kept inside the stretch's own advice (the reclining pose is 30 s)."""
    low, high = step.stretch.hold
    return min(max(hold, low), high)


def usable(stretch: Stretch, has: tuple[str, ...]) -> bool:
    if not stretch.equipment_required:
        return True
    return bool(set(stretch.equipment) & set(has))


def flow_key(step: Step) -> tuple[int, int]:
    """Standing first (the dynamic warm-up before the holds), down to the floor, the wall last."""
    return POSITIONS.index(step.stretch.position), 0 if step.stretch.kind == "reps" else 1


def parse_equipment(values: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        for item in value.split(","):
            item = item.strip().lower()
            if item == "none":
                continue
            if item not in EQUIPMENT:
                raise InputError(f"--equipment: unknown {item!r}; use none, {', '.join(EQUIPMENT)}")
            out.append(item)
    return tuple(out)


def fit_minutes(
    routine: Routine,
    minutes: float,
    duration_of: Callable[[Routine], float],
    hold_fixed: bool = False,
    rounds_fixed: bool = False,
) -> Routine:
    """The routine closest to `minutes` long, by choosing stretches, holds and rounds.

    Candidates keep the routine's order and drop stretches from the end, hold
    every stretch 20-30 s (unless --hold was given) and repeat the whole
    routine in rounds. The closest within 10% wins, preferring more stretches
    and fewer rounds; otherwise the error says how close it can get.
    """
    target = minutes * 60
    if target > MAX_SESSION_SECONDS:
        raise InputError(f"--minutes: {minutes:g} is over the 3-hour limit; use at most 180")
    steps = routine.steps

    def shaped(k: int, rounds: int, hold: int | None) -> Routine:
        chosen = steps[:k] if hold is None else tuple(dataclasses.replace(s, hold=advised(s, hold)) for s in steps[:k])
        return dataclasses.replace(routine, steps=chosen, rounds=rounds)

    # A session of holds keeps at least one hold, whatever the target.
    first_hold = next((i for i, s in enumerate(steps) if s.stretch.kind == "hold"), 0)

    def holds_to_try(k: int, rounds: int) -> list[int | None]:
        if hold_fixed:
            return [None]
        low, high = FIT_HOLDS[0], FIT_HOLDS[-1]
        d_low, d_high = duration_of(shaped(k, rounds, low)), duration_of(shaped(k, rounds, high))
        if target <= d_low or d_high <= d_low:
            return [low]
        if target >= d_high:
            return [high]
        guess = round(low + (high - low) * (target - d_low) / (d_high - d_low))
        return [h for h in (guess - 1, guess, guess + 1) if low <= h <= high]

    best: tuple[float, Routine] | None = None
    for rounds in [routine.rounds] if rounds_fixed else range(1, FIT_MAX_ROUNDS + 1):
        for k in range(len(steps), first_hold, -1):
            for hold in holds_to_try(k, rounds):
                candidate = shaped(k, rounds, hold)
                error = abs(duration_of(candidate) - target)
                # Prefer more stretches and fewer rounds when lengths are about as close.
                score = error + 5 * (len(steps) - k) + 20 * (rounds - 1)
                if best is None or score < best[0]:
                    best = (score, candidate)
        if duration_of(shaped(first_hold + 1, rounds + 1, None if hold_fixed else FIT_HOLDS[0])) > target * 1.1:
            break  # more rounds only get longer
    assert best is not None
    chosen = best[1]
    got = duration_of(chosen)
    if abs(got - target) > target * MINUTES_TOLERANCE:
        shortest = duration_of(shaped(first_hold + 1, 1, None if hold_fixed else FIT_HOLDS[0]))
        why = (
            f"the shortest session of this routine is {shortest / 60:.1f} minutes"
            if target < shortest
            else f"the closest it can get is {got / 60:.1f} minutes"
        )
        unit = "minute" if minutes == 1 else "minutes"
        raise InputError(f"--minutes: cannot fit {minutes:g} {unit} within 10%: {why}")
    return chosen

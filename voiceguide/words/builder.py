"""Shaping a routine with the builder options: filters, order, doses, a target length.

Applied after the routine is loaded, so an option given on the command line
wins over the preset or routine file it is applied to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from voiceguide.errors import InputError
from voiceguide.words import profiles, suited
from voiceguide.words.catalog import EQUIPMENT, POSITIONS, Catalog, Stretch
from voiceguide.words.routine import MAX_SESSION_SECONDS, ROUNDS_LIMITS, Routine, Step, step_for
from voiceguide.words.translated import catalog_in

ORDERS = ("flow", "as-given")
MINUTES_TOLERANCE = 0.10
FIT_HOLDS = range(20, 31)  # the source article's advice: 20-30 s (docs/design.md)
FIT_MAX_ROUNDS = ROUNDS_LIMITS[1]  # the most rounds of one hold


@dataclass(frozen=True)
class Options:
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()
    equipment: tuple[str, ...] | None = None  # what the person has; None: not asked
    hold: int | None = None
    rounds: int | None = None  # each step's holds in a row, in place (each side each time)
    laps: int | None = None  # times through the whole routine
    get_ready: int | None = None
    reps: int | None = None
    countdown: bool | None = None
    order: str | None = None
    minutes: float | None = None
    guidance: str | None = None  # full, brief or minimal (GUIDANCE); None: the routine's
    avoid: tuple[str, ...] = ()  # what the body cannot do (catalog NEEDS): kneeling, lunging, ...
    settle: float | None = None  # quiet seconds after the setup before the opening chime
    tempo: float | None = None  # seconds per rep of a dynamic stretch
    profiles: tuple[str, ...] = ()  # bad-knee, no-floor, high-blood-pressure (voiceguide/words/profiles.py)
    check_in: bool | None = None  # a pain score at the start and the end; None: the routine's
    prefer: str | None = None  # flexion, extension or neutral (catalog PREFERENCES); None: the routine's


def apply(routine: Routine, options: Options, catalog: Catalog | None = None) -> Routine:
    """Everything but --minutes, which needs speech lengths (see fit_minutes)."""
    catalog = catalog or catalog_in(routine.lang)
    chosen = tuple(dict.fromkeys(routine.profiles + options.profiles))
    moved = False
    if chosen:  # a profile swaps in the versions that suit the body, and adds to what it avoids
        profiled, moved = suited.profiled(routine.steps, chosen, catalog)
        routine = dataclasses.replace(
            routine,
            steps=profiled,
            avoid=tuple(dict.fromkeys(routine.avoid + profiles.avoided(chosen))),
            profiles=chosen,
        )
        options = dataclasses.replace(
            options,
            only=suited.swapped(options.only, chosen, catalog, "--only", keep=False),
            skip=suited.swapped(options.skip, chosen, catalog, "--skip", keep=True),
        )
    steps = _chosen(routine, options, catalog)
    # A profile's chair version keeps the floor one's place: by flow, the chair comes before the floor, so the
    # session goes down once and up once (a bad knee went floor, chair, floor, chair).
    if options.order == "flow" or (moved and options.order != "as-given"):
        steps.sort(key=flow_key)
    if options.order == "flow" or (options.order is None and routine.pool):  # a file's own order is its author's
        steps = after_their_test(warm_first(steps))
    avoid = tuple(dict.fromkeys(routine.avoid + options.avoid))
    dosed = tuple(
        dataclasses.replace(
            s,
            stretch=s.stretch.for_body(avoid),  # nothing offers what the body avoids
            hold=_given(options.hold, s.hold),
            get_ready=_given(options.get_ready, s.get_ready),
            reps=_given(options.reps, s.reps),
            rounds=_given(options.rounds, s.rounds) if repeats(s) else 1,
        )
        for s in steps
    )
    return dataclasses.replace(
        routine,
        steps=dosed,
        laps=_given(options.laps, routine.laps),
        countdown=_given(options.countdown, routine.countdown),
        guidance=_given(options.guidance, routine.guidance),
        settle=_given(options.settle, routine.settle),
        tempo=_given(options.tempo, routine.tempo),
        check_in=_given(options.check_in, routine.check_in),
        prefer=_given(options.prefer, routine.prefer),
        avoid=avoid,
        # A preset's stretches are a pool --minutes may trim, narrowed or not; stretches named by --only are kept.
        pool=routine.pool and not chose_stretches(options),
    )


_T = TypeVar("_T")


def _given(option: _T | None, value: _T) -> _T:
    """The command line's value when given, else the routine's."""
    return value if option is None else option


def chose_stretches(options: Options) -> bool:
    """Whether the person named the stretches (--only): the filters (--skip, --position, --equipment, --avoid)
    narrow a preset's pool and leave it one --minutes may trim, so a bad knee can have a short session too."""
    return bool(options.only)


def _chosen(routine: Routine, options: Options, catalog: Catalog) -> list[Step]:
    """The routine's steps through --only, --skip, --position, --equipment and --avoid."""
    steps = _only(list(routine.steps), options, catalog, routine.pool)
    if options.skip:
        unwanted = {catalog.get(name, where="--skip").id for name in options.skip}
        steps = [s for s in steps if s.stretch.id not in unwanted]
    positions = options.positions or POSITIONS
    has = options.equipment
    avoid = set(routine.avoid + options.avoid)
    prefer = options.prefer or routine.prefer
    steps = [
        s
        for s in steps
        if s.stretch.position in positions
        and (has is None or usable(s.stretch, has))
        and not avoid & set(s.stretch.needs)
        and suited.preferred(s, prefer)
    ]
    if not steps:
        raise InputError("no stretches left after --only/--skip/--position/--equipment/--avoid; loosen a filter")
    return steps


def _only(steps: list[Step], options: Options, catalog: Catalog, pool: bool) -> list[Step]:
    """The steps --only names; from a preset, what it does not have comes from the catalog, so
    `script --only cat-camel` needs no routine that lists it."""
    if not options.only:
        return steps
    wanted = [catalog.get(name, where="--only").id for name in options.only]
    if pool:
        have = {s.stretch.id for s in steps}
        base = {"hold": None, "reps": None, "get_ready": steps[0].get_ready if steps else 10}
        steps += [step_for(catalog.get(i), base) for i in dict.fromkeys(wanted) if i not in have]
    steps = [s for s in steps if s.stretch.id in wanted]
    if options.order in ("as-given", None):
        steps.sort(key=lambda s: wanted.index(s.stretch.id))
    return steps


def advised(step: Step, hold: int) -> int:
    """The hold, kept inside the stretch's own advice (the reclining pose is 30 s)."""
    low, high = step.stretch.hold
    return min(max(hold, low), high)


def advised_reps(step: Step, hold: int) -> int:
    """Reps of a dynamic stretch to go with holds of `hold` seconds: the low end of its advice with the
    shortest holds, the high end with the longest, never more than the routine asked for."""
    low, high = step.stretch.reps or (step.reps, step.reps)
    share = (hold - FIT_HOLDS[0]) / (FIT_HOLDS[-1] - FIT_HOLDS[0])
    return min(step.reps, max(low, min(high, low + round(share * (high - low)))))


def advised_dose(step: Step, hold: int) -> Step:
    """A tempo step's sets and reps to go with holds of `hold` seconds, as advised_reps: one set and the low end
    of the catalog's reps with the shortest holds, the step's own dose with the longest; never more. The tempo
    (seconds of each phase) is a prescription and never changes; a step of your own keeps its reps."""
    dose = step.dose
    if dose is None or dose.tempo is None:
        return step
    tempo = dose.tempo
    share = (hold - FIT_HOLDS[0]) / (FIT_HOLDS[-1] - FIT_HOLDS[0])
    low, high = step.stretch.reps or (tempo.reps, tempo.reps)
    reps = min(tempo.reps, max(low, min(high, low + round(share * (high - low)))))
    sets = min(tempo.sets, max(1, 1 + round(share * (tempo.sets - 1))))
    shaped = dataclasses.replace(tempo, reps=reps, sets=sets)
    return dataclasses.replace(step, dose=dataclasses.replace(dose, tempo=shaped))


def usable(stretch: Stretch, has: tuple[str, ...]) -> bool:
    if not stretch.equipment_required:
        return True
    return bool(set(stretch.equipment) & set(has))


def repeats(step: Step) -> bool:
    """Whether a step's holds may be held again in place (rounds): not a rep set, and never head-down twice,
    with no second chance to hear the caution (docs/catalog.md)."""
    return step.kind == "hold" and "inversion" not in step.stretch.needs


def warm_first(steps: list[Step]) -> list[Step]:
    """Never head-down first and cold: with no warm-up before it (--avoid standing leaves none), the first
    stretch that keeps the head up comes before the head-down ones (docs/catalog.md)."""
    first = next((i for i, s in enumerate(steps) if "inversion" not in s.stretch.needs), 0)
    return [steps[first], *steps[:first], *steps[first + 1 :]] if first else steps


def after_their_test(steps: list[Step]) -> list[Step]:
    """A step whose stretch comes `after` another (press-ups after lying on the elbows) is moved to follow it."""
    out = list(steps)
    for step in steps:
        first = next((i for i, s in enumerate(out) if s.stretch.id == step.stretch.after), None)
        if first is not None and out.index(step) < first:
            out.remove(step)
            out.insert(first, step)  # `first` shifted down by one: this lands right after it
    return out


def flow_key(step: Step) -> tuple[int, int]:
    """Standing first (the dynamic warm-up before the holds), down to the floor, the wall last."""
    return POSITIONS.index(step.stretch.position), 0 if step.kind == "reps" else 1


def parse_choices(values: tuple[str, ...], choices: tuple[str, ...], option: str) -> tuple[str, ...]:
    """Names an option takes (already split at commas), checked against its choices."""
    for value in values:
        if value.lower() not in choices:
            raise InputError(f"{option}: unknown {value!r}; use {', '.join(choices)}")
    return tuple(dict.fromkeys(v.lower() for v in values))


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


@dataclass(frozen=True)
class Fitted:
    routine: Routine
    note: str  # one line for stderr: what the fit changed


def fit_minutes(
    routine: Routine,
    minutes: float,
    duration_of: Callable[[Routine], float],
    hold_fixed: bool = False,
    rounds_fixed: bool = False,
    reps_fixed: bool = False,
    exact: bool = True,
) -> Fitted:
    """The routine closest to `minutes` long, by choosing holds, rounds and (for a preset) stretches.

    Holds stay in each stretch's recommended range (20-30 s unless --hold was
    given), reps in theirs (10-12 a leg, never more than the routine's, unless
    --reps was given: fewer with shorter holds), and each hold may be held
    again in place, in rounds (unless --rounds was given). The laps, times through the whole routine, stay as
    given: a lap more is another trip down to the floor and up again. Stretches
    named by --only stay in; only a preset's pool (`Routine.pool`), narrowed or not, may
    be trimmed, in clinical order (`trim_order`), keeping the flow order of what
    stays. The closest within 10% wins, preferring more stretches and fewer
    rounds; otherwise the error says by how much it misses, unless `exact` is
    False (a preset's own "about 5 minutes", which nobody typed): then the
    closest wins, and the note says so.
    """
    target = minutes * 60
    if target > MAX_SESSION_SECONDS:
        raise InputError(f"--minutes: {minutes:g} is over the 3-hour limit; use at most 180")
    rounds_range = [1] if rounds_fixed else range(1, FIT_MAX_ROUNDS + 1)
    fit = _Fit(routine, target, duration_of, hold_fixed, reps_fixed)
    best = fit.best(rounds_range)
    if abs(fit.duration(best) - target) > target * MINUTES_TOLERANCE and routine.pool:
        # The tiers leave a gap around the target: keep only the two rules that matter most.
        fit = _Fit(routine, target, duration_of, hold_fixed, reps_fixed, strict=False)
        best = fit.best(rounds_range)
    if abs(fit.duration(best) - target) > target * MINUTES_TOLERANCE:
        if exact:
            fit.refuse(minutes, best)
        unit = "minute" if minutes == 1 else "minutes"
        return Fitted(best, f"{fit.note(best)} (the closest to the routine's {minutes:g} {unit})")
    return Fitted(best, fit.note(best))


def trim_rank(step: Step, pool: tuple[Step, ...] = ()) -> tuple[int, int]:
    """(tier, rank in the tier): how long a stretch stays in a preset trimmed to fit, lowest out first.

    Out first, one tier each: what asks most of a stiff back or a bad knee,
    weight on the knees (Downward Dog, head down too), a lunge (head down too),
    the head below the heart (the forward bend). Then the same movement twice:
    the lying stretch with a strap, when the pool has the plain lying stretch.
    Then, any of them: the seated forward bend (sitting bent forward loads the
    lower back most of the floor stretches), the standing holds and the wall,
    in that order of preference. Then the warm-up, so a session that keeps a
    standing stretch keeps its warm-up. Out last: the lying stretches, the
    lower back supported by the floor. docs/design.md, "Fitting a length".
    """
    s = step.stretch
    for tier, need in enumerate(("kneeling", "lunging", "inversion")):
        if need in s.needs:
            return tier, 0
    if s.kind == "reps":
        return 5, 0
    if s.position == "lying":
        plain = any(p.stretch.position == "lying" and not p.stretch.equipment_required for p in pool)
        return (3, 0) if s.equipment_required and plain else (6, 0)
    return 4, ("seated", "standing", "lunge", "all-fours", "prone", "chair", "wall").index(s.position)


def _pool_choices(steps: tuple[Step, ...]) -> list[tuple[Step, ...]]:
    """What a preset's pool may be trimmed to, most stretches first, in the pool's order (the flow).

    A stretch is left out only with every stretch of a lower tier (trim_rank);
    within its tier any of them may go. Every choice keeps at least one hold.
    A tier of more than MAX_POOL_SEARCH steps is trimmed by rank only, to keep
    the search small.
    """
    ranks = [trim_rank(s, steps) for s in steps]
    seen: dict[frozenset[int], None] = {}
    for tier in sorted({r[0] for r in ranks}):
        below = {i for i, r in enumerate(ranks) if r[0] < tier}
        level = sorted((i for i, r in enumerate(ranks) if r[0] == tier), key=lambda i: (ranks[i], -i))
        if len(level) > MAX_POOL_SEARCH:
            drops = [frozenset(level[:k]) for k in range(len(level) + 1)]
        else:
            drops = [frozenset(i for j, i in enumerate(level) if mask >> j & 1) for mask in range(1 << len(level))]
        for drop in drops:
            seen.setdefault(frozenset(below | drop), None)
    choices = [tuple(s for i, s in enumerate(steps) if i not in dropped) for dropped in seen]
    choices = [c for c in choices if any(s.stretch.kind == "hold" for s in c)]
    return sorted(choices, key=len, reverse=True)


def _loose_choices(steps: tuple[Step, ...]) -> list[tuple[Step, ...]]:
    """The pool's trims when the tiers leave no length near the target: any, but for the two rules that matter
    most. The kneeling, lunging and head-down stretches go first, in their order, before anything else; a
    session that keeps a standing stretch keeps its warm-up. (Past MAX_POOL_SEARCH steps: the tiers only.)"""
    n = len(steps)
    if n > MAX_POOL_SEARCH:
        return _pool_choices(steps)
    ranks = [trim_rank(s, steps)[0] for s in steps]
    demanding = sorted((i for i in range(n) if ranks[i] <= 2), key=lambda i: (ranks[i], -i))
    warm_ups = {i for i in range(n) if steps[i].stretch.kind == "reps"}
    choices = []
    for mask in range(1, 1 << n):
        kept = {i for i in range(n) if mask >> i & 1}
        gone = [i for i in demanding if i not in kept]
        others_gone = n - len(kept) - len(gone)
        if gone != demanding[: len(gone)] or (others_gone and gone != demanding):
            continue  # a demanding stretch kept while one before it, or anything else, is left out
        if any(steps[i].stretch.position == "standing" for i in kept) and not warm_ups <= kept:
            continue
        choice = tuple(s for i, s in enumerate(steps) if i in kept)
        if any(s.stretch.kind == "hold" for s in choice):
            choices.append(choice)
    return sorted(choices, key=len, reverse=True)


def trim_cost(step: Step, pool: tuple[Step, ...]) -> float:
    """Seconds a fit counts against leaving a stretch out: more stretches are better, the later-tier ones more so."""
    tier, rank = trim_rank(step, pool)
    return 5.0 + tier + rank


MAX_POOL_SEARCH = 12
SHORTLIST = 6  # step choices per round count measured exactly, out of those estimated closest


class _Fit:
    """Candidates for fit_minutes, and what to say about the one chosen."""

    def __init__(
        self,
        routine: Routine,
        target: float,
        duration_of: Callable[[Routine], float],
        hold_fixed: bool,
        reps_fixed: bool = False,
        strict: bool = True,
    ) -> None:
        self.routine, self.target, self.duration, self.hold_fixed = routine, target, duration_of, hold_fixed
        self.reps_fixed = reps_fixed
        trims = _pool_choices if strict else _loose_choices
        self.choices = trims(routine.steps) if routine.pool else [routine.steps]
        # Each step's own cost in seconds, once and for each round more (a round repeats the holds, not the
        # announcement or the move), to estimate a choice's length before measuring it.
        hold = self.shortest_hold()
        self.base = duration_of(dataclasses.replace(routine, steps=(), laps=1))
        self.cost: dict[int, tuple[float, float]] = {}
        for s in routine.steps:
            once, twice = (duration_of(self.shaped_steps((s,), r, hold)) - self.base for r in (1, 2))
            self.cost[id(s)] = (once, twice - once)

    def estimate(self, choice: int, rounds: int) -> float:
        costs = [self.cost[id(s)] for s in self.choices[choice]]
        return self.base + sum(once + (rounds - 1) * more for once, more in costs)

    def shortlist(self, rounds: int) -> list[int]:
        if len(self.choices) <= SHORTLIST:
            return list(range(len(self.choices)))
        count = len(self.routine.steps)

        def score(choice: int) -> float:
            return abs(self.estimate(choice, rounds) - self.target) + 5 * (count - len(self.choices[choice]))

        return sorted(range(len(self.choices)), key=score)[:SHORTLIST]

    def shaped_steps(self, steps: tuple[Step, ...], rounds: int, hold: int | None) -> Routine:
        """The steps with the hold (within each one's advice), reps to match, each hold `rounds` times its own."""
        shaped = []
        for s in steps:
            if hold is not None:
                s = dataclasses.replace(s, hold=advised(s, hold))
                if s.stretch.kind == "reps" and not self.reps_fixed:
                    s = dataclasses.replace(s, reps=advised_reps(s, hold))
                if s.kind == "tempo" and not self.reps_fixed:
                    s = advised_dose(s, hold)  # sets and reps before anything is left out
            if rounds > 1 and repeats(s):
                s = dataclasses.replace(s, rounds=min(s.rounds * rounds, FIT_MAX_ROUNDS))
            shaped.append(s)
        return dataclasses.replace(self.routine, steps=tuple(shaped))

    def shaped(self, choice: int, rounds: int, hold: int | None) -> Routine:
        return self.shaped_steps(self.choices[choice], rounds, hold)

    def holds_to_try(self, k: int, rounds: int) -> list[int | None]:
        if self.hold_fixed:
            return [None]
        low, high = FIT_HOLDS[0], FIT_HOLDS[-1]
        d_low, d_high = self.duration(self.shaped(k, rounds, low)), self.duration(self.shaped(k, rounds, high))
        if self.target <= d_low or d_high <= d_low:
            return [low]
        if self.target >= d_high:
            return [high]
        guess = round(low + (high - low) * (self.target - d_low) / (d_high - d_low))
        return [h for h in (guess - 1, guess, guess + 1) if low <= h <= high]

    def best(self, rounds_range: range | list[int]) -> Routine:
        best: tuple[float, Routine] | None = None
        for rounds in rounds_range:
            for choice in self.shortlist(rounds):
                steps = self.choices[choice]
                for hold in self.holds_to_try(choice, rounds):
                    candidate = self.shaped(choice, rounds, hold)
                    # Prefer more stretches (the later-tier ones most) and fewer rounds when lengths are about as close.
                    left_out = sum(trim_cost(s, self.routine.steps) for s in self.routine.steps if s not in steps)
                    score = abs(self.duration(candidate) - self.target) + left_out + 20 * (rounds - 1)
                    if best is None or score < best[0]:
                        best = (score, candidate)
            if self.duration(self.shaped(len(self.choices) - 1, rounds + 1, self.shortest_hold())) > self.target * 1.1:
                break  # more rounds only get longer
        assert best is not None
        return best[1]

    def shortest_hold(self) -> int | None:
        return None if self.hold_fixed else FIT_HOLDS[0]

    def refuse(self, minutes: float, closest: Routine) -> None:
        shortest = self.duration(self.shaped(len(self.choices) - 1, 1, self.shortest_hold()))
        unit = "minute" if minutes == 1 else "minutes"
        if self.target < shortest:
            kept = "" if self.routine.pool else f" with the {len(self.routine.steps)} stretches chosen"
            over = (shortest - self.target) / 60
            why = f"the shortest session{kept} is {shortest / 60:.1f} minutes ({over:.1f} over)"
            if not self.routine.pool:
                why += "; choose fewer with --only or --skip"
        else:
            why = f"the closest it can get is {self.duration(closest) / 60:.1f} minutes"
        raise InputError(f"--minutes: cannot fit {minutes:g} {unit} within 10%: {why}")

    def note(self, chosen: Routine) -> str:
        held = [s for s in chosen.steps if s.kind == "hold"]
        holds = sorted({s.hold for s in held})
        parts = [f"holds {holds[0]} s" if len(holds) == 1 else f"holds {holds[0]}-{holds[-1]} s"] if holds else []
        rounds = sorted({s.rounds for s in held})
        if rounds and rounds[-1] > 1:
            times = f"{rounds[0]}" if len(rounds) == 1 else f"{rounds[0]}-{rounds[-1]}"
            parts.append(f"each held {times} times in a row")
        parts += [f"{s.stretch.name} {s.reps} reps a leg" for s in chosen.steps if s.kind == "reps"]
        parts += [
            f"{s.stretch.name} {s.dose.tempo.sets} x {s.dose.tempo.reps}"
            for s in chosen.steps
            if s.dose and s.dose.tempo
        ]
        if chosen.laps > 1:
            parts.append(f"{chosen.laps} laps")
        kept = {s.stretch.id for s in chosen.steps}
        left = [s.stretch.name for s in self.routine.steps if s.stretch.id not in kept]
        if left:
            parts.append(f"left out: {', '.join(left)}")
        length = self.duration(chosen)
        return f"fitted to {length / 60:.1f} minutes: {', '.join(parts)}"

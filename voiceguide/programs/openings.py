"""What each program day says first: its number, and what changed since the last session."""

from __future__ import annotations

from voiceguide.words.cues import number as number_word
from voiceguide.words.routine import Routine

LAST_DAY_OUTRO = (
    "That was the last session of the program. Well done for keeping at it.",
    "A few minutes of stretching on most days keeps what you have gained.",
)
# The last session before a rest day: a week's work done, and the advice to keep moving on the day off.
WEEK_END_OUTRO = "That was the last session of the week. Rest tomorrow, and go for a walk if you can."
# A change of guidance level, said on the day it changes: (from, to) -> the sentence.
GUIDANCE_NEWS = {
    ("full", "brief"): "You know these now, so I'll say less.",
    ("full", "minimal"): "You know these well now: only the names, the chimes and the count today.",
    ("brief", "minimal"): "You know these well now: only the names, the chimes and the count today.",
    ("brief", "full"): "Today I'll talk you through each stretch again.",
    ("minimal", "full"): "Today I'll talk you through each stretch again.",
    ("minimal", "brief"): "Today I'll say a little more about each stretch.",
}
_KIND = {"standing": "standing", "lunge": "standing", "seated": "seated", "lying": "lying"}


def opening(number: int, total: int, before: Routine | None, now: Routine) -> tuple[str, ...]:
    """ "Day 4 of 14.", then what changed since the last session: stretches, guidance, holds.

    Where the session begins is said by every session's intro (voiceguide/words/timeline.py).
    """
    last = ", the last one" if number == total > 1 else ""
    lines = [f"Day {number} of {total}{last}."]
    if before is None:
        return tuple(lines)
    names = [s.stretch.name for s in now.steps]
    had = [s.stretch.name for s in before.steps]
    added = [s.stretch for s in now.steps if s.stretch.name not in had]
    dropped = [name for name in dict.fromkeys(had) if name not in names]
    # A dosed one (tempo reps, breathing) is an exercise, not a stretch: "two exercises: the ... and the ...".
    noun = "stretches" if all(s.dose is None or s.dose.contract_relax for s in added) else "exercises"
    if added:
        kinds = {_KIND.get(s.position) for s in added}
        lines.append(f"Today adds {_listed([s.name for s in added], kinds, noun)}.")
    if dropped:
        lines.append(f"Today leaves out {_listed(dropped, set())}.")
    if (before.guidance, now.guidance) in GUIDANCE_NEWS:
        lines.append(GUIDANCE_NEWS[before.guidance, now.guidance])
    if not added and not dropped:
        holds = [s.hold for s in now.steps if s.stretch.kind == "hold"]
        longer = max(holds, default=0) > max((s.hold for s in before.steps if s.stretch.kind == "hold"), default=0)
        same = "stretches" if all(s.dose is None for s in now.steps) else "exercises"
        lines.append(f"The same {same} as last time" + (", each held a little longer." if longer else "."))
    return tuple(lines)


def _listed(names: list[str], kinds: set[str | None], noun: str = "stretches") -> str:
    """ "the Forward Bend", "two standing stretches: the Forward Bend and the ..." """
    the = [f"the {n}" for n in dict.fromkeys(names)]
    if len(the) == 1:
        return the[0]
    kind = f"{kinds.pop()} " if len(kinds) == 1 and None not in kinds else ""
    return f"{number_word(len(the))} {kind}{noun}: {', '.join(the[:-1])} and {the[-1]}"

"""The words voiceguide speaks around the catalog's own cues."""

from __future__ import annotations

import re

COUNTDOWN = ("Three.", "Two.", "One.")
RELEASE = "And release."
SWITCH = "Switch sides."
# Said once in every session, at every guidance level (docs/design.md).
SAFETY = (
    "Move slowly, never bounce, and stretch only to a gentle pull. Stop if you feel sharp pain, or tingling, "
    "numbness or pain running down a leg, and if your back pain is new or severe, check with a doctor or "
    "physiotherapist first."
)
CHIMES_EXPLAINED = "Two rising notes start each hold. Two falling notes end it. A double note means switch sides."

_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()


def announce(name: str, index: int, count: int, last_lap: bool = True) -> str:
    """The stretch's name; "Last stretch" only where nothing follows it."""
    if count == 1:
        return f"{name}."
    if index == 0:
        return f"First stretch: {name}."
    if index == count - 1 and last_lap:
        return f"Last stretch: {name}."
    return f"Next: {name}."


_HANDHELD = ("strap", "towel", "band")


def equipment(items: tuple[str, ...] | list[str]) -> str | None:
    """What to have ready, named once in the intro: "Have a strap or towel within reach."."""
    held = [i for i in _HANDHELD if i in items]
    parts = []
    if held:
        things = " or ".join(held) if len(held) < 3 else f"{held[0]}, {held[1]} or {held[2]}"
        parts.append(f"Have a {things} within reach")
    if "wall" in items:
        parts.append("a clear stretch of wall" if held else "Find a clear stretch of wall")
    if not parts:
        return None
    return ", and ".join(parts) + "."


_COME_UP = {
    "standing": "Take your time, and slowly come up to standing.",
    "lunge": "Take your time, and slowly come up to standing.",
    "all-fours": "Slowly come onto your hands and knees.",
    "seated": "Slowly come up to sitting.",
}


def come_up(position: str) -> str | None:
    """The cue to rise into a higher position, or None when there is nothing to rise to."""
    return _COME_UP.get(position)


def first_side(side: str, only: bool = False) -> str:
    return f"{side.capitalize()} side only." if only else f"{side.capitalize()} side first."


def number(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def round_start(n: int, side: str | None = None) -> str:
    return f"Round {number(n)}, {side} side." if side else f"Round {number(n)}."


def routine_round(n: int, total: int) -> str:
    return f"Round {number(n)} of {number(total)}. From the top."


def reps_intro(reps: int) -> str:
    return f"{reps} reps on each leg, at my count. Begin at the chime."


def rep_count(side: str, n: int) -> str:
    return f"{side.capitalize()}, {number(n)}."


_SIDE_WORD = re.compile(r"\b(right|left|Right|Left|RIGHT|LEFT)\b")
_SWAP = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}


def mirror(text: str) -> str:
    """The same instruction for the other side: right and left swapped."""
    return _SIDE_WORD.sub(lambda m: _SWAP[m.group(0)], text)


def names_a_side(text: str) -> bool:
    return bool(_SIDE_WORD.search(text))

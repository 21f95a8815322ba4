"""The words voiceguide speaks around the catalog's own cues."""

from __future__ import annotations

import re

COUNTDOWN = ("Three.", "Two.", "One.")
TEN_SECONDS = "Ten seconds."
RELEASE = "And release."
SWITCH = "Switch sides."

_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()


def announce(name: str, index: int, count: int) -> str:
    if count == 1:
        return f"{name}."
    if index == 0:
        return f"First stretch: {name}."
    if index == count - 1:
        return f"Last stretch: {name}."
    return f"Next: {name}."


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

"""The words voiceguide speaks around the catalog's own cues."""

from __future__ import annotations

import re

COUNTDOWN = ("Three.", "Two.", "One.")
RELEASE = "And release."
SWITCH = "Switch sides."
# Said once in every session, at every guidance level (docs/design.md).
SAFETY = (
    "Before we start: if your back pain is new or severe, check with a doctor or physiotherapist first.",
    "Move slowly, never bounce, keep breathing, and stretch only to a gentle pull.",
    "Skip any stretch that makes your pain worse. Stop if you feel sharp pain, or tingling, numbness or pain "
    "running down a leg.",
    "Numbness between your legs, or new trouble with your bladder, needs medical help straight away.",
    "You can pause at any time.",
)
# The same in one line, for the brief and minimal guidance levels.
SAFETY_SHORT = (
    "Move slowly, keep breathing, stretch only to a gentle pull, and stop if you feel sharp pain, or tingling "
    "or numbness down a leg.",
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
    """What to have ready, named once in the intro.

    "Have a chair, a cushion or folded blanket, and a strap or towel beside your mat, and lay your
    mat along a clear bit of wall."
    """
    held = [i for i in _HANDHELD if i in items]
    things = [
        *(["a chair"] if "chair" in items else []),
        *(["a cushion or folded blanket"] if "cushion" in items else []),
        *([f"a {held[0]}" if len(held) == 1 else f"a {', '.join(held[:-1])} or {held[-1]}"] if held else []),
    ]
    parts = []
    if things:
        listed = things[0] if len(things) == 1 else f"{', '.join(things[:-1])}, and {things[-1]}"
        parts.append(f"Have {listed} beside your mat")
    if "wall" in items:
        parts.append("lay your mat along a clear bit of wall" if things else "Lay your mat along a clear bit of wall")
    return ", and ".join(parts) + "." if parts else None


# Getting from one level to another between stretches: (from, to) by level. The
# person moves slowly, with the settle time after each cue (docs/design.md).
LEVELS = {"standing": "up", "lunge": "up", "all-fours": "kneel", "seated": "sit", "lying": "lie", "wall": "wall"}
_MOVES = {
    (
        "up",
        "kneel",
    ): "Hold a chair if you like, and lower yourself slowly onto your hands and knees, one knee at a time.",
    ("up", "sit"): "Lower yourself slowly to sit on the floor, using your hands, or a chair.",
    ("up", "lie"): "Lower yourself slowly to sit on the floor, then lean back onto your elbows, and lie down.",
    ("up", "wall"): "Lower yourself slowly to sit on the floor beside the wall, using your hands, or a chair.",
    ("kneel", "sit"): "Lower your hips to one side, and sit down on the floor.",
    ("kneel", "lie"): "Lower your hips to one side, sit down, then lean back onto your elbows, and lie down.",
    ("kneel", "wall"): "Lower your hips to one side, and sit down on the floor beside the wall.",
    ("sit", "lie"): "Lean back onto your elbows, and lower yourself slowly onto your back.",
    ("sit", "wall"): "Shuffle over to sit beside the wall.",
    ("lie", "wall"): "Roll onto your side, and shuffle over so your bottom is near the wall.",
    ("lie", "sit"): "Roll onto your side, and push yourself up to sitting with your hands.",
    ("wall", "sit"): "Roll onto your side, and push yourself up to sitting with your hands.",
    ("wall", "lie"): "Move away from the wall, and lie on your back.",
    ("sit", "kneel"): "Turn to one side, and come onto your hands and knees.",
    ("lie", "kneel"): "Roll onto your side, and push yourself up onto your hands and knees.",
    ("wall", "kneel"): "Roll onto your side, and push yourself up onto your hands and knees.",
    ("kneel", "up"): "Step one foot forward, and stand up slowly, holding a chair if you like.",
    ("sit", "up"): "Turn to one side, come onto your knees, and stand up slowly, holding a chair if you like.",
    ("lie", "up"): "Roll onto your side, push up to sitting, and come up to standing slowly, one knee at a time.",
    ("wall", "up"): "Roll onto your side, push up to sitting, and come up to standing slowly, one knee at a time.",
}
GETTING_UP = "Stay here as long as you like. When you get up, roll onto your side first, and come up slowly."


def move(position: str, next_position: str) -> str | None:
    """The cue to get from one position to the next, or None when the body stays at its level."""
    return _MOVES.get((LEVELS[position], LEVELS[next_position]))


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

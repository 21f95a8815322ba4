"""Steps suited to a body: the profiles' swaps and the direction that eases the back.

The profiles are data (voiceguide/words/profiles.py); the builder asks this
module what they do to a routine's steps and to the names --only and --skip give.
"""

from __future__ import annotations

import dataclasses

from voiceguide.words import profiles
from voiceguide.words.catalog import Catalog
from voiceguide.words.cues import LEVELS
from voiceguide.words.routine import Step


def profiled(steps: tuple[Step, ...], chosen: tuple[str, ...], catalog: Catalog) -> tuple[tuple[Step, ...], bool]:
    """The steps with each profile's swaps made (a stretch already in the routine is not said twice), and
    paced breathing without holds where a profile says so (high blood pressure); True when a swap put a
    step at another level (the floor's chair version), so the flow must be sorted again."""
    moved = False
    swaps, holds = profiles.swaps(chosen), profiles.breath_holds(chosen)
    out: list[Step] = []
    for step in steps:
        new = swaps.get(step.stretch.id)
        if new is not None:
            if any(s.stretch.id == new for s in (*steps, *out)):
                continue  # the version that suits the body is in the routine already
            stretch = catalog.get(new)
            moved = moved or LEVELS[stretch.position] != LEVELS[step.stretch.position]
            step = dataclasses.replace(step, stretch=stretch, dose=stretch.dose)
        dose = step.dose
        if not holds and dose is not None and dose.breathing is not None:
            breathing = dataclasses.replace(dose.breathing, hold_in=0.0, hold_out=0.0)
            step = dataclasses.replace(step, dose=dataclasses.replace(dose, breathing=breathing))
        out.append(step)
    return tuple(out), moved


def swapped(
    names: tuple[str, ...], chosen: tuple[str, ...], catalog: Catalog, where: str, keep: bool
) -> tuple[str, ...]:
    """--only figure-four means its chair version instead, in its place; --skip figure-four skips both (`keep`)."""
    swaps = profiles.swaps(chosen)
    out: list[str] = []
    for name in names:
        sid = catalog.get(name, where=where).id
        out += [sid, swaps[sid]] if keep and sid in swaps else [swaps.get(sid, sid)]
    return tuple(dict.fromkeys(out))


def preferred(step: Step, prefer: str) -> bool:
    """Whether a step goes with the direction that eases the back: one marked `when` only when preferred,
    a stretch that bends the other way never (neutral takes in neither and leaves out neither)."""
    if step.when and step.when != prefer:
        return False
    return not (prefer != "neutral" and step.stretch.direction not in ("", prefer))

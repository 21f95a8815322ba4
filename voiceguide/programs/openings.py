"""What each program day says first (its number, and what changed since the last session), and its title."""

from __future__ import annotations

from voiceguide import language
from voiceguide.language import N_, Number, _
from voiceguide.words.routine import Routine

# Messages (voiceguide/language.py), translated where the timeline says them.
LAST_DAY_OUTRO = (
    N_("That was the last session of the program. Well done for keeping at it."),
    N_("A few minutes of stretching on most days keeps what you have gained."),
)
# The last session before a rest day: a week's work done, and the advice to keep moving on the day off.
WEEK_END_OUTRO = N_("That was the last session of the week. Rest tomorrow, and go for a walk if you can.")
# A change of guidance level, said on the day it changes: (from, to) -> the sentence.
GUIDANCE_NEWS = {
    ("full", "brief"): N_("You know these now, so I'll say less."),
    ("full", "minimal"): N_("You know these well now: only the names, the chimes and the count today."),
    ("brief", "minimal"): N_("You know these well now: only the names, the chimes and the count today."),
    ("brief", "full"): N_("Today I'll talk you through each stretch again."),
    ("minimal", "full"): N_("Today I'll talk you through each stretch again."),
    ("minimal", "brief"): N_("Today I'll say a little more about each stretch."),
}
_KIND = {"standing": "standing", "lunge": "standing", "seated": "seated", "lying": "lying"}
# "two standing stretches", by kind and noun: one message each, so each language can agree them.
_SOME = {
    ("standing", "stretches"): N_("{n} standing stretches"),
    ("seated", "stretches"): N_("{n} seated stretches"),
    ("lying", "stretches"): N_("{n} lying stretches"),
    ("", "stretches"): N_("{n} stretches"),
    ("standing", "exercises"): N_("{n} standing exercises"),
    ("seated", "exercises"): N_("{n} seated exercises"),
    ("lying", "exercises"): N_("{n} lying exercises"),
    ("", "exercises"): N_("{n} exercises"),
}


def opening(number: int, total: int, before: Routine | None, now: Routine) -> tuple[str, ...]:
    """ "Day 4 of 14.", then what changed since the last session: stretches, guidance, holds.

    Where the session begins is said by every session's intro (voiceguide/words/timeline.py).
    """
    last = number == total > 1
    said = _("Day {n} of {total}, the last one.") if last else _("Day {n} of {total}.")
    # English says the digits as it always has; other languages' voices are given words (language.spell).
    spelled = language.current() != language.ENGLISH
    lines = [said.format(n=Number(number) if spelled else number, total=Number(total) if spelled else total)]
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
        lines.append(_("Today adds {what}.").format(what=_listed([s.name for s in added], kinds, noun)))
    if dropped:
        lines.append(_("Today leaves out {what}.").format(what=_listed(dropped, set())))
    if (before.guidance, now.guidance) in GUIDANCE_NEWS:
        lines.append(GUIDANCE_NEWS[before.guidance, now.guidance])
    if not added and not dropped:
        holds = [s.hold for s in now.steps if s.stretch.kind == "hold"]
        longer = max(holds, default=0) > max((s.hold for s in before.steps if s.stretch.kind == "hold"), default=0)
        stretches = all(s.dose is None for s in now.steps)
        if longer:
            same = (
                _("The same stretches as last time, each held a little longer.")
                if stretches
                else _("The same exercises as last time, each held a little longer.")
            )
        else:
            same = _("The same stretches as last time.") if stretches else _("The same exercises as last time.")
        lines.append(same)
    return tuple(lines)


def _listed(names: list[str], kinds: set[str | None], noun: str = "stretches") -> str:
    """ "the Forward Bend", "two standing stretches: the Forward Bend and the ..." """
    the = [_("the {name}").format(name=n) for n in dict.fromkeys(names)]
    if len(the) == 1:
        return the[0]
    kind = kinds.pop() if len(kinds) == 1 and None not in kinds else ""
    some = _(_SOME[kind or "", noun]).format(n=Number(len(the)))
    listed = _("{first} and {last}").format(first=", ".join(the[:-1]), last=the[-1])
    return _("{some}: {listed}").format(some=some, listed=listed)


def narrowed_title(before: tuple[str, tuple[str, ...]], shaped: Routine) -> str:
    """A day's title when the person's avoid, skip or only (or the program's avoid) left out stretches
    its phase adds: the phase's title would name what is not there ("Forward bend and lunge")."""
    title, ids = before
    new = [s.stretch.name for s in shaped.steps if s.stretch.id not in ids]
    with language.speaking(shaped.lang):
        return _("Adds {names}").format(names=", ".join(new)) if new else title

"""The words voiceguide speaks around the catalog's own cues.

Each is a gettext message (voiceguide/language.py): the constants are marked
with `N_` and translated where the timeline says them (timeline.py `_Builder.text`);
what is composed here is composed from translated messages, with numbers spelled
and sides as placeholders in the session's language.
"""

from __future__ import annotations

import itertools
import re

from voiceguide import language
from voiceguide.language import N_, Number, Side, _, n_

COUNTDOWN = (N_("Three."), N_("Two."), N_("One."))
RELEASE = N_("And release.")  # after a stretch with no exit of its own (a routine file's)
SWITCH = N_("Switch sides.")
# Said once in every session, at every spoken guidance level (docs/design.md). The
# sentences tests/words/test_safety_text.py pins word for word; NICE NG59 red flags.
GENTLE_PULL = N_(
    "A pull behind your thigh is normal, and mild discomfort that settles is fine. Stop if you feel sharp "
    "pain, or if pain or tingling goes below your knee."
)
RED_FLAGS = N_(
    "Numbness between your legs, new trouble with your bladder or bowels, or a leg getting weak, needs medical "
    "help straight away."
)
SAFETY = (
    N_("Before we start: if your back pain is new or severe, check with a doctor or physiotherapist first."),
    N_("Move slowly, never bounce, keep breathing, and stretch only to a gentle pull."),
    GENTLE_PULL,
    RED_FLAGS,
    N_("You can pause at any time."),
)
# The same in two lines, for the brief and minimal guidance levels: never bounce, when
# to stop, and the red flags are kept at every level.
SAFETY_SHORT = (
    N_("Never bounce: stretch only to a gentle pull, and stop if pain or tingling goes below your knee."),
    RED_FLAGS,
)
# A chimes-only session (--engine none) says nothing, so this goes to stderr instead
# (voiceguide/session/pipeline.py); README says so.
SAFETY_UNSPOKEN = N_(
    "this session speaks nothing, so read this first. If your back pain is new or severe, check with a doctor "
    "or physiotherapist first. Never bounce: stretch only to a gentle pull, and stop if pain or tingling goes "
    "below your knee. Numbness between your legs, new trouble with your bladder or bowels, or a leg getting "
    "weak, needs medical help straight away."
)
# A pain score before and after (--check-in, on in programs): what to make of a change is the
# physiotherapist's advice for exercise with low back pain (docs/catalog.md).
CHECK_IN = N_("Give your back pain a number from nought to ten, where nought is no pain, and remember it.")
CHECK_OUT = (
    N_("Give your back pain a number again, and compare it with the one at the start."),
    N_("The same, or up by two or less and settled by tomorrow morning: carry on as you are."),
    N_("Up by more than that: next time do less, and more gently, and have a word with a clinician."),
)
CHIMES_EXPLAINED = N_("Two rising notes start each hold. Two falling notes end it. A double note means switch sides.")


def announce(name: str, index: int, count: int, last_lap: bool = True, noun: str = "stretch") -> str:
    """The item's name; "Last stretch" only where nothing follows it. `noun`: "exercise" for what is not a
    stretch ("Next exercise: Glute Bridge.")."""
    stretch = noun == "stretch"
    if count == 1:
        return _("{name}.").format(name=name)
    if index == 0:
        return (_("First stretch: {name}.") if stretch else _("First exercise: {name}.")).format(name=name)
    if index == count - 1 and last_lap:
        return (_("Last stretch: {name}.") if stretch else _("Last exercise: {name}.")).format(name=name)
    return (_("Next: {name}.") if stretch else _("Next exercise: {name}.")).format(name=name)


_HANDHELD = ("strap", "towel", "band")


def equipment(items: tuple[str, ...] | list[str]) -> str | None:
    """What to have ready, named once in the intro; the chair is placed, so cues can say "the chair in front".

    "Put a sturdy chair at the top of your mat, seat facing you. Have a cushion or folded blanket, and a
    strap or towel beside your mat, and lay your mat along a clear bit of wall."
    """
    mat = "mat" in items
    held = tuple(i for i in _HANDHELD if i in items)
    things = [
        *([_("a cushion or folded blanket")] if "cushion" in items else []),
        *([_(_HELD[held])] if held else []),
    ]
    sentences = []
    if "chair" in items:
        sentences.append(
            _("Put a sturdy chair at the top of your mat, seat facing you.")
            if mat
            else _("Put a sturdy chair in front of you, seat facing you.")
        )
    have = _and(things) if things else None
    wall = "wall" in items
    if have and wall:
        sentences.append(
            (
                _("Have {things} beside your mat, and lay your mat along a clear bit of wall.")
                if mat
                else _("Have {things} beside you, and lay your mat along a clear bit of wall.")
            ).format(things=have)
        )
    elif have:
        sentences.append(
            (_("Have {things} beside your mat.") if mat else _("Have {things} beside you.")).format(things=have)
        )
    elif wall:
        sentences.append(_("Lay your mat along a clear bit of wall."))
    return " ".join(sentences) or None


# What is held in the hand, by the set of them a session uses.
_HELD = {
    ("strap",): N_("a strap"),
    ("towel",): N_("a towel"),
    ("band",): N_("a band"),
    ("strap", "towel"): N_("a strap or towel"),
    ("strap", "band"): N_("a strap or band"),
    ("towel", "band"): N_("a towel or band"),
    ("strap", "towel", "band"): N_("a strap, towel or band"),
}


def _and(things: list[str]) -> str:
    """ "a, b, and c" in the session's language."""
    if len(things) == 1:
        return things[0]
    return _("{first}, and {last}").format(first=", ".join(things[:-1]), last=things[-1])


def course(positions: list[str] | tuple[str, ...]) -> str | None:
    """Where the session goes, from its real positions: said in the intro, before the first move."""
    if not positions:
        return None
    if any(LEVELS[p] == "chair" for p in positions):
        return _course_with_chair(positions)
    standing = [LEVELS[p] == "up" for p in positions]
    if all(standing):
        return _("Everything in this session is done standing.")
    if not any(standing):
        return _("Everything in this session is done on the floor.")
    if standing[0]:
        back_up = any(a < b for a, b in zip(standing, standing[1:], strict=False))
        return (
            _("We begin standing, and move between standing and the floor.")
            if back_up
            else _("We begin standing, and move down to the floor as we go.")
        )
    return _("We begin on the floor, and come up to standing later.")


_WHERE = {"up": N_("standing"), "chair": N_("sitting on the chair"), "floor": N_("on the floor")}
_TO = {"up": N_("standing"), "chair": N_("the chair"), "floor": N_("the floor")}


def _course_with_chair(positions: list[str] | tuple[str, ...]) -> str:
    """ "Everything in this session is done sitting on the chair.", or the places in the order they come
    first ("We begin standing, then move to the chair, then to the floor.")."""
    places = list(dict.fromkeys(LEVELS[p] if LEVELS[p] in OFF_THE_FLOOR else "floor" for p in positions))
    if len(places) == 1:
        return _("Everything in this session is done {where}.").format(where=_(_WHERE[places[0]]))
    rest = [_(_TO[p]) for p in places[1:]]
    if len(rest) == 1:
        return _("We begin {where}, then move to {to}.").format(where=_(_WHERE[places[0]]), to=rest[0])
    return _("We begin {where}, then move to {to}, then to {then}.").format(
        where=_(_WHERE[places[0]]), to=rest[0], then=rest[1]
    )


# Getting from one level to another between stretches: (from, to) by level. The
# person moves slowly, with the settle time after each cue (docs/design.md). Down
# and up go through a kneel on the cushion, the stronger leg doing the work and the
# chair (placed by `equipment`) to hold; a body that avoids kneeling goes by the
# chair seat instead (_NO_KNEELING), and the closing way up offers that to everyone.
LEVELS = {
    "standing": "up",
    "lunge": "up",
    "chair": "chair",
    "all-fours": "kneel",
    "seated": "sit",
    "lying": "lie",
    "prone": "prone",
    "wall": "wall",
}
OFF_THE_FLOOR = ("up", "chair")  # a move between these and the floor gets the longer quiet (timeline.py)
# Each cue is a tuple of messages, said in turn (one message each, so each is translated once).
# Off the chair seat by way of the cushion, half the height: a drop from the seat jolts a sore back.
_SEAT_TO_FLOOR = N_(
    "Slide to the front of the seat, hands beside you, lower your bottom slowly onto the cushion, then slide off "
    "it onto the floor."
)
_CUSHION_BY_THE_CHAIR = N_("Put the cushion on the floor, just in front of the chair.")
_CHAIR_DOWN = (_CUSHION_BY_THE_CHAIR, N_("Turn round, and sit on the chair in front."), _SEAT_TO_FLOOR)
# The knee-sparing way is offered first, before anyone is on their knees; then the kneel, on the cushion.
_KNEEL_DOWN = (
    N_("If kneeling hurts:"),
    *_CHAIR_DOWN,
    N_(
        "Otherwise, put the cushion on your mat, hold the chair in front, step your weaker leg back, and lower "
        "that knee slowly onto the cushion, then the other."
    ),
)
_SPARE_UP = N_(
    "If kneeling hurts, sit with your back against the chair, hands on its seat behind you, and push up onto it "
    "through your stronger leg."
)
_KNEEL_UP = (
    N_(
        "Otherwise, turn onto your hands and knees, crawl to the chair if it is out of reach, put your hands on "
        "its seat, bring your stronger foot forward, and push up slowly through that leg."
    ),
    N_("If neither way works today, stay sitting, and ask someone to help you up."),
)
# The knee-sparing way up needs strong arms: whoever cannot do it hears what to do instead.
_ONTO_THE_SEAT = (
    N_(
        "Shuffle back until your back is against the chair. Put your hands on its seat behind you, bend your "
        "stronger knee, and push up slowly onto the seat."
    ),
    N_("If you cannot push up, stay sitting, and ask someone to help you up."),
)
_CHAIR_UP = (*_ONTO_THE_SEAT, N_("Then stand up, pushing through your stronger leg."))
_TO_SITTING = N_("Roll onto your side, and push yourself up to sitting with your hands.")
_ON_THE_SEAT = N_("Turn round, and sit on the chair in front, near the front of the seat, feet flat on the floor.")
_OFF_THE_SEAT = (_CUSHION_BY_THE_CHAIR, _SEAT_TO_FLOOR)
_CUSHION = N_("Put the cushion under your knees, and come onto your hands and knees.")
_CRAWL_UP = N_(
    "Crawl forward to the chair in front, put your hands on its seat, bring your stronger foot forward, and push "
    "up slowly through that leg."
)
_OFF_THE_WALL = N_("Move away from the wall, and push yourself up to sitting.")
_MOVES: dict[tuple[str, str], tuple[str, ...]] = {
    ("up", "kneel"): (
        N_(
            "Put the cushion on your mat, for your knees. Holding the chair in front, step your weaker leg back, "
            "and lower that knee slowly onto the cushion, then the other. Then come onto your hands."
        ),
    ),
    ("up", "sit"): (*_KNEEL_DOWN, N_("From your knees, sit down to one side, and slide the cushion under you.")),
    ("up", "lie"): (
        *_KNEEL_DOWN,
        N_("From your knees, sit down to one side. Then, either way, lean back onto your elbows, and lie down."),
    ),
    ("up", "wall"): (
        *_KNEEL_DOWN,
        N_("From your knees, sit down to one side. Then, either way, move beside the wall."),
    ),
    ("kneel", "sit"): (N_("Lower your hips to one side, sit down, and slide the cushion under you."),),
    ("kneel", "lie"): (N_("Lower your hips to one side, sit down, then lean back onto your elbows, and lie down."),),
    ("kneel", "wall"): (N_("Lower your hips to one side, and sit down on the floor beside the wall."),),
    ("sit", "lie"): (N_("Lean back onto your elbows, and lower yourself slowly onto your back."),),
    ("sit", "wall"): (N_("Shuffle over to sit beside the wall."),),
    ("lie", "wall"): (N_("Roll onto your side, and shuffle over so your bottom is near the wall."),),
    ("lie", "sit"): (_TO_SITTING, N_("Sit on the cushion or a folded blanket.")),
    ("wall", "sit"): (
        N_("Move away from the wall, and push yourself up to sitting with your hands."),
        N_("Sit on the cushion or a folded blanket."),
    ),
    ("wall", "lie"): (N_("Move away from the wall, and lie on your back."),),
    ("sit", "kneel"): (N_("Turn to one side."), _CUSHION),
    ("lie", "kneel"): (N_("Roll onto your side, and push yourself up to sitting."), _CUSHION),
    ("wall", "kneel"): (_OFF_THE_WALL, _CUSHION),
    ("kneel", "up"): (_CRAWL_UP,),
    ("sit", "up"): (_SPARE_UP, *_KNEEL_UP),
    ("lie", "up"): (_TO_SITTING, _SPARE_UP, *_KNEEL_UP),
    ("wall", "up"): (_OFF_THE_WALL, _SPARE_UP, *_KNEEL_UP),
    ("up", "chair"): (_ON_THE_SEAT,),
    ("chair", "up"): (
        N_(
            "Slide to the front of the seat, feet under your knees, lean forward, and stand up, pushing through "
            "your legs. Then turn round, to face the chair."
        ),
    ),
    ("chair", "sit"): _OFF_THE_SEAT,
    ("sit", "chair"): _ONTO_THE_SEAT,
    ("kneel", "chair"): (_CRAWL_UP, _ON_THE_SEAT),
    ("lie", "prone"): (N_("Roll onto your side, then onto your front, and rest your forehead on your hands."),),
    ("prone", "lie"): (N_("Roll onto your side, then onto your back, and bend your knees, feet flat on the floor."),),
    ("prone", "sit"): (_TO_SITTING,),
    ("prone", "kneel"): (N_("Slide the cushion under your knees, and push back onto your hands and knees."),),
    ("kneel", "prone"): (N_("Lower your hips to one side, lie down on your side, then roll onto your front."),),
}
# Where no one cue goes, the way passes through sitting or lying on the floor, never a kneel (_way).
_THROUGH = ("sit", "lie")
_NO_KNEELING: dict[tuple[str, str], tuple[str, ...]] = {
    ("up", "sit"): _CHAIR_DOWN,
    ("up", "lie"): (*_CHAIR_DOWN, N_("Shuffle forward a little, lean back onto your elbows, and lie down.")),
    ("up", "wall"): (*_CHAIR_DOWN, N_("Then shuffle over to the wall.")),
    ("sit", "up"): _CHAIR_UP,
    ("lie", "up"): (_TO_SITTING, *_CHAIR_UP),
    ("wall", "up"): (N_("Move away from the wall, and push yourself up to sitting with your hands."), *_CHAIR_UP),
}


EYES_OPEN = N_("Open your eyes for this.")
STAND_STILL = N_("Stand still for a breath.")


def move(
    position: str | None,
    next_position: str,
    avoid: tuple[str, ...] | list[str] = (),
    skipped_from: str | None = None,
) -> str | None:
    """The cue to get from one position to the next, or None when the body stays at its level.

    A session begins standing (`position` None): one that starts on the floor begins
    with the cue to get down. Nothing offers kneeling to a body that avoids it. Down
    to the floor or up from it, eyes open. `skipped_from`: where whoever skipped the
    last stretch (on its caution) still is, when it was on the knees: they hear their
    own way first ("If you skipped it: ...").
    """
    key = (LEVELS[position] if position else "up", LEVELS[next_position])
    if key[0] == key[1]:
        return None
    way = " ".join(_(m) for step in _way(*key) for m in _one(step, avoid))
    if skipped_from is not None and key[0] == "kneel":
        # Whoever skipped it may have done so for their knees: their way down never kneels.
        theirs = _unopened(move(skipped_from, next_position, ("kneeling", *avoid)) or _("Stay where you are."))
        way = _("If you skipped it, {theirs} From your knees: {way}").format(
            theirs=language.decapitalized(theirs), way=language.decapitalized(way)
        )
    if key[1] == "up" and key[0] not in OFF_THE_FLOOR:
        way = f"{way} {_(STAND_STILL)}"  # up from the floor: the blood pressure settles before the next move
    return f"{_(EYES_OPEN)} {way}" if to_or_from_the_floor(*key) or skipped_from else way


def _unopened(cue: str) -> str:
    return cue.removeprefix(f"{_(EYES_OPEN)} ")


def to_or_from_the_floor(level: str, next_level: str) -> bool:
    """Down to the floor or up from it (standing or the chair on one side, the floor on the other)."""
    return (level in OFF_THE_FLOOR) != (next_level in OFF_THE_FLOOR)


def _one(key: tuple[str, str], avoid: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return _NO_KNEELING[key] if "kneeling" in avoid and key in _NO_KNEELING else _MOVES[key]


def _way(start: str, end: str) -> list[tuple[str, str]]:
    """The cues from one level to another: the one cue that goes there, or one or two through _THROUGH."""
    if (start, end) in _MOVES:
        return [(start, end)]
    for via in _THROUGH:
        if (start, via) in _MOVES and (via, end) in _MOVES:
            return [(start, via), (via, end)]
    for a, b in itertools.product(_THROUGH, repeat=2):
        if a != b and (start, a) in _MOVES and (a, b) in _MOVES and (b, end) in _MOVES:
            return [(start, a), (a, b), (b, end)]
    raise KeyError((start, end))  # every pair of levels has a way: tests/words/test_moves.py


def start(avoid: tuple[str, ...] | list[str] = ()) -> str | None:
    """Where a session begins: standing (None), or sitting on the chair for a body that avoids standing."""
    return "chair" if "standing" in avoid else None


def getting_up(position: str, avoid: tuple[str, ...] | list[str] = (), skipped_from: str | None = None) -> str | None:
    """The way up at the end of a session that ends off its feet, with a knee-sparing way for everyone;
    back onto the chair, where it began, for a body that avoids standing. `skipped_from`: as for `move`."""
    to = start(avoid) or "standing"
    if LEVELS[position] == LEVELS[to]:
        return None
    way = move(position, to, avoid, skipped_from)
    assert way is not None
    take_your_time = _("Take your time getting up.")
    if to != "standing":
        return f"{take_your_time} {way}"
    way = way.removesuffix(f" {_(STAND_STILL)}")
    before_you_walk = _("Stand still for a breath before you walk.")
    return f"{take_your_time} {way} {before_you_walk}"


def first_side(side: str, only: bool = False) -> str:
    return (_("{side:Adj} side only.") if only else _("{side:Adj} side first.")).format(side=Side(side))


def round_start(n: int, side: str | None = None) -> str:
    if side:
        return _("Round {n}, {side:adj} side.").format(n=Number(n), side=Side(side))
    return _("Round {n}.").format(n=Number(n))


def lap_start(n: int, total: int) -> str:
    return _("Lap {n} of {total}. From the top.").format(n=Number(n), total=Number(total))


def reps_intro(reps: int) -> str:
    return n_(
        "{n} rep on each leg, at my count. Begin at the chime.",
        "{n} reps on each leg, at my count. Begin at the chime.",
        reps,
    ).format(n=reps if language.current() == language.ENGLISH else Number(reps))


def rep_count(side: str, n: int) -> str:
    return _("{side:Adj}, {n}.").format(side=Side(side), n=Number(n))


_SIDE_WORD = re.compile(r"\b(right|left|Right|Left|RIGHT|LEFT)\b")
_SWAP = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}


def mirror(text: str) -> str:
    """The same instruction for the other side: a translation's side placeholders swapped
    (voiceguide/language.py), or in English text the words right and left."""
    if language.has_sides(text):
        return language.swap(text)
    return _SIDE_WORD.sub(lambda m: _SWAP[m.group(0)], text)


def names_a_side(text: str) -> bool:
    return language.has_sides(text) or bool(_SIDE_WORD.search(text))

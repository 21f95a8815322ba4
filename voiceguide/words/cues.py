"""The words voiceguide speaks around the catalog's own cues."""

from __future__ import annotations

import itertools
import re

COUNTDOWN = ("Three.", "Two.", "One.")
RELEASE = "And release."  # after a stretch with no exit of its own (a routine file's)
SWITCH = "Switch sides."
# Said once in every session, at every spoken guidance level (docs/design.md). The
# sentences tests/words/test_safety_text.py pins word for word; NICE NG59 red flags.
GENTLE_PULL = (
    "A pull behind your thigh is normal, and mild discomfort that settles is fine. Stop if you feel sharp "
    "pain, or if pain or tingling goes below your knee."
)
RED_FLAGS = (
    "Numbness between your legs, new trouble with your bladder or bowels, or a leg getting weak, needs medical "
    "help straight away."
)
SAFETY = (
    "Before we start: if your back pain is new or severe, check with a doctor or physiotherapist first.",
    "Move slowly, never bounce, keep breathing, and stretch only to a gentle pull.",
    GENTLE_PULL,
    RED_FLAGS,
    "You can pause at any time.",
)
# The same in two lines, for the brief and minimal guidance levels: never bounce, when
# to stop, and the red flags are kept at every level.
SAFETY_SHORT = (
    "Never bounce: stretch only to a gentle pull, and stop if pain or tingling goes below your knee.",
    RED_FLAGS,
)
# A chimes-only session (--engine none) says nothing, so this goes to stderr instead
# (voiceguide/session/pipeline.py); README says so.
SAFETY_UNSPOKEN = (
    "this session speaks nothing, so read this first. If your back pain is new or severe, check with a doctor "
    "or physiotherapist first. Never bounce: stretch only to a gentle pull, and stop if pain or tingling goes "
    "below your knee. Numbness between your legs, new trouble with your bladder or bowels, or a leg getting "
    "weak, needs medical help straight away."
)
# A pain score before and after (--check-in, on in programs): what to make of a change is the
# physiotherapist's advice for exercise with low back pain (docs/catalog.md).
CHECK_IN = "Give your back pain a number from nought to ten, where nought is no pain, and remember it."
CHECK_OUT = (
    "Give your back pain a number again, and compare it with the one at the start.",
    "The same, or up by two or less and settled by tomorrow morning: carry on as you are.",
    "Up by more than that: next time do less, and more gently, and have a word with a clinician.",
)
CHIMES_EXPLAINED = "Two rising notes start each hold. Two falling notes end it. A double note means switch sides."

_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()


def announce(name: str, index: int, count: int, last_lap: bool = True, noun: str = "stretch") -> str:
    """The item's name; "Last stretch" only where nothing follows it. `noun`: "exercise" for what is not a
    stretch ("Next exercise: Glute Bridge.")."""
    if count == 1:
        return f"{name}."
    if index == 0:
        return f"First {noun}: {name}."
    if index == count - 1 and last_lap:
        return f"Last {noun}: {name}."
    return f"Next: {name}." if noun == "stretch" else f"Next {noun}: {name}."


_HANDHELD = ("strap", "towel", "band")


def equipment(items: tuple[str, ...] | list[str]) -> str | None:
    """What to have ready, named once in the intro; the chair is placed, so cues can say "the chair in front".

    "Put a sturdy chair at the top of your mat, seat facing you. Have a cushion or folded blanket, and a
    strap or towel beside your mat, and lay your mat along a clear bit of wall."
    """
    mat = "mat" in items
    held = [i for i in _HANDHELD if i in items]
    things = [
        *(["a cushion or folded blanket"] if "cushion" in items else []),
        *([f"a {held[0]}" if len(held) == 1 else f"a {', '.join(held[:-1])} or {held[-1]}"] if held else []),
    ]
    sentences = []
    if "chair" in items:
        where = "at the top of your mat" if mat else "in front of you"
        sentences.append(f"Put a sturdy chair {where}, seat facing you.")
    parts = []
    if things:
        listed = things[0] if len(things) == 1 else f"{', '.join(things[:-1])}, and {things[-1]}"
        parts.append(f"Have {listed} beside {'your mat' if mat else 'you'}")
    if "wall" in items:
        parts.append("lay your mat along a clear bit of wall" if parts else "Lay your mat along a clear bit of wall")
    if parts:
        sentences.append(", and ".join(parts) + ".")
    return " ".join(sentences) or None


def course(positions: list[str] | tuple[str, ...]) -> str | None:
    """Where the session goes, from its real positions: said in the intro, before the first move."""
    if not positions:
        return None
    if any(LEVELS[p] == "chair" for p in positions):
        return _course_with_chair(positions)
    standing = [LEVELS[p] == "up" for p in positions]
    if all(standing):
        return "Everything in this session is done standing."
    if not any(standing):
        return "Everything in this session is done on the floor."
    if standing[0]:
        back_up = any(a < b for a, b in zip(standing, standing[1:], strict=False))
        return (
            "We begin standing, and move between standing and the floor."
            if back_up
            else "We begin standing, and move down to the floor as we go."
        )
    return "We begin on the floor, and come up to standing later."


_WHERE = {"up": "standing", "chair": "sitting on the chair", "floor": "on the floor"}
_TO = {"up": "standing", "chair": "the chair", "floor": "the floor"}


def _course_with_chair(positions: list[str] | tuple[str, ...]) -> str:
    """ "Everything in this session is done sitting on the chair.", or the places in the order they come
    first ("We begin standing, then move to the chair, then to the floor.")."""
    places = list(dict.fromkeys(LEVELS[p] if LEVELS[p] in OFF_THE_FLOOR else "floor" for p in positions))
    if len(places) == 1:
        return f"Everything in this session is done {_WHERE[places[0]]}."
    rest = [_TO[p] for p in places[1:]]
    then = rest[0] if len(rest) == 1 else f"{rest[0]}, then to {rest[1]}"
    return f"We begin {_WHERE[places[0]]}, then move to {then}."


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
# Off the chair seat by way of the cushion, half the height: a drop from the seat jolts a sore back.
_SEAT_TO_FLOOR = (
    "Slide to the front of the seat, hands beside you, lower your bottom slowly onto the cushion, then slide off "
    "it onto the floor."
)
_CUSHION_BY_THE_CHAIR = "Put the cushion on the floor, just in front of the chair."
_CHAIR_DOWN = f"{_CUSHION_BY_THE_CHAIR} Turn round, and sit on the chair in front. {_SEAT_TO_FLOOR}"
# The knee-sparing way is offered first, before anyone is on their knees; then the kneel, on the cushion.
_KNEEL_DOWN = (
    f"If kneeling hurts: {_CHAIR_DOWN} Otherwise, put the cushion on your mat, hold the chair in front, step your "
    "weaker leg back, and lower that knee slowly onto the cushion, then the other."
)
_SPARE_UP = (
    "If kneeling hurts, sit with your back against the chair, hands on its seat behind you, and push up onto it "
    "through your stronger leg."
)
_PUSH_UP = "put your hands on its seat, bring your stronger foot forward, and push up slowly through that leg."
_KNEEL_UP = (
    f"Otherwise, turn onto your hands and knees, crawl to the chair if it is out of reach, {_PUSH_UP} If neither "
    "way works today, stay sitting, and ask someone to help you up."
)
# The knee-sparing way up needs strong arms: whoever cannot do it hears what to do instead.
_ONTO_THE_SEAT = (
    "Shuffle back until your back is against the chair. Put your hands on its seat behind you, bend your stronger "
    "knee, and push up slowly onto the seat. If you cannot push up, stay sitting, and ask someone to help you up."
)
_CHAIR_UP = f"{_ONTO_THE_SEAT} Then stand up, pushing through your stronger leg."
_TO_SITTING = "Roll onto your side, and push yourself up to sitting with your hands."
_ON_THE_SEAT = "Turn round, and sit on the chair in front, near the front of the seat, feet flat on the floor."
_OFF_THE_SEAT = f"{_CUSHION_BY_THE_CHAIR} {_SEAT_TO_FLOOR}"
_CUSHION = "Put the cushion under your knees, and come onto your hands and knees."
_MOVES = {
    ("up", "kneel"): (
        "Put the cushion on your mat, for your knees. Holding the chair in front, step your weaker leg back, and "
        "lower that knee slowly onto the cushion, then the other. Then come onto your hands."
    ),
    ("up", "sit"): f"{_KNEEL_DOWN} From your knees, sit down to one side, and slide the cushion under you.",
    ("up", "lie"): (
        f"{_KNEEL_DOWN} From your knees, sit down to one side. Then, either way, lean back onto your elbows, and "
        "lie down."
    ),
    ("up", "wall"): f"{_KNEEL_DOWN} From your knees, sit down to one side. Then, either way, move beside the wall.",
    ("kneel", "sit"): "Lower your hips to one side, sit down, and slide the cushion under you.",
    ("kneel", "lie"): "Lower your hips to one side, sit down, then lean back onto your elbows, and lie down.",
    ("kneel", "wall"): "Lower your hips to one side, and sit down on the floor beside the wall.",
    ("sit", "lie"): "Lean back onto your elbows, and lower yourself slowly onto your back.",
    ("sit", "wall"): "Shuffle over to sit beside the wall.",
    ("lie", "wall"): "Roll onto your side, and shuffle over so your bottom is near the wall.",
    ("lie", "sit"): f"{_TO_SITTING} Sit on the cushion or a folded blanket.",
    ("wall", "sit"): (
        "Move away from the wall, and push yourself up to sitting with your hands. Sit on the cushion or a folded "
        "blanket."
    ),
    ("wall", "lie"): "Move away from the wall, and lie on your back.",
    ("sit", "kneel"): f"Turn to one side. {_CUSHION}",
    ("lie", "kneel"): f"Roll onto your side, and push yourself up to sitting. {_CUSHION}",
    ("wall", "kneel"): f"Move away from the wall, and push yourself up to sitting. {_CUSHION}",
    ("kneel", "up"): f"Crawl forward to the chair in front, {_PUSH_UP}",
    ("sit", "up"): f"{_SPARE_UP} {_KNEEL_UP}",
    ("lie", "up"): f"{_TO_SITTING} {_SPARE_UP} {_KNEEL_UP}",
    ("wall", "up"): f"Move away from the wall, and push yourself up to sitting. {_SPARE_UP} {_KNEEL_UP}",
    ("up", "chair"): _ON_THE_SEAT,
    ("chair", "up"): (
        "Slide to the front of the seat, feet under your knees, lean forward, and stand up, pushing through your "
        "legs. Then turn round, to face the chair."
    ),
    ("chair", "sit"): _OFF_THE_SEAT,
    ("sit", "chair"): _ONTO_THE_SEAT,
    ("kneel", "chair"): f"Crawl forward to the chair in front, {_PUSH_UP} {_ON_THE_SEAT}",
    ("lie", "prone"): "Roll onto your side, then onto your front, and rest your forehead on your hands.",
    ("prone", "lie"): "Roll onto your side, then onto your back, and bend your knees, feet flat on the floor.",
    ("prone", "sit"): _TO_SITTING,
    ("prone", "kneel"): "Slide the cushion under your knees, and push back onto your hands and knees.",
    ("kneel", "prone"): "Lower your hips to one side, lie down on your side, then roll onto your front.",
}
# Where no one cue goes, the way passes through sitting or lying on the floor, never a kneel (_way).
_THROUGH = ("sit", "lie")
_NO_KNEELING = {
    ("up", "sit"): _CHAIR_DOWN,
    ("up", "lie"): f"{_CHAIR_DOWN} Shuffle forward a little, lean back onto your elbows, and lie down.",
    ("up", "wall"): f"{_CHAIR_DOWN} Then shuffle over to the wall.",
    ("sit", "up"): _CHAIR_UP,
    ("lie", "up"): f"{_TO_SITTING} {_CHAIR_UP}",
    ("wall", "up"): f"Move away from the wall, and push yourself up to sitting with your hands. {_CHAIR_UP}",
}


EYES_OPEN = "Open your eyes for this."
STAND_STILL = "Stand still for a breath."


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
    way = " ".join(_one(step, avoid) for step in _way(*key))
    if skipped_from is not None and key[0] == "kneel":
        # Whoever skipped it may have done so for their knees: their way down never kneels.
        theirs = _unopened(move(skipped_from, next_position, ("kneeling", *avoid)) or "Stay where you are.")
        way = f"If you skipped it, {theirs[0].lower()}{theirs[1:]} From your knees: {way[0].lower()}{way[1:]}"
    if key[1] == "up" and key[0] not in OFF_THE_FLOOR:
        way = f"{way} {STAND_STILL}"  # up from the floor: the blood pressure settles before the next move
    return f"{EYES_OPEN} {way}" if to_or_from_the_floor(*key) or skipped_from else way


def _unopened(cue: str) -> str:
    return cue.removeprefix(f"{EYES_OPEN} ")


def to_or_from_the_floor(level: str, next_level: str) -> bool:
    """Down to the floor or up from it (standing or the chair on one side, the floor on the other)."""
    return (level in OFF_THE_FLOOR) != (next_level in OFF_THE_FLOOR)


def _one(key: tuple[str, str], avoid: tuple[str, ...] | list[str]) -> str:
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
    if to != "standing":
        return f"Take your time getting up. {way}"
    return f"Take your time getting up. {way.removesuffix(f' {STAND_STILL}')} Stand still for a breath before you walk."


def first_side(side: str, only: bool = False) -> str:
    return f"{side.capitalize()} side only." if only else f"{side.capitalize()} side first."


def number(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def round_start(n: int, side: str | None = None) -> str:
    return f"Round {number(n)}, {side} side." if side else f"Round {number(n)}."


def lap_start(n: int, total: int) -> str:
    return f"Lap {number(n)} of {number(total)}. From the top."


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


# Tempo reps, rests, paced breathing and contract-relax (voiceguide/words/tempo.py lays them out).
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """0-99 in words ("thirty-five"); digits above."""
    if n < len(_NUMBER_WORDS):
        return _NUMBER_WORDS[n]
    if n < 100:
        tens, units = divmod(n, 10)
        return _TENS[tens - 2] + (f"-{_NUMBER_WORDS[units]}" if units else "")
    return str(n)


def _plural(n: int, word: str) -> str:
    return f"{number_words(n)} {word}{'' if n == 1 else 's'}"


def duration_words(seconds: float) -> str:
    """30 -> "thirty seconds", 90 -> "one minute, thirty seconds"."""
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    parts = ([_plural(minutes, "minute")] if minutes else []) + ([_plural(secs, "second")] if secs or not whole else [])
    return ", ".join(parts)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def tempo_intro(reps: int, sets: int) -> str:
    """ "Two sets of eight, at my count. Begin at the chime." """
    dose = f"{_plural(sets, 'set')} of {number_words(reps)}" if sets > 1 else _plural(reps, "rep")
    return f"{_capital(dose)}, at my count. Begin at the chime."


def rep_phase(word: str, n: int, reps: int, first: bool, last: bool, counted: bool = True) -> str:
    """The words at a phase's onset: "One. Lift.", "Hold.", "And lower.", "Last one. Lift."."""
    word = word.strip().rstrip(".")
    if first and counted:
        count = "Last one" if n == reps and reps > 1 else _capital(number_words(n))
        return f"{count}. {_capital(word)}."
    if last and counted:
        return f"And {word[:1].lower()}{word[1:]}."
    return f"{_capital(word)}."


def rep_count_only(n: int, reps: int) -> str:
    return "Last one." if n == reps and reps > 1 else f"{_capital(number_words(n))}."


def rest(seconds: float) -> str:
    return f"Rest. {_capital(duration_words(seconds))}."


def set_start(n: int, of: int) -> str:
    return f"Set {number_words(n)} of {number_words(of)}."


def breathing_intro(breaths: int) -> str:
    return f"{_capital(_plural(breaths, 'slow breath'))}, at my count. Begin at the chime."


# (full words, short words) for each phase of a breath and of a contract-relax.
BREATH_WORDS = {"in": ("Breathe in.", "In."), "out": ("And out.", "Out."), "hold": ("Hold.", "Hold.")}
SPOKEN_BREATHS = 2  # breaths counted aloud; the rest are breathed in quiet
PRESS_WORDS = {"press": ("Press gently, a quarter effort.", "Press."), "relax": ("And relax, breathe out.", "Relax.")}


def contract_relax_intro(cycles: int) -> str:
    times = "once" if cycles == 1 else "twice" if cycles == 2 else f"{number_words(cycles)} times"
    return f"Press and relax {times}, then hold. Begin at the chime."

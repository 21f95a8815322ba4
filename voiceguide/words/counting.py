"""The words of counted exercises: tempo reps, rests, paced breathing, contract-relax.

Messages (voiceguide/language.py) with numbers spelled in the session's
language; voiceguide/words/tempo.py lays them out.
"""

from __future__ import annotations

from voiceguide import language
from voiceguide.language import N_, Number, _, n_


def duration_words(seconds: float) -> str:
    """30 -> "thirty seconds", 90 -> "one minute, thirty seconds"."""
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    parts = [n_("{n} minute", "{n} minutes", minutes).format(n=Number(minutes))] if minutes else []
    if secs or not whole:
        parts.append(n_("{n} second", "{n} seconds", secs).format(n=Number(secs)))
    return _("{minutes}, {seconds}").format(minutes=parts[0], seconds=parts[1]) if len(parts) == 2 else parts[0]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def tempo_intro(reps: int, sets: int) -> str:
    """ "Two sets of eight, at my count. Begin at the chime." """
    if sets > 1:
        dose = n_("{n} set of {reps}", "{n} sets of {reps}", sets).format(n=Number(sets), reps=Number(reps))
    else:
        dose = n_("{n} rep", "{n} reps", reps).format(n=Number(reps))
    return _("{dose}, at my count. Begin at the chime.").format(dose=_capital(dose))


def rep_phase(word: str, n: int, reps: int, first: bool, last: bool, counted: bool = True) -> str:
    """The words at a phase's onset: "One. Lift.", "Hold.", "And lower.", "Last one. Lift."."""
    word = word.strip().rstrip(".")
    if first and counted:
        count = _("Last one") if n == reps and reps > 1 else str(Number(n, capital=True))
        return _("{count}. {word}.").format(count=count, word=_capital(word))
    if last and counted:
        return _("And {word}.").format(word=language.decapitalized(word))
    return _("{word}.").format(word=_capital(word))


def rep_count_only(n: int, reps: int) -> str:
    return _("Last one.") if n == reps and reps > 1 else _("{n}.").format(n=Number(n, capital=True))


def rest(seconds: float) -> str:
    return _("Rest. {time}.").format(time=_capital(duration_words(seconds)))


def set_start(n: int, of: int) -> str:
    return _("Set {n} of {total}.").format(n=Number(n), total=Number(of))


def breathing_intro(breaths: int) -> str:
    return n_(
        "{n} slow breath, at my count. Begin at the chime.",
        "{n} slow breaths, at my count. Begin at the chime.",
        breaths,
    ).format(n=Number(breaths, capital=True))


# (full words, short words) for each phase of a breath and of a contract-relax.
BREATH_WORDS = {
    "in": (N_("Breathe in."), N_("In.")),
    "out": (N_("And out."), N_("Out.")),
    "hold": (N_("Hold."), N_("Hold.")),
}
SPOKEN_BREATHS = 2  # breaths counted aloud; the rest are breathed in quiet
PRESS_WORDS = {
    "press": (N_("Press gently, a quarter effort."), N_("Press.")),
    "relax": (N_("And relax, breathe out."), N_("Relax.")),
}


def contract_relax_intro(cycles: int) -> str:
    if cycles == 1:
        return _("Press and relax once, then hold. Begin at the chime.")
    if cycles == 2:
        return _("Press and relax twice, then hold. Begin at the chime.")
    return _("Press and relax {n} times, then hold. Begin at the chime.").format(n=Number(cycles))

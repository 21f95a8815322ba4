"""The language a session is spoken in: its messages, its numbers in words, its sides.

voiceguide's own texts are gettext messages (`_`, `n_`): English in the code,
translated in voiceguide/locale/LL/LC_MESSAGES/voiceguide.mo, compiled from
the .po files with Babel's CLDR plural rules (scripts/messages.py). The
language is set once for a session (`speaking`) and read where a text is made,
so the cue functions keep their signatures. English is the code itself.

Sides are placeholders, never a pattern over words: a translated text writes
`{right:FORM}` (data/languages.toml gives the word in each form, with its
agreement), `swap` exchanges right and left for the other side, `fill` puts
in the words. English texts written with plain right/left (the English catalog,
routine files) keep being mirrored word by word (voiceguide/words/cues.py).
"""

from __future__ import annotations

import dataclasses
import gettext
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from voiceguide.errors import InputError
from voiceguide.tomlload import parse_toml

DOMAIN = "voiceguide"
ENGLISH = "en"
_active: ContextVar[str] = ContextVar("voiceguide_language", default=ENGLISH)
# Languages added at run time (a pseudo-locale in the tests): code -> (info, folder of LL/LC_MESSAGES).
_added: dict[str, tuple[Language, Path]] = {}


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    iso639_2: str
    sides: Mapping[str, Mapping[str, str]]  # "right"/"left" -> form -> word
    capital_nouns: bool = False  # a first word is never lowercased mid-sentence (German: nouns, "Sie")
    numbers: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)  # form -> ending -> its form
    catalog: Path | None = None  # its catalog translation, for a language added at run time (`add`)


@cache
def _bundled() -> dict[str, Language]:
    source = "languages.toml"
    data = parse_toml(resources.files("voiceguide.data").joinpath(source).read_bytes(), source)
    return {
        code: Language(
            code,
            str(t["name"]),
            str(t["iso639_2"]),
            {k: dict(v) for k, v in t["sides"].items()},
            bool(t.get("capital_nouns", False)),
            {k: dict(v) for k, v in t.get("numbers", {}).items()},
        )
        for code, t in data.items()
    }


def languages() -> dict[str, Language]:
    """Every language a session can be spoken in, by code."""
    return {**_bundled(), **{code: info for code, (info, _) in _added.items()}}


def add(info: Language, messages: Path) -> None:
    """A language from outside the package: `messages` holds its LL/LC_MESSAGES/voiceguide.mo."""
    _added[info.code] = (info, messages)
    _translations.cache_clear()


def remove(code: str) -> None:
    """Forget a language `add` gave."""
    del _added[code]
    _translations.cache_clear()


def checked(code: str, what: str = "--lang") -> str:
    """The language code, or an InputError listing the ones there are."""
    code = code.strip().lower().replace("_", "-").split("-")[0]
    if code not in languages():
        there = ", ".join(f"{c} ({lang.name})" for c, lang in languages().items())
        raise InputError(f"{what}: no language {code!r}; sessions are spoken in {there}")
    return code


def current() -> str:
    return _active.get()


def info(code: str | None = None) -> Language:
    return languages()[code or current()]


@contextmanager
def speaking(code: str) -> Iterator[None]:
    """Texts made inside are in this language."""
    token = _active.set(code)
    try:
        yield
    finally:
        _active.reset(token)


def use(code: str) -> None:
    """The language for the rest of this context (a command, once its language is known)."""
    _active.set(code)


@cache
def _translations(code: str) -> gettext.NullTranslations:
    if code == ENGLISH:
        return gettext.NullTranslations()
    folder = _added[code][1] if code in _added else Path(str(resources.files("voiceguide").joinpath("locale")))
    return gettext.translation(DOMAIN, localedir=folder, languages=[code])


def _(message: str) -> str:
    """The message in the session's language."""
    return _translations(current()).gettext(message)


def N_(message: str) -> str:
    """A message marked for translation where it is defined, translated where it is said (`_`)."""
    return message


def n_(singular: str, plural: str, n: int) -> str:
    """The message for `n` of something, by the language's plural rules ("1 Sekunde", "2 Sekunden")."""
    return _translations(current()).ngettext(singular, plural, n)


_ENGLISH_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
_ENGLISH_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def spell(n: int) -> str:
    """A number as the voice should say it: words up to 99 (a voice may misread digits), digits above."""
    if not 0 <= n < 100:
        return str(n)
    code = current()
    if code != ENGLISH:
        if code not in _bundled():
            return _("{n}").format(n=n)  # a language added at run time spells through its messages
        from num2words import num2words

        return str(num2words(n, lang=code))
    if n < len(_ENGLISH_NUMBERS):
        return _ENGLISH_NUMBERS[n]
    tens, units = divmod(n, 10)
    return _ENGLISH_TENS[tens - 2] + (f"-{_ENGLISH_NUMBERS[units]}" if units else "")


class Number:
    """A count in words that agrees with its noun: `format(Number(21), "f")` is "veintiuna" in Spanish.

    A message writes `{n:FORM}` where its noun wants a form other than the counting
    one; data/languages.toml gives each form as endings to replace ("uno" -> "una").
    """

    def __init__(self, n: int, capital: bool = False) -> None:
        self.n = n
        self.capital = capital

    def __format__(self, form: str) -> str:
        text = spell(self.n)
        if form:
            endings = info().numbers.get(form)
            if endings is None:
                raise KeyError(f"no number form {form!r} in {current()}: {', '.join(info().numbers) or 'none'}")
            # The longest ending that fits: "veintiuno" -> "veintiún" before "uno" -> "un".
            for ending in sorted(endings, key=len, reverse=True):
                if text.endswith(ending):
                    text = text[: len(text) - len(ending)] + endings[ending]
                    break
        return text[:1].upper() + text[1:] if self.capital else text

    def __str__(self) -> str:
        return format(self, "")


def decapitalized(text: str) -> str:
    """Text to follow on from a comma: its first letter small, but where the language capitalizes nouns."""
    if info().capital_nouns:
        return text
    return text[:1].lower() + text[1:]


class Side:
    """A side in the session's language: `format(side, "f")` is its word in that form ("droite")."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __format__(self, form: str) -> str:
        return word(self.name, form or "adj")

    def __str__(self) -> str:
        return format(self, "")


def word(side: str, form: str, code: str | None = None) -> str:
    """The word for a side in a grammatical form; a capital first letter capitalizes it."""
    forms = info(code).sides[side]
    found = forms.get(form.lower())
    if found is None:
        raise KeyError(f"no form {form!r} of {side!r} in {code or current()}: {', '.join(forms)}")
    return found[:1].upper() + found[1:] if form[:1].isupper() else found


_PLACEHOLDER = re.compile(r"\{(right|left):([A-Za-z]+)\}")


def has_sides(text: str) -> bool:
    return bool(_PLACEHOLDER.search(text))


def swap(text: str) -> str:
    """The text for the other side: every right placeholder a left one and back."""
    return _PLACEHOLDER.sub(lambda m: f"{{{'left' if m[1] == 'right' else 'right'}:{m[2]}}}", text)


def fill(text: str, code: str | None = None) -> str:
    """The text with its side placeholders as words."""
    return _PLACEHOLDER.sub(lambda m: word(m[1], m[2], code), text)


def placeholders_ok(text: str, code: str) -> str | None:
    """What is wrong with a translated text's placeholders, or None."""
    for m in re.finditer(r"\{[^{}]*\}", text):
        found = _PLACEHOLDER.fullmatch(m.group())
        if found is None:
            return f"{m.group()} is not a side; write {{right:FORM}} or {{left:FORM}}"
        if found[2].lower() not in info(code).sides[found[1]]:
            return f"{m.group()}: no form {found[2]!r}; forms: {', '.join(info(code).sides[found[1]])}"
    return None

"""Sessions in German, Spanish and French: every word translated, sides agreed, the timing rules kept.

The pseudo-locale test builds a language in which every message and every
catalog text is wrapped in markers, and lays out every preset in it: a word
outside the markers escaped translation (voiceguide/language.py).
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomllib
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from repo import REPO
from test_timeline import lay, words_length
from timing_rules import assert_obeys_timing_rules

from voiceguide import language
from voiceguide.errors import InputError
from voiceguide.files import sidecars
from voiceguide.files.script import render_text, summary
from voiceguide.session.pipeline import unspoken_safety
from voiceguide.words.builder import Options, apply
from voiceguide.words.catalog import load_catalog
from voiceguide.words.chapters import chapters_of
from voiceguide.words.routine import GUIDANCE, load_routine, preset_names
from voiceguide.words.translated import catalog_in

sys.path.insert(0, str(REPO / "scripts"))
import messages  # noqa: E402 - scripts/messages.py

LANGUAGES = ("de", "es", "fr")
OPEN, CLOSE = "⟦", "⟧"


def wrapped(text: str) -> str:
    """The pseudo-language's text: in markers and in capitals, its placeholders kept.

    Capitals catch an English word put into a translated message ("[CHIME: ends]"),
    where the markers alone would hide it.
    """
    upper = re.sub(r"\{[^{}]*\}|[^{}]+", lambda m: m[0] if m[0].startswith("{") else m[0].upper(), text)
    return f"{OPEN}{upper}{CLOSE}"


@pytest.fixture(scope="module")
def pseudo(tmp_path_factory) -> Iterator[str]:
    """The language "qps": every message, number, side and catalog text in markers."""
    folder = tmp_path_factory.mktemp("pseudo")
    po = Catalog(locale="en", charset="utf-8")
    for m in messages.template():
        if m.id:
            string = tuple(wrapped(i) for i in m.id) if isinstance(m.id, tuple) else wrapped(m.id)
            po.add(m.id, string)
    (folder / "qps" / "LC_MESSAGES").mkdir(parents=True)
    with (folder / "qps" / "LC_MESSAGES" / "voiceguide.mo").open("wb") as f:
        write_mo(f, po)
    english = tomllib.loads((REPO / "voiceguide/data/catalog.toml").read_text(encoding="utf-8"))["stretch"]
    side = re.compile(r"\b(right|left)\b", re.I)
    lines = []
    for s in english:
        lines.append(f'[[stretch]]\nid = "{s["id"]}"')
        for key in ("name", "setup", "reminders", "benefit", "exit", "between_sides", "brief", "caution"):
            if key not in s:
                continue
            value = s[key]
            items = [v["text"] if isinstance(v, dict) else v for v in value] if isinstance(value, list) else [value]
            items = [wrapped(side.sub(lambda m: "{" + m[1].lower() + ":adj}", t)).replace('"', '\\"') for t in items]
            shown = "[" + ", ".join(f'"{t}"' for t in items) + "]" if isinstance(value, list) else f'"{items[0]}"'
            lines.append(f"{key} = {shown}")
        if "phase_words" in s:
            words = ", ".join(f'{k} = "{wrapped(v)}"' for k, v in s["phase_words"].items())
            lines.append(f"phase_words = {{ {words} }}")
    (folder / "catalog.qps.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sides = {n: {"adj": wrapped(n), "adv": wrapped(f"on the {n}")} for n in ("right", "left")}
    language.add(language.Language("qps", "Pseudo", "qps", sides, catalog=folder / "catalog.qps.toml"), folder)
    yield "qps"
    language.remove("qps")


def escaped(text: str) -> str:
    """What escaped translation: the words outside every marked part, else any small letters inside one."""
    outside = text
    while (shorter := re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", "", outside)) != outside:
        outside = shorter
    return re.sub(r"[\s.,:;!?()'\"-]+", "", outside) or "".join(re.findall(r"[a-z]+", text))


VARIANTS = [
    dict(),
    dict(guidance="brief"),
    dict(guidance="minimal"),
    dict(avoid=("kneeling",), rounds=2),
    dict(check_in=True, profiles=("no-floor",)),
    dict(avoid=("standing",)),
]


@pytest.mark.parametrize("variant", range(len(VARIANTS)))
@pytest.mark.parametrize("name", preset_names())
def test_no_word_of_any_preset_escapes_translation(pseudo, name, variant):
    try:
        routine = apply(load_routine(name, lang=pseudo), Options(**VARIANTS[variant]))
    except InputError:
        pytest.skip("nothing left of this preset for that body")
    routine = dataclasses.replace(routine, laps=2)
    timeline = lay(routine)[0]
    assert timeline.lang == pseudo
    leaks = {e.text for e in timeline.speech if escaped(e.text or "")}
    assert not leaks, sorted(leaks)[:5]
    with language.speaking(pseudo):
        assert not escaped(routine.title) and not escaped(routine.description), routine.title
        titles = [c.title for c in chapters_of(timeline)]
    assert not [t for t in titles if escaped(t)], titles
    # The printed script: its summary line and every chime note, past the clock each line begins with.
    script = [re.sub(r"^[\d:]+(,|  )", "", line) for line in render_text(timeline).splitlines()]
    assert not [line for line in script if escaped(line)], [line for line in script if escaped(line)][:5]
    unspoken = unspoken_safety(routine)  # a chimes-only session's advice on stderr
    assert not [line for line in unspoken if escaped(line)], unspoken
    captions = [line for line in sidecars.vtt(timeline).splitlines()[1:] if line and "-->" not in line]
    assert not [line for line in captions if escaped(line)], [line for line in captions if escaped(line)][:5]


def test_the_pseudo_locale_catches_an_english_word(pseudo):
    # The check itself can fail: an English cue composed outside the messages shows up.
    assert escaped(f"{wrapped('Round')} two") == "two"
    assert escaped(wrapped("[chime: {what}]").format(what="ends")) == "ends"
    assert escaped(wrapped("[chime: {what}]").format(what=wrapped("hold {n} s").format(n=30))) == ""


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_exercise_is_translated_with_its_sides_as_placeholders(code):
    english, translated = load_catalog(), catalog_in(code)
    assert [s.id for s in english] == [s.id for s in translated]
    for en, tr in zip(english, translated, strict=True):
        assert tr.name != en.name or en.name in ("Cat-Camel",), en.id
        assert len(tr.setup) == len(en.setup) and len(tr.once) == len(en.once), en.id
        for text_en, text_tr in zip(en.setup, tr.setup, strict=True):
            # A side named in English is a placeholder in the translation, the same side.
            for side in ("right", "left"):
                if re.search(rf"\b{side}\b", text_en, re.I):
                    assert f"{{{side}:" in text_tr, (en.id, text_tr)
    # English aliases keep working in every language (--only).
    assert translated.get("downward dog").id == "downward-dog"


def test_sides_agree_and_swap_in_german():
    stretch = catalog_in("de").get("supine-hamstring")
    first = [t for t in stretch.setup if language.has_sides(t)][0]
    from voiceguide.words import cues

    with language.speaking("de"):
        said, other = language.fill(first), language.fill(cues.mirror(first))
    # The same sentence with every side word the other side's, in the same grammatical form.
    swapped = re.sub(r"\b(recht|link)(e[nmrs]?)\b", lambda m: ("link" if m[1] == "recht" else "recht") + m[2], said)
    assert re.search(r"\b(recht|link)e[nmrs]?\b", said) and other == swapped != said, (said, other)


def test_a_missing_translation_names_the_exercise(tmp_path):
    text = (REPO / "voiceguide/data/catalog.de.toml").read_text(encoding="utf-8")
    cut = re.sub(r'\[\[stretch\]\]\nid = "bird-dog".*?(?=\[\[stretch\]\])', "", text, flags=re.S)
    (tmp_path / "catalog.xx.toml").write_text(cut, encoding="utf-8")
    sides = language.info("de").sides
    language.add(language.Language("xx", "Test", "xxx", sides, catalog=tmp_path / "catalog.xx.toml"), tmp_path)
    try:
        with pytest.raises(InputError, match="no translation of bird-dog"):
            catalog_in("xx")
    finally:
        language.remove("xx")


def test_every_message_is_translated_and_compiled():
    assert messages.problems() == []


@pytest.mark.parametrize("rate", [0.04, 0.06, 0.1], ids=["fast", "calm", "slow"])
@pytest.mark.parametrize("level", GUIDANCE)
@pytest.mark.parametrize("code", LANGUAGES)
def test_every_preset_obeys_the_timing_rules_in_every_language(code, level, rate):
    length = words_length(rate)
    for name in preset_names():
        routine = apply(load_routine(name, lang=code), Options(guidance=level))
        timeline = lay(routine, length)[0]
        assert timeline.lang == code
        assert_obeys_timing_rules(timeline, routine, length)


@pytest.mark.parametrize("code", LANGUAGES)
def test_numbers_and_plurals_follow_the_language(code):
    from voiceguide.words import counting

    with language.speaking(code):
        assert str(language.Number(35)) == {"de": "fünfunddreißig", "es": "treinta y cinco", "fr": "trente-cinq"}[code]
        one, two = counting.duration_words(1), counting.duration_words(2)
    assert one != two and not re.search(r"\d", one + two)


# A count agrees with its noun: "veintiuna repeticiones", "vingt et une secondes", never the counting form.
AGREED = {
    "de": ("Einundzwanzig Wiederholungen", "einundzwanzig Sekunden", "Einunddreißig langsame Atemzüge", "Eins."),
    "es": ("Veintiuna repeticiones", "veintiún segundos", "Treinta y una respiraciones", "Uno."),
    "fr": ("Vingt et une répétitions", "vingt et une secondes", "Trente et une respirations", "Un."),
}


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_count_agrees_with_its_noun(code):
    from voiceguide.words import counting, cues

    reps, seconds, breaths, count = AGREED[code]
    with language.speaking(code):
        assert counting.tempo_intro(21, 1).startswith(reps)
        assert reps.lower() in cues.reps_intro(21).lower()
        assert counting.duration_words(81).endswith(seconds)
        assert counting.breathing_intro(31).startswith(breaths)
        assert counting.rep_count_only(1, 5) == count


@pytest.mark.parametrize("code", [*LANGUAGES, "en"])
def test_a_fitted_preset_title_says_its_minutes_in_digits(code):
    from voiceguide.session.pipeline import titled

    for minutes in (1, 8, 7.5):
        title = titled(load_routine("quick", lang=code), minutes, chimes_only=False).title
        assert f"({minutes:g} " in title, title


def test_the_script_is_in_its_language_and_the_command_line_in_english():
    routine = load_routine("low-back-daily", lang="de")
    timeline = lay(routine)[0]
    assert "holds of 30 s" in summary(timeline) and "Haltephasen zu je 30 s" in summary(timeline, "de")
    script = render_text(timeline)
    assert "~ Ton: Haltephase von 30 s beginnt (Knie zur Brust, rechte Seite)" in script, script
    assert "chime" not in script and "hold" not in script


def test_german_phase_words_after_and_are_not_capitalized():
    routine = load_routine("low-back-daily", lang="de")
    said = {e.text for e in lay(routine)[0].speech}
    after_and = {t for t in said if t.startswith("Und ")}
    assert "Und absenken." in after_and and "Und Absenken." not in after_and, after_and
    assert "Weiter atmen." in said  # alone, a capital ("weiter atmen" in the catalog)


def test_the_message_check_finds_a_form_the_language_lacks():
    from babel.messages.catalog import Message

    assert messages._placeholders_wrong(Message(("{n} rep", "{n} reps"), ("{n} x", "{n:f} y", "{n:f} z")), "fr") == []
    wrong = messages._placeholders_wrong(Message("{n} reps", "{n:q} répétitions {count}"), "fr")
    assert len(wrong) == 2 and "{n:q}" in wrong[0] and "{count}" in wrong[1]


def test_an_unknown_language_is_refused_with_the_list(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "voiceguide", "script", "quick", "--lang", "xx", "--engine", "none"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "de (Deutsch)" in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_a_routine_file_says_its_language(tmp_path):
    path = Path(tmp_path / "r.toml")
    path.write_text('title = "Meine Dehnung"\nlang = "de"\n[[steps]]\nstretch = "forward-bend"\n', encoding="utf-8")
    routine = load_routine(str(path))
    assert routine.lang == "de" and routine.steps[0].stretch.name == catalog_in("de").get("forward-bend").name
    assert load_routine(str(path), lang="fr").lang == "fr"  # --lang wins
    path.write_text('title = "x"\nlang = "klingon"\n[[steps]]\nstretch = "forward-bend"\n', encoding="utf-8")
    with pytest.raises(InputError, match="lang"):
        load_routine(str(path))


@pytest.mark.parametrize("program", ["hamstrings-14-days", "daily-anywhere", "low-back-4-weeks"])
def test_no_word_of_any_program_day_escapes_translation(pseudo, program):
    import datetime

    from voiceguide.programs.program import load_program, plan_days

    days = plan_days(load_program(program, lang=pseudo), datetime.date(2026, 11, 30))
    for day in days:
        timeline = lay(day.shaped)[0]
        leaks = {e.text for e in timeline.speech if escaped(e.text or "")}
        assert not leaks, (day.number, sorted(leaks)[:5])
        assert not escaped(day.episode_title), day.episode_title

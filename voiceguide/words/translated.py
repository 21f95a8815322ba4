"""The catalog in another language: data/catalog.LL.toml laid over the English.

A translation gives only the words of each exercise, keyed by its id, with as
many items in each list as the English (a setup item's `once` and `unless` are
the English item's at the same place); everything else (position, dose,
needs) stays in catalog.toml. Sides are placeholders (voiceguide/language.py).
An exercise with no translation is an error naming it, never an English line.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from importlib import resources

from voiceguide import language
from voiceguide.errors import InputError
from voiceguide.fields import Fields
from voiceguide.tomlload import parse_toml
from voiceguide.words.catalog import Catalog, Stretch, load_catalog
from voiceguide.words.dose import TEMPO_PHASES

# The fields a translation gives; each list has the English item count.
TEXTS = ("name", "setup", "reminders", "benefit", "exit", "between_sides", "brief", "caution")
LISTS = ("setup", "reminders", "exit", "between_sides")


@lru_cache(maxsize=8)
def catalog_in(code: str = language.ENGLISH) -> Catalog:
    """The catalog in a language: English, or with the words of data/catalog.CODE.toml."""
    english = load_catalog()
    return english if code == language.ENGLISH else Catalog(translate(english.stretches, code))


def translate(stretches: tuple[Stretch, ...], code: str) -> tuple[Stretch, ...]:
    """The stretches with the words of data/catalog.CODE.toml."""
    source = f"catalog.{code}.toml"
    own = language.info(code).catalog
    try:
        data = own.read_bytes() if own else resources.files("voiceguide.data").joinpath(source).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{source}: missing; the catalog has no {code} translation (docs/translating.md)") from None
    top = Fields(parse_toml(data, source), "", source)
    tables = top.table_list("stretch")
    top.finish()
    by_id = {}
    for i, table in enumerate(tables):
        f = Fields(table, f"stretch[{i}]", source)
        by_id[f.text("id", max_len=60)] = f
    missing = [s.id for s in stretches if s.id not in by_id]
    if missing:
        raise InputError(f"{source}: no translation of {', '.join(missing)}; add a [[stretch]] with its id and words")
    return tuple(_one(s, by_id[s.id], code) for s in stretches)


def _one(s: Stretch, f: Fields, code: str) -> Stretch:
    words: dict[str, object] = {}
    for key in TEXTS:
        english = getattr(s, key)
        if not english:
            if f.has(key):
                raise f.error(f"the English {s.id} has no {key}; remove it", at=f.where(key))
            continue
        if key in LISTS:
            value = f.texts(key)
            if len(value) != len(english):
                raise f.error(f"has {len(value)} items; the English has {len(english)}", at=f.where(key))
        else:
            value = f.text(key, max_len=300)
        for text in value if isinstance(value, tuple) else (value,):
            wrong = language.placeholders_ok(text, code)
            if wrong:
                raise f.error(wrong, at=f.where(key))
        words[key] = value
    setup: tuple[str, ...] = words["setup"]  # type: ignore[assignment]
    now = dict(zip(s.setup, setup, strict=True))
    words["once"] = frozenset(now[t] for t in s.once)
    words["unless"] = tuple((now[t], need) for t, need in s.unless)
    words["aliases"] = (*s.aliases, *f.texts("aliases", default=(), max_len=80))
    if s.dose is not None and s.dose.tempo is not None and f.has("phase_words"):
        w = Fields(f.raw("phase_words"), f.where("phase_words"), f.source)
        tempo = s.dose.tempo
        said = tuple(
            w.text(p, max_len=40) if w.has(p) else old for p, old in zip(TEMPO_PHASES, tempo.words, strict=True)
        )
        w.finish()
        tempo = dataclasses.replace(tempo, words=(said[0], said[1], said[2]))
        words["dose"] = dataclasses.replace(s.dose, tempo=tempo)
    elif f.has("phase_words"):
        raise f.error(f"the English {s.id} has no phase_words; remove it", at=f.where("phase_words"))
    f.finish()
    return dataclasses.replace(s, **words)  # type: ignore[arg-type]

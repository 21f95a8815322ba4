"""Profiles: a body described in one word (`--profile bad-knee`), as data (data/profiles.toml).

A profile adds to the avoided needs and swaps stretches for the catalog's
version that suits the body; `high-blood-pressure` also takes the holds out of
paced breathing. The builder makes the swaps and adds the avoids to its own
(voiceguide/words/builder.py, `profiled`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from voiceguide.errors import InputError
from voiceguide.fields import Fields
from voiceguide.tomlload import parse_toml
from voiceguide.words.catalog import NEEDS


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    avoid: tuple[str, ...] = ()
    swap: tuple[tuple[str, str], ...] = ()  # (stretch id, the id said instead)
    breath_holds: bool = True


@lru_cache(maxsize=1)
def load_profiles() -> dict[str, Profile]:
    source = "profiles.toml"
    data = parse_toml(resources.files("voiceguide.data").joinpath(source).read_bytes(), source)
    top = Fields(data, "", source)
    found = {}
    for name in list(data):
        f = Fields(top.raw(name), name, source)
        swaps = Fields(f.raw("swap", {}), f"{name}.swap", source)
        found[name] = Profile(
            name=name,
            description=f.text("description"),
            avoid=f.choices("avoid", NEEDS, default=()),
            swap=tuple((key, swaps.text(key, max_len=60)) for key in list(f.raw("swap", {}))),
            breath_holds=f.boolean("breath_holds", default=True),
        )
        swaps.finish()
        f.finish()
    top.finish()
    return found


def names() -> tuple[str, ...]:
    return tuple(load_profiles())


def check(values: tuple[str, ...] | list[str], where: str = "--profile") -> tuple[str, ...]:
    """The names, each one a profile, else one line naming the choices."""
    known = load_profiles()
    for value in values:
        if value not in known:
            hint = " ('pregnant' is not offered: see docs/catalog.md)" if value == "pregnant" else ""
            raise InputError(f"{where}: unknown profile {value!r}; use {', '.join(known)}{hint}")
    return tuple(dict.fromkeys(values))


def swaps(chosen: tuple[str, ...]) -> dict[str, str]:
    """Stretch id -> the id said instead, for these profiles."""
    profiles = load_profiles()
    return {old: new for name in chosen for old, new in profiles[name].swap}


def breath_holds(chosen: tuple[str, ...]) -> bool:
    return all(load_profiles()[name].breath_holds for name in chosen)


def avoided(chosen: tuple[str, ...]) -> tuple[str, ...]:
    """The needs the profiles leave out, in order."""
    profiles = load_profiles()
    return tuple(dict.fromkeys(need for name in chosen for need in profiles[name].avoid))

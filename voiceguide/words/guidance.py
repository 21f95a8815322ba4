"""Guidance levels: how much is said, as data (data/guidance.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from voiceguide.fields import Fields
from voiceguide.tomlload import parse_toml
from voiceguide.words.routine import GUIDANCE

AMOUNTS = ("all", "first", "none")
Amount = Literal["all", "first", "none"]


@dataclass(frozen=True)
class Talk:
    """What one guidance level says besides what every level keeps."""

    safety: Literal["full", "short"]
    welcome: Amount
    setup: Amount
    reminders: int
    switch_words: bool
    between_sides: bool

    @staticmethod
    def some(texts: tuple[str, ...] | list[str], amount: Amount) -> list[str]:
        return list(texts) if amount == "all" else list(texts[:1]) if amount == "first" else []


@lru_cache(maxsize=1)
def _levels() -> dict[str, Talk]:
    source = "guidance.toml"
    data = parse_toml(resources.files("voiceguide.data").joinpath(source).read_bytes(), source)
    top = Fields(data, "", source)
    levels = {}
    for name in GUIDANCE:
        f = Fields(top.raw(name), name, source)
        levels[name] = Talk(
            safety=f.choice("safety", ("full", "short")),
            welcome=f.choice("welcome", AMOUNTS),
            setup=f.choice("setup", AMOUNTS),
            reminders=f.integer("reminders", 0, 99, unit="reminders"),
            switch_words=f.boolean("switch_words"),
            between_sides=f.boolean("between_sides"),
        )
        f.finish()
    return levels


def talk_for(guidance: str) -> Talk:
    return _levels()[guidance]

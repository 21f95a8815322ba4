"""Cleaning cue text before it is validated and spoken.

Whatever people paste into a routine (control characters, HTML or SSML tags,
emoji, odd spaces) must never reach a speech engine raw: eSpeak reads tags out
loud and some engines choke on control characters.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CUE_CHARS = 300

_TAG = re.compile(r"<[^<>]{0,200}>")
# Symbols that are pictures rather than words: emoji, pictographs, dingbats.
_PICTURE_CATEGORIES = {"So", "Cs", "Co", "Cn"}


def clean(text: str) -> str:
    """Text as it should be spoken: tags gone, no control or picture characters, spaces collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = _TAG.sub(" ", text)
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\t\n\r" or category == "Zs":
            kept.append(" ")
        elif category.startswith("C") or category in _PICTURE_CATEGORIES:
            continue  # control, format (incl. bidi marks), private, unassigned, emoji
        else:
            kept.append(ch)
    return " ".join("".join(kept).split())


def has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)

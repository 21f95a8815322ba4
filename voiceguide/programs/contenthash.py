"""The content hash of a program episode: the same inputs give the same hash in every process.

The hash is taken over a canonical form, never over `repr()`: containers are
turned into JSON with sorted keys, sets become sorted lists, dataclasses name
their type and fields, and any value of another type is refused (TypeError)
rather than written as whatever its `str()` happens to be. (`repr` of a
frozenset such as `Stretch.once` follows the process's string-hash seed, so a
hash over it changed from one run to the next.)

Only what reaches the episode's bytes is hashed: the timeline (every spoken
word, chime and hold with its times), the speech engine's identity, the
chime sounds, the encoder settings, the tags and the cover's inputs, and
AUDIO_REVISION. voiceguide's version and the source of voiceguide/cues.py are
left out: a release that says the same words the same way renders nothing
again. See docs/program-folder.md (Rebuilds) for how the hash is used.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import hashlib
import json
import math
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

# Raise by one when the mixer, the loudness or the encoder change the sound of the same timeline
# (voiceguide/mix.py, loudness.py, export.py): every program folder then renders each day again.
AUDIO_REVISION = 1


def canonical(value: Any) -> Any:
    """`value` as plain JSON data that is the same in every process; TypeError for a type it does not know."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{value!r} has no canonical form")
        return value
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"type": type(value).__name__, "fields": fields}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v) for v in value), key=_text)
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("mapping keys must be strings to have a canonical form")
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no canonical form")


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def digest(value: Any) -> str:
    """SHA-256 (hex) of the canonical form of `value`."""
    return hashlib.sha256(_text(canonical(value)).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def sounds_digest() -> str:
    """The chime sounds every episode is mixed with, by name and bytes."""
    h = hashlib.sha256()
    sounds = resources.files("voiceguide.sounds")
    for item in sorted(sounds.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".wav"):
            data = item.read_bytes()
            h.update(f"{item.name}\0{len(data)}\0".encode())
            h.update(data)
    return h.hexdigest()


def episode_hash(timeline: Any, engine_identity: str, gain_key: str, fields: Mapping[str, Any]) -> str:
    """A hash of everything that shapes an episode's bytes (see the module's docstring).

    `fields`: the tags and the cover's inputs (title, album, date, track, stretches, ...).
    """
    from voiceguide.files.formats import FORMATS

    return digest(
        {
            "revision": AUDIO_REVISION,
            "sounds": sounds_digest(),
            "engine": engine_identity,
            "gain": gain_key,
            "timeline": timeline,
            "format": list(FORMATS["mp3"].args),
            "fields": dict(fields),
        }
    )

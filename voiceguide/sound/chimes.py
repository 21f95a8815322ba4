"""The chimes in sounds/, shipped inside the package as voiceguide.sounds."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.audio import AudioSegment, load_wav, seconds
from voiceguide.errors import EnvironmentFailure
from voiceguide.sound.loudness import CHIME_GAIN_DB, CHIME_PEAK_DBFS

if TYPE_CHECKING:
    from importlib.abc import Traversable


def _sounds_folder() -> Traversable:
    try:
        return resources.files("voiceguide.sounds")
    except ModuleNotFoundError:
        # Imported straight from a source checkout (python -m voiceguide in the
        # repo): the top-level sounds/ folder is right beside the package.
        return Path(__file__).resolve().parent.parent / "sounds"


def sound_file(name: str) -> Traversable:
    path = _sounds_folder().joinpath(name)
    if not path.is_file():
        raise EnvironmentFailure(f"the chime {name} is missing from the installation; reinstall voiceguide")
    return path


@cache
def load_sound(name: str) -> AudioSegment:
    """A chime a little under the voice, its peak at most CHIME_PEAK_DBFS (peaks set the master gain's ceiling)."""
    with resources.as_file(sound_file(name)) as path:
        sound = load_wav(path)
    return sound.apply_gain(min(CHIME_GAIN_DB, CHIME_PEAK_DBFS - sound.max_dBFS))


def sound_lengths(names: Iterable[str]) -> dict[str, float]:
    return {name: seconds(load_sound(name)) for name in names}

"""The chimes in sounds/, shipped inside the package as voiceguide.sounds."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from voiceguide.audio import AudioSegment, load_wav, seconds
from voiceguide.errors import EnvironmentFailure
from voiceguide.loudness import CHIME_GAIN_DB


def _sounds_folder():
    try:
        return resources.files("voiceguide.sounds")
    except ModuleNotFoundError:
        # Imported straight from a source checkout (python -m voiceguide in the
        # repo): the top-level sounds/ folder is right beside the package.
        return Path(__file__).resolve().parent.parent / "sounds"


def sound_file(name: str):
    path = _sounds_folder().joinpath(name)
    if not path.is_file():
        raise EnvironmentFailure(f"the chime {name} is missing from the installation; reinstall voiceguide")
    return path


@cache
def load_sound(name: str) -> AudioSegment:
    with resources.as_file(sound_file(name)) as path:
        return load_wav(path).apply_gain(CHIME_GAIN_DB)  # a little under the voice


def sound_lengths(names) -> dict[str, float]:
    return {name: seconds(load_sound(name)) for name in names}

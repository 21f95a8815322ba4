"""SVOX Pico through py-nanotts: small, offline voices for en-US, en-GB, de-DE, es-ES, fr-FR and it-IT.

From the `neural` extra (pip install "voiceguide[neural]"); `auto` takes it for
German, Spanish, French and Italian. Its voices, their pace, and one clip
spoken; the engine around it is engines.PicoEngine.

Every clip is spoken in a short process of its own. py-nanotts 0.1.1 sets Pico
up in memory it takes with malloc and never clears, so from the second clip in
a process the sound depends on what that memory held before (measured: the
same 18 sentences spoken twice in one process, 8 came out different), and after
a few clips a 300-letter text spun forever, holding the GIL, where no timeout
in the process could stop it. A new process's memory comes zeroed: each clip
is the same every time, a hung one is killed at PROCESS_TIMEOUT, and clips are
spoken on several cores at once (threads would gain nothing: the extension
holds the GIL while it speaks). A clip costs about 80 ms, most of it Python
starting.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from voiceguide.errors import EnvironmentFailure

SAMPLE_RATE = 16000  # py-nanotts gives 16 kHz mono 16-bit little-endian PCM
# Pico's voices, each with the words per minute it speaks at speed 1: words over
# the clip's length after the cache's silence trim, over four cues of a session
# (54-63 words) each; speed scales it in proportion (measured at 0.5-1.3).
PICO_VOICES = {
    "en-US": ("English (America)", 200),
    "en-GB": ("English (Great Britain)", 204),
    "de-DE": ("German", 175),
    "es-ES": ("Spanish (Spain)", 172),
    "fr-FR": ("French (France)", 203),
    "it-IT": ("Italian", 158),
}
PICO_DEFAULTS = {"en": "en-US", "de": "de-DE", "es": "es-ES", "fr": "fr-FR", "it": "it-IT"}
# Pico's own level clips 1% of the samples of a German or Spanish cue; at half of it none
# (the cache levels every clip to the others afterwards).
VOLUME = 0.5
PROCESS_TIMEOUT = 20.0  # seconds one clip's process may take (speech.py gives up at 30)

# Run as `python -I -c`: the folder py_nanotts is in, then the voice, speed and volume; text on stdin, PCM on stdout.
_SPEAK = """\
import sys
sys.path.insert(0, sys.argv[1])
from py_nanotts import NanoTTS
text = sys.stdin.buffer.read().decode("utf-8")
pcm = NanoTTS().speak(text, voice=sys.argv[2], speed=float(sys.argv[3]), volume=float(sys.argv[4]))
sys.stdout.buffer.write(pcm)
"""


def pico_available() -> bool:
    return importlib.util.find_spec("py_nanotts") is not None


def is_pico_voice(query: str) -> bool:
    return pico_id(query) is not None


def pico_id(query: str) -> str | None:
    """de-DE, de_de, DE-de: the voice's id; else None."""
    wanted = query.strip().replace("_", "-").lower()
    return next((vid for vid in PICO_VOICES if vid.lower() == wanted), None)


def pico_version() -> str:
    return version("py-nanotts")


def speak(text: str, voice: str, speed: float, wav_path: Path) -> None:
    """`text` spoken by a Pico voice at a speed (1: its own pace), as a 16 kHz WAV file, in a process of its own."""
    spec = importlib.util.find_spec("py_nanotts")
    if spec is None or not spec.submodule_search_locations:
        raise EnvironmentFailure("the Pico engine is not installed; pip install py-nanotts")
    folder = str(Path(next(iter(spec.submodule_search_locations))).parent)
    from voiceguide.audio import write_wav  # pydub comes with it: not for --help

    if not any(ch.isalnum() for ch in text):
        # Pico "says" an empty text as half a second of breath and hiss (peaks near -46 dBFS in
        # Spanish) that levelling would raise to speech level: nothing said is an empty clip.
        write_wav(wav_path, b"", SAMPLE_RATE)
        return
    # Pico reads <speed>, <pitch>... tags in its text: a cue's words are never markup.
    said = text.replace("<", " ").replace(">", " ")
    command = [sys.executable, "-I", "-c", _SPEAK, folder, voice, str(speed), str(VOLUME)]
    try:
        done = subprocess.run(command, input=said.encode("utf-8"), capture_output=True, timeout=PROCESS_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise EnvironmentFailure(
            f"the pico engine did not finish speaking {text[:40]!r} within {PROCESS_TIMEOUT:g} s"
        ) from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines() or [f"exit {done.returncode}"]
        raise EnvironmentFailure(f"the pico engine failed on {text[:40]!r}: {lines[-1]}")
    write_wav(wav_path, done.stdout, SAMPLE_RATE)

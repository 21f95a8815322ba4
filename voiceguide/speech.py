"""Speech: text to clips, each synthesized once and kept in the on-disk cache.

An engine turns one text into a WAV file. `Speech.prepare` makes sure every
text has a ready clip in the cache (44.1 kHz mono, silence trimmed, edges
faded), synthesizing only the missing ones, and returns their lengths for the
timeline.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Protocol

from voiceguide.cache import clip_path, touch
from voiceguide.errors import EnvironmentFailure, InputError, VoiceguideError
from voiceguide.quiet import quiet_stdout

DEFAULT_RATE = 150  # words per minute: calm, slower than conversation
RATE_LIMITS = (80, 300)
PREFERRED_VOICES = ("gmw/en-us", "en-us", "gmw/en")
EDGE_FADE_MS = 5  # so a clip never starts or stops with a click
KEEP_SILENCE_MS = 20  # of the engine's own leading and trailing silence
CLIP_PROCESSING = "44100/trim20/level-20/fade5/limit-10.5"  # what _render does to the engine's audio
CLIP_TIMEOUT = 60.0  # seconds one clip may take before the engine is deemed hung


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class Clip:
    text: str
    path: Path
    seconds: float


class Engine(Protocol):
    name: str

    def identity(self) -> str:
        """Everything that changes the sound: engine, its version, voice, rate."""

    def synthesize(self, text: str, wav_path: Path) -> None:
        """Write the spoken text as a WAV file."""

    def voices(self) -> list[Voice]: ...


_APPLIED: dict[int, dict] = {}  # the voice and rate last set on each pyttsx3 engine


class Pyttsx3Engine:
    """pyttsx3 (eSpeak NG on Linux): always installed, offline, fast."""

    name = "pyttsx3"

    def __init__(self, voice: str | None = None, rate: int | None = None):
        self.voice_query = voice
        self.rate = rate or DEFAULT_RATE
        self._engine = None
        self._voice_id: str | None = None
        self._library = ""

    def _load(self):
        if self._engine is not None:
            return self._engine
        from voiceguide.espeak import ensure_espeak

        self._library = ensure_espeak()
        try:
            import pyttsx3

            with quiet_stdout():
                engine = pyttsx3.init("espeak") if self._library != "platform-default" else pyttsx3.init()
        except Exception as exc:  # pyttsx3 raises bare RuntimeError/OSError/ImportError
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
            for preferred in PREFERRED_VOICES:
                if preferred in ids:
                    return preferred
            return str(self._engine.getProperty("voice"))
        return find_voice(voices, self.voice_query).id

    def default_voice_id(self) -> str:
        self._load()
        return self._voice_id

    def identity(self) -> str:
        from importlib.metadata import version

        self._load()
        return f"pyttsx3 {version('pyttsx3')}|{self._library}|voice={self._voice_id}|rate={self.rate}"

    def synthesize(self, text: str, wav_path: Path) -> None:
        engine = self._load()
        with quiet_stdout():
            # pyttsx3 hands every caller the same engine, so our voice and rate
            # are set again when another caller changed them. Only then: eSpeak
            # now and then returns no audio right after a property is set.
            applied = _APPLIED.setdefault(id(engine), {})
            for name, value in (("voice", self._voice_id), ("rate", self.rate)):
                if applied.get(name) != value:
                    engine.setProperty(name, value)
                    applied[name] = value
            _wait_until_idle(engine)
            engine.save_to_file(text, str(wav_path))
            engine.runAndWait()
            # runAndWait can return while eSpeak is still speaking (when its
            # queue was busy); the file is written, and pyttsx3 prints, only at
            # the end: wait for it inside the stdout guard.
            _wait_until_idle(engine, limit=30.0)


def _wait_until_idle(engine, limit: float = 2.0) -> None:
    """Wait until eSpeak has worked through its queue and pyttsx3 is not speaking.

    pyttsx3 runs eSpeak asynchronously: a property change is queued inside
    eSpeak, and pyttsx3 cancels whatever is still queued when it starts the
    next utterance, so a change waiting there would be lost (the clip comes out
    at the old rate, or empty). And an utterance may still be under way when
    runAndWait returns. espeak_Synchronize blocks until the queue is done.
    """
    if not sys.platform.startswith("linux"):
        return
    import time

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


class Speech:
    """Clips for texts, from the cache or freshly synthesized."""

    def __init__(self, engine: Engine, timeout: float = CLIP_TIMEOUT):
        self.engine = engine
        self.timeout = timeout

    def prepare(self, texts: Iterable[str], on_clip: Callable[[], None] | None = None) -> dict[str, Clip]:
        """A ready clip for every text: cached ones as they are, the rest spoken now.

        New clips are spoken (on several threads for engines that allow it),
        trimmed and levelled, then peak-limited together in one ffmpeg run, and
        written to the cache atomically.
        """
        # The clip's processing is part of its identity: a change to it must not reuse old clips.
        identity = f"{self.engine.identity()}|{CLIP_PROCESSING}"
        clips: dict[str, Clip] = {}
        missing: list[tuple[str, Path]] = []
        for text in dict.fromkeys(texts):
            path = clip_path(identity, text)
            seconds = _valid_clip_seconds(path)
            if seconds is None:
                missing.append((text, path))
                continue
            touch(path)
            clips[text] = Clip(text, path, seconds)
            if on_clip:
                on_clip()
        if missing:
            workers = max(1, min(getattr(self.engine, "workers", 1), len(missing)))
            spoken = self._speak_all([text for text, _ in missing], workers, on_clip)
            from voiceguide.loudness import limit_clips

            for (text, path), pcm in zip(missing, limit_clips(spoken)):
                clips[text] = Clip(text, path, _write_clip(path, pcm))
        return {text: clips[text] for text in dict.fromkeys(texts)}

    def _speak_all(self, texts: list[str], workers: int, on_clip) -> list[bytes]:
        if workers == 1:
            out = []
            for text in texts:
                out.append(self._speak(text))
                if on_clip:
                    on_clip()
            return out
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers, thread_name_prefix="voiceguide-tts") as pool:
            futures = [pool.submit(self._speak, text) for text in texts]
            out = []
            for future in futures:
                out.append(future.result())
                if on_clip:
                    on_clip()
            return out

    def _speak(self, text: str) -> bytes:
        """One text spoken, trimmed, levelled and faded: 16-bit mono 44.1 kHz PCM."""
        from pydub.silence import detect_leading_silence

        from voiceguide.audio import AudioSegment, conform
        from voiceguide.loudness import level_gain

        folder = clip_path("", text).parent
        folder.mkdir(parents=True, exist_ok=True)
        for _attempt in range(3):  # eSpeak rarely returns an empty clip; try again
            fd, raw = tempfile.mkstemp(suffix=".raw.wav", dir=folder)
            os.close(fd)
            try:
                self._synthesize(text, Path(raw))
                try:
                    segment = conform(AudioSegment.from_wav(raw))
                except Exception:  # an empty or broken file from the engine
                    continue
            finally:
                os.unlink(raw)
            if len(segment) == 0 or segment.max == 0:
                continue
            lead = max(0, detect_leading_silence(segment) - KEEP_SILENCE_MS)
            trail = max(0, detect_leading_silence(segment.reverse()) - KEEP_SILENCE_MS)
            segment = segment[lead : len(segment) - trail]
            segment = segment.apply_gain(level_gain(segment.raw_data))  # every cue at one level
            return segment.fade_in(EDGE_FADE_MS).fade_out(EDGE_FADE_MS).raw_data
        raise EnvironmentFailure(f"the {self.engine.name} engine produced no audio for {text[:60]!r}")

    def _synthesize(self, text: str, raw: Path) -> None:
        """The engine's synthesis, in a worker thread so a hung engine cannot hang the build."""
        failure: list[BaseException] = []

        def work():
            try:
                self.engine.synthesize(text, raw)
            except BaseException as exc:  # noqa: BLE001 - reported below, in the caller's thread
                failure.append(exc)

        worker = threading.Thread(target=work, name="voiceguide-tts", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            raise EnvironmentFailure(
                f"the {self.engine.name} engine did not finish speaking {text[:40]!r} within "
                f"{self.timeout:g} s; try again, or another --voice"
            )
        if failure:
            exc = failure[0]
            if isinstance(exc, VoiceguideError):
                raise exc
            raise EnvironmentFailure(f"the {self.engine.name} engine failed on {text[:40]!r}: {exc}") from None


def _write_clip(path: Path, pcm: bytes) -> float:
    """Write a finished clip into the cache atomically; return its length in seconds."""
    fd, part = tempfile.mkstemp(suffix=".part.wav", dir=path.parent)
    os.close(fd)
    try:
        with wave.open(part, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(44100)
            w.writeframes(pcm)
        os.replace(part, path)  # atomic: another build never sees half a clip
    finally:
        if os.path.exists(part):
            os.unlink(part)
    return len(pcm) // 2 / 44100


def _valid_clip_seconds(path: Path) -> float | None:
    """Length of a cached clip, or None if it is missing or not a sound WAV."""
    try:
        with wave.open(str(path), "rb") as w:
            frames = w.getnframes()
            if w.getframerate() != 44100 or w.getnchannels() != 1 or w.getsampwidth() != 2 or frames == 0:
                return None
            expected = frames * 2
        if os.path.getsize(path) < expected + 44:
            return None
        return frames / 44100
    except (OSError, EOFError, wave.Error):
        return None


def make_engine(voice: str | None = None, rate: int | None = None) -> Engine:
    return Pyttsx3Engine(voice=voice, rate=rate)

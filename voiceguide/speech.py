"""Speech: text to clips, each synthesized once and kept in the on-disk cache.

An engine (voiceguide/engines.py) turns one text into a WAV file.
`Speech.prepare` makes sure every text has a ready clip in the cache (44.1 kHz
mono, silence trimmed, levelled, peak-limited, edges faded), synthesizing only
the missing ones, and returns their lengths for the timeline.
"""

from __future__ import annotations

import os
import tempfile
import threading
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from voiceguide.cache import clip_path, touch
from voiceguide.errors import EnvironmentFailure, VoiceguideError

EDGE_FADE_MS = 5  # so a clip never starts or stops with a click
KEEP_SILENCE_MS = 20  # of the engine's own leading and trailing silence
CLIP_PROCESSING = "44100/trim20/level-20/fade5/limit-11.5"  # what _render does to the engine's audio
CLIP_TIMEOUT = 30.0  # seconds one clip may take before the engine is deemed hung


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
    workers: int  # clips it may speak at once (threads)

    def identity(self) -> str:
        """Everything that changes the sound: engine, its version, voice, rate."""

    def synthesize(self, text: str, wav_path: Path) -> None:
        """Write the spoken text as a WAV file."""

    def voices(self) -> list[Voice]: ...


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
            _check_free_space(missing[0][1].parent)
            workers = max(1, min(getattr(self.engine, "workers", 1), len(missing)))
            spoken = self._speak_all([text for text, _ in missing], workers, on_clip)
            from voiceguide.loudness import limit_clips

            for (text, path), pcm in zip(missing, limit_clips(spoken), strict=False):
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
        from voiceguide.audio import AudioSegment, conform  # first: it imports pydub without its ffmpeg warning

        from pydub.silence import detect_leading_silence  # isort: skip
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
                except Exception:  # noqa: BLE001 - an empty or broken file from the engine
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


MIN_FREE_BYTES = 50 * 1024 * 1024


def _check_free_space(folder: Path) -> None:
    """A full disk under the cache hangs eSpeak mid-clip: refuse before speaking."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        raise EnvironmentFailure(
            f"the speech cache {folder} has only {free // 1024 // 1024} MB free; free some space, "
            "or point VOICEGUIDE_CACHE_DIR at another disk"
        )


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


def read_clip(path: Path) -> bytes:
    """A cached clip's PCM (written by _write_clip: 44.1 kHz, mono, 16-bit)."""
    with wave.open(str(path), "rb") as w:
        return w.readframes(w.getnframes())


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

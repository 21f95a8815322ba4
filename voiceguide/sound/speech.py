"""Speech: text to clips, each synthesized once and kept in the on-disk cache.

An engine (voiceguide/sound/engines.py) turns one text into a WAV file.
`Speech.prepare` makes sure every text has a ready clip in the cache (44.1 kHz
mono, silence trimmed, levelled, peak-limited, edges faded), synthesizing only
the missing ones, and returns their lengths for the timeline.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from voiceguide.atomic import atomic_path
from voiceguide.audio import (
    SAMPLE_RATE,
    SAMPLE_WIDTH,
    AudioSegment,
    conform,
    detect_leading_silence,
    read_wav,
    wav_seconds,
    write_wav,
)
from voiceguide.errors import EnvironmentFailure, VoiceguideError
from voiceguide.sound import loudness
from voiceguide.sound.cache import clip_path, touch
from voiceguide.sound.engines import Engine

EDGE_FADE_MS = 5  # so a clip never starts or stops with a click
KEEP_SILENCE_MS = 20  # of the engine's own leading and trailing silence
SILENCE_THRESHOLD_DBFS = -50.0  # what counts as the engine's silence (pydub's detect_leading_silence default)
CLIP_TIMEOUT = 30.0  # seconds one clip may take before the engine is deemed hung
# Every constant that shapes a cached clip, so a change to any of them never reuses old clips.
CLIP_PROCESSING = "/".join(
    f"{name}={value}"
    for name, value in (
        ("rate", SAMPLE_RATE),
        ("width", SAMPLE_WIDTH),
        ("trim", KEEP_SILENCE_MS),
        ("silence", SILENCE_THRESHOLD_DBFS),
        ("fade", EDGE_FADE_MS),
        *loudness.CLIP_SHAPE.items(),
    )
)


@dataclass(frozen=True)
class Clip:
    text: str
    path: Path
    seconds: float


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
        identity = f"{self.engine.identity()}|{CLIP_PROCESSING}"
        clips: dict[str, Clip] = {}
        missing: list[tuple[str, Path]] = []
        for text in dict.fromkeys(texts):
            path = clip_path(identity, text)
            seconds = wav_seconds(path)
            if seconds is None:
                _clear_entry(path)
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
            for (text, path), pcm in zip(missing, loudness.limit_clips(spoken), strict=True):
                clips[text] = Clip(text, path, _write_clip(path, pcm))
        return {text: clips[text] for text in dict.fromkeys(texts)}

    def _speak_all(self, texts: list[str], workers: int, on_clip: Callable[[], None] | None) -> list[bytes]:
        if workers == 1:
            out = []
            for text in texts:
                out.append(self._speak(text))
                if on_clip:
                    on_clip()
            return out
        with ThreadPoolExecutor(workers, thread_name_prefix="voiceguide-tts") as pool:
            futures = [pool.submit(self._speak, text) for text in texts]
            out = []
            for future in futures:
                out.append(future.result())
                if on_clip:
                    on_clip()
            return out

    def _speak(self, text: str) -> bytes:
        """One text spoken, trimmed, levelled and faded: 16-bit mono PCM at SAMPLE_RATE."""
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
            lead = max(0, detect_leading_silence(segment, SILENCE_THRESHOLD_DBFS) - KEEP_SILENCE_MS)
            trail = max(0, detect_leading_silence(segment.reverse(), SILENCE_THRESHOLD_DBFS) - KEEP_SILENCE_MS)
            segment = segment[lead : len(segment) - trail]
            segment = segment.apply_gain(loudness.level_gain(segment.raw_data))  # every cue at one level
            pcm: bytes = segment.fade_in(EDGE_FADE_MS).fade_out(EDGE_FADE_MS).raw_data  # pydub is untyped
            return pcm
        raise EnvironmentFailure(f"the {self.engine.name} engine produced no audio for {text[:60]!r}")

    def _synthesize(self, text: str, raw: Path) -> None:
        """The engine's synthesis, in a worker thread so a hung engine cannot hang the build."""
        failure: list[BaseException] = []

        def work() -> None:
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
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        raise EnvironmentFailure(
            f"the speech cache {folder} has only {free // 1024 // 1024} MB free; free some space, "
            "or point VOICEGUIDE_CACHE_DIR at another disk"
        )


def _clear_entry(path: Path) -> None:
    """Whatever stands where a clip belongs but is not one (a FIFO, a folder, a link) goes, so it can be made."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return
    try:
        if stat.S_ISDIR(mode):
            shutil.rmtree(path)  # never follows a symlink out of the cache
        else:
            path.unlink()
    except OSError:
        pass  # writing the clip will say what is wrong


def _write_clip(path: Path, pcm: bytes) -> float:
    """Write a finished clip into the cache atomically; return its length in seconds."""
    with atomic_path(path, record=False) as part:
        write_wav(part, pcm)
    return len(pcm) // SAMPLE_WIDTH / SAMPLE_RATE


def read_clip(path: Path) -> bytes:
    """A cached clip's PCM (checked when the build was planned; gone since means the cache was cleared)."""
    pcm = read_wav(path)
    if pcm is None:
        raise EnvironmentFailure(f"the cached clip {path.name} changed during the build; run the build again")
    return bytes(pcm)

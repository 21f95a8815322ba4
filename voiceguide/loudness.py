"""Loudness: levelled speech, chimes under the voice, the mix at -16 LUFS.

- Every speech clip is levelled to the same active level when it is cached
  (the RMS of its voiced 50 ms frames), so no cue jumps out or drops away,
  and peak-limited there (limit_clips), so the mix needs no limiter.
- Chimes sit a few LU under the voice (CHIME_GAIN_DB).
- The finished mix gets one linear master gain in ffmpeg, and is
  measured per ITU-R BS.1770 by ffmpeg's ebur128 filter in a second ffmpeg
  process fed the same PCM while the encoder runs (the second core). When the
  measurement misses -16 LUFS by more than TOLERANCE_LU, or the peak is over
  the ceiling, the mix is encoded again with the corrected gain (before the
  file is renamed into place), and the gain is remembered for the next build
  of the same kind, which then needs one pass.
"""

from __future__ import annotations

import json
import math
import queue
import re
import subprocess
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # audioop, 3.11-3.12
    try:
        import audioop
    except ImportError:  # pragma: no cover - 3.13 without audioop-lts
        from pydub import pyaudioop as audioop

TARGET_LUFS = -16.0  # integrated: the spoken-word norm of podcast platforms
MAX_TRUE_PEAK = -1.5  # dBTP
# Sample peaks are read from the PCM (4x oversampled true peak would double the
# meter's cost); this margin covers inter-sample peaks and the codec's overshoot.
MAX_SAMPLE_PEAK = MAX_TRUE_PEAK - 0.5
PEAK_TOLERANCE = 0.2  # dB over MAX_SAMPLE_PEAK a first pass may keep (MP3 adds ~0.2 dB: still under -1.5 dBTP)
# From the meter's reading (PCM at 16 kHz) to the encoded file's, measured on two
# full sessions: -15.0 -> -15.5 and -12.0 -> -12.5 LUFS for 96 kbit/s MP3.
CODEC_OFFSET_LU = {"mp3": -0.5}
TOLERANCE_LU = 0.5  # a first pass further off than this is encoded again
CLIP_LEVEL_DBFS = -20.0  # active RMS every speech clip is levelled to
CLIP_PEAK_DBFS = -1.0  # but never louder than this at its peak
CLIP_LIMIT_DBFS = -11.5  # then peak-limited here: 11.5 dB over the level keeps the mix's peaks low
CHIME_GAIN_DB = -8.0  # chimes (made at -15.5 LUFS) sit about 3 LU under the levelled voice
DEFAULT_GAIN_DB = 8.7  # levelled, limited speech measures about -24.3 LUFS in a session (both engines)
GATE_DBFS = -50.0  # frames quieter than this are pauses, not speech


def db_to_ratio(db: float) -> float:
    return 10 ** (db / 20)


def level_gain(pcm: bytes, sample_rate: int = 44100) -> float:
    """dB that bring a clip's voiced frames to CLIP_LEVEL_DBFS, its peak capped."""
    frame = sample_rate // 20 * 2  # 50 ms of 16-bit mono
    gate = 32768 * db_to_ratio(GATE_DBFS)
    levels = [audioop.rms(pcm[i : i + frame], 2) for i in range(0, len(pcm) - frame + 1, frame)]
    voiced = [r for r in levels if r > gate]
    peak = audioop.max(pcm, 2) if pcm else 0
    if not voiced or not peak:
        return 0.0
    active = math.sqrt(sum(r * r for r in voiced) / len(voiced))
    gain = CLIP_LEVEL_DBFS - 20 * math.log10(active / 32768)
    headroom = CLIP_PEAK_DBFS - 20 * math.log10(peak / 32768)
    return min(gain, headroom)


def limit_clips(clips: list[bytes], sample_rate: int = 44100) -> list[bytes]:
    """Peak-limit levelled clips to CLIP_LIMIT_DBFS, all in one ffmpeg run.

    Speech peaks sit some 17 dB over its loudness; a mix at -16 LUFS needs them
    within about 13.5 dB (pauses inside the 400 ms blocks make the mix measure
    some 2.5 LU under its clips' level) to keep the true peak under -1.5 dBTP. Limiting each clip
    once, as it is cached, makes the master gain a plain linear gain. The clips
    go through ffmpeg's alimiter (delay compensated) joined by silent pads
    longer than its release, and are cut apart again at the same offsets.
    """
    if not clips:
        return []
    from voiceguide import ffmpeg

    pad = b"\0" * (sample_rate // 5 * 2)  # 200 ms: the limiter lets go between clips
    joined = pad + pad.join(clips) + pad
    limit = db_to_ratio(CLIP_LIMIT_DBFS)
    args = [
        "-nostdin", "-hide_banner", "-loglevel", "error",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
        "-af", f"alimiter=limit={limit:.5f}:attack=2:release=40:level=0:latency=1",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "pipe:1",
    ]  # fmt: skip
    done = ffmpeg.run(args, input=joined, capture_output=True, check=False)
    out = done.stdout
    if done.returncode != 0 or len(out) != len(joined):
        from voiceguide.errors import EnvironmentFailure

        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"{len(out)} bytes"]
        raise EnvironmentFailure(f"ffmpeg failed to level the speech: {detail[0]}")
    limited, at = [], len(pad)
    for clip in clips:
        limited.append(out[at : at + len(clip)])
        at += len(clip) + len(pad)
    return limited


def master_filter(gain_db: float) -> str:
    """ffmpeg filter for the whole mix: one linear gain (the clips are already limited)."""
    return f"volume={gain_db:.3f}dB:precision=float"


@dataclass(frozen=True)
class Measurement:
    integrated: float  # LUFS, of the PCM given to the encoder
    peak: float  # dBFS sample peak, likewise
    codec_offset: float = 0.0  # LU the codec will add

    @property
    def expected(self) -> float:
        """The integrated loudness the encoded file will measure."""
        return self.integrated + self.codec_offset

    def on_target(self) -> bool:
        return abs(self.expected - TARGET_LUFS) <= TOLERANCE_LU and self.peak <= MAX_SAMPLE_PEAK + PEAK_TOLERANCE

    def corrected(self, gain_db: float) -> float:
        """The master gain that lands this mix on target (the gain is linear: no limiter)."""
        change = TARGET_LUFS - self.expected
        over = self.peak + change - MAX_SAMPLE_PEAK
        return gain_db + change - max(0.0, over)


class Analyzer:
    """An ffmpeg process measuring what the encoder is given, fed chunk by chunk."""

    def __init__(self, gain_db: float, fmt: str = "mp3"):
        self.codec_offset = CODEC_OFFSET_LU.get(fmt, 0.0)
        self.gain_db = gain_db
        self._peak = 0
        from voiceguide import ffmpeg
        from voiceguide.audio import SAMPLE_RATE

        self._log = tempfile.TemporaryFile()
        args = [
            "-nostdin", "-hide_banner", "-nostats",
            "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0",
            # At 16 kHz the meter costs a third and reads speech 0.1 LU high (measured), which
            # CODEC_OFFSET_LU takes in; its core then stays free for the encoder.
            "-af", f"{master_filter(gain_db)},aresample=16000,ebur128=framelog=verbose", "-f", "null", "-",
        ]  # fmt: skip
        try:
            self.proc = ffmpeg.popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log)
        except BaseException:
            self._log.close()
            raise
        # Fed from its own thread, so the encoder and the meter each run flat out
        # on their core instead of waiting on each other's pipe.
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
        self._feeder = threading.Thread(target=self._feed, name="voiceguide-meter", daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        while (chunk := self._queue.get()) is not None:
            try:
                self.proc.stdin.write(chunk)
            except (BrokenPipeError, ValueError):
                pass
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass

    def write(self, chunk: bytes) -> None:
        self._peak = max(self._peak, audioop.max(chunk, 2))  # cheaper here than in ffmpeg
        self._queue.put(chunk)

    def result(self) -> Measurement | None:
        self._queue.put(None)
        self._feeder.join()
        self.proc.wait()
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace")
        self._log.close()
        found = parse_summary(text)
        if found is None:
            return None
        peak = 20 * math.log10(self._peak / 32768) + self.gain_db if self._peak else -math.inf
        return Measurement(found.integrated, round(peak, 2), self.codec_offset)

    def abort(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self._feeder.is_alive():
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                pass
        self._log.close()


def parse_summary(text: str) -> Measurement | None:
    """The integrated loudness from ebur128's closing summary (peak left at -inf)."""
    summary = text[text.rfind("Summary:") :] if "Summary:" in text else text
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    if not integrated:
        return None
    return Measurement(_number(integrated.group(1)), -math.inf)


def _number(text: str) -> float:
    return -math.inf if text == "-inf" else float(text)


# -- the gain that worked last time, per kind of session ---------------------


def _memory_path() -> Path:
    from voiceguide.cache import cache_dir

    return cache_dir() / "loudness.json"


def remembered_gain(key: str) -> float:
    try:
        return float(json.loads(_memory_path().read_text(encoding="utf-8"))[key])
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_GAIN_DB


def remember_gain(key: str, gain_db: float) -> None:
    from voiceguide.atomic import write_text_atomic

    path = _memory_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data[key] = round(gain_db, 3)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(data, indent=1, sort_keys=True), record=False)
    except OSError:
        pass  # only a hint for next time

"""Loudness: levelled speech, chimes under the voice, the mix at -16 LUFS.

- Every speech clip is levelled to the same active level when it is cached
  (the RMS of its voiced 50 ms frames), so no cue jumps out or drops away,
  and peak-limited there (limit_clips), so the mix needs no limiter.
- Chimes sit a few LU under the voice (CHIME_GAIN_DB).
- The finished mix gets one linear master gain in ffmpeg, and is
  measured per ITU-R BS.1770 by ffmpeg's ebur128 filter in a second ffmpeg
  process fed the same PCM while the encoder runs (the second core). The
  meter reads the mix before the master gain, so its reading, and the gain
  chosen from it (Measurement.gain, on a GAIN_STEP grid), depend on the mix
  alone: the same clips always give the same samples. The encoder starts with
  the gain remembered from the last build of the same kind; when the reading
  asks for another, the mix is encoded again before the file is renamed into
  place, and the new gain is remembered, so the next build needs one pass.
"""

from __future__ import annotations

import json
import math
import queue
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from voiceguide import ffmpeg
from voiceguide.atomic import write_text_atomic
from voiceguide.audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH, audioop
from voiceguide.errors import EnvironmentFailure
from voiceguide.sound.cache import cache_dir, read_small

TARGET_LUFS = -16.0  # integrated: the spoken-word norm of podcast platforms
MAX_TRUE_PEAK = -1.5  # dBTP
# Sample peaks are read from the PCM (4x oversampled true peak would double the
# meter's cost); this margin covers inter-sample peaks and the codec's overshoot.
MAX_SAMPLE_PEAK = MAX_TRUE_PEAK - 0.5
PEAK_TOLERANCE = 0.2  # dB over MAX_SAMPLE_PEAK a mix may reach (MP3 adds ~0.2 dB: still under -1.5 dBTP)
# From the meter's reading (PCM at 16 kHz) to the encoded file's, measured on two
# full sessions: -15.0 -> -15.5 and -12.0 -> -12.5 LUFS for 96 kbit/s MP3.
CODEC_OFFSET_LU = {"mp3": -0.5}
# dB a codec's decoded peaks usually overshoot the PCM's on limited speech (MP3 at 96 kbit/s: 1.0-1.3 dB
# measured on Piper's presets, whose limited peaks ring the most); the ceiling is lowered by it so that one
# encode is the rule. A rarer clip that overshoots more is caught by the decoded file's peak (over_ceiling).
CODEC_PEAK_MARGIN = {"mp3": 1.2}
# The decoded file's sample peak may reach this: 0.2 dB under -1.5 dBTP leaves room for its inter-sample peaks.
DECODED_PEAK_CEILING = MAX_TRUE_PEAK - 0.2
GAIN_STEP = 1.0  # dB: master gains are chosen on this grid (the mix lands within 0.5 LU of the target,
# as close as a gain remembered from another session of the kind could land it): one encode is the rule
PEAK_STEP = 0.1  # dB: the grid of gains held down by the peak ceiling (a music bed raises the peaks)
MAX_GAIN_DB = 40.0  # a remembered gain beyond this is not one voiceguide wrote
CLIP_LEVEL_DBFS = -20.0  # active RMS every speech clip is levelled to
CLIP_PEAK_DBFS = -1.0  # but never louder than this at its peak
CLIP_LIMIT_DBFS = -13.0  # then peak-limited here: 7 dB over the level keeps the file's peaks under -1.5 dBTP
CHIME_PEAK_DBFS = -13.0  # as high as the voice's: chimes are tonal, encoders overshoot them far less
CHIME_GAIN_DB = -8.0  # chimes (made at -15.5 LUFS) sit about 3 LU under the levelled voice
DEFAULT_GAIN_DB = 9.0  # on the GAIN_STEP grid: levelled, limited speech measures about -24.5 LUFS in a session
GATE_DBFS = -50.0  # frames quieter than this are pauses, not speech
LEVEL_FRAME_S = 0.05  # the frames a clip's active level is measured in
LIMITER = {"attack": 5, "release": 40, "pad": 0.2}  # ms, ms, s of silence between clips
# Everything here that shapes a cached clip: part of its cache key (speech.CLIP_PROCESSING).
CLIP_SHAPE = {
    "level": CLIP_LEVEL_DBFS,
    "peak": CLIP_PEAK_DBFS,
    "gate": GATE_DBFS,
    "frame": LEVEL_FRAME_S,
    "limit": CLIP_LIMIT_DBFS,
    **{f"limiter_{k}": v for k, v in LIMITER.items()},
}


def db_to_ratio(db: float) -> float:
    return 10 ** (db / 20)


def level_gain(pcm: bytes, sample_rate: int = SAMPLE_RATE) -> float:
    """dB that bring a clip's voiced frames to CLIP_LEVEL_DBFS, its peak capped."""
    frame = round(sample_rate * LEVEL_FRAME_S) * SAMPLE_WIDTH
    gate = 32768 * db_to_ratio(GATE_DBFS)
    levels = [audioop.rms(pcm[i : i + frame], SAMPLE_WIDTH) for i in range(0, len(pcm) - frame + 1, frame)]
    voiced = [r for r in levels if r > gate]
    peak = audioop.max(pcm, SAMPLE_WIDTH) if pcm else 0
    if not voiced or not peak:
        return 0.0
    active = math.sqrt(sum(r * r for r in voiced) / len(voiced))
    gain = CLIP_LEVEL_DBFS - 20 * math.log10(active / 32768)
    headroom = CLIP_PEAK_DBFS - 20 * math.log10(peak / 32768)
    return min(gain, headroom)


def limit_clips(clips: list[bytes], sample_rate: int = SAMPLE_RATE) -> list[bytes]:
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
    pad = b"\0" * (round(sample_rate * LIMITER["pad"]) * SAMPLE_WIDTH)  # the limiter lets go between clips
    joined = pad + pad.join(clips) + pad
    limit = db_to_ratio(CLIP_LIMIT_DBFS)
    args = [
        "-nostdin", "-hide_banner", "-loglevel", "error",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", str(CHANNELS), "-i", "pipe:0",
        "-af", f"alimiter=limit={limit:.5f}:attack={LIMITER['attack']}:release={LIMITER['release']}:level=0:latency=1",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", str(CHANNELS), "pipe:1",
    ]  # fmt: skip
    done = ffmpeg.run(args, input=joined, capture_output=True, check=False)
    out = done.stdout
    if done.returncode != 0 or len(out) != len(joined):
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
    """The mix as measured before the master gain: a function of its samples alone."""

    integrated: float  # LUFS
    peak: float  # dBFS sample peak
    codec_offset: float = 0.0  # LU the codec will add
    peak_margin: float = 0.0  # dB the codec's peaks may overshoot (CODEC_PEAK_MARGIN)

    def expected(self, gain_db: float) -> float:
        """The integrated loudness the file encoded with this master gain will measure."""
        return self.integrated + gain_db + self.codec_offset

    def gain(self) -> float:
        """The master gain: the GAIN_STEP nearest the target, lowered (in PEAK_STEP) while the peak is over the ceiling.

        Both grids make the gain a function of the mix alone, and a gain remembered
        from another build of the same kind often the right one.
        """
        on_target = round((TARGET_LUFS - self.integrated - self.codec_offset) / GAIN_STEP) * GAIN_STEP
        if not math.isfinite(self.peak):
            return on_target
        ceiling = MAX_SAMPLE_PEAK + PEAK_TOLERANCE - self.peak_margin
        room = math.floor((ceiling - self.peak) / PEAK_STEP) * PEAK_STEP
        return round(min(on_target, room), 3)


class Analyzer:
    """An ffmpeg process measuring the mix the encoder is given, fed chunk by chunk."""

    def __init__(self, fmt: str = "mp3"):
        self.codec_offset = CODEC_OFFSET_LU.get(fmt, 0.0)
        self.peak_margin = CODEC_PEAK_MARGIN.get(fmt, 0.0)
        self._peak = 0
        self._log: IO[bytes] = tempfile.TemporaryFile()
        args = [
            "-nostdin", "-hide_banner", "-nostats",
            "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", str(CHANNELS), "-i", "pipe:0",
            # At 16 kHz the meter costs a third and reads speech 0.1 LU high (measured), which
            # CODEC_OFFSET_LU takes in; its core then stays free for the encoder.
            "-af", "aresample=16000,ebur128=framelog=verbose", "-f", "null", "-",
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
        assert self.proc.stdin is not None
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
        self._peak = max(self._peak, audioop.max(chunk, SAMPLE_WIDTH))  # cheaper here than in ffmpeg
        self._queue.put(chunk)

    def result(self) -> Measurement | None:
        self._queue.put(None)
        self._feeder.join()
        self.proc.wait()
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace")
        self._log.close()
        integrated = parse_summary(text)
        if integrated is None:
            return None
        peak = 20 * math.log10(self._peak / 32768) if self._peak else -math.inf
        return Measurement(integrated, round(peak, 2), self.codec_offset, self.peak_margin)

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


def decoded_peak(path: Path) -> float:
    """The sample peak (dBFS) of an encoded file as a player decodes it, per ffmpeg's volumedetect."""
    args = ["-nostdin", "-hide_banner", "-nostats", "-i", ffmpeg.file_url(path)]
    args += ["-af", "volumedetect", "-f", "null", "-"]
    done = ffmpeg.run(args, capture_output=True, check=False)
    found = re.search(r"max_volume: (-?[\d.]+|-inf) dB", done.stderr.decode("utf-8", "replace"))
    if done.returncode != 0 or not found:
        raise EnvironmentFailure(f"ffmpeg could not read back {path.name} to check its peak")
    return -math.inf if found.group(1) == "-inf" else float(found.group(1))


def over_ceiling(peak: float) -> float:
    """dB to take off the master gain, on the PEAK_STEP grid, for a decoded peak to sit under the ceiling."""
    if peak <= DECODED_PEAK_CEILING:
        return 0.0
    return round(math.ceil(round((peak - DECODED_PEAK_CEILING) / PEAK_STEP, 6)) * PEAK_STEP, 3)


def parse_summary(text: str) -> float | None:
    """The integrated loudness (LUFS, -inf for silence) from ffmpeg's ebur128 closing summary."""
    summary = text[text.rfind("Summary:") :] if "Summary:" in text else text
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    if not integrated:
        return None
    return -math.inf if integrated.group(1) == "-inf" else float(integrated.group(1))


# -- the gain that worked last time, per kind of session ---------------------


def _memory_path() -> Path:
    return cache_dir() / MEMORY_FILE


MEMORY_FILE = "loudness.json"


def _memory() -> dict[str, float]:
    """The remembered gains, every one checked: a damaged or hand-edited file is only a missed hint."""
    data = read_small(_memory_path(), 1024 * 1024)
    try:
        found = json.loads(data) if data else {}
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {
        k: float(v)
        for k, v in found.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and abs(v) <= MAX_GAIN_DB
    }


def remembered_gain(key: str) -> float:
    return _memory().get(key, DEFAULT_GAIN_DB)


def remember_gain(key: str, gain_db: float) -> None:
    data = _memory()
    if data.get(key) == gain_db:
        return
    data[key] = round(gain_db, 3)
    try:
        _memory_path().parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(_memory_path(), json.dumps(data, indent=1, sort_keys=True), record=False)
    except OSError:
        pass  # only a hint for next time

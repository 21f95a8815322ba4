"""Measure rendered audio, independently of the code under test.

The timing rules in docs/design.md are promises about what a listener hears: a hold
lasts exactly its seconds, from the onset of the chime that opens it to the
onset of the chime that closes it, after MP3 encoding and decoding. The
timeline JSON only says what the code meant to do. A wrong sample offset in the
mixer, a chunk boundary, encoder delay or padding, or a mixed-up sound file can
each move or change what is heard while the JSON stays the same. So the
end-to-end tests measure the audio and do not trust it: they decode the MP3
with ffmpeg (not pydub or voiceguide's own helpers), read the chimes straight
from the repository's `sounds/` folder with the stdlib `wave` module, find each
chime by normalised cross-correlation and compute levels and spectra with
numpy. Nothing here imports voiceguide.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

RATE = 44100
SOUNDS = Path(__file__).resolve().parent.parent / "sounds"
HEAD_SECONDS = 0.1  # how much of a chime's start is matched


def ffmpeg_exe() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def decode(path) -> np.ndarray:
    """Any file ffmpeg reads, as float32 samples in [-1, 1), 44100 Hz mono."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg could not decode {path}: {proc.stderr.decode(errors='replace').strip()}")
    return np.frombuffer(proc.stdout, dtype="<i2").astype(np.float32) / 32768.0


def load_chime(name: str) -> np.ndarray:
    """sounds/<name> as float32 mono samples at 44100 Hz, read with the wave module."""
    with wave.open(str(SOUNDS / name), "rb") as w:
        if w.getsampwidth() != 2 or w.getframerate() != RATE:
            raise ValueError(f"{name}: expected 16-bit {RATE} Hz, got {8 * w.getsampwidth()}-bit {w.getframerate()} Hz")
        channels = w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data


def correlate(
    signal: np.ndarray, template: np.ndarray, expected_seconds: float, search: float = 0.5
) -> tuple[float, float]:
    """(onset in seconds, normalised correlation in [-1, 1]) of the best match of
    the template's first HEAD_SECONDS within +-search s of expected_seconds."""
    head = np.asarray(template[: int(HEAD_SECONDS * RATE)], dtype=np.float64)
    n = len(head)
    lo = max(0, int(round((expected_seconds - search) * RATE)))
    hi = min(len(signal), int(round((expected_seconds + search) * RATE)) + n)
    seg = np.asarray(signal[lo:hi], dtype=np.float64)
    if len(seg) < n:
        raise ValueError(f"nothing to search near {expected_seconds:.3f} s (signal is {len(signal) / RATE:.3f} s)")
    size = 1 << (len(seg) + n - 1).bit_length()
    dots = np.fft.irfft(np.fft.rfft(seg, size) * np.conj(np.fft.rfft(head, size)), size)[: len(seg) - n + 1]
    energy = np.concatenate(([0.0], np.cumsum(seg * seg)))
    window = np.maximum(energy[n:] - energy[:-n], 0.0)
    head_energy = float(head @ head)
    ncc = np.zeros_like(dots)
    loud = window > 1e-6 * head_energy  # digital silence matches nothing
    ncc[loud] = dots[loud] / np.sqrt(window[loud] * head_energy)
    k = int(np.argmax(ncc))
    return (lo + k) / RATE, float(ncc[k])


def locate(signal: np.ndarray, template: np.ndarray, expected_seconds: float, search: float = 0.5) -> float:
    """Onset, in seconds, of the chime `template` nearest in shape around expected_seconds."""
    return correlate(signal, template, expected_seconds, search)[0]


def _span(signal: np.ndarray, start: float, end: float) -> np.ndarray:
    a, b = max(0, int(round(start * RATE))), min(len(signal), int(round(end * RATE)))
    if b <= a:
        raise ValueError(f"empty span {start:.3f}-{end:.3f} s")
    return np.asarray(signal[a:b], dtype=np.float64)


def rms_db(signal: np.ndarray, start: float, end: float) -> float:
    """RMS level of signal[start:end] (seconds) in dBFS (a full-scale square wave is 0 dB)."""
    seg = _span(signal, start, end)
    return 20 * float(np.log10(max(float(np.sqrt(np.mean(seg * seg))), 1e-10)))


def band_fraction(signal: np.ndarray, start: float, end: float, low: float, high: float) -> float:
    """Share of the span's energy between low and high Hz."""
    seg = _span(signal, start, end)
    size = 1 << (len(seg) - 1).bit_length()  # zero-padded to a fast FFT length
    power = np.abs(np.fft.rfft(seg * np.hanning(len(seg)), size)) ** 2
    freqs = np.fft.rfftfreq(size, 1 / RATE)
    total = float(power.sum())
    return float(power[(freqs >= low) & (freqs <= high)].sum()) / total if total else 0.0

"""Generate the chime WAV files used as cues in voiceguide audio.

Writes five short bell/marimba-like cues (44100 Hz, mono, 16-bit PCM):

    start.wav   - opens a hold: two notes rising (C6 -> G6)
    end.wav     - closes a hold: two notes falling (G6 -> C6)
    switch.wav  - "switch sides": the same mid note twice (E5, E5)
    finish.wav  - session end: C5-E5-G5 arpeggio into a held C6
    tick.wav    - one rep of a dynamic stretch in a chimes-only session: a
                  short, soft A5 (12 dB under the others)

Every sample is synthesized from scratch with plain arithmetic (no
recordings, samples or third-party code), so the sounds are free of any
licence: they are dedicated to the public domain (CC0).

Output is deterministic: the same bytes on every run.

Usage:
    python scripts/make_chimes.py [--out DIR]
"""

import argparse
import math
import struct
import wave
from array import array
from pathlib import Path

SAMPLE_RATE = 44100
PEAK = 10 ** (-3 / 20)  # -3 dBFS, leaves headroom for the MP3 encoder
ATTACK_S = 0.002  # linear ramp: long enough to avoid a click, short enough
# that the onset stays at the very first samples (tests locate it to 10 ms)
FADE_S = 0.030  # final fade so every file ends on exactly zero

# Bell-ish partials: (frequency ratio, relative amplitude, decay time in s).
# Slightly inharmonic ratios give a mallet/bell colour; the fundamental is
# by far the loudest so each cue's dominant frequency is its note.
PARTIALS = (
    (1.0, 1.00, 0.40),
    (2.0, 0.35, 0.25),
    (2.76, 0.18, 0.15),
    (5.4, 0.07, 0.06),
)

# Equal-tempered note frequencies (A4 = 440 Hz).
C5, E5, G5 = 523.25, 659.26, 783.99
C6, G6 = 1046.50, 1567.98
A5 = 880.00

# Each sound: total length in seconds, its notes as
# (start time s, frequency Hz, amplitude, decay scale), and optionally its
# peak in dB under PEAK.
# First notes are a bit louder than later ones so the dominant frequency
# (which tests use to tell the cues apart) is unambiguous.
SOUNDS = {
    "start": (1.0, [(0.0, C6, 1.0, 1.0), (0.12, G6, 0.8, 1.0)]),
    "end": (1.0, [(0.0, G6, 1.0, 1.0), (0.12, C6, 0.8, 1.0)]),
    "switch": (0.8, [(0.0, E5, 1.0, 0.75), (0.18, E5, 0.9, 0.75)]),
    "finish": (
        2.8,
        [
            (0.0, C5, 1.0, 2.5),
            (0.16, E5, 0.55, 2.5),
            (0.32, G5, 0.5, 2.5),
            (0.52, C6, 0.6, 3.0),  # held top note, long gentle decay
        ],
    ),
    "tick": (0.15, [(0.0, A5, 1.0, 0.15)], -12.0),
}


def render(duration, notes, under_db=0.0):
    """Mix the notes into a float buffer, normalise and shape the ends."""
    n = round(duration * SAMPLE_RATE)
    buf = [0.0] * n
    attack = round(ATTACK_S * SAMPLE_RATE)
    for start_s, freq, amp, decay_scale in notes:
        first = round(start_s * SAMPLE_RATE)
        for ratio, rel, decay in PARTIALS:
            f = freq * ratio
            if f >= SAMPLE_RATE / 2:
                continue  # never alias
            w = 2 * math.pi * f / SAMPLE_RATE
            k = 1.0 / (decay * decay_scale * SAMPLE_RATE)
            a = amp * rel
            for i in range(n - first):
                # sin() starts at 0 so each note begins without a step.
                env = math.exp(-k * i)
                if i < attack:
                    env *= i / attack
                buf[first + i] += a * env * math.sin(w * i)

    # Fade-out: linear to exactly 0 at the last sample.
    fade = round(FADE_S * SAMPLE_RATE)
    for j in range(fade):
        buf[n - 1 - j] *= j / fade

    # Remove the (tiny) DC component without disturbing the ends: subtract
    # the mean only where the signal is fully "on", tapered by the same
    # attack/fade shapes so sample 0 and the last sample stay at zero.
    taper = [1.0] * n
    for i in range(attack):
        taper[i] = i / attack
    for j in range(fade):
        taper[n - 1 - j] = min(taper[n - 1 - j], j / fade)
    dc = sum(buf) / sum(taper)
    buf = [x - dc * t for x, t in zip(buf, taper, strict=False)]

    scale = PEAK * 10 ** (under_db / 20) / max(abs(x) for x in buf)
    return array("h", (round(x * scale * 32767) for x in buf))


def write_wav(path, samples):
    # Write header fields explicitly via the wave module; no timestamps or
    # other run-dependent data go into the file, so output is reproducible.
    if struct.pack("=h", 1) != struct.pack("<h", 1):
        samples = array("h", samples)
        samples.byteswap()  # WAV is little-endian
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(samples.tobytes())


def main(argv=None):
    default_out = Path(__file__).resolve().parent.parent / "sounds"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=default_out,
        help=f"output folder (default: {default_out})",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (duration, notes, *under) in SOUNDS.items():
        path = args.out / f"{name}.wav"
        write_wav(path, render(duration, notes, *under))
        print(f"wrote {path} ({duration:.2f} s)")


if __name__ == "__main__":
    main()

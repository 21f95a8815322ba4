"""End to end: a routine file with tempo reps in sets, paced breathing and contract-relax, rendered for real.

Real pyttsx3 (eSpeak NG) and real ffmpeg; the MP3 is decoded and measured with
tests/audiocheck.py against the timeline JSON the same build wrote. Chimes and
ticks are found by cross-correlation with the files in sounds/, a phase's words
by cross-correlation with the spoken clip the build cached (a first loud
millisecond is no onset: "Press" begins with the silence of a closed mouth,
some 25 ms). Every boundary within 10 ms.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

try:
    from . import audiocheck
except ImportError:
    import audiocheck

pytestmark = pytest.mark.slow

TOLERANCE = 0.010  # seconds: docs/design.md's timing rule, after MP3 encode and decode
SLUG_WORDS, SLUG_CHARS = 5, 40  # the readable prefix of a cached clip's name (voiceguide/sound/cache.py)

ROUTINE = """\
title = "Dosed"
guidance = "brief"

[[steps]]
name = "Glute bridge"
setup = ["Lie on your back, knees bent, feet flat."]
position = "lying"
reps = 2
sets = 2
rest = 20
tempo = { up = 2, hold = 2, down = 2.5 }

[[steps]]
name = "Belly breathing"
setup = ["Rest a hand on your belly."]
position = "lying"
breaths = 3
breath = { in = 3, out = 4 }

[[steps]]
stretch = "reclining-hand-to-big-toe"
sides = "right"
hold = 20
contract_relax = { cycles = 2, press = 4, relax = 3 }
"""


def build(folder: Path, *args: str) -> tuple[Path, dict]:
    routine = folder / "dosed.toml"
    routine.write_text(ROUTINE)
    out, timeline = folder / "s.mp3", folder / "s.json"
    env = {**os.environ, "VOICEGUIDE_CACHE_DIR": str(folder / "cache")}
    env.pop("VOICEGUIDE_ENGINE", None)
    done = subprocess.run(
        [sys.executable, "-m", "voiceguide", "build", str(routine), *args, "-o", str(out),
         "--timeline", str(timeline), "--force"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out, json.loads(timeline.read_text())


def clip(cache: Path, text: str) -> np.ndarray:
    """The cached clip of a text, as float32 samples, read with the wave module."""
    slug = "-".join(re.findall(r"[a-z0-9]+", text.lower())[:SLUG_WORDS])[:SLUG_CHARS].strip("-")
    found = [p for p in (cache / "clips").glob("*.wav") if re.fullmatch(rf"{re.escape(slug)}-[0-9a-f]+", p.stem)]
    assert len(found) == 1, (text, found)
    with wave.open(str(found[0]), "rb") as w:
        assert w.getframerate() == audiocheck.RATE and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0


def offsets(path: Path, timeline: dict) -> dict[str, list[float]]:
    """Measured minus planned, in seconds, of every chime, tick and phase word, by what it marks."""
    audio = audiocheck.decode(path)
    events = {e["start"]: e for e in timeline["events"]}
    chimes = {}
    out: dict[str, list[float]] = {"chime": [], "tick": [], "words": []}

    def chime_at(at: float) -> float:
        sound = events[at]["sound"]
        template = chimes.setdefault(sound, audiocheck.load_chime(sound))
        found = audiocheck.locate(audio, template, at, search=0.05)
        out["tick" if sound == "tick.wav" else "chime"].append(found - at)
        return found

    for block in timeline["blocks"]:
        chime_at(block["start"])
        chime_at(block["end"])
    for phase in timeline["phases"]:
        mark = events.get(phase["start"])
        if mark is None:
            continue  # a quiet breath
        if mark["kind"] == "chime":
            chime_at(phase["start"])
        else:
            template = clip(path.parent / "cache", mark["text"])
            found, score = audiocheck.correlate(audio, template, phase["start"], search=0.05)
            assert score > 0.9, (mark["text"], score)
            out["words"].append(found - phase["start"])
    return out


def check(timeline: dict, measured: dict[str, list[float]]) -> None:
    worst = {k: max((abs(v) for v in vs), default=0.0) for k, vs in measured.items()}
    print(f"worst offsets (ms): { {k: round(v * 1000, 2) for k, v in worst.items()} }")
    assert all(v <= TOLERANCE for v in worst.values()), worst
    kinds = [b["kind"] for b in timeline["blocks"]]
    assert kinds == ["tempo-set", "rest", "tempo-set", "breaths", "contract-relax", "hold"]
    rest = timeline["blocks"][1]
    assert rest["end"] - rest["start"] == pytest.approx(20, abs=1e-6)
    assert timeline["blocks"][4]["end"] == timeline["blocks"][5]["start"]  # the hold opens as the last relax ends
    assert [h["name"] for h in timeline["holds"]] == ["Lying Strap Stretch"]


def test_dosed_routine_in_espeaks_voice_keeps_every_phase_rest_and_hold_exact(tmp_path):
    path, timeline = build(tmp_path, "--engine", "pyttsx3")
    measured = offsets(path, timeline)
    assert len(measured["words"]) >= 12  # 2 sets x 2 reps x 3 phases, 2 breaths x 2, 2 presses x 2
    check(timeline, measured)


def test_dosed_routine_chimes_only_ticks_every_phase_exactly(tmp_path):
    path, timeline = build(tmp_path, "--engine", "none")
    measured = offsets(path, timeline)
    assert len(measured["tick"]) == len(timeline["phases"]) == 12 + 6 + 4
    check(timeline, measured)

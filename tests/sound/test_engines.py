"""Engines end to end: Piper reproducible, chimes only exact, loudness on target for each.

Each build runs as its own `python -m voiceguide` process: pyttsx3 and Piper
each load an eSpeak NG of their own and cannot share one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import audiocheck
import numpy as np
import pytest

from voiceguide.sound.engines import piper_available
from voiceguide.words.builder import Options, apply

pytestmark = pytest.mark.slow

TARGET_LUFS, LU_TOLERANCE, MAX_TRUE_PEAK = -16.0, 1.0, -1.5
SHORT = ["--only", "forward bend,lunge", "--hold", "20"]


def build(folder: Path, cache: Path, *args: str) -> tuple[Path, dict, subprocess.CompletedProcess]:
    out, timeline = folder / "s.mp3", folder / "s.json"
    env = {**os.environ, "VOICEGUIDE_CACHE_DIR": str(cache)}
    env.pop("VOICEGUIDE_ENGINE", None)
    done = subprocess.run(
        [sys.executable, "-m", "voiceguide", "build", *args, "-o", str(out), "--timeline", str(timeline), "--force"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Wrote {out}: "), (done.stdout, done.stderr)  # stdout not left silenced
    return out, json.loads(timeline.read_text()), done


def measure(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file, per ffmpeg's ebur128."""
    done = subprocess.run(
        [audiocheck.ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path),
         "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
        capture_output=True, text=True,
    )  # fmt: skip
    summary = done.stderr[done.stderr.rfind("Summary:") :]
    integrated = float(summary.split("I:")[1].split("LUFS")[0])
    peak = float(summary.split("Peak:")[1].split("dBFS")[0])
    return integrated, peak


def holds_measured(path: Path, timeline: dict) -> list[float]:
    audio = audiocheck.decode(path)
    sounds = {e["start"]: e["sound"] for e in timeline["events"] if e["kind"] == "chime"}
    out = []
    for h in timeline["holds"]:
        start = audiocheck.locate(audio, audiocheck.load_chime(sounds[h["start"]]), h["start"])
        end = audiocheck.locate(audio, audiocheck.load_chime(sounds[h["end"]]), h["end"])
        out.append(end - start)
    return out


@pytest.mark.parametrize("engine", ["pyttsx3", "none"])
def test_loudness_on_target(tmp_path, engine):
    path, timeline, _ = build(tmp_path, tmp_path / "cache", "--engine", engine, *SHORT)
    integrated, peak = measure(path)
    assert abs(integrated - TARGET_LUFS) <= LU_TOLERANCE, integrated
    assert peak <= MAX_TRUE_PEAK, peak


@pytest.mark.skipif(not piper_available(), reason='needs the neural extra: pip install "voiceguide[neural]"')
def test_whole_default_session_in_pipers_voice_stays_under_the_peak_ceiling(tmp_path):
    """A whole session holds the most clips: one that rings in the MP3 encoder is caught by reading the file back."""
    path, _, done = build(tmp_path, tmp_path / "cache", "--engine", "piper")
    integrated, peak = measure(path)
    assert abs(integrated - TARGET_LUFS) <= LU_TOLERANCE, integrated
    assert peak <= MAX_TRUE_PEAK, peak
    said = float(done.stdout.rsplit(", ", 1)[1].split(" LUFS")[0])
    assert said == pytest.approx(integrated, abs=0.3)  # what it says it wrote is what ffmpeg reads


def test_chimes_only_keeps_every_hold_exact(tmp_path):
    path, timeline, done = build(tmp_path, tmp_path / "cache", "--engine", "none", "--hold", "25")
    assert not [e for e in timeline["events"] if e["kind"] == "speech"]
    assert len(timeline["holds"]) == 13  # 8 held stretches, 5 of them sided (the seated one too)
    for seconds in holds_measured(path, timeline):
        assert seconds == pytest.approx(25, abs=0.010)
    assert "Voice: none" in done.stderr


@pytest.mark.skipif(not piper_available(), reason='needs the neural extra: pip install "voiceguide[neural]"')
def test_piper_builds_twice_to_identical_audio_on_target(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, timeline, done = build(tmp_path / "a", tmp_path / "cache-a", *SHORT)
    second, _, _ = build(tmp_path / "b", tmp_path / "cache-b", *SHORT)
    assert "Voice: piper" in done.stderr  # auto takes the neural voice when it is installed
    a, b = audiocheck.decode(first), audiocheck.decode(second)
    assert len(a) == len(b) and np.array_equal(a, b)
    integrated, peak = measure(first)
    assert abs(integrated - TARGET_LUFS) <= LU_TOLERANCE, integrated
    assert peak <= MAX_TRUE_PEAK, peak
    for measured, hold in zip(holds_measured(first, timeline), timeline["holds"], strict=False):
        assert measured == pytest.approx(hold["end"] - hold["start"], abs=0.010)


def test_library_builds_a_session_in_one_call(tmp_path, monkeypatch):
    """voiceguide is a library first: build_session is the CLI's build without Click."""
    from voiceguide.session.pipeline import build_session
    from voiceguide.sound.engines import make_engine
    from voiceguide.words.routine import load_routine

    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(tmp_path / "cache"))
    routine = apply(load_routine("warm-up"), Options(hold=10))
    plan = build_session(routine, make_engine("none"), tmp_path / "s.mp3", tmp_path / "s.json")
    assert json.loads((tmp_path / "s.json").read_text())["duration"] == plan.timeline.duration
    for measured in holds_measured(tmp_path / "s.mp3", plan.timeline.to_dict()):
        assert measured == pytest.approx(10, abs=0.010)

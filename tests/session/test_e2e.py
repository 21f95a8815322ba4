"""End to end: the real CLI, real text-to-speech and real ffmpeg, no mocks.

Each session is built once per module (the clip cache is shared by the
module), then its MP3 is decoded and measured with tests/audiocheck.py against
the timeline JSON the same build wrote: the audio is checked, not trusted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

try:
    from . import audiocheck
except ImportError:
    import audiocheck

from voiceguide.cli.main import cli

pytestmark = pytest.mark.slow

TOLERANCE = 0.010  # seconds: docs/design.md's timing rule, after MP3 encode and decode
SILENCE_DB = -50.0  # gaps between events must be quieter than this
SPEECH_DB = -40.0  # the middle of a spoken cue must be louder than this
GAP_MARGIN = 0.02  # seconds trimmed off each end of a gap before measuring it
MIN_GAP = 0.1  # shorter gaps are not measured
SPEECH_BAND = (100.0, 4000.0)
SPEECH_BAND_SHARE = 0.65  # each cue: sibilant words ("seven") carry more high-frequency energy (0.70 since
# speech is limited at -13 dBFS: the limiter takes the voiced peaks down, the hiss of an "s" stays)
SPEECH_BAND_MEDIAN = 0.85  # the session's cues as a whole
CHIMES = ("start.wav", "end.wav", "switch.wav", "finish.wav")
MP3 = "session.mp3"
TIMELINE = "t.json"


@dataclass
class Session:
    hold: int
    folder: Path
    cache: Path
    stdout: str
    stderr: str

    @property
    def mp3(self) -> Path:
        return self.folder / MP3

    @cached_property
    def timeline_text(self) -> str:
        return (self.folder / TIMELINE).read_text(encoding="utf-8")

    @cached_property
    def timeline(self) -> dict:
        return json.loads(self.timeline_text)

    @cached_property
    def audio(self) -> np.ndarray:
        return audiocheck.decode(self.mp3)

    def chime_events(self) -> list[dict]:
        return [e for e in self.timeline["events"] if e["kind"] == "chime"]

    def speech_events(self) -> list[dict]:
        return [e for e in self.timeline["events"] if e["kind"] == "speech"]

    def chime_at(self, seconds: float) -> dict:
        found = [e for e in self.chime_events() if abs(e["start"] - seconds) < 1e-6]
        assert len(found) == 1, f"expected one chime event starting at {seconds}, found {found}"
        return found[0]


def runner() -> CliRunner:
    """stdout apart from stderr (Click 8.2+ always; 8.1 only when asked)."""
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:
        return CliRunner()


@pytest.fixture(scope="module")
def templates() -> dict[str, np.ndarray]:
    return {name: audiocheck.load_chime(name) for name in CHIMES}


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e-cache")


@pytest.fixture(scope="module")
def session8(tmp_path_factory, module_cache) -> Session:
    """--hold 8 as a real subprocess, with an empty cache so every clip is
    synthesized inside it: pyttsx3's stdout chatter would reach the fd."""
    folder = tmp_path_factory.mktemp("hold8")
    env = {**os.environ, "VOICEGUIDE_CACHE_DIR": str(module_cache)}
    proc = subprocess.run(
        [sys.executable, "-m", "voiceguide", "build", "--hold", "8", "-o", MP3, "--timeline", TIMELINE],
        cwd=folder,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return Session(8, folder, module_cache, proc.stdout.decode(), proc.stderr.decode(errors="replace"))


@pytest.fixture(scope="module")
def session25(tmp_path_factory, module_cache, session8) -> Session:
    """--hold 25 (what users check) through Click's CliRunner, sharing the cache."""
    folder = tmp_path_factory.mktemp("hold25")
    result = runner().invoke(
        cli,
        ["build", "--hold", "25", "-o", str(folder / MP3), "--timeline", str(folder / TIMELINE)],
        env={"VOICEGUIDE_CACHE_DIR": str(module_cache)},
    )
    assert result.exit_code == 0, (result.output, result.exception)
    return Session(25, folder, module_cache, result.stdout, result.stderr)


@pytest.fixture(scope="module", params=["session8", "session25"])
def session(request) -> Session:
    return request.getfixturevalue(request.param)


def clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m:02d}:{s:02d}"


def assert_one_summary_line(s: Session, output_name: str) -> None:
    t = s.timeline
    assert s.stdout.endswith("\n") and s.stdout.count("\n") == 1, f"stdout is not one line: {s.stdout!r}"
    assert "Audio saved to" not in s.stdout
    line = s.stdout.rstrip("\n")
    assert re.fullmatch(rf"Wrote {re.escape(output_name)}: .+", line), line
    assert f": {clock(t['duration'])}, {len(t['holds'])} holds of {s.hold} s" in line, line


def test_subprocess_stdout_is_exactly_the_summary_line(session8):
    assert_one_summary_line(session8, MP3)


def test_clirunner_stdout_is_exactly_the_summary_line(session25):
    assert_one_summary_line(session25, str(session25.folder / MP3))


def test_decoded_length_is_the_timeline_duration(session):
    decoded = len(session.audio) / audiocheck.RATE
    assert abs(decoded - session.timeline["duration"]) <= TOLERANCE, (decoded, session.timeline["duration"])


def test_every_hold_lasts_its_seconds_between_chime_onsets(session, templates):
    holds = session.timeline["holds"]
    assert holds, "the default routine has holds"
    wrong = []
    for h in holds:
        opening = session.chime_at(h["start"])
        closing = session.chime_at(h["end"])
        assert opening["sound"] == "start.wav"
        assert closing["sound"] in ("end.wav", "switch.wav")
        planned = h["end"] - h["start"]
        assert abs(planned - session.hold) < 1e-6, f"{h}: JSON hold is {planned} s, asked for {session.hold}"
        began = audiocheck.locate(session.audio, templates[opening["sound"]], h["start"])
        ended = audiocheck.locate(session.audio, templates[closing["sound"]], h["end"])
        measured = ended - began
        if abs(measured - planned) > TOLERANCE or abs(measured - session.hold) > TOLERANCE:
            wrong.append(f"{h['stretch']} {h['side']}: measured {measured:.4f} s, planned {planned:.3f} s")
    assert not wrong, "\n".join(wrong)


def test_every_chime_is_where_the_timeline_says_and_is_the_right_sound(session, templates):
    chimes = session.chime_events()
    assert {e["sound"] for e in chimes} >= {"start.wav", "end.wav", "finish.wav"}
    wrong = []
    for e in chimes:
        at, score = audiocheck.correlate(session.audio, templates[e["sound"]], e["start"])
        if abs(at - e["start"]) > TOLERANCE:
            wrong.append(f"{e['sound']} planned at {e['start']:.3f} s, found at {at:.4f} s")
        for other in CHIMES:
            if other != e["sound"]:
                _, rival = audiocheck.correlate(session.audio, templates[other], e["start"])
                if rival >= score:
                    wrong.append(f"{e['sound']} at {e['start']:.3f} s sounds like {other} ({rival:.3f} >= {score:.3f})")
    assert not wrong, "\n".join(wrong)


def silent_gaps(timeline: dict) -> list[tuple[float, float]]:
    """Stretches with no event sounding, lead-in and tail included."""
    gaps, end = [], 0.0
    for e in sorted(timeline["events"], key=lambda e: e["start"]):
        if e["start"] - end >= MIN_GAP:
            gaps.append((end, e["start"]))
        end = max(end, e["end"])
    if timeline["duration"] - end >= MIN_GAP:
        gaps.append((end, timeline["duration"]))
    return gaps


def test_speech_where_speech_events_are_and_silence_between_events(session):
    audio = session.audio
    gaps = silent_gaps(session.timeline)
    assert len(gaps) > len(session.timeline["events"]) // 2
    gap_levels = [(audiocheck.rms_db(audio, a + GAP_MARGIN, b - GAP_MARGIN), a, b) for a, b in gaps]
    loud_gaps = [f"{a:.3f}-{b:.3f} s: {db:.1f} dBFS" for db, a, b in gap_levels if db >= SILENCE_DB]
    assert not loud_gaps, "gaps that are not silent:\n" + "\n".join(loud_gaps)
    floor = max(db for db, _, _ in gap_levels)
    quiet = []
    for e in session.speech_events():
        quarter = (e["end"] - e["start"]) / 4
        db = audiocheck.rms_db(audio, e["start"] + quarter, e["end"] - quarter)
        if db < SPEECH_DB or db < floor + 30:
            quiet.append(f"{e['start']:.3f} s {e['text']!r}: {db:.1f} dBFS (gaps up to {floor:.1f})")
    assert not quiet, "speech events without speech:\n" + "\n".join(quiet)


def test_speech_energy_is_mostly_in_the_speech_band(session):
    low, high = SPEECH_BAND
    off, shares = [], []
    for e in session.speech_events():
        share = audiocheck.band_fraction(session.audio, e["start"], e["end"], low, high)
        shares.append(share)
        if share < SPEECH_BAND_SHARE:
            off.append(f"{e['start']:.3f} s {e['text']!r}: {share:.2f} in {low:.0f}-{high:.0f} Hz")
    assert not off, "\n".join(off)
    assert sorted(shares)[len(shares) // 2] >= SPEECH_BAND_MEDIAN


def test_script_json_is_the_timeline_build_wrote(session):
    result = runner().invoke(
        cli,
        ["script", "--hold", str(session.hold), "--format", "json"],
        env={"VOICEGUIDE_CACHE_DIR": str(session.cache)},
    )
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.stdout == session.timeline_text


def test_no_part_files_left_after_a_build(session):
    assert sorted(os.listdir(session.folder)) == sorted([MP3, TIMELINE])


def test_failed_encode_leaves_the_old_file_and_nothing_else(tmp_path, module_cache, session8):
    """An ffmpeg that writes half a file and fails: the build exits 1 and
    leaves the folder exactly as it was (no MP3, no JSON, no *.part)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "ffmpeg"
    fake.write_text(
        "#!/bin/sh\n"
        "for last; do :; done\n"
        '[ "$last" = "-" ] || printf "half an mp3" > "$last"\n'
        "head -c 100000 > /dev/null\n"
        'echo "simulated encoder failure" >&2\n'
        "exit 1\n"
    )
    fake.chmod(0o755)
    out = tmp_path / "out"
    out.mkdir()
    (out / MP3).write_bytes(b"the previous session")
    env = {
        **os.environ,
        "VOICEGUIDE_CACHE_DIR": str(module_cache),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "voiceguide", "build", "--hold", "8", "-o", MP3, "--timeline", TIMELINE, "--force"],
        cwd=out,
        env=env,
        capture_output=True,
        timeout=120,
    )
    stderr = proc.stderr.decode(errors="replace")
    assert proc.returncode == 1, stderr
    assert "simulated encoder failure" in stderr
    assert proc.stdout == b""
    assert os.listdir(out) == [MP3]
    assert (out / MP3).read_bytes() == b"the previous session"


def test_settle_gap_before_every_opening_chime_is_silent(session):
    """Time to get into position: >= 5 s of silence in the MP3 between the last words and each hold's chime."""
    audio = session.audio
    speech = session.speech_events()
    for hold in session.timeline["holds"]:
        last_words = max(e["end"] for e in speech if e["end"] <= hold["start"])
        assert hold["start"] - last_words >= 5.0 - 1e-9, hold
        db = audiocheck.rms_db(audio, last_words + GAP_MARGIN, hold["start"] - GAP_MARGIN)
        assert db < SILENCE_DB, (hold, db)

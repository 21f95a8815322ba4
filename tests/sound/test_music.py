"""The music bed, measured from the audio it renders: ducked under speech, up in silences."""

from __future__ import annotations

import math
import wave

import numpy as np
import pytest

from voiceguide.sound.music import AMBIENT, DUCK_DB, MusicBed, measure_loudness
from voiceguide.words.timeline import CHIME, SPEECH, Event, Timeline

RATE = 44100


def session(duration: float, spoken: list[tuple[float, float]]) -> Timeline:
    events = [Event(SPEECH, s, e, text=f"cue {i}") for i, (s, e) in enumerate(spoken)]
    events.append(Event(CHIME, duration - 3, duration - 2, sound="finish.wav"))
    return Timeline("t", duration, tuple(events), ())


def tone_file(path, seconds=7.3, freq=220.0):
    t = np.arange(int(seconds * RATE)) / RATE
    samples = (0.3 * np.sin(2 * math.pi * freq * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())
    return path


def render(bed: MusicBed) -> np.ndarray:
    return np.frombuffer(b"".join(bed.chunks(RATE * 2)), "<i2").astype(np.float64)


def level_db(x: np.ndarray, start: float, end: float) -> float:
    part = x[int(start * RATE) : int(end * RATE)]
    return 20 * math.log10(np.sqrt(np.mean(part**2)) + 1e-9)


def test_bed_ducks_under_speech_and_returns_in_silence(tmp_path):
    spoken = [(5.0, 8.0), (14.0, 15.5)]
    timeline = session(30.0, spoken)
    bed = MusicBed(str(tone_file(tmp_path / "tone.wav")), timeline)
    audio = render(bed)
    assert len(audio) == round(30.0 * RATE)  # looped (7.3 s file) to the session's length exactly
    for start, end in spoken:
        under = level_db(audio, start + 0.05, end - 0.05)
        before = level_db(audio, start - 2.0, start - 1.0)
        after = level_db(audio, end + 1.5, end + 2.5)
        assert before - under >= 12 and after - under >= 12, (before, under, after)
        assert before - under == pytest.approx(-DUCK_DB, abs=1.0)
    # Smooth: no jump between 5 ms steps bigger than a fraction of a dB at the ramps.
    steps = [level_db(audio, t, t + 0.005) for t in np.arange(4.5, 5.05, 0.005)]
    assert max(abs(b - a) for a, b in zip(steps, steps[1:], strict=False)) < 1.5


def test_bed_fades_in_and_out(tmp_path):
    timeline = session(40.0, [(20.0, 21.0)])
    audio = render(MusicBed(str(tone_file(tmp_path / "tone.wav")), timeline))
    full = level_db(audio, 10, 12)
    assert level_db(audio, 0, 0.3) < full - 10  # fading in
    assert level_db(audio, 39.6, 40.0) < full - 10  # fading out


def test_ambient_pad_is_made_and_sits_at_the_bed_level(tmp_path):
    timeline = session(60.0, [(30.0, 31.0)])
    bed = MusicBed(AMBIENT, timeline)
    assert bed.path.is_file()
    assert -45 < measure_loudness(bed.path) + bed.gain_db < -35  # about BED_LUFS
    audio = render(bed)
    assert level_db(audio, 10, 20) > -60  # audible between cues

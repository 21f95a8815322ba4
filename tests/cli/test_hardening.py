"""Hostile but ordinary use, through the real CLI: the cache, odd inputs, escaping, protocols, endless files.

Each class is tried several ways: cache clear removes only voiceguide's own
files; cache state is validated, never trusted; the same clips give the same
audio; metadata and LRC survive any text; local names never read as ffmpeg
protocols; devices and FIFOs never hang a build; bad input is an input error.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner
from repo import REPO

from voiceguide import ffmpeg
from voiceguide.cli.main import cli
from voiceguide.sound import cache as clip_cache
from voiceguide.words.routinefile import READ_SECONDS

ROOT = REPO
QUICK = ["--only", "forward-bend", "--hold", "20"]
CHIMES_ONLY = ["build", *QUICK, "--engine", "none"]
ROUTINE = 'title = "Morning"\n[[steps]]\nstretch = "forward-bend"\nhold = 20\n'
PROGRESS = ("Voice:", "Warning:", "Preparing speech", "Mixing and encoding")


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_error(stderr: str, *words: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith(PROGRESS)]
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def run_cli(args: list[str], cwd: Path, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "voiceguide", *args], cwd=cwd, env=env, capture_output=True, timeout=timeout, **kwargs
    )


# -- 4. cache clear removes only what voiceguide made --------------------------------------


def test_cache_clear_removes_only_voiceguides_files(cache_dir, tmp_path):
    code, _, err = invoke(*CHIMES_ONLY, "-o", str(tmp_path / "a.mp3"), "--music", "ambient")
    assert code == 0, err
    code, _, err = invoke("build", *QUICK, "--engine", "pyttsx3", "-o", str(tmp_path / "b.mp3"))
    assert code == 0, err
    clips = clip_cache.clip_files()
    assert clips and (cache_dir / "loudness.json").is_file() and (cache_dir / "music" / "ambient-v1.flac").is_file()
    mine = [cache_dir / "clips" / "holiday.wav", cache_dir / "clips" / "notes.txt", cache_dir / "music" / "song.flac"]
    mine += [cache_dir / "clips" / "x-0123456789abcdef0123.wav.bak", cache_dir / "README"]
    for path in mine:
        path.write_bytes(b"the user's")
    code, out, _ = invoke("cache", "clear")
    assert code == 0
    assert out.startswith(f"Removed {len(clips)} clips")
    assert all(p.read_bytes() == b"the user's" for p in mine)
    assert clip_cache.clip_files() == []
    assert not (cache_dir / "loudness.json").exists() and not (cache_dir / "music" / "ambient-v1.flac").exists()


def test_cache_clear_never_follows_a_clips_symlink(cache_dir, tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    victim = theirs / "forward-bend-0123456789abcdef0123.wav"  # named like a clip
    victim.write_bytes(b"RIFF not ours")
    (cache_dir / "clips").symlink_to(theirs)
    code, out, _ = invoke("cache", "clear")
    assert code == 0
    assert out.startswith("Removed 0 clips")
    assert victim.read_bytes() == b"RIFF not ours"


# -- 5. cache state is validated, never trusted ----------------------------------------------


@pytest.mark.parametrize("gain", ["NaN", "Infinity", "-Infinity", "400", "-41", '"loud"', "null", "true"])
def test_remembered_gains_out_of_range_are_ignored(cache_dir, tmp_path, gain):
    key = "none|music=False"
    (cache_dir / "loudness.json").write_text(f'{{"{key}": {gain}}}')
    code, out, err = invoke(*CHIMES_ONLY, "-o", str(tmp_path / "s.mp3"))
    assert code == 0, err
    lufs = float(re.search(r"(-?[\d.]+) LUFS", out).group(1))
    assert abs(lufs + 16) <= 1
    remembered = json.loads((cache_dir / "loudness.json").read_text())[key]
    assert math.isfinite(remembered) and abs(remembered) <= 40


@pytest.mark.parametrize("what", ["fifo", "folder", "garbage", "dangling-link"])
def test_odd_entries_where_a_clip_belongs_are_rebuilt(cache_dir, tmp_path, what):
    code, _, err = invoke("build", *QUICK, "--engine", "pyttsx3", "-o", str(tmp_path / "a.wav"))
    assert code == 0, err
    clip = clip_cache.clip_files()[0]
    clip.unlink()
    if what == "fifo":
        os.mkfifo(clip)
    elif what == "folder":
        clip.mkdir()
        (clip / "x").write_text("x")
    elif what == "garbage":
        clip.write_bytes(b"RIFF" + b"\0" * 100)
    else:
        clip.symlink_to(tmp_path / "nowhere.wav")
    started = time.monotonic()
    code, _, err = invoke("build", *QUICK, "--engine", "pyttsx3", "-o", str(tmp_path / "b.wav"))
    assert code == 0, err
    assert time.monotonic() - started < 30
    assert clip.is_file() and not clip.is_symlink() and clip in clip_cache.clip_files()
    assert len(pcm_of(tmp_path / "b.wav")) > 44100


def test_a_fifo_for_the_remembered_gains_never_blocks(cache_dir, tmp_path):
    os.mkfifo(cache_dir / "loudness.json")
    done = []
    worker = threading.Thread(
        target=lambda: done.append(invoke(*CHIMES_ONLY, "-o", str(tmp_path / "s.mp3"))), daemon=True
    )
    worker.start()
    worker.join(60)
    assert done and done[0][0] == 0, done


@pytest.mark.parametrize("damage", [b"", b"fLaC not really", None])
def test_a_damaged_ambient_pad_is_made_again(cache_dir, tmp_path, damage):
    pad = cache_dir / "music" / "ambient-v1.flac"
    pad.parent.mkdir(parents=True)
    if damage is None:
        pad.mkdir()
    else:
        pad.write_bytes(damage)
    code, out, err = invoke(*CHIMES_ONLY, "-o", str(tmp_path / "s.mp3"), "--music", "ambient")
    assert code == 0, err
    assert pad.is_file() and pad.stat().st_size > 10_000


@pytest.mark.parametrize("value", ["inf", "abc", "-1", "nan", "1e400"])
def test_a_bad_cache_cap_warns_and_the_build_goes_on(tmp_path, value):
    env = {"VOICEGUIDE_CACHE_MAX_MB": value}
    code, out, err = invoke(*CHIMES_ONLY, "-o", str(tmp_path / "s.mp3"), env=env)
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1 and "VOICEGUIDE_CACHE_MAX_MB" in warnings[0] and "512" in warnings[0]
    code, out, err = invoke("cache", "info", env=env)
    assert code == 0 and "Cap:    512 MB" in out


# -- 6. the same clips give the same audio, whatever was built before --------------------------


def pcm_of(path: Path) -> bytes:
    with wave.open(str(path)) as w:
        return w.readframes(w.getnframes())


@pytest.mark.slow
@pytest.mark.parametrize("music", [None, "ambient"])
def test_cold_and_warm_builds_decode_identically(tmp_path, music):
    args = ["build", "quick", "--engine", "pyttsx3", *(["--music", music] if music else [])]
    code, _, err = invoke(*args, "-o", str(tmp_path / "cold.wav"))
    assert code == 0, err
    code, _, err = invoke(*args, "-o", str(tmp_path / "warm.wav"))
    assert code == 0, err
    assert pcm_of(tmp_path / "cold.wav") == pcm_of(tmp_path / "warm.wav")
    # another session of the same kind in between changes nothing either
    code, _, err = invoke("build", "gentle", "--engine", "pyttsx3", "-o", str(tmp_path / "other.wav"))
    code, _, err = invoke(*args, "-o", str(tmp_path / "again.wav"))
    assert code == 0, err
    assert pcm_of(tmp_path / "again.wav") == pcm_of(tmp_path / "cold.wav")


# -- 7. ffmetadata and LRC escaping ------------------------------------------------------------

HOSTILE = ["ends in a backslash\\", "a;b#c=d", "two\nlines", "carriage\rreturn", "\\n literally", "#first", ";first"]


def read_back(path: Path, stream: bool) -> tuple[dict[str, str], list[str]]:
    """Tags and chapter titles as ffmpeg reads them back, from its own ffmetadata dump."""
    mapping = ["-map_metadata", "0:s:a:0"] if stream else []  # Ogg keeps its comments on the stream
    done = ffmpeg.run(["-v", "error", "-i", str(path), *mapping, "-f", "ffmetadata", "-"], capture_output=True)
    lines, line, escaped = [], "", False
    for ch in done.stdout.decode("utf-8"):
        if escaped:
            line, escaped = line + ch, False
        elif ch == "\\":
            escaped = True
        elif ch == "\n":
            lines.append(line)
            line = ""
        else:
            line += ch
    tags: dict[str, str] = {}
    chapters: list[str] = []
    in_chapter = False
    for entry in lines[1:]:
        in_chapter = in_chapter or entry == "[CHAPTER]"
        name, _, value = entry.partition("=")
        if in_chapter and name == "title":
            chapters.append(value)
        elif not in_chapter and value:
            tags[name.lower()] = value
    return tags, chapters


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["mp3", "m4b", "ogg", "opus", "wav"])
def test_hostile_text_round_trips_through_ffmpeg(tmp_path, fmt):
    names = ("Reach ; high", "Fold # over", "Bend = low\\\\", "Lean \\\\n back")
    steps = "".join(f'[[steps]]\nname = "{name}"\nsetup = ["Stand tall."]\nhold = 5\n' for name in names)
    routine = tmp_path / "r.toml"
    routine.write_text('title = "T"\n' + steps, encoding="utf-8")
    # Line breaks are refused on the command line (tests/programs/test_program_edges.py); the rest must survive.
    title, artist, album = HOSTILE[0], HOSTILE[1] + HOSTILE[4], HOSTILE[5] + HOSTILE[6] + HOSTILE[0]
    out = tmp_path / f"s.{fmt}"
    code, _, err = invoke(
        "build", str(routine), "--engine", "pyttsx3", "-o", str(out), "--title", title, "--artist", artist,
        "--album", album, "--chapters", str(tmp_path / "c.json"),
    )  # fmt: skip
    assert code == 0, err
    tags, chapters = read_back(out, stream=fmt in ("ogg", "opus"))
    assert (tags["title"], tags["artist"], tags["album"]) == (title, artist, album)
    expected = [c["title"] for c in json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["chapters"]]
    assert "Bend = low\\" in expected
    if fmt in ("mp3", "m4b", "ogg", "opus"):  # WAV has no chapters ffmpeg reads
        assert chapters == expected


def test_metadata_never_goes_through_an_ffmetadata_value():
    from voiceguide.files.encode import ffmetadata
    from voiceguide.words.chapters import Chapter

    text = ffmetadata([Chapter("ends\\", 0, 1)])
    assert "ends" not in text and text.count("[CHAPTER]") == 1


def test_lrc_text_never_reads_as_a_second_stamp(tmp_path):
    routine = tmp_path / "r.toml"
    routine.write_text(
        'title = "[ar:someone] [00:01.00]"\nintro = ["[00:59.99] Welcome.", "[ti:x] and [01:00] too"]\n'
        '[[steps]]\nstretch = "forward-bend"\nhold = 20\n',
        encoding="utf-8",
    )
    code, _, err = invoke(
        "build", str(routine), "--engine", "pyttsx3", "-o", str(tmp_path / "s.mp3"), "--lrc", str(tmp_path / "s.lrc")
    )
    assert code == 0, err
    for line in (tmp_path / "s.lrc").read_text(encoding="utf-8").splitlines():
        assert len(re.findall(r"\[\d+:\d+(?:\.\d+)?\]", line)) <= 1, line
        assert len(re.findall(r"\[[a-z]+:", line)) <= 1, line


# -- 8. local names are files, never ffmpeg protocols --------------------------------------------


@pytest.mark.parametrize("name", ["cache:song.wav", "pipe:0", "mix:1.wav", "concat:a.wav"])
def test_music_names_that_look_like_protocols(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    Path(name).write_text("not audio at all\n")
    code, _, err = invoke(*CHIMES_ONLY, "-o", "s.mp3", "--music", name)
    assert code == 2
    one_error(err, name, "cannot read it as audio")
    Path(name).unlink()
    ffmpeg.run(["-v", "error", "-f", "lavfi", "-i", "sine=f=220:d=3", "-f", "wav", ffmpeg.file_url(name)])
    code, out, err = invoke(*CHIMES_ONLY, "-o", "s.mp3", "--music", name, "--force")
    assert code == 0, err


def test_ffmpeg_never_reads_our_stdin(tmp_path):
    routine_stdin = b"\0" * 1_000_000
    done = run_cli([*CHIMES_ONLY, "-o", "s.mp3", "--music", "ambient"], tmp_path, input=routine_stdin)
    assert done.returncode == 0, done.stderr


# -- 9. bounded reads ------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["/dev/zero", "/dev/urandom", "fifo-idle", "fifo-empty"])
@pytest.mark.parametrize("what", ["routine", "cover", "music"])
def test_devices_and_fifos_never_hang(tmp_path, source, what):
    writer = None
    if source.startswith("fifo"):
        path = tmp_path / "pipe"
        os.mkfifo(path)
        if source == "fifo-idle":  # a writer that never writes nor closes
            writer = subprocess.Popen(["sh", "-c", f"exec 3>{path}; sleep 30"])
            time.sleep(0.2)
        source = str(path)
    args = {
        "routine": ["build", source, "--engine", "none", "-o", "s.mp3"],
        "cover": [*CHIMES_ONLY, "-o", "s.mp3", "--cover", source],
        "music": [*CHIMES_ONLY, "-o", "s.mp3", "--music", source],
    }[what]
    started = time.monotonic()
    try:
        done = run_cli(args, tmp_path, timeout=20)
    finally:
        if writer is not None:
            writer.kill()
            writer.wait()
    # A routine read waits at most routinefile.READ_SECONDS; --cover and --music are refused on a stat
    # (cli._load_cover, music._music_file). Plus a second's slack and Python's start-up.
    assert time.monotonic() - started < READ_SECONDS + 1 + 3
    assert done.returncode == 2, done.stderr
    one_error(done.stderr.decode())
    assert not (tmp_path / "s.mp3").exists()


def test_a_huge_cover_is_refused(tmp_path):
    big = tmp_path / "big.png"
    with big.open("wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.truncate(11 * 1024 * 1024)
    code, _, err = invoke(*CHIMES_ONLY, "-o", str(tmp_path / "s.mp3"), "--cover", str(big))
    assert code == 2
    one_error(err, "10 MB")


# -- 11. bad input is an input error -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "? [a, b]\n: 1\ntitle: x\n",
        "title: x\nsteps:\n  - ? {stretch: lunge}\n    : 2\n",
        "{[1, 2]: 3}\n",
        "title: x\nsteps: [{stretch: lunge, ? [x]: y}]\n",
    ],
)
def test_yaml_complex_keys_are_input_errors(tmp_path, text):
    path = tmp_path / "r.yaml"
    path.write_text(text)
    code, _, err = invoke("script", str(path))
    assert code == 2
    one_error(err, str(path))


@pytest.mark.parametrize(
    "args",
    [
        ["--title", b"caf\xe9".decode("utf-8", "surrogateescape")],
        ["--only", b"\xff".decode("utf-8", "surrogateescape")],
    ],
)
def test_non_utf8_option_bytes_are_input_errors(tmp_path, args):
    done = run_cli([*CHIMES_ONLY, "-o", "s.mp3", *args], tmp_path)
    assert done.returncode == 2, done.stderr
    line = one_error(done.stderr.decode("utf-8", "replace"), "not UTF-8")
    assert args[0] in line
    assert not (tmp_path / "s.mp3").exists()


# -- 12. routine paths are paths --------------------------------------------------------------------


@pytest.mark.parametrize(
    "content", [ROUTINE, "title: Morning\nsteps:\n  - stretch: forward-bend\n    hold: 20\n"], ids=["toml", "yaml"]
)
def test_a_routine_file_without_an_extension(tmp_path, content):
    (tmp_path / "myroutine").write_text(content)
    done = run_cli(["build", "./myroutine", "--engine", "none"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "myroutine.mp3").is_file()
    assert done.stdout.decode().startswith("Wrote myroutine.mp3")


def test_a_routine_from_process_substitution(tmp_path):
    (tmp_path / "r.toml").write_text(ROUTINE)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m voiceguide build <(cat r.toml) --engine none"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "morning.mp3").is_file(), sorted(p.name for p in tmp_path.iterdir())


def test_an_unreadable_extensionless_routine_names_both_attempts(tmp_path):
    (tmp_path / "notes").write_text("title = [unclosed\n: also: not: yaml\n")
    code, _, err = invoke("script", str(tmp_path / "notes"))
    assert code == 2
    one_error(err, "TOML", "YAML")


# -- 13. a misspelled key is named --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,typo,key",
    [
        ('title = "x"\n[[stepps]]\nstretch = "lunge"\n', "stepps", "steps"),
        ('titel = "x"\n[[steps]]\nstretch = "lunge"\n', "titel", "title"),
        ('title = "x"\n[[steps]]\nstrech = "lunge"\n', "strech", "stretch"),
    ],
)
def test_a_misspelled_key_is_named_with_a_suggestion(tmp_path, text, typo, key):
    path = tmp_path / "r.toml"
    path.write_text(text)
    code, _, err = invoke("script", str(path))
    assert code == 2
    line = one_error(err, repr(typo), repr(key))
    assert "is missing" not in line


# -- the process edge ------------------------------------------------------------------------------


def test_help_imports_no_audio_or_tag_library():
    code = "import sys, runpy; sys.argv = ['voiceguide', '--help']\n"
    code += "try:\n    runpy.run_module('voiceguide', run_name='__main__')\nexcept SystemExit:\n    pass\n"
    code += "print(sorted(m for m in ('pydub', 'mutagen', 'onnxruntime', 'piper') if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


# -- 16. every music bed lands the mix on -16 LUFS and under -1.5 dBTP -----------------------------


def measured(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) per ffmpeg's ebur128."""
    done = ffmpeg.run(["-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"], capture_output=True)
    summary = done.stderr.decode(errors="replace").rsplit("Summary:", 1)[1]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["pyttsx3", "piper"])
@pytest.mark.parametrize("music", ["sine", "ambient", None])
def test_music_beds_land_on_the_loudness_target(tmp_path, engine, music):
    if engine == "piper":
        pytest.importorskip("piper")
    args = ["build", "--minutes", "5", "--engine", engine, "-o", "s.mp3"]
    if music == "sine":  # a low sine: K-weighting hides it, its peaks add to the voice's
        ffmpeg.run(["-v", "error", "-f", "lavfi", "-i", "sine=f=55:d=20", "-y", ffmpeg.file_url(tmp_path / "bed.wav")])
        args += ["--music", "bed.wav"]
    elif music:
        args += ["--music", music]
    done = run_cli(args, tmp_path, timeout=600)  # a process of its own: Piper and eSpeak cannot share one
    assert done.returncode == 0, done.stderr
    integrated, peak = measured(tmp_path / "s.mp3")
    assert abs(integrated + 16) <= 1, integrated
    assert peak <= -1.5, peak

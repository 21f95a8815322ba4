"""Faults: "never lose a file, never crash".

Every fault we guard against is reproduced here: builds killed at random points
(SIGINT and SIGTERM, warm and cold cache), concurrent builds on one cache,
corrupted cache entries, cache info/clear and eviction, a missing or failing
ffmpeg, a missing eSpeak NG, a TTS engine that raises or hangs, a full disk,
refused output paths and hostile cue text. After each, the target is checked
(byte-identical, or a complete decodable file), and so are the temporary files.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import unicodedata
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from repo import REPO

try:
    from . import audiocheck
except ImportError:
    import audiocheck

from voiceguide.cli.main import cli
from voiceguide.errors import EnvironmentFailure
from voiceguide.sound import cache as clip_cache
from voiceguide.sound.engines import Voice
from voiceguide.sound.engines import make_engine as _make_engine
from voiceguide.sound.speech import Speech
from voiceguide.text import clean


def make_engine():
    """eSpeak NG (pyttsx3), so the fault tests stay quick."""
    return _make_engine("pyttsx3")


def patch_make_engine(monkeypatch, factory) -> None:
    """Replace make_engine where the CLI imports it from."""
    import voiceguide.sound.engines

    monkeypatch.setattr(voiceguide.sound.engines, "make_engine", factory)


ROOT = REPO
BUILD = ["build", "--only", "forward-bend", "--hold", "20", "--engine", "pyttsx3"]  # eSpeak: quick
OLD_BYTES = b"ID3 not really an mp3, but the user's previous file\n" * 100
TEMP_SUFFIXES = (".part", ".part.wav", ".raw.wav", ".ffmeta")
PROGRESS_LABELS = ("Preparing speech", "Mixing and encoding")


# -- helpers -------------------------------------------------------------------


def env_for(cache: Path, tmpdir: Path, **extra) -> dict:
    env = dict(os.environ)
    env.update({"VOICEGUIDE_CACHE_DIR": str(cache), "TMPDIR": str(tmpdir), "PYTHONPATH": str(ROOT), **extra})
    return env


def run_cli(args, cwd: Path, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "voiceguide", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def message_lines(stderr: str) -> list[str]:
    """stderr without the progress-bar labels , warnings and the "Voice:" note: what the user is told."""
    return [
        line
        for line in stderr.splitlines()
        if line.strip() and not line.startswith(PROGRESS_LABELS) and not line.startswith(("Warning:", "Voice:"))
    ]


def assert_one_line_error(stderr: str, *words: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = message_lines(stderr)
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith("Error:") and len(line) < 300, line
    for word in words:
        assert word.lower() in line.lower(), line
    return line


def temp_leftovers(*folders: Path) -> list[Path]:
    out = []
    for folder in folders:
        if folder.is_dir():
            out += [p for p in folder.rglob("*") if p.name.endswith(TEMP_SUFFIXES)]
    return out


def ffmpeg_processes_mentioning(text: str) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "ffmpeg" in cmdline and text in cmdline:
            pids.append(int(proc.name))
    return pids


def clip_ok(path: Path) -> bool:
    with wave.open(str(path), "rb") as w:
        return w.getframerate() == 44100 and w.getnchannels() == 1 and w.getsampwidth() == 2 and w.getnframes() > 0


def decoded_seconds(path: Path) -> float:
    return len(audiocheck.decode(path)) / audiocheck.RATE


def write_fake(folder: Path, name: str, script: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- interrupts: subprocess builds killed at random points ------------------------


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """A warm cache, the build's expected length, and how long startup and a build take."""
    work = tmp_path_factory.mktemp("measure")
    cache = work / "cache"
    tmp = work / "tmp"
    tmp.mkdir()
    env = env_for(cache, tmp)
    t0 = time.monotonic()
    cold = run_cli([*BUILD, "-o", "out.mp3"], work, env)
    cold_seconds = time.monotonic() - t0
    assert cold.returncode == 0, cold.stderr
    t0 = time.monotonic()
    warm = run_cli([*BUILD, "-o", "out.mp3", "--force"], work, env)
    warm_seconds = time.monotonic() - t0
    assert warm.returncode == 0, warm.stderr
    t0 = time.monotonic()
    run_cli(["--version"], work, env)
    startup = time.monotonic() - t0
    script = run_cli(["script", *BUILD[1:], "--format", "json"], work, env)
    duration = json.loads(script.stdout)["duration"]
    return dict(cache=cache, cold=cold_seconds, warm=warm_seconds, startup=startup, duration=duration)


KILLS = [
    # (seed, signal, warm cache, whole process group as a terminal's Ctrl-C does)
    (1, signal.SIGINT, True, False),
    (2, signal.SIGTERM, True, False),
    (3, signal.SIGINT, True, True),
    (4, signal.SIGTERM, True, True),
    (5, signal.SIGINT, False, False),
    (6, signal.SIGTERM, False, False),
    (7, signal.SIGINT, True, False),
    (8, signal.SIGTERM, True, False),
    (9, signal.SIGINT, False, True),
    (10, signal.SIGTERM, False, False),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    "seed,sig,warm,group", KILLS, ids=[f"seed{k[0]}-{k[1].name}-{'warm' if k[2] else 'cold'}" for k in KILLS]
)
def test_killed_build_leaves_target_intact(measured, tmp_path, seed, sig, warm, group):
    rng = random.Random(seed)
    work = tmp_path / "work"
    work.mkdir()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    cache = measured["cache"] if warm else tmp_path / "cache"
    env = env_for(cache, tmp)
    target = work / "out.mp3"
    target.write_bytes(OLD_BYTES)
    total = measured["warm"] if warm else measured["cold"]
    # After the handlers are in place (see test_interrupt_during_startup for
    # before), and before the final rename (see test_interrupt_after_commit).
    low = min(1.5 * measured["startup"], 0.4 * total)
    delay = rng.uniform(low, 0.85 * total)
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", *BUILD, "-o", "out.mp3", "--force"],
        cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    time.sleep(delay)
    try:
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
    except ProcessLookupError:
        pass
    out, err = proc.communicate(timeout=60)
    code = proc.returncode
    expected = 130 if sig == signal.SIGINT else 143
    context = f"delay {delay:.3f}s of {total:.3f}s, exit {code}, stderr {err!r}"
    assert code in (expected, 0), context
    assert "Traceback" not in err, context
    if code == 0:
        assert out.startswith("Wrote out.mp3"), context
        assert abs(decoded_seconds(target) - measured["duration"]) < 0.1, context
    else:
        assert target.read_bytes() == OLD_BYTES, context
        lines = message_lines(err)
        assert len(lines) == 1 and len(lines[0]) < 80, context
        assert lines[0].startswith("Interrupted" if sig == signal.SIGINT else "Terminated"), context
        assert out == "", context
    assert sorted(p.name for p in work.iterdir()) == ["out.mp3"], context
    assert temp_leftovers(cache, tmp) == [], context
    assert list(tmp.iterdir()) == [], context
    assert ffmpeg_processes_mentioning(str(work)) == [], context
    for clip in (cache / "clips").glob("*.wav"):
        assert clip_ok(clip), clip


WRAPPER = """
import importlib.abc, os, runpy, signal, sys
class Hook(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.{sig})
            time_ = __import__("time"); time_.sleep(0.05)
        return None
sys.meta_path.insert(0, Hook())
sys.argv = ["voiceguide", *sys.argv[1:]]
runpy.run_module("voiceguide", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_interrupt_during_startup(tmp_path, sig):
    """A Ctrl-C landing while the CLI imports click: what `sleep 0.05; kill -INT` does to a real build."""
    (tmp_path / "out.mp3").write_bytes(OLD_BYTES)
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER.format(sig=sig), *BUILD, "-o", "out.mp3", "--force"],
        cwd=tmp_path, env=env_for(tmp_path / "cache", tmp_path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (tmp_path / "out.mp3").read_bytes() == OLD_BYTES
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == (130 if sig == "SIGINT" else 143), (proc.returncode, proc.stderr)
    assert len(message_lines(proc.stderr)) == 1, proc.stderr


def test_interrupt_after_commit(tmp_path, monkeypatch):
    import voiceguide.files.script

    target = tmp_path / "out.mp3"
    target.write_bytes(OLD_BYTES)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(voiceguide.files.script, "summary", interrupted)
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(target), "--force"])
    assert result.exit_code == 130, result.output
    # The audio was already renamed into place, complete: the message says so.
    assert result.stderr.strip().splitlines()[-1] == f"Interrupted: already written: {target}."
    assert target.read_bytes() != OLD_BYTES and len(audiocheck.decode(target)) > 44100


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_during_piper_synthesis(tmp_path, sig):
    pytest.importorskip("piper")
    (tmp_path / "out.mp3").write_bytes(OLD_BYTES)
    args = [a for a in BUILD if a not in ("--engine", "pyttsx3")] + ["--engine", "piper", "-o", "out.mp3", "--force"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", *args], cwd=tmp_path, env=env_for(tmp_path / "cache", tmp_path),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    while "Preparing speech" not in (line := proc.stderr.readline()) and line:
        pass
    time.sleep(1.0)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert (tmp_path / "out.mp3").read_bytes() == OLD_BYTES
    assert proc.returncode == (130 if sig == signal.SIGINT else 143), (proc.returncode, err)
    assert "terminate called" not in err


# -- overwrite and output paths: refused up front ------------------------------


def test_existing_output_refused_before_any_work(tmp_path, cache_dir, monkeypatch):
    def no_work(*a, **k):
        raise AssertionError("speech was started before the output path was checked")

    patch_make_engine(monkeypatch, no_work)
    target = tmp_path / "out.mp3"
    target.write_bytes(OLD_BYTES)
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(target)])
    assert result.exit_code == 2, result.output
    line = assert_one_line_error(result.stderr, "already exists", "--force")
    assert str(target) in line
    assert target.read_bytes() == OLD_BYTES
    assert clip_cache.usage() == (0, 0)
    # the same with a sidecar that exists
    (tmp_path / "t.json").write_text("{}")
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(tmp_path / "new.mp3"), "--timeline", str(tmp_path / "t.json")])
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "already exists")
    assert not (tmp_path / "new.mp3").exists()


@pytest.mark.parametrize(
    "make,words",
    [
        (lambda p: (p / "adir").mkdir() or p / "adir", ["directory"]),
        (lambda p: p / "missing" / "out.mp3", ["does not exist"]),
    ],
    ids=["is-a-directory", "missing-folder"],
)
def test_bad_output_path_refused_up_front(tmp_path, monkeypatch, make, words):
    patch_make_engine(monkeypatch, lambda *a, **k: pytest.fail("work was started"))
    target = make(tmp_path)
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(target), "--force"])
    assert result.exit_code == 2, result.output
    assert_one_line_error(result.stderr, *words)


@pytest.fixture
def tmpfs(tmp_path):
    """Mount a small tmpfs (we run as root); skip where mounting is not allowed."""
    mounted = []

    def mount(size: str, *options: str) -> Path:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        opts = ",".join((f"size={size}", *options))
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(point)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_unwritable_output_folder_refused(tmpfs, monkeypatch):
    folder = tmpfs("64k", "ro")  # read-only: refused even for root
    patch_make_engine(monkeypatch, lambda *a, **k: pytest.fail("work was started"))
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(folder / "out.mp3")])
    assert result.exit_code == 2, result.output
    assert_one_line_error(result.stderr, "not writable")


# -- the environment: ffmpeg, eSpeak, TTS engines, a full disk ------------------


@pytest.fixture(scope="module")
def warm_cache(measured):
    return measured["cache"]


def build_with(tmp_path, cache, extra_env=None, args=()):
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    target = work / "out.mp3"
    target.write_bytes(OLD_BYTES)
    env = env_for(cache, tmp, **(extra_env or {}))
    proc = run_cli([*BUILD, "-o", "out.mp3", "--force", *args], work, env)
    return proc, work, tmp, target


def assert_untouched(work: Path, tmp: Path, target: Path, cache: Path) -> None:
    assert target.read_bytes() == OLD_BYTES
    assert sorted(p.name for p in work.iterdir()) == ["out.mp3"]
    assert list(tmp.iterdir()) == []
    assert temp_leftovers(cache) == []


@pytest.mark.parametrize(
    "how",
    [
        "imageio-missing",
        pytest.param("imageio-exe-missing"),
    ],
)
def test_no_ffmpeg(tmp_path, warm_cache, how):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    extra = {"PATH": str(empty_bin)}
    if how == "imageio-missing":
        stub = tmp_path / "stub" / "imageio_ffmpeg"
        stub.mkdir(parents=True)
        (stub / "__init__.py").write_text(
            "def get_ffmpeg_exe():\n    raise RuntimeError('no ffmpeg binary in this stub')\n"
        )
        extra["PYTHONPATH"] = f"{tmp_path / 'stub'}{os.pathsep}{ROOT}"
    else:
        extra["IMAGEIO_FFMPEG_EXE"] = str(tmp_path / "nowhere" / "ffmpeg")
    proc, work, tmp, target = build_with(tmp_path, warm_cache, extra)
    assert proc.returncode == 1, proc.stderr
    assert_one_line_error(proc.stderr, "ffmpeg", "install")
    assert_untouched(work, tmp, target, warm_cache)


FAKE_FFMPEGS = {
    "exits-1": 'echo "Unknown encoder libmp3lame" >&2\nexit 1\n',
    "reads-then-fails": 'head -c 100000 >/dev/null\necho "Conversion failed!" >&2\nexit 1\n',
    "killed": "head -c 100000 >/dev/null\nkill -9 $$\n",
    "writes-half-then-fails": 'for a; do last=$a; done\n[ "$last" = - ] || head -c 50000 > "$last"\n'
    'echo "Error closing file: No space left on device" >&2\nexit 1\n',
}


@pytest.mark.parametrize("name", list(FAKE_FFMPEGS))
def test_failing_ffmpeg(tmp_path, warm_cache, name):
    fake = write_fake(tmp_path / "bin", "ffmpeg", FAKE_FFMPEGS[name])
    proc, work, tmp, target = build_with(
        tmp_path, warm_cache, {"PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}
    )
    assert proc.returncode == 1, proc.stderr
    line = assert_one_line_error(proc.stderr, "ffmpeg")
    if name == "writes-half-then-fails":
        assert "No space left" in line
    assert_untouched(work, tmp, target, warm_cache)


def test_ffmpeg_exits_0_without_output(tmp_path, warm_cache):
    fake = write_fake(tmp_path / "bin", "ffmpeg", "cat >/dev/null\nexit 0\n")
    proc, work, tmp, target = build_with(
        tmp_path, warm_cache, {"PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}
    )
    assert proc.returncode == 1, proc.stdout
    assert_untouched(work, tmp, target, warm_cache)


def test_no_espeak(tmp_path):
    stub = tmp_path / "stub" / "espeakng_loader"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text("raise ImportError('espeakng_loader is not installed (stub)')\n")
    cache = tmp_path / "cache"
    proc, work, tmp, target = build_with(tmp_path, cache, {"PYTHONPATH": f"{tmp_path / 'stub'}{os.pathsep}{ROOT}"})
    assert proc.returncode == 1, proc.stderr
    assert_one_line_error(proc.stderr, "eSpeak", "install")
    assert_untouched(work, tmp, target, cache)
    assert not list(cache.rglob("*.wav"))


class FakeEngine:
    name = "fake-tts"

    def __init__(self, behaviour: str):
        self.behaviour = behaviour
        self.release = threading.Event()
        self.calls = 0

    def identity(self) -> str:
        return f"fake|{self.behaviour}"

    def voices(self):
        return [Voice("fake", "Fake", ("en",))]

    def default_voice_id(self):
        return "fake"

    def synthesize(self, text, wav_path):
        self.calls += 1
        if self.behaviour == "hang":
            self.release.wait(30)
        elif self.behaviour == "raise":
            raise RuntimeError("synthesizer segfaulted politely")
        elif self.behaviour == "garbage":
            Path(wav_path).write_bytes(b"RIFF\x00\x00garbage")
            return
        with wave.open(str(wav_path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(22050)
            w.writeframes((b"\x00\x10\x00\xf0") * 11025)


def test_hanging_engine_times_out(cache_dir):
    engine = FakeEngine("hang")
    t0 = time.monotonic()
    with pytest.raises(EnvironmentFailure) as info:
        Speech(engine, timeout=0.5).prepare(["Breathe deeply."])
    assert time.monotonic() - t0 < 3
    assert "fake-tts" in str(info.value) and "\n" not in str(info.value)
    assert temp_leftovers(cache_dir) == []
    engine.release.set()


@pytest.mark.parametrize("behaviour,words", [("raise", ["fake-tts", "segfaulted"]), ("garbage", ["fake-tts"])])
def test_failing_engine(cache_dir, behaviour, words):
    with pytest.raises(EnvironmentFailure) as info:
        Speech(FakeEngine(behaviour), timeout=5).prepare(["Breathe deeply."])
    for word in words:
        assert word in str(info.value)
    assert temp_leftovers(cache_dir) == []
    assert clip_cache.usage()[0] == 0


def test_hanging_engine_through_the_cli(tmp_path, cache_dir, monkeypatch):
    import voiceguide.sound.speech

    engine = FakeEngine("hang")
    patch_make_engine(monkeypatch, lambda *a, **k: engine)
    monkeypatch.setattr(voiceguide.sound.speech.Speech.__init__, "__defaults__", (0.3,))
    target = tmp_path / "out.mp3"
    target.write_bytes(OLD_BYTES)
    t0 = time.monotonic()
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(target), "--force"])
    engine.release.set()
    assert time.monotonic() - t0 < 5
    assert result.exit_code == 1, result.output
    assert_one_line_error(result.stderr, "fake-tts")
    assert target.read_bytes() == OLD_BYTES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp3"]


def test_full_disk_output(tmp_path, warm_cache, tmpfs):
    disk = tmpfs("300k")
    work, tmp = tmp_path / "w", tmp_path / "tmp"
    work.mkdir(), tmp.mkdir()
    target = disk / "out.mp3"
    target.write_bytes(OLD_BYTES)  # the previous file, which must survive
    proc = run_cli(
        [*BUILD, "-o", str(target), "--force", "--timeline", str(disk / "t.json")], work, env_for(warm_cache, tmp)
    )
    assert proc.returncode == 1, proc.stderr
    assert_one_line_error(proc.stderr, "No space left")
    assert target.read_bytes() == OLD_BYTES
    assert sorted(p.name for p in disk.iterdir()) == ["out.mp3"]
    assert list(tmp.iterdir()) == []


@pytest.mark.slow
def test_full_disk_cache(tmp_path, tmpfs):
    cache = tmpfs("100k")
    work, tmp = tmp_path / "work", tmp_path / "tmp"
    work.mkdir(), tmp.mkdir()
    target = work / "out.mp3"
    target.write_bytes(OLD_BYTES)
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", *BUILD, "-o", "out.mp3", "--force"], cwd=work, env=env_for(cache, tmp),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        out, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the build hung with the cache on a full disk")
    assert proc.returncode == 1, err
    assert_untouched(work, tmp, target, cache)
    assert_one_line_error(err, "MB free", str(cache), "VOICEGUIDE_CACHE_DIR")


def test_full_disk_writing_timeline(tmp_path, monkeypatch):
    real = Path.write_text

    def full(self, *args, **kwargs):
        if self.name.startswith(".t.json."):  # the timeline's temporary file
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, *args, **kwargs)

    target = tmp_path / "out.mp3"
    target.write_bytes(OLD_BYTES)
    monkeypatch.setattr(Path, "write_text", full)
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(target), "--force", "--timeline", str(tmp_path / "t.json")])
    monkeypatch.setattr(Path, "write_text", real)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert_one_line_error(result.stderr, "No space left")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp3"]
    assert target.read_bytes() == OLD_BYTES  # the timeline is staged before the audio is touched


# -- the cache: concurrency, corruption, info/clear, eviction -------------------


@pytest.mark.slow
def test_concurrent_builds_share_one_cache(tmp_path):
    cache = tmp_path / "cache"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = env_for(cache, tmp)
    variants = [["--hold", "20"], ["--hold", "25", "--no-countdown"], ["--hold", "20", "--rate", "170"]]
    procs = []
    for i, extra in enumerate(variants):
        args = [
            "build",
            "--engine",
            "pyttsx3",
            "--only",
            "forward-bend",
            *extra,
            "-o",
            f"out{i}.mp3",
            "--timeline",
            f"t{i}.json",
        ]
        procs.append(
            subprocess.Popen([sys.executable, "-m", "voiceguide", *args], cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )  # fmt: skip
    results = [p.communicate(timeout=120) for p in procs]
    for i, (p, (_out, err)) in enumerate(zip(procs, results, strict=False)):
        assert p.returncode == 0, err
        duration = json.loads((tmp_path / f"t{i}.json").read_text())["duration"]
        assert abs(decoded_seconds(tmp_path / f"out{i}.mp3") - duration) < 0.1
    clips = list((cache / "clips").iterdir())
    assert clips and all(c.suffix == ".wav" and clip_ok(c) for c in clips), clips
    assert temp_leftovers(cache, tmp_path) == []
    assert list(tmp.iterdir()) == []


TEXTS = ["Breathe deeply.", "Keep your knees soft.", "And release."]

CORRUPTIONS = {
    "empty": lambda p: p.write_bytes(b""),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "header-only": lambda p: p.write_bytes(p.read_bytes()[:44]),
    "garbage": lambda p: p.write_bytes(os.urandom(5000)),
    "wrong-rate": lambda p: _rewrite(p, rate=22050),
    "stereo": lambda p: _rewrite(p, channels=2),
}


def _rewrite(path: Path, rate: int = 44100, channels: int = 1) -> None:
    with wave.open(str(path), "rb") as r:
        frames = r.readframes(r.getnframes())
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)


@pytest.mark.parametrize("how", list(CORRUPTIONS))
def test_corrupted_cache_entry_is_respoken(cache_dir, how):
    speech = Speech(make_engine())
    first = speech.prepare(TEXTS)
    victim = first[TEXTS[1]].path
    CORRUPTIONS[how](victim)
    again = speech.prepare(TEXTS)
    assert again[TEXTS[1]].path == victim
    assert clip_ok(victim)
    assert again[TEXTS[1]].seconds == pytest.approx(first[TEXTS[1]].seconds, abs=0.01)
    assert temp_leftovers(cache_dir) == []


def test_corrupted_cache_then_build(tmp_path, cache_dir):
    target = tmp_path / "out.mp3"
    result = CliRunner().invoke(cli, ["script", *BUILD[1:]])
    assert result.exit_code == 0
    for i, clip in enumerate(sorted((cache_dir / "clips").glob("*.wav"))):
        list(CORRUPTIONS.values())[i % len(CORRUPTIONS)](clip)
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(target), "--timeline", str(tmp_path / "t.json")])
    assert result.exit_code == 0, result.output
    duration = json.loads((tmp_path / "t.json").read_text())["duration"]
    assert abs(decoded_seconds(target) - duration) < 0.1
    assert all(clip_ok(c) for c in (cache_dir / "clips").glob("*.wav"))


def test_cache_info_and_clear(cache_dir):
    runner = CliRunner()
    info = runner.invoke(cli, ["cache", "info"])
    assert info.exit_code == 0
    assert str(cache_dir) in info.output and "Clips:  0" in info.output and "512 MB" in info.output
    Speech(make_engine()).prepare(TEXTS)
    info = runner.invoke(cli, ["cache", "info"], env={"VOICEGUIDE_CACHE_MAX_MB": "64"})
    assert "Clips:  3 " in info.output and "64 MB" in info.output, info.output
    cleared = runner.invoke(cli, ["cache", "clear"])
    assert cleared.exit_code == 0 and "Removed 3 clips" in cleared.output, cleared.output
    assert list((cache_dir / "clips").iterdir()) == []
    assert "Clips:  0" in runner.invoke(cli, ["cache", "info"]).output
    again = runner.invoke(cli, ["cache", "clear"])  # an empty (or absent) cache is fine
    assert again.exit_code == 0 and "Removed 0 clips" in again.output
    garbage_cap = runner.invoke(cli, ["cache", "info"], env={"VOICEGUIDE_CACHE_MAX_MB": "lots"})
    assert garbage_cap.exit_code == 0 and "512 MB" in garbage_cap.output


def test_cache_info_ignores_temporary_files(cache_dir):
    Speech(make_engine()).prepare(TEXTS)
    (cache_dir / "clips" / "x.part.wav").write_bytes(b"half")
    (cache_dir / "clips" / "y.raw.wav").write_bytes(b"half")
    assert "Clips:  3 " in CliRunner().invoke(cli, ["cache", "info"]).output


def test_eviction_least_recently_used(cache_dir, monkeypatch):
    clips = cache_dir / "clips"
    clips.mkdir(parents=True)
    now = time.time()
    old = [clips / f"old-{i}-0123456789abcdef0123.wav" for i in range(4)]
    for i, p in enumerate(old):
        p.write_bytes(b"\0" * 300_000)
        os.utime(p, (now - 86400 + i, now - 86400 + i))
    recent = clips / "recent-0123456789abcdef0123.wav"
    recent.write_bytes(b"\0" * 300_000)
    os.utime(recent, (now - 120, now - 120))  # used 2 minutes ago: maybe another build's
    # This build's clips, made, then aged: still kept, as the build uses them.
    runner = CliRunner()
    assert runner.invoke(cli, ["script", *BUILD[1:]]).exit_code == 0
    current = [p for p in clips.glob("*.wav") if p not in old and p != recent]
    assert current
    for p in current:
        os.utime(p, (now - 7200, now - 7200))
    monkeypatch.setenv("VOICEGUIDE_CACHE_MAX_MB", "0.01")
    result = runner.invoke(cli, ["script", *BUILD[1:]])
    assert result.exit_code == 0
    assert not any(p.exists() for p in old)
    assert recent.exists()
    assert all(p.exists() and clip_ok(p) for p in current)


def test_eviction_stops_at_the_cap(cache_dir, monkeypatch):
    clips = cache_dir / "clips"
    clips.mkdir(parents=True)
    now = time.time()
    files = [clips / f"c{i}-0123456789abcdef0123.wav" for i in range(6)]
    for i, p in enumerate(files):
        p.write_bytes(b"\0" * 1024 * 1024)
        os.utime(p, (now - 10000 + i * 100, now - 10000 + i * 100))
    freed = clip_cache.evict(keep=set(), limit=int(3.5 * 1024 * 1024))
    assert freed == 3 * 1024 * 1024
    assert [p.exists() for p in files] == [False, False, False, True, True, True]


# -- text ------------------------------------------------------------------------

HOSTILE_TEXTS = {
    "control": "Breathe\x07 in\x1b[31m slowly\x00\x7f.",
    "markup": "<speak><prosody rate='x-slow'>Relax your <b>shoulders</b></prosody></speak>",
    "broken-markup": "Relax <<b>now</b>> and <unterminated breathe",
    "ssml-entity": "Relax &amp; breathe &#x41; <break time='99999s'/>",
    "emoji": "Breathe 🙂🧘‍♀️ deeply 💪🏽",
    "emoji-only": "🧘‍♀️🙂💪🏽",
    "arabic": "تنفس بعمق واسترخ",
    "hebrew-bidi": "\u202eנשום עמוק\u202c and relax\u200f",
    "cjk": "深呼吸してください。膝を軽く曲げて。",
    "devanagari": "गहरी साँस लें",
    "zalgo": "B̸̢̛r̵̡e̴̢a̷t̵h̷e̸" * 3,
    "zero-width": "Bre\u200bathe\u200d \ufeffslowly\u2060",
    "long": "Breathe slowly and deeply. " * 200,
    "long-short-words": "a " * 2000,
    "whitespace": "\t\u00a0\u2003\u3000Breathe\n\r\n   out\u2028.",
    "private-use": "\ue000\uf8ff Relax",
    "combining-only": "\u0301\u0302\u0303",
    "numbers": "12345678901234567890 3.14159 -0",
}


def _toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid TOML basic string


@pytest.mark.parametrize("name", list(HOSTILE_TEXTS))
@pytest.mark.parametrize("where", ["intro", "tips"])
def test_hostile_cue_text(tmp_path, name, where):
    text = HOSTILE_TEXTS[name]
    body = 'title = "Text test"\n'
    if where == "intro":
        body += f'intro = [{_toml_string(text)}]\n[[steps]]\nstretch = "forward bend"\nhold = 20\n'
    else:
        body += f'[[steps]]\nstretch = "forward bend"\nhold = 20\ntips = [{_toml_string(text)}]\n'
    routine = tmp_path / "r.toml"
    routine.write_text(body, encoding="utf-8")
    result = CliRunner().invoke(cli, ["script", str(routine), "--format", "json"])
    assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        line = assert_one_line_error(result.stderr)
        assert "r.toml" in line and where in line, line
        return
    spoken = [e["text"] for e in json.loads(result.stdout)["events"] if e["kind"] == "speech"]
    if where == "intro":  # tips are dropped when the hold is too short for them
        assert clean(text) in spoken
    for cue in spoken:
        assert not re.search(r"</?[A-Za-z][^<>]*>", cue), cue
        assert not any(unicodedata.category(c)[0] == "C" for c in cue), cue


@pytest.mark.parametrize("name", list(HOSTILE_TEXTS))
def test_hostile_text_through_the_engine(cache_dir, name):
    """What survives cleaning goes to the real engine: it never crashes, hangs or returns nothing."""
    text = clean(HOSTILE_TEXTS[name])[:300]
    if not text or not any(c.isalnum() for c in text):
        pytest.skip("refused before the engine")
    clips = Speech(make_engine(), timeout=20).prepare([text])
    assert clip_ok(clips[text].path)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_clean_properties(text):
    out = clean(text)
    assert out == out.strip() and "  " not in out
    for ch in out:
        cat = unicodedata.category(ch)
        assert not cat.startswith("C") and cat != "So", (text, out)


def test_clean_examples():
    assert clean("Breathe\x07 in\x1b[31m slowly") == "Breathe in[31m slowly"
    assert clean("<b>Relax</b> now") == "Relax now"
    assert clean("Breathe 🙂 deeply") == "Breathe deeply"
    assert clean("\u202eنفس\u202c") == "نفس"
    assert clean("a\u00a0\u3000b\n\tc") == "a b c"
    t0 = time.monotonic()
    assert len(clean("<x>" * 50_000 + "word " * 50_000)) > 0
    assert time.monotonic() - t0 < 2

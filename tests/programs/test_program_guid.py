"""A program folder's GUIDs and content hashes stay put across processes, paths and releases.

Each run is a real `voiceguide program` process (the string-hash seed is per
process, and it is what made the hash flap), with the chimes-only engine so a
run takes a second or two. Feeds are read back by feedparser and podcastparser.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import feedparser
import podcastparser
import pytest

from voiceguide.programs.folder import MANIFEST
from voiceguide.serve.feedview import served_feed

ROOT = Path(__file__).resolve().parent.parent
START = "2026-11-30"
# The two stretches that have two sentences said once each (Stretch.once, a frozenset whose order
# follows the string-hash seed), with short holds so a run takes a second or two.
ROUTINE = """title = "Floor"
[defaults]
get_ready = 2
[[steps]]
stretch = "supine-hamstring"
[[steps]]
stretch = "reclining-hand-to-big-toe"
"""
PROGRAM = """title = "Seeds"
days = 2

[[phases]]
routine = "floor.toml"
hold = [5, 6]
"""


def voiceguide(*args: object, cwd: Path, seed: int = 0) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED=str(seed))
    return subprocess.run(
        [sys.executable, "-m", "voiceguide", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.iterdir())}


def feed_guids(folder: Path) -> list[str]:
    parsed = feedparser.parse(str(folder / "feed.xml"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    with open(folder / "feed.xml", "rb") as f:
        gpodder = podcastparser.parse("http://localhost:8765/feed.xml", f)
    assert [e["guid"] for e in gpodder["episodes"]] == [e.id for e in reversed(parsed.entries)]  # newest first
    return [e.id for e in parsed.entries]


@pytest.fixture
def program(tmp_path: Path) -> Path:
    (tmp_path / "floor.toml").write_text(ROUTINE, encoding="utf-8")
    path = tmp_path / "prog.toml"
    path.write_text(PROGRAM, encoding="utf-8")
    return path


def test_reruns_under_other_hash_seeds_render_nothing_and_change_no_byte(program, tmp_path):
    out = tmp_path / "out"
    first = voiceguide("program", program, "-o", out, "--engine", "none", "--start", START, cwd=tmp_path, seed=1)
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    guids = feed_guids(out)
    assert guids == [f"voiceguide:prog:{START}:day-01", f"voiceguide:prog:{START}:day-02"]
    for seed in (2, 3, 4, 5):
        rerun = voiceguide("program", program, "-o", out, "--engine", "none", cwd=tmp_path, seed=seed)
        assert rerun.returncode == 0, rerun.stderr
        assert "(0 built, 2 unchanged)" in rerun.stdout, (seed, rerun.stdout)
        assert snapshot(out) == before, seed
        assert feed_guids(out) == guids


def test_the_same_file_by_another_path_is_the_same_program(program, tmp_path):
    out = tmp_path / "out"
    first = voiceguide("program", "prog.toml", "-o", "out", "--engine", "none", "--start", START, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    rerun = voiceguide("program", "../prog.toml", "-o", "../out", "--engine", "none", cwd=elsewhere)
    assert rerun.returncode == 0, rerun.stderr
    assert "(0 built, 2 unchanged)" in rerun.stdout
    assert snapshot(out) == before  # not re-dated to today, not re-rendered, the same GUIDs
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["program"] == str(program.resolve()) and manifest["slug"] == "prog"
    assert manifest["start"] == START


@pytest.mark.slow  # three runs
def test_new_audio_keeps_its_guid_under_a_new_url_and_old_guids_are_kept(program, tmp_path):
    """A folder from voiceguide 0.1.0 (GUIDs with the hash, the program as typed) keeps what subscribers have."""
    out = tmp_path / "out"
    assert voiceguide("program", program, "-o", out, "--engine", "none", "--start", START, cwd=tmp_path).returncode == 0
    manifest = json.loads((out / MANIFEST).read_text())
    # As voiceguide 0.1.0 wrote it: no slug, no guids list, the hash in each GUID, another form of hash.
    del manifest["slug"], manifest["guids"]
    manifest["program"] = "prog.toml"
    old = {}
    for e in manifest["episodes"]:
        e["hash"] = f"{e['day']:064x}"
        e["guid"] = old[e["day"]] = f"voiceguide:prog-toml:day-{e['day']:02d}:{e['hash'][:16]}"
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    (out / "feed.xml").unlink()
    urls = {}

    rerun = voiceguide("program", "prog.toml", "-o", out, "--engine", "none", cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert "(2 built, 0 unchanged)" in rerun.stdout  # the hash changed form: rendered once more
    parsed = feedparser.parse(str(out / "feed.xml"))
    assert [e.id for e in parsed.entries] == [old[1], old[2]]
    migrated = json.loads((out / MANIFEST).read_text())
    assert migrated["slug"] == "prog-toml" and migrated["guids"] == [old[1], old[2]]
    assert migrated["start"] == START  # the same program: not re-dated
    for entry, e in zip(parsed.entries, migrated["episodes"], strict=True):
        assert entry.enclosures[0].href == f"http://localhost:8765/{e['audio']}?v={e['hash'][:12]}"
        urls[e["day"]] = entry.enclosures[0].href

    # A new release that changes day 2's audio: same GUID, new URL and length.
    text = program.read_text().replace("hold = [5, 6]", "hold = [5, 8]")
    program.write_text(text, encoding="utf-8")
    again = voiceguide("program", "prog.toml", "-o", out, "--engine", "none", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "(1 built, 1 unchanged)" in again.stdout
    parsed = feedparser.parse(str(out / "feed.xml"))
    assert [e.id for e in parsed.entries] == [old[1], old[2]]
    assert parsed.entries[0].enclosures[0].href == urls[1]
    assert parsed.entries[1].enclosures[0].href != urls[2]
    assert int(parsed.entries[1].enclosures[0].length) == (out / "day-02.mp3").stat().st_size


def test_a_new_start_date_gives_new_guids(program, tmp_path):
    out = tmp_path / "out"
    assert voiceguide("program", program, "-o", out, "--engine", "none", "--start", START, cwd=tmp_path).returncode == 0
    rerun = voiceguide("program", program, "-o", out, "--engine", "none", "--start", "2026-12-07", cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert feed_guids(out) == ["voiceguide:prog:2026-12-07:day-01", "voiceguide:prog:2026-12-07:day-02"]


def test_the_served_feed_keeps_the_content_tag_and_the_guid(program, tmp_path):
    out = tmp_path / "out"
    assert voiceguide("program", program, "-o", out, "--engine", "none", "--start", START, cwd=tmp_path).returncode == 0
    body = served_feed((out / "feed.xml").read_bytes(), "http://localhost:8765/", "http://192.168.1.20:8765/", bool)
    parsed = feedparser.parse(body)
    manifest = json.loads((out / MANIFEST).read_text())
    for entry, e in zip(parsed.entries, manifest["episodes"], strict=True):
        assert entry.enclosures[0].href == f"http://192.168.1.20:8765/{e['audio']}?v={e['hash'][:12]}"
        assert entry.id == e["guid"]


def test_force_never_replaces_the_persons_own_files(program, tmp_path):
    out = tmp_path / "shared"
    out.mkdir()
    (out / "cover.png").write_bytes(b"my own cover")
    (out / "day-01.mp3").write_bytes(b"my own recording")
    (out / "notes.txt").write_text("mine")
    before = snapshot(out)
    result = voiceguide("program", program, "-o", out, "--engine", "none", "--force", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "cover.png, day-01.mp3 are not voiceguide's" in result.stderr and "move them away" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert snapshot(out) == before  # nothing written, not even the lock file

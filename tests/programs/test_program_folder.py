"""The program folder: episodes, feed, calendar and manifest, checked with the parsers podcast apps use.

Most cases render a three-day program of short holds with the chimes-only
engine (--engine none), so a folder takes a second or two; the interrupt test
renders real speech (pyttsx3) and is marked slow. Feeds are read by feedparser
and by podcastparser (gPodder's parser); durations are measured by decoding
the MP3 with ffmpeg; the calendar is read back with icalendar.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import icalendar
import podcastparser
import pytest
from audiocheck import RATE, decode
from click.testing import CliRunner
from mutagen.id3 import ID3
from repo import REPO

from voiceguide.cli.main import cli
from voiceguide.programs.feed import published
from voiceguide.programs.folder import MANIFEST, read_manifest, render_program
from voiceguide.sound.engines import make_engine

ROOT = REPO
FRIDAY = datetime.date(2026, 11, 27)
DATES = ["2026-11-27", "2026-11-30", "2026-12-01"]  # the weekend is rest
EPISODE_KEYS = {"day", "date", "title", "guid", "hash", "audio", "chapters", "transcript", "seconds", "bytes"}
EPISODE_KEYS |= {"stretches", "guidance"}
TOP_KEYS = {"schema", "generator", "program", "title", "description", "start", "at", "base_url", "files", "episodes"}

SHORT = 'title = "Short"\n[defaults]\nget_ready = 2\n[[steps]]\nstretch = "forward bend"\n[[steps]]\nstretch = "wall"\n'
PROGRAM = """title = "Test week"
description = "Three short days."
days = 3
rest_days = ["saturday", "sunday"]

[[phases]]
days = 2
routine = "short.toml"
hold = [5, 6]

[[phases]]
routine = "short.toml"
hold = HOLD
"""


@pytest.fixture
def program(tmp_path: Path) -> Path:
    (tmp_path / "short.toml").write_text(SHORT, encoding="utf-8")
    path = tmp_path / "week.toml"
    path.write_text(PROGRAM.replace("HOLD", "7"), encoding="utf-8")
    return path


def render(program: Path, out: Path, **kw):
    kw.setdefault("workers", 1)  # in this process: quick; test_worker_processes_write_the_same_bytes covers the pool
    return render_program(str(program), out, make_engine("none"), **kw)


def stats(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.iterdir())}


def feed_of(folder: Path):
    parsed = feedparser.parse(str(folder / "feed.xml"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.fixture
def folder(program: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    render(program, out, start=FRIDAY)
    return out


def test_the_folder_holds_exactly_the_named_files(folder):
    names = sorted(p.name for p in folder.iterdir())
    days = [f"day-0{n}{suffix}" for n in (1, 2, 3) for suffix in (".chapters.json", ".mp3", ".vtt")]
    assert names == sorted(["calendar.ics", "cover.png", "feed.xml", MANIFEST, *days])


def test_the_manifest_keeps_the_contract(folder):
    manifest = json.loads((folder / MANIFEST).read_text())
    assert TOP_KEYS <= set(manifest)
    assert manifest["schema"] == 1 and manifest["generator"].startswith("voiceguide ")
    assert manifest["start"] == "2026-11-27" and manifest["at"] == "07:00"
    assert manifest["base_url"] == "http://localhost:8765/"
    assert manifest["files"] == ["feed.xml", "cover.png", "calendar.ics"]
    assert [e["day"] for e in manifest["episodes"]] == [1, 2, 3]
    assert [e["date"] for e in manifest["episodes"]] == DATES
    for e in manifest["episodes"]:
        assert EPISODE_KEYS <= set(e)
        assert e["bytes"] == (folder / e["audio"]).stat().st_size
        assert e["stretches"] == ["Forward Bend", "Wall Hamstring Stretch"]
        assert e["audio"] == f"day-{e['day']:02d}.mp3"


def test_feedparser_reads_every_item_with_exact_enclosures_and_dates(folder):
    parsed = feed_of(folder)
    assert parsed.feed.title == "Test week"
    assert parsed.feed.language == "en"
    assert parsed.feed.image.href == "http://localhost:8765/cover.png"
    assert parsed.feed.tags[0].term == "Health & Fitness"
    assert not parsed.feed.itunes_explicit  # "false", as Apple's spec now writes it (feedparser reads None)
    assert "<itunes:explicit>false</itunes:explicit>" in (folder / "feed.xml").read_text()
    assert len(parsed.entries) == 3
    guids = [e.id for e in parsed.entries]
    assert len(set(guids)) == 3
    for n, (entry, date) in enumerate(zip(parsed.entries, DATES, strict=True), 1):
        (enclosure,) = entry.enclosures
        name = f"day-{n:02d}.mp3"
        assert enclosure.href.split("?v=")[0] == f"http://localhost:8765/{name}"
        assert enclosure.type == "audio/mpeg"
        assert int(enclosure.length) == (folder / name).stat().st_size
        assert entry.itunes_episode == str(n)
        when = email.utils.parsedate_to_datetime(entry.published)
        assert when == published(date, "07:00")
        assert when.utcoffset() == datetime.datetime.combine(when.date(), when.time()).astimezone().utcoffset()
        assert "Forward Bend" in entry.summary and " s" in entry.summary
        decoded = len(decode(folder / name)) / RATE
        h, m, s = (int(x) for x in entry.itunes_duration.split(":"))
        assert abs(h * 3600 + m * 60 + s - decoded) <= 1.0, (entry.itunes_duration, decoded)


def test_worker_processes_write_the_same_bytes(folder, program, tmp_path):
    parallel = tmp_path / "parallel"
    result = render(program, parallel, start=FRIDAY, workers=2)
    assert result.built == [1, 2, 3]
    assert {k: v[1] for k, v in stats(parallel).items()} == {k: v[1] for k, v in stats(folder).items()}


def test_podcastparser_reads_the_feed_too(folder):
    with open(folder / "feed.xml", "rb") as f:
        parsed = podcastparser.parse("http://localhost:8765/feed.xml", f)
    assert parsed["title"] == "Test week"
    assert parsed["cover_url"] == "http://localhost:8765/cover.png"
    assert parsed["explicit"] is False
    episodes = sorted(parsed["episodes"], key=lambda e: e["number"])
    assert [e["number"] for e in episodes] == [1, 2, 3]
    for n, e in enumerate(episodes, 1):
        (enclosure,) = e["enclosures"]
        assert enclosure["file_size"] == (folder / f"day-{n:02d}.mp3").stat().st_size
        assert enclosure["mime_type"] == "audio/mpeg"
        assert abs(e["total_time"] - len(decode(folder / f"day-{n:02d}.mp3")) / RATE) <= 1.0
    assert len({e["guid"] for e in episodes}) == 3


def test_the_feed_names_chapters_and_transcripts_that_exist(folder):
    text = (folder / "feed.xml").read_text()
    for n in (1, 2, 3):
        assert (
            f'<podcast:chapters url="http://localhost:8765/day-0{n}.chapters.json" type="application/json+chapters"'
            in text
        )
        assert f'<podcast:transcript url="http://localhost:8765/day-0{n}.vtt" type="text/vtt"' in text
        chapters = json.loads((folder / f"day-0{n}.chapters.json").read_text())
        assert chapters["chapters"] and chapters["version"]
        assert (folder / f"day-0{n}.vtt").read_text().startswith("WEBVTT")


def test_episodes_are_tagged_as_tracks_of_the_program(folder):
    for n, date in enumerate(DATES, 1):
        tag = ID3(folder / f"day-0{n}.mp3")
        assert str(tag["TRCK"]) == f"{n}/3"
        assert str(tag["TALB"]) == "Test week"
        assert str(tag["TDRC"]) == date
        assert str(tag["TIT2"]).startswith(f"Day {n} of 3")
        assert tag.getall("APIC") and tag.getall("CHAP") and tag.getall("USLT")


def test_the_calendar_parses_back_with_one_event_a_session_day(folder):
    cal = icalendar.Calendar.from_ical((folder / "calendar.ics").read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(events) == 3
    manifest = read_manifest(folder)
    for event, episode in zip(events, manifest["episodes"], strict=True):
        start = event.decoded("dtstart")
        assert start == published(episode["date"], "07:00")
        assert str(event["summary"]) == episode["title"]
        assert "day-0" in str(event["description"])
        assert event.walk("VALARM")
    assert len({str(e["uid"]) for e in events}) == 3


def test_a_rerun_without_changes_touches_nothing_and_keeps_the_dates(folder, program):
    before = stats(folder)
    result = render(program, folder)  # no start: the folder's is kept
    assert result.built == [] and result.kept == [1, 2, 3]
    assert stats(folder) == before


def test_a_changed_day_is_rebuilt_alone_under_its_guid_with_a_new_url(folder, program):
    before = stats(folder)
    guids = [e["guid"] for e in read_manifest(folder)["episodes"]]
    urls = [e.enclosures[0].href for e in feed_of(folder).entries]
    program.write_text(PROGRAM.replace("HOLD", "8"), encoding="utf-8")
    result = render(program, folder)
    assert result.built == [3] and result.kept == [1, 2]
    after = stats(folder)
    for name in ("day-01.mp3", "day-02.mp3", "day-01.vtt", "day-02.chapters.json"):
        assert after[name] == before[name], name
    assert after["day-03.mp3"] != before["day-03.mp3"]
    assert [e["guid"] for e in read_manifest(folder)["episodes"]] == guids  # apps list no new episode
    entries = feed_of(folder).entries
    assert [e.id for e in entries] == guids
    new = [e.enclosures[0].href for e in entries]
    assert new[:2] == urls[:2] and new[2] != urls[2]  # ... and fetch the new audio of day 3


def test_a_new_start_date_re_dates_and_a_shorter_program_removes_only_its_own_files(folder, program, tmp_path):
    (folder / "notes.txt").write_text("mine")
    two_days = PROGRAM.replace("days = 3", "days = 2").split("[[phases]]\nroutine")[0]
    program.write_text(two_days, encoding="utf-8")
    render(program, folder, start=datetime.date(2026, 12, 7))
    names = sorted(p.name for p in folder.iterdir())
    assert "day-03.mp3" not in names and "day-03.vtt" not in names and "notes.txt" in names
    assert (folder / "notes.txt").read_text() == "mine"
    manifest = read_manifest(folder)
    assert [e["date"] for e in manifest["episodes"]] == ["2026-12-07", "2026-12-08"]
    assert len(feed_of(folder).entries) == 2


def test_base_url_and_time_prefix_every_url_and_date(program, tmp_path):
    out = tmp_path / "out"
    render(program, out, start=FRIDAY, at="18:30", base_url="https://example.org/stretch")
    parsed = feed_of(out)
    assert parsed.feed.image.href == "https://example.org/stretch/cover.png"
    assert all(e.enclosures[0].href.startswith("https://example.org/stretch/day-0") for e in parsed.entries)
    assert email.utils.parsedate_to_datetime(parsed.entries[0].published) == published(DATES[0], "18:30")
    manifest = read_manifest(out)
    assert manifest["base_url"] == "https://example.org/stretch/" and manifest["at"] == "18:30"
    before = stats(out)
    render(program, out)  # kept across a rerun
    assert stats(out) == before


def test_pub_dates_carry_the_local_offset_of_their_day(monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert published("2026-12-01", "07:00").utcoffset() == datetime.timedelta(hours=-5)
        assert published("2026-07-01", "07:00").utcoffset() == datetime.timedelta(hours=-4)
        assert email.utils.format_datetime(published("2026-12-01", "07:00")) == "Tue, 01 Dec 2026 07:00:00 -0500"
    finally:
        monkeypatch.undo()
        time.tzset()


# -- whose folder ---------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_a_foreign_folder_is_refused_and_left_intact(program, tmp_path):
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"\xff\xd8\xff not really")
    (out / "day-01.mp3").write_bytes(b"someone else's")
    before = stats(out)
    result = run("program", program, "-o", out, "--engine", "none")
    assert result.exit_code == 2, result.stderr
    assert "is not empty" in result.stderr and "--force" in result.stderr and MANIFEST in result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""
    assert stats(out) == before


def test_force_adds_the_program_beside_what_is_there(program, tmp_path):
    out = tmp_path / "shared"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"\xff\xd8\xff not really")
    result = run("program", program, "-o", out, "--engine", "none", "--start", "2026-11-27", "--force")
    assert result.exit_code == 0, result.stderr
    assert "3 episodes (3 built, 0 unchanged)" in result.stdout
    assert (out / "holiday.jpg").read_bytes() == b"\xff\xd8\xff not really"
    assert "holiday.jpg" not in (out / MANIFEST).read_text()


@pytest.mark.parametrize(
    "content, words",
    [(b"{not json", ["not a readable program manifest"]), (b'{"schema": 99, "episodes": []}', ["schema 1"])],
    ids=["broken-json", "other-schema"],
)
def test_a_damaged_manifest_is_refused(program, tmp_path, content, words):
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_bytes(content)
    result = run("program", program, "-o", out, "--engine", "none")
    assert result.exit_code == 2 and all(w in result.stderr for w in words), result.stderr
    assert [p.name for p in out.iterdir()] == [MANIFEST]


def test_a_file_as_the_folder_is_refused(program, tmp_path):
    (tmp_path / "out").write_text("x")
    result = run("program", program, "-o", tmp_path / "out", "--engine", "none")
    assert result.exit_code == 2 and "is not a folder" in result.stderr


# -- Ctrl-C ---------------------------------------------------------------------


def _consistent(folder: Path) -> list[dict]:
    """The feed lists only complete episodes, the manifest agrees, and nothing temporary is left."""
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".part")]
    manifest = read_manifest(folder)
    assert manifest is not None
    parsed = feed_of(folder)
    listed = {e.enclosures[0].href.rsplit("/", 1)[1].split("?")[0]: int(e.enclosures[0].length) for e in parsed.entries}
    assert listed == {e["audio"]: e["bytes"] for e in manifest["episodes"]}
    for name, size in listed.items():
        assert (folder / name).stat().st_size == size
        assert (
            abs(
                len(decode(folder / name)) / RATE
                - next(e for e in manifest["episodes"] if e["audio"] == name)["seconds"]
            )
            < 1
        )
    return manifest["episodes"]


@pytest.mark.slow
@pytest.mark.parametrize("group", [True, False], ids=["ctrl-c-to-the-group", "sigint-to-the-parent"])
def test_an_interrupted_program_build_leaves_a_consistent_feed_and_a_rerun_completes(tmp_path, shared_cache, group):
    out = tmp_path / "out"
    mark = f"VOICEGUIDE_TEST_MARK={tmp_path}"  # finds this build's processes (workers, ffmpeg) afterwards
    env = dict(os.environ, VOICEGUIDE_CACHE_DIR=str(shared_cache), PYTHONPATH=str(ROOT), VOICEGUIDE_ENGINE="pyttsx3")
    env["VOICEGUIDE_TEST_MARK"] = str(tmp_path)
    args = [sys.executable, "-m", "voiceguide", "program", "daily-anywhere", "-o", str(out), "--start", "2026-11-30"]
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        manifest = out / MANIFEST
        if manifest.exists() and '"day": 1' in manifest.read_text(errors="replace"):
            break  # the first episode is in: interrupt the rest
        time.sleep(0.02)
    assert proc.poll() is None, "the build ended before it could be interrupted"
    if group:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "Interrupted" in err, err
    done = _consistent(out)
    assert 1 <= len(done) < 7
    assert not _processes_with(mark)

    rerun = subprocess.run(args[:-2], env=env, capture_output=True, text=True, timeout=300)  # the folder's start
    assert rerun.returncode == 0, rerun.stderr
    episodes = _consistent(out)
    assert [e["day"] for e in episodes] == list(range(1, 8))
    assert episodes[0]["date"] == "2026-11-30"
    kept = {e["day"]: e["guid"] for e in done}
    assert all(next(e for e in episodes if e["day"] == d)["guid"] == g for d, g in kept.items())
    assert f"({7 - len(done)} built, {len(done)} unchanged)" in rerun.stdout


def _processes_with(variable: str) -> list[int]:
    """Processes still running with this environment variable (workers and their ffmpeg inherit it)."""
    time.sleep(0.2)
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if variable.encode() in (proc / "environ").read_bytes().split(b"\0"):
                    pids.append(int(proc.name))
            except OSError:
                continue
    return pids


def test_plan_of_a_rendered_folder_uses_its_start_date(folder, program):
    result = run("program", program, "--plan", "--format", "json", "-o", folder, "--engine", "none")
    assert result.exit_code == 0, result.stderr
    assert [d["date"] for d in json.loads(result.stdout)] == DATES


def test_the_default_base_url_is_where_voiceguide_serve_listens():
    from voiceguide.programs.folder import DEFAULT_BASE_URL
    from voiceguide.serve.app import DEFAULT_PORT

    assert DEFAULT_BASE_URL == f"http://localhost:{DEFAULT_PORT}/"


def test_the_content_hash_covers_engine_timeline_and_tags(program):
    import dataclasses

    from voiceguide.programs.episode import episode_hash
    from voiceguide.programs.plan import plan_program
    from voiceguide.programs.program import load_program

    (day, *_) = plan_program(load_program(str(program)), FRIDAY, make_engine("none"))

    class Other:
        def identity(self) -> str:
            return "pyttsx3|2.99|gmw/en-us|150"

    fields = {"date": "2026-11-27", "title": "Day 1 of 3: Short"}
    base = episode_hash(day, make_engine("none"), fields)
    assert episode_hash(day, make_engine("none"), dict(fields)) == base
    assert episode_hash(day, Other(), fields) != base
    assert episode_hash(day, make_engine("none"), {**fields, "date": "2026-11-28"}) != base
    timeline = dataclasses.replace(day.timeline, duration=day.timeline.duration + 1)
    longer = dataclasses.replace(day.plan, timeline=timeline)
    assert episode_hash(dataclasses.replace(day, plan=longer), make_engine("none"), fields) != base


def test_a_folder_keeps_the_filters_it_was_rendered_with(tmp_path):
    """--avoid on -o reaches every episode, is kept in the manifest, and a rerun without it keeps it (0 rebuilt)."""
    out = tmp_path / "out"
    first = run(
        "program", "daily-anywhere", "-o", out, "--engine", "none", "--start", "2026-11-27", "--avoid", "inversion"
    )
    assert first.exit_code == 0, first.stderr
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["choices"] == {"only": [], "skip": [], "avoid": ["inversion"], "profile": [], "check_in": True}
    assert all("Forward Bend" not in e["stretches"] for e in manifest["episodes"])  # the head-down one
    again = run("program", "daily-anywhere", "-o", out, "--engine", "none")
    assert again.exit_code == 0, again.stderr
    assert "(0 built" in again.stdout
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["choices"]["avoid"] == ["inversion"]
    plain = run("program", "daily-anywhere", "--plan", "--format", "json", "--start", "2026-11-27", "--engine", "none")
    assert any("Forward Bend" in json.dumps(day) for day in json.loads(plain.stdout))  # the filter did something

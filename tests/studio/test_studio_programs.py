"""Programs in the studio: checked by the program-file loader, planned as `program --plan`, rendered as `-o`."""

from __future__ import annotations

import datetime
import subprocess
import sys
import time

import pytest
from servekit import env

from voiceguide.tomlload import parse_toml

ROUTINE = {"title": "Ann base", "steps": [{"stretch": "chair-hamstring", "hold": 5}]}
START = "2026-03-02"  # a Monday


def program(**more):
    return {
        "title": "Ann two days",
        "days": 2,
        "phases": [{"days": 1, "routine": "ann-base.toml", "guidance": "full"},
                   {"routine": "ann-base.toml", "hold": 6, "guidance": "brief"}],
        **more,
    }  # fmt: skip


@pytest.fixture(scope="module")
def saved(studio):
    assert studio.post("save", {"routine": ROUTINE})[0] == 200
    return studio


def test_the_page_is_offered_presets_and_the_routine_files_in_the_folder(saved):
    import json

    data = json.loads(saved.request("GET", "/_studio/programs.json")[2])
    assert "ann-base.toml" in data["files"] and "full" in data["presets"] and data["weekdays"][0] == "monday"


def test_the_plan_is_voiceguide_program_plan(saved):
    status, data = saved.post("program/plan", {"program": program(), "start": START, "at": "07:30"})
    assert status == 200, data
    assert data["file"] == "ann-two-days-program.toml"
    assert saved.post("program/save", {"program": program()})[0] == 200
    path = saved.folder / "ann-two-days-program.toml"
    assert parse_toml(path.read_bytes(), "x") == program()
    printed = subprocess.run(
        [sys.executable, "-m", "voiceguide", "program", str(path), "--plan", "--start", START, "--engine", "pyttsx3"],
        capture_output=True, text=True, env=env(), timeout=120,
    )  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == data["plan"]


@pytest.mark.parametrize(
    "bad, field, message",
    [
        (program(phases=[{"routine": "/etc/passwd.toml"}]), "phases[0].routine", "is not a routine preset or"),
        (program(phases=[{"routine": "../ann-base.toml"}]), "phases[0].routine", "save the routine first"),
        (program(phases=[{"routine": "nobody.toml"}]), "phases[0].routine", "is not a routine preset or"),
        (program(days=500), "days", "500 is out of range"),
        (program(rest_days=["caturday"]), "rest_days[0]", "expected one of monday"),
        (program(phases=[{"days": 1, "routine": "gentle"}]), "phases", ""),
    ],
)
def test_a_bad_program_gets_the_loaders_message_and_field(saved, bad, field, message):
    status, data = saved.post("program/plan", {"program": bad, "start": START, "at": "07:00"})
    assert status == 400, data
    assert data["field"] == field and message in data["error"]


@pytest.mark.parametrize("start, at, field", [("2026-02-30", "07:00", "start"), (START, "25:00", "at"),
                                              (START, 7, "at"), ("1999-01-01", "07:00", "start")])  # fmt: skip
def test_start_and_time_follow_the_rules_of_start_and_at(saved, start, at, field):
    status, data = saved.post("program/plan", {"program": program(), "start": start, "at": at})
    assert status == 400 and data["field"] == field, data


def test_render_writes_the_program_folder_with_its_feed(saved):
    import feedparser

    status, job = saved.post("program/render", {"program": program(), "start": START, "at": "07:30"})
    assert status == 202, job
    job = saved.wait(300)
    assert job["state"] == "done", job
    assert job["message"].startswith("Wrote ann-two-days/: 2 episodes (2 built), feed.xml, calendar.ics.")
    out = saved.folder / "ann-two-days"
    assert {"day-01.mp3", "day-02.mp3", "feed.xml", "calendar.ics"} <= {p.name for p in out.iterdir()}
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert feed.feed.title == "Ann two days" and len(feed.entries) == 2
    dates = sorted(datetime.date(*e.published_parsed[:3]).isoformat() for e in feed.entries)
    assert dates == [START, "2026-03-03"]
    import json

    (saved.folder / "not-a-program").mkdir()
    listed = json.loads(saved.request("GET", "/_studio/programs.json")[2])["rendered"]
    assert listed == [{"folder": "ann-two-days", "title": "Ann two days", "episodes": 2,
                       "feed": "http://localhost:8765/feed.xml"}]  # fmt: skip


def test_the_handouts_feed_qr_code_is_there_only_for_an_address_a_phone_can_reach(saved):
    import json

    status, data = saved.post("program/render", {"program": program(), "start": START, "at": "07:30",
                                                 "base_url": "ftp://x"})  # fmt: skip
    assert status == 400 and data["field"] == "base_url" and data["error"].startswith("--base-url: 'ftp://x'")
    # Rendered earlier with the default base URL (loopback): the handout explains instead of a QR code.
    found = json.loads(saved.request("GET", "/_studio/feed/ann-two-days.json")[2])
    assert found == {"title": "Ann two days", "feed": "http://localhost:8765/feed.xml", "reachable": False}
    assert saved.request("GET", "/_studio/feed/ann-two-days.svg")[0] == 404
    assert saved.request("GET", "/_studio/feed/ann-base.json")[0] == 404  # not a program the studio rendered
    assert saved.request("GET", "/_studio/feed/..%2Fetc.json")[0] == 404
    public = program(title="Ann public")
    body = {"program": public, "start": START, "at": "07:30", "base_url": "https://example.org/ann/"}
    assert saved.post("program/render", body)[0] == 202
    assert saved.wait(300)["state"] == "done"
    found = json.loads(saved.request("GET", "/_studio/feed/ann-public.json")[2])
    assert found["feed"] == "https://example.org/ann/feed.xml" and found["reachable"]
    status, headers, svg = saved.request("GET", "/_studio/feed/ann-public.svg")
    assert status == 200 and headers["content-type"] == "image/svg+xml"
    assert b"QR code of the feed address https://example.org/ann/feed.xml" in svg


def test_cancelling_a_render_keeps_a_consistent_folder(saved):
    import feedparser

    long = program(title="Ann cancelled", days=6, phases=[{"routine": "ann-base.toml", "hold": 60}])
    assert saved.post("program/render", {"program": long, "start": START, "at": "07:30"})[0] == 202
    deadline = time.monotonic() + 120
    while saved.job()["label"] != "Rendering days" and time.monotonic() < deadline:
        time.sleep(0.05)
    saved.post("cancel", {})
    job = saved.wait(300)
    out = saved.folder / "ann-cancelled"
    if job["state"] == "done":  # it finished before the cancel arrived: nothing to check
        return
    assert job["state"] == "cancelled" and job["message"].startswith("Cancelled: ann-cancelled/ keeps the days")
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]
    feed = feedparser.parse((out / "feed.xml").read_bytes()) if (out / "feed.xml").exists() else None
    listed = {e.enclosures[0].href.rsplit("/", 1)[1].split("?")[0] for e in feed.entries} if feed else set()
    assert listed == {p.name for p in out.glob("day-*.mp3")}  # the feed lists exactly the days there

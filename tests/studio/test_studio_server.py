"""The studio's server, real uvicorn on loopback: its page, its JSON API, and what it refuses."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from servekit import env
from studiokit import lan_studio_on, studio_on

from voiceguide.studio.app import MAX_BODY
from voiceguide.tomlload import parse_toml

ROUTINE = {"title": "Quick check", "steps": [{"stretch": "forward-bend", "hold": 5}]}


def test_the_page_and_its_assets_come_with_the_pages_policy(studio):
    status, headers, body = studio.request("GET", "/")
    assert status == 200 and b'<script src="_studio/studio.js"' in body
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    for asset, kind in (("studio.js", "text/javascript"), ("studio.css", "text/css")):
        status, headers, _ = studio.request("GET", f"/_studio/{asset}")
        assert status == 200 and headers["content-type"].startswith(kind)
    assert studio.request("GET", "/_studio/app.py")[0] == 404
    assert studio.request("GET", "/_studio/..%2Fapp.py")[0] == 404


def test_the_catalog_lists_every_exercise(studio):
    status, _, body = studio.request("GET", "/_studio/catalog.json")
    data = json.loads(body)
    assert status == 200 and len(data["exercises"]) >= 9 and data["folder"] == studio.folder.name


def test_a_preview_is_the_script_and_its_length(studio):
    status, data = studio.post("preview", {"routine": ROUTINE})
    assert status == 200, data
    assert data["script"].startswith("Quick check\n") and "Forward Bend" in data["script"]
    assert data["seconds"] > 20 and data["file"] == "quick-check.toml"


def test_a_bad_value_is_a_400_naming_the_field_as_the_loader_does(studio):
    bad = {"title": "T", "steps": [{"stretch": "forward-bend", "hold": 3000}]}
    status, data = studio.post("preview", {"routine": bad})
    assert status == 400
    assert data == {"error": "routine: steps[0].hold: 3000 is out of range; use 5 to 300 seconds",
                    "field": "steps[0].hold"}  # fmt: skip
    assert studio.post("preview", {"nothing": 1})[0] == 400
    assert studio.post("preview", [1, 2])[0] == 400


def origin(studio) -> dict[str, str]:
    return {"Origin": f"http://127.0.0.1:{studio.port}", "Content-Type": "application/json"}


@pytest.mark.parametrize(
    "headers, status",
    [
        ({"Content-Type": "application/json"}, 403),  # no Origin: not from the page
        ({"Origin": "http://evil.example", "Content-Type": "application/json"}, 403),
        ({"Origin": "null", "Content-Type": "application/json"}, 403),
        ({"Origin": "http://127.0.0.1:1", "Content-Type": "application/json"}, 403),  # another port, another origin
        ("same", 415),  # a form's content type
    ],
)
def test_changes_come_only_from_the_page_itself(studio, headers, status):
    if headers == "same":
        headers = {**origin(studio), "Content-Type": "application/x-www-form-urlencoded"}
    body = json.dumps({"routine": ROUTINE}).encode()
    got, _, answer = studio.request("POST", "/_studio/save", body, headers)
    assert got == status and json.loads(answer)["error"].startswith("refused: ")
    assert not (studio.folder / "quick-check.toml").exists()


def test_another_host_is_refused_and_gets_methods_are_not_writes(studio):
    assert studio.request("GET", "/", headers={"Host": "evil.example"})[0] == 400
    assert studio.request("GET", "/_studio/save")[0] in (404, 405)  # a GET never writes
    assert studio.request("PUT", "/_studio/save", b"{}", origin(studio))[0] == 405


def test_a_large_or_broken_body_is_refused(studio):
    big = b'{"routine": {"title": "' + b"a" * MAX_BODY + b'"}}'
    status, _, body = studio.request("POST", "/_studio/preview", big, origin(studio))
    assert status == 413 and b"at most" in body
    status, _, body = studio.request("POST", "/_studio/preview", b"{not json", origin(studio))
    assert status == 400 and b"not valid JSON" in body
    deep = b"[" * 100_000 + b"]" * 100_000
    assert studio.request("POST", "/_studio/preview", deep[: MAX_BODY - 10], origin(studio))[0] in (400, 413)


def test_save_writes_the_routine_file_build_reads_under_a_name_made_from_the_title(studio, tmp_path):
    table = {"title": "../../Outside me", "steps": [{"stretch": "forward-bend", "hold": 20}]}
    status, data = studio.post("save", {"routine": table})
    assert status == 200 and data["file"] == "outside-me.toml"
    saved = studio.folder / "outside-me.toml"
    assert parse_toml(saved.read_bytes(), "x") == table
    assert not (studio.folder.parent / "Outside me.toml").exists()
    checked = subprocess.run(
        [sys.executable, "-m", "voiceguide", "check", str(saved), "--engine", "none"],
        capture_output=True, text=True, env=env(), timeout=60,
    )  # fmt: skip
    assert checked.returncode == 0 and "OK. ../../Outside me" in checked.stdout
    status, _, body = studio.request("GET", "/_studio/files/outside-me.toml")
    assert status == 200 and body == saved.read_bytes()


def test_only_files_the_studio_wrote_are_served(studio):
    (studio.folder / "private.mp3").write_bytes(b"not yours")
    assert studio.request("GET", "/_studio/files/private.mp3")[0] == 404
    assert studio.request("GET", "/_studio/files/..%2F..%2Fetc%2Fpasswd")[0] == 404
    assert studio.request("GET", "/private.mp3")[0] == 404


def test_open_checks_a_file_and_answers_its_table(studio):
    text = 'title = "Opened"\n\n[[steps]]\nstretch = "lunge"\nhold = 20\n'
    status, data = studio.post("open", {"name": "mine.toml", "text": text})
    assert status == 200 and data["routine"] == {"title": "Opened", "steps": [{"stretch": "lunge", "hold": 20}]}
    status, data = studio.post("open", {"name": "mine.toml", "text": text.replace("20", "2")})
    assert status == 400
    assert data["error"] == "mine.toml, line 5: steps[0].hold: 2 is out of range; use 5 to 300 seconds"
    assert studio.post("open", {"name": "x.toml"})[0] == 400


def test_a_build_reports_progress_writes_the_mp3_and_its_sidecars_and_serves_them(studio):
    status, data = studio.post("build", {"routine": ROUTINE})
    assert status == 202 and data["state"] in ("waiting", "running")
    job = studio.wait()
    assert job["state"] == "done" and job["job"] == data["job"], job
    assert job["files"] == ["quick-check.mp3", "quick-check.vtt", "quick-check.chapters.json", "quick-check.toml"]
    assert job["done"] == job["total"] > 0 and job["message"].startswith("Wrote quick-check.mp3: ")
    status, headers, body = studio.request("GET", "/_studio/files/quick-check.mp3")
    assert status == 200 and headers["content-type"] == "audio/mpeg" and len(body) > 50_000
    status, headers, _ = studio.request("GET", "/_studio/files/quick-check.mp3", headers={"Range": "bytes=0-99"})
    assert status == 206


def test_builds_queue_one_after_another_and_a_full_queue_is_refused(studio):
    from voiceguide.studio.jobs import MAX_WAITING

    long = {"title": "Queue head", "laps": 4, "steps": [{"stretch": "forward-bend", "hold": 120}]}
    head = studio.post("build", {"routine": long})[1]["job"]
    queued = [studio.post("build", {"routine": {**ROUTINE, "title": f"Queued {i}"}}) for i in range(MAX_WAITING + 1)]
    assert [status for status, _ in queued] == [202] * MAX_WAITING + [409]
    assert queued[-1][1]["error"] == f"{MAX_WAITING} builds are waiting already; wait for one to finish, or cancel one"
    first, second = queued[0][1]["job"], queued[1][1]["job"]
    waiting = json.loads(studio.request("GET", f"/_studio/job?n={second}")[2])
    assert waiting["state"] == "waiting"
    assert studio.post("cancel", {"job": second})[1]["state"] == "cancelled"  # a waiting build never starts
    assert studio.post("cancel", {"job": head})[0] == 200
    for _, data in queued[2:MAX_WAITING]:
        studio.post("cancel", {"job": data["job"]})
    deadline = time.monotonic() + 120
    while json.loads(studio.request("GET", f"/_studio/job?n={first}")[2])["state"] in ("waiting", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    states = {n: json.loads(studio.request("GET", f"/_studio/job?n={n}")[2])["state"] for n in (head, first, second)}
    assert states == {head: "cancelled", first: "done", second: "cancelled"}
    assert (studio.folder / "queued-0.mp3").exists() and not (studio.folder / "queued-1.mp3").exists()
    assert not (studio.folder / "queue-head.mp3").exists()


def test_cancel_stops_a_build_and_leaves_nothing_half_written(studio):
    long = {"title": "Long one", "laps": 6, "steps": [{"stretch": s, "hold": 60} for s in
            ("forward-bend", "seated-hamstring", "supine-hamstring", "lunge-hamstring")]}  # fmt: skip
    status, _ = studio.post("build", {"routine": long})
    assert status == 202
    assert studio.post("cancel", {})[0] == 200
    job = studio.wait()
    assert job["state"] == "cancelled" and job["message"].endswith("nothing was written.")  # running or waiting
    left = sorted(p.name for p in studio.folder.iterdir() if p.name.startswith(("long-one", ".long-one")))
    assert left == ["long-one.toml"]  # the routine file saved before the build; no MP3, no staged .part


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_during_a_build_stops_it_and_leaves_nothing_half_written(tmp_path, shared_cache, stop):
    folder = tmp_path / "out"
    folder.mkdir()
    long = {"title": "Stopped", "laps": 8, "steps": [{"stretch": s, "hold": 90} for s in
            ("forward-bend", "seated-hamstring", "supine-hamstring")]}  # fmt: skip
    with studio_on(folder, shared_cache) as running:
        assert running.post("build", {"routine": long})[0] == 202
        deadline = time.monotonic() + 60
        while running.job()["label"] != "Mixing and encoding" and time.monotonic() < deadline:
            time.sleep(0.05)  # well inside the build: staged files exist now
        running.process.send_signal(stop)
        code = running.process.wait(timeout=30)
        assert code == (130 if stop == signal.SIGINT else 143), running.process.stderr.read()
    assert sorted(p.name for p in folder.iterdir()) == ["stopped.toml"]


def test_with_lan_every_request_but_the_page_needs_the_token(tmp_path, shared_cache):
    with lan_studio_on(tmp_path, shared_cache) as running:
        token = running.token
        assert token and len(token) >= 32
        assert running.request("GET", "/")[0] == 200  # the page holds no data: it reads the token from its URL
        assert running.request("GET", "/_studio/studio.js")[0] == 200
        status, _, body = running.request("GET", "/_studio/catalog.json")
        assert status == 403 and b"with its token" in body
        assert running.request("GET", "/_studio/catalog.json", headers={"X-Studio-Token": "x" + token[1:]})[0] == 403
        assert running.request("GET", "/_studio/catalog.json", headers={"X-Studio-Token": token})[0] == 200
        assert running.request("GET", f"/_studio/catalog.json?token={token}")[0] == 200
        assert running.request("GET", "/", headers={"Host": "studio.example:80"})[0] == 200  # a LAN name it was given
        assert running.request("GET", "/", headers={"Host": "evil.example"})[0] == 400
        status, data = running.post("save", {"routine": ROUTINE})
        assert status == 200 and (tmp_path / "quick-check.toml").exists()
        untokened = {"Origin": f"http://127.0.0.1:{running.port}", "Content-Type": "application/json"}
        assert running.request("POST", "/_studio/save", json.dumps({"routine": ROUTINE}).encode(), untokened)[0] == 403
        assert running.request("GET", "/_studio/files/quick-check.toml")[0] == 403
        assert running.request("GET", f"/_studio/files/quick-check.toml?token={token}")[0] == 200


def test_rate_and_music_shape_the_preview_and_the_build(studio):
    status, slow = studio.post("preview", {"routine": ROUTINE, "sound": {"rate": 100, "music": "ambient"}})
    _, normal = studio.post("preview", {"routine": ROUTINE})
    assert status == 200 and slow["seconds"] > normal["seconds"]
    status, data = studio.post("preview", {"routine": ROUTINE, "sound": {"rate": 1000}})
    assert status == 400 and data["field"] == "rate" and "use 80 to 300 words per minute" in data["error"]
    table = {**ROUTINE, "title": "With music"}
    assert studio.post("build", {"routine": table, "sound": {"rate": 100, "music": "ambient"}})[0] == 202
    job = studio.wait()
    assert job["state"] == "done", job
    assert job["message"] == f"Wrote with-music.mp3: {slow['summary']}"

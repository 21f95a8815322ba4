"""`voiceguide serve` under idle connections and a manifest with wrong-typed values.

Idle connections: voiceguide.serve.app.Server in a process of its own with a short
header timeout and a small cap per address (servekit.limited_server), real
sockets from 127.0.0.1 and a second client from 127.0.0.2, still loopback.
The manifest: the real command serving a folder whose manifest is rewritten
under it, and the real command started on it; then the reader itself, fed
every field replaced by values of every JSON type.
"""

from __future__ import annotations

import json
import math
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from servekit import TODAY, env, limited_server, request, serving

from voiceguide.errors import InputError
from voiceguide.serve.app import Site
from voiceguide.serve.inventory import Folder, program_inventory

TIMEOUT = 1.5  # the header timeout of these servers
CAP = 16  # connections per client address
IDLE = 300  # a few hundred: more than the cap, and than uvicorn's limit_concurrency would bear bare


# -- idle connections ------------------------------------------------------------------------------


def closings(sockets: list[socket.socket], opened: list[float], bound: float) -> list[tuple[float, bytes]]:
    """For each socket: seconds from its opening to the server closing it, and what it sent first."""
    found: list[tuple[float, bytes] | None] = [None] * len(sockets)
    received = [b""] * len(sockets)
    with selectors.DefaultSelector() as selector:
        for n, s in enumerate(sockets):
            s.setblocking(False)
            selector.register(s, selectors.EVENT_READ, n)
        deadline = time.monotonic() + bound
        while selector.get_map() and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.1):
                n = key.data
                try:
                    chunk = sockets[n].recv(65536)
                except ConnectionResetError:
                    chunk = b""
                received[n] += chunk
                if not chunk:
                    found[n] = (time.monotonic() - opened[n], received[n])
                    selector.unregister(sockets[n])
    assert all(f is not None for f in found), f"{found.count(None)} connections still open after {bound} s"
    return [f for f in found if f is not None]


@pytest.mark.slow
def test_idle_connections_are_closed_in_time_and_lock_nobody_out(program):
    with limited_server(program.path, TIMEOUT, CAP) as port:
        sockets, opened = [], []
        try:
            for _ in range(IDLE):
                sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
                opened.append(time.monotonic())
            # Another client is served at once, while the idle ones are held.
            started = time.monotonic()
            status, _, _ = request(port, "/day-01.vtt", source="127.0.0.2")
            other = time.monotonic() - started
            assert status == 200 and other < 1.0, f"{status} after {other:.2f} s"
            found = closings(sockets, opened, TIMEOUT + 5)
        finally:
            for s in sockets:
                s.close()
        held = [seconds for seconds, data in found if data == b""]
        refused = [(seconds, data) for seconds, data in found if data]
        print(f"{IDLE} idle: {len(held)} held and closed after {min(held):.2f}-{max(held):.2f} s, {len(refused)} 503")
        assert len(held) == CAP
        assert all(TIMEOUT - 0.05 <= seconds <= TIMEOUT + 1.5 for seconds in held), held
        assert len(refused) == IDLE - CAP
        assert all(data.startswith(b"HTTP/1.1 503") and seconds < 1.0 for seconds, data in refused)
        # The first address is served again once its idle connections are gone.
        assert request(port, "/day-01.vtt")[0] == 200


def trickle_until_closed(conn: socket.socket, bound: float) -> float:
    """Send one header line every 0.2 s (never the blank line); seconds until the server closes."""
    started = time.monotonic()
    conn.settimeout(0.2)
    n = 0
    while time.monotonic() - started < bound:
        try:
            conn.sendall(b"GET /day-01.vtt HTTP/1.1\r\n" if n == 0 else b"X-Slow-%d: 1\r\n" % n)
            if conn.recv(1) == b"":
                return time.monotonic() - started
        except TimeoutError:
            pass
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - started
        n += 1
    raise AssertionError(f"still open after {bound} s of trickled headers")


def read_response(conn: socket.socket) -> bytes:
    """One whole response with a Content-Length from a blocking socket."""
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")).split(b":")[1]
    )
    while len(body) < length:
        body += conn.recv(65536)
    return head


@pytest.mark.slow
def test_headers_sent_a_line_at_a_time_do_not_hold_a_connection(program):
    request_bytes = b"GET /day-01.vtt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with limited_server(program.path, TIMEOUT, CAP) as port:
        with socket.create_connection(("127.0.0.1", port)) as conn:
            seconds = trickle_until_closed(conn, TIMEOUT + 4)
        assert TIMEOUT - 0.05 <= seconds <= TIMEOUT + 1.0, seconds
        # After a response on a kept-alive connection the clock starts again (uvicorn's own
        # keep-alive timer would be reset by every byte); a prompt next request is served.
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(request_bytes)
            assert read_response(conn).startswith(b"HTTP/1.1 200")
            time.sleep(TIMEOUT / 2)
            conn.sendall(request_bytes)
            assert read_response(conn).startswith(b"HTTP/1.1 200")
            seconds = trickle_until_closed(conn, TIMEOUT + 4)
        assert TIMEOUT - 0.05 <= seconds <= TIMEOUT + 1.0, seconds


# -- a manifest with wrong-typed values -----------------------------------------------------------


def set_at(doc: dict, path: tuple, value: object) -> dict:
    doc = json.loads(json.dumps(doc))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


BAD = {
    "episodes[0].seconds": (("episodes", 0, "seconds"), "ninety"),
    "episodes[1]": (("episodes", 1), ["day", 2]),
    "title": (("title",), ["a", "list"]),
    "episodes[0].stretches": (("episodes", 0, "stretches"), "Forward Bend"),
    "files": (("files",), {"feed.xml": True}),
    "episodes[1].guid": (("episodes", 1, "guid"), {"id": 1}),
    "episodes[0].day": (("episodes", 0, "day"), True),
    "episodes[2].seconds": (("episodes", 2, "seconds"), math.nan),  # json writes NaN, which json reads back
    "base_url": (("base_url",), 8765),
    "episodes[0].date": (("episodes", 0, "date"), 20250101),
}


@pytest.mark.slow
def test_wrong_typed_values_while_serving_keep_the_last_good_folder(program, tmp_path):
    folder = tmp_path / "edited"
    shutil.copytree(program.path, folder, symlinks=True)
    manifest = folder / "voiceguide-program.json"
    good = json.loads(manifest.read_text(encoding="utf-8"))
    with serving(folder) as running:
        for field, (path, value) in BAD.items():
            manifest.write_text(json.dumps(set_at(good, path, value)), encoding="utf-8")
            time.sleep(0.7)  # past the inventory's recheck interval
            status, _, page = request(running.port, "/_voiceguide/page.json")
            assert status == 200, field
            assert [s["day"] for s in json.loads(page)["sessions"]] == [2, 1], field
            assert request(running.port, "/feed.xml")[0] == 200, field
            assert request(running.port, "/day-01.mp3", headers={"Range": "bytes=0-9"})[0] == 206, field
        manifest.write_text(json.dumps(set_at(good, ("title",), "Renamed")), encoding="utf-8")
        time.sleep(0.7)
        assert json.loads(request(running.port, "/_voiceguide/page.json")[2])["title"] == "Renamed"
        running.process.send_signal(signal.SIGTERM)
        running.process.wait(timeout=10)
        log = running.process.stderr.read()
    assert "Traceback" not in log and "Exception" not in log, log
    assert log.count("still serving the folder as it was") == len(BAD), log
    for field in BAD:
        assert f"{manifest}: {field}: " in log, field


@pytest.mark.slow
def test_wrong_typed_values_at_start_are_one_line_and_exit_2(program, tmp_path):
    good = json.loads((program.path / "voiceguide-program.json").read_text(encoding="utf-8"))
    for n, (field, (path, value)) in enumerate(BAD.items()):
        folder = tmp_path / f"bad-{n}"
        folder.mkdir()
        manifest = folder / "voiceguide-program.json"
        manifest.write_text(json.dumps(set_at(good, path, value)), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "voiceguide", "serve", str(folder), "--port", "0"],
            capture_output=True, text=True, env=env(), timeout=30,
        )  # fmt: skip
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2, (field, proc.stderr)
        assert len(lines) == 1 and lines[0].startswith(f"Error: {manifest}: {field}: "), (field, proc.stderr)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
FIELDS = [
    ("schema",), ("title",), ("description",), ("base_url",), ("generator",), ("files",), ("files", 0),
    ("episodes",), ("episodes", 0), *[("episodes", 1, key) for key in (
        "day", "date", "audio", "title", "guid", "chapters", "transcript", "seconds", "stretches",
    )],
]  # fmt: skip


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), value=JSON)
def test_any_value_anywhere_is_an_input_error_or_a_page_that_serialises(program, tmp_path, field, value):
    good = json.loads((program.path / "voiceguide-program.json").read_text(encoding="utf-8"))
    manifest = tmp_path / "fuzzed.json"
    manifest.write_text(json.dumps(set_at(good, field, value)), encoding="utf-8")
    folder = Folder(program.path)
    try:
        inventory = program_inventory(folder.root, manifest, folder._mp3_facts)
    except InputError as exc:
        assert str(manifest) in str(exc) and exc.field
        return
    page = Site(folder, release_all=True)._page(inventory, TODAY)
    json.dumps(page, allow_nan=False)  # what Starlette's JSONResponse does
    assert all(isinstance(s["title"], str) and math.isfinite(s["seconds"]) for s in page["sessions"])


def test_a_manifest_nested_too_deep_or_too_long_a_number_is_an_input_error(tmp_path):
    from voiceguide.serve.manifestcheck import load_manifest

    for text in ("[" * 100_000 + "]" * 100_000, '{"schema": 1, "episodes": [], "x": ' + "9" * 5000 + "}"):
        path = tmp_path / "manifest.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=r"manifest\.json: file: "):
            load_manifest(path)


def test_the_manifest_reader_stays_small():
    import voiceguide.serve.manifestcheck

    assert len(Path(voiceguide.serve.manifestcheck.__file__).read_text().splitlines()) < 500

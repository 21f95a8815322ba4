"""`voiceguide serve` over real HTTP: the real command on a free loopback port, real clients and parsers.

Every request goes to 127.0.0.1. What --lan would bind, print and encode is
tested as a unit (test_lan_*), never by listening on another address.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import feedparser
import podcastparser
import pytest
from servekit import BASE, env, make_plain, serving

from voiceguide.serve.app import ALL_INTERFACES, LOOPBACK, bind_address
from voiceguide.serve.feedview import FeedError, client_base, served_feed
from voiceguide.serve.inventory import is_plain_name, stretches_of
from voiceguide.serve.lan import banner, terminal_qr


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    return make_plain(tmp_path_factory.mktemp("plain") / "sessions")


@pytest.fixture(scope="module")
def plain_server(plain):
    with serving(plain) as running:
        yield running


def fetch(server, path: str, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None):
    """(status, headers, body) for a raw request target, sent as is (no client-side normalising)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        all_headers = {"Host": f"127.0.0.1:{server.port}", **(headers or {})}
        if body is not None:
            all_headers["Content-Length"] = str(len(body))
        for name, value in all_headers.items():
            conn.putheader(name, value)
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


# -- byte ranges, HEAD, conditional requests, types -------------------------------------------------


def test_ranges_first_middle_suffix_open_and_unsatisfiable(server, program):
    data = (program.path / "day-02.mp3").read_bytes()
    size = len(data)
    cases = {
        "bytes=0-99": (0, 100),
        "bytes=1000-1999": (1000, 2000),
        "bytes=-500": (size - 500, size),
        f"bytes={size - 10}-": (size - 10, size),
        f"bytes={size - 5}-{size + 1000}": (size - 5, size),  # an end past the file is clipped
    }
    for header, (start, end) in cases.items():
        status, headers, body = fetch(server, "/day-02.mp3", headers={"Range": header})
        assert status == 206, header
        assert headers["content-range"] == f"bytes {start}-{end - 1}/{size}", header
        assert int(headers["content-length"]) == end - start
        assert body == data[start:end], header
    status, headers, body = fetch(server, "/day-02.mp3", headers={"Range": f"bytes={size}-"})
    assert status == 416
    assert headers["content-range"] == f"bytes */{size}"
    status, headers, body = fetch(server, "/day-02.mp3")
    assert status == 200 and body == data
    assert headers["accept-ranges"] == "bytes"


def test_head_sends_the_headers_and_no_body(server, program):
    size = (program.path / "day-01.mp3").stat().st_size
    status, headers, body = fetch(server, "/day-01.mp3", method="HEAD")
    assert status == 200
    assert body == b""
    assert int(headers["content-length"]) == size
    assert headers["accept-ranges"] == "bytes"
    assert headers["content-type"] == "audio/mpeg"
    status, headers, body = fetch(server, "/feed.xml", method="HEAD")
    assert status == 200 and body == b"" and headers["content-type"].startswith("application/rss+xml")


def test_etag_and_last_modified_answer_304(server):
    for path in ("/day-01.mp3", "/day-01.vtt", "/", "/feed.xml", "/_voiceguide/app.js"):
        status, headers, body = fetch(server, path)
        assert status == 200, path
        etag = headers["etag"]
        status, again, body = fetch(server, path, headers={"If-None-Match": etag})
        assert (status, body) == (304, b""), path
        assert again["etag"] == etag
        status, _, _ = fetch(server, path, headers={"If-None-Match": '"something-else"'})
        assert status == 200, path
        if "last-modified" in headers:
            status, _, _ = fetch(server, path, headers={"If-Modified-Since": headers["last-modified"]})
            assert status == 304, path
            status, _, _ = fetch(server, path, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
            assert status == 200, path
    # A range against a changed file (a stale If-Range) gets the whole file.
    status, headers, body = fetch(server, "/day-01.mp3", headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert status == 200 and len(body) == int(headers["content-length"]) > 10


def test_content_types(server):
    expected = {
        "/day-01.mp3": "audio/mpeg",
        "/feed.xml": "application/rss+xml",
        "/day-01.chapters.json": "application/json+chapters",
        "/day-01.vtt": "text/vtt",
        "/calendar.ics": "text/calendar",
        "/cover.png": "image/png",
        "/": "text/html",
        "/_voiceguide/app.js": "text/javascript",
        "/_voiceguide/style.css": "text/css",
        "/_voiceguide/page.json": "application/json",
        "/_voiceguide/feed-qr.svg": "image/svg+xml",
    }
    for path, kind in expected.items():
        status, headers, _ = fetch(server, path)
        assert status == 200, path
        assert headers["content-type"].split(";")[0] == kind, path
        assert headers["x-content-type-options"] == "nosniff"


def test_the_page_loads_nothing_from_elsewhere(server):
    status, headers, body = fetch(server, "/")
    assert status == 200
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert not re.search(rb"(src|href)=\"(https?:)?//", body), "the page links outside the server"
    for asset in ("app.js", "style.css"):
        _, _, text = fetch(server, f"/_voiceguide/{asset}")
        assert not re.search(rb"https?://", text), asset


# -- only voiceguide's files ------------------------------------------------------------------------

REFUSED = [
    "/secret.txt",  # a file of the person's own
    "/.hidden.mp3",  # a dotfile (even a voiceguide MP3)
    "/voiceguide-program.json",  # the manifest itself
    "/link-out.vtt",  # listed in the manifest, but a symlink out of the folder
    "/private/diary.txt",
    "/private/",
    "/private",
    "/../outside/secret.txt",
    "/%2e%2e/outside/secret.txt",
    "/%2E%2E%2Foutside%2Fsecret.txt",
    "/..%2foutside%2fsecret.txt",
    "/..%5coutside%5csecret.txt",
    "/%5c..%5coutside%5csecret.txt",
    "/day-01.mp3/../secret.txt",
    "/./secret.txt",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/etc/passwd",
    "/_voiceguide/../secret.txt",
    "/_voiceguide/%2e%2e/secret.txt",
    "/_voiceguide/art/..%2fsecret.txt",
    "/_voiceguide/art/secret.txt",
    "/_voiceguide/index.html",
    "/_voiceguide/",
    "/day-01.mp3/",
    "/day-01.mp3%00",
    "/DAY-01.MP3",
]


def test_traversal_dotfiles_and_foreign_files_get_404(server, program):
    refused = [*REFUSED, "/" + str(program.path / "day-01.mp3").lstrip("/"), str(program.outside / "secret.txt")]
    for target in refused:
        status, _, body = fetch(server, target)
        assert status == 404, target
        assert b"secret" not in body and b"private" not in body
    # A raw backslash is not a legal request target: the HTTP library refuses it before any route.
    status, _, body = fetch(server, "/..\\outside\\secret.txt")
    assert status in (400, 404) and b"secret" not in body


def test_no_listing_and_nothing_written(server, program):
    before = sorted(p.name for p in program.path.iterdir())
    mp3 = (program.path / "day-01.mp3").read_bytes()
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for target in ("/", "/day-01.mp3", "/new.txt", "/_voiceguide/page.json"):
            status, _, _ = fetch(server, target, method=method, body=b"overwritten")
            assert status in (404, 405), (method, target)
    assert sorted(p.name for p in program.path.iterdir()) == before
    assert (program.path / "day-01.mp3").read_bytes() == mp3


# -- the feed -------------------------------------------------------------------------------------


def feed_for(server, host: str) -> bytes:
    status, headers, body = fetch(server, "/feed.xml", headers={"Host": host})
    assert status == 200
    assert headers["content-type"].startswith("application/rss+xml")
    return body


def test_feed_urls_follow_the_address_the_client_used(server, program):
    manifest = json.loads((program.path / "voiceguide-program.json").read_text(encoding="utf-8"))
    ours = f"127.0.0.1:{server.port}"
    for host in (ours, "localhost:8765", "127.0.0.2:9000", "[::1]:8765"):  # hosts.py: names of this machine
        body = feed_for(server, host)
        base = f"http://{host}/"
        assert BASE.encode() not in body or host == "localhost:8765"
        parsed = feedparser.parse(body)
        assert not parsed.bozo, parsed.get("bozo_exception")
        gpodder = podcastparser.parse(base + "feed.xml", __import__("io").BytesIO(body))
        assert len(parsed.entries) == len(gpodder["episodes"]) == 2  # yesterday's and today's; not tomorrow's
        for entry in parsed.entries:
            urls = [link.href for link in entry.links if link.get("rel") == "enclosure"]
            assert urls and all(u.startswith(base) for u in urls), urls
        for episode in gpodder["episodes"]:
            assert all(e["url"].startswith(base) for e in episode["enclosures"])
            assert episode["chapters"] if "chapters" in episode else True
        assert {e.id for e in parsed.entries} == {program.guids[1], program.guids[2]}
        assert parsed.feed.image.href == base + "cover.png"
        text = body.decode("utf-8")
        for ep in manifest["episodes"][:2]:
            assert f'url="{base}{ep["chapters"]}"' in text
            assert f'url="{base}{ep["transcript"]}"' in text
        assert "xmlns:itunes=" in text and "xmlns:podcast=" in text and "<itunes:episode>" in text
    # What the feed lists is there, at the length it says.
    for entry in feedparser.parse(feed_for(server, ours)).entries:
        enclosure = next(link for link in entry.links if link.get("rel") == "enclosure")
        status, headers, body = fetch(server, enclosure.href.split(ours, 1)[1])
        assert status == 200 and len(body) == int(enclosure.length)


def test_feed_is_released_day_by_day_and_all_lists_every_day(program):
    with serving(program.path, "--all") as running:
        status, _, body = fetch(running, "/feed.xml")
        status2, _, page = fetch(running, "/_voiceguide/page.json")
    assert status == status2 == 200
    parsed = feedparser.parse(body)
    assert {e.id for e in parsed.entries} == set(program.guids.values())
    assert [s["day"] for s in json.loads(page)["sessions"]] == [2, 1, 4]  # today's first, then in day order


def test_page_data_lists_todays_session_first(server, program):
    status, _, body = fetch(server, "/_voiceguide/page.json")
    data = json.loads(body)
    assert data["kind"] == "program" and data["feed"] == "feed.xml" and data["calendar"] == "calendar.ics"
    assert [s["day"] for s in data["sessions"]] == [2, 1]
    assert data["sessions"][0]["today"] is True
    assert data["upcoming"] == {"count": 1, "next": program.dates[4].isoformat()}
    first = data["sessions"][0]
    assert first["stretches"] == ["Forward Bend", "Lunge"]
    status, headers, art = fetch(server, "/" + first["cover"])
    assert status == 200 and headers["content-type"] == "image/png" and art.startswith(b"\x89PNG")
    status, _, svg = fetch(server, "/_voiceguide/feed-qr.svg", headers={"Host": "localhost:8765"})
    assert status == 200 and b"QR code of the feed address http://localhost:8765/feed.xml" in svg


# -- a folder of voiceguide MP3s ------------------------------------------------------------------


def test_plain_folder_serves_voiceguide_mp3s_and_their_sidecars_only(plain_server, plain):
    served = [
        "/morning.mp3", "/morning.vtt", "/morning.chapters.json", "/morning.lrc", "/evening.mp3",
        "/evening.vtt", "/evening.chapters.json", "/evening%20tracks/playlist.m3u8",
        "/evening%20tracks/01%20Introduction.mp3",
    ]  # fmt: skip
    for target in served:
        status, headers, body = fetch(plain_server, target)
        assert status == 200, target
        assert len(body) == int(headers["content-length"]) > 0
    refused = [
        "/song.mp3", "/song.vtt", "/morning.txt", "/notes/playlist.m3u8", "/notes/song.mp3", "/linked.mp3",
        "/.dot.mp3", "/feed.xml", "/_voiceguide/feed-qr.svg", "/evening%20tracks/", "/notes/",
    ]  # fmt: skip
    for target in refused:
        status, _, _ = fetch(plain_server, target)
        assert status == 404, target
    data = json.loads(fetch(plain_server, "/_voiceguide/page.json")[2])
    assert data["kind"] == "folder" and data["feed"] is None
    assert [s["audio"] for s in data["sessions"]] == ["evening.mp3", "morning.mp3"]
    morning = data["sessions"][1]
    assert morning["lyrics"] == "morning.lrc" and morning["transcript"] == "morning.vtt"
    assert morning["stretches"] == ["Forward Bend"]
    assert [p["url"] for p in data["playlists"]] == ["evening tracks/playlist.m3u8"]
    assert len(data["playlists"][0]["tracks"]) == 4
    playlist = fetch(plain_server, "/evening%20tracks/playlist.m3u8")[2].decode("utf-8")
    assert "01 Introduction.mp3" in playlist


def test_files_written_while_serving_appear_and_removed_ones_go(plain, tmp_path):
    folder = tmp_path / "changing"
    folder.mkdir()
    for name in ("morning.mp3", "morning.vtt"):
        shutil.copy(plain / name, folder / name)
    with serving(folder) as running:
        assert fetch(running, "/morning.mp3")[0] == 200
        (folder / "morning.mp3").unlink()
        shutil.copy(plain / "evening.mp3", folder / "later.mp3")
        deadline = time.monotonic() + 5
        while fetch(running, "/later.mp3")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert fetch(running, "/later.mp3")[0] == 200
        assert fetch(running, "/morning.mp3")[0] == 404
        assert fetch(running, "/morning.vtt")[0] == 404  # a sidecar without its MP3 is not served
        data = json.loads(fetch(running, "/_voiceguide/page.json")[2])
        assert [s["audio"] for s in data["sessions"]] == ["later.mp3"]


def test_a_manifest_broken_while_serving_keeps_the_last_good_folder(program, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(program.path, folder, symlinks=True)
    with serving(folder) as running:
        assert fetch(running, "/day-01.mp3")[0] == 200
        manifest = folder / "voiceguide-program.json"
        manifest.write_text("{ not json", encoding="utf-8")
        time.sleep(0.7)  # past the inventory's recheck interval
        for _ in range(3):
            assert fetch(running, "/day-01.mp3")[0] == 200
            assert len(json.loads(fetch(running, "/_voiceguide/page.json")[2])["sessions"]) == 2
        running.process.send_signal(signal.SIGTERM)
        running.process.wait(timeout=10)
        log = running.process.stderr.read()
    assert log.count("still serving the folder as it was") == 1, log
    assert "Traceback" not in log


# -- the command ----------------------------------------------------------------------------------


def run_serve(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voiceguide", "serve", *args], capture_output=True, text=True, env=env(), timeout=timeout
    )


def test_port_in_use_exits_1_with_one_line(program):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = run_serve(str(program.path), "--port", str(port))
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {port}" in lines[0] and "--port" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_folder_and_broken_manifest_exit_2(tmp_path):
    proc = run_serve(str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    (tmp_path / "voiceguide-program.json").write_text('{"schema": 1, "episodes": [{"day": "one"}]}')
    proc = run_serve(str(tmp_path), "--port", "0")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'voiceguide-program.json'}: episodes[0].day: is not a whole number; "
        "rebuild the folder with 'voiceguide program'"
    ]


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_it_within_2_s_even_mid_stream(program, sig, code):
    with serving(program.path) as running:
        # A client that reads a little of a file and then stalls keeps a stream open.
        stalled = socket.create_connection(("127.0.0.1", running.port))
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.sendall(b"GET /day-02.mp3 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert stalled.recv(1024).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        running.process.send_signal(sig)
        returncode = running.process.wait(timeout=10)
        elapsed = time.monotonic() - started
        stalled.close()
        stderr = running.process.stderr.read()
    assert returncode == code
    assert elapsed < 2.0, f"took {elapsed:.2f} s to stop"
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "Traceback" not in stderr


def test_malformed_requests_and_huge_headers_are_refused_without_a_traceback(program):
    with serving(program.path) as running:
        answers = []
        for raw in (
            b"GARBAGE\r\n\r\n",
            b"GET /day-01.mp3 HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
            b"GET /day-01.mp3 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
            b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        ):
            with socket.create_connection(("127.0.0.1", running.port), timeout=5) as conn:
                try:
                    conn.sendall(raw)
                    answers.append(conn.recv(100))
                except (ConnectionResetError, BrokenPipeError):
                    answers.append(b"reset")
        status, _, _ = fetch(running, "/day-01.vtt")  # still serving
        assert status == 200
        running.process.send_signal(signal.SIGTERM)
        running.process.wait(timeout=10)
        log = running.process.stderr.read()
    refused = (b"HTTP/1.1 400", b"HTTP/1.1 431", b"HTTP/1.1 414")
    for answer in answers[:3]:
        assert answer == b"reset" or answer.startswith(refused), answer
    assert answers[3] == b"reset" or answers[3].startswith((*refused, b"HTTP/1.1 404")), answers[3]  # a long path
    assert "Traceback" not in log, log


# -- load -----------------------------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


def load(port: int, files: dict[str, bytes], clients: int, requests: int, seed: int = 7) -> list[str]:
    """`clients` threads at once, each `requests` random ranges over a keep-alive connection; the errors seen."""
    errors: list[str] = []
    start = threading.Barrier(clients)

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start.wait()
        try:
            for _ in range(requests):
                name = rng.choice(sorted(files))
                data = files[name]
                first = rng.randrange(len(data))
                last = min(len(data) - 1, first + rng.randrange(1, 256 * 1024))
                conn.request("GET", "/" + name, headers={"Range": f"bytes={first}-{last}"})
                response = conn.getresponse()
                body = response.read()
                if response.status != 206 or body != data[first : last + 1]:
                    errors.append(f"{name} {first}-{last}: {response.status}, {len(body)} bytes")
            # Then a whole file, dropped a few kB in: a client that goes away mid-file.
            conn.request("GET", "/" + rng.choice(sorted(files)))
            conn.getresponse().read(4096)
        except OSError as exc:
            errors.append(f"client {n}: {exc!r}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's memory from /proc")
def test_fifty_clients_with_random_ranges_no_errors_and_bounded_memory(program):
    files = {name: (program.path / name).read_bytes() for name in ("day-01.mp3", "day-02.mp3")}
    with serving(program.path) as running:
        pid = running.process.pid
        load(running.port, files, clients=5, requests=4, seed=1)  # warm: imports, thread pool
        before = rss_kb(pid)
        started = time.monotonic()
        errors = load(running.port, files, clients=50, requests=20)
        elapsed = time.monotonic() - started
        after = rss_kb(pid)
        status, _, _ = fetch(running, "/day-01.vtt")
        running.process.send_signal(signal.SIGTERM)
        running.process.wait(timeout=10)
        log = running.process.stderr.read()
    assert "Traceback" not in log and "Exception" not in log, log
    print(f"50 clients x 20 ranges: {elapsed:.2f} s, RSS {before / 1024:.1f} -> {after / 1024:.1f} MB")
    assert errors == []
    assert status == 200
    assert (after - before) / 1024 < 50, f"memory grew by {(after - before) / 1024:.1f} MB"


# -- units: --lan, the feed view, names -----------------------------------------------------------


def test_lan_binds_every_interface_and_the_default_only_loopback():
    assert bind_address(False) == LOOPBACK == "127.0.0.1"
    assert bind_address(True) == ALL_INTERFACES == "0.0.0.0"


def test_lan_address_lookup_sends_nothing_and_returns_ipv4_addresses():
    import ipaddress

    from voiceguide.serve.lan import lan_addresses

    for address in lan_addresses():  # a UDP socket's route lookup: no packet leaves the machine
        assert ipaddress.ip_address(address).version == 4 and not ipaddress.ip_address(address).is_loopback


def decode_terminal_qr(text: str) -> str:
    """Read a terminal QR code back with zxing-cpp: each character is two modules, one above the other."""
    import numpy as np
    import zxingcpp

    rows = [line for line in text.splitlines() if line]
    top = {"█": 1, "▀": 1, "▄": 0, " ": 0}
    bottom = {"█": 1, "▀": 0, "▄": 1, " ": 0}
    width = max(len(r) for r in rows)
    light = np.zeros((2 * len(rows), width), dtype=np.uint8)
    for y, row in enumerate(rows):
        for x, ch in enumerate(row):
            light[2 * y, x], light[2 * y + 1, x] = top[ch], bottom[ch]
    image = np.kron(np.where(light == 1, 255, 0).astype(np.uint8), np.ones((8, 8), dtype=np.uint8))
    image = np.pad(image, 40, constant_values=255)  # a quiet zone, whichever way the terminal draws it
    found = zxingcpp.read_barcodes(image)
    if not found:  # block characters drawn light on dark: the other polarity
        found = zxingcpp.read_barcodes(255 - image)
    assert found, "no QR code found"
    return found[0].text


def test_lan_banner_names_the_folder_prints_addresses_and_a_qr_of_the_page(program):
    from voiceguide.serve.inventory import Folder

    inventory = Folder(program.path).inventory()
    out, warnings = banner(inventory, 2, 8765, lan=True, addresses=["192.168.1.20"], local="studio.local")
    text = "\n".join(out)
    assert "Page: http://192.168.1.20:8765/" in text and "Page: http://studio.local:8765/" in text
    assert "Feed: http://192.168.1.20:8765/feed.xml" in text
    assert "127.0.0.1" not in text
    assert len(warnings) == 1 and str(program.path) in warnings[0] and "--lan" in warnings[0]
    qr = next(line for line in out if "█" in line)
    assert decode_terminal_qr(qr) == "http://192.168.1.20:8765/"
    assert decode_terminal_qr(terminal_qr("http://10.0.0.5:8765/")) == "http://10.0.0.5:8765/"

    out, warnings = banner(inventory, 2, 8765, lan=False)
    assert "Page: http://127.0.0.1:8765/" in "\n".join(out) and warnings == []
    assert not any("█" in line for line in out)
    out, warnings = banner(inventory, 2, 8765, lan=True, addresses=[], local=None)
    assert any("no network address" in w for w in warnings)


FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>T</title><link>http://localhost:8765/</link>
<item><guid isPermaLink="true">http://localhost:8765/day-01.mp3</guid>
<enclosure url="http://localhost:8765/day-01.mp3" length="1" type="audio/mpeg"/>
<podcast:chapters url="http://localhost:8765/day-01.chapters.json" type="application/json+chapters"/></item>
<item><guid>day-2</guid><enclosure url="http://localhost:8765/day-02.mp3" length="1" type="audio/mpeg"/></item>
</channel></rss>"""


def test_feed_view_moves_urls_keeps_guids_and_prefixes():
    body = served_feed(FEED, BASE, "http://10.0.0.5:8765/", lambda item: item.findtext("guid") != "day-2")
    text = body.decode("utf-8")
    assert '<guid isPermaLink="true">http://localhost:8765/day-01.mp3</guid>' in text  # untouched
    assert 'url="http://10.0.0.5:8765/day-01.mp3"' in text
    assert '<podcast:chapters url="http://10.0.0.5:8765/day-01.chapters.json"' in text
    assert "<link>http://10.0.0.5:8765/</link>" in text
    assert "day-2" not in text and "ns0:" not in text


def test_feed_view_refuses_entities_and_non_rss():
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><rss><channel/></rss>'
    with pytest.raises(FeedError):
        served_feed(bomb, BASE, BASE, lambda item: True)
    with pytest.raises(FeedError):
        served_feed(b"<feed/>", BASE, BASE, lambda item: True)
    with pytest.raises(FeedError):
        served_feed(b"<rss><channel>", BASE, BASE, lambda item: True)


def test_client_base_takes_only_a_host_from_the_host_header():
    fallback = "http://127.0.0.1:8765/"
    assert client_base("192.168.1.20:8765", fallback) == "http://192.168.1.20:8765/"
    assert client_base("[fe80::1]:8765", fallback) == "http://[fe80::1]:8765/"
    for bad in (None, "", "evil.com/x", 'a"><script>', "a b", "host:port"):
        assert client_base(bad, fallback) == fallback, bad


def test_plain_names_and_stretch_names():
    assert is_plain_name("day-01.mp3") and is_plain_name("01 Forward Bend (left side).mp3")
    for bad in ("", ".hidden", "../x", "a/b", "a\\b", "/etc/passwd", "c:x", " x", 3, None):
        assert not is_plain_name(bad), bad
    titles = ["Introduction", "Forward Bend", "Round 2: Lunge (left side)", "Lunge (right side)", "Closing"]
    assert stretches_of(titles) == ("Forward Bend", "Lunge")

"""`voiceguide serve` against a hostile page or tag: Host names, cover art, headers, days not out yet.

Real servers on loopback (the real command, or voiceguide.serve.app.Server in a
process of its own given the LAN names `--lan` would print), real sockets,
MP3s whose tags mutagen rewrote as an attacker would.
"""

from __future__ import annotations

import json
import re
import shutil

import feedparser
from servekit import feed_xml, limited_server, request, serving

from voiceguide.serve.hosts import host_of, url_host

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
HTML = b"<html><script>fetch('/feed.xml').then(r => r.text()).then(alert)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'


# -- Host names (DNS rebinding) ----------------------------------------------------------------------

HOSTILE = [
    "evil.example",
    "evil.example:8765",
    "127.0.0.1.evil.example",
    "localhost.evil.example",
    "evil.localhost",
    "0.0.0.0:8765",  # noqa: S104 - a Host header, not an address to listen on
    "192.168.1.20:8765",  # a LAN address, but serve was not started with --lan
    "studio.local:8765",
    "[::2]:8765",
    "[fe80::1]",
    "127.0.0.1:8765@evil.example",
    "evil.example/127.0.0.1",
    "",
]
TARGETS = ["/", "/feed.xml", "/day-01.mp3", "/_voiceguide/page.json", "/_voiceguide/feed-qr.svg", "/calendar.ics"]


def test_a_foreign_host_name_gets_400_and_nothing_of_the_folder(server):
    for host in HOSTILE:
        for target in TARGETS:
            status, headers, body = request(server.port, target, headers={"Host": host})
            assert status == 400, (host, target)
            assert b"Gentle" not in body and b"<rss" not in body and b"ID3" not in body[:3], (host, target)
            assert "; sandbox " in headers["content-security-policy"] and headers["x-content-type-options"] == "nosniff"


def test_a_request_without_one_host_gets_400(server):
    import socket

    for raw in (
        b"GET /feed.xml HTTP/1.0\r\n\r\n",
        b"GET /feed.xml HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n",
        b"GET /feed.xml HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1\r\n\r\n",
    ):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
            conn.sendall(raw)
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 400"), (raw, answer[:80])
        assert b"<rss" not in answer


def test_the_servers_own_names_and_addresses_are_served(server):
    port = server.port
    for host in (
        f"127.0.0.1:{port}", "127.0.0.1", "localhost", "LocalHost:8765", "localhost.", f"localhost:{port}",
        "127.0.0.2:9000", "[::1]", "[::1]:8765", "[0:0:0:0:0:0:0:1]:1",
    ):  # fmt: skip
        status, _, body = request(port, "/feed.xml", headers={"Host": host})
        assert status == 200 and b"<rss" in body, host


def test_lan_names_and_the_base_urls_host_are_served_and_no_others(program, tmp_path):
    folder = tmp_path / "published"
    shutil.copytree(program.path, folder, symlinks=True)
    manifest_path = folder / "voiceguide-program.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["base_url"] = "https://Stretch.Example.org/gentle/"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "feed.xml").write_text(feed_xml(manifest), encoding="utf-8")
    with limited_server(folder, 10, 64, "192.168.1.20", "studio.local") as port:
        direct = ("192.168.1.20:8765", "192.168.1.20", "studio.local:8765", "STUDIO.LOCAL", "stretch.example.org:80")
        for host in direct:
            status, _, body = request(port, "/feed.xml", headers={"Host": host})
            assert status == 200, host
            enclosures = [e.href for entry in feedparser.parse(body).entries for e in entry.enclosures]
            assert enclosures and all(e.startswith(f"http://{host}/") for e in enclosures), (host, enclosures)
        # Under the base URL's own name and port (a web server in front), the feed keeps it whole: https, the path.
        for host in ("stretch.example.org", "Stretch.Example.org.:443"):
            status, _, body = request(port, "/feed.xml", headers={"Host": host})
            parsed = feedparser.parse(body)
            enclosures = [e.href for entry in parsed.entries for e in entry.enclosures]
            assert status == 200 and enclosures, host
            assert all(e.lower().startswith("https://stretch.example.org/gentle/day-0") for e in enclosures), host
            assert parsed.feed.link.lower() == "https://stretch.example.org/gentle/", host
        others = [h for h in HOSTILE if not h.startswith(("192.168.1.20", "studio.local"))]
        for host in ("192.168.1.21:8765", "other.local", "example.org", "evil.stretch.example.org", *others):
            assert request(port, "/feed.xml", headers={"Host": host})[0] == 400, host


def test_host_parsing():
    assert host_of("LOCALHOST.:80") == "localhost"
    assert host_of("[0:0::1]:8765") == "::1"
    assert host_of("192.168.1.20") == "192.168.1.20"
    for bad in (None, "", "[::1", "[nothost]", "a b", "a/b", "a@b", "a:b", "[::1]x", ":80", "-a", "localhost:65536"):
        assert host_of(bad) is None, bad
    assert url_host("https://Stretch.Example.org:443/x/") == "stretch.example.org"
    assert url_host("http://[::1]:8765/") == "::1"
    assert url_host("") is None and url_host("http://[::1/") is None


# -- every response's headers --------------------------------------------------------------------


def test_every_response_has_a_content_security_policy_and_nosniff(server):
    cases = [
        ("/", 200, {}),
        ("/day-01.mp3", 200, {}),
        ("/day-01.mp3", 206, {"Range": "bytes=0-9"}),
        ("/feed.xml", 200, {}),
        ("/cover.png", 200, {}),
        ("/_voiceguide/art/day-01.mp3", 200, {}),
        ("/_voiceguide/feed-qr.svg", 200, {}),
        ("/_voiceguide/page.json", 200, {}),
        ("/_voiceguide/app.js", 200, {}),
        ("/secret.txt", 404, {}),
        ("/day-04.mp3", 404, {}),
        ("/feed.xml", 400, {"Host": "evil.example"}),
    ]
    for target, expected, headers in cases:
        status, got, _ = request(server.port, target, headers=headers)
        assert status == expected, target
        policy = got["content-security-policy"]
        assert got["x-content-type-options"] == "nosniff", target
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy, target
        if target == "/":
            assert "script-src 'self'" in policy and "sandbox" not in policy
        else:
            assert "; sandbox allow-same-origin" in policy and "script" not in policy, target
    _, page, _ = request(server.port, "/")
    etag = page["etag"]
    status, got, _ = request(server.port, "/", headers={"If-None-Match": etag})
    assert status == 304 and got["content-security-policy"] == page["content-security-policy"]  # stored over it


# -- cover art -------------------------------------------------------------------------------------


def with_picture(source, target, mime: str, data: bytes) -> None:
    """A copy of a voiceguide MP3 whose front cover mutagen replaced (what a hostile tag editor writes)."""
    from mutagen.id3 import APIC, ID3

    shutil.copy(source, target)
    tags = ID3(str(target))
    tags.delall("APIC")
    tags.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=data))
    tags.save(str(target))


def test_cover_art_is_served_only_as_the_image_its_bytes_are(program, tmp_path):
    folder = tmp_path / "tagged"
    folder.mkdir()
    source = program.path / "day-01.mp3"
    cases = {
        "html.mp3": ("text/html", HTML, None),
        "svg.mp3": ("image/svg+xml", SVG, None),
        "svg-says-png.mp3": ("image/png", SVG, None),
        "png-says-html.mp3": ("text/html", PNG, "image/png"),
        "jpeg-says-svg.mp3": ("image/svg+xml", JPEG, "image/jpeg"),
        "png.mp3": ("image/png", PNG, "image/png"),
    }
    for name, (mime, data, _) in cases.items():
        with_picture(source, folder / name, mime, data)
    with serving(folder) as running:
        sessions = json.loads(request(running.port, "/_voiceguide/page.json")[2])["sessions"]
        covers = {s["audio"]: s["cover"] for s in sessions}
        assert set(covers) == set(cases)
        for name, (_, data, kind) in cases.items():
            status, headers, body = request(running.port, f"/_voiceguide/art/{name}")
            if kind is None:
                assert status == 404 and b"<script" not in body, name
                assert covers[name] is None, name  # the page shows no broken picture
            else:
                assert status == 200 and headers["content-type"] == kind and body == data, name
                assert covers[name] == f"_voiceguide/art/{name}"
            status, headers, _ = request(running.port, f"/{name}")  # the MP3 itself is still served
            assert status == 200 and headers["content-type"] == "audio/mpeg"


# -- days not yet released -------------------------------------------------------------------------


def test_days_after_today_are_not_served_by_name_unless_all(server, program):
    day4 = ["/day-04.mp3", "/day-04.vtt", "/day-04.chapters.json", "/_voiceguide/art/day-04.mp3", "/day-04.mp3?v=1"]
    for target in day4:
        for method, headers in (("GET", {}), ("HEAD", {}), ("GET", {"Range": "bytes=0-99"})):
            assert request(server.port, target, method, headers)[0] == 404, (target, method, headers)
    for target in ("/day-02.mp3", "/day-02.vtt", "/_voiceguide/art/day-02.mp3", "/day-01.mp3?v=abc#x"):
        assert request(server.port, target)[0] == 200, target
    # The calendar is the reminder schedule: it names every session day, future ones included.
    status, _, calendar = request(server.port, "/calendar.ics")
    assert status == 200 and b"day-4@voiceguide" in calendar
    with serving(program.path, "--all") as running:
        for target in day4:
            assert request(running.port, target)[0] == 200, target
        assert request(running.port, "/day-04.mp3")[2] == (program.path / "day-04.mp3").read_bytes()


def test_a_query_is_ignored_when_serving_and_kept_in_the_feed(program, tmp_path):
    """Enclosures may carry a ?v= content tag; the file is found without it, and the feed keeps it."""
    folder = tmp_path / "tagged-feed"
    shutil.copytree(program.path, folder, symlinks=True)
    feed = (folder / "feed.xml").read_text(encoding="utf-8")
    feed = re.sub(r'(url="[^"]*/day-0(\d)\.mp3)"', r'\1?v=tag\2&amp;x=1"', feed)
    feed = re.sub(r"<guid([^>]*)>[^<]*</guid>", r"<guid\1>not-in-the-manifest</guid>", feed)  # found by file name
    (folder / "feed.xml").write_text(feed, encoding="utf-8")
    with serving(folder) as running:
        base = f"http://127.0.0.1:{running.port}/"
        status, _, body = request(running.port, "/feed.xml")
        assert status == 200
        urls = [e.href for entry in feedparser.parse(body).entries for e in entry.enclosures]
        assert urls == [f"{base}day-01.mp3?v=tag1&x=1", f"{base}day-02.mp3?v=tag2&x=1"]  # day 4: tomorrow
        for url in urls:
            status, headers, data = request(running.port, url[len(base) - 1 :])
            name = url[len(base) :].split("?")[0]
            assert status == 200 and data == (folder / name).read_bytes()

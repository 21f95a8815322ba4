"""Folders and a real server for the `voiceguide serve` tests.

A program folder laid out as docs/program-folder.md describes it (episodes
rendered by the real `voiceguide build`, a feed.xml written here to that
contract), a folder of plain voiceguide MP3s, and the real `voiceguide serve`
started in a subprocess on a free loopback port.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://localhost:8765/"
STRETCHES = {1: "forward-bend", 2: "forward-bend,lunge", 4: "seated-hamstring"}
TODAY = datetime.date.today()  # the program folders' dates count from it (tests/serve/conftest.py)


def env(cache: Path | None = None) -> dict[str, str]:
    extra = {"VOICEGUIDE_CACHE_DIR": str(cache)} if cache else {}
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **extra}


def build(folder: Path, stem: str, only: str, *extra: str) -> None:
    """A short real session with its sidecars, by the real command line."""
    subprocess.run(
        [sys.executable, "-m", "voiceguide", "build", "--engine", "pyttsx3", "--hold", "5", "--only", only,
         "-o", str(folder / f"{stem}.mp3"), "--vtt", str(folder / f"{stem}.vtt"),
         "--chapters", str(folder / f"{stem}.chapters.json"), *extra],
        check=True, env=env(folder.parent / "clip-cache"), capture_output=True, timeout=120,
    )  # fmt: skip


def tone_mp3(path: Path, seconds: float = 2.0) -> None:
    """An MP3 voiceguide did not make (ffmpeg's own tags only)."""
    from voiceguide.ffmpeg import ffmpeg_path

    subprocess.run(
        [ffmpeg_path(), "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
         "-c:a", "libmp3lame", "-b:a", "64k", str(path)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


@dataclass(frozen=True)
class ProgramFolder:
    path: Path
    outside: Path  # a folder beside it, holding what a symlink out would reach
    dates: dict[int, datetime.date]
    guids: dict[int, str]


def make_program(folder: Path, outside: Path, today: datetime.date) -> ProgramFolder:
    """Days 1 (yesterday), 2 (today) and 4 (tomorrow; day 3 is a rest day) of a program, with its files."""
    from voiceguide.files.cover import cover_png

    folder.mkdir(parents=True)
    outside.mkdir(parents=True)
    dates = {1: today - datetime.timedelta(days=1), 2: today, 4: today + datetime.timedelta(days=1)}
    guids = {day: f"voiceguide-test-program-day-{day}-{'abcdef'[day]}" for day in dates}
    episodes = []
    for day, only in STRETCHES.items():
        stem = f"day-{day:02d}"
        build(folder, stem, only, "--title", f"Day {day}: gentle hamstrings")
        audio = folder / f"{stem}.mp3"
        episodes.append({
            "day": day, "date": dates[day].isoformat(), "title": f"Day {day}: gentle hamstrings", "guid": guids[day],
            "hash": f"{day:064x}", "audio": audio.name, "chapters": f"{stem}.chapters.json",
            "transcript": f"{stem}.vtt", "seconds": _seconds(folder / f"{stem}.chapters.json"),
            "bytes": audio.stat().st_size, "stretches": only.replace("-", " ").title().split(","), "guidance": "full",
        })  # fmt: skip
    (folder / "cover.png").write_bytes(cover_png("Gentle hamstrings", ["Forward Bend", "Lunge"]))
    (folder / "calendar.ics").write_text(_calendar(dates), encoding="utf-8")
    manifest = {
        "schema": 1, "generator": "voiceguide 0.1.0", "program": "gentle", "title": "Gentle hamstrings",
        "description": "Two weeks of gentle hamstring stretches.", "start": dates[1].isoformat(), "at": "07:00",
        "base_url": BASE, "files": ["feed.xml", "cover.png", "calendar.ics", "link-out.vtt"], "episodes": episodes,
    }  # fmt: skip
    (folder / "feed.xml").write_text(feed_xml(manifest), encoding="utf-8")
    (folder / "voiceguide-program.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    # What must never be served: foreign files, dotfiles, a symlink out, a folder.
    (outside / "secret.txt").write_text("secret outside the folder\n", encoding="utf-8")
    (folder / "secret.txt").write_text("a file of the person's own\n", encoding="utf-8")
    (folder / ".hidden.mp3").write_bytes((folder / "day-01.mp3").read_bytes())
    (folder / "private").mkdir()
    (folder / "private" / "diary.txt").write_text("private\n", encoding="utf-8")
    (folder / "link-out.vtt").symlink_to(outside / "secret.txt")  # listed in the manifest, yet leads out
    return ProgramFolder(folder, outside, dates, guids)


def _seconds(chapters: Path) -> float:
    return float(json.loads(chapters.read_text(encoding="utf-8"))["chapters"][-1]["endTime"])


def _calendar(dates: dict[int, datetime.date]) -> str:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:day-{day}@voiceguide\r\nDTSTAMP:20250101T000000Z\r\n"
        f"DTSTART:{d:%Y%m%d}T070000\r\nSUMMARY:Day {day}\r\nEND:VEVENT\r\n"
        for day, d in dates.items()
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//voiceguide//test//EN\r\n{events}END:VCALENDAR\r\n"


def feed_xml(manifest: dict) -> str:
    """An RSS 2.0 feed with the iTunes and Podcasting 2.0 namespaces, as docs/program-folder.md describes."""
    base = manifest["base_url"]
    items = []
    for ep in manifest["episodes"]:
        when = datetime.datetime.combine(datetime.date.fromisoformat(ep["date"]), datetime.time(7, 0)).astimezone()
        items.append(
            f"""    <item>
      <title>{escape(ep["title"])}</title>
      <description>{escape(", ".join(ep["stretches"]))}</description>
      <guid isPermaLink="false">{escape(ep["guid"])}</guid>
      <pubDate>{format_datetime(when)}</pubDate>
      <enclosure url={quoteattr(base + ep["audio"])} length="{ep["bytes"]}" type="audio/mpeg"/>
      <itunes:duration>{round(ep["seconds"])}</itunes:duration>
      <itunes:episode>{ep["day"]}</itunes:episode>
      <podcast:chapters url={quoteattr(base + ep["chapters"])} type="application/json+chapters"/>
      <podcast:transcript url={quoteattr(base + ep["transcript"])} type="text/vtt"/>
    </item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{escape(manifest["title"])}</title>
    <link>{escape(base)}</link>
    <atom:link href={quoteattr(base + "feed.xml")} rel="self" type="application/rss+xml"/>
    <description>{escape(manifest["description"])}</description>
    <language>en</language>
    <itunes:author>voiceguide</itunes:author>
    <itunes:image href={quoteattr(base + "cover.png")}/>
    <itunes:category text="Health &amp; Fitness"/>
    <itunes:explicit>false</itunes:explicit>
{chr(10).join(items)}
  </channel>
</rss>
"""  # noqa: E501


def make_plain(folder: Path) -> Path:
    """Two voiceguide sessions with sidecars (one split into tracks), and MP3s voiceguide did not make."""
    folder.mkdir(parents=True)
    build(folder, "morning", "forward-bend", "--lrc", str(folder / "morning.lrc"))
    build(folder, "evening", "lunge", "--split", str(folder / "evening tracks"))
    tone_mp3(folder / "song.mp3")
    (folder / "song.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nla la\n", encoding="utf-8")
    (folder / "morning.txt").write_text("not a sidecar voiceguide writes\n", encoding="utf-8")
    (folder / "notes").mkdir()
    (folder / "notes" / "playlist.m3u8").write_text("#EXTM3U\nsong.mp3\n", encoding="utf-8")
    shutil.copy(folder / "song.mp3", folder / "notes" / "song.mp3")
    outside = folder.parent / f"{folder.name}-outside"
    outside.mkdir()
    shutil.copy(folder / "morning.mp3", outside / "elsewhere.mp3")
    (folder / "linked.mp3").symlink_to(outside / "elsewhere.mp3")  # a voiceguide MP3, but out of the folder
    (folder / ".dot.mp3").write_bytes((folder / "morning.mp3").read_bytes())
    return folder


# -- the server ------------------------------------------------------------------------------------


@dataclass
class Running:
    process: subprocess.Popen[str]
    url: str  # http://127.0.0.1:PORT/
    output: list[str]

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])


@contextmanager
def serving(folder: Path, *args: str, timeout: float = 30) -> Iterator[Running]:
    """`voiceguide serve FOLDER --port 0 ARGS` on loopback; stopped (SIGTERM) when the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "serve", str(folder), "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
    )  # fmt: skip
    output: list[str] = []
    deadline = time.monotonic() + timeout
    url = None
    assert process.stdout is not None
    while url is None and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        found = re.search(r"Page: (http://127\.0\.0\.1:\d+/)", line)
        url = found.group(1) if found else None
    if url is None:
        process.kill()
        raise AssertionError(f"serve did not start: {''.join(output)}{process.stderr.read() if process.stderr else ''}")
    running = Running(process, url, output)
    try:
        _wait_ready(url)
        yield running
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM, as a service manager stops a server; killed if it has not ended in 10 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(url: str) -> None:
    import urllib.request

    for _ in range(100):
        try:
            with urllib.request.urlopen(url + "_voiceguide/page.json", timeout=2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{url} never answered")


def request(
    port: int,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    source: str = "127.0.0.1",
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) for a raw request target sent as is from a loopback `source` address."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in {"Host": f"127.0.0.1:{port}", **(headers or {})}.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


# A server built in its own process by voiceguide.serve.app.Server with chosen limits and the LAN
# names `serve --lan` would print, yet listening on loopback only.
_SERVER = """
import sys
from pathlib import Path
from voiceguide.serve.connlimits import Limits
from voiceguide.serve.app import Server

folder, timeout, per_address, *names = sys.argv[1:]
server = Server(Path(folder), port=0, limits=Limits(float(timeout), int(per_address)))
addresses = [n for n in names if not n.endswith(".local")]
server.banner(addresses, next((n for n in names if n.endswith(".local")), None))
print(server.port, flush=True)
server.run()
"""


@contextmanager
def limited_server(folder: Path, header_timeout: float, per_address: int, *names: str) -> Iterator[int]:
    """voiceguide's Server on a free loopback port with these limits and LAN names; yields the port."""
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(folder), str(header_timeout), str(per_address), *names],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    try:
        if not line.strip().isdigit():
            process.kill()
            raise AssertionError(f"the server did not start: {line}{process.stderr.read() if process.stderr else ''}")
        _wait_ready(f"http://127.0.0.1:{int(line)}/")
        yield int(line)
    finally:
        _stop(process)

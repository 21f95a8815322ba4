"""`voiceguide serve`: a folder's sessions, page and feed over HTTP, for a phone on the same network.

Starlette answers, uvicorn listens. What may be served comes from
inventory.py (voiceguide's own files only); the feed is the program's
feed.xml edited per request by feedview.py; the page is the static files in
voiceguide/web, which read `/_voiceguide/page.json`. Files are streamed by
Starlette's FileResponse (byte ranges, HEAD); conditional requests (ETag,
Last-Modified, 304) are answered here. Nothing accepts a write: every route
is GET (and HEAD).

Defences: days dated after today are withheld (the feed, the page and their
files by name) unless --all; cover art is served only as the PNG or JPEG its
bytes are; every response carries a Content-Security-Policy and nosniff;
hosts.py refuses any Host but the server's own (DNS rebinding); connlimits.py
bounds idle connections (a header timeout, a cap per client address).

Stopping: uvicorn catches SIGINT and SIGTERM, closes the listener, gives open
streams GRACE_SECONDS and then raises the same signal again once it has
restored the previous handlers, so voiceguide's entry point (launch.py, cli.py)
reports it and exits 130 or 143 as for any other command.
"""

from __future__ import annotations

import datetime
import email.utils
import errno
import hashlib
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.staticfiles import NotModifiedResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voiceguide.errors import EnvironmentFailure, InputError
from voiceguide.serve.connlimits import HEADER_TIMEOUT, PER_ADDRESS, Limits, limited_protocol
from voiceguide.serve.feedview import FeedError, client_base, item_audio, item_guid, served_feed
from voiceguide.serve.filesend import Opened, OpenedFileResponse, open_regular
from voiceguide.serve.hosts import HostCheck, local_names, names_base, url_host
from voiceguide.serve.inventory import Folder, Inventory, Playlist, Session, cover_art

DEFAULT_PORT = 8765  # fixed, so a subscription survives a restart; the program's default --base-url
LOOPBACK = "127.0.0.1"
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - only with --lan, which warns
GRACE_SECONDS = 1  # open streams get this long after Ctrl-C; the whole stop stays under 2 s
PREFIX = "_voiceguide"  # the page's own URLs; served files never start with it
WEB = Path(__file__).with_name("web")
ASSETS = {"app.js": "text/javascript", "style.css": "text/css", "icon.svg": "image/svg+xml"}
FEED_LIMIT = 16 * 1024 * 1024  # a feed of a few hundred days is well under 1 MB
# The page loads nothing from anywhere else (see voiceguide/serve/web/index.html).
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Every other response: a file opened on its own (an MP3, the cover, a feed) may show itself and
# nothing else, and runs no script whatever its type says (no script-src; sandbox without
# allow-scripts). The browser's own viewers need the rest: inline styles for an image, and the
# document's origin (allow-same-origin) for a media document to load its MP3 (tests/serve/test_serve_browser.py).
FILE_POLICY = (
    "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; sandbox allow-same-origin"
)
TYPES = {
    ".mp3": "audio/mpeg",
    ".chapters.json": "application/json+chapters",
    ".vtt": "text/vtt",
    ".ics": "text/calendar",
    ".xml": "application/rss+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".lrc": "text/plain",
    ".m3u8": "audio/x-mpegurl",
    ".json": "application/json",
}


def media_type(name: str) -> str:
    lower = name.lower()
    return next((kind for suffix, kind in TYPES.items() if lower.endswith(suffix)), "application/octet-stream")


# -- conditional responses ------------------------------------------------------------------------


def not_modified(request: Request, etag: str, last_modified: str | None) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since and last_modified:
        try:
            return email.utils.parsedate_to_datetime(since) >= email.utils.parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            return False
    return False


def file_response(request: Request, opened: Opened, kind: str, headers: Mapping[str, str] = {}) -> Response:
    """A file streamed from its open descriptor (filesend.py), or 304 when the client's copy is current."""
    response = OpenedFileResponse(opened, kind, {"cache-control": "no-cache", **headers})
    if not_modified(request, response.headers["etag"], response.headers["last-modified"]):
        opened.close()
        return NotModifiedResponse(response.headers)
    return response


def bytes_response(request: Request, body: bytes, kind: str, headers: Mapping[str, str] = {}) -> Response:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    all_headers = {"etag": etag, "cache-control": "no-cache", **headers}
    if not_modified(request, etag, None):
        return Response(status_code=304, headers={"etag": etag, "cache-control": "no-cache"})
    return Response(body, media_type=kind, headers=all_headers)


# -- the application ------------------------------------------------------------------------------


@dataclass
class Site:
    """The served folder and what it shows today."""

    folder: Folder
    release_all: bool = False
    today: Callable[[], datetime.date] = datetime.date.today
    names: set[str] = field(default_factory=set)  # Host names it answers to beyond loopback (hosts.py)

    def current(self) -> Inventory:
        """The inventory now (Folder keeps the last good one when a manifest breaks while serving)."""
        try:
            return self.folder.inventory()
        except InputError:  # broken before anything was served: serve nothing
            return Inventory(root=self.folder.root, files={})

    async def inventory(self) -> Inventory:
        return await anyio.to_thread.run_sync(self.current)

    def released_count(self) -> int:
        today = self.today()
        return sum(1 for s in self.current().sessions if self.released(s, today))

    def released(self, session: Session, today: datetime.date) -> bool:
        return self.release_all or session.date is None or session.date <= today

    def withheld(self, inventory: Inventory, name: str) -> bool:
        """Whether `name` is a file of a day not released yet (its audio, chapters, transcript)."""
        today = self.today()
        return any(
            name in (s.audio, s.chapters, s.transcript, s.lyrics) and not self.released(s, today)
            for s in inventory.sessions
        )

    async def more_names(self) -> list[str]:
        """Host names that follow the folder: the program's base URL's host (hosts.py)."""
        program = (await self.inventory()).program
        host = url_host(program.base_url) if program else None
        return [host] if host else []

    # -- routes

    async def page(self, request: Request) -> Response:
        found = await anyio.to_thread.run_sync(open_regular, WEB / "index.html")
        if found is None:
            return PlainTextResponse("The page is missing from this voiceguide install.", status_code=500)
        return file_response(request, found, "text/html", {"referrer-policy": "no-referrer"})

    async def asset(self, request: Request) -> Response:
        name = request.path_params["asset"]
        found = await anyio.to_thread.run_sync(open_regular, WEB / name) if name in ASSETS else None
        if found is None:
            return not_found()
        return file_response(request, found, ASSETS[name])

    async def page_data(self, request: Request) -> Response:
        inventory = await self.inventory()
        return JSONResponse(self._page(inventory, self.today()), headers={"cache-control": "no-cache"})

    def _page(self, inventory: Inventory, today: datetime.date) -> dict[str, Any]:
        """What the page shows (voiceguide/serve/web reads it): released sessions, what comes next, the playlists."""
        released = [s for s in inventory.sessions if self.released(s, today)]
        waiting = [s for s in inventory.sessions if not self.released(s, today)]
        # Today's session first, then the others in day order.
        released.sort(key=lambda s: (s.date != today, s.day or 0))
        heading = _heading(inventory, today)
        return {
            **heading,
            "sessions": [self._session_data(s, today, heading["cover"]) for s in released],
            "upcoming": _upcoming(waiting),
            "playlists": [_playlist_data(p) for p in inventory.playlists],
        }

    @staticmethod
    def _session_data(s: Session, today: datetime.date, fallback_cover: str | None) -> dict[str, Any]:
        return {
            "audio": s.audio,
            "title": s.title,
            "seconds": round(s.seconds, 3),
            "stretches": list(s.stretches),
            "chapters": s.chapters,
            "transcript": s.transcript,
            "lyrics": s.lyrics,
            "cover": f"{PREFIX}/art/{s.audio}" if s.has_art else fallback_cover,
            "day": s.day,
            "date": s.date.isoformat() if s.date else None,
            "today": s.date == today,
            "lang": s.lang,
        }

    async def feed_qr(self, request: Request) -> Response:
        inventory = await self.inventory()
        if inventory.program is None or inventory.program.feed is None:
            return not_found()
        url = self.base_for(request, inventory.program.base_url) + inventory.program.feed
        svg = qr_svg(url, f"QR code of the feed address {url}")
        return bytes_response(request, svg, "image/svg+xml", {"vary": "host"})

    async def art(self, request: Request) -> Response:
        inventory = await self.inventory()
        name = request.path_params["name"]
        session = inventory.session(name)
        if session is None or not session.has_art or self.withheld(inventory, name):
            return not_found()
        found = await anyio.to_thread.run_sync(inventory.path_of, name)
        art = await anyio.to_thread.run_sync(cover_art, found[0]) if found else None
        if art is None:
            return not_found()
        return bytes_response(request, art[0], art[1])

    async def file(self, request: Request) -> Response:
        name = request.path_params["name"]
        inventory = await self.inventory()
        found = None if self.withheld(inventory, name) else await anyio.to_thread.run_sync(inventory.path_of, name)
        if found is None:
            return not_found()
        if inventory.program is not None and name == inventory.program.feed:
            return await self.feed(request, inventory, found[0])
        opened = await anyio.to_thread.run_sync(open_regular, found[0])  # one descriptor: never two versions
        return file_response(request, opened, media_type(name)) if opened else not_found()

    async def feed(self, request: Request, inventory: Inventory, path: Path) -> Response:
        assert inventory.program is not None
        data = await anyio.to_thread.run_sync(_read_small, path)
        today = self.today()
        sessions = {s.audio: s for s in inventory.sessions}
        by_guid = {s.guid: s for s in inventory.sessions if s.guid}
        old_base = inventory.program.base_url

        def keep(item: Element) -> bool:
            guid = item_guid(item)
            session = by_guid.get(guid) if guid else None
            session = session or sessions.get(item_audio(item, old_base) or "")
            return session is not None and self.released(session, today)

        try:
            if data is None:
                raise FeedError("unreadable or too large")
            body = served_feed(data, old_base, self.base_for(request, old_base), keep)
        except FeedError as exc:
            return PlainTextResponse(f"feed.xml: {exc}; rebuild it with 'voiceguide program'", status_code=500)
        return bytes_response(request, body, "application/rss+xml", {"vary": "host"})  # its URLs follow the Host

    @staticmethod
    def base_for(request: Request, base_url: str) -> str:
        """The base URL as the client reached it: `base_url` itself under its own name (a proxy), else http://HOST/."""
        if base_url and names_base(request.headers.get("host"), base_url):
            return base_url
        server = request.scope.get("server") or (LOOPBACK, DEFAULT_PORT)
        host, port = server[0], server[1]
        fallback = f"http://[{host}]:{port}/" if ":" in str(host) else f"http://{host}:{port}/"
        return client_base(request.headers.get("host"), fallback)


def _heading(inventory: Inventory, today: datetime.date) -> dict[str, Any]:
    """The page's first keys: the program's title and folder-level files, or the folder's name."""
    program = inventory.program
    if program is None:
        return {
            "kind": "folder",
            "title": inventory.root.name,
            "description": "",
            "today": today.isoformat(),
            "feed": None,
            "calendar": None,
            "cover": None,
            "lang": _one_language(inventory),
        }
    return {
        "kind": "program",
        "title": program.title,
        "description": program.description,
        "today": today.isoformat(),
        "feed": program.feed,
        "calendar": program.calendar,
        "cover": program.cover,
        "lang": program.lang,
    }


def _one_language(inventory: Inventory) -> str | None:
    """A folder's language for the page: the one its sessions share; None when they differ or are not known."""
    found = {s.lang for s in inventory.sessions}
    return found.pop() if len(found) == 1 else None


def _upcoming(waiting: Sequence[Session]) -> dict[str, Any] | None:
    """How many sessions are not released yet, and the date of the first of them."""
    if waiting and waiting[0].date:
        return {"count": len(waiting), "next": waiting[0].date.isoformat()}
    return None


def _playlist_data(playlist: Playlist) -> dict[str, Any]:
    return {
        "url": playlist.url,
        "title": playlist.title,
        "tracks": [{"url": u, "title": t} for u, t in playlist.tracks],
    }


def not_found() -> Response:
    return PlainTextResponse("Not found", status_code=404)


def _read_small(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as f:
            data = f.read(FEED_LIMIT + 1)
    except OSError:
        return None
    return data if len(data) <= FEED_LIMIT else None


def qr_svg(text: str, title: str) -> bytes:
    """A scalable QR code (segno), titled for screen readers."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", border=2, omitsize=True, xmldecl=False, title=title, dark="#17242b", light="#ffffff"
    )
    return out.getvalue()


class SecurityHeaders:
    """nosniff and a Content-Security-Policy on every response: PAGE_POLICY for the page, FILE_POLICY elsewhere.

    Chosen by path, not by what a route set: a 304 carries the policy too, and a
    browser stores a 304's headers over those of the page it had (RFC 9111 4.3.4).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        own = PAGE_POLICY if scope.get("path") == "/" else FILE_POLICY

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                policy = own if message["status"] in (200, 304) else FILE_POLICY  # a refusal is not the page
                message["headers"] = [
                    *((k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"content-security-policy", policy.encode()),
                ]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


def create_app(site: Site) -> ASGIApp:
    """The ASGI application serving the site's folder (read-only: every route is GET and HEAD)."""
    routes = [
        Route("/", site.page),
        Route(f"/{PREFIX}/page.json", site.page_data),
        Route(f"/{PREFIX}/feed-qr.svg", site.feed_qr),
        Route(f"/{PREFIX}/art/{{name:path}}", site.art),
        Route(f"/{PREFIX}/{{asset}}", site.asset),
        Route("/{name:path}", site.file),
    ]
    return SecurityHeaders(HostCheck(Starlette(routes=routes), site.names, site.more_names))


# -- listening ------------------------------------------------------------------------------------


def bind_address(lan: bool) -> str:
    """Loopback unless --lan; --lan listens on every interface."""
    return ALL_INTERFACES if lan else LOOPBACK


def listen(host: str, port: int) -> socket.socket:
    """A bound socket, or one line saying what to do when the port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart right after a stop
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise EnvironmentFailure(
                f"port {port} is already in use (another 'voiceguide serve'?); stop that server, "
                "or choose another port with --port N (a podcast app subscribed on the old port will not follow)"
            ) from None
        raise EnvironmentFailure(f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port") from None
    return sock


class Server:
    """A folder served on a bound socket; `run` blocks until SIGINT or SIGTERM."""

    def __init__(
        self,
        folder: Path,
        port: int = DEFAULT_PORT,
        lan: bool = False,
        release_all: bool = False,
        limits: Limits | None = None,
    ) -> None:
        self.site = Site(Folder(folder), release_all=release_all, names=local_names() if lan else set())
        self.limits = limits or Limits(HEADER_TIMEOUT, PER_ADDRESS)
        self.inventory = self.site.folder.inventory()  # a broken manifest: one line and exit 2, before listening
        self.app = create_app(self.site)
        self.lan = lan
        self.socket = listen(bind_address(lan), port)
        self.port: int = self.socket.getsockname()[1]

    def banner(self, addresses: list[str], local: str | None) -> tuple[list[str], list[str]]:
        """(stdout lines, warnings) to print before `run`; see lan.banner. The names printed are answered to."""
        from voiceguide.serve.lan import banner

        self.site.names.update([*addresses, *([local] if local else [])])
        return banner(self.inventory, self.site.released_count(), self.port, self.lan, addresses, local)

    def run(self) -> None:
        import uvicorn

        config = uvicorn.Config(
            self.app,
            http=limited_protocol(self.limits),
            lifespan="off",
            log_level="warning",
            access_log=False,
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=GRACE_SECONDS,
            limit_concurrency=512,
        )
        try:
            uvicorn.Server(config).run(sockets=[self.socket])
        finally:
            self.socket.close()

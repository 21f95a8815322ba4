"""`voiceguide studio`: the composer's page and its JSON API, on loopback, writing only into its folder.

Starlette answers, uvicorn listens, as for `voiceguide serve`, whose defences
it reuses: hosts.py's Host check (DNS rebinding), the Content-Security-Policy
and nosniff on every response, connlimits.py's bounds on idle connections.
Beyond them, because this server writes:

- a request that changes anything (every POST) must come from the page
  itself: an `Origin` naming the server as the Host does, and a JSON body
  (a cross-site form cannot send one without a preflight it would fail);
- a body is read up to MAX_BODY bytes and no further (413);
- a routine is checked by the routine-file loader (compose.py), and a bad one
  is a 400 whose JSON carries the loader's message and the field's path
  (`steps[1].hold`) for the page to show beside the field;
- files are written only into the served folder, under names made here from
  the title (compose.file_stem), by atomic renames; only files this server
  wrote are served back;
- with --lan (every interface), a secret token made at start is carried in
  the compose URL the banner prints (`?token=...`), and every request but the
  page's static files must carry it (the page sends it as X-Studio-Token; an
  MP3 or download link as `?token=`): a neighbour who finds the port cannot
  read or write.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from voiceguide.atomic import write_text_atomic
from voiceguide.errors import InputError, VoiceguideError
from voiceguide.serve.app import SecurityHeaders, file_response, listen, media_type, not_found, qr_svg
from voiceguide.serve.connlimits import HEADER_TIMEOUT, PER_ADDRESS, Limits, limited_protocol
from voiceguide.serve.filesend import open_regular
from voiceguide.serve.hosts import HostCheck, host_of
from voiceguide.sound.engines import Engine, make_engine
from voiceguide.studio import compose, plans
from voiceguide.studio.jobs import Builds, Busy, JobProgress
from voiceguide.words.catalog import Catalog, load_catalog
from voiceguide.words.routine import Routine
from voiceguide.words.routinefile import MAX_BYTES

DEFAULT_PORT = 8766  # beside serve's 8765
LOOPBACK = "127.0.0.1"
PREFIX = "_studio"  # the page's own URLs
WEB = Path(__file__).with_name("web")
ASSETS = {"studio.js": "text/javascript", "studio.css": "text/css", "icon.svg": "image/svg+xml"}
MAX_BODY = MAX_BYTES + 4096  # a routine file's limit, and room for the JSON around it
GRACE_SECONDS = 1
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - only with --lan, which warns and needs the token
TOKEN_HEADER = "x-studio-token"
ENGINES_KEPT = 3  # speech engines kept, one per speaking rate asked for lately
OPEN_PATHS = frozenset({"/", *(f"/{PREFIX}/{name}" for name in ASSETS)})  # the page itself, no data in it


class Refused(Exception):
    """A request refused before it reached a route: status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def error_response(message: str, status: int = 400, field: str | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "field": field}, status_code=status)


class Studio:
    """The folder the studio writes into, the catalog, and the builds."""

    def __init__(self, folder: Path, engine: Callable[[int | None], Engine], catalog: Catalog | None = None) -> None:
        self.folder = folder
        self.catalog = catalog or load_catalog()
        self.builds = Builds(folder, engine)

    # -- requests

    async def body(self, request: Request) -> Any:
        """The request's JSON, from the page only, at most MAX_BODY bytes."""
        host = request.headers.get("host")
        origin = request.headers.get("origin")
        if origin is None or host is None or origin != f"http://{host}" or host_of(host) is None:
            raise Refused(403, "refused: changes are accepted only from the studio's own page (Origin)")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise Refused(415, "refused: send JSON (Content-Type: application/json)")
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
            raise Refused(413, f"refused: a request is at most {MAX_BODY // 1024} KiB")
        data = bytearray()
        async for chunk in request.stream():
            data += chunk
            if len(data) > MAX_BODY:
                raise Refused(413, f"refused: a request is at most {MAX_BODY // 1024} KiB")
        try:
            return json.loads(data)
        except (ValueError, RecursionError):
            raise Refused(400, "refused: the body is not valid JSON") from None

    async def routine_data(self, request: Request) -> tuple[dict[str, Any], compose.Sound]:
        """The routine's table, and the sound settings (`sound`: rate, music) sent with it."""
        payload = await self.body(request)
        data = payload.get("routine") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            raise Refused(400, 'refused: send {"routine": {...}}, the table a routine file holds')
        return data, compose.sound_of(payload.get("sound"))

    # -- routes

    async def page(self, request: Request) -> Response:
        found = await anyio.to_thread.run_sync(open_regular, WEB / "index.html")
        if found is None:
            return PlainTextResponse("The page is missing from this voiceguide install.", status_code=500)
        return file_response(request, found, "text/html", {"referrer-policy": "no-referrer"})

    async def asset(self, request: Request) -> Response:
        name = request.path_params["asset"]
        found = await anyio.to_thread.run_sync(open_regular, WEB / name) if name in ASSETS else None
        return file_response(request, found, ASSETS[name]) if found else not_found()

    async def catalog_json(self, request: Request) -> Response:
        data = compose.catalog_data(self.catalog)
        return JSONResponse({**data, "folder": self.folder.name}, headers={"cache-control": "no-cache"})

    async def preview(self, request: Request) -> Response:
        data, sound = await self.routine_data(request)
        routine = compose.routine_of(data, self.catalog)

        def run() -> compose.Preview:
            with self.builds.speaking:
                return compose.preview(routine, self.builds.engine(sound.rate))

        result = await anyio.to_thread.run_sync(run)
        stem = compose.file_stem(routine.title)
        return JSONResponse({**result.as_json(), "file": f"{stem}.toml"})

    async def save(self, request: Request) -> Response:
        data, _ = await self.routine_data(request)
        name = await self._save(data, compose.routine_of(data, self.catalog))
        return JSONResponse({"file": name, "message": f"Saved {name} in {self.folder.name}/"})

    async def _save(self, data: dict[str, Any], routine: Routine) -> str:
        """Write the routine file the table makes (checked already), named after its title; its name."""
        name = compose.file_stem(routine.title) + ".toml"
        text = compose.toml_text(data, name)
        await anyio.to_thread.run_sync(write_text_atomic, self.folder / name, text, False)
        self.builds.written.add(name)
        return name

    async def open_file(self, request: Request) -> Response:
        payload = await self.body(request)
        if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
            raise Refused(400, 'refused: send {"name": "FILE.toml", "text": "..."}')
        name = payload.get("name") if isinstance(payload.get("name"), str) else "routine.toml"
        name = Path(str(name)).name[:120] or "routine.toml"
        text = payload["text"].encode("utf-8", "surrogatepass")
        data = compose.open_text(text, name, self.catalog)
        return JSONResponse({"routine": data})

    # -- programs (plans.py)

    async def program_choices(self, request: Request) -> Response:
        data = await anyio.to_thread.run_sync(plans.choices, self.folder)
        return JSONResponse(data, headers={"cache-control": "no-store"})

    async def program_data(self, request: Request) -> tuple[dict[str, Any], Any]:
        payload = await self.body(request)
        data = payload.get("program") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            raise Refused(400, 'refused: send {"program": {...}}, the table a program file holds')
        program = await anyio.to_thread.run_sync(plans.program_of, data, self.folder)
        return data, program

    async def program_plan(self, request: Request) -> Response:
        payload = await self.body(request)
        if not isinstance(payload, dict) or not isinstance(payload.get("program"), dict):
            raise Refused(400, 'refused: send {"program": {...}, "start": "YYYY-MM-DD", "at": "HH:MM"}')
        program = await anyio.to_thread.run_sync(plans.program_of, payload["program"], self.folder)
        start, _ = plans.when(payload.get("start"), payload.get("at"))

        def run() -> str:
            with self.builds.speaking:
                return plans.plan_preview(program, start, self.builds.engine(None))

        text = await anyio.to_thread.run_sync(run)
        return JSONResponse({"plan": text, "file": plans.file_name(program)})

    async def program_save(self, request: Request) -> Response:
        data, program = await self.program_data(request)
        name = await self._save_program(data, program)
        return JSONResponse({"file": name, "message": f"Saved {name} in {self.folder.name}/"})

    async def _save_program(self, data: dict[str, Any], program: Any) -> str:
        name = plans.file_name(program)
        await anyio.to_thread.run_sync(write_text_atomic, self.folder / name, plans.toml_text(data, name), False)
        self.builds.written.add(name)
        return name

    async def program_render(self, request: Request) -> Response:
        payload = await self.body(request)
        if not isinstance(payload, dict) or not isinstance(payload.get("program"), dict):
            raise Refused(400, 'refused: send {"program": {...}, "start": "YYYY-MM-DD", "at": "HH:MM"}')
        data = payload["program"]
        program = await anyio.to_thread.run_sync(plans.program_of, data, self.folder)
        start, at = plans.when(payload.get("start"), payload.get("at"))
        base_url = plans.base_url_of(payload.get("base_url"))
        name = await self._save_program(data, program)
        out = self.folder / compose.file_stem(program.title)

        def work(progress: JobProgress) -> tuple[str, list[str]]:
            with self.builds.speaking:
                engine = self.builds.engine(None)
                return plans.render(self.folder / name, out, engine, (start, at, base_url), progress)

        stopped = f"Cancelled: {out.name}/ keeps the days rendered before, listed in its feed; render again to finish."
        job = self.builds.start(work, out.name, stopped)
        return JSONResponse(job.as_json(), status_code=202)

    async def program_feed(self, request: Request) -> Response:
        """A rendered program's feed for its handout: JSON, or with .svg its QR code."""
        stem, kind = request.path_params["stem"], request.path_params["kind"]
        svg, folder, found = kind == "svg", self.folder / stem, None
        if kind in ("svg", "json") and stem == compose.file_stem(stem) and stem + plans.SUFFIX in self.builds.written:
            found = await anyio.to_thread.run_sync(plans.feed_of, folder)
        if found is None:
            return not_found()
        if not svg:
            return JSONResponse(found, headers={"cache-control": "no-store"})
        if not found["reachable"]:
            return not_found()
        return Response(
            qr_svg(found["feed"], f"QR code of the feed address {found['feed']}"), media_type="image/svg+xml"
        )

    async def build(self, request: Request) -> Response:
        data, sound = await self.routine_data(request)
        routine = compose.routine_of(data, self.catalog)
        name = await self._save(data, routine)  # the MP3's source, saved beside it
        stem = compose.file_stem(routine.title)
        job = self.builds.start_session(routine, stem, also=(name,), rate=sound.rate, music=sound.music)
        return JSONResponse(job.as_json(), status_code=202)

    async def job(self, request: Request) -> Response:
        number = request.query_params.get("n", "")
        job = self.builds.current(int(number) if number.isdigit() and len(number) < 10 else None)
        return JSONResponse(job.as_json() if job else {"state": "none"}, headers={"cache-control": "no-store"})

    async def cancel(self, request: Request) -> Response:
        payload = await self.body(request)
        number = payload.get("job") if isinstance(payload, dict) else None
        job = self.builds.cancel(number if isinstance(number, int) and not isinstance(number, bool) else None)
        return JSONResponse(job.as_json() if job else {"state": "none"})

    async def file(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.builds.written:
            return not_found()
        opened = await anyio.to_thread.run_sync(open_regular, self.folder / name)
        return file_response(request, opened, media_type(name)) if opened else not_found()


async def refused(request: Request, exc: Exception) -> Response:
    """Refusals and input errors as JSON (`error`, and `field` for the page to mark); never a traceback."""
    if isinstance(exc, Refused):
        return error_response(str(exc), exc.status)
    if isinstance(exc, Busy):
        return error_response(str(exc), 409)
    if isinstance(exc, InputError):
        return error_response(str(exc), 400, exc.field)
    return error_response(str(exc), 500)


class TokenCheck:
    """ASGI middleware: with a token (--lan), 403 for any request but the page's own files that lacks it."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.token and scope["type"] == "http" and scope.get("path") not in OPEN_PATHS:
            request = Request(scope)
            given = request.headers.get(TOKEN_HEADER) or request.query_params.get("token") or ""
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                message = "refused: open the studio from the address it printed (with its token)"
                await error_response(message, 403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(studio: Studio, token: str | None = None, names: set[str] | None = None) -> ASGIApp:
    """The studio's ASGI app: GET for the page, its assets and what it wrote; POST for changes.

    `token`: required of every request but the page's files (--lan); `names`: Host names it answers to
    beyond loopback and the address reached (hosts.py).
    """
    post = ["POST"]
    routes = [
        Route("/", studio.page),
        Route(f"/{PREFIX}/catalog.json", studio.catalog_json),
        Route(f"/{PREFIX}/preview", studio.preview, methods=post),
        Route(f"/{PREFIX}/save", studio.save, methods=post),
        Route(f"/{PREFIX}/open", studio.open_file, methods=post),
        Route(f"/{PREFIX}/build", studio.build, methods=post),
        Route(f"/{PREFIX}/cancel", studio.cancel, methods=post),
        Route(f"/{PREFIX}/job", studio.job),
        Route(f"/{PREFIX}/programs.json", studio.program_choices),
        Route(f"/{PREFIX}/program/plan", studio.program_plan, methods=post),
        Route(f"/{PREFIX}/program/save", studio.program_save, methods=post),
        Route(f"/{PREFIX}/program/render", studio.program_render, methods=post),
        Route(f"/{PREFIX}/feed/{{stem}}.{{kind:str}}", studio.program_feed),
        Route(f"/{PREFIX}/files/{{name}}", studio.file),
        Route(f"/{PREFIX}/{{asset}}", studio.asset),
    ]
    handlers = {Refused: refused, InputError: refused, VoiceguideError: refused}
    app = Starlette(routes=routes, exception_handlers=handlers)

    async def no_more_names() -> list[str]:
        return []

    return SecurityHeaders(HostCheck(TokenCheck(app, token), names or set(), no_more_names))


class StudioServer:
    """The studio on a bound loopback socket; `run` blocks until SIGINT or SIGTERM."""

    def __init__(
        self,
        folder: Path,
        port: int = DEFAULT_PORT,
        engine: str = "auto",
        lan: bool = False,
        names: set[str] | None = None,
        bind: str | None = None,
    ) -> None:
        """`lan`: every interface and a token; `names`: the LAN names it answers to; `bind`: tests' loopback."""
        if not folder.is_dir():
            raise InputError(f"{folder}: is not a folder; give the folder to save routines and sessions in")
        made: dict[int | None, Engine] = {}

        def the_engine(rate: int | None) -> Engine:  # made on first use: the page answers before any voice loads
            if rate not in made:  # called under Builds.speaking: no engine is in use while one is dropped
                made[rate] = make_engine(engine, rate=rate)
                while len(made) > ENGINES_KEPT:
                    del made[next(iter(made))]
            return made[rate]

        self.studio = Studio(folder, the_engine)
        self.token = secrets.token_urlsafe(24) if lan else None
        self.app = create_app(self.studio, self.token, names)
        self.socket = listen(bind or (ALL_INTERFACES if lan else LOOPBACK), port)
        self.port: int = self.socket.getsockname()[1]

    def url_at(self, host: str) -> str:
        """The compose page's address under `host`, with the token when there is one."""
        return f"http://{host}:{self.port}/" + (f"?token={self.token}" if self.token else "")

    @property
    def url(self) -> str:
        return self.url_at(LOOPBACK)

    def run(self) -> None:
        import uvicorn

        config = uvicorn.Config(
            self.app,
            http=limited_protocol(Limits(HEADER_TIMEOUT, PER_ADDRESS)),
            lifespan="off",
            log_level="warning",
            access_log=False,
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=GRACE_SECONDS,
            limit_concurrency=64,
        )
        try:
            uvicorn.Server(config).run(sockets=[self.socket])
        finally:
            self.studio.builds.stop()  # a build stopped by Ctrl-C removes its staged files first
            self.socket.close()

"""The Host names `voiceguide serve` answers to: its own, so a page elsewhere cannot read it (DNS rebinding).

A page on another site can point its own name at 127.0.0.1 (or at this
machine's LAN address) and then read whatever answers there through the
person's browser; the browser still sends that site's name as Host. So a
request is served only when its Host (with or without a port) is:

- a loopback name or address: `localhost`, 127.0.0.0/8, `[::1]`;
- the address the connection reached (with --lan, the LAN address the phone
  used, on whichever interface);
- a name given to the server: with --lan, the addresses and the HOSTNAME.local
  name it prints;
- the host of the program's base URL (`voiceguide program --base-url`, in the
  manifest), for a folder put behind a web server under that name.

Anything else gets 400. Starlette's TrustedHostMiddleware takes a fixed list
and drops everything after the first colon, so `[::1]:8765` and the
connection's own address could not be expressed there.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"localhost"})
_HOST = re.compile(
    r"(?:\[(?P<v6>[0-9A-Fa-f:.]{2,45})\]|(?P<name>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})))(?::(?P<port>\d{1,5}))?"
)
REFUSAL = "Host not accepted: voiceguide serve answers only to this machine's own names and addresses\n"


def host_of(header: str | None) -> str | None:
    """A Host header's host, lowercased, without port, brackets or a final dot; None when malformed."""
    found = _HOST.fullmatch(header or "")
    if found is None or int(found["port"] or 0) > 65535:
        return None
    if found["v6"] is not None:
        try:
            return str(ipaddress.IPv6Address(found["v6"]))
        except ValueError:
            return None
    return found["name"].lower().rstrip(".") or None


def normalized(host: str) -> str:
    """An address in its canonical form ('::0001' -> '::1'), a name lowercased."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return host.lower().rstrip(".")


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_names() -> set[str]:
    """HOSTNAME.local, the name a phone may use for this machine on the LAN (mDNS), whether or not it resolves here."""
    name = socket.gethostname().split(".")[0].lower()
    return {name + ".local"} if name and name != "localhost" else set()


def url_host(url: str) -> str | None:
    """The host of a URL (a program's base URL), normalized; None when there is none."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return normalized(host) if host else None


def names_base(header: str | None, base_url: str) -> bool:
    """Whether a Host header names the base URL's host and port (80 or 443 when not written), as a proxy sends it.

    A folder put behind a web server at https://example.org/stretch/ is reached under that name; its feed keeps
    those URLs (scheme and path), which the client's Host alone cannot say.
    """
    found = _HOST.fullmatch(header or "")
    host = host_of(header)
    try:
        parts = urlsplit(base_url)
        port = parts.port
    except ValueError:
        return False
    if found is None or host is None or not parts.hostname or host != normalized(parts.hostname):
        return False
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return (int(found["port"]) if found["port"] else default) == (port or default)


class HostCheck:
    """ASGI middleware: 400 unless the Host is one of the server's own (see the module's docstring).

    `names` is the fixed set; `more` is awaited only for a Host not already
    accepted, for names that follow the folder (the manifest's base URL).
    """

    def __init__(self, app: ASGIApp, names: Iterable[str], more: Callable[[], Awaitable[Iterable[str]]]) -> None:
        self.app = app
        self.names = names
        self.more = more

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not await self.accepts(scope):
            await PlainTextResponse(REFUSAL, status_code=400)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def accepts(self, scope: Scope) -> bool:
        values = Headers(scope=scope).getlist("host")
        host = host_of(values[0]) if len(values) == 1 else None
        if host is None:
            return False
        server = scope.get("server")
        if is_loopback(host) or (server and host == normalized(str(server[0]))):
            return True
        if host in {normalized(n) for n in self.names}:
            return True
        return host in {normalized(n) for n in await self.more()}

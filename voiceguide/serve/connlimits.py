"""uvicorn's h11 protocol with the two bounds it lacks, so idle connections cannot lock everyone out.

uvicorn counts every open connection against `limit_concurrency` (serve.py
sets 512) and answers 503 past it, yet it has no header timeout: its
keep-alive timer starts only after a response and any byte received cancels
it, so a client that connects and sends nothing (or a byte now and then)
holds its connection for good. Two bounds here:

- a header timeout: the request line and headers must be complete within
  `header_timeout` of the connection opening or of the previous response
  ending, else the connection is closed (a request body still owed after the
  response counts as waiting too: every route is GET, and a body sent a byte
  at a time would otherwise hold the connection for good);
- at most `per_address` open connections from one client address; one more
  gets a 503 and is closed at once.

Written against uvicorn's H11Protocol (connection_made, handle_events,
on_response_complete, connection_lost), which serve.py selects with http=.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0  # a phone sends its headers in one packet; ten seconds covers a slow Wi-Fi
PER_ADDRESS = 64  # a browser opens about 6 connections to a host, a podcast app fewer
_BUSY_TEXT = b"Too many connections from this address; try again shortly.\n"
BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
    b"content-length: " + str(len(_BUSY_TEXT)).encode() + b"\r\n\r\n" + _BUSY_TEXT
)


@dataclass
class Limits:
    """The bounds, and the open connections per client address, shared by one server's connections."""

    header_timeout: float = HEADER_TIMEOUT
    per_address: int = PER_ADDRESS
    open: Counter[str] = field(default_factory=Counter)


def limited_protocol(limits: Limits) -> type[H11Protocol]:
    """An H11Protocol class whose connections keep `limits` (uvicorn builds one per connection)."""

    class Limited(H11Protocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._deadline: asyncio.TimerHandle | None = None
            self._address: str | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            address = self.client[0] if self.client else None
            if address is not None:
                if limits.open[address] >= limits.per_address:
                    transport.write(BUSY)
                    transport.close()
                    return
                limits.open[address] += 1
                self._address = address
            self._watch()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._address is not None:
                limits.open[self._address] -= 1
                if limits.open[self._address] <= 0:
                    del limits.open[self._address]
                self._address = None
            super().connection_lost(exc)

        def handle_events(self) -> None:
            super().handle_events()
            self._watch()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._watch()

        def _watch(self) -> None:
            """The clock runs while only the client can move: from the open, or the last response, to the next headers.

            That is also after a response while the client still owes a request body: no route reads one, so a
            body trickled a byte at a time (their SEND_BODY, our DONE) must not hold the connection for good.
            """
            waiting = self.conn.our_state in (h11.IDLE, h11.DONE) and self.conn.their_state in (h11.IDLE, h11.SEND_BODY)
            if not waiting or self.transport.is_closing():
                self._disarm()
            elif self._deadline is None:  # not re-armed by a byte: a trickle does not buy time
                self._deadline = self.loop.call_later(limits.header_timeout, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                self.transport.close()

    return Limited

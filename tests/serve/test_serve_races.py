"""`voiceguide serve` while the folder changes under it, and against clients that send slowly.

Real servers on loopback (the real command, or voiceguide.serve.app.Server in a
process of its own with a short header timeout), real sockets, files renamed
into place the way `voiceguide program` does it.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time

import pytest
from servekit import limited_server, serving


def exchange(port: int, raw: bytes) -> tuple[bytes, bytes]:
    """(head, body) of one request on its own connection, read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(raw)
        data = b""
        while chunk := s.recv(1 << 20):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


@pytest.mark.slow
def test_a_file_replaced_while_served_is_never_mixed_with_its_old_headers(program, tmp_path):
    """Each response's length, Content-Range and bytes come from one version: a rename mid-request mixes nothing."""
    folder = program.path
    old = (folder / "day-01.mp3").read_bytes()
    new = (folder / "day-02.mp3").read_bytes()[: len(old) // 2]  # another length, other bytes
    offset = len(new) - 1000
    stop = threading.Event()

    def replace() -> None:
        n = 0
        while not stop.is_set():
            (folder / ".day-01.mp3.part").write_bytes(new if n % 2 else old)
            os.replace(folder / ".day-01.mp3.part", folder / "day-01.mp3")  # as atomic.py does
            n += 1
            time.sleep(0.001)

    mixed, answered = [], 0
    with serving(folder) as server:
        replacing = threading.Thread(target=replace)
        replacing.start()
        try:
            deadline = time.monotonic() + 4
            while time.monotonic() < deadline:
                for extra in (f"Range: bytes={offset}-{offset + 99}\r\n", ""):
                    head, body = exchange(
                        server.port,
                        f"GET /day-01.mp3 HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n".encode(),
                    )
                    assert head.startswith((b"HTTP/1.1 200", b"HTTP/1.1 206", b"HTTP/1.1 404")), head
                    if head.startswith(b"HTTP/1.1 404"):
                        continue  # between two renames the manifest's check may find no file: never a wrong one
                    answered += 1
                    total = re.search(rb"content-range: bytes \d+-\d+/(\d+)", head)
                    length = int(re.search(rb"content-length: (\d+)", head).group(1))
                    if total:
                        whole = old if int(total.group(1)) == len(old) else new
                        good = body == whole[offset : offset + 100]
                    else:
                        good = body in (old, new) and length == len(body)
                    if not good:
                        mixed.append(head.split(b"\r\n")[0] + b" " + (total.group(0) if total else b""))
        finally:
            stop.set()
            replacing.join()
            (folder / "day-01.mp3").write_bytes(old)
    assert answered > 50
    assert not mixed, f"{len(mixed)} of {answered} responses mixed two versions: {mixed[:3]}"


TIMEOUT = 1.5  # the header timeout of the limited server


@pytest.mark.slow
@pytest.mark.parametrize(
    ("declared", "drip"),
    [("Content-Length: 100000\r\n", b"x"), ("Transfer-Encoding: chunked\r\n", b"1\r\nx\r\n")],
    ids=["content-length", "chunked"],
)
def test_a_request_body_sent_a_byte_at_a_time_does_not_hold_the_connection(program, declared, drip):
    """The routes answer without reading a body; the client then owes it, and the header timeout runs."""
    with limited_server(program.path, TIMEOUT, 4) as port:
        s = socket.create_connection(("127.0.0.1", port), timeout=0.2)
        try:
            s.sendall(f"GET /calendar.ics HTTP/1.1\r\nHost: localhost\r\n{declared}\r\n".encode())
            opened, received, closed = time.monotonic(), b"", None
            while closed is None and time.monotonic() - opened < TIMEOUT + 6:
                try:
                    chunk = s.recv(65536)
                    received += chunk
                    if not chunk:
                        closed = time.monotonic() - opened
                except TimeoutError:
                    pass
                except ConnectionResetError:
                    closed = time.monotonic() - opened
                if closed is None:
                    try:
                        s.sendall(drip)  # a byte every 0.2 s: more than uvicorn's keep-alive timer lets pass
                    except OSError:
                        closed = time.monotonic() - opened
        finally:
            s.close()
    assert received.startswith(b"HTTP/1.1 200"), received[:80]
    assert closed is not None, f"still open {TIMEOUT + 6} s after the response, the body still dripping"
    assert closed < TIMEOUT + 2

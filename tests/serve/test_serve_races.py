"""`voiceguide serve` while the folder changes under it, and against clients that send slowly.

Real servers on loopback (the real command, or voiceguide.serve.app.Server in a
process of its own with a short header timeout), real sockets, files renamed
into place the way `voiceguide program` does it.
"""

from __future__ import annotations

import datetime
import os
import re
import socket
import threading
import time

import pytest
from servekit import limited_server, make_program, serving

TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def same_day():
    if datetime.date.today() != TODAY:
        pytest.skip("the date changed since the test folders were made (the run crossed midnight)")


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    work = tmp_path_factory.mktemp("races")
    return make_program(work / "gentle", work / "outside", TODAY)


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

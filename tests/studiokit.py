"""The real `voiceguide studio` in a subprocess on a free loopback port, and requests to it as its page sends them."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from servekit import _stop, env


@dataclass
class Studio:
    process: subprocess.Popen[str]
    url: str  # http://127.0.0.1:PORT/
    folder: Path

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body): one request on loopback, headers as given (Host is always sent)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in {"Host": f"127.0.0.1:{self.port}", **(headers or {})}.items():
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def post(self, path: str, payload: Any) -> tuple[int, Any]:
        """A POST as the page makes it (same Origin, JSON); (status, JSON answer)."""
        status, _, body = self.request(
            "POST",
            f"/_studio/{path}",
            json.dumps(payload).encode(),
            {"Origin": f"http://127.0.0.1:{self.port}", "Content-Type": "application/json"},
        )
        return status, json.loads(body)

    def job(self) -> dict[str, Any]:
        return json.loads(self.request("GET", "/_studio/job")[2])

    def wait(self, timeout: float = 120) -> dict[str, Any]:
        """The build's last state once it stops running."""
        deadline = time.monotonic() + timeout
        while (job := self.job())["state"] == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        return job


@contextmanager
def studio_on(folder: Path, cache: Path, timeout: float = 30) -> Iterator[Studio]:
    """`voiceguide studio FOLDER --port 0 --engine pyttsx3`; stopped by SIGTERM when the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "studio", str(folder), "--port", "0", "--engine", "pyttsx3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(cache),
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"Studio: (http://127\.0\.0\.1:\d+/)", line)
    if found is None:
        process.kill()
        raise AssertionError(f"studio did not start: {line}{process.stderr.read() if process.stderr else ''}")
    running = Studio(process, found.group(1), folder)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            running.request("GET", "/_studio/catalog.json")
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield running
    finally:
        _stop(process)

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
    url: str  # http://127.0.0.1:PORT/, and ?token=... for a --lan studio
    folder: Path

    @property
    def port(self) -> int:
        return int(self.url.split("/")[2].rsplit(":", 1)[1])

    @property
    def token(self) -> str | None:
        return self.url.split("?token=", 1)[1] if "?token=" in self.url else None

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
            {"Origin": f"http://127.0.0.1:{self.port}", "Content-Type": "application/json", **self.token_header()},
        )
        return status, json.loads(body)

    def token_header(self) -> dict[str, str]:
        return {"X-Studio-Token": self.token} if self.token else {}

    def job(self) -> dict[str, Any]:
        return json.loads(self.request("GET", "/_studio/job", headers=self.token_header())[2])

    def wait(self, timeout: float = 120) -> dict[str, Any]:
        """The build's last state once it stops running."""
        deadline = time.monotonic() + timeout
        while (job := self.job())["state"] in ("waiting", "running") and time.monotonic() < deadline:
            time.sleep(0.2)
        return job


@contextmanager
def studio_on(folder: Path, cache: Path) -> Iterator[Studio]:
    """`voiceguide studio FOLDER --port 0 --engine pyttsx3`; stopped by SIGTERM when the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "studio", str(folder), "--port", "0", "--engine", "pyttsx3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(cache),
    )  # fmt: skip
    with _started(process, folder) as running:
        yield running


@contextmanager
def _started(process: subprocess.Popen[str], folder: Path, timeout: float = 30) -> Iterator[Studio]:
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"Studio: (http://127\.0\.0\.1:\d+/\S*)", line)
    if found is None:
        process.kill()
        raise AssertionError(f"studio did not start: {line}{process.stderr.read() if process.stderr else ''}")
    running = Studio(process, found.group(1), folder)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            running.request("GET", "/")
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield running
    finally:
        _stop(process)


# The studio as --lan makes it (a token, LAN names), yet bound to loopback only: tests never listen elsewhere.
_LAN_STUDIO = """
import sys
from pathlib import Path
from voiceguide.studio.app import StudioServer

server = StudioServer(Path(sys.argv[1]), port=0, engine="pyttsx3", lan=True, names={"studio.example"}, bind="127.0.0.1")
print("Studio:", server.url, flush=True)
server.run()
"""


@contextmanager
def lan_studio_on(folder: Path, cache: Path) -> Iterator[Studio]:
    """The --lan studio on loopback; its `url` carries the token."""
    process = subprocess.Popen(
        [sys.executable, "-c", _LAN_STUDIO, str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(cache),
    )  # fmt: skip
    with _started(process, folder) as running:
        yield running

#!/usr/bin/env python3
"""Load `voiceguide serve` on loopback and print what it cost: errors, requests/s, memory.

Run by hand, with the Python that has voiceguide installed:

    python scripts/serve_load.py                     # 50 clients x 20 random ranges
    python scripts/serve_load.py --clients 100 --requests 50

Builds two sessions with `voiceguide build --engine none` (chimes only, a few
seconds) into a temporary folder, serves it with the real `voiceguide serve
--port 0` on 127.0.0.1 only, then runs CLIENTS threads at once, each sending
REQUESTS random byte ranges (up to 256 kB) over one keep-alive connection and
checking every byte, then fetching a whole file and hanging up after 4 kB (a
client that leaves mid-file). The server's resident memory is read from
/proc before and after (Linux). tests/serve/test_serve.py runs the same load, bounded.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def rss_mb(pid: int) -> float:
    found = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(found.group(1)) / 1024 if found else float("nan")


def client(
    port: int, files: dict[str, bytes], requests: int, seed: int, errors: list[str], go: threading.Barrier
) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    go.wait()
    try:
        for _ in range(requests):
            name = rng.choice(sorted(files))
            data = files[name]
            first = rng.randrange(len(data))
            last = min(len(data) - 1, first + rng.randrange(1, 256 * 1024))
            conn.request("GET", "/" + name, headers={"Range": f"bytes={first}-{last}"})
            response = conn.getresponse()
            body = response.read()
            if response.status != 206 or body != data[first : last + 1]:
                errors.append(f"{name} {first}-{last}: {response.status}, {len(body)} bytes")
        conn.request("GET", "/" + rng.choice(sorted(files)))
        conn.getresponse().read(4096)
    except OSError as exc:
        errors.append(f"client {seed}: {exc!r}")
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sessions"
        folder.mkdir()
        env = {**os.environ, "VOICEGUIDE_CACHE_DIR": str(Path(tmp) / "cache")}
        for name, only in (("a.mp3", "forward-bend,lunge"), ("b.mp3", "seated-hamstring")):
            subprocess.run(
                [sys.executable, "-m", "voiceguide", "build", "--engine", "none", "--only", only,
                 "-o", str(folder / name)],
                check=True, capture_output=True, env=env,
            )  # fmt: skip
        files = {p.name: p.read_bytes() for p in sorted(folder.glob("*.mp3"))}
        server = subprocess.Popen(
            [sys.executable, "-m", "voiceguide", "serve", str(folder), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        try:
            assert server.stdout is not None
            port = None
            while port is None:
                line = server.stdout.readline()
                if not line:
                    raise SystemExit("serve did not start: " + (server.stderr.read() if server.stderr else ""))
                found = re.search(r"127\.0\.0\.1:(\d+)/", line)
                port = int(found.group(1)) if found else None
            time.sleep(0.5)
            warm: list[str] = []
            client(port, files, 5, 0, warm, threading.Barrier(1))
            before = rss_mb(server.pid)
            errors: list[str] = []
            go = threading.Barrier(args.clients)
            threads = [
                threading.Thread(target=client, args=(port, files, args.requests, n + 1, errors, go))
                for n in range(args.clients)
            ]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - started
            after = rss_mb(server.pid)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
        total = args.clients * args.requests
        sizes = ", ".join(f"{n} {len(d) / 1e6:.1f} MB" for n, d in files.items())
        print(f"files: {sizes}")
        rate = f"{total / elapsed:.0f}/s"
        print(f"{args.clients} clients x {args.requests} ranges = {total} requests in {elapsed:.2f} s ({rate})")
        print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
        print(f"server RSS: {before:.1f} MB before, {after:.1f} MB after (+{after - before:.1f} MB)")
        return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

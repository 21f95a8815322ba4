"""The console entry point: signals are handled before anything heavy is imported.

SIGTERM and Ctrl-C can come at any moment, even while Click is still being
imported; either way the user gets one line and exit status 143 or 130, and
no temporary file is left (every writer cleans up in `finally`). The process
then ends with os._exit, because onnxruntime (Piper) aborts when its worker
threads meet interpreter shutdown.
"""

from __future__ import annotations

import os
import signal
import sys


class Terminated(BaseException):
    """SIGTERM, raised where the program is so every cleanup runs."""


def _on_sigterm(signum, frame):
    raise Terminated()


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        from voiceguide.cli import cli

        cli(prog_name="voiceguide")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:  # before Click took over
        sys.stderr.write("Interrupted: nothing was written.\n")
        code = 130
    except Terminated:
        sys.stderr.write("Terminated: nothing was written.\n")
        code = 143
    if code in (130, 143):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)

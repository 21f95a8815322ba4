"""The console entry point: the one place for signals and the exit status.

SIGTERM and Ctrl-C can come at any moment, even while Click is still being
imported; either way the user gets one line and exit status 143 or 130, and
no temporary file is left (every writer cleans up in `finally`). Every command
(`build`, `serve`, ...) ends here. After an interrupt the process ends with
os._exit, because onnxruntime (Piper) aborts when its worker threads meet
interpreter shutdown.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

from voiceguide.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        from voiceguide.cli.main import run

        code = run(sys.argv[1:])
    except KeyboardInterrupt:  # before the CLI could say what was written: nothing was
        sys.stderr.write("Interrupted: nothing was written.\n")
        code = EXIT_INTERRUPTED
    except Terminated:
        sys.stderr.write("Terminated: nothing was written.\n")
        code = EXIT_TERMINATED
    if code in (EXIT_INTERRUPTED, EXIT_TERMINATED):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)

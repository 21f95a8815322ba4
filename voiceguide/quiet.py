"""Keep stdout clean while chatty libraries run (pyttsx3 prints 'Audio saved to')."""

from __future__ import annotations

import contextlib
import io
import os
import sys


@contextlib.contextmanager
def quiet_stdout():
    """Silence stdout at the Python level and, where possible, at the file-descriptor level."""
    sys.stdout.flush()
    saved = None
    try:
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        saved = None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)

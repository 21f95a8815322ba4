"""Keep stdout clean while chatty libraries run (pyttsx3 prints 'Audio saved to').

Clips are spoken on several threads at once, so the silencing is shared: the
first thread in redirects stdout, the last one out puts it back. (Each thread
saving and restoring on its own could put back another's redirection and
leave stdout silenced for good.)
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_saved_fd: int | None = None
_saved_stdout = None


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence stdout at the Python level and, where possible, at the file-descriptor level."""
    global _depth, _saved_fd, _saved_stdout
    with _lock:
        if _depth == 0:
            sys.stdout.flush()
            _saved_stdout = sys.stdout
            sys.stdout = io.StringIO()
            try:
                _saved_fd = os.dup(1)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.close(devnull)
            except OSError:
                _saved_fd = None
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if _saved_fd is not None:
                    os.dup2(_saved_fd, 1)
                    os.close(_saved_fd)
                    _saved_fd = None
                sys.stdout = _saved_stdout
                _saved_stdout = None

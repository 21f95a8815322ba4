"""Episodes rendered on a Dask distributed cluster: the same tasks as the local worker pool, elsewhere.

`DaskRunner` is a `workers.Runner`: it submits one task per item to the
scheduler at `tcp://HOST:8786` (`dask scheduler`, `dask worker`; docs/batch.md)
and yields each result as it finishes. The tasks are the module-level
functions the local pool runs (episode.write_in_worker, batch's speech step),
so a worker needs voiceguide installed, and the clip cache
(VOICEGUIDE_CACHE_DIR) and the output folder at the same paths as the
coordinator: a shared file system. A worker that dies mid-task leaves only a
hidden temporary file (voiceguide/atomic.py; the next run of that folder
removes it) and the scheduler runs the task again on another worker.

Dask is the optional `[dask]` extra, imported only here and only when used.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any, TypeVar

from voiceguide.errors import EnvironmentFailure, InputError, Terminated

T = TypeVar("T")
R = TypeVar("R")

RETRIES = 3  # a task whose worker died is run again this many times (besides Dask's own allowed-failures)
CONNECT_TIMEOUT = "20s"


class DaskRunner:
    """Tasks on the Dask scheduler at `address` (tcp://HOST:PORT)."""

    def __init__(self, address: str):
        if not address.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")):
            raise InputError(f"--scheduler: {address!r} is not a Dask scheduler address; give tcp://HOST:8786")
        try:
            from distributed import Client
        except ImportError:
            raise EnvironmentFailure(
                '--scheduler needs Dask\'s distributed scheduler: pip install "voiceguide[dask]"'
            ) from None
        try:
            self.client: Any = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except OSError as exc:
            raise EnvironmentFailure(f"--scheduler: cannot reach the Dask scheduler at {address} ({exc})") from None
        self.address = address
        self._futures: set[Any] = set()
        self._stopped = False

    def __enter__(self) -> DaskRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def workers(self) -> int:
        """The workers the scheduler has now (threads, the unit tasks run in)."""
        return int(sum(self.client.nthreads().values())) or 1

    def stop(self) -> None:
        """Cancel every task submitted (Ctrl-C): each `each` under way raises."""
        self._stopped = True
        self.client.cancel(list(self._futures))

    def each(self, function: Callable[[T], R], items: Sequence[T]) -> Generator[tuple[T, R], None, None]:
        from distributed import as_completed

        if self._stopped:
            raise Terminated()
        futures = {self.client.submit(function, item, pure=False, retries=RETRIES): item for item in items}
        self._futures |= set(futures)
        try:
            for future in as_completed(list(futures), loop=self.client.loop):
                yield futures[future], future.result()
        finally:
            self.client.cancel([f for f in futures if not f.done()])
            self._futures -= set(futures)

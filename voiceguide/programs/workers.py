"""One function over many items in worker processes, stoppable at any moment.

`each_in_processes` runs a top-level function over items in spawned worker
processes (nothing is inherited but what each call is given), yielding each
result as it is ready. Ctrl-C and SIGTERM reach only the calling process (the
workers start with SIGINT ignored); it then stops the workers with SIGTERM,
and a worker in the middle of a call unwinds it, so its `finally` blocks
remove their temporary files, then exits.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_busy = False  # in a worker: a call is under way


def cpu_count() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def each_in_processes(
    function: Callable[[T], R], items: Sequence[T], workers: int | None = None
) -> Generator[tuple[T, R], None, None]:
    """(item, function(item)) for every item, in the order they finish; in this process when one worker will do.

    `function` must be importable by name (a module-level function) and the
    items picklable. Close the generator (contextlib.closing) so an exception
    in the caller's loop stops the workers at once.
    """
    count = max(1, min(workers or cpu_count(), len(items)))
    if count == 1:
        for item in items:
            yield item, function(item)
        return
    import multiprocessing

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited through exec: Python then leaves it so
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start)
    try:
        try:
            futures: dict[Future[R], T] = {pool.submit(_call, function, item): item for item in items}
        finally:
            signal.signal(signal.SIGINT, previous)
        waiting = set(futures)
        while waiting:
            finished, waiting = wait(waiting, return_when=FIRST_COMPLETED)
            for future in finished:
                yield futures[future], future.result()
    except BaseException:
        _stop(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the workers now (SIGTERM: each unwinds its call, removing its temporary files)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())  # no public way before Python 3.14
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.join(10)


def _worker_start() -> None:
    from voiceguide.errors import Terminated

    def stop(signum: int, frame: object) -> None:
        if not _busy:
            os._exit(143)  # idle: nothing to clean up
        # Once: the pool sends SIGTERM again to the workers left when one exits, and a second
        # Terminated raised inside the cleanup would leave a temporary file behind.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated()

    signal.signal(signal.SIGTERM, stop)


def _call(function: Callable[[T], R], item: T) -> R:
    """One call in a worker; a worker told to stop exits once the call has unwound."""
    from voiceguide.errors import Terminated

    global _busy
    _busy = True
    try:
        return function(item)
    except Terminated:
        os._exit(143)
    finally:
        _busy = False

"""One function over many items in worker processes, stoppable at any moment.

`each_in_processes` runs a top-level function over items in spawned worker
processes (nothing is inherited but what each call is given), yielding each
result as it is ready. Ctrl-C and SIGTERM reach only the calling process (the
workers start with SIGINT ignored); it then stops the workers with SIGTERM,
and a worker in the middle of a call unwinds it, so its `finally` blocks
remove their temporary files, then exits.

Workers end with the process that started them, however it ends: a worker
left behind by a SIGKILLed `program` would go on renaming episodes into a
folder another run may own by then. On Linux each worker asks the kernel for
SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG), and on every system it
checks that its parent is still the one that started it before it renames a
file into place (atomic.BEFORE_RENAME). A descriptor given as `keep_open` (the
folder lock of voiceguide/folderlock.py) is handed to every worker as it is
spawned and held until the worker exits, so a lock on it outlives the run
exactly as long as any of its workers.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from voiceguide.errors import EnvironmentFailure, Terminated

T = TypeVar("T")
R = TypeVar("R")

_busy = False  # in a worker: a call is under way
_kept: int | None = None  # in a worker: the descriptor it holds for its parent (keep_open)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
RETRIES = 2  # times a WorkerPool starts new workers when one dies, before it gives up
POLL = 0.2  # seconds between checks that a stopped WorkerPool's callers give up


def cpu_count() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def each_in_processes(
    function: Callable[[T], R], items: Sequence[T], workers: int | None = None, keep_open: int | None = None
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
    pool = ProcessPoolExecutor(
        count,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_start,
        initargs=(os.getpid(), _Inherited(keep_open)),
    )
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


class Runner(Protocol):
    """Runs a module-level function over items somewhere (worker processes, a cluster), yielding as they finish.

    `each` may be called from several threads at once; `stop` (from the main
    thread, on Ctrl-C) makes every `each` under way end with an exception soon.
    """

    def each(self, function: Callable[[T], R], items: Sequence[T]) -> Generator[tuple[T, R], None, None]: ...

    def stop(self) -> None: ...


class WorkerPool:
    """Worker processes kept for many calls of `each` (voiceguide batch: every person's episodes, one pool).

    The same workers as `each_in_processes` (spawned, SIGINT ignored, ending with
    their parent, checking it before each rename), started on first use. A call
    that raises in a worker ends that `each` (its other items are cancelled, those
    under way finish) and leaves the pool for the next. A worker that dies (SIGKILL,
    out of memory) breaks the pool: new workers take the items not yet done, up to
    RETRIES times. `stop` (or leaving the `with` block on an exception) ends the
    workers at once, and every `each` under way raises. Calls may come from
    several threads (the batch renders two people at once to keep the pool busy).
    """

    def __init__(self, workers: int | None = None):
        self.count = max(1, workers or cpu_count())
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.stop()
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            pool, self._pool = self._pool, None
        if pool is not None:
            _stop(pool)

    def each(self, function: Callable[[T], R], items: Sequence[T]) -> Generator[tuple[T, R], None, None]:
        if self.count == 1:
            for item in items:
                yield item, function(item)
            return
        left = dict(enumerate(items))
        for _ in range(RETRIES + 1):
            pool = self._started()
            try:
                yield from _each_in(pool, function, left, lambda: self._stopped)
                return
            except BrokenProcessPool:  # a worker died (killed, out of memory): new workers take what is left
                self._discard(pool)
            except Exception:
                raise
            except BaseException:  # Ctrl-C, a closed generator: stop them all
                self.stop()
                raise
        raise EnvironmentFailure(
            f"worker processes died {RETRIES + 1} times in a row (out of memory?); run again with fewer --workers"
        )

    def _started(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._stopped:
                raise Terminated()
            if self._pool is None:
                import multiprocessing

                self._pool = ProcessPoolExecutor(
                    self.count,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_start,
                    initargs=(os.getpid(), _Inherited(None)),
                )
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        """A broken pool, ended (only if it is still the current one: another thread may have replaced it)."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
            else:
                pool = None  # type: ignore[assignment]
        if pool is not None:
            _stop(pool)
        if self._stopped:
            raise Terminated()


def _each_in(
    pool: ProcessPoolExecutor, function: Callable[[T], R], left: dict[int, T], stopped: Callable[[], bool]
) -> Generator[tuple[T, R], None, None]:
    """The items still `left` run in `pool`, each removed from `left` as its result is yielded.

    Once `stopped()`, it raises Terminated within POLL seconds: a pool ended from another thread
    does not always fail the futures under way, and a thread waiting on them forever would hang the exit.
    """
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None  # workers spawn on submit
    try:
        futures: dict[Future[R], int] = {pool.submit(_call, function, item): i for i, item in left.items()}
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    waiting = set(futures)
    try:
        while waiting:
            finished, waiting = wait(waiting, timeout=POLL, return_when=FIRST_COMPLETED)
            if not finished and stopped():
                raise Terminated()
            for future in finished:
                result = future.result()
                yield left.pop(futures[future]), result
    except BrokenProcessPool:
        raise
    except Exception:
        for future in waiting:
            future.cancel()
        wait(waiting)
        raise


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the workers now (SIGTERM: each unwinds its call, removing its temporary files)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())  # no public way before Python 3.14
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.join(10)


class _Inherited:
    """A descriptor of the parent's, passed to a spawned worker (the same open file, so the same flock)."""

    def __init__(self, fd: int | None):
        self.fd = fd

    def __reduce__(self) -> tuple[Any, ...]:
        from multiprocessing.context import get_spawning_popen

        popen: Any = get_spawning_popen()
        if self.fd is None or popen is None or not hasattr(popen, "duplicate_for_child"):
            return (_Inherited, (None,))
        # Pickled while the worker is being spawned: the descriptor joins those the child keeps open.
        return (_Inherited, (popen.duplicate_for_child(self.fd),))


def _worker_start(parent: int, kept: _Inherited) -> None:
    from voiceguide import atomic

    global _kept
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's (a pool started off the main thread too)
    _kept = kept.fd  # held, never closed: the lock on it lasts as long as this worker
    if _kept is not None:
        os.set_inheritable(_kept, False)  # not for ffmpeg
    _die_with(parent)

    def check_parent() -> None:
        if os.getppid() != parent:
            raise Terminated()  # the run is gone: rename nothing more into its folder

    atomic.BEFORE_RENAME.append(check_parent)

    def stop(signum: int, frame: object) -> None:
        if not _busy:
            os._exit(143)  # idle: nothing to clean up
        # Once: the pool sends SIGTERM again to the workers left when one exits, and a second
        # Terminated raised inside the cleanup would leave a temporary file behind.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated()

    signal.signal(signal.SIGTERM, stop)
    if os.getppid() != parent:
        os._exit(143)  # the parent died before the death signal was armed


def _die_with(parent: int) -> None:
    """SIGTERM for this worker when its parent dies (Linux); elsewhere the checks before renames remain."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _call(function: Callable[[T], R], item: T) -> R:
    """One call in a worker; a worker told to stop exits once the call has unwound."""

    global _busy
    _busy = True
    try:
        return function(item)
    except Terminated:
        os._exit(143)
    finally:
        _busy = False

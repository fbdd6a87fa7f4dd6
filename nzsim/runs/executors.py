"""Executors: where a run's chunks are computed.

Any ``concurrent.futures.Executor`` will do: in-process for one worker
(:class:`InlineExecutor`), a process pool with its own start context (:func:`process_pool`), or a
Dask cluster (:func:`dask_executor`, ``distributed.Client(...).get_executor()``). Nothing global
changes: no start-method changes (:func:`start_method_untouched`), no logging set-up.
:func:`map_chunks` maps a function over tasks on a pool and keeps their order (validation and
calibration, which keep results in memory, use it).

Stopping (decision 43): a pool's workers ignore SIGINT and SIGHUP, which a terminal sends to its
whole foreground process group, so that the process that made the pool handles them alone; each
worker ends on its own as soon as that process is gone, even SIGKILLed (:func:`worker_started`).
:func:`stop_pool` ends a pool's workers at once, for a run that is being stopped, and
:func:`stop_forkserver` ends multiprocessing's forkserver, for a program on its way out.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class InlineExecutor(Executor):
    """Runs each submitted call at once, in this process (the one-worker case)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(err)
        return future


@contextlib.contextmanager
def start_method_untouched():
    """Leave ``multiprocessing``'s global start method as it was.

    Starting a process from an explicit context still fixes the global default (CPython
    gh-109263: spawn preparation calls ``get_start_method()``); if it was unset before, unset
    it again, so a caller can still choose one afterwards.
    """
    before = multiprocessing.get_start_method(allow_none=True)
    try:
        yield
    finally:
        if before is None and multiprocessing.get_start_method(allow_none=True) is not None:
            multiprocessing.set_start_method(None, force=True)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool with its own start context (forkserver where available), global state untouched.

    Its workers ignore SIGINT and SIGHUP and end on their own when this process is gone
    (:func:`worker_started`)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    _helpers_started(context)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=worker_started,
                               initargs=(_lifeline(context),))


@contextlib.contextmanager
def _blocked():
    """SIGINT and SIGHUP blocked in this thread while in the block (where the platform has them);
    a signal that comes meanwhile reaches this process as soon as the block ends."""
    if not (hasattr(signal, "pthread_sigmask") and hasattr(signal, "SIGHUP")):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGHUP})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@contextlib.contextmanager
def _terminal_signals_blocked():
    """SIGINT and SIGHUP blocked in this thread while in the block: the threads it starts, and the
    processes they start, keep them blocked (a blocked signal stays blocked across ``exec``), so that
    a terminal's Ctrl+C or hangup, sent to the whole process group, reaches this process alone.
    Multiprocessing's resource tracker is started first (:func:`_helpers_started`): starting it
    would unblock SIGINT."""
    _helpers_started(multiprocessing.get_context("spawn"))
    with _blocked():
        yield


def _helpers_started(context) -> None:
    """Start multiprocessing's resource tracker (and the forkserver) now, if they are not running,
    with SIGINT and SIGHUP blocked: they keep them blocked, and the forkserver's workers are born
    with them blocked, so that a terminal's Ctrl+C or hangup, sent to the whole process group,
    reaches the pool's process alone, even while a worker is still starting. (The tracker itself
    ignores only SIGINT and SIGTERM; killed by SIGHUP, it is started again and complains.) Each is
    started in a block of its own, since starting the tracker unblocks SIGINT."""
    from multiprocessing import forkserver, resource_tracker

    with _blocked():
        resource_tracker.ensure_running()
    if context.get_start_method() == "forkserver":
        with _blocked():
            forkserver.ensure_running()


#: This process's lifeline: the two ends of a pipe that is never written to, whose write end only
#: this process holds, so that the read end, given to every worker of its pools, sees the end of
#: the pipe when, and only when, this process is gone. Made with its first pool; a forked child
#: closes its copies (the lifeline is its parent's) and makes its own.
_LIFELINE: tuple[Any, Any] | None = None
_LIFELINE_LOCK = threading.Lock()

#: The exit status of a worker whose pool's process is gone (nobody is left to read it).
ORPHANED = 1


def _lifeline(context) -> Any:
    """The read end of this process's lifeline, which every worker of its pools is given."""
    global _LIFELINE
    with _LIFELINE_LOCK:
        if _LIFELINE is None:
            _LIFELINE = context.Pipe(duplex=False)
        return _LIFELINE[0]


def _forget_lifeline() -> None:
    global _LIFELINE
    if _LIFELINE is not None:
        for end in _LIFELINE:
            with contextlib.suppress(OSError):
                end.close()
    _LIFELINE = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_lifeline)


def worker_started(lifeline) -> None:
    """A pool worker's initializer: ignore the terminal's SIGINT and SIGHUP (the process that made
    the pool handles them, and ends the workers itself), and end this worker as soon as that
    process is gone, even SIGKILLed: ``lifeline`` then reads the end of its pipe.

    With forkserver a worker's parent is the forkserver, not the pool's process, and the
    forkserver ends only once every worker has closed its copy of the forkserver's own "alive"
    pipe; so neither ``os.getppid()`` nor ``PR_SET_PDEATHSIG`` would see the pool's process go.
    """
    terminal = {getattr(signal, name) for name in ("SIGINT", "SIGHUP") if hasattr(signal, name)}
    for sig in terminal:
        signal.signal(sig, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # ignored now, so no longer blocked (:func:`_helpers_started`):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, terminal)  # what this worker starts gets a plain mask
    threading.Thread(target=_watch, args=(lifeline,), name="nzsim-lifeline", daemon=True).start()


def _watch(lifeline) -> None:
    try:
        while True:
            lifeline.recv_bytes()  # nothing is ever sent: this returns only at the end of the pipe
    except (EOFError, OSError):
        pass
    os._exit(ORPHANED)


def stop_pool(pool: ProcessPoolExecutor, grace: float = 5.0) -> None:
    """Stop ``pool`` at once, for a run being stopped: cancel the chunks not started, end the
    worker processes (SIGTERM, SIGKILL for any left after ``grace`` seconds) without waiting for
    the chunks they run, and wait for them and for the pool's thread. Never blocks for long."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):  # already ended, or closed
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(ValueError, AssertionError):
            process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            if process.exitcode is None:
                process.kill()
                process.join(1.0)
    if manager is not None and manager is not threading.current_thread():
        manager.join(grace)


def stop_forkserver(grace: float = 5.0) -> None:
    """End multiprocessing's forkserver, if this process started one, and wait for it (SIGKILL
    after ``grace`` seconds): for a program on its way out, its pools already stopped. The
    forkserver would end by itself once this process and every worker had ended; this ends it
    before. Reaches into ``multiprocessing.forkserver``'s private state; does nothing if that
    is not as expected."""
    from multiprocessing import forkserver, util

    server = getattr(forkserver, "_forkserver", None)
    lock = getattr(server, "_lock", None)
    if lock is None or not lock.acquire(timeout=grace):
        return
    try:
        pid, alive = getattr(server, "_forkserver_pid", None), getattr(server, "_forkserver_alive_fd", None)
        if pid is None or alive is None:
            return
        os.close(alive)  # the end of its "alive" pipe, once no worker holds a copy, ends it
        server._forkserver_alive_fd = None
        deadline = time.monotonic() + grace
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(pid, os.WNOHANG)[0] == 0:
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.02)
        server._forkserver_pid = None
        address = getattr(server, "_forkserver_address", None)
        if isinstance(address, str) and not util.is_abstract_socket_namespace(address):
            with contextlib.suppress(OSError):
                os.unlink(address)
        server._forkserver_address = None
    finally:
        lock.release()


class SchedulerUnreachable(ConnectionError):
    """The Dask scheduler named on the command line could not be reached."""


@contextlib.contextmanager
def dask_executor(address: str | None = None, workers: int = 2, timeout: float = 10.0):
    """A ``concurrent.futures`` executor on a Dask cluster: the scheduler at ``address``, or a
    local cluster of ``workers`` single-threaded worker processes started (and stopped) here."""
    with start_method_untouched():
        client = None
        try:
            with _terminal_signals_blocked():  # for the local cluster's processes, as for a pool's workers
                client = _dask_client(address, workers, timeout)
            # a signal held while the cluster started is raised here, and the cluster is closed below
            yield client.get_executor()
        finally:
            if client is not None:
                cluster = client.cluster  # None for an external scheduler: that cluster is not ours to stop
                client.close()
                if cluster is not None:
                    cluster.close()


def _dask_client(address: str | None, workers: int, timeout: float):
    from distributed import Client, LocalCluster

    if address:
        try:
            return Client(address, timeout=f"{timeout}s")
        except (OSError, TimeoutError, ValueError) as err:
            raise SchedulerUnreachable(
                f"cannot reach the Dask scheduler at {address} ({err.__class__.__name__}: {err})"
            ) from None
    # CRITICAL, not ERROR: when a local cluster stops, a worker whose heartbeat meets the closed
    # scheduler logs "Failed to communicate with scheduler during heartbeat" with a traceback
    # (dask/distributed#7192), which is noise here. A chunk that fails still reaches the runner
    # as its future's exception, so nothing the user needs is hidden.
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=logging.CRITICAL,
    )
    return Client(cluster)


def map_chunks(fn: Callable[[Any], T], tasks: Sequence[Any], workers: int = 1) -> list[T]:
    """``[fn(task) for task in tasks]``, on a process pool of ``workers`` when there is more than
    one of each (results in the tasks' order; the pool is stopped afterwards)."""
    if workers <= 1 or len(tasks) <= 1:
        return [fn(task) for task in tasks]
    with start_method_untouched():
        pool = process_pool(workers)
        try:
            return list(pool.map(fn, tasks, chunksize=max(1, len(tasks) // (8 * workers))))
        except KeyboardInterrupt:  # Ctrl+C, or a signal the program turned into one: stop at once
            stop_pool(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

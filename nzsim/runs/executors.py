"""Executors: where a run's chunks are computed.

Any ``concurrent.futures.Executor`` will do: in-process for one worker
(:class:`InlineExecutor`), a process pool with its own start context (:func:`process_pool`), or a
Dask cluster (:func:`dask_executor`, ``distributed.Client(...).get_executor()``). Nothing global
changes: no start-method changes (:func:`start_method_untouched`), no logging set-up.
:func:`map_chunks` maps a function over tasks on a pool and keeps their order (validation and
calibration, which keep results in memory, use it).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
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
    """A process pool with its own start context (forkserver where available), global state untouched."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


class SchedulerUnreachable(ConnectionError):
    """The Dask scheduler named on the command line could not be reached."""


@contextlib.contextmanager
def dask_executor(address: str | None = None, workers: int = 2, timeout: float = 10.0):
    """A ``concurrent.futures`` executor on a Dask cluster: the scheduler at ``address``, or a
    local cluster of ``workers`` single-threaded worker processes started (and stopped) here."""
    with start_method_untouched():
        client = _dask_client(address, workers, timeout)
        try:
            yield client.get_executor()
        finally:
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
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

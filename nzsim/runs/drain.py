"""Draining a run's chunks through an executor, writing each as it finishes.

:func:`drain` keeps a bounded window of chunks in flight, collects them in order of submission,
and hands each finished chunk to one writer thread that writes its files, appends it to the
final files and keeps the manifest's list of chunks (decisions 16, 29 and 31).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import runfolder
from .errors import ReplicationFailed
from .manifest import now
from .worker import ChunkTask, run_chunk


@dataclass
class Progress:
    callback: Callable[[int], None] | None = None
    bar: Any = None

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)
        if self.callback is not None:
            self.callback(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def drain(executor: Executor, pending: Sequence[ChunkTask], window: int, folder: Path, manifest: dict, tracker: Progress,
           consolidator: runfolder.Consolidator, done: set[tuple[int, int]], parent_computes: bool = False,
           own_executor: bool = False, identity: Mapping[str, Any] | None = None) -> None:
    """Run the pending chunks, at most ``window`` in flight on ``executor``, writing each as it finishes.

    With ``parent_computes`` this process runs chunks too, one at a time between keeping the
    executor's window full and collecting what it finished (decision 31). Finished chunks are
    handed, as they are collected (the executor's before this process's own), to one writer
    thread, which writes each chunk's files, appends the finished chunks in order to the final
    files (``done``: the chunks finished before, on a resumed run) and keeps the manifest's list of
    chunks. Writing (mostly pyarrow, which releases the GIL) so overlaps the computing: with chunks
    run in this process, the next chunk computes while the last is written. At most one chunk
    waits to be written. Every chunk collected is written before a failure is raised, and on our
    own pool (``own_executor``) the chunks still running are waited for and kept too, since the
    pool's shutdown waits for them anyway. The progress tracker is updated from this thread.
    Each chunk's seal records ``identity`` (the run it belongs to: :func:`nzsim.runs.ensemble.run_identity`).
    """
    in_flight: dict[Future, ChunkTask] = {}
    queue = iter(pending)
    finished_keys = set(done)
    last_manifest = [time.monotonic()]

    def store(task: ChunkTask | None, result: Mapping[str, Any] | None) -> None:
        if task is None:  # chunks a resumed run had: appended while the workers compute
            consolidator.advance(finished_keys)
            return
        entry = {
            "cell": task.cell,
            "chunk": task.chunk,
            "replications": [task.start, task.stop],
            "seconds": round(result["seconds"], 4),
            "worker": result["worker"],
            "finished": now(),
        }
        seal = {"run": dict(identity or {}), **{k: entry[k] for k in ("replications", "seconds", "worker", "finished")}}
        runfolder.write_chunk(folder, task.cell, task.chunk, result["tables"], seal)
        finished_keys.add((task.cell, task.chunk))
        consolidator.advance(finished_keys, {(task.cell, task.chunk): result["tables"]})
        manifest["chunks"].append(entry)
        if time.monotonic() - last_manifest[0] > 1.0:  # the chunk seals, not this list, drive --resume
            runfolder.write_manifest(folder, manifest)
            last_manifest[0] = time.monotonic()

    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nzsim-writer")
    writes: list[Future] = [writer.submit(store, None, None)]

    def written() -> None:
        """Wait for the writes handed over so far; a write's error is raised here."""
        while writes:
            writes.pop(0).result()

    def hand_over(task: ChunkTask, result: Mapping[str, Any]) -> None:
        written()  # the last chunk is on disk before this one is handed over
        writes.append(writer.submit(store, task, result))
        tracker.update(task.stop - task.start)

    def collect(finished: set[Future]) -> BaseException | None:
        """Hand over the finished chunks, in submission order; the first failure among them."""
        failure = None
        for future in [f for f in in_flight if f in finished]:
            task = in_flight.pop(future)
            try:
                result = future.result()
            except (ReplicationFailed, BrokenExecutor) as err:
                failure = failure or err
                continue
            hand_over(task, result)
        return failure

    def fail(failure: BaseException) -> None:
        """Keep what can be kept, then raise ``failure`` (a write error is chained to it, not raised)."""
        try:
            if own_executor:  # chunks already running on our pool finish whatever we do: keep them
                for future in in_flight:
                    future.cancel()
                collect(set(wait([f for f in in_flight if not f.cancelled()]).done))
            written()
        except Exception as err:  # noqa: BLE001 - the failure is what the caller must see
            raise failure from err
        raise failure

    try:
        while True:
            while len(in_flight) < window:
                task = next(queue, None)
                if task is None:
                    break
                in_flight[executor.submit(run_chunk, task)] = task
            task = next(queue, None) if parent_computes else None
            if task is not None:  # this process's own chunk, while the executor works through its window
                try:
                    result = run_chunk(task)
                except ReplicationFailed as err:
                    fail(collect({f for f in in_flight if f.done()}) or err)
                failure = collect({f for f in in_flight if f.done()})
                hand_over(task, result)
            elif not in_flight:
                written()
                return
            else:
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                failure = collect(finished)
            if failure is not None:
                fail(failure)
    finally:
        for future in in_flight:
            future.cancel()
        # The writer stops before anyone else touches the folder, even on a Ctrl+C meanwhile; a stop
        # that comes here is raised once it has (it may be the run's first: nothing else would see it).
        stop: KeyboardInterrupt | None = None
        while True:
            try:
                writer.shutdown(wait=True)
                break
            except KeyboardInterrupt as err:
                stop = stop or err
        if stop is not None:
            raise stop

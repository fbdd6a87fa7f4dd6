"""The run folder's lock: a kernel lock, released by the kernel when its holder dies, however it
dies (docs/decisions.md, decision 36)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .durable import FILE_MODE
from .errors import RunFolderError

LOCK = ".lock"


def _lock(folder: Path, write_pid: bool = True):
    """The folder's kernel lock (``flock`` on Unix, ``LockFileEx`` on Windows, through filelock):
    the kernel releases it when its holder dies, however it dies, so a lock is never stale. The
    holder writes its process id into the file, for the message a second run gets; the file
    stays on release (removing it would let two processes lock two different files of one name)."""
    import filelock

    def own(fd: int) -> None:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)

    return filelock.FileLock(Path(folder) / LOCK, timeout=0, mode=FILE_MODE, preserve_lock_file=True,
                             fallback_to_soft=False, on_acquired=own if write_pid else None)


@contextlib.contextmanager
def locked(folder: Path):
    """Hold the run folder for this process, so two runs never write into one folder.

    Raises :class:`RunFolderError` if another process (or another call in this one) holds it; an
    ``OSError`` if the lock file cannot be opened (a read-only disk).
    """
    import filelock

    lock = _lock(folder)
    try:
        lock.acquire()
    except filelock.Timeout:
        owner = _lock_owner(Path(folder) / LOCK)
        process = f" (process {owner})" if owner is not None else ""
        raise RunFolderError(f"{folder}: in use by another run{process}; wait for it to finish") from None
    try:
        yield
    finally:
        lock.release()


def _holder(folder: Path) -> int | None:
    """The process id holding ``folder``'s lock (-1 if unknown), or None if no process holds it."""
    import filelock

    path = Path(folder) / LOCK
    if not path.exists():
        return None
    lock = _lock(folder, write_pid=False)
    try:
        lock.acquire()
    except filelock.Timeout:
        owner = _lock_owner(path)
        return owner if owner is not None else -1
    except OSError:  # cannot open it (a read-only disk): nobody can be writing there
        return None
    lock.release()
    return None


def _lock_owner(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None

"""Durable writes: a file counts only once it is whole on the disk.

Each write goes to a temporary name in the same folder, is flushed (``fsync``), renamed into place
(atomic: readers see the old file or the new one, never a part) and then its folder is flushed, so a
rename that counts survives a crash of the machine as well as of the process (docs/decisions.md,
decision 36).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator, Mapping

import pyarrow as pa
import pyarrow.ipc
import pyarrow.parquet as pq

#: The suffix of an Arrow IPC file (a run's chunks).
IPC_SUFFIX = ".arrow"

FILE_MODE = 0o644  # results are for reading by others; mkstemp alone would make them private


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename, a new file) to the disk. Windows cannot open a folder,
    and some file systems refuse to flush one (EINVAL): there the rename is as durable as they allow."""
    if os.name == "nt":  # pragma: no cover - not tested here
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush a closed file's bytes to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temporary(path: Path) -> tuple[int, str]:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    return fd, tmp


def _named(err: OSError, path: Path) -> OSError:
    """``err`` naming the file it was met on, for the message the user sees."""
    if err.filename is None:
        with contextlib.suppress(AttributeError, TypeError):
            err.filename = str(path)
    return err


def _commit(tmp: str, path: Path) -> None:
    """Rename a flushed temporary file into place and flush its folder: only then does it count."""
    os.replace(tmp, path)  # atomic: readers see the old file or the new one, never a part
    fsync_folder(path.parent)


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[tuple[int, str]]:
    """A temporary file beside ``path`` (its descriptor and name) to write and flush; renamed into
    place when the block ends, removed if it fails. An ``OSError`` names ``path``."""
    try:
        fd, tmp = _temporary(path)
    except OSError as err:
        raise _named(err, path) from None
    try:
        yield fd, tmp
        _commit(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise _named(err, path)
        raise


def atomic_write_bytes(path: Path, data: bytes | memoryview | pa.Buffer) -> None:
    """Write ``data`` to ``path`` durably: a temporary file in the same folder, flushed, renamed
    into place, and the folder flushed."""
    with _replacing(Path(path)) as (fd, _):
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())


def atomic_write_table(path: Path, table: pa.Table, settings: Mapping[str, Any]) -> None:
    """Write a Parquet file durably with ``settings`` (or, for a ``.arrow`` path, an Arrow IPC file)."""
    path = Path(path)
    if path.suffix == IPC_SUFFIX:
        atomic_write_bytes(path, ipc_bytes(table))
        return
    with _replacing(path) as (fd, tmp):
        os.close(fd)
        pq.write_table(table, tmp, **settings)
        fsync_file(Path(tmp))


def ipc_bytes(table: pa.Table) -> pa.Buffer:
    """A table as the bytes of an Arrow IPC file."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def sha256_of(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()



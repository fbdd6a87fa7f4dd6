"""Run folders: where an ensemble's results live, written durably and read back as frames.

A run folder holds::

    manifest.json          what was run, with what code, seeds, design, timings and status
    outcomes.parquet       one row per replication (index, seed, sampled parameters, outcomes)
    trajectories.parquet   long: replication, week, variable, value
    events.parquet         long: replication, week, date, actor, event, description, the week's numbers
    summary.csv            the summary table the command line prints
    figures/*.png          outcome distributions and fan charts
    chunks/                while a run is going on: one set of Arrow IPC files per finished chunk,
                           and its seal (``seal-c<cell>-<chunk>.json``), written last
    .lock                  the kernel lock a run holds on the folder (left in place when released)

Every file is written to a temporary name, flushed to the disk (``fsync``), renamed into place,
and its folder flushed too, so a rename that counts survives a crash of the machine as well as
of the run. A chunk counts as finished only when its seal is in: the seal records the run it
belongs to (scenario hash, root seed, design, chunk plan, model), the chunk's replications, a
digest of their seeds, and each file's size and SHA-256. A resumed run checks every chunk
against its seal and its seeds (:func:`nzsim.runs.verify.check_chunk`) and recomputes any that fail, naming it;
the seals also let a run folder whose manifest is lost be rebuilt (:func:`recover_manifest`).
While the run goes on, each chunk that is next in order is appended to the three final files
(under temporary names until the last chunk is in), one chunk at a time, so memory stays
bounded whatever the number of replications.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc
import pyarrow.parquet as pq

from .durable import (  # noqa: F401  (re-exported: the run folder's writers are these)
    FILE_MODE, IPC_SUFFIX, atomic_write_bytes, fsync_file, fsync_folder, ipc_bytes, sha256_of,
)
from .durable import _commit
from .durable import atomic_write_table as _write_table
from .errors import RunFolderError  # noqa: F401  (re-exported)
from .folderlock import LOCK, _holder, _lock_owner, locked  # noqa: F401  (re-exported)

if TYPE_CHECKING:  # pandas loads when a frame is asked for: the parent of a run never needs it
    import pandas as pd

#: The run-folder format written. /2 added the chunk plan (``chunk_bounds``): chunk k of a /2 folder
#: need not hold replications k*chunk_size onward, so code that knows only /1 must not resume one.
#: /3 added chunk seals (a chunk counts only with its seal) and the final files' checksums (``files``):
#: code that knows only /2 would take a chunk without its seal for finished. /4 added the numbers
#: of each event (:data:`EVENT_NUMBERS`): code that knows only /3 could not append its chunks to its own.
FORMAT = "nzsim-run/4"
#: The formats read (and resumed): /1 folders have fixed-size chunks; /1 and /2 chunks have no seals
#: (``UNSEALED_FORMATS``); the events of /1 to /3 chunks have no numbers.
READABLE_FORMATS = ("nzsim-run/1", "nzsim-run/2", "nzsim-run/3", FORMAT)
UNSEALED_FORMATS = ("nzsim-run/1", "nzsim-run/2")
#: The numbers each event carries since /4, and their types: China's rung at the start and at the end
#: of the event's week, and Beijing's grievance, the approval and the partners' mean trust in New
#: Zealand at the end of that week, each with its change over the week (:class:`nzsim.model.LogEntry`).
EVENT_NUMBERS = {"rung_before": pa.int8(), "rung_after": pa.int8(), "grievance": pa.float32(),
                 "grievance_change": pa.float32(), "approval": pa.float32(), "approval_change": pa.float32(),
                 "trust": pa.float32(), "trust_change": pa.float32()}
#: The format of a chunk's seal.
SEAL_FORMAT = "nzsim-chunk/1"
#: Parquet settings of the final files: zstd at its fastest level, dictionary encoding only for labels.
PARQUET = {"compression": "zstd", "compression_level": 1, "use_dictionary": ["variable", "actor", "event", "cell"]}
#: The trajectories, most of a run's bytes: their replication and week columns repeat in runs, so they
#: are dictionary-encoded too (stored as runs of dictionary codes, 15% smaller on disk and a quarter
#: less work to write), and only the columns a reader filters on carry min/max statistics.
TRAJECTORIES_PARQUET = {
    **PARQUET,
    "use_dictionary": PARQUET["use_dictionary"] + ["replication", "week"],
    "write_statistics": ["replication", "week", "variable", "cell"],
}
TABLES = ("outcomes", "trajectories", "events")
#: Each final file's settings.
SETTINGS = {"outcomes": PARQUET, "trajectories": TRAJECTORIES_PARQUET, "events": PARQUET}
#: Chunk files live only until the run is consolidated: Arrow IPC files, uncompressed, whose writing
#: is close to a copy (a fiftieth of the instructions of an uncompressed Parquet file, most of them
#: holding the GIL the computing thread needs). Run folders begun before kept Parquet chunks, which
#: are still read when such a run is resumed.
CHUNK_SUFFIX = IPC_SUFFIX
LEGACY_CHUNK_SUFFIX = ".parquet"
MANIFEST = "manifest.json"
#: An exploratory design's experiments (:func:`nzsim.runs.designs.experiments_table`), written when the run starts.
EXPERIMENTS = "experiments.parquet"




#: Rows of trajectories read at a time when a run is summarised in batches (about 20 MB).
TRAJECTORY_BATCH_ROWS = 1 << 20

def atomic_write_table(path: Path, table: pa.Table, settings: Mapping[str, Any] = PARQUET) -> None:
    """Write a Parquet file durably (or, for a ``.arrow`` path, an Arrow IPC file)."""
    _write_table(path, table, settings)


def write_manifest(folder: Path, manifest: Mapping[str, Any]) -> None:
    atomic_write_bytes(folder / MANIFEST, (json.dumps(manifest, indent=2, default=str) + "\n").encode())


def read_manifest(folder: Path) -> dict[str, Any]:
    if not Path(folder).exists():
        raise RunFolderError(f"{folder}: not a run folder (no such folder)")
    if not Path(folder).is_dir():
        raise RunFolderError(f"{folder}: not a run folder (a file, not a folder)")
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise ManifestLost(f"{folder}: not a run folder (no {MANIFEST})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ManifestLost(f"{folder}: {MANIFEST} cannot be read ({err.__class__.__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("format") not in READABLE_FORMATS:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise RunFolderError(f"{folder}: {MANIFEST} is not an nzsim run manifest (format {' or '.join(READABLE_FORMATS)}"
                             + (f"; it says {found!r}, perhaps from a newer nzsim" if isinstance(found, str) else "") + ")")
    return manifest


class ManifestLost(RunFolderError):
    """The manifest is missing or cannot be read (a resume rebuilds it from the chunk seals)."""


def create(folder: Path) -> Path:
    """Make a new, empty run folder; never reuse an existing one."""
    folder = Path(folder)
    if folder.exists():
        raise RunFolderError(
            f"{folder}: already exists; choose a new --out folder (or --resume it if it is an unfinished run)"
        )
    try:
        try:
            (folder / "chunks").mkdir(parents=True)
            fsync_folder(folder)
            fsync_folder(folder.parent)
        except OSError as err:
            raise RunFolderError(f"{folder}: cannot create the run folder ({err.strerror or err})") from None
        probe = folder / ".write-test"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as err:
            raise RunFolderError(f"{folder}: cannot write there ({err.strerror or err})") from None
    except KeyboardInterrupt:  # stopped while making it: the run never began, so nothing is left behind
        _unmade(folder)
        raise
    return folder


def _unmade(folder: Path) -> None:
    """Remove a run folder :func:`create` was making, and only what it made (its parents stay)."""
    with contextlib.suppress(OSError):
        (folder / ".write-test").unlink()
    for empty in (folder / "chunks", folder):
        with contextlib.suppress(OSError):
            empty.rmdir()


# --------------------------------------------------------------------------------------
# Chunks and their seals
# --------------------------------------------------------------------------------------


def chunk_path(folder: Path, table: str, cell: int, index: int, suffix: str = CHUNK_SUFFIX) -> Path:
    return Path(folder) / "chunks" / f"{table}-c{cell:03d}-{index:06d}{suffix}"


def seal_path(folder: Path, cell: int, index: int) -> Path:
    return Path(folder) / "chunks" / f"seal-c{cell:03d}-{index:06d}.json"


def seeds_digest(seeds: Iterable[int] | pa.ChunkedArray | None) -> str | None:
    """The SHA-256 of a chunk's replication seeds, as little-endian 64-bit integers."""
    if seeds is None:
        return None
    values = integers(seeds) if isinstance(seeds, (pa.ChunkedArray, pa.Array)) else np.asarray(list(seeds))
    return hashlib.sha256(values.astype("<i8").tobytes()).hexdigest()


def integers(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """An integer column without nulls as a NumPy array, read from its buffer: pyarrow's own
    ``to_numpy`` imports pandas, which the parent of a run never loads."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if array.null_count or not pa.types.is_integer(array.type):
        raise ValueError(f"expected whole numbers without nulls, got {array.type} with {array.null_count} null(s)")
    dtype = np.dtype(array.type.to_pandas_dtype())
    return np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize)


def write_chunk(folder: Path, cell: int, index: int, tables: Mapping[str, pa.Table],
                record: Mapping[str, Any] | None = None) -> None:
    """Write one finished chunk durably: its three files, then its seal, the mark that it is
    finished. ``record`` (the run it belongs to, its replications, timings) goes into the seal."""
    files = {}
    for name in ("trajectories", "events", "outcomes"):
        path = chunk_path(folder, name, cell, index)
        data = ipc_bytes(tables[name])
        atomic_write_bytes(path, data)
        files[name] = {"name": path.name, "bytes": data.size, "sha256": hashlib.sha256(data).hexdigest()}
    outcomes = tables["outcomes"]
    seal_chunk(folder, cell, index, files, outcomes.column("seed") if "seed" in outcomes.column_names else None,
               record or {})


def seal_chunk(folder: Path, cell: int, index: int, files: Mapping[str, Mapping[str, Any]], seeds,
               record: Mapping[str, Any]) -> None:
    """Write a chunk's seal: what :func:`nzsim.runs.verify.check_chunk` checks it against when the run is resumed."""
    seal = {"format": SEAL_FORMAT, **record, "cell": cell, "chunk": index, "seeds_sha256": seeds_digest(seeds),
            "files": dict(files)}
    atomic_write_bytes(seal_path(folder, cell, index), (json.dumps(seal, indent=1, default=str) + "\n").encode())


def seal_existing(folder: Path, cell: int, index: int, record: Mapping[str, Any]) -> None:
    """Seal a chunk written by an earlier version (no seal) after its content was checked."""
    files = {}
    for name in TABLES:
        path = existing_chunk_file(folder, name, cell, index)
        files[name] = {"name": path.name, "bytes": path.stat().st_size, "sha256": sha256_of(path)}
    seeds = read_chunk(folder, "outcomes", cell, index).column("seed")
    seal_chunk(folder, cell, index, files, seeds, record)


def finished_chunks(folder: Path) -> set[tuple[int, int]]:
    """(cell, chunk index) of every chunk whose seal (written last) is present."""
    return {_key(path) for path in (Path(folder) / "chunks").glob("seal-c*.json")}


def unsealed_chunks(folder: Path) -> set[tuple[int, int]]:
    """(cell, chunk index) of every chunk with an outcomes file: how a folder written before seals
    (format /1 or /2) marked a finished chunk."""
    done = set()
    for suffix in (CHUNK_SUFFIX, LEGACY_CHUNK_SUFFIX):
        done |= {_key(path) for path in (Path(folder) / "chunks").glob(f"outcomes-c*{suffix}")}
    return done


def _key(path: Path) -> tuple[int, int]:
    stem = path.stem.split("-")
    return int(stem[1][1:]), int(stem[2])


def read_seals(folder: Path) -> list[dict[str, Any]]:
    """Every readable seal in ``folder/chunks``, in (cell, chunk) order (damaged ones are left out)."""
    seals = []
    for path in sorted((Path(folder) / "chunks").glob("seal-c*.json")):
        with contextlib.suppress(OSError, UnicodeDecodeError, ValueError):
            seal = json.loads(path.read_bytes())
            if isinstance(seal, dict) and seal.get("format") == SEAL_FORMAT and isinstance(seal.get("run"), dict):
                seals.append(seal)
    return seals


def kept_replications(folder: Path) -> tuple[int, int | None]:
    """The replications in ``folder``'s sealed chunks (what a resume keeps), and the run's in all
    (every cell's; None without a readable manifest). A run whose manifest says ``complete`` keeps
    them all (its chunks and their seals are removed once the final files are written)."""
    kept = 0
    for seal in read_seals(folder):
        with contextlib.suppress(TypeError, ValueError):
            start, stop = seal.get("replications")
            kept += int(stop) - int(start)
    try:
        manifest = read_manifest(folder)
        total = int(manifest["replications"]) * max(1, len(manifest["design"].get("cells") or ()))
    except (RunFolderError, KeyError, TypeError, ValueError, AttributeError):
        return kept, None
    return (total if manifest.get("status") == "complete" else kept), total


def existing_chunk_file(folder: Path, table: str, cell: int, index: int) -> Path:
    path = chunk_path(folder, table, cell, index)
    legacy = chunk_path(folder, table, cell, index, LEGACY_CHUNK_SUFFIX)
    return legacy if not path.exists() and legacy.exists() else path


def read_chunk(folder: Path, table: str, cell: int, index: int) -> pa.Table:
    """One finished chunk's table, whole: from its Arrow IPC file, or the Parquet file a run folder
    begun by an earlier version kept. The Parquet file is read as a single file rather than through
    ``pq.read_table``, whose dataset machinery imports pandas: the parent of a run never loads it."""
    path = existing_chunk_file(folder, table, cell, index)
    if path.suffix == CHUNK_SUFFIX:
        with pa.OSFile(str(path)) as source:
            read = pa.ipc.open_file(source).read_all()
    else:
        with pq.ParquetFile(path) as source:
            read = source.read(use_threads=False)
    return with_event_numbers(read) if table == "events" else read


def with_event_numbers(events: pa.Table) -> pa.Table:
    """A chunk's events with the numbers of :data:`EVENT_NUMBERS`: as they are, or, for a chunk an
    earlier version wrote (format /1 to /3), with them added empty (null) after ``description``,
    so that its rows and this version's go into one file."""
    missing = [name for name in EVENT_NUMBERS if name not in events.column_names]
    if not missing or "description" not in events.column_names:
        return events
    at = events.column_names.index("description") + 1
    for offset, name in enumerate(missing):
        events = events.add_column(at + offset, pa.field(name, EVENT_NUMBERS[name]),
                                   pa.nulls(events.num_rows, EVENT_NUMBERS[name]))
    return events


def relative_name(folder: Path, path: Path) -> str:
    """``path`` as a message names it: relative to the run folder when inside it."""
    return str(path.relative_to(folder)) if path.is_relative_to(folder) else str(path)


def discard_chunk(folder: Path, cell: int, index: int) -> None:
    """Remove a chunk's seal (first: the chunk stops counting) and its files."""
    seal_path(folder, cell, index).unlink(missing_ok=True)
    for table in TABLES:
        for suffix in (CHUNK_SUFFIX, LEGACY_CHUNK_SUFFIX):
            chunk_path(folder, table, cell, index, suffix).unlink(missing_ok=True)


def remove_chunks(folder: Path) -> None:
    """Remove ``chunks/`` and any temporary files, once the final files are in and counted. A kill
    part-way leaves some chunks, which the next resume removes again: removing is idempotent."""
    shutil.rmtree(Path(folder) / "chunks", ignore_errors=True)
    clear_debris(folder)
    fsync_folder(Path(folder))


class Consolidator:
    """Streams finished chunks into the three final Parquet files, in (cell, chunk) order, while
    the run goes on.

    Each chunk is appended as soon as it and every chunk before it are on disk, so when the last
    chunk arrives only the files' footers remain to be written: the parent process, idle while
    workers compute, does the work that a pass at the end would leave for the last moment. The
    files are written under temporary names and renamed into place by :meth:`finish`; a run that
    stops before then leaves only temporary files, which :func:`clear_debris` removes. The
    chunk files stay until :meth:`finish`, so an interrupted run resumes from them.
    """

    def __init__(self, folder: Path, chunks: Iterable[tuple[int, int]]):
        self.folder = Path(folder)
        self.order = sorted(chunks)
        self.next = 0  # position in ``order`` of the first chunk not yet appended
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._tmp: dict[str, Path] = {}

    def advance(self, finished: set[tuple[int, int]], fresh: Mapping[tuple[int, int], Mapping[str, pa.Table]] | None = None) -> None:
        """Append every chunk that is next in order and finished.

        ``fresh`` holds tables already in memory (a chunk just written), read from disk otherwise.
        """
        while self.next < len(self.order) and self.order[self.next] in finished:
            key = self.order[self.next]
            tables = (fresh or {}).get(key)
            for name in TABLES:
                self._append(name, tables[name] if tables is not None else self._read(name, *key))
            self.next += 1

    def _read(self, name: str, cell: int, index: int) -> pa.Table:
        try:
            return read_chunk(self.folder, name, cell, index)
        except (pa.ArrowInvalid, FileNotFoundError) as err:  # checked when the run was resumed: changed since
            path = existing_chunk_file(self.folder, name, cell, index)
            raise RunFolderError(f"{self.folder}: {relative_name(self.folder, path)} cannot be read "
                                 f"({err.__class__.__name__}); resume the run again to recompute it") from None

    def _append(self, name: str, table: pa.Table) -> None:
        writer = self._writers.get(name)
        if writer is None:
            target = self.folder / f"{name}.parquet"
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{target.name}.", suffix=".tmp")
            os.fchmod(fd, FILE_MODE)
            os.close(fd)
            self._tmp[name] = Path(tmp)
            writer = self._writers[name] = pq.ParquetWriter(tmp, table.schema, **SETTINGS[name])
        writer.write_table(table if table.schema.equals(writer.schema) else table.cast(writer.schema))

    def finish(self) -> dict[str, dict[str, Any]]:
        """Close the files, flush them and move them into place (the chunks stay: the caller
        records the files, then removes the chunks). Returns each file's size and SHA-256."""
        if self.next < len(self.order):
            raise RuntimeError(f"{self.folder}: chunk {self.order[self.next]} is not finished; cannot consolidate")
        files = {}
        for name in TABLES:
            self._writers.pop(name).close()
            tmp = self._tmp[name]
            fsync_file(tmp)
            files[f"{name}.parquet"] = {"bytes": tmp.stat().st_size, "sha256": sha256_of(tmp)}
        for name in TABLES:
            _commit(str(self._tmp.pop(name)), self.folder / f"{name}.parquet")
        return files

    def abort(self) -> None:
        """Stop without finishing: close and remove the partial files (the chunks stay)."""
        for writer in self._writers.values():
            with contextlib.suppress(Exception):
                writer.close()
        for tmp in self._tmp.values():
            tmp.unlink(missing_ok=True)
        self._writers.clear()
        self._tmp.clear()


def consolidate(folder: Path, chunks: Iterable[tuple[int, int]]) -> dict[str, dict[str, Any]]:
    """Stream the chunk files, in order, into the three final Parquet files (the chunks stay)."""
    consolidator = Consolidator(folder, chunks)
    try:
        consolidator.advance(set(consolidator.order))
        return consolidator.finish()
    except BaseException:
        consolidator.abort()
        raise


def clear_debris(folder: Path) -> None:
    """Remove temporary files a write killed part-way left behind (chunk files stay)."""
    for pattern in (".*.tmp", "chunks/.*.tmp"):
        for path in Path(folder).glob(pattern):
            path.unlink(missing_ok=True)


def _frame(path: Path, **options) -> pd.DataFrame:
    """A Parquet file as a frame; pandas is imported only here, when a frame is asked for."""
    import pandas as pd

    return pd.read_parquet(path, **options)


@dataclass(frozen=True)
class Run:
    """A finished run folder, read lazily.

    Attributes:
        path: the folder.
        manifest: what ``manifest.json`` says (scenario, seeds, design, versions, timings).
    """

    path: Path
    manifest: Mapping[str, Any]

    @classmethod
    def open(cls, path: str | Path) -> "Run":
        """Open a finished run folder; a clear error for anything else (and how to resume it)."""
        path = Path(path)
        manifest = read_manifest(path)
        status = manifest.get("status", "incomplete")
        if status != "complete":
            owner = _holder(path)
            if owner is not None:
                process = f" (process {owner})" if owner > 0 else ""
                raise RunFolderError(f"{path}: the run is still going{process}; open it when it has finished")
            why = {"running": "it was stopped part-way, its manifest still saying 'running'",
                   "interrupted": "it was interrupted", "failed": "a replication failed"}.get(status, f"status {status!r}")
            scenario = manifest.get("scenario_file") or "SCENARIO"
            raise RunFolderError(
                f"{path}: the run did not finish ({why}); finish it with: nzsim run {scenario} --resume {path} "
                f"(the seed and design come from the run), or in Python: nzsim.run_ensemble({scenario!r}, "
                f"out={str(path)!r}, resume=True)"
            )
        for name in TABLES:
            if not (path / f"{name}.parquet").is_file():
                raise RunFolderError(f"{path}: {name}.parquet is missing, though the manifest says the run is complete "
                                     f"(a file removed or moved since?)")
        return cls(path, manifest)

    def __repr__(self) -> str:
        design = self.manifest.get("design") or {}
        kind = design.get("kind", "?")
        if kind == "nested":
            size = f"nested: {design.get('param_draws')} parameter draws x {design.get('seeds_per_draw')} seeds"
        else:
            size = f"{design.get('replications', '?')} replications"
        cells = design.get("cells") or []
        if len(cells) > 1:
            size += f" x {len(cells)} lever cells"
        name = self.manifest.get("scenario_name", "?")
        return (f"Run({str(self.path)!r}: {name}, {size}, root seed {self.manifest.get('root_seed')}, "
                f"{self.manifest.get('status', '?')})")

    @cached_property
    def outcomes(self) -> pd.DataFrame:
        return _frame(self.path / "outcomes.parquet")

    @cached_property
    def experiments(self) -> pd.DataFrame | None:
        """An exploratory design's experiments, one row per lever cell and experiment (None for
        other designs): the factors' values of each, as its replications' ``param.`` columns hold them."""
        path = self.path / EXPERIMENTS
        return _frame(path) if path.exists() else None

    @property
    def cell_column(self) -> str | None:
        """``"cell"`` for a run of several lever cells (the column that keeps them apart), else None:
        the ``by=`` of its summaries and figures."""
        return "cell" if "cell" in self.outcomes.columns else None

    @property
    def trajectories(self) -> pd.DataFrame:
        """The long trajectories frame (read on each access: it can be large)."""
        return _frame(self.path / "trajectories.parquet")

    def trajectories_of(self, variables: Iterable[str]) -> pd.DataFrame:
        """Only the named variables' rows (reads just those)."""
        return _frame(self.path / "trajectories.parquet", filters=[("variable", "in", list(variables))])

    @property
    def trajectory_columns(self) -> list[str]:
        """The columns of ``trajectories.parquet`` (read from its schema, not its rows)."""
        return list(pq.read_schema(self.path / "trajectories.parquet").names)

    @property
    def trajectory_variables(self) -> list[str]:
        """The variables recorded each week, in the order they are stored (read from the first
        replication's rows, not the whole file: every replication records the same ones)."""
        source = pq.ParquetFile(self.path / "trajectories.parquet")
        batch = next(source.iter_batches(batch_size=4096, columns=["variable"]), None)
        return [] if batch is None else list(dict.fromkeys(batch.column(0).to_pylist()))

    @property
    def replications(self) -> int:
        """How many replications the run holds (the rows of ``outcomes.parquet``, from its metadata)."""
        return pq.ParquetFile(self.path / "outcomes.parquet").metadata.num_rows

    @property
    def trajectory_weeks(self) -> tuple[int, int] | None:
        """The first and last week in ``trajectories.parquet``, from its statistics (not its
        rows); None for a file without rows or without statistics."""
        source = pq.ParquetFile(self.path / "trajectories.parquet")
        column = source.schema_arrow.get_field_index("week")
        first = last = None
        for group in range(source.num_row_groups):
            meta = source.metadata.row_group(group)
            if meta.num_rows == 0:
                continue
            stats = meta.column(column).statistics
            if stats is None or not stats.has_min_max:
                return None
            first = stats.min if first is None else min(first, stats.min)
            last = stats.max if last is None else max(last, stats.max)
        return None if first is None else (int(first), int(last))

    def iter_trajectories(
        self, variables: Iterable[str] | None = None, columns: Iterable[str] | None = None,
        batch_rows: int | None = None, weeks: tuple[int, int] | None = None,
    ) -> Iterator[pd.DataFrame]:
        """The trajectories a batch of at most ``batch_rows`` rows (default
        :data:`TRAJECTORY_BATCH_ROWS`) at a time, only the named variables' rows (and, with
        ``weeks=(first, last)``, only those weeks' rows) and only the named columns (``variable``,
        and with ``weeks`` ``week``, are always read, to filter on). A large run is summarised
        this way without holding its trajectories in memory.

        The file is read one row group at a time (the runner writes one per chunk, at most 100
        replications): pyarrow's own batch iterator reads ahead and held about 140 MB more on a
        20,000-replication run."""
        batch_rows = batch_rows or TRAJECTORY_BATCH_ROWS
        source = pq.ParquetFile(self.path / "trajectories.parquet", pre_buffer=False)
        if columns is None:
            names = None
        else:  # in the file's order
            asked = {"variable", *columns, *(["week"] if weeks is not None else [])}
            names = [c for c in source.schema_arrow.names if c in asked]
        wanted = None if variables is None else pa.array(list(variables), pa.string())
        for group in range(source.num_row_groups):
            table = source.read_row_group(group, columns=names, use_threads=False)
            if wanted is not None:
                table = table.filter(pc.is_in(table.column("variable"), value_set=wanted))
            if weeks is not None:
                week = table.column("week")
                table = table.filter(pc.and_(pc.greater_equal(week, weeks[0]), pc.less_equal(week, weeks[1])))
            for batch in table.to_batches(max_chunksize=batch_rows):
                if batch.num_rows:
                    yield batch.to_pandas()

    @property
    def events(self) -> pd.DataFrame:
        return _frame(self.path / "events.parquet")

    @property
    def scenario(self):
        """The scenario as resolved when the run was made."""
        from ..scenario import from_dict

        return from_dict(self.manifest["scenario"], name=str(self.path / MANIFEST))

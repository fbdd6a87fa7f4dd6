"""Run folders: where an ensemble's results live, written atomically and read back as frames.

A run folder holds::

    manifest.json          what was run, with what code, seeds, design, timings and status
    outcomes.parquet       one row per replication (index, seed, sampled parameters, outcomes)
    trajectories.parquet   long: replication, week, variable, value
    events.parquet         long: replication, week, date, actor, event, description
    summary.csv            the summary table the command line prints
    figures/*.png          outcome distributions and fan charts
    chunks/                while a run is going on: one set of Arrow IPC files per finished chunk

Chunks are written as they finish (write to a temporary name, then rename), so a run killed
part-way keeps every finished chunk and can be resumed. While the run goes on, each chunk that
is next in order is appended to the three final files (under temporary names until the last
chunk is in), one chunk at a time, so memory stays bounded whatever the number of replications.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc
import pyarrow.parquet as pq

if TYPE_CHECKING:  # pandas loads when a frame is asked for: the parent of a run never needs it
    import pandas as pd

#: The run-folder format written. /2 added the chunk plan (``chunk_bounds``): chunk k of a /2 folder
#: need not hold replications k*chunk_size onward, so code that knows only /1 must not resume one.
FORMAT = "nzsim-run/2"
#: The formats read (and resumed): /1 folders have fixed-size chunks.
READABLE_FORMATS = ("nzsim-run/1", FORMAT)
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
CHUNK_SUFFIX = ".arrow"
LEGACY_CHUNK_SUFFIX = ".parquet"
MANIFEST = "manifest.json"


class RunFolderError(ValueError):
    """A run folder cannot be used as asked (exists, unwritable, not a run, a different run)."""


#: Rows of trajectories read at a time when a run is summarised in batches (about 20 MB).
TRAJECTORY_BATCH_ROWS = 1 << 20

FILE_MODE = 0o644  # results are for reading by others; mkstemp alone would make them private


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)  # atomic: readers see the old file or the new one, never a part
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_table(path: Path, table: pa.Table, settings: Mapping[str, Any] = PARQUET) -> None:
    """Write a Parquet file atomically (or, for a ``.arrow`` path, an Arrow IPC file)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, FILE_MODE)
    os.close(fd)
    try:
        if path.suffix == CHUNK_SUFFIX:
            with pa.OSFile(tmp, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        else:
            pq.write_table(table, tmp, **settings)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        raise RunFolderError(f"{folder}: not a run folder (no {MANIFEST})") from None
    except (OSError, json.JSONDecodeError) as err:
        raise RunFolderError(f"{folder}: {MANIFEST} cannot be read ({err.__class__.__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("format") not in READABLE_FORMATS:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise RunFolderError(f"{folder}: {MANIFEST} is not an nzsim run manifest (format {' or '.join(READABLE_FORMATS)}"
                             + (f"; it says {found!r}, perhaps from a newer nzsim" if isinstance(found, str) else "") + ")")
    return manifest


def create(folder: Path) -> Path:
    """Make a new, empty run folder; never reuse an existing one."""
    folder = Path(folder)
    if folder.exists():
        raise RunFolderError(
            f"{folder}: already exists; choose a new --out folder (or --resume it if it is an unfinished run)"
        )
    try:
        (folder / "chunks").mkdir(parents=True)
    except OSError as err:
        raise RunFolderError(f"{folder}: cannot create the run folder ({err.strerror or err})") from None
    probe = folder / ".write-test"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise RunFolderError(f"{folder}: cannot write there ({err.strerror or err})") from None
    return folder


LOCK = ".lock"


@contextlib.contextmanager
def locked(folder: Path):
    """Hold the run folder for this process, so two runs never write into one folder.

    The lock is a file holding the owner's pid, created exclusively. A lock left by a process
    that no longer exists (a run killed with SIGKILL) is stale and is taken over.
    """
    path = Path(folder) / LOCK
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        except FileExistsError:
            owner = _holder(folder)
            if owner is not None and owner != os.getpid():
                raise RunFolderError(f"{folder}: in use by another run (process {owner}); wait for it to finish "
                                     f"({_reused_hint(folder)})") from None
            path.unlink(missing_ok=True)  # stale: its process is gone
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
        break
    else:  # pragma: no cover - another process took the stale lock between our two tries
        raise RunFolderError(f"{folder}: in use by another run; wait for it to finish")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _holder(folder: Path) -> int | None:
    """The process id holding ``folder``'s lock, if that process is alive."""
    owner = _lock_owner(Path(folder) / LOCK)
    return owner if owner is not None and _alive(owner) else None


def _reused_hint(folder: Path) -> str:
    return f"if no run is going, that process id was reused: remove {Path(folder) / LOCK}"


def _lock_owner(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


def chunk_path(folder: Path, table: str, cell: int, index: int, suffix: str = CHUNK_SUFFIX) -> Path:
    return Path(folder) / "chunks" / f"{table}-c{cell:03d}-{index:06d}{suffix}"


def write_chunk(folder: Path, cell: int, index: int, tables: Mapping[str, pa.Table]) -> None:
    """Write one finished chunk: trajectories and events first, outcomes last (its marker)."""
    for name in ("trajectories", "events", "outcomes"):
        atomic_write_table(chunk_path(folder, name, cell, index), tables[name])


def finished_chunks(folder: Path) -> set[tuple[int, int]]:
    """(cell, chunk index) of every chunk whose outcomes file (written last) is present."""
    done = set()
    for suffix in (CHUNK_SUFFIX, LEGACY_CHUNK_SUFFIX):
        for path in (Path(folder) / "chunks").glob(f"outcomes-c*{suffix}"):
            stem = path.stem.split("-")
            done.add((int(stem[1][1:]), int(stem[2])))
    return done


def read_chunk(folder: Path, table: str, cell: int, index: int) -> pa.Table:
    """One finished chunk's table, whole: from its Arrow IPC file, or the Parquet file a run folder
    begun by an earlier version kept. The Parquet file is read as a single file rather than through
    ``pq.read_table``, whose dataset machinery imports pandas: the parent of a run never loads it."""
    path = chunk_path(folder, table, cell, index)
    if path.exists():
        with pa.OSFile(str(path)) as source:
            return pa.ipc.open_file(source).read_all()
    with pq.ParquetFile(chunk_path(folder, table, cell, index, LEGACY_CHUNK_SUFFIX)) as source:
        return source.read(use_threads=False)


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
                self._append(name, tables[name] if tables is not None else read_chunk(self.folder, name, *key))
            self.next += 1

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

    def finish(self) -> None:
        """Close the files and move them into place; then remove the chunks."""
        if self.next < len(self.order):
            raise RuntimeError(f"{self.folder}: chunk {self.order[self.next]} is not finished; cannot consolidate")
        for name in TABLES:
            self._writers.pop(name).close()
            os.replace(self._tmp.pop(name), self.folder / f"{name}.parquet")
        shutil.rmtree(self.folder / "chunks", ignore_errors=True)
        clear_debris(self.folder)

    def abort(self) -> None:
        """Stop without finishing: close and remove the partial files (the chunks stay)."""
        for writer in self._writers.values():
            with contextlib.suppress(Exception):
                writer.close()
        for tmp in self._tmp.values():
            tmp.unlink(missing_ok=True)
        self._writers.clear()
        self._tmp.clear()


def consolidate(folder: Path, chunks: Iterable[tuple[int, int]]) -> None:
    """Stream the chunk files, in order, into the three final Parquet files; then remove the chunks."""
    consolidator = Consolidator(folder, chunks)
    try:
        consolidator.advance(set(consolidator.order))
        consolidator.finish()
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
                raise RunFolderError(f"{path}: the run is still going (process {owner}); open it when it has finished "
                                     f"({_reused_hint(path)})")
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

    def iter_trajectories(
        self, variables: Iterable[str] | None = None, columns: Iterable[str] | None = None,
        batch_rows: int | None = None,
    ) -> Iterator[pd.DataFrame]:
        """The trajectories a batch of at most ``batch_rows`` rows (default
        :data:`TRAJECTORY_BATCH_ROWS`) at a time, only the named variables' rows and only the
        named columns (``variable`` is always read, to filter on). A large run is summarised
        this way without holding its trajectories in memory.

        The file is read one row group at a time (the runner writes one per chunk, at most 100
        replications): pyarrow's own batch iterator reads ahead and held about 140 MB more on a
        20,000-replication run."""
        batch_rows = batch_rows or TRAJECTORY_BATCH_ROWS
        source = pq.ParquetFile(self.path / "trajectories.parquet", pre_buffer=False)
        if columns is None:
            names = None
        else:  # in the file's order
            asked = {"variable", *columns}
            names = [c for c in source.schema_arrow.names if c in asked]
        wanted = None if variables is None else pa.array(list(variables), pa.string())
        for group in range(source.num_row_groups):
            table = source.read_row_group(group, columns=names, use_threads=False)
            if wanted is not None:
                table = table.filter(pc.is_in(table.column("variable"), value_set=wanted))
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

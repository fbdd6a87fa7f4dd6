"""Checks of a run folder's files against what was recorded when they were written: a chunk
against its seal and the seeds its replications must have (:func:`check_chunk`), the final files
against the manifest's checksums (:func:`check_files`). Each returns what is wrong, in words, or
None (docs/runs.md; docs/decisions.md, decision 36)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping

import pyarrow as pa
import pyarrow.parquet as pq

from .runfolder import (
    CHUNK_SUFFIX, SEAL_FORMAT, TABLES, existing_chunk_file, integers, relative_name, read_chunk, seal_path,
    seeds_digest, sha256_of,
)


def check_chunk(folder: Path, cell: int, index: int, run: Mapping[str, Any], replications: tuple[int, int],
                seeds: list[int]) -> str | None:
    """What is wrong with a sealed chunk, naming the file (None if nothing is).

    The seal must be readable, of this run (``run``: scenario hash, root seed, design, chunk plan,
    model and extensions), of this cell, chunk and replications, and record ``seeds``; each file
    must have the size and SHA-256 its seal records; and the outcomes must hold the replications
    and seeds they should (a file copied in from another run with its seal fails there).
    """
    folder = Path(folder)
    seal = seal_path(folder, cell, index)
    name = relative_name(folder, seal)
    try:
        record = json.loads(seal.read_bytes())
    except FileNotFoundError:
        return f"{name} is missing"
    except (OSError, UnicodeDecodeError, ValueError) as err:
        return f"{name} is damaged ({err.__class__.__name__})"
    if not isinstance(record, dict) or record.get("format") != SEAL_FORMAT:
        return f"{name} is not a chunk seal"
    theirs = record.get("run") if isinstance(record.get("run"), dict) else {}
    if theirs != dict(run):
        differ = [k for k in sorted(set(run) | set(theirs)) if theirs.get(k) != run.get(k)]
        shown = "; ".join(f"{k} {_short(theirs.get(k))}, not {_short(run.get(k))}" for k in differ[:2])
        return f"{name} is from another run ({shown})"
    if (record.get("cell"), record.get("chunk"), record.get("replications")) != (cell, index, list(replications)):
        return (f"{name} belongs to another chunk (cell {record.get('cell')}, chunk {record.get('chunk')}, "
                f"replications {record.get('replications')})")
    if record.get("seeds_sha256") != seeds_digest(seeds):
        return f"{name} records other seeds than replications {replications[0]}-{replications[1] - 1} have"
    files = record.get("files") if isinstance(record.get("files"), dict) else {}
    for table in TABLES:
        entry = files.get(table) if isinstance(files.get(table), dict) else {}
        file_name = str(entry.get("name") or f"{table}-c{cell:03d}-{index:06d}{CHUNK_SUFFIX}")
        if Path(file_name).name != file_name:
            return f"{name} names a file outside chunks/ ({_short(file_name)})"
        path = folder / "chunks" / file_name
        if not path.is_file():
            return f"{relative_name(folder, path)} is missing"
        size = path.stat().st_size
        if size != entry.get("bytes"):
            return f"{relative_name(folder, path)} has {size} bytes, not the {entry.get('bytes')} written (truncated or replaced)"
        if sha256_of(path) != entry.get("sha256"):
            return f"{relative_name(folder, path)} is damaged (its SHA-256 is not the one written)"
    return check_content(folder, cell, index, replications, seeds, tables=("outcomes",))


def check_content(folder: Path, cell: int, index: int, replications: tuple[int, int], seeds: list[int],
                  tables: Iterable[str] = TABLES) -> str | None:
    """What is wrong with a chunk's files (read whole), naming the file; None if nothing is: each
    must be readable, the outcomes must hold exactly ``replications`` with ``seeds``, and the
    trajectories and events no other replications."""
    start, stop = replications
    for table in tables:
        path = existing_chunk_file(folder, table, cell, index)
        name = relative_name(Path(folder), path)
        if not path.is_file():
            return f"{name} is missing"
        try:
            data = read_chunk(folder, table, cell, index)
        except (OSError, pa.ArrowException, ValueError) as err:
            return f"{name} cannot be read ({err.__class__.__name__}: {_short(str(err).splitlines()[0] if str(err) else '')})"
        if "replication" not in data.column_names or (table == "outcomes" and "seed" not in data.column_names):
            return f"{name} is not a chunk of this run (columns {_short(', '.join(data.column_names))})"
        try:
            held = integers(data.column("replication"))
            held_seeds = integers(data.column("seed")) if table == "outcomes" else None
        except ValueError as err:
            return f"{name} is not a chunk of this run ({err})"
        if table == "outcomes":
            if held.tolist() != list(range(start, stop)):
                return f"{name} holds other replications than {start}-{stop - 1}"
            if held_seeds.tolist() != list(seeds):
                return f"{name} holds other seeds than replications {start}-{stop - 1} have (from another run?)"
        elif len(held) and (held.min() < start or held.max() >= stop):
            return f"{name} holds other replications than {start}-{stop - 1}"
    return None


def _short(value: Any, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def check_files(folder: Path, files: Mapping[str, Any] | None) -> str | None:
    """What is wrong with a complete run's final files, naming the file (None if nothing is): each
    must be present and, where the manifest records them (``files``), of its size and SHA-256."""
    for table in TABLES:
        path = Path(folder) / f"{table}.parquet"
        if not path.is_file():
            return f"{path.name} is missing"
        entry = (files or {}).get(path.name)
        if not isinstance(entry, dict):
            try:
                pq.read_metadata(path)
            except (OSError, pa.ArrowException, ValueError) as err:
                return f"{path.name} cannot be read ({err.__class__.__name__})"
            continue
        if path.stat().st_size != entry.get("bytes"):
            return f"{path.name} has {path.stat().st_size} bytes, not the {entry.get('bytes')} written"
        if sha256_of(path) != entry.get("sha256"):
            return f"{path.name} is damaged (its SHA-256 is not the one written)"
    return None

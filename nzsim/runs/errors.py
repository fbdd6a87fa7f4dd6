"""What can go wrong in a run, as exceptions that say which replication, seed and folder."""

from __future__ import annotations

from pathlib import Path


class RunFolderError(ValueError):
    """A run folder cannot be used as asked (exists, unwritable, not a run, a different run)."""


class EnsembleError(RuntimeError):
    """A run could not be completed; the chunks already finished are kept in the run folder."""

    def __init__(self, message: str, folder: Path | None = None):
        super().__init__(message)
        self.folder = folder


class ReplicationFailed(RuntimeError):
    """A replication raised. Carries the cell, the replication, its seed and the error."""

    def __init__(self, cell: str, replication: int, seed: int, error: str, details: str = ""):
        super().__init__(cell, replication, seed, error, details)
        self.cell, self.replication, self.seed, self.error, self.details = cell, replication, seed, error, details

    def __str__(self) -> str:
        where = f" of cell {self.cell!r}" if self.cell else ""
        return f"replication {self.replication}{where} (seed {self.seed}) failed: {self.error}"


class ChunkRecomputed(UserWarning):
    """A resumed run found a chunk damaged, foreign, truncated or missing a file (or its manifest
    lost, or a final file damaged), and recomputes or rebuilds it; the message names the file."""

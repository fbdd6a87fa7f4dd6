"""A run's manifest: what was run, with which scenario (and its hash), seeds, design, code
versions and catalogue extensions, chunk by chunk; and the checks that a run may be resumed."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..scenario import Scenario
from ..version import __version__, git_commit, lock_record
from . import runfolder
from .designs import Design
from .runfolder import RunFolderError


#: The model a run builds unless told otherwise, as its manifest names it.
DEFAULT_MODEL = "nzsim.model.model:NZModel"


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def new_manifest(spec: Scenario, scenario_file, root_seed, design, cell_list, chunk_size, executor_name, workers,
                 extensions=(), model=DEFAULT_MODEL) -> dict:
    """The manifest of a new run: what is run, with what code, seeds and design."""
    return {
        "format": runfolder.FORMAT,
        "status": "running",
        "scenario_name": spec.name,
        "scenario_file": str(scenario_file) if scenario_file else None,
        "scenario_sha256": spec.sha256,
        "scenario": spec.dump(),
        "root_seed": root_seed,
        "replications": design.replications,
        "design": {
            **design.as_dict(),
            "seeds": "replication i: SeedSequence(root_seed, spawn_key=(i,)), 63-bit integer seed stored per row",
            "cells": [{"index": c.index, "label": c.label, "levers": dict(c.levers)} for c in cell_list],
        },
        "chunk_size": chunk_size,
        "executor": executor_name,
        "workers": workers,
        "versions": {
            "nzsim": __version__,
            "git_commit": git_commit(),
            "python": platform.python_version(),
            "mesa": importlib.metadata.version("mesa"),
            "numpy": np.__version__,
            "pyarrow": pa.__version__,
            "platform": platform.platform(),
            # the lock file the environment was installed from (scripts/setup.sh), None without one
            "lock": (lock_record() or {}).get("lock"),
            "lock_sha256": (lock_record() or {}).get("sha256"),
        },
        "extensions": list(extensions),
        "model": model,
        "command": sys.argv if sys.argv and sys.argv[0].endswith(("nzsim", "__main__.py")) else None,
        "started": now(),
        "finished": None,
        "chunks": [],
        "resumed": [],
    }


#: Run-folder formats whose replications clipped a normal uncertainty to its range (``nzsim-run/4``
#: truncates it: :func:`nzsim.scenario.sampling.draw`).
CLIPPED_NORMAL_FORMATS = ("nzsim-run/1", "nzsim-run/2", "nzsim-run/3")


def check_resume(manifest: Mapping, spec: Scenario, root_seed: int, design: Design, folder: Path,
                 extensions=(), model=DEFAULT_MODEL) -> None:
    """That the run in ``folder`` can be finished with this scenario, seed, design, catalogue and model
    (a complete run too: resuming it checks its files and finishes its clean-up)."""
    if manifest.get("scenario_sha256") != spec.sha256:
        raise RunFolderError(
            f"{folder}: made from a different scenario (sha256 {str(manifest.get('scenario_sha256'))[:16]}, "
            f"this one is {spec.sha256[:16]}); resume with the scenario file it was started with"
        )
    if manifest.get("root_seed") != root_seed:
        raise RunFolderError(
            f"{folder}: started with --seed {manifest.get('root_seed')}, not {root_seed}; resume with the same seed"
        )
    if manifest.get("status") != "complete" and manifest.get("format") in CLIPPED_NORMAL_FORMATS and any(
            getattr(dist, "dist", None) == "normal" for dist in spec.uncertainties.values()):
        raise RunFolderError(
            f"{folder}: begun by an earlier version, which clipped a normal uncertainty where this one truncates it "
            f"(run-folder format {manifest.get('format')}); its finished chunks cannot be joined by new ones: start "
            f"a new run, or finish it with the version that began it ({manifest.get('versions', {}).get('nzsim')})"
        )
    saved = {k: v for k, v in manifest.get("design", {}).items() if k in type(design).__dataclass_fields__}
    if saved != design.as_dict():
        raise RunFolderError(f"{folder}: started with design {saved}, not {design.as_dict()}; resume with the same options")
    made_with = list(manifest.get("extensions") or [])
    if made_with != list(extensions):
        raise RunFolderError(
            f"{folder}: started with the catalogue extended by {made_with or 'nothing'}, not {list(extensions) or 'nothing'}; "
            f"resume with the same extension modules imported"
        )
    if manifest.get("model", DEFAULT_MODEL) != model:
        raise RunFolderError(f"{folder}: started with the model {manifest.get('model', DEFAULT_MODEL)}, not {model}; "
                             f"resume with the same model_class")

"""What machine a benchmark ran on: shared by the benchmark scripts."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    """``2 x Intel(R) Xeon(R) ...``: CPU count and model."""
    return f"{os.cpu_count()} x {cpu_model()}"


def versions() -> str:
    """``Python 3.13.0, Mesa 3.5.1, NumPy 2.5.5``: what a row's figures depend on."""
    import mesa
    import numpy as np

    return f"Python {platform.python_version()}, Mesa {mesa.__version__}, NumPy {np.__version__}"


def record(path: Path, marker: str, section: str, rows: str) -> None:
    """Put ``rows`` first under ``marker`` in the results file ``path`` (newest first), adding
    ``section`` (which holds the marker) at the end of the file the first time."""
    text = path.read_text()
    if marker not in text:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.replace(marker, marker + rows, 1))
    print(f"\nrecorded in {path}")

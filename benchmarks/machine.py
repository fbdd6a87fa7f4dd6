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

"""The code version that made a result: the package version and, where available, the git commit."""

from __future__ import annotations

import functools
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("nzsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"


@functools.cache
def git_commit() -> str | None:
    """The short commit of the source tree the package runs from (``+dirty`` if modified), or None."""
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=10", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}+dirty" if dirty else commit or None


def code_version() -> str:
    """``"nzsim 0.1.0 (git 1a2b3c4d5e)"`` or without the commit where there is none."""
    commit = git_commit()
    return f"nzsim {__version__}" + (f" (git {commit})" if commit else "")

"""The code version that made a result: the package version, where available the git commit, and the
lock file that the environment was installed from (standard library only: this is the bottom layer)."""

from __future__ import annotations

import functools
import json
import platform
import re
import subprocess
import sys
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


#: The record ``scripts/setup.sh`` writes into the virtual environment (``sys.prefix``) once it has
#: installed the environment from a lock: ``{"lock": "requirements/lock-....txt", "sha256": "..."}``.
LOCK_RECORD = "nzsim-lock.json"


def lock_name() -> str:
    """The lock file, relative to the source tree, for the running Python and platform
    (``requirements/lock-py313-linux-x86_64.txt``): the one ``scripts/setup.sh`` installs from."""
    v = sys.version_info
    return f"requirements/lock-py{v[0]}{v[1]}-{sys.platform}-{platform.machine().lower()}.txt"


@functools.cache
def lock_record() -> dict[str, str] | None:
    """What ``scripts/setup.sh`` recorded of the lock it installed this environment from, or None (no
    record: an installed wheel, an environment made by hand, or the setup's explicit unlocked fallback)."""
    try:
        data = json.loads((Path(sys.prefix) / LOCK_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sha256"), str) \
            or not re.fullmatch(r"[0-9a-f]{64}", data["sha256"]):
        return None
    return {"lock": str(data.get("lock", "")), "sha256": data["sha256"]}


def lock_sha256() -> str | None:
    """The sha256 (hex) of the lock file this environment was installed from, or None when there is none."""
    record = lock_record()
    return record["sha256"] if record else None

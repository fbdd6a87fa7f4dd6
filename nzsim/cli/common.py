"""What every command shares: the one-line user error, exit statuses and option types."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

EXIT_USAGE = 2
EXIT_FAILED = 1


class UsageError(ValueError):
    """A user mistake on the command line: one line on stderr, exit status 2."""


def whole(minimum: int, what: str = ""):
    """An argparse type: a whole number of at least ``minimum``."""
    label = f" ({what})" if what else ""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}{label}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}{label}, got {value}")
        return value

    return parse


def positive(what: str):
    return whole(1, what)


seed = whole(0)


def coverage(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a coverage between 0 and 1 such as 0.95, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a coverage between 0 and 1 such as 0.95, got {value}")
    return value


def new_folder(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``... if it exists (two comparisons in the same second)."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def utc_stamp() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")

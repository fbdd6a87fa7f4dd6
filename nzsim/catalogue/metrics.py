"""Outcome metrics: pure functions from weekly values to one number per replication.

Each takes a replication's weekly values (a sequence, week 0 first) and returns a number or a
flag; given a replications x weeks array instead, it returns one value per replication (NumPy
reduces along the weeks), which is how a chunk's outcomes are computed at once. Each is tested
against a value computed by hand (tests/catalogue/test_metrics.py).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .rungs import COERCION_RUNG


def _number(x):
    """A 0-d NumPy result as a plain Python number or flag; an array (one per replication) as it is."""
    return x.item() if np.ndim(x) == 0 else x


def final(values: Sequence[float]) -> float:
    """The last value (of each row, given a replications x weeks array)."""
    return _number(np.asarray(values, dtype=float)[..., -1])


def peak(values: Sequence[float]) -> float:
    """The largest value."""
    return _number(np.asarray(values, dtype=float).max(axis=-1))


def highest_rung(rungs: Sequence[int]) -> int:
    """The highest rung of China's ladder reached."""
    return _number(np.asarray(rungs).max(axis=-1).astype(np.int64))


def weeks_at_or_above(values: Sequence[float], threshold: float) -> int:
    """How many weeks the value was at least ``threshold``."""
    return _number((np.asarray(values) >= threshold).sum(axis=-1))


def trade_coercion(rungs: Sequence[int]) -> bool:
    """Whether China reached an informal trade restriction or formal coercion."""
    return highest_rung(rungs) >= COERCION_RUNG


def total(values: Sequence[float]) -> float:
    """The sum of weekly values (e.g. NZ$ million lost each week)."""
    return _number(np.asarray(values, dtype=float).sum(axis=-1))


def mean(values: Sequence[float]) -> float:
    """The mean of weekly values."""
    return _number(np.asarray(values, dtype=float).mean(axis=-1))


def first_week(flags: Sequence[bool]):
    """The first index at which ``flags`` is true, or None (for each row, as a list, given a
    replications x weeks array)."""
    flags = np.asarray(flags, dtype=bool)
    if flags.ndim < 2:
        hits = np.flatnonzero(flags)
        return int(hits[0]) if hits.size else None
    first, hit = flags.argmax(axis=-1).tolist(), flags.any(axis=-1).tolist()
    return [int(w) if h else None for w, h in zip(first, hit)]


def mean_where(values: Sequence[float], where: Sequence[bool]):
    """The mean of the weekly values in the weeks where ``where`` is true, or None when it never
    is (for each row, as a list, given replications x weeks arrays)."""
    values = np.asarray(values, dtype=float)
    where = np.asarray(where, dtype=bool)
    weeks = where.sum(axis=-1)
    sums = np.where(where, values, 0.0).sum(axis=-1)
    if values.ndim < 2:
        return float(sums / weeks) if weeks else None
    return [float(s / k) if k else None for s, k in zip(sums.tolist(), weeks.tolist())]

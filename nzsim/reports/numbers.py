"""The one rule for printing a number: three decimals below 100, one decimal with thousands
separators from 100 up (``0.563``, ``3,251.8``); a missing value is ``-``. Every table the
package prints (the run's summary, the story's outcome row, the HTML report, the classroom's
bundles) writes numbers through :func:`number`."""

from __future__ import annotations

import math


def number(value: float | None) -> str:
    """``0.563``, ``3,251.8``; ``-`` for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3f}"


def value(value: object) -> str:
    """Any outcome's value: a number as :func:`number` writes it, yes or no, text as it is."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return number(value)
    return str(value)


def share(value: float | None, digits: int = 1) -> str:
    """A share in per cent (``12.5%``); ``-`` for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}%}"

"""The one rule for printing a number: three decimals below 100, one decimal with thousands
separators from 100 up (``0.563``, ``3,251.8``); a missing value is ``-``. Every table the
package prints (the run's summary, the story's outcome row, the HTML report, the classroom's
bundles) writes numbers through :func:`number`; a comparison's means, probabilities and
differences (and the overview's) go through :func:`comparison_number`, which keeps two
significant figures of a small value and writes shares in per cent."""

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


def comparison_number(value: float, percent: bool, sign: bool = False, points: bool = False) -> str:
    """A number as the comparison prints it; small non-zero values keep two significant figures
    (so a difference is never shown as zero while its interval excludes zero)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    plus = "+" if sign else ""
    if percent:
        value = 100 * value
        text = f"{value:{plus}.1f}" if value == 0 or abs(value) >= 0.1 else f"{value:{plus}.2g}"
        return text + ("pp" if points else "%")
    if abs(value) >= 100:
        return f"{value:{plus},.1f}"
    return f"{value:{plus}.3f}" if value == 0 or abs(value) >= 0.01 else f"{value:{plus}.2g}"

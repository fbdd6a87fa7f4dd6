"""How outcomes and weekly variables are named on a figure or in a table: titles, units, per
cent or not, all read from the catalogue (:mod:`nzsim.catalogue`)."""

from __future__ import annotations

from ..catalogue.outcomes import OUTCOMES, describe
from ..catalogue.outcomes import title as outcome_title  # a plain title for an outcome or a level's chance
from ..catalogue.variables import VARIABLES


def _readable(name: str) -> str:
    return name.replace("_", " ").capitalize()


def outcome_labels(column: str) -> tuple[str, str]:
    """An outcome column's panel title and value-axis label (its name, made readable, if unknown)."""
    outcome = OUTCOMES.get(column)
    if outcome is None:
        return _readable(column), column
    return outcome.title, outcome.unit or column


def variable_labels(name: str) -> tuple[str, str]:
    """A weekly variable's panel title and value-axis label."""
    variable = VARIABLES.get(name)
    if variable is None:
        return _readable(name), name
    return variable.title, variable.unit


def is_percent(name: str) -> bool:
    """Whether an outcome column or weekly variable is a share, read in per cent."""
    if name in OUTCOMES:
        return OUTCOMES[name].percent
    variable = VARIABLES.get(name)
    return bool(variable and variable.percent)


def in_percent(outcome: str, statistic: str) -> bool:
    """Whether an outcome's mean or probability is shown in per cent (its differences in points)."""
    return statistic == "probability" or is_percent(outcome)


def outcome_unit(outcome: str, statistic: str) -> str:
    """What a difference in an outcome's mean or probability is measured in."""
    if in_percent(outcome, statistic):
        return "percentage points"
    label = OUTCOMES[outcome].unit if outcome in OUTCOMES else ""
    return label.split(" (")[0] if label.startswith("NZ$") or label == "weeks" else label or outcome


def is_share(name: str) -> bool:
    """Whether an objective reads as a share: a share itself, a yes/no outcome or a timing one's chance."""
    try:
        asked = describe(name)
    except KeyError:
        return False
    return asked.outcome.percent or asked.yes_no or asked.outcome.kind == "timing"


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def objective_label(name: str, direction: str) -> str:
    """An axis label for an objective: what it is and which way is better."""
    better = "higher is better" if direction == "max" else "lower is better"
    try:
        asked = describe(name)
    except KeyError:
        asked = None
    if asked is not None and (asked.yes_no or asked.outcome.kind == "timing"):
        what = lower_first(outcome_title(name))
    else:
        what = asked.outcome.unit if asked is not None and asked.outcome.unit else name
        what = what if "mean" in what else f"mean {what}"
    return f"{what}; {better}"

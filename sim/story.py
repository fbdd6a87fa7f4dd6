"""The story of one replication: dated events in plain English, then the outcome row.

Told from the event log alone, so the same seed prints the same story, byte for byte.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

from .model import LogEntry
from .replication import Replication
from .scenario import Scenario
from .version import code_version

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(date: dt.date) -> str:
    """``11 Jul 2023`` (locale-independent)."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def event_line(entry: LogEntry) -> str:
    when = f"Week {entry.week}" if entry.week else "Start"
    return f"{when}, {day(entry.date)}: {entry.description}"


def format_value(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3f}"
    return str(value)


def outcome_lines(outcomes: Mapping[str, object]) -> list[str]:
    width = max(len(k) for k in outcomes)
    return [f"  {k:<{width}}  {format_value(v)}" for k, v in outcomes.items()]


def tell(spec: Scenario, rep: Replication, entries: Iterable[LogEntry] | None = None) -> str:
    """The whole story as text (ends with a newline)."""
    ctx = spec.context
    lines = [
        f"{spec.name}: {spec.description.strip().splitlines()[0]}",
        f"scenario sha256 {spec.sha256[:16]}, seed {rep.seed}, {code_version()}",
        f"{spec.horizon_weeks} weeks from {day(spec.start)}; {ctx.governing_bloc.capitalize()}-led government; "
        f"China takes {ctx.china_export_share:.0%} of NZ$ {ctx.goods_exports_nzd_bn:g}bn goods exports; "
        f"{ctx.voters:,} voters.",
    ]
    if rep.sampled:
        drawn = ", ".join(f"{k} = {v:.3g}" for k, v in rep.sampled.items())
        lines.append(f"Parameters drawn for this run: {drawn}.")
    lines.append("")
    told = [e for e in (entries if entries is not None else rep.entries) if not e.quiet]
    if told:
        lines += [event_line(e) for e in told]
    else:
        lines.append("Nothing of note happens.")
    lines += ["", "Outcomes"]
    lines += outcome_lines(rep.outcomes)
    return "\n".join(lines) + "\n"

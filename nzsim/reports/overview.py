"""The overview of several runs or lever cells (:func:`nzsim.analysis.overview`) as a person reads
it: one row per outcome with its title and unit, one column per run, the outcomes that differ
most on top. ``nzsim run`` (for a run with lever cells) and ``nzsim compare`` print it first,
``nzsim report`` shows it first, and notebook 01 displays it; each takes it from here."""

from __future__ import annotations

import math
import re
import textwrap
from typing import Sequence

import pandas as pd

from ..figures import labels
from .numbers import comparison_number

#: How many outcomes the commands show by default (the rest are in the files they write).
TOP = 12
#: A column heading is wrapped onto lines this wide (a lever cell's parts each get a line).
HEADING_WIDTH = 16


def overview_label(outcome: str, title: str, unit: str, statistic: str) -> str:
    """An outcome's row heading: its title, and the scale of its numbers unless they read in per
    cent (``Interoperability at the end (0 = none, 1 = full)``, ``Chance of trade measures``)."""
    if labels.in_percent(outcome, statistic) or not unit:
        return title
    if "(" in unit and unit.endswith(")"):
        scale = unit[unit.index("(") + 1:-1]
    elif unit.split()[0].lower() == title.split()[0].lower():  # "Weeks under trade measures", in weeks
        return title
    else:
        scale = unit
    return f"{title} ({scale})"


def overview_table(frame: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """The overview as text: indexed by each outcome's :func:`overview_label`, one column per
    run (its mean, or its probability in per cent, as ``nzsim compare`` prints them; ``*`` where
    its difference from the baseline is beyond chance), then ``spread`` and, for a comparison,
    ``note``: ``within chance`` where no run's difference from the baseline is beyond chance,
    ``no guide`` where no interval is a guide (too few replications), else empty. ``top`` keeps
    the first rows (those that differ most)."""
    runs = list(frame.attrs.get("runs") or [c for c in frame.columns if c not in _FIXED])
    stars = frame.attrs.get("beyond_chance", {})
    rows = frame if top is None else frame.head(top)
    shown = {}
    for label in runs:
        shown[label] = [
            comparison_number(row[label], labels.in_percent(row["outcome"], row["statistic"]))
            + ("*" if label in stars.get(row["outcome"], ()) else "")
            for _, row in rows.iterrows()
        ]
    shown["spread"] = [spread_text(v) for v in rows["spread"]]
    if "baseline" in frame.attrs:
        shown["note"] = ["no guide" if pd.isna(v) else ("" if v else "within chance") for v in rows["beyond_chance"]]
    index = pd.Index([overview_label(r.outcome, r.title, r.unit, r.statistic) for r in rows.itertuples()],
                     name="outcome")
    return pd.DataFrame(shown, index=index)


_FIXED = ("outcome", "title", "unit", "statistic", "spread", "beyond_chance")


def spread_text(value: float) -> str:
    """A spread as the overview shows it: ``0.41``, ``12``; ``no overlap`` for ``inf``; ``-`` for NaN."""
    if value is None or pd.isna(value):
        return "-"
    if math.isinf(value):
        return "no overlap"
    return f"{value:.2f}" if value < 10 else f"{value:,.0f}"


def overview_intro(frame: pd.DataFrame, what: str = "run") -> str:
    """What the overview's numbers are, in a sentence or two; ``what`` names a column (``run``,
    ``lever cell``)."""
    runs = frame.attrs.get("runs", ())
    count = len(runs)
    text = (f"The outcomes on which the {count} {what}s differ most come first: each {what}'s mean, or its chance "
            f"in %")
    if "baseline" in frame.attrs:
        text += (f"; * its difference from '{frame.attrs['baseline']}' excludes zero "
                 f"({frame.attrs.get('level', 0.95):.0%} bootstrap interval; within chance: no {what}'s does; "
                 f"no guide: too few replications for the intervals to say)")
    text += (f". The last column, spread, is the highest {what}'s value minus the lowest, in standard "
             f"deviations of the replications within a {what} (no overlap: they differ and no {what} varies).")
    same = same_in_every(runs)
    return text + (f" The same in every {what}: {', '.join(same)}." if same else "")


def format_overview(frame: pd.DataFrame, top: int | None = TOP, what: str = "run") -> str:
    """The overview as fixed-width text: a line saying what it shows, the table (its column
    headings wrapped onto several lines; a lever cell's lever names moved to the left, its values
    over its column) and, when rows were left out, how many are shown."""
    table = overview_table(frame, top)
    intro = textwrap.wrap(overview_intro(frame, what), 110)
    runs = [c for c in table.columns if c not in ("spread", "note")]
    keys, heads = _stacked(*headings(runs))
    heads += [["spread"]] + ([[""]] if "note" in table.columns else [])
    starred = {c: table[c].str.endswith("*").any() for c in runs}
    cells = {c: [v if v.endswith("*") or not starred.get(c) else v + " " for v in table[c]] for c in table.columns}
    widths = [max([len(line) for line in head] + [len(v) for v in cells[c]]) for c, head in zip(table.columns, heads)]
    first = max([len(label) for label in table.index] + [len(k) for k in keys] + [len("outcome")])
    depth = max(len(head) for head in heads)
    lines = list(intro) + [""]
    for i in range(depth):
        if keys:
            left = keys[i - (depth - len(keys))] if i >= depth - len(keys) else ""
        else:
            left = "outcome" if i == depth - 1 else ""
        parts = []
        for head, width in zip(heads, widths):
            shift = depth - len(head)  # headings sit on the bottom lines, over the values
            parts.append(f"{head[i - shift] if i >= shift else '':>{width}}")
        lines.append(f"  {left:<{first}}  " + "  ".join(parts).rstrip())
    for r, label in enumerate(table.index):
        values = [f"{cells[c][r]:>{w}}" if c != "note" else f"{cells[c][r]:<{w}}"
                  for c, w in zip(table.columns, widths)]
        lines.append(f"  {label:<{first}}  " + "  ".join(values).rstrip())
    if len(table) < len(frame):
        lines.append(f"{len(table)} of {len(frame)} outcomes shown.")
    return "\n".join(lines) + "\n"


def headings(runs: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Each column's heading as lines, and the names for the left column. Lever cells that share
    their levers (``china_language=strong, attendance=none``) give the lever names (one a line)
    to the left column and keep their values, a line per lever; other labels wrap onto lines of
    :data:`HEADING_WIDTH` and give the left column nothing. A lever whose value is the same in
    every cell gets no line (:func:`same_in_every` names it)."""
    split = _lever_parts(runs)
    if split:
        varying = _varying(split)
        return [split[0][i][0] for i in varying], [[parts[i][2] for i in varying] for parts in split]
    return [], [_wrap(label, HEADING_WIDTH) for label in runs]


def same_in_every(runs: Sequence[str]) -> list[str]:
    """The levers (``attendance=leader``) whose value is the same in all of ``runs``, lever cells
    that share their levers, while others differ; none for other labels."""
    split = _lever_parts(runs)
    if not split:
        return []
    varying = set(_varying(split))
    return [f"{key}={value}" for i, (key, _, value) in enumerate(split[0]) if i not in varying]


def _lever_parts(runs: Sequence[str]) -> list[list[tuple[str, str, str]]]:
    """Each label's ``(lever, "=", value)`` parts, if the labels are lever cells of the same levers
    (two or more of them); else empty."""
    split = [[part.partition("=") for part in label.split(", ")] for label in runs]
    shared = (len(runs) > 1 and all(len(parts) == len(split[0]) for parts in split)
              and all(sep for parts in split for _, sep, _ in parts)
              and all([k for k, _, _ in parts] == [k for k, _, _ in split[0]] for parts in split))
    return split if shared else []


def _varying(split: list[list[tuple[str, str, str]]]) -> list[int]:
    """The positions of the levers whose value differs between cells (all of them, if none does)."""
    varying = [i for i in range(len(split[0])) if len({parts[i][2] for parts in split}) > 1]
    return varying or list(range(len(split[0])))


def _stacked(keys: list[str], heads: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Lever values wrapped onto lines of :data:`HEADING_WIDTH`: each lever's block as tall as
    its longest value, its name on the block's last line (no levers: the headings as they are)."""
    if not keys:
        return keys, heads
    wrapped = [[_wrap(value, HEADING_WIDTH) for value in head] for head in heads]
    tall = [max(len(column[k]) for column in wrapped) for k in range(len(keys))]
    left = [line for key, h in zip(keys, tall) for line in [""] * (h - 1) + [key]]
    return left, [[line for k, h in enumerate(tall) for line in [""] * (h - len(column[k])) + column[k]]
                  for column in wrapped]


def _wrap(text: str, width: int) -> list[str]:
    """``text`` on lines of at most ``width`` characters, broken after a space, ``-``, ``_``, ``=``,
    ``,`` or ``/`` (a part longer than ``width`` keeps its own line); a new line after each `` / ``
    and ``, `` that separate a run from its cell and one lever from the next."""
    lines: list[str] = []
    for piece in text.replace(" / ", " /\n").replace(", ", ",\n").splitlines():
        line = ""
        for token in re.findall(r"[^ \-_=,/]*(?:[ \-_=,/]+|$)", piece):
            if not token:
                continue
            if line and len((line + token).rstrip()) > width:
                lines.append(line.rstrip())
                line = ""
            line += token
        lines.append(line.rstrip())
    return lines or [""]

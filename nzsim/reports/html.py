"""One run as a self-contained HTML page (``nzsim report``): the figures embedded, what was run
(scenario, hash, seed, design, code versions), for a run with lever cells the overview of the
cells (the table ``nzsim run`` prints first), the summary table, the variance split of a nested
design, the story of a typical replication (retold from its seed, and checked against what the
run stored) and the scenario as resolved."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import jinja2
import pandas as pd

from .. import analysis, figures
from ..catalogue import variables as catalogue_variables
from ..runs.experiments import field_value, is_field, with_fields
from ..runs.loop import replicate
from ..runs.runfolder import Run, atomic_write_bytes
from ..scenario import cells, from_dict
from ..version import code_version
from .numbers import number
from .numbers import share
from .overview import TOP, headings, overview_intro, overview_table
from .story import tell


#: Designs whose replications take their parameter values from the design, not from their seed.
DRAWN_BY_DESIGN = ("nested", "lhs", "sobol", "morris", "factorial")


def retell(run: Run, row: pd.Series) -> tuple[str, bool]:
    """The story of one stored replication, run again from its seed (and parameters).

    Returns the story and whether the replication ran again to the outcomes the run stored
    (it does when the code is the version that made the run).
    """
    spec = run.scenario
    cell_index = 0
    if "cell" in row.index and isinstance(row.get("cell"), str):
        labels = [c["label"] for c in run.manifest["design"]["cells"]]
        cell_index = labels.index(row["cell"])
    data = cells(spec)[cell_index].scenario
    params = None
    if run.manifest.get("design", {}).get("kind") in DRAWN_BY_DESIGN:  # the values the design gave it, not its seed
        values = {k[len("param."):]: float(v) for k, v in row.items() if str(k).startswith("param.")}
        fields = {k: v for k, v in values.items() if is_field(k)}
        params = {k: v for k, v in values.items() if k not in fields}
        if fields:  # a scenario field the design varied: the replication's scenario had it set
            data = with_fields(data, {k: int(round(v)) if isinstance(field_value(data, k), int) else v
                                      for k, v in fields.items()})
    spec = from_dict(data, name=str(run.path))
    rep = replicate(spec, seed=int(row["seed"]), params=params)
    same = all(_equal(rep.outcomes[k], row[k]) for k in rep.outcomes if k in row.index)
    return tell(spec, rep), same


def _equal(a: object, b: object) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or pd.isna(b)
    if isinstance(a, float):
        return not pd.isna(b) and math.isclose(a, float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def write_html_report(run: Run, path: str | Path | None = None) -> Path:
    """Write one self-contained HTML page about a run and return its path.

    The page holds the figures (embedded, so the file can be mailed or archived alone), what
    was run (scenario, its hash, seed, design, code versions), for a run with lever cells the
    overview of its cells (:func:`nzsim.analysis.overview`: the cells side by side, the
    :data:`~nzsim.reports.overview.TOP` outcomes on which they differ most), the summary table, the
    variance split of a nested design, the story of a typical replication (retold from its
    seed, with the command that retells it) and the scenario as resolved. Default path:
    ``report.html`` in the run folder.

    The page is the template ``templates/report.html.j2`` rendered by jinja2 with autoescaping:
    every text the run or its scenario brings is escaped there, and no text is marked safe.
    """
    path = Path(path) if path is not None else run.path / "report.html"
    m = run.manifest
    outcomes = run.outcomes
    by = run.cell_column
    summary = analysis.summarise(outcomes, by=by)
    title = f"{m['scenario_name']}: {len(outcomes):,} replications, seed {m['root_seed']}"
    start = dt.date.fromisoformat(str(m["scenario"]["start"]))
    variables = list(catalogue_variables.FAN_CHARTS)
    panels = [  # the trajectories read from the run in batches: memory stays bounded on a large run
        ("Outcome distributions", figures.build_outcome_distributions(outcomes, by=by, title=title)),
        ("Week by week", figures.build_fan_charts(run, variables, start, by=by, title=title)),
        ("China's escalation ladder", figures.build_rung_ladder(run, start, by=by, title=title)),
    ]
    typical = analysis.typical_replication(outcomes if by is None else outcomes[outcomes["cell"] == outcomes["cell"].iloc[0]])
    story, same = retell(run, typical)
    nested = m.get("design", {}).get("kind") == "nested"
    designed = m.get("design", {}).get("kind") in DRAWN_BY_DESIGN
    split = split_png = None
    if nested:
        variances = analysis.variance_split(run)
        split = _rows(variances, {**{c: share for c in ("parameter_share", "chance_share")},
                                  **{c: _sig for c in ("total_variance", "parameter_variance", "chance_variance")},
                                  "seeds_per_draw": lambda v: "-" if pd.isna(v) else f"{v:g}"})
        if (variances["total_variance"] > 0).any():  # the figure needs an outcome that varies
            split_png = _png(figures.build_variance_split(variances, title=title))
    overview = None
    if analysis.cells_to_compare(run):
        glance = analysis.overview(run)
        shown = overview_table(glance, TOP)
        overview = {"intro": overview_intro(glance, "lever cell"), "rows": _overview_rows(shown),
                    "shown": len(shown), "of": len(glance)}
    page = templates().get_template(TEMPLATE).render(
        title=title,
        name=m["scenario_name"],
        lead=[line for line in run.scenario.description.strip().splitlines() if line.strip()],
        facts=_facts(run),
        overview=overview,
        summary=_summary_rows(summary, by),
        split=split,
        split_png=split_png,
        panels=[(heading, _png(fig)) for heading, fig in panels],
        typical={
            "replication": int(typical["replication"]),
            "seed": int(typical["seed"]),
            "cell": str(typical["cell"]) if by else None,
            "matching": typical.attrs.get("matching", "?"),
            "of": typical.attrs.get("of", "?"),
        },
        nested=nested,
        designed=designed,
        scenario_file=m.get("scenario_file") or "SCENARIO",
        same=same,
        story=story,
        scenario_yaml=run.scenario.to_yaml(),
        manifest_json=json.dumps(dict(m), indent=2, default=str),
        written=f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M}",
        code_version=code_version(),
    )
    atomic_write_bytes(path, page.encode("utf-8"))
    return path


@dataclass(frozen=True)
class Rows:
    """A table as text: its column names and its rows of cells, each already formatted (the
    template escapes them). ``heading``, if given, is the table's heading rows instead of the
    column names (the overview's lever names and values, a row per lever)."""

    columns: list[str]
    rows: list[list[str]]
    heading: list[list[str]] | None = None


def _overview_rows(shown: pd.DataFrame) -> Rows:
    """The overview's text as a table: lever cells that share their levers get a heading row per
    lever (its name on the left, each cell's value over its column), so the columns stay narrow."""
    table = _rows(shown.reset_index(), {})
    runs = [c for c in shown.columns if c not in ("spread", "note")]
    keys, heads = headings(runs)
    if not keys:
        return table
    extra = len(shown.columns) - len(runs)
    heading = [[key, *(head[i] for head in heads), *[""] * extra] for i, key in enumerate(keys)]
    heading[-1][len(runs) + 1:] = [c for c in shown.columns if c not in runs]
    return Rows(table.columns, table.rows, heading)


def _facts(run: Run) -> list[tuple[str, str]]:
    m = run.manifest
    versions = m.get("versions", {})
    design = m.get("design", {})
    shape = design.get("kind", "monte_carlo").replace("_", " ")
    if design.get("kind") == "nested":
        shape += f": {design.get('param_draws')} parameter draws x {design.get('seeds_per_draw')} seeds"
    elif design.get("factors"):
        experiments = design["replications"] // design["seeds_per_experiment"]
        shape += (f": {experiments:,} experiments x {design['seeds_per_experiment']} seeds over "
                  f"{len(design['factors'])} factors")
    lever_cells = [c["label"] for c in design.get("cells", []) if c.get("label")]
    rows = [
        ("Replications", f"{len(run.outcomes):,}"),
        ("Root seed", m.get("root_seed")),
        ("Design", shape + (f"; {len(lever_cells)} lever cells" if lever_cells else "")),
        ("Scenario file", m.get("scenario_file") or "-"),
        ("Scenario sha256", m.get("scenario_sha256")),
        ("Code", f"nzsim {versions.get('nzsim')}" + (f" (git {versions['git_commit']})" if versions.get("git_commit") else "")),
        ("Python, Mesa", f"{versions.get('python')}, {versions.get('mesa')}"),
        ("Run", f"{m.get('started')} to {m.get('finished')}"),
        ("Run folder", str(run.path)),
    ]
    return [(k, str(v)) for k, v in rows]


def _summary_rows(summary: pd.DataFrame, by: str | None) -> Rows:
    frame = summary.copy()
    numeric = frame["kind"].isin(["numeric", "timing"])
    shown = pd.DataFrame({
        **({by: frame[by]} if by else {}),
        "outcome": frame["outcome"],
        "n": frame["n"],
        "mean": [number(v) if k else "" for v, k in zip(frame["mean"], numeric)],
        "median": [number(v) if k else "" for v, k in zip(frame["median"], numeric)],
        "5% to 95%": [f"{number(a)} to {number(b)}" if k and not pd.isna(a) else "" for a, b, k in zip(frame["p05"], frame["p95"], numeric)],
        "probability": ["" if pd.isna(p) else share(p) for p in frame["probability"]],
    })
    return _rows(shown, {})


def _rows(frame: pd.DataFrame, formatters: Mapping[str, Callable[[object], str]]) -> Rows:
    """``frame`` as text, a column at a time: through its formatter if it has one, else a number
    as :func:`number` writes it, a missing value as ``-`` and anything else as it prints."""
    columns = [str(c) for c in frame.columns]
    cells = [[_cell(v, formatters.get(c)) for v in frame[c]] for c in frame.columns]
    return Rows(columns, [list(row) for row in zip(*cells)])


def _cell(value: object, formatter: Callable[[object], str] | None) -> str:
    if formatter is not None:
        return str(formatter(value))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return number(value)
    return str(value)


def _sig(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.3g}"


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, facecolor="white")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@functools.cache
def templates() -> jinja2.Environment:
    """The report's templates, read from the package (``nzsim/reports/templates``), with every
    value they show escaped (``autoescape``; nothing is marked safe)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("nzsim.reports", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


#: The page's template, in ``nzsim/reports/templates`` (its tables: ``table.html.j2``).
TEMPLATE = "report.html.j2"

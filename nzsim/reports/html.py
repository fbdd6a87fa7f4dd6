"""One run as a self-contained HTML page (``nzsim report``): the figures embedded, what was run
(scenario, hash, seed, design, code versions), the summary table, the variance split of a nested
design, the story of a typical replication (retold from its seed, and checked against what the
run stored) and the scenario as resolved."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import math
from pathlib import Path
from typing import Mapping

import pandas as pd

from .. import analysis, figures
from ..catalogue import variables as catalogue_variables
from ..runs.loop import replicate
from ..runs.runfolder import Run, atomic_write_bytes
from ..scenario import cells, from_dict
from ..version import code_version
from .numbers import number
from .numbers import share
from .story import tell


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
    spec = from_dict(cells(spec)[cell_index].scenario, name=str(run.path))
    params = None
    if run.manifest.get("design", {}).get("kind") == "nested":
        params = {k[len("param."):]: float(v) for k, v in row.items() if str(k).startswith("param.")}
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
    was run (scenario, its hash, seed, design, code versions), the summary table, the
    variance split of a nested design, the story of a typical replication (retold from its
    seed, with the command that retells it) and the scenario as resolved. Default path:
    ``report.html`` in the run folder.
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
    scenario_file = m.get("scenario_file") or "SCENARIO"
    cell_note = f" of cell '{typical['cell']}' (the first of the run's lever cells)" if by else ""
    nested = m.get("design", {}).get("kind") == "nested"
    if by:
        how = ("This cell's scenario is the scenario file with the cell's lever values, so <code>nzsim story</code> on "
               "the file tells a different run; the story below was run again from the cell's scenario and the "
               "replication's seed.")
    elif nested:
        how = ("In a nested run each replication's parameters are drawn per parameter draw, not from its seed, so "
               "<code>nzsim story</code> cannot retell it; the story below was run again with the replication's seed "
               "and its drawn parameters (the <code>param.</code> columns).")
    else:
        how = f"Retell it with <code>nzsim story {_e(scenario_file)} --seed {int(typical['seed'])}</code>."

    parts = [
        f"<h1>{_e(m['scenario_name'])}</h1>",
        *(f"<p class=lead>{_e(line)}</p>" for line in run.scenario.description.strip().splitlines() if line.strip()),
        _facts(run),
        "<h2>Summary</h2>",
        "<p>Numeric outcomes: mean, median and the 5th to 95th percentile of the replications. "
        "Yes/no outcomes and levels: the share of replications.</p>",
        _summary_html(summary, by),
    ]
    if m.get("design", {}).get("kind") == "nested":
        split = analysis.variance_split(run)
        parts += [
            "<h2>Parameter uncertainty and chance</h2>",
            "<p>Share of each outcome's variance that comes from the uncertain parameters (between parameter "
            "draws) and from chance (between seeds under the same parameters).</p>",
            _table(split, {**{c: share for c in ("parameter_share", "chance_share")},
                           **{c: _sig for c in ("total_variance", "parameter_variance", "chance_variance")},
                           "seeds_per_draw": lambda v: "-" if pd.isna(v) else f"{v:g}"}),
        ]
        if (split["total_variance"] > 0).any():  # the figure needs an outcome that varies
            fig = figures.build_variance_split(split, title=title)
            parts.append(f"<img alt='Parameter uncertainty and chance' src='data:image/png;base64,{_png(fig)}'>")
    for heading, fig in panels:
        parts += [f"<h2>{_e(heading)}</h2>", f"<img alt='{_e(heading)}' src='data:image/png;base64,{_png(fig)}'>"]
    parts += [
        "<h2>The story of a typical replication</h2>",
        f"<p>Replication {int(typical['replication'])}{_e(cell_note)} (seed {int(typical['seed'])}): among the "
        f"{typical.attrs.get('matching', '?')} of {typical.attrs.get('of', '?')} replications that share the most "
        f"common of China's highest rung, trade coercion, partnership and election outcomes, the one whose numeric "
        f"outcomes sit closest to their medians. {how}</p>",
        "" if same else "<p class=warn>Run again with this code, the replication does not reproduce the "
        "outcomes stored in the run: the code differs from the version that made it (see the versions above).</p>",
        f"<pre>{_e(story)}</pre>",
        "<h2>The scenario as run</h2>",
        f"<pre>{_e(run.scenario.to_yaml())}</pre>",
        "<h2>Manifest</h2>",
        f"<details><summary>manifest.json</summary><pre>{_e(json.dumps(dict(m), indent=2, default=str))}</pre></details>",
        f"<p class=small>Report written {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by {_e(code_version())}.</p>",
    ]
    page = _PAGE.format(title=_e(title), body="\n".join(p for p in parts if p))
    atomic_write_bytes(path, page.encode("utf-8"))
    return path


def _facts(run: Run) -> str:
    m = run.manifest
    versions = m.get("versions", {})
    design = m.get("design", {})
    shape = design.get("kind", "monte_carlo").replace("_", " ")
    if design.get("kind") == "nested":
        shape += f": {design.get('param_draws')} parameter draws x {design.get('seeds_per_draw')} seeds"
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
    cells_html = "".join(f"<tr><th>{_e(k)}</th><td>{_e(str(v))}</td></tr>" for k, v in rows)
    return f"<table class=facts>{cells_html}</table>"


def _summary_html(summary: pd.DataFrame, by: str | None) -> str:
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
    return _table(shown, {})


def _table(frame: pd.DataFrame, formatters: Mapping) -> str:
    return frame.to_html(index=False, formatters=dict(formatters), float_format=number, border=0, classes="data",
                         escape=True, na_rep="-")


def _sig(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.3g}"


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, facecolor="white")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }}
h1 {{ margin-bottom: 0.2em; }} h2 {{ margin-top: 1.8em; border-bottom: 1px solid #ddd; }}
.lead {{ font-size: 1.1em; color: #444; }} .small {{ color: #666; font-size: 0.9em; }}
.warn {{ background: #fff3cd; padding: 0.5em 0.8em; }}
table {{ border-collapse: collapse; }} th, td {{ padding: 0.2em 0.7em; text-align: left; }}
table.data td {{ text-align: right; }} table.data td:first-child {{ text-align: left; }}
table.data tr:nth-child(even) {{ background: #f4f6f8; }} table.facts th {{ color: #555; font-weight: 600; }}
img {{ max-width: 100%; }} pre {{ background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.9em; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""

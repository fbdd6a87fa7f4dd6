"""Reports on finished runs: the comparison of several runs, and one run as an HTML page.

:func:`write_comparison` is what ``nzsim compare`` does (table, frontier, figures and a record
of what was compared); :func:`write_html_report` is ``nzsim report``: one self-contained page
with the figures embedded, the scenario and manifest, the summary table and the story of a
typical replication. The numbers come from :mod:`nzsim.analysis`, the figures from
:mod:`nzsim.plotting`.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import math
import shutil
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from . import analysis, plotting
from .ensemble import cells
from .replication import replicate
from .runfolder import Run, atomic_write_bytes
from .scenario import from_dict
from .story import tell
from .version import code_version

__all__ = [
    "FRONTIER_OBJECTIVES",
    "format_comparison",
    "retell",
    "write_comparison",
    "write_html_report",
]

#: The objectives a comparison weighs on its tradeoff frontier, and which way is better.
FRONTIER_OBJECTIVES: Mapping[str, str] = {
    "final_interoperability": "max",
    "exports_lost_nzd_m": "min",
    "china_max_rung>=warning": "min",
    "mean_approval": "max",
    "trust_mean": "max",
}


# --------------------------------------------------------------------------------------
# Comparing runs
# --------------------------------------------------------------------------------------


def format_comparison(table: pd.DataFrame) -> str:
    """The table of :func:`nzsim.analysis.compare` as text, outcome by outcome.

    Each outcome's heading says its unit. Probabilities and shares are shown in per cent and
    their differences in percentage points; a ``*`` marks a difference whose interval excludes
    zero. An interval resampled from fewer than :data:`nzsim.analysis.MIN_INTERVAL_VALUES`
    replications (or parameter draws) per run is marked ``(no guide)`` and never starred (see
    :func:`nzsim.analysis.guiding_intervals`).
    """
    level = table.attrs.get("level", 0.95)
    baseline = str(table["baseline"].iloc[0])
    width = max(len(str(r)) for r in table["run"])
    guide = analysis.guiding_intervals(table)
    lines = [f"Compared with '{baseline}'; {level:.0%} bootstrap intervals; * the difference's interval excludes zero."]
    if not guide[table["run"] != table["baseline"]].all():
        lines.append(f"(no guide): an interval resampled from fewer than {analysis.MIN_INTERVAL_VALUES} replications "
                     "(or parameter draws) per run says nothing about chance, however narrow; run more.")
    for outcome, rows in table.groupby("outcome", sort=False):
        statistic = rows["statistic"].iloc[0]
        percent = plotting.in_percent(outcome, statistic)
        lines += ["", f"{plotting.outcome_title(outcome)}: {statistic} of {outcome}; {_unit(outcome, percent)}"]
        lines.append(f"  {'run':<{width}}  {'value':>9}  {'interval':>21}  {'difference':>11}  {'interval':>21}")
        for row in rows.itertuples():
            value = _show(row.value, percent)
            interval = f"{_show(row.low, percent)} to {_show(row.high, percent)}"
            if row.run == row.baseline:
                lines.append(f"  {row.run:<{width}}  {value:>9}  {interval:>21}  {'baseline':>11}")
                continue
            diff = _show(row.difference, percent, sign=True, points=True)
            band = f"{_show(row.difference_low, percent, sign=True, points=True)} to " \
                   f"{_show(row.difference_high, percent, sign=True, points=True)}"
            clear = row.difference_low > 0 or row.difference_high < 0
            mark = (" *" if clear else "") if guide[row.Index] else (" (no guide)" if not math.isnan(row.difference) else "")
            lines.append(f"  {row.run:<{width}}  {value:>9}  {interval:>21}  {diff:>11}  {band:>21}{mark}")
    return "\n".join(lines) + "\n"


def _unit(outcome: str, percent: bool) -> str:
    """What an outcome's numbers are in, for the comparison's heading."""
    if percent:
        return "values in %, differences in percentage points (pp)"
    label = plotting.OUTCOME_LABELS.get(outcome, ("", ""))[1]
    return f"in {label}" if label else "in the outcome's own units"


def _show(value: float, percent: bool, sign: bool = False, points: bool = False) -> str:
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


def write_comparison(
    runs: Mapping[str, Run],
    out: str | Path,
    *,
    baseline: str | None = None,
    outcomes: Sequence[str] | None = None,
    objectives: Mapping[str, str] = FRONTIER_OBJECTIVES,
    level: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare runs and write the results into a new folder ``out``.

    Writes ``comparison.csv`` (:func:`nzsim.analysis.compare`), ``frontier.csv``
    (:func:`nzsim.analysis.tradeoff_frontier` on ``objectives``), ``comparison.json`` (which runs,
    their scenarios' hashes, seeds and code versions, and the bootstrap settings) and
    ``figures/``: ``differences.png``, ``distributions.png`` (cumulative distributions),
    ``frontier.png``, ``trajectories.png`` (median and middle half of each run) and
    ``china_ladder.png``.

    Returns
    -------
    tuple of pandas.DataFrame
        The comparison and the frontier.

    Raises
    ------
    ValueError
        As :func:`nzsim.analysis.compare`; also if ``out`` exists.
    """
    out = Path(out)
    table = analysis.compare(runs, baseline=baseline, outcomes=outcomes, level=level, resamples=resamples, seed=seed)
    usable = dict(objectives)
    frontier = analysis.tradeoff_frontier(runs, usable)
    try:
        out.mkdir(parents=True)
    except FileExistsError:
        raise ValueError(f"{out}: already exists; choose a new --out folder (nothing is overwritten)") from None
    except OSError as err:
        raise ValueError(f"{out}: cannot be created ({err.strerror})") from None
    try:
        _write_comparison(runs, out, table, frontier, usable, level, resamples, seed)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # the folder is this call's own: a half-written one would block a rerun
        raise
    return table, frontier


def _write_comparison(runs, out: Path, table, frontier, usable, level, resamples, seed) -> None:
    table.to_csv(out / "comparison.csv", index=False)
    frontier.to_csv(out / "frontier.csv", index=False)
    record = {
        "made_by": code_version(),
        "made": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "baseline": str(table["baseline"].iloc[0]),
        "bootstrap": {"level": level, "resamples": resamples, "seed": seed},
        "objectives": dict(usable),
        "runs": {
            label: {
                "path": str(Path(run.path).resolve()),
                "scenario_name": run.manifest.get("scenario_name"),
                "scenario_sha256": run.manifest.get("scenario_sha256"),
                "root_seed": run.manifest.get("root_seed"),
                "replications": run.manifest.get("replications"),
                "design": run.manifest.get("design", {}).get("kind"),
                "versions": run.manifest.get("versions"),
            }
            for label, run in runs.items()
        },
    }
    atomic_write_bytes(out / "comparison.json", (json.dumps(record, indent=2, default=str) + "\n").encode())

    figures = out / "figures"
    figures.mkdir()
    plotting.comparison(table, figures / "differences.png")
    frames = _with_labels(runs, lambda run: run.outcomes)
    plotting.ecdfs(frames, figures / "distributions.png", by="run")
    plotting.frontier(frontier, figures / "frontier.png", usable)
    variables = list(plotting.DEFAULT_VARIABLES)
    # Each run's bands and rung shares, computed from the run folder in batches (memory stays
    # bounded however large the runs), then labelled as the comparison labels them.
    quantiles = _with_labels(runs, lambda run: analysis.fan_quantiles(run, variables, by=run.cell_column))
    shares = _with_labels(runs, lambda run: analysis.rung_probabilities_by_week(run, by=run.cell_column))
    starts = {str(run.manifest["scenario"]["start"]) for run in runs.values()}
    start = dt.date.fromisoformat(starts.pop()) if len(starts) == 1 else None  # weeks if runs start apart
    plotting.fan_charts(quantiles.drop(columns="cell", errors="ignore"), figures / "trajectories.png",
                        variables=variables, start=start, by="run", title="Week by week: each run's median and middle half")
    plotting.rung_ladder(shares.drop(columns="cell", errors="ignore"), figures / "china_ladder.png", start=start, by="run")


def _with_labels(runs: Mapping[str, Run], read) -> pd.DataFrame:
    """One frame of every run (or lever cell), with a ``run`` column holding its comparison label."""
    return pd.concat([frame.assign(run=label) for label, frame in analysis.labelled(runs, "compare", read)],
                     ignore_index=True)


# --------------------------------------------------------------------------------------
# One run as an HTML page
# --------------------------------------------------------------------------------------


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
    variables = list(plotting.DEFAULT_VARIABLES)
    figures = [  # the trajectories read from the run in batches: memory stays bounded on a large run
        ("Outcome distributions", plotting.build_outcome_distributions(outcomes, by=by, title=title)),
        ("Week by week", plotting.build_fan_charts(run, variables, start, by=by, title=title)),
        ("China's escalation ladder", plotting.build_rung_ladder(run, start, by=by, title=title)),
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
            _table(split, {**{c: _share for c in ("parameter_share", "chance_share")},
                           **{c: _sig for c in ("total_variance", "parameter_variance", "chance_variance")},
                           "seeds_per_draw": lambda v: "-" if pd.isna(v) else f"{v:g}"}),
        ]
        if (split["total_variance"] > 0).any():  # the figure needs an outcome that varies
            fig = plotting.build_variance_split(split, title=title)
            parts.append(f"<img alt='Parameter uncertainty and chance' src='data:image/png;base64,{_png(fig)}'>")
    for heading, fig in figures:
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
        "mean": [_num(v) if k else "" for v, k in zip(frame["mean"], numeric)],
        "median": [_num(v) if k else "" for v, k in zip(frame["median"], numeric)],
        "5% to 95%": [f"{_num(a)} to {_num(b)}" if k and not pd.isna(a) else "" for a, b, k in zip(frame["p05"], frame["p95"], numeric)],
        "probability": ["" if pd.isna(p) else _share(p) for p in frame["probability"]],
    })
    return _table(shown, {})


def _table(frame: pd.DataFrame, formatters: Mapping) -> str:
    return frame.to_html(index=False, formatters=dict(formatters), float_format=_num, border=0, classes="data",
                         escape=True, na_rep="-")


def _sig(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.3g}"


def _num(value: float) -> str:
    if pd.isna(value):
        return "-"
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3f}"


def _share(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.1%}"


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

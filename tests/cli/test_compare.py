"""``nzsim compare`` and ``nzsim report``, and the figures of several runs (nzsim/figures/)."""

from __future__ import annotations

import base64
import html
import json
import os
import re

import numpy as np
import pandas as pd
import pytest

from tests import helpers
from matplotlib.figure import Figure

import nzsim
from nzsim import analysis, figures
from nzsim.cli import main
from tests.helpers import small_spec
from nzsim import reports as report
from tests.figures.test_figures import PNG_MAGIC, assert_complete, assert_labelled, assert_png, saved_figures


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("cmp")
    base = small_spec(name="passing")
    strong = small_spec(name="strong", events={"vilnius": {"signals": {"china_language": "strong"}}})
    away = small_spec(name="away", events={"vilnius": {"signals": {"attendance": "none"}}})
    levers = small_spec(name="levers", levers={"events.vilnius.signals.china_language": ["passing", "strong"]})
    nested = small_spec(name="nested", uncertainties={"election.approval_weight": {"dist": "uniform", "low": 0, "high": 0.5}})
    made = {
        name: nzsim.run_ensemble(spec, reps=24, seed=3, workers=1, out=root / name)
        for name, spec in {"passing": base, "strong": strong, "away": away, "levers": levers}.items()
    }
    made["nested"] = nzsim.run_ensemble(nested, seed=3, workers=1, out=root / "nested", design="nested",
                                      param_draws=4, seeds_per_draw=4)
    return made


def one_line_error(capsys, code, expected):
    helpers.one_line_error(capsys, code, expected, "compare", "report")


# --------------------------------------------------------------------------------------
# nzsim compare
# --------------------------------------------------------------------------------------


def test_compare_prints_the_table_and_writes_results(runs, tmp_path, capsys, monkeypatch):
    figures = saved_figures(monkeypatch)
    out = tmp_path / "cmp"
    code = main(["compare", str(runs["passing"].path), str(runs["strong"].path), str(runs["away"].path), "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    # one table first: the runs as columns, the outcomes that differ most on top, twelve of them
    intro = " ".join(printed.split("\n\n", 1)[0].split())  # (wrapped at 110 characters)
    assert intro.startswith("The outcomes on which the 3 runs differ most come first: each run's mean, or its chance "
                            "in %; * its difference from 'passing' excludes zero (95% bootstrap interval;")
    overview = pd.read_csv(out / "overview.csv")
    assert list(overview.columns) == [*analysis.OVERVIEW_COLUMNS, "passing", "strong", "away", "spread", "beyond_chance"]
    assert set(overview["outcome"]) == set(pd.read_csv(out / "comparison.csv")["outcome"])  # every outcome
    assert overview["spread"].fillna(-1).is_monotonic_decreasing
    heading = next(line for line in printed.splitlines() if line.startswith("  outcome "))
    assert heading.split() == ["outcome", "passing", "strong", "away", "spread"]
    rows = printed.split(heading + "\n", 1)[1].split("\n12 of ", 1)[0].splitlines()
    titles = overview["title"][:12]
    assert len(rows) == 12 and all(row.startswith(f"  {title}") for row, title in zip(rows, titles))
    assert f"12 of {len(overview)} outcomes shown." in printed
    assert (f"Every outcome: {out / 'overview.csv'}; each outcome's differences and intervals: "
            f"{out / 'comparison.txt'} (and comparison.csv); --full prints them.") in printed
    assert "Compared with" not in printed  # the long form is in the file, not on the screen
    full = (out / "comparison.txt").read_text()
    whole, long_form = full.split("\nCompared with", 1)
    assert whole.startswith(printed.split("\n\n", 1)[0])  # headed by the same table, with every outcome
    listed = whole.split("\n  outcome ", 1)[1].strip("\n").splitlines()[1:]
    assert len(listed) == len(overview) and all(row.startswith(f"  {t}") for row, t in zip(listed, overview["title"]))
    assert long_form.startswith(" 'passing'; 95% bootstrap intervals; * the difference's interval excludes zero.")
    assert "Chance China reaches 'warning' or higher: probability of china_max_rung>=warning" in long_form
    assert re.search(r"^  strong +\d+\.\d% +\d+\.\d% to \d+\.\d% +[+-]\d+\.\dpp", long_form, re.M)
    assert "Tradeoff frontier on final_interoperability, exports_lost_nzd_m" in printed
    assert f"results in {out}" in printed

    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == list(analysis.COMPARE_COLUMNS)
    expected = analysis.compare({"passing": runs["passing"], "strong": runs["strong"], "away": runs["away"]})
    # (NaN where an outcome has no values: blame of Beijing in runs without measures)
    assert np.allclose(table["value"], expected["value"], equal_nan=True)
    assert np.allclose(table["high"], expected["high"], equal_nan=True)
    frontier = pd.read_csv(out / "frontier.csv", keep_default_na=False)
    assert list(frontier["run"]) == ["passing", "strong", "away"]
    record = json.loads((out / "comparison.json").read_text())
    assert record["baseline"] == "passing" and record["bootstrap"] == {"level": 0.95, "resamples": 2000, "seed": 0}
    assert record["runs"]["strong"]["scenario_sha256"] == runs["strong"].manifest["scenario_sha256"]
    assert record["runs"]["strong"]["root_seed"] == 3
    for name in ("differences", "distributions", "frontier", "trajectories", "china_ladder"):
        data = (out / "figures" / f"{name}.png").read_bytes()
        assert data[:8] == PNG_MAGIC and len(data) > 20_000, name
    # each figure written has its title, every panel's title and axis labels, and something drawn
    assert len(figures) == 5
    for fig in figures:
        assert_complete(fig)


def test_compare_baseline_outcomes_and_cells(runs, tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", str(runs["passing"].path), str(runs["strong"].path), "--baseline", str(runs["strong"].path),
                 "--outcomes", "trade_coercion, china_max_rung>=rebuke", "--out", str(out), "--resamples", "200"])
    printed = capsys.readouterr().out
    assert code == 0 and "* its difference from 'strong' excludes zero" in " ".join(printed.split())
    assert set(pd.read_csv(out / "comparison.csv")["outcome"]) == {"trade_coercion", "china_max_rung>=rebuke"}
    assert set(pd.read_csv(out / "overview.csv")["outcome"]) == {"trade_coercion", "china_max_rung>=rebuke"}
    assert "outcomes shown" not in printed  # both shown: nothing left out
    assert (out / "comparison.txt").read_text().split("\nCompared with 'strong'", 1)[0].startswith(printed.split("\n\n")[0])
    # one run with lever cells compares its cells: the lever's name on the left, each cell's value over its column
    code = main(["compare", str(runs["levers"].path), "--out", str(tmp_path / "cells")])
    printed = capsys.readouterr().out
    assert code == 0 and "* its difference from 'china_language=passing' excludes zero" in " ".join(printed.split())
    heading = next(line for line in printed.splitlines() if line.startswith("  china_language "))
    assert heading.split() == ["china_language", "passing", "strong", "spread"]


def test_a_run_named_like_a_column_of_the_overview_is_told_by_its_folder(runs, tmp_path, capsys):
    spread = nzsim.run_ensemble(small_spec(name="spread"), reps=6, seed=3, workers=1, out=tmp_path / "s")
    out = tmp_path / "cmp"
    assert main(["compare", str(runs["passing"].path), str(spread.path), "--out", str(out), "--resamples", "100"]) == 0
    heading = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("  outcome "))
    assert heading.split() == ["outcome", "passing", "spread", "(s)", "spread"]
    assert "spread (s)" in pd.read_csv(out / "overview.csv").columns


def test_compare_full_prints_every_table_after_the_overview(runs, tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", str(runs["passing"].path), str(runs["strong"].path), "--out", str(out), "--full",
                 "--resamples", "200"])
    printed = capsys.readouterr().out
    assert code == 0
    overview, rest = printed.split("\nCompared with 'passing'; 95% bootstrap intervals;", 1)
    assert overview.startswith("The outcomes on which the 2 runs differ most come first")
    assert overview.rstrip().endswith(f"Every outcome: {out / 'overview.csv'}; each outcome's differences and "
                                      f"intervals: {out / 'comparison.txt'} (and comparison.csv).")
    assert f"12 of {len(pd.read_csv(out / 'overview.csv'))} outcomes shown." in overview
    # the long form as comparison.txt holds it, then the frontier
    long_form = "\nCompared with 'passing'; 95% bootstrap intervals;" + rest.split("\nTradeoff frontier on ")[0]
    assert (out / "comparison.txt").read_text().endswith(long_form)
    assert re.search(r"^  strong +\d+\.\d% +\d+\.\d% to \d+\.\d% +[+-]\d+\.\dpp", rest, re.M)
    assert rest.rstrip().endswith(f"results in {out}")


@pytest.mark.parametrize(
    "args, expected",
    [
        (["{passing}"], "expected at least two runs to compare"),
        (["{passing}", "{missing}"], "not a run folder (no such folder)"),
        (["{passing}", "{empty}"], "not a run folder (no manifest.json)"),
        (["{passing}", "{strong}", "--outcomes", "nope"], "outcome 'nope': no such column"),
        (["{passing}", "{strong}", "--outcomes", "china_max_rung"], "compare a level instead"),
        (["{passing}", "{strong}", "--out", "{passing}"], "already exists; choose a new --out folder"),
        (["{passing}", "{strong}", "--level", "95"], "expected a coverage between 0 and 1"),
        (["{passing}", "{strong}", "--resamples", "5"], "expected a whole number >= 100"),
        (["{passing}", "{passing}/"], "the same run as"),
        (["{passing}", "{passing_relative}"], "the same run as"),
    ],
)
def test_compare_mistakes_are_one_line(runs, tmp_path, capsys, args, expected):
    paths = {name: str(run.path) for name, run in runs.items()} | {"missing": str(tmp_path / "missing")}
    paths["passing_relative"] = os.path.relpath(runs["passing"].path)
    paths["empty"] = str(tmp_path / "empty")
    (tmp_path / "empty").mkdir()
    argv = ["compare", *[a.format(**paths) for a in args]]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "out")]
    try:
        code = main(argv)
    except SystemExit as exit:  # argparse's own errors
        code = exit.code
    one_line_error(capsys, code, expected)


# --------------------------------------------------------------------------------------
# nzsim report
# --------------------------------------------------------------------------------------


def test_report_is_one_self_contained_page(runs, tmp_path, capsys, monkeypatch):
    figures = saved_figures(monkeypatch)
    out = tmp_path / "report.html"
    assert main(["report", str(runs["strong"].path), "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"report written to {out}\n"
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    manifest = runs["strong"].manifest
    assert manifest["scenario_sha256"] in page and "<h1>strong</h1>" in page
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(images) == 3 and all(base64.b64decode(i)[:8] == PNG_MAGIC for i in images)
    assert len(figures) == 3
    for fig in figures:  # the embedded figures: titled, labelled and drawn
        assert_complete(fig)
    assert not re.search(r"(src|href)=['\"](?!data:)", page)  # nothing outside the file
    # the summary table, the scenario as run and the manifest
    assert "<td>china_max_rung=rebuke</td>" in page and "horizon_weeks: 20" in page
    assert '&#34;root_seed&#34;: 3' in page
    # the story of the typical replication, retold from its seed, matches what the run stored
    typical = analysis.typical_replication(runs["strong"].outcomes)
    assert f"nzsim story {manifest['scenario_file'] or 'SCENARIO'} --seed {int(typical['seed'])}" in page
    assert f"seed {int(typical['seed'])}," in page and "Week 6, " in page
    assert (f"(seed {int(typical['seed'])}): among the {typical.attrs['matching']} of {typical.attrs['of']} "
            f"replications that share the most common") in page  # how it was chosen
    assert "class=warn" not in page


def test_report_default_path_nested_design_and_cells(runs, capsys, monkeypatch):
    figures = saved_figures(monkeypatch)
    assert main(["report", str(runs["nested"].path)]) == 0
    page = (runs["nested"].path / "report.html").read_text()
    assert "Parameter uncertainty and chance" in page and "parameter_<wbr>share" in page
    # a nested run's report draws the variance split as well as the three figures of every report
    assert len(re.findall(r"<img ", page)) == 4 and "<img alt='Parameter uncertainty and chance'" in page
    assert [fig._suptitle.get_text() for fig in figures].count(figures[0]._suptitle.get_text()) == 4
    assert any(ax.get_title() == "Where the spread of each outcome comes from" for fig in figures for ax in fig.axes)
    for fig in figures:
        assert_complete(fig)
    figures.clear()
    assert "class=warn" not in page  # a nested replication is retold with its drawn parameters
    assert "cannot retell it" in page and "Retell it with" not in page  # no command that would tell another story
    assert "How the lever cells differ" not in page  # one run, no cells: its summary comes first
    assert main(["report", str(runs["levers"].path)]) == 0
    page = (runs["levers"].path / "report.html").read_text()
    # the cells side by side head the page, as nzsim run prints them: the outcomes that differ most first
    overview = analysis.overview(runs["levers"])
    section = page.split("<h2>How the lever cells differ</h2>", 1)[1].split("<h2>Summary</h2>", 1)[0]
    assert "<tr><th>china_<wbr>language</th><th>passing</th><th>strong</th><th>spread</th></tr>" in section
    shown = [html.unescape(title) for title in re.findall(r"<tr><td>([^<]*)</td>", section)]
    assert shown == list(report.overview_table(overview, top=12).index) and shown[0].startswith(overview["title"][0])
    assert f"<td>{report.overview_table(overview)['spread'].iloc[0]}</td></tr>" in section
    assert f"12 of {len(overview)} outcomes shown" in section
    assert "of cell 'china_language=passing'" in page and "class=warn" not in page
    assert "tells a different run" in page and "Retell it with" not in page
    assert len(figures) == 3
    for fig in figures:  # a run of lever cells: one group per cell in each figure
        assert_complete(fig)
    capsys.readouterr()


def test_report_of_a_nested_run_without_an_election(tmp_path, capsys):
    spec = small_spec(name="no-election", events={"election": None},
                      uncertainties={"china.grievance_half_life_weeks": {"dist": "uniform", "low": 4, "high": 12}})
    run = nzsim.run_ensemble(spec, seed=2, workers=1, out=tmp_path / "run", design="nested", param_draws=3,
                           seeds_per_draw=2)
    assert main(["report", str(run.path)]) == 0
    page = (run.path / "report.html").read_text()
    row = re.search(r"<td>incumbent_share</td>(.*?)</tr>", page, re.S).group(1)
    assert "NaN" not in row and "<td>-</td>" in row  # no values to split, shown as such
    capsys.readouterr()


def test_report_warns_when_the_code_no_longer_reproduces_the_run(runs, tmp_path):
    from nzsim import reports as report

    typical = analysis.typical_replication(runs["passing"].outcomes).copy()
    typical["final_stance"] = typical["final_stance"] + 0.5  # as if another code version made it
    _, same = report.retell(runs["passing"], typical)
    assert not same
    _, same = report.retell(runs["passing"], analysis.typical_replication(runs["passing"].outcomes))
    assert same


def test_report_mistakes_are_one_line(runs, tmp_path, capsys):
    one_line_error(capsys, main(["report", str(tmp_path)]), "not a run folder")
    one_line_error(capsys, main(["report", str(runs["passing"].path), "--out", str(tmp_path)]), "is a folder")
    one_line_error(capsys, main(["report", str(runs["passing"].path), "--out", str(tmp_path / "no" / "r.html")]),
                   "cannot be written")


# --------------------------------------------------------------------------------------
# Figures of several runs
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compared(runs):
    chosen = {name: runs[name] for name in ("passing", "strong", "away")}
    return chosen, analysis.compare(chosen, resamples=200)


def test_comparison_figure(compared, tmp_path):
    _, table = compared
    fig = figures.build_comparison(table)
    assert_labelled(fig, "How each run differs from 'passing'")
    assert [ax.get_title() for ax in fig.axes][:3] == [
        "Interoperability at the end", "Partners' trust in NZ at the end", "Chance China reaches 'warning' or higher"]
    assert fig.axes[2].get_xlabel() == "difference, percentage points"
    assert fig.axes[0].get_xlabel() == "difference, interoperability\n(0 = none, 1 = full)"  # the scale kept whole
    ticks = {t.get_text(): y for t, y in zip(fig.axes[0].get_yticklabels(), fig.axes[0].get_yticks())}
    assert ticks == {"strong": 1, "away": 0}  # the baseline gets no row; the first run is on top
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["difference, with its 95% interval",
                      "hollow: the interval includes zero, or comes from under 10 replications a run"]
    assert_png(tmp_path / "c.png", figures.comparison(table, tmp_path / "c.png", ["trade_coercion", "mean_approval"]))
    with pytest.raises(ValueError, match="not in the comparison"):
        figures.build_comparison(table, ["nope"])
    with pytest.raises(ValueError, match="only the baseline"):
        figures.build_comparison(table[table["run"] == "passing"])


def test_comparison_figure_marks_clear_differences_filled(compared):
    _, table = compared
    table = table.copy()
    rows = (table["outcome"] == "final_interoperability") & (table["run"] == "strong")
    table.loc[rows, ["difference", "difference_low", "difference_high"]] = [0.1, 0.05, 0.15]
    rows = (table["outcome"] == "final_interoperability") & (table["run"] == "away")
    table.loc[rows, ["difference", "difference_low", "difference_high"]] = [0.1, -0.05, 0.15]
    ax = figures.build_comparison(table, ["final_interoperability"]).axes[0]
    filled, hollow = ax.collections[1], ax.collections[2]
    assert filled.get_offsets().tolist() == [[0.1, 1.0]]  # strong, the top row
    assert hollow.get_offsets().tolist() == [[0.1, 0.0]]


def test_ecdf_figure_draws_each_run_its_own_line(compared, tmp_path):
    chosen, _ = compared
    frames = pd.concat([run.outcomes.assign(run=name) for name, run in chosen.items()])  # repeated row labels
    fig = figures.build_ecdfs(frames, ["final_interoperability", "trust_mean"])
    assert_labelled(fig, "Outcome distributions of 3 runs (cumulative)")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "replications at or below (%)"
    lines = ax.get_lines()
    assert len(lines) == 3
    for line, (name, run) in zip(lines, chosen.items()):
        x = np.sort(run.outcomes["final_interoperability"].to_numpy())
        assert np.allclose(line.get_xdata()[1:], x) and line.get_ydata()[-1] == pytest.approx(1.0)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["passing", "strong", "away"]
    assert_png(tmp_path / "e.png", figures.ecdfs(frames, tmp_path / "e.png"))


def test_frontier_figure(compared, tmp_path):
    chosen, _ = compared
    objectives = {"final_interoperability": "max", "exports_lost_nzd_m": "min", "trust_mean": "max"}
    frame = analysis.tradeoff_frontier(chosen, objectives)
    fig = figures.build_frontier(frame, objectives)
    assert_labelled(fig, "Tradeoffs across 3 runs on 3 objectives")
    assert len(fig.axes) == 2
    assert fig.axes[0].get_xlabel() == "mean interoperability\n(0 = none, 1 = full); higher is better"
    assert fig.axes[0].get_ylabel() == "mean NZ$ million, total; lower is better"
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["1", "2", "3"]  # numbered points, with a key of the runs beside the panels
    assert [t.get_text() for t in fig.legends[-1].get_texts()] == ["1  passing", "2  strong", "3  away"]
    on, off = fig.axes[0].collections[1], fig.axes[0].collections[0]
    assert len(on.get_offsets()) == int(frame["on_frontier"].sum())
    assert len(off.get_offsets()) == int((~frame["on_frontier"]).sum())
    # directions from the catalogue when only the frame is given
    assert isinstance(figures.build_frontier(frame), Figure)
    assert_png(tmp_path / "f.png", figures.frontier(frame, tmp_path / "f.png"))
    with pytest.raises(ValueError, match="no default direction"):
        figures.build_frontier(frame.rename(columns={"trust_mean": "final_stance"}))


def test_variance_split_figure(runs, tmp_path):
    split = analysis.variance_split(runs["nested"])
    fig = figures.build_variance_split(split)
    assert_labelled(fig, "Parameter uncertainty and chance (4 parameter draws x 4 seeds)")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "share of the outcome's variance (%)"
    varying = split[split["total_variance"] > 0]
    assert len(ax.get_yticklabels()) == len(varying)
    assert ax.get_yticklabels()[0].get_text() == figures.outcome_title(varying["outcome"].iloc[0])
    parameter, chance = ax.containers
    widths = [bar.get_width() for bar in parameter]
    assert widths == pytest.approx(varying["parameter_share"].tolist())
    # each bar is split in two parts that fill it
    assert [p.get_width() + c.get_width() for p, c in zip(parameter, chance)] == pytest.approx([1.0] * len(varying))
    assert_png(tmp_path / "v.png", figures.variance_split(split, tmp_path / "v.png", ["incumbent_share", "trust_mean"]))
    with pytest.raises(ValueError, match="not in the variance split"):
        figures.build_variance_split(split, ["nope"])
    with pytest.raises(ValueError, match="no outcome varies"):
        figures.build_variance_split(split[split["total_variance"] == 0])


def test_by_draw_and_parameter_effects_figure(runs, tmp_path):
    outcomes = runs["nested"].outcomes
    draws = analysis.by_draw(outcomes, ["incumbent_share"])
    assert list(draws.columns) == ["param_draw", "param.election.approval_weight", "n", "incumbent_share"]
    assert list(draws["param_draw"]) == [0, 1, 2, 3] and (draws["n"] == 4).all()
    first = outcomes[outcomes["param_draw"] == 0]
    assert draws["incumbent_share"].iloc[0] == pytest.approx(first["incumbent_share"].mean())
    fig = figures.build_parameter_effects(outcomes, "incumbent_share")
    assert_labelled(fig, "Incumbent's vote share at the election: how much the sampled parameters matter")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "election.approval_weight (sampled value)"
    replications, means = ax.collections
    assert len(replications.get_offsets()) == len(outcomes) and len(means.get_offsets()) == 4
    assert_png(tmp_path / "p.png", figures.parameter_effects(outcomes, tmp_path / "p.png", "trade_coercion"))
    # a Monte Carlo run (each replication its own draw): binned means instead of draw means
    mc = outcomes.drop(columns=["param_draw", "seed_index"])
    ax = figures.build_parameter_effects(mc, "incumbent_share").axes[0]
    line = ax.get_lines()[0]
    assert 2 <= len(line.get_xdata()) <= 10
    assert min(line.get_ydata()) >= mc["incumbent_share"].min() and max(line.get_ydata()) <= mc["incumbent_share"].max()
    with pytest.raises(ValueError, match="were not sampled"):
        figures.build_parameter_effects(runs["passing"].outcomes, "incumbent_share")
    with pytest.raises(ValueError, match="needs a nested design"):
        analysis.by_draw(runs["passing"].outcomes)


def test_comparison_rows_without_values_say_so(compared):
    _, table = compared
    table = table.copy()
    rows = (table["outcome"] == "trust_mean") & (table["run"] == "away")
    table.loc[rows, ["difference", "difference_low", "difference_high"]] = np.nan
    ax = figures.build_comparison(table, ["trust_mean"]).axes[0]
    notes = [t for t in ax.texts if t.get_text() == "no values"]
    assert len(notes) == 1 and notes[0].get_position()[1] == 0  # away's row, the lower of two


def test_comparison_panel_says_when_there_is_nothing_to_compare():
    table = analysis.compare({"none": pd.DataFrame({"seed": [1, 2], "incumbent_share": [None, None]}),
                              "some": pd.DataFrame({"seed": [1, 2], "incumbent_share": [0.4, 0.5]})},
                             outcomes=["incumbent_share"], resamples=100)
    ax = figures.build_comparison(table).axes[0]
    assert any("no values to compare" in t.get_text() for t in ax.texts)


def test_the_retold_story_is_the_story_nzsim_story_tells(runs):
    from nzsim import reports as report

    row = analysis.typical_replication(runs["strong"].outcomes)
    story, same = report.retell(runs["strong"], row)
    spec = small_spec(name="strong", events={"vilnius": {"signals": {"china_language": "strong"}}})
    assert same and story == nzsim.tell(spec, nzsim.replicate(spec, int(row["seed"])))


# --------------------------------------------------------------------------------------
# The printed table, and the options that feed it
# --------------------------------------------------------------------------------------


def _hand_table(n: int = 50) -> pd.DataFrame:
    """A comparison of two outcomes between 'base' and 'other', written by hand."""
    nan = float("nan")
    rows = [
        ("trade_coercion", "probability", "base", "base", n, 0.2, 0.15, 0.25, nan, nan, nan, True, "replication"),
        ("trade_coercion", "probability", "other", "base", n, 0.35, 0.3, 0.4, 0.15, 0.05, 0.25, True, "replication"),
        ("exports_lost_nzd_m", "mean", "base", "base", n, 120.0, 100.0, 140.0, nan, nan, nan, True, "replication"),
        ("exports_lost_nzd_m", "mean", "other", "base", n, 130.0, 110.0, 150.0, 10.0, -5.0, 25.0, True, "replication"),
    ]
    table = pd.DataFrame(rows, columns=list(analysis.COMPARE_COLUMNS))
    table.attrs["level"] = 0.9
    return table


def test_format_comparison_prints_shares_in_per_cent_and_points_with_units():
    text = report.format_comparison(_hand_table())
    lines = text.splitlines()
    assert lines[0] == "Compared with 'base'; 90% bootstrap intervals; * the difference's interval excludes zero."
    assert "(no guide)" not in text
    assert ("Chance of trade measures: probability of trade_coercion; values in %, differences in percentage points (pp)"
            in lines)
    assert "Exports lost to China over the run: mean of exports_lost_nzd_m; in NZ$ million, total" in lines
    base, other = [line.split() for line in lines if line.startswith(("  base", "  other"))][:2]
    assert base == ["base", "20.0%", "15.0%", "to", "25.0%", "baseline"]
    assert other == ["other", "35.0%", "30.0%", "to", "40.0%", "+15.0pp", "+5.0pp", "to", "+25.0pp", "*"]
    exports = [line.split() for line in lines if line.startswith("  other")][1]
    assert exports == ["other", "130.0", "110.0", "to", "150.0", "+10.000", "-5.000", "to", "+25.000"]  # no *: spans zero


def test_intervals_from_too_few_replications_are_no_guide_and_never_starred():
    text = report.format_comparison(_hand_table(n=4))
    assert "(no guide): an interval resampled from fewer than 10 replications" in text
    other = [line for line in text.splitlines() if line.startswith("  other")]
    assert other[0].endswith("+25.0pp (no guide)") and not any(line.endswith("*") for line in other)
    # one replication a run: every resample alike, an interval of no width that must not be starred
    one = {"a": pd.DataFrame({"seed": [1], "trade_coercion": [False], "exports_lost_nzd_m": [10.0]}),
           "b": pd.DataFrame({"seed": [1], "trade_coercion": [True], "exports_lost_nzd_m": [30.0]})}
    table = analysis.compare(one, resamples=100)
    assert table.attrs["units"] == {"a": 1, "b": 1}
    assert not analysis.guiding_intervals(table).any()
    text = report.format_comparison(table)
    assert "+20.000 to +20.000 (no guide)" in text and not any(line.endswith("*") for line in text.splitlines())
    # many replications that differ by the same amount in each: a real, certain difference
    many = {"a": pd.DataFrame({"seed": range(20), "exports_lost_nzd_m": 10.0 + np.arange(20)}),
            "b": pd.DataFrame({"seed": range(20), "exports_lost_nzd_m": 30.0 + np.arange(20)})}
    table = analysis.compare(many, resamples=100)
    assert analysis.guiding_intervals(table).tolist() == [False, True]
    assert report.format_comparison(table).rstrip().endswith("+20.000 to +20.000 *")
    fig = figures.build_comparison(analysis.compare(one, resamples=100), ["exports_lost_nzd_m"])
    filled, hollow = fig.axes[0].collections[-2:]
    assert len(filled.get_offsets()) == 0 and len(hollow.get_offsets()) == 1  # no filled dot for no guide


def test_compare_level_resamples_and_seed_reach_the_table_and_the_record(runs, tmp_path, capsys):
    def compare(seed, out):
        code = main(["compare", str(runs["passing"].path), str(runs["strong"].path), "--outcomes",
                     "trade_coercion,final_interoperability", "--level", "0.9", "--resamples", "150",
                     "--seed", str(seed), "--out", str(tmp_path / out)])
        assert code == 0
        return capsys.readouterr().out, pd.read_csv(tmp_path / out / "comparison.csv")

    printed, table = compare(7, "a")
    assert "(90% bootstrap interval;" in " ".join(printed.split("\n\n")[0].split())
    assert "Compared with 'passing'; 90% bootstrap intervals;" in (tmp_path / "a" / "comparison.txt").read_text()
    record = json.loads((tmp_path / "a" / "comparison.json").read_text())
    assert record["bootstrap"] == {"level": 0.9, "resamples": 150, "seed": 7}
    direct = analysis.compare({"passing": runs["passing"], "strong": runs["strong"]},
                              outcomes=["trade_coercion", "final_interoperability"], level=0.9, resamples=150, seed=7)
    assert np.allclose(table[["low", "high"]], direct[["low", "high"]])
    _, again = compare(8, "b")
    assert not np.allclose(again[["low", "high"]], table[["low", "high"]])  # another seed, other intervals

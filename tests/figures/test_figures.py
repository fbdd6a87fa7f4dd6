"""Figures (nzsim/figures/): each built from a few real replications, written to a PNG, and
checked for a title and labelled axes; and importing or drawing changes no global matplotlib
state."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import nzsim
from nzsim.catalogue.rungs import RUNG_NAMES
from nzsim import analysis, figures
from nzsim.catalogue.outcomes import HISTOGRAMS, OUTCOMES
from nzsim.catalogue.variables import FAN_CHARTS, VARIABLES
from nzsim.figures import comparing, distributions, style
from tests.helpers import START, make_spec

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REPO = Path(__file__).resolve().parents[2]


def ensemble_frames(spec, seeds, cell):
    """Outcomes and long trajectories of ``nzsim.replicate(spec, seed)``, as the runner stores them."""
    rows, long = [], []
    for seed in seeds:
        rep = nzsim.replicate(spec, seed)
        rows.append({"replication": seed, "seed": seed, "cell": cell, **rep.outcomes})
        frame = rep.trajectories.reset_index().melt(id_vars="week", var_name="variable", value_name="value")
        long.append(frame.assign(replication=seed, cell=cell))
    return pd.DataFrame(rows), pd.concat(long, ignore_index=True)


@pytest.fixture(scope="module")
def frames():
    """Eight small replications in two lever cells: the base scenario's summit as given, and
    with strong China language."""
    base = ensemble_frames(make_spec(context={"voters": 300}), [1, 2, 3, 4], "passing")
    strong = make_spec(context={"voters": 300}, events={"vilnius": {"signals": {"china_language": "strong"}}})
    other = ensemble_frames(strong, [5, 6, 7, 8], "strong")
    return pd.concat([base[0], other[0]], ignore_index=True), pd.concat([base[1], other[1]], ignore_index=True)


def assert_png(path: Path, returned) -> None:
    assert Path(returned) == path
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 20_000  # a real figure, not an empty canvas
    assert not list(path.parent.glob(".*.partial"))  # written atomically, nothing left behind


def assert_labelled(fig: Figure, title: str | None = None) -> None:
    assert isinstance(fig, Figure)
    suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""
    assert suptitle.strip()
    if title is not None:
        assert suptitle == title
    assert fig.axes
    for ax in fig.axes:
        assert ax.get_title().strip(), ax
        assert ax.get_xlabel().strip(), ax.get_title()
        assert ax.get_ylabel().strip(), ax.get_title()


def assert_complete(fig: Figure) -> None:
    """A title, each panel's title and axis labels (:func:`assert_labelled`), and something drawn in each panel."""
    assert_labelled(fig)
    for ax in fig.axes:
        drawn = len(ax.lines) + len(ax.patches) + len(ax.collections) + len(ax.images)
        assert drawn > 0, f"panel {ax.get_title()!r} is empty"


def saved_figures(monkeypatch) -> list[Figure]:
    """Record every figure written from now on (to a file or a buffer), whoever writes it: the
    CLI, a report or the library, so tests can check the figures themselves, not only PNG bytes."""
    saved: list[Figure] = []
    original = Figure.savefig

    def record(self, *args, **kwargs):
        saved.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", record)
    return saved


# --------------------------------------------------------------------------------------
# Outcome distributions
# --------------------------------------------------------------------------------------


def test_outcome_distributions_default(frames, tmp_path):
    outcomes, _ = frames
    fig = figures.build_outcome_distributions(outcomes)
    assert_labelled(fig)
    assert "8 replications" in fig._suptitle.get_text()
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == len(HISTOGRAMS) + 1  # six histograms and the rung bars
    assert titles[0] == OUTCOMES["final_stance"].title
    assert "rung" in titles[-1]
    assert fig.axes[0].get_xlabel() == "stance (0 = hedges, 1 = aligns)"
    assert "NZ$ million" in fig.axes[5].get_xlabel()
    ticks = [t.get_text().replace("\n", " ") for t in fig.axes[-1].get_xticklabels()]
    assert ticks == [r.capitalize() for r in RUNG_NAMES]
    path = tmp_path / "outcomes.png"
    assert_png(path, figures.outcome_distributions(outcomes, path, title="Vilnius 2023"))


def test_outcome_distributions_by_cell_have_a_legend_per_group(frames, tmp_path):
    outcomes, _ = frames
    fig = figures.build_outcome_distributions(outcomes, by="cell", title="Two cells")
    assert_labelled(fig, "Two cells")
    labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert "cell = passing" in labels and "cell = strong" in labels
    bars = fig.axes[-1].patches
    assert len(bars) == 2 * len(RUNG_NAMES)  # one bar per rung per cell
    path = tmp_path / "by_cell.png"
    assert_png(path, figures.outcome_distributions(outcomes, path, by="cell"))


def test_outcome_distributions_chosen_columns_all_null_and_constant(frames, tmp_path):
    outcomes, _ = frames
    frame = outcomes.assign(incumbent_share=None, exports_lost_nzd_m=0.0)  # no election; no losses
    fig = figures.build_outcome_distributions(frame, columns=["incumbent_share", "exports_lost_nzd_m", "coercion_weeks"])
    assert_labelled(fig)
    assert len(fig.axes) == 4
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("no values" in t for t in texts)
    assert any("every run" in t for t in (t.get_text() for t in fig.axes[1].texts))
    without_rung = figures.build_outcome_distributions(frame.drop(columns="china_max_rung"), columns=["final_stance"])
    assert len(without_rung.axes) == 1
    path = tmp_path / "odd.png"
    assert_png(path, figures.outcome_distributions(frame, path, columns=["incumbent_share", "exports_lost_nzd_m"]))
    with pytest.raises(ValueError, match="no column"):
        figures.build_outcome_distributions(outcomes, columns=["nonsense"])


# --------------------------------------------------------------------------------------
# Fan charts
# --------------------------------------------------------------------------------------


def test_fan_charts_from_trajectories(frames, tmp_path):
    _, trajectories = frames
    fig = figures.build_fan_charts(trajectories)
    assert_labelled(fig)
    assert [ax.get_title() for ax in fig.axes] == [VARIABLES[v].title for v in FAN_CHARTS]
    assert fig.axes[0].get_ylabel() == "stance (0 = hedges, 1 = aligns)"
    assert all(ax.get_xlabel().startswith("week") for ax in fig.axes)
    # median line plus the 50% and 90% bands in every panel
    assert all(len(ax.lines) == 1 and len(ax.collections) == 2 for ax in fig.axes)
    path = tmp_path / "fan.png"
    assert_png(path, figures.fan_charts(trajectories, path, title="Fans"))


def test_fan_charts_from_quantiles_with_dates(frames, tmp_path):
    _, trajectories = frames
    quantiles = analysis.fan_quantiles(trajectories, ["stance", "china_rung", "exports_lost_week_nzd_m"])
    fig = figures.build_fan_charts(quantiles, start=START, title="Dated")
    assert_labelled(fig, "Dated")
    assert len(fig.axes) == 3
    assert all("date" in ax.get_xlabel() and "5 Jun 2023" in ax.get_xlabel() for ax in fig.axes)
    assert "NZ$ million" in fig.axes[2].get_ylabel()
    path = tmp_path / "fan_dates.png"
    assert_png(path, figures.fan_charts(quantiles, path, start=START))


@pytest.mark.parametrize("levers", [None, {"events.vilnius.signals.china_language": ["none", "strong"]}])
def test_fan_charts_and_ladder_from_a_run_folder_match_those_from_its_frame(levers, tmp_path):
    """Given a run, the figures read its trajectories in batches; they must show what the frame shows."""
    from nzsim.runs import run_ensemble
    from tests.helpers import small_spec

    spec = small_spec(levers=levers) if levers else small_spec()
    run = run_ensemble(spec, 10, seed=2, workers=1, out=tmp_path / "run")
    by = "cell" if levers else None
    for build in (figures.build_fan_charts, figures.build_rung_ladder):
        from_run, from_frame = build(run, by=by), build(run.trajectories, by=by)
        assert_labelled(from_run)
        assert from_run.get_suptitle() == from_frame.get_suptitle()
        assert [ax.get_title() for ax in from_run.axes] == [ax.get_title() for ax in from_frame.axes]
        for a, b in zip(from_run.axes, from_frame.axes):
            assert [line.get_ydata().tolist() for line in a.lines] == [line.get_ydata().tolist() for line in b.lines]
            assert len(a.collections) == len(b.collections) > 0
    assert "across 10 replications" in figures.build_fan_charts(run, by=by).get_suptitle()
    # The ladder from its shares (as nzsim compare draws it) is the ladder from the trajectories.
    shares = analysis.rung_probabilities_by_week(run, by=by)
    from_shares, from_frame = figures.build_rung_ladder(shares, by=by), figures.build_rung_ladder(run.trajectories, by=by)
    for a, b in zip(from_shares.axes, from_frame.axes):
        assert a.get_title() == b.get_title()
        assert [p.get_paths()[0].vertices.tolist() for p in a.collections] == \
            [p.get_paths()[0].vertices.tolist() for p in b.collections]
    with pytest.raises(ValueError, match="no column"):
        figures.build_rung_ladder(shares.drop(columns="week"), by=by)


def test_fan_charts_by_cell_and_errors(frames, tmp_path):
    _, trajectories = frames
    fig = figures.build_fan_charts(trajectories, variables=["stance", "approval"], by="cell")
    assert_labelled(fig)
    assert all(len(ax.lines) == 2 for ax in fig.axes)  # one median per cell
    labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert "cell = passing" in labels and "cell = strong" in labels
    path = tmp_path / "fan_by.png"
    assert_png(path, figures.fan_charts(trajectories, path, variables=["stance"], by="cell"))
    with pytest.raises(ValueError, match="expected long trajectories"):
        figures.build_fan_charts(pd.DataFrame({"week": [0], "variable": ["stance"]}))
    with pytest.raises(ValueError, match="not in the"):
        figures.build_fan_charts(analysis.fan_quantiles(trajectories, ["stance"]), variables=["approval"])


def test_every_reporter_has_a_label():
    from nzsim.model import reporters

    assert all(VARIABLES[v].title and VARIABLES[v].unit for v in reporters())
    assert all(OUTCOMES[o].title and OUTCOMES[o].unit for o in HISTOGRAMS)


# --------------------------------------------------------------------------------------
# China's ladder
# --------------------------------------------------------------------------------------


def test_rung_ladder(frames, tmp_path):
    _, trajectories = frames
    fig = figures.build_rung_ladder(trajectories, title="Ladder")
    assert_labelled(fig, "Ladder")
    assert len(fig.axes) == 1
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [r.capitalize() for r in reversed(RUNG_NAMES)]  # top rung first, as stacked
    assert len(fig.axes[0].collections) == len(RUNG_NAMES)
    assert fig.axes[0].get_ylim() == (0.0, 1.0)
    path = tmp_path / "ladder.png"
    assert_png(path, figures.rung_ladder(trajectories, path))


def test_rung_ladder_by_cell_with_dates(frames, tmp_path):
    _, trajectories = frames
    fig = figures.build_rung_ladder(trajectories, start=dt.date(2023, 6, 5), by="cell")
    assert_labelled(fig)
    assert [ax.get_title() for ax in fig.axes] == ["cell = passing", "cell = strong"]
    path = tmp_path / "ladder_by.png"
    assert_png(path, figures.rung_ladder(trajectories, path, start=START, by="cell"))


# --------------------------------------------------------------------------------------
# The runner's frames and the details that keep figures readable
# --------------------------------------------------------------------------------------


def test_figures_from_frames_typed_as_the_runner_stores_them(frames, tmp_path):
    outcomes, trajectories = frames
    stored = trajectories.assign(
        variable=pd.Categorical(trajectories["variable"]),  # every category, some unused below
        cell=pd.Categorical(trajectories["cell"]),
        week=trajectories["week"].astype("int16"),
    )
    chosen = stored[stored["variable"].isin(["stance", "approval", "china_rung"])]
    fig = figures.build_fan_charts(chosen[chosen["variable"] != "china_rung"], variables=["stance", "approval"], by="cell")
    assert [ax.get_title() for ax in fig.axes] == [VARIABLES[v].title for v in ("stance", "approval")]
    assert_png(tmp_path / "ladder.png", figures.rung_ladder(chosen, tmp_path / "ladder.png", by="cell"))
    typed = outcomes.assign(partnership_week=outcomes["partnership_week"].astype("Int64"))
    assert_png(tmp_path / "out.png", figures.outcome_distributions(typed, tmp_path / "out.png", by="cell"))


def test_gridded_values_leave_no_empty_bins_between_grid_points():
    # stance moves in steps of 0.02; two groups on grids offset by 0.005; float noise as in runs
    a = 0.30 + 0.02 * np.array([0, 1, 1, 2, 3, 3, 3, 4, 6]) + 1e-16
    b = 0.305 + 0.02 * np.array([0, 2, 2, 3, 5, 7])
    edges = distributions._bin_edges([a, b])
    for values in (a, b):
        counts, _ = np.histogram(values, edges)
        grid_points = np.round((values - values.min()) / 0.02).astype(int)
        # each grid point from the lowest to the highest value lands in a bin of its own
        assert (counts > 0).sum() == len(set(grid_points))
    assert np.allclose(np.diff(edges), 0.02)
    # a fine grid gets bins a whole number of steps wide: shares of 300 voters, 8 runs
    shares = np.array([91, 100, 104, 105, 109, 112, 122, 125]) / 300
    edges = distributions._bin_edges([shares])
    width = np.diff(edges)[0] * 300
    assert abs(width - round(width)) < 1e-6 and 12 <= len(edges) - 1 <= 36
    # continuous values: equal bins over the range
    edges = distributions._bin_edges([np.random.default_rng(0).random(500)])
    assert 12 <= len(edges) - 1 <= 36


def test_group_labels_do_not_repeat_what_the_cell_label_says():
    assert style.group_label("cell", "china_language=strong, attendance=none") == "china_language=strong, attendance=none"
    assert style.group_label("cell", "strong") == "cell = strong"
    assert style.group_label("param_draw", 3) == "param_draw = 3"


def test_palette_is_okabe_ito():
    okabe_ito = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    assert set(figures.PALETTE) == okabe_ito and len(figures.PALETTE) == 8
    assert len(figures.RUNG_COLOURS) == len(RUNG_NAMES)


# --------------------------------------------------------------------------------------
# No global state
# --------------------------------------------------------------------------------------

_SIDE_EFFECTS = r"""
import json, sys, tempfile
from pathlib import Path
import matplotlib

def snapshot():
    return matplotlib.rcParams.copy()  # copies without resolving the backend

raw_before = matplotlib.get_backend(auto_select=False)
params_before = snapshot()
import pandas as pd
import nzsim
from nzsim import figures
from tests.helpers import make_spec
imported = {"raw_backend": matplotlib.get_backend(auto_select=False) == raw_before,
            "rcParams": snapshot() == params_before,
            "no_pyplot": "matplotlib.pyplot" not in sys.modules}

rep = nzsim.replicate(make_spec(context={"voters": 200}), 1)
long = rep.trajectories.reset_index().melt(id_vars="week", var_name="variable", value_name="value").assign(replication=0)
outcomes = pd.DataFrame([{"replication": 0, **rep.outcomes}])
with tempfile.TemporaryDirectory() as folder:
    figures.outcome_distributions(outcomes, Path(folder) / "a.png")
    figures.fan_charts(long, Path(folder) / "b.png")
    figures.rung_ladder(long, Path(folder) / "c.png")
drawn = {"raw_backend": matplotlib.get_backend(auto_select=False) == raw_before,
         "rcParams": snapshot() == params_before,
         "no_pyplot": "matplotlib.pyplot" not in sys.modules}

backend = matplotlib.get_backend()  # resolves the default backend (this imports pyplot)
params = snapshot()
import importlib, pkgutil
for info in pkgutil.iter_modules(figures.__path__):  # import (again) every module of the package
    importlib.reload(importlib.import_module(f"nzsim.figures.{info.name}"))
resolved = {"backend": matplotlib.get_backend() == backend, "rcParams": snapshot() == params}
print(json.dumps({"imported": imported, "drawn": drawn, "resolved": resolved}))
"""


def test_importing_and_drawing_change_no_global_matplotlib_state():
    result = subprocess.run(
        [sys.executable, "-c", _SIDE_EFFECTS], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {
        "imported": {"raw_backend": True, "rcParams": True, "no_pyplot": True},
        "drawn": {"raw_backend": True, "rcParams": True, "no_pyplot": True},
        "resolved": {"backend": True, "rcParams": True},
    }


def test_outcome_distributions_mark_one_replication(frames):
    outcomes, _ = frames
    marked = outcomes.iloc[2].to_dict()
    fig = figures.build_outcome_distributions(outcomes, ["final_stance", "trust_mean"], mark=marked, mark_label="your run")
    for ax, column in zip(fig.axes[:2], ["final_stance", "trust_mean"]):
        assert [t.get_text() for t in ax.texts].count("your run") == 1
        assert any(list(line.get_xdata()) == [marked[column]] * 2 for line in ax.get_lines())
    rung_texts = [t.get_text() for t in fig.axes[2].texts]
    assert "your run" in rung_texts
    plain = figures.build_outcome_distributions(outcomes, ["final_stance"])
    assert not any(t.get_text() == "marked" for ax in plain.axes for t in ax.texts)


def test_a_tiny_spread_is_drawn_on_a_range_that_shows_it_is_tiny():
    # interoperability 0.5620 to 0.5638: drawn zoomed in, it would fill the panel like a wide spread
    n = 40
    tiny = np.linspace(0.5620, 0.5638, n)
    frame = pd.DataFrame({
        "final_interoperability": tiny,
        "final_threat_share": tiny - 0.5,  # 6.2% to 6.38%: a share in per cent, near the bottom of the scale
        "final_stance": np.linspace(0.1, 0.9, n),  # wide: fills its panel as before
        "exports_lost_nzd_m": np.linspace(10.0, 10.01, n),  # no natural scale: left as it is
    })
    columns = list(frame.columns)
    fig = figures.build_outcome_distributions(frame, columns)
    interop, threat, stance, exports = fig.axes
    minimum = OUTCOMES["final_interoperability"].min_span
    assert minimum == OUTCOMES["final_threat_share"].min_span == 0.05
    for ax, values in ((interop, frame["final_interoperability"]), (threat, frame["final_threat_share"])):
        low, high = ax.get_xlim()
        assert high - low >= minimum - 1e-12 and 0 <= low and high <= 1
        assert (low + high) / 2 == pytest.approx((values.min() + values.max()) / 2)  # centred on the values
        bars = [p.get_width() for p in ax.patches if p.get_height() > 0]
        assert min(bars) >= (high - low) / 25 - 1e-12  # a bar or two wide enough to see, not slivers
    assert interop.get_xlim() == pytest.approx((0.5629 - 0.025, 0.5629 + 0.025))
    assert any(t.get_text() == "all runs within\n0.0018" for t in interop.texts)
    assert any(t.get_text() == "all runs within\n0.18 percentage points" for t in threat.texts)
    # a wide spread and an outcome without a natural scale keep their automatic range and no note
    assert stance.get_xlim() == pytest.approx((0.1 - 0.04, 0.9 + 0.04), abs=0.02)
    assert exports.get_xlim()[1] - exports.get_xlim()[0] < 0.02
    for ax in (stance, exports):
        assert not any(t.get_text().startswith("all runs within") for t in ax.texts)
    # near an end of the scale the range stops at it, and the note stands on the empty side
    ax = figures.build_outcome_distributions(pd.DataFrame({"final_stance": np.linspace(0.001, 0.004, n)}),
                                              ["final_stance"]).axes[0]
    assert ax.get_xlim() == pytest.approx((0.0, 0.05))
    assert [t.get_position()[0] for t in ax.texts if t.get_text().startswith("all runs")] == [0.97]
    # the dashboard's marked run stays in view and marked, even outside the runs' range
    fig = figures.build_outcome_distributions(frame, ["final_interoperability"], mark={"final_interoperability": 0.62},
                                               mark_label="your run")
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    assert low <= 0.5620 and high >= 0.62
    assert any(list(line.get_xdata()) == [0.62] * 2 for line in ax.get_lines())
    assert [t.get_text() for t in ax.texts].count("your run") == 1


# --------------------------------------------------------------------------------------
# Many groups, and the frontier's labels
# --------------------------------------------------------------------------------------


def _rgb(colour) -> tuple:
    from matplotlib.colors import to_rgb

    return tuple(round(c, 3) for c in to_rgb(colour))


@pytest.mark.parametrize("n", [9, 12])
def test_more_groups_than_colours_stay_distinguishable(frames, n):
    outcomes = pd.concat([frames[0].assign(cell=f"cell {i}") for i in range(n)], ignore_index=True)
    fig = figures.build_outcome_distributions(outcomes, ["final_stance"], by="cell")
    keys = [h for h in fig.legends[0].legend_handles if h.get_label().startswith("cell")]
    assert len(keys) == n
    looks = {(_rgb(h.get_edgecolor()), h.get_hatch() or "", str(h.get_linestyle())) for h in keys}
    assert len(looks) == n, "two groups share a colour and a style in the legend"
    outlines = [p for p in fig.axes[0].patches if not p.get_fill()]  # each group's step outline
    assert len({(_rgb(p.get_edgecolor()), str(p.get_linestyle())) for p in outlines}) == n
    bars = fig.axes[-1].containers  # the rung panel: one bar container per group
    assert len({(_rgb(c[0].get_facecolor()), c[0].get_hatch() or "") for c in bars}) == n

    weeks = np.arange(5)
    quantiles = pd.concat([pd.DataFrame({"variable": "stance", "week": weeks, "q25": 0.2 + i / 50, "q50": 0.3 + i / 50,
                                         "q75": 0.4 + i / 50, "run": f"run {i}"}) for i in range(n)], ignore_index=True)
    fig = figures.build_fan_charts(quantiles, by="run")
    medians = fig.axes[0].lines
    assert len(medians) == n and len({(_rgb(line.get_color()), line.get_linestyle()) for line in medians}) == n
    keys = [h for h in fig.legends[0].legend_handles if h.get_label().startswith("run")]
    assert len({(_rgb(h.get_edgecolor()), h.get_hatch() or "", str(h.get_linestyle())) for h in keys}) == n

    fig = figures.build_ecdfs(outcomes, ["final_stance"], by="cell")
    assert len({(_rgb(line.get_color()), line.get_linestyle()) for line in fig.axes[0].lines}) == n


def _frontier_frame(n: int) -> pd.DataFrame:
    """n runs with long lever-cell names: three on top of each other in the top right corner (one
    wide label, which must stay inside the panel), a column of points close below them (whose
    labels must move away, tied to their points), and the rest apart."""
    rng = np.random.default_rng(n)
    crowd = max(0, min(4, n - 3))
    rest = n - 3 - crowd
    x = np.r_[[0.60] * 3, [0.5995] * crowd, rng.uniform(0.53, 0.58, rest)][:n]
    y = np.r_[[250.0] * 3, 242 - 9 * np.arange(crowd), rng.uniform(0, 200, rest)][:n]
    z = np.r_[[0.7] * 3, 0.68 - 0.025 * np.arange(crowd), rng.uniform(0, 0.5, rest)][:n]
    names = [f"china_language={a}, attendance={b}" for a in ("none", "passing", "strong")
             for b in ("leader", "minister", "none", "deputy")][:n]
    frame = pd.DataFrame({"run": names, "final_interoperability": x, "exports_lost_nzd_m": y, "china_max_rung>=warning": z})
    frame["on_frontier"] = [i % 3 != 1 for i in range(n)]
    return frame


@pytest.mark.parametrize("n", [4, 6, 9, 12])
def test_frontier_labels_sit_by_their_points_inside_the_panels(n):
    frame = _frontier_frame(n)
    fig = figures.build_frontier(frame)
    assert_labelled(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        panel = ax.get_window_extent(renderer)
        notes = [t for t in ax.texts if t.get_text().strip()]
        numbers = sorted(int(part) for t in notes for part in t.get_text().split(", "))
        assert numbers == list(range(1, n + 1)), "each run's number once in each panel"
        boxes = [t.get_window_extent(renderer) for t in notes]
        for note, box in zip(notes, boxes):
            assert panel.x0 <= box.x0 and box.x1 <= panel.x1 and panel.y0 <= box.y0 and box.y1 <= panel.y1, \
                f"label {note.get_text()!r} runs outside its panel (over a title or an axis label)"
            point = ax.transData.transform(note.xy)
            gap = max(box.x0 - point[0], point[0] - box.x1, box.y0 - point[1], point[1] - box.y1, 0)
            # beside its point, or tied to it by a leader line
            assert gap <= 12 * fig.dpi / 72 or note.arrow_patch is not None, note.get_text()
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not a.overlaps(b), "two labels overprint"
    # the key beside the panels says which run each number is
    key = [t.get_text() for t in fig.legends[-1].get_texts()]
    assert [k.split()[0] for k in key] == [str(i) for i in range(1, n + 1)]
    assert " ".join(key[1].split()[1:]) == frame["run"][1]


def test_labels_of_points_in_a_panels_corners_stay_inside_it():
    fig = style.new_figure((4, 3))
    ax = fig.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    fig.canvas.draw()
    x, y = np.array([1.0, 0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0, 1.0])
    notes = comparing._label_points(ax, x, y, ["10, 11, 12", "3", "4", "5, 6"], ["#111111"] * 4)
    fig.canvas.draw()
    panel = ax.get_window_extent()
    for note in notes:
        box = note.get_window_extent()
        assert panel.x0 <= box.x0 and box.x1 <= panel.x1 and panel.y0 <= box.y0 and box.y1 <= panel.y1, note.get_text()

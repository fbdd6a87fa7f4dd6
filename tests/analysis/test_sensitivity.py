"""Global sensitivity (issue 15, item 2), checked against answers known in closed form.

SALib's Ishigami function is put into the model as an outcome of three parameters of its own,
so that its indices come through the whole path a real run takes: the design's points, the
quantile functions, the replications, the run folder and the analysis. Its Sobol indices are
known analytically (Saltelli et al. 2008, the Primer); a linear outcome's Morris effects are its
coefficients exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from SALib.test_functions import Ishigami

import nzsim
from nzsim import figures
from nzsim.analysis.sensitivity import sensitivity
from nzsim.catalogue import Fact, Outcome, Parameter, registered
from nzsim.runs.designs import exploratory_design
from tests.helpers import small_spec

NAMES = [f"ishigami.x{i}" for i in (1, 2, 3)]
PARAMETERS = [
    Parameter(name=name, default=0.0, unit="1", low=-math.pi, high=math.pi, meaning="an input of the Ishigami function",
              source="assumption: the test function's domain, [-pi, pi]")
    for name in NAMES
]
INPUTS = Fact(name="ishigami_inputs", read=lambda m: tuple(m.params[n] for n in NAMES))


def _outcome(name: str, f) -> Outcome:
    return Outcome(name=name, type="float", kind="numeric", direction="max",
                   reduce=lambda ending: [float(f(np.asarray(x))) for x in ending.fact("ishigami_inputs")],
                   title=name, unit="1", words=name)


ISHIGAMI = _outcome("ishigami", lambda x: Ishigami.evaluate(x[None, :])[0])
#: On the unit scale of each input's range, 3 u1 + u2: Morris's effects are 3, 1 and 0 exactly.
LINEAR = _outcome("linear", lambda x: 3 * (x[0] + math.pi) / (2 * math.pi) + (x[1] + math.pi) / (2 * math.pi))
#: Analytic indices of the Ishigami function with A = 7, B = 0.1.
S1 = {"ishigami.x1": 0.3139, "ishigami.x2": 0.4424, "ishigami.x3": 0.0}
ST = {"ishigami.x1": 0.5576, "ishigami.x2": 0.4424, "ishigami.x3": 0.2437}


@pytest.fixture
def quick():
    """A scenario of seven weeks (the summit in the sixth) and few voters (the Ishigami outcome does not depend on them)."""
    with registered(*PARAMETERS, INPUTS, ISHIGAMI, LINEAR):
        yield small_spec(name="ishigami", horizon_weeks=7, context={"voters": 100}, events={"election": None})


def _run(spec, tmp_path, kind, **options):
    design = exploratory_design(spec, kind, factors=NAMES, **options)
    return nzsim.run_ensemble(spec, seed=11, workers=1, out=tmp_path / kind, design=design)


def test_sobol_indices_of_the_ishigami_function_come_through_the_design_and_the_run_folder(quick, tmp_path):
    run = _run(quick, tmp_path, "sobol", samples=512, seeds=2)
    assert len(run.experiments) == 512 * 5 and len(run.outcomes) == 512 * 5 * 2
    table = sensitivity(run, outcomes=["ishigami", "final_stance"], resamples=100)
    ishigami = table[table["outcome"] == "ishigami"].set_index("factor")
    assert ishigami["method"].eq("sobol").all() and list(ishigami["rank"]) == [1, 2, 3]
    for name in NAMES:
        assert ishigami.loc[name, "index"] == pytest.approx(ST[name], abs=0.06), name
        assert ishigami.loc[name, "first_order"] == pytest.approx(S1[name], abs=0.06), name
        assert ishigami.loc[name, "index_low"] <= ishigami.loc[name, "index"] <= ishigami.loc[name, "index_high"]
    assert list(ishigami.index) == ["ishigami.x1", "ishigami.x2", "ishigami.x3"]  # ranked by ST
    # a function of the parameters alone has no chance in it; the model's own outcomes have
    assert ishigami["chance_share"].iloc[0] == pytest.approx(0.0, abs=1e-9)
    stance = table[table["outcome"] == "final_stance"]
    assert len(stance) == 3 and stance["chance_share"].iloc[0] > 0.5  # three inputs the model never reads
    # the figure: a panel per outcome, its factors ranked top down, its chance share in its title
    fig = figures.build_sensitivity(table)
    first, second = fig.axes[:2]
    assert first.get_title() == "ishigami; chance 0% of its variance"
    ticks = sorted(zip(first.get_yticks(), (t.get_text() for t in first.get_yticklabels())), reverse=True)
    assert [name for _, name in ticks] == ["ishigami.x1", "ishigami.x2", "ishigami.x3"]  # top down
    assert second.get_title().startswith("NZ's stance at the end; chance ")
    assert fig.get_suptitle() == "What moves each outcome (sobol; bars: 95% intervals)"


def test_morris_effects_of_a_linear_outcome_are_its_coefficients(quick, tmp_path):
    run = _run(quick, tmp_path, "morris", samples=10, levels=4)
    table = sensitivity(run, outcomes=["linear"]).set_index("factor")
    assert table["method"].eq("morris").all()
    assert table["index"].to_dict() == pytest.approx({"ishigami.x1": 3.0, "ishigami.x2": 1.0, "ishigami.x3": 0.0}, abs=1e-9)
    assert table["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


def test_the_given_data_method_reads_a_latin_hypercube(quick, tmp_path):
    run = _run(quick, tmp_path, "lhs", samples=1500, seeds=1)
    table = sensitivity(run, outcomes=["ishigami"], resamples=20).set_index("factor")
    assert table["method"].eq("delta").all() and np.isnan(table["chance_share"]).all()  # one seed an experiment
    assert table.index[0] == "ishigami.x2" and table.index[-1] == "ishigami.x3"  # delta's ranking
    # its first order is a binned estimate, low for the non-monotone x2 at this size; it tells x3 apart
    assert table.loc["ishigami.x3", "first_order"] < 0.05 < 0.2 < table.loc[["ishigami.x1", "ishigami.x2"], "first_order"].min()
    with pytest.raises(ValueError, match="needs a run made with --design sobol"):
        sensitivity(run, method="sobol")


@pytest.fixture(scope="module")
def lhs_run(tmp_path_factory):
    spec = small_spec(name="screened", horizon_weeks=7, context={"voters": 100}, events={"election": None})
    design = exploratory_design(spec, "lhs", samples=40, seeds=2, factors=["china.trade_threshold", "china.lift_hazard"])
    return nzsim.run_ensemble(spec, seed=4, workers=1, out=tmp_path_factory.mktemp("runs") / "lhs", design=design)


def _sensitivity(*argv):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "nzsim", "sensitivity", *map(str, argv)], capture_output=True,
                          text=True, timeout=180)


def test_nzsim_sensitivity_prints_the_ranking_and_writes_its_files(lhs_run):
    result = _sensitivity(lhs_run.path, "--outcomes", "final_stance,china_max_rung>=rebuke", "--top", "1")
    assert result.returncode == 0, result.stderr
    table = sensitivity(lhs_run, outcomes=["final_stance", "china_max_rung>=rebuke"])
    stored = __import__("pandas").read_csv(lhs_run.path / "sensitivity.csv")
    assert len(stored) == len(table) and list(stored["factor"]) == list(table["factor"])
    for outcome, part in table.groupby("outcome", sort=False):
        best = part.iloc[0]
        assert f"{outcome} (delta (given data), 40 experiments; chance {best['chance_share']:.0%}" in result.stdout
        assert f"     1  {best['factor']}" in result.stdout and "... 1 more factors in sensitivity.csv" in result.stdout
    assert (lhs_run.path / "figures" / "sensitivity.png").stat().st_size > 10_000


@pytest.mark.parametrize("argv, words", [
    (["--outcomes", "no_such_thing"], "--outcomes: 'no_such_thing' is not an outcome of this run"),
    (["--method", "sobol"], "the sobol method needs a run made with --design sobol; this run's design is lhs"),
])
def test_nzsim_sensitivity_mistakes_are_one_line_and_exit_2(lhs_run, argv, words):
    result = _sensitivity(lhs_run.path, *argv)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and words in lines[0], result.stderr

"""Exploratory designs (issue 15, item 1): experiments over parameters crossed with lever cells,
each under several seeds, stored with their experiments table, resumable, and the same
whatever the workers; distributions honoured through their quantile functions."""

from __future__ import annotations

import re
from pathlib import Path
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

import nzsim
from nzsim.catalogue.parameters import BY_NAME
from nzsim.runs import runfolder
from nzsim.runs.designs import Design, exploratory_design
from nzsim.runs.experiments import DesignError, default_factor_names, experiment_count
from tests.helpers import ROOT, small_spec

FACTORS = ["china.trade_threshold", "partner.australia.trust0"]


@pytest.fixture(scope="module")
def spec():
    return small_spec(name="explored", context={"voters": 100}, horizon_weeks=7, events={"election": None},
                      levers={"events.vilnius.signals.china_language": ["passing", "strong"]})


def test_an_lhs_design_is_stored_with_its_experiments_and_shares_seeds_across_cells(spec, tmp_path):
    design = exploratory_design(spec, "lhs", samples=10, seeds=3, factors=FACTORS)
    assert design.replications == 30 and design.experiments == 10
    run = nzsim.run_ensemble(spec, seed=5, workers=1, out=tmp_path / "lhs", design=design)
    table, outcomes = run.experiments, run.outcomes
    assert len(table) == 2 * 10 and set(table["cell"]) == set(outcomes["cell"])
    assert len(outcomes) == 2 * 30 and set(outcomes["seed_index"]) == {0, 1, 2}
    # every replication carries its experiment's values, as the experiments table holds them
    joined = outcomes.merge(table, on=["cell", "experiment"], suffixes=("", "_table"))
    for name in FACTORS:
        assert np.array_equal(joined[f"param.{name}"], joined[f"param.{name}_table"])
    # a Latin hypercube: each factor's values fall one in each tenth of its range
    for name in FACTORS:
        p = BY_NAME[name]
        values = table[table["cell"] == table["cell"].iloc[0]][f"param.{name}"]
        assert sorted(((values - p.low) / (p.high - p.low) * 10).astype(int)) == list(range(10))
    # the cells share experiments and seeds (common random numbers): they differ by their levers alone
    a, b = (part.sort_values("replication") for _, part in outcomes.groupby("cell"))
    assert a["seed"].tolist() == b["seed"].tolist()
    assert np.array_equal(a[[f"param.{n}" for n in FACTORS]], b[[f"param.{n}" for n in FACTORS]])
    assert run.manifest["design"]["kind"] == "lhs" and run.manifest["design"]["factors"][0][0] == FACTORS[0]
    # the same seed gives the same replications with two workers
    again = nzsim.run_ensemble(spec, seed=5, workers=2, out=tmp_path / "again", design=design)
    assert again.outcomes.equals(outcomes) and again.experiments.equals(table)


def test_an_interrupted_design_resumes_to_the_same_run(spec, tmp_path):
    design = exploratory_design(spec, "sobol", samples=8, seeds=2, factors=FACTORS)
    assert design.replications == experiment_count("sobol", 2, 8, 0, False) * 2 == 8 * 4 * 2
    whole = nzsim.run_ensemble(spec, seed=2, workers=1, out=tmp_path / "whole", design=design, chunk_size=8)

    done = []

    def stop_after_some(more: int) -> None:  # a Ctrl+C once three chunks are in
        done.append(more)
        if sum(done) >= 24:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        nzsim.run_ensemble(spec, seed=2, workers=1, out=tmp_path / "cut", design=design, chunk_size=8,
                           progress=stop_after_some)
    kept = runfolder.finished_chunks(tmp_path / "cut")
    assert 0 < len(kept) < 2 * 8 and runfolder.read_manifest(tmp_path / "cut")["status"] == "interrupted"
    resumed = nzsim.run_ensemble(spec, workers=1, out=tmp_path / "cut", resume=True)  # the design from the manifest
    assert resumed.outcomes.equals(whole.outcomes) and resumed.experiments.equals(whole.experiments)
    assert Design.from_dict(resumed.manifest["design"]) == design


def test_a_declared_distribution_is_honoured_not_clipped(tmp_path):
    # a normal whose mean sits near the top of the range: truncated, no probability piled on the bound
    spec = small_spec(name="normal", context={"voters": 100}, horizon_weeks=7, events={"election": None},
                      uncertainties={"partner.australia.trust0": {"dist": "normal", "mean": 0.95, "sd": 0.1}})
    design = exploratory_design(spec, "lhs", samples=400, factors=["partner.australia.trust0"])
    values = design.experiment_values(spec, root_seed=1)[:, 0]
    assert values.max() < 1.0 and values.min() > 0.5
    truncated = stats.truncnorm((0 - 0.95) / 0.1, (1 - 0.95) / 0.1, loc=0.95, scale=0.1)
    assert stats.kstest(values, truncated.cdf).pvalue > 0.05
    assert np.mean(values) == pytest.approx(truncated.mean(), abs=0.005)


def test_a_factorial_design_takes_each_range_at_evenly_spaced_levels(spec):
    design = exploratory_design(spec, "factorial", levels=3, factors=FACTORS)
    values = design.experiment_values(spec, root_seed=0)
    assert design.replications == 9 and values.shape == (9, 2)
    assert sorted(set(values[:, 0])) == [0.0, 10.0, 20.0] and sorted(set(values[:, 1])) == [0.0, 0.5, 1.0]


def test_the_default_factors_are_every_assumption_the_scenario_leaves_free():
    spec = small_spec(parameters={"china.trade_threshold": 3.0})
    names = default_factor_names(spec)
    assert "china.trade_threshold" not in names and len(names) > 50
    assert all(BY_NAME[n].is_assumption for n in names)
    design = exploratory_design(spec, "morris", samples=2)
    assert design.factor_names == tuple(names) and design.replications == 2 * (len(names) + 1)


@pytest.mark.parametrize("options, field, words", [
    ({"kind": "sobol", "samples": 8, "factors": ["china.nope"]}, "factors", "unknown parameter name 'china.nope'"),
    ({"kind": "lhs", "samples": 20, "factors": FACTORS, "ranges": {"china.trade_threshold": (-1, 3)}}, "range",
     "within the parameter's range [0, 20]"),
    ({"kind": "sobol", "samples": 4, "factors": FACTORS}, "samples", "at least 8 samples"),
    ({"kind": "sobol", "samples": 12, "factors": FACTORS}, "samples", "a power of 2"),
    ({"kind": "lhs", "factors": FACTORS}, "samples", "needs --samples"),
    ({"kind": "lhs", "samples": 20, "factors": FACTORS, "seeds": 0}, "seeds", "seeds per experiment >= 1"),
    ({"kind": "factorial", "levels": 1, "factors": FACTORS}, "levels", "at least 2 levels"),
    ({"kind": "lhs", "samples": 20, "factors": ["china.trade_threshold"], "ranges": {"election.noise": (0, 1)}},
     "range", "not a factor"),
])
def test_bad_design_options_name_the_option(spec, options, field, words):
    options = dict(options)
    with pytest.raises(DesignError, match=re.escape(words)) as caught:
        exploratory_design(spec, options.pop("kind"), **options)
    assert caught.value.field == field


@pytest.mark.parametrize("argv, words", [
    (["--design", "sobol", "--samples", "8", "--factors", "china.nope"], "--factors: unknown parameter name 'china.nope'"),
    (["--design", "lhs", "--samples", "20", "--factors", "china.trade_threshold", "--range",
      "china.trade_threshold=-5:3"], "--range: china.trade_threshold over [-5, 3]"),
    (["--design", "sobol", "--samples", "4"], "--samples: the sobol design needs at least 8 samples"),
    (["--samples", "8"], "--samples needs an exploratory design"),
    (["--design", "lhs", "--samples", "20", "--reps", "5"], "--reps does not apply to --design lhs"),
])
def test_bad_design_options_on_the_command_line_are_one_line_and_exit_2(tmp_path, argv, words):
    out = tmp_path / "run"
    result = subprocess.run([sys.executable, "-m", "nzsim", "run", str(ROOT / "scenarios" / "vilnius-2023.yaml"),
                             *argv, "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"nzsim run: error: {words}"), result.stderr
    assert not out.exists()



def test_explore_builds_and_runs_a_design_without_a_scenario_file(tmp_path):
    path = ROOT / "scenarios" / "vilnius-2023.yaml"
    spec = nzsim.load(path)
    run = nzsim.explore(path, "lhs", samples=10, seeds=1, factors=FACTORS, seed=3, workers=1, out=tmp_path / "x",
                        chunk_size=5)
    expected = exploratory_design(spec, "lhs", samples=10, seeds=1, factors=FACTORS)
    assert Design.from_dict(run.manifest["design"]) == expected and run.manifest["scenario_file"] == str(path)
    assert len(run.outcomes) == 10 and list(run.experiments["experiment"]) == list(range(10))
    with pytest.raises(DesignError, match="samples: the lhs design needs at least 10 samples"):
        nzsim.explore(spec, "lhs", samples=3, factors=FACTORS, out=tmp_path / "y")
    assert not (tmp_path / "y").exists()


def _design_file(tmp_path, design: str) -> Path:
    path = tmp_path / "explored.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'vilnius-2023.yaml'}\nname: explored\ndescription: Explored.\n"
                    "references: [A test.]\ncontext:\n  voters: 200\n"
                    f"design:\n{design}")
    return path


def test_a_design_declared_in_the_scenario_file_is_the_one_run(tmp_path):
    path = _design_file(tmp_path, "  kind: lhs\n  samples: 10\n  seeds: 2\n  factors: [china.trade_threshold]\n"
                                  "  ranges: {china.trade_threshold: [2, 12]}\n")
    spec = nzsim.load(path)
    assert spec.design.kind == "lhs" and dict(spec.design.ranges) == {"china.trade_threshold": (2.0, 12.0)}
    result = subprocess.run([sys.executable, "-m", "nzsim", "run", str(path), "--workers", "1", "--no-figures",
                             "--no-progress", "--out", str(tmp_path / "run")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    run = nzsim.load_run(tmp_path / "run")
    assert run.manifest["design"]["kind"] == "lhs" and run.manifest["design"]["factors"] == [["china.trade_threshold", 2.0, 12.0]]
    assert len(run.outcomes) == 20 and run.experiments["param.china.trade_threshold"].between(2, 12).all()
    # the same from Python, and the command line's options replace the file's
    assert Design.from_dict(run.manifest["design"]) == nzsim.runs.designs.checked_design(spec, None, None, None, None)
    assert nzsim.scenario.from_dict(spec.dump()).design == spec.design
    assert "design" not in nzsim.load(ROOT / "scenarios" / "vilnius-2023.yaml").dump()  # no null where none is declared


@pytest.mark.parametrize("design, words", [
    ("  kind: sobol\n  samples: 12\n  factors: [china.trade_threshold]\n", "explored.yaml: design.samples: the sobol design needs a power of 2"),
    ("  kind: lhs\n  samples: 10\n  factors: [china.trade_threshold]\n  ranges: {china.trade_threshold: [-1, 3]}\n",
     "explored.yaml: design.ranges: china.trade_threshold over [-1, 3]"),
    ("  kind: halton\n  samples: 10\n", "explored.yaml: design.kind:"),
    ("  kind: lhs\n  samples: 10\n  factors: [china.nope]\n", "explored.yaml: design.factors.0: unknown parameter name 'china.nope'"),
])
def test_a_bad_design_in_the_file_names_the_file_and_the_field(tmp_path, design, words):
    path = _design_file(tmp_path, design)
    result = subprocess.run([sys.executable, "-m", "nzsim", "run", str(path), "--out", str(tmp_path / "run")],
                            capture_output=True, text=True, timeout=120)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and words in lines[0], result.stderr
    assert not (tmp_path / "run").exists()


def test_an_unfinished_run_that_clipped_a_normal_is_not_resumed_with_truncated_draws(tmp_path):
    spec = small_spec(name="normal", context={"voters": 100}, horizon_weeks=7, events={"election": None},
                      uncertainties={"partner.australia.trust0": {"dist": "normal", "mean": 0.95, "sd": 0.1}})
    run = nzsim.run_ensemble(spec, reps=10, seed=1, workers=1, out=tmp_path / "old", chunk_size=5)
    manifest = runfolder.read_manifest(run.path)
    manifest.update(format="nzsim-run/3", status="interrupted")  # as an earlier version left it
    runfolder.write_manifest(run.path, manifest)
    with pytest.raises(nzsim.runs.RunFolderError, match="clipped a normal uncertainty where this one truncates it"):
        nzsim.run_ensemble(spec, workers=1, out=run.path, resume=True)
    # the draws are truncated: none lies on the top of the range, as clipping put about a third there
    assert (run.outcomes["param.partner.australia.trust0"] < 1.0).all()


def test_a_design_runs_the_same_on_a_dask_cluster(spec, tmp_path):
    from nzsim.runs import dask_executor

    design = exploratory_design(spec, "morris", samples=2, seeds=2, factors=FACTORS)
    local = nzsim.run_ensemble(spec, seed=8, workers=1, out=tmp_path / "local", design=design, chunk_size=3)
    with dask_executor(None, 2) as executor:
        remote = nzsim.run_ensemble(spec, seed=8, executor=executor, out=tmp_path / "dask", design=design, chunk_size=3)
    assert remote.manifest["executor"] != local.manifest["executor"]
    assert remote.outcomes.equals(local.outcomes) and remote.experiments.equals(local.experiments)


def test_a_scenario_field_can_be_a_factor_over_a_range_given(spec, tmp_path):
    field = "events.vilnius.signals.personnel"
    design = exploratory_design(spec, "lhs", samples=10, seeds=2, factors=[field, "china.trade_threshold"],
                                ranges={field: (0, 1000)})
    run = nzsim.run_ensemble(spec, seed=4, workers=1, out=tmp_path / "fields", design=design)
    values = run.outcomes[f"param.{field}"]
    assert values.between(0, 1000).all() and (values == values.round()).all() and values.nunique() == 10
    # each replication ran the scenario with that field set: retold alone, it ends the same
    row = run.outcomes[run.outcomes["cell"] == run.outcomes["cell"].iloc[0]].iloc[3]
    cell = row["cell"].split("=", 1)[1]
    changed = nzsim.scenario.from_dict(nzsim.scenario.merge(spec.dump(), {
        "levers": {}, "events": {"vilnius": {"signals": {"personnel": int(row[f"param.{field}"]), "china_language": cell}}}}))
    alone = nzsim.replicate(changed, seed=int(row["seed"]), params={"china.trade_threshold": row["param.china.trade_threshold"]})
    assert alone.outcomes["final_interoperability"] == pytest.approx(row["final_interoperability"], abs=1e-12)


@pytest.mark.parametrize("factors, ranges, field, words", [
    (["events.vilnius.signals.personnel"], {}, "range", "scenario field, which has no documented range"),
    (["events.vilnius.signals.attendance"], {}, "factors", "not a number; vary text or yes/no fields with levers:"),
    (["events.vilnius.signals.china_language"], {}, "factors", "is a lever of the scenario: a factor would override"),
    (["context.voters"], {"context.voters": (100, float("inf"))}, "range", "expected finite ends"),
    (["events.nowhere.signals.personnel"], {}, "factors", "is not a field of the scenario"),
    (["events.vilnius.signals.personnel"], {"events.vilnius.signals.personnel": (-5, 10)}, "range",
     "events.vilnius.signals.personnel = -5 makes the scenario invalid"),
])
def test_a_bad_scenario_field_factor_names_the_option(spec, factors, ranges, field, words):
    with pytest.raises(DesignError, match=re.escape(words)) as caught:
        exploratory_design(spec, "lhs", samples=10, factors=factors, ranges=ranges)
    assert caught.value.field == field


def test_the_report_retells_a_designed_replication_with_its_experiments_values(tmp_path):
    from nzsim.reports.html import retell

    spec = small_spec(name="retold", context={"voters": 100}, horizon_weeks=7, events={"election": None})
    field = "events.vilnius.signals.personnel"
    design = exploratory_design(spec, "lhs", samples=10, factors=[field, "china.trade_threshold"], ranges={field: (0, 1000)})
    run = nzsim.run_ensemble(spec, seed=6, workers=1, out=tmp_path / "run", design=design)
    for _, row in run.outcomes.iloc[[0, 7]].iterrows():
        story, same = retell(run, row)
        assert same, row["replication"]  # without the design's values it would not end as stored
        assert f"deploys {int(row[f'param.{field}'])} personnel" in story or int(row[f"param.{field}"]) == 0
    page = nzsim.reports.write_html_report(run).read_text()
    assert "lhs: 10 experiments x 1 seeds over 2 factors" in page and "does not reproduce" not in page


def test_a_declared_distribution_takes_no_range_and_a_choice_keeps_to_its_weights():
    from nzsim.scenario.distributions import Choice
    from nzsim.scenario.sampling import quantiles

    spec = small_spec(uncertainties={"china.lift_hazard": {"dist": "uniform", "low": 0.01, "high": 0.05}})
    with pytest.raises(DesignError, match="follows the distribution the scenario's uncertainties: declare") as caught:
        exploratory_design(spec, "lhs", samples=10, factors=["china.lift_hazard"], ranges={"china.lift_hazard": (0.02, 0.03)})
    assert caught.value.field == "range"
    u = np.array([0.0, 0.25, 1 / 3, 0.5, 2 / 3, 0.75, 1.0])
    zero_last = Choice(dist="choice", values=(1, 2, 3), weights=(1, 1, 0))
    zero_first = Choice(dist="choice", values=(1, 2, 3), weights=(0, 1, 1))
    assert set(quantiles(zero_last, u, 0, 10)) == {1.0, 2.0} and set(quantiles(zero_first, u, 0, 10)) == {2.0, 3.0}
    assert quantiles(Choice(dist="choice", values=(1, 2, 3)), u, 1.5, 2.5).tolist() == [1.5, 1.5, 2.0, 2.0, 2.5, 2.5, 2.5]

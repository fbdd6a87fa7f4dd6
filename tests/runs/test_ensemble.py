"""The ensemble runner (issue 3): seeds, identical frames whatever the executor, designs, hygiene.

Every run here is small (300 voters, 20 weeks, a few dozen replications) and written to a
temporary folder. The summary table and figures are the business of nzsim.reports and
nzsim.figures, tested elsewhere (and once from the command line).
"""

from __future__ import annotations

import json
import logging
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

import nzsim
from nzsim.runs import runfolder
from nzsim.runs import Design, InlineExecutor, dask_executor, run_ensemble
from nzsim.runs.designs import chunk_bounds, default_chunk_size
from nzsim.seeds import replication_seed
from nzsim.catalogue.outcomes import column_types
from nzsim.runs.runfolder import Run
from nzsim.scenario import ScenarioError, load
from tests.helpers import assert_same_frames, small_spec
from tests.helpers import run_frames as frames

ROOT = Path(__file__).resolve().parents[2]

UNCERTAIN = {
    "china.grievance_half_life_weeks": {"dist": "uniform", "low": 4, "high": 12},
    "election.approval_weight": {"dist": "triangular", "low": 0.0, "mode": 0.04, "high": 0.1},
}


def worker_ids(run: Run) -> set[str]:
    return {c["worker"] for c in run.manifest["chunks"]}


# --------------------------------------------------------------------------------------
# 1. Seeds
# --------------------------------------------------------------------------------------


def independent_seed(root: int, i: int, n: int) -> int:
    """Replication i's seed computed as issue 3 says: 63 bits of the i-th SeedSequence child."""
    child = np.random.SeedSequence(root).spawn(n)[i]
    return int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))


@settings(max_examples=40, deadline=None)
@given(root=st.integers(0, 2**70), n=st.integers(1, 30), data=st.data())
def test_replication_seed_is_63_bits_of_the_spawned_child(root, n, data):
    i = data.draw(st.integers(0, n - 1))
    seed = replication_seed(root, i)
    assert seed == independent_seed(root, i, n)
    assert seed == replication_seed(root, i)  # deterministic
    assert isinstance(seed, int) and 0 <= seed < 2**63  # fits a signed 64-bit integer


def test_replication_seeds_differ_across_replications_and_roots():
    seeds = [replication_seed(2024, i) for i in range(500)]
    assert len(set(seeds)) == len(seeds)
    assert all(0 <= s <= np.iinfo(np.int64).max for s in seeds)
    assert replication_seed(2024, 0) != replication_seed(2025, 0)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The reference run: inline (one worker), chunks of 5, seed 21, 30 replications."""
    spec = small_spec(uncertainties=UNCERTAIN)
    out = tmp_path_factory.mktemp("reference") / "run"
    return run_ensemble(spec, 30, seed=21, workers=1, chunk_size=5, out=out)


def test_stored_seeds_are_the_replication_seeds(reference):
    out = reference.outcomes
    assert out["replication"].tolist() == list(range(30))
    assert out["seed"].tolist() == [independent_seed(21, i, 30) for i in range(30)]
    assert out["seed"].dtype == np.int64


@pytest.mark.parametrize("i", range(30))
def test_replicate_with_the_stored_seed_retells_the_replication(reference, i):
    """``nzsim.replicate(spec, seed)`` reproduces replication i's row, trajectories and events: the
    outcomes a chunk computes for all its replications at once are those of each one alone."""
    spec = small_spec(uncertainties=UNCERTAIN)
    row = reference.outcomes.set_index("replication").loc[i]
    rep = nzsim.replicate(spec, seed=int(row["seed"]))
    for name, value in rep.outcomes.items():
        if value is None:
            assert pd.isna(row[name]), name
        else:
            assert row[name] == value, name
    assert set(rep.outcomes) == set(column_types())
    for name, value in rep.sampled.items():
        assert row[f"param.{name}"] == value
    traj = reference.trajectories
    wide = traj[traj["replication"] == i].pivot(index="week", columns="variable", values="value")
    wide.columns = wide.columns.astype(str)
    wide = wide[list(rep.trajectories.columns)]
    assert_frame_equal(wide, rep.trajectories, check_names=False, check_dtype=False, check_index_type=False,
                       check_column_type=False)
    events = reference.events
    mine = events[events["replication"] == i]
    assert mine["description"].tolist() == rep.events()["description"].tolist()
    assert mine["event"].astype(str).tolist() == rep.events()["event"].tolist()
    assert mine["week"].tolist() == rep.events()["week"].tolist()


def test_the_reference_run_varies_in_what_the_outcome_columns_compute(reference):
    """The check above means something only if the replications differ where outcomes are computed."""
    out = reference.outcomes
    for name in ("final_stance", "peak_stance", "mean_approval", "final_threat_share", "incumbent_share"):
        assert out[name].nunique() > 1, name
    assert out["election_held"].all()


def test_a_chunk_with_coercion_computes_each_replications_outcomes_as_alone():
    """Joining AUKUS Pillar II at Washington 2024, where trade measures come in some runs but not all:
    every outcome of a chunk, computed for all its replications at once, equals the replication's
    own outcome row."""
    from nzsim.runs.worker import ChunkTask, run_chunk
    from nzsim.scenario import cells

    spec = load(Path(__file__).resolve().parents[2] / "scenarios" / "washington-2024-join-aukus-pillar2.yaml")
    cell = cells(spec)[0]
    result = run_chunk(ChunkTask(cell.index, cell.label, dict(cell.levers), cell.scenario, 5, Design("monte_carlo", 12),
                                 0, 0, 12))
    rows = result["tables"]["outcomes"].to_pylist()
    assert {r["trade_coercion"] for r in rows} == {True, False}
    assert len({r["china_max_rung"] for r in rows}) > 1 and len({r["coercion_weeks"] for r in rows}) > 2
    for row in rows:
        alone = nzsim.replicate(spec, seed=row["seed"]).outcomes
        assert {k: row[k] for k in alone} == alone, row["replication"]


def test_outcomes_that_cannot_be_computed_name_their_replication(monkeypatch):
    """A chunk's outcomes are computed at once; when that fails the chunk finds the replication
    whose outcomes fail on its own and reports it with its seed, as for a failing model."""
    from nzsim.runs import loop, worker
    from nzsim.scenario import cells

    def chunk_fails(*args, **kwargs):
        raise ValueError("no rung 9")

    calls = []

    def third_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise ValueError("no rung 9")
        return {}

    monkeypatch.setattr(loop, "outcome_columns", chunk_fails)
    monkeypatch.setattr(loop, "outcome_row", third_fails)
    cell = cells(small_spec(uncertainties=UNCERTAIN))[0]
    task = worker.ChunkTask(cell.index, cell.label, dict(cell.levers), cell.scenario, 21,
                            Design("monte_carlo", 10), 1, 5, 10)
    with pytest.raises(nzsim.runs.ReplicationFailed) as failed:
        worker.run_chunk(task)
    assert failed.value.replication == 7 and failed.value.seed == independent_seed(21, 7, 10)
    assert "ValueError: no rung 9" in str(failed.value)


# --------------------------------------------------------------------------------------
# 2. The same frames whatever the executor
# --------------------------------------------------------------------------------------


def test_frames_are_in_replication_order(reference):
    for name, frame in frames(reference).items():
        assert frame["replication"].is_monotonic_increasing, name


def test_process_pool_gives_the_same_frames(reference, tmp_path):
    spec = small_spec(uncertainties=UNCERTAIN)
    run = run_ensemble(spec, 30, seed=21, workers=2, chunk_size=5, out=tmp_path / "run")
    assert_same_frames(reference, run)
    assert run.manifest["executor"] == "ProcessPoolExecutor" and run.manifest["parent_computes"] is True
    used = {int(w.rsplit(":", 1)[1]) for w in worker_ids(run)}
    assert os.getpid() in used  # this process is one of the two workers (decision 31) ...
    assert len(used) == 2  # ... and a pool of one process the other


def test_a_given_pool_does_all_the_computing(reference, tmp_path):
    spec = small_spec(uncertainties=UNCERTAIN)
    pool = nzsim.runs.process_pool(2)
    try:
        run = run_ensemble(spec, 30, seed=21, executor=pool, chunk_size=5, out=tmp_path / "run")
    finally:
        pool.shutdown()
    assert_same_frames(reference, run)
    assert run.manifest["parent_computes"] is False
    used = {int(w.rsplit(":", 1)[1]) for w in worker_ids(run)}
    assert used and os.getpid() not in used  # the caller chose where the work runs


def test_chunk_size_does_not_change_the_frames(reference, tmp_path):
    spec = small_spec(uncertainties=UNCERTAIN)
    run = run_ensemble(spec, 30, seed=21, workers=1, chunk_size=7, out=tmp_path / "run")
    assert len(run.manifest["chunks"]) == 5
    assert_same_frames(reference, run)


def test_a_fixed_chunk_plan_cuts_equal_chunks_and_a_short_last_one():
    assert chunk_bounds(23, 5) == [(0, 5), (5, 10), (10, 15), (15, 20), (20, 23)]
    assert chunk_bounds(23, 5, taper_workers=1) == chunk_bounds(23, 5)  # one worker has nobody to wait for
    assert chunk_bounds(3, 10) == [(0, 3)]


def test_a_tapering_plan_takes_a_quarter_of_what_is_left_with_two_workers():
    # Worked by hand: left 40 -> min(8, 10) = 8; 32 -> 8; 24 -> 6; 18 -> 5 (4.5 up); 13 -> 4, raised
    # to the floor of 5; 8 -> 5; 3 -> what is left.
    assert chunk_bounds(40, 8, taper_workers=2) == [(0, 8), (8, 16), (16, 22), (22, 27), (27, 32), (32, 37), (37, 40)]
    # Chunks smaller than the floor stay as asked: the taper never makes a chunk larger.
    assert chunk_bounds(12, 3, taper_workers=2) == chunk_bounds(12, 3)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 5000), workers=st.integers(2, 8), data=st.data())
def test_a_tapering_plan_covers_every_replication_once_in_shrinking_chunks(n, workers, data):
    size = data.draw(st.integers(1, 200))
    bounds = chunk_bounds(n, size, taper_workers=workers)
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))  # contiguous, no gap, no overlap
    sizes = [stop - start for start, stop in bounds]
    assert all(0 < k <= size for k in sizes)
    assert sizes == sorted(sizes, reverse=True)  # never growing toward the end
    for (start, stop), k in zip(bounds, sizes):
        left = n - start
        if left >= 2 * workers * size:  # plenty left: a full chunk
            assert k == size
        else:  # then at most a (2 x workers)-th of what is left, or the floor of 5
            assert k <= max(-(-left // (2 * workers)), min(5, size))


@pytest.fixture(scope="module")
def tapered(tmp_path_factory):
    """120 replications, two workers' default plan (run inline, so no pool is needed to plan it)."""
    spec = small_spec(uncertainties=UNCERTAIN)
    return run_ensemble(spec, 120, seed=21, workers=2, executor=InlineExecutor(),
                        out=tmp_path_factory.mktemp("tapered") / "run")


def test_the_default_plan_tapers_and_is_recorded(tapered):
    expected = chunk_bounds(120, default_chunk_size(120, 2), taper_workers=2)
    assert [tuple(b) for b in tapered.manifest["chunk_bounds"]] == expected
    done = sorted(tuple(c["replications"]) for c in tapered.manifest["chunks"])
    assert done == expected
    sizes = [stop - start for start, stop in expected]
    assert sizes[0] == tapered.manifest["chunk_size"] > sizes[-2]  # it did taper


def test_the_chunk_plan_does_not_change_the_frames(tapered, reference, tmp_path):
    spec = small_spec(uncertainties=UNCERTAIN)
    fixed = run_ensemble(spec, 120, seed=21, workers=1, chunk_size=50, out=tmp_path / "fixed")
    assert_same_frames(tapered, fixed)
    first30 = {name: frame[frame["replication"] < 30].reset_index(drop=True) for name, frame in frames(tapered).items()}
    for name, frame in frames(reference).items():  # the first 30 are the reference run's 30
        # (a categorical column of the 120 keeps the categories of rows beyond the first 30)
        assert_frame_equal(first30[name], frame.reset_index(drop=True), check_dtype=False, check_categorical=False)


def test_real_dask_local_cluster_gives_the_same_frames(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    spec = small_spec(uncertainties=UNCERTAIN)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster, distributed.Client(cluster) as client:
        run = run_ensemble(
            spec, 30, seed=21, executor=client.get_executor(), chunk_size=5, out=tmp_path / "run"
        )
        worker_pids = {w.pid for w in cluster.workers.values() if hasattr(w, "pid")}
    assert_same_frames(reference, run)
    assert run.manifest["executor"] == "ClientExecutor"
    used = {int(w.rsplit(":", 1)[1]) for w in worker_ids(run)}
    assert used and os.getpid() not in used  # ran in the cluster's worker processes
    if worker_pids:
        assert used <= worker_pids


def test_dask_executor_helper_gives_the_same_frames(reference, tmp_path):
    pytest.importorskip("distributed")
    spec = small_spec(uncertainties=UNCERTAIN)
    with dask_executor(None, 2) as executor:
        run = run_ensemble(spec, 30, seed=21, executor=executor, chunk_size=5, out=tmp_path / "run")
    assert_same_frames(reference, run)


def test_different_root_seeds_give_different_outcomes(reference, tmp_path):
    spec = small_spec(uncertainties=UNCERTAIN)
    run = run_ensemble(spec, 30, seed=22, workers=1, chunk_size=5, out=tmp_path / "run")
    a, b = reference.outcomes, run.outcomes
    assert not set(a["seed"]) & set(b["seed"])
    assert not a["param.china.grievance_half_life_weeks"].equals(b["param.china.grievance_half_life_weeks"])
    assert not a["final_approval"].equals(b["final_approval"])


# --------------------------------------------------------------------------------------
# 5. Designs: nested, and lever factorials
# --------------------------------------------------------------------------------------


def test_nested_design_lays_out_k_draws_by_m_seeds(tmp_path):
    spec = small_spec(uncertainties=UNCERTAIN)
    run = run_ensemble(spec, seed=4, workers=1, design="nested", param_draws=3, seeds_per_draw=4,
                       chunk_size=5, out=tmp_path / "run")
    out = run.outcomes
    assert len(out) == 12
    assert out["replication"].tolist() == list(range(12))
    assert out["param_draw"].tolist() == [i // 4 for i in range(12)]
    assert out["seed_index"].tolist() == [i % 4 for i in range(12)]
    assert out["seed"].tolist() == [replication_seed(4, i) for i in range(12)]
    params = [c for c in out.columns if c.startswith("param.")]
    assert sorted(params) == sorted(f"param.{k}" for k in UNCERTAIN)
    per_draw = out.groupby("param_draw")
    assert (per_draw[params].nunique() == 1).all().all()  # equal within a draw
    assert all(out.drop_duplicates("param_draw")[p].nunique() == 3 for p in params)  # differ across draws
    assert (per_draw["seed"].nunique() == 4).all()  # different seeds within a draw
    design = run.manifest["design"]
    assert (design["kind"], design["replications"], design["param_draws"], design["seeds_per_draw"]) == (
        "nested", 12, 3, 4)
    # A nested replication is retold by its seed and its draw's parameters.
    row = out.iloc[6]
    sampled = {k: row[f"param.{k}"] for k in UNCERTAIN}
    rep = nzsim.replicate(spec, seed=int(row["seed"]), params=sampled)
    assert rep.outcomes["final_stance"] == row["final_stance"]
    assert rep.outcomes["final_approval"] == row["final_approval"]


def test_nested_design_needs_uncertainties(tmp_path):
    with pytest.raises(ValueError, match="uncertaint"):
        run_ensemble(small_spec(), seed=1, workers=1, design="nested", param_draws=3, seeds_per_draw=4,
                     out=tmp_path / "run")
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("kwargs", [
    dict(design="nested", param_draws=3),                 # no seeds per draw
    dict(design="nested", seeds_per_draw=3),              # no parameter draws
    dict(design="nested", param_draws=3, seeds_per_draw=4, reps=10),  # K x M is 12, not 10
    dict(design="latin_hypercube"),
])
def test_bad_design_options_are_value_errors(tmp_path, kwargs):
    with pytest.raises(ValueError):
        run_ensemble(small_spec(uncertainties=UNCERTAIN), seed=1, workers=1, out=tmp_path / "run", **kwargs)
    assert not (tmp_path / "run").exists()


LEVERS = {"events.vilnius.signals.china_language": ["none", "strong"], "context.china_export_share": [0.1, 0.4]}
LABELS = [
    "china_language=none, china_export_share=0.1",
    "china_language=none, china_export_share=0.4",
    "china_language=strong, china_export_share=0.1",
    "china_language=strong, china_export_share=0.4",
]


@pytest.fixture(scope="module")
def lever_run(tmp_path_factory):
    spec = small_spec(levers=LEVERS)
    return run_ensemble(spec, 8, seed=6, workers=1, chunk_size=3,
                        out=tmp_path_factory.mktemp("levers") / "run")


def test_a_run_names_the_column_that_keeps_its_cells_apart(lever_run, reference):
    assert lever_run.cell_column == "cell"
    assert reference.cell_column is None


def test_levers_run_the_full_factorial_as_labelled_cells(lever_run):
    out = lever_run.outcomes
    assert len(out) == 4 * 8
    assert sorted(out["cell"].unique()) == sorted(LABELS)
    assert (out.groupby("cell").size() == 8).all()
    assert set(out.columns) >= {"cell", *(f"lever.{k}" for k in LEVERS)}
    for label, group in out.groupby("cell"):
        language, share = (part.split("=")[1] for part in label.split(", "))
        assert set(group["lever.events.vilnius.signals.china_language"]) == {language}
        assert set(group["lever.context.china_export_share"].astype(float)) == {float(share)}
        assert group["replication"].tolist() == list(range(8))
    cells = lever_run.manifest["design"]["cells"]
    assert sorted(c["label"] for c in cells) == sorted(LABELS)
    assert set(lever_run.trajectories["cell"].astype(str)) == set(LABELS)
    assert set(lever_run.events["cell"].astype(str)) == set(LABELS)


def test_lever_cells_share_their_seeds(lever_run):
    """Common random numbers: every cell runs replication i with the same seed."""
    out = lever_run.outcomes
    seeds = {label: group.sort_values("replication")["seed"].tolist() for label, group in out.groupby("cell")}
    expected = [replication_seed(6, i) for i in range(8)]
    assert all(s == expected for s in seeds.values())
    # ... so the cells differ by their levers only: exports lost or China's rung move with them.
    by_cell = out.groupby("cell")["final_stance"].apply(tuple)
    assert len(set(by_cell)) > 1


def test_a_lever_cell_is_the_run_of_its_scenario(lever_run, tmp_path):
    """Cell (strong, 0.4) equals a plain run of the scenario with those values, same seed."""
    spec = small_spec(events={"vilnius": {"signals": {"china_language": "strong"}}},
                      context={"china_export_share": 0.4})
    plain = run_ensemble(spec, 8, seed=6, workers=1, out=tmp_path / "run").outcomes
    cell = lever_run.outcomes[lever_run.outcomes["cell"] == LABELS[3]].reset_index(drop=True)
    cell = cell.drop(columns=["cell", *(f"lever.{k}" for k in LEVERS)])
    assert_frame_equal(cell, plain)


def test_an_invalid_lever_value_fails_at_load(tmp_path):
    import yaml

    data = {**small_spec().dump(), "levers": {"events.vilnius.signals.china_language": ["none", "shouting"]}}
    path = tmp_path / "bad-lever.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert info.value.field == "levers.events.vilnius.signals.china_language"
    assert "levers.events.vilnius.signals.china_language" in str(info.value)
    assert "shouting" in str(info.value)


# --------------------------------------------------------------------------------------
# 6. No global state changed at import or call
# --------------------------------------------------------------------------------------


def run_python(script: str, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result


def test_a_two_worker_run_leaves_the_start_method_alone(tmp_path):
    script = f"""
        import json, multiprocessing
        before = multiprocessing.get_start_method(allow_none=True)
        from nzsim.runs import run_ensemble
        from tests.helpers import make_spec
        spec = make_spec(context={{"voters": 300}}, horizon_weeks=20)
        run_ensemble(spec, 10, seed=1, workers=2, chunk_size=5, out={str(tmp_path / "run")!r})
        after = multiprocessing.get_start_method(allow_none=True)
        print(json.dumps([before, after]))
    """
    before, after = json.loads(run_python(script).stdout.strip().splitlines()[-1])
    assert before is None
    assert after == before


def test_the_caller_of_a_run_on_a_given_executor_never_loads_the_model(tmp_path):
    """Workers build models; a process that only schedules and writes (a run on an executor it
    was given: a pool, a Dask cluster) carries neither Mesa nor the model, nor pandas, which it
    loads only when a frame is asked for."""
    scenario = tmp_path / "small.yaml"
    scenario.write_text(small_spec().to_yaml())  # a file: the script imports nothing of the tests' (pandas)
    chunked = runfolder.create(tmp_path / "chunked")  # written here: pyarrow's own pa.table() loads pandas
    runfolder.write_chunk(chunked, 0, 0, {name: pa.table({"x": [1, 2]}) for name in runfolder.TABLES})
    script = f"""
        import json, sys
        from nzsim.runs import process_pool, run_ensemble
        pool = process_pool(2)
        run = run_ensemble({str(scenario)!r}, 10, seed=1, executor=pool, chunk_size=5, out={str(tmp_path / "run")!r})
        pool.shutdown()
        # a chunk finished out of order is appended later, read back from its files (always so on --resume)
        from pathlib import Path
        from nzsim.runs import runfolder
        runfolder.Consolidator(Path({str(chunked)!r}), [(0, 0)]).advance({{(0, 0)}})
        loaded = sorted(m for m in ("mesa", "nzsim.model", "nzsim.model.agents", "nzsim.runs.loop", "pandas") if m in sys.modules)
        print(json.dumps([loaded, run.manifest["versions"]["mesa"], len(run.outcomes)]))
    """
    loaded, mesa_version, rows = json.loads(run_python(script).stdout.strip().splitlines()[-1])
    assert rows == 10
    assert loaded == []
    import mesa

    assert mesa_version == mesa.__version__  # recorded all the same, from the installed package


def test_import_sim_is_light_and_its_names_and_submodules_load_on_use():
    script = """
        import json, sys
        import nzsim
        light = "mesa" not in sys.modules and "nzsim.model" not in sys.modules
        analysis = nzsim.analysis.compare.__module__  # a submodule, after a plain `import nzsim`
        still_light = "mesa" not in sys.modules
        model = nzsim.NZModel.__module__  # a public name: loads the model now
        try:
            nzsim.no_such_thing
            missing = None
        except AttributeError as err:
            missing = str(err)
        print(json.dumps([light, analysis, still_light, model, "mesa" in sys.modules, missing, sorted(nzsim.__all__)]))
    """
    light, analysis, still_light, model, mesa_loaded, missing, names = json.loads(
        run_python(script).stdout.strip().splitlines()[-1])
    assert light and still_light
    assert analysis == "nzsim.analysis.comparing" and model == "nzsim.model.model" and mesa_loaded
    assert missing == "module 'nzsim' has no attribute 'no_such_thing'"
    assert names == sorted(["Design", "NZModel", "Replication", "Run", "Scenario", "ScenarioError", "__version__",
                            "describe_run", "explore", "load", "load_run", "replicate", "run_ensemble", "tell"])


def test_importing_the_runner_configures_no_logging():
    # The dependencies are imported first: some attach a NullHandler to their own logger on
    # import (charset_normalizer, pulled in by numpy.f2py where it is installed), which is
    # theirs to do; what is checked is that nzsim's own modules configure nothing more.
    script = """
        import json, logging
        import mesa, numpy, pandas, pyarrow, pyarrow.parquet, tqdm, yaml, pydantic, matplotlib
        def state():
            loggers = {name: (lg.level, len(lg.handlers), lg.propagate, lg.disabled)
                       for name, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)}
            configured = {n: s for n, s in loggers.items() if s[0] or s[1] or not s[2] or s[3]}
            return [logging.root.level, [repr(h) for h in logging.root.handlers], configured]
        before = state()
        import nzsim.runs, nzsim.runs.runfolder, nzsim.cli
        print(json.dumps([before, state()]))
    """
    before, after = json.loads(run_python(script).stdout.strip().splitlines()[-1])
    assert after[:2] == before[:2]  # root logger: same level, same handlers
    assert after[2] == before[2]  # no library logger given a level or handler either


def test_an_inline_run_draws_nothing_from_the_global_generators(tmp_path):
    np_state, py_state = np.random.get_state(), random.getstate()
    root_handlers = list(logging.root.handlers)
    run_ensemble(small_spec(uncertainties=UNCERTAIN), 10, seed=3, workers=1, out=tmp_path / "run")
    after = np.random.get_state()
    assert all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b for a, b in zip(np_state, after))
    assert random.getstate() == py_state
    assert logging.root.handlers == root_handlers


def test_design_as_dict_roundtrip():
    assert Design.nested(3, 4).as_dict() == {"kind": "nested", "replications": 12, "param_draws": 3,
                                             "seeds_per_draw": 4}
    assert Design("monte_carlo", 7).as_dict() == {"kind": "monte_carlo", "replications": 7}

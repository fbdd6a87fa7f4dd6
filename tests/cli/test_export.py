"""``nzsim export RUN --format csv|ema`` (issue 15, item 6) and :mod:`nzsim.runs.export`.

The runs are tiny (300 voters, 20 weeks, a few replications) and made once per module; a test
that writes into a run folder (the default export paths) works on a copy of one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tests import helpers

import nzsim
from nzsim.cli import main
from nzsim.runs import export
from nzsim.runs.designs import exploratory_design
from nzsim.runs.runfolder import Run
from tests.helpers import ROOT, small_spec

FACTORS = ["china.trade_threshold", "partner.australia.trust0"]
LEVER = "events.vilnius.signals.china_language"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A Monte Carlo run with a drawn parameter (in chunks of 2: several row groups per file), a run
    of two lever cells, an exploratory (Latin hypercube) run, and a run without an election (whose
    yes/no ``incumbent_won`` is null in every replication)."""
    root = tmp_path_factory.mktemp("export")
    spec = small_spec()
    drawn = small_spec(name="drawn", uncertainties={"election.approval_weight": {"dist": "uniform", "low": 0, "high": 0.5}})
    levers = small_spec(name="levers", levers={LEVER: ["passing", "strong"]})
    design = exploratory_design(spec, "lhs", samples=10, seeds=2, factors=FACTORS)
    return {
        "drawn": nzsim.run_ensemble(drawn, reps=6, seed=4, workers=1, out=root / "drawn", chunk_size=2),
        "levers": nzsim.run_ensemble(levers, reps=4, seed=4, workers=1, out=root / "levers"),
        "lhs": nzsim.run_ensemble(spec, seed=4, workers=1, out=root / "lhs", design=design),
        "no-election": nzsim.run_ensemble(small_spec(name="quiet", events={"election": None}), reps=3, seed=4,
                                          workers=1, out=root / "quiet"),
    }


def copied(run: Run, tmp_path) -> Run:
    """A copy of a finished run folder, to write default exports into."""
    return Run.open(shutil.copytree(run.path, tmp_path / run.path.name))


def ema():
    return export.ema_workbench()


def load_results(path):
    return ema().load_results(str(path))


def read_csv_as(path, parquet_path) -> tuple[pa.Table, pa.Table]:
    """A CSV read back with the types of the Parquet file it came from, and that file's table
    (dictionary columns decoded: CSV holds their values)."""
    table = pq.read_table(parquet_path).replace_schema_metadata(None)
    plain = pa.schema([pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                       for f in table.schema])
    table = table.cast(plain)
    options = pacsv.ConvertOptions(column_types=plain, strings_can_be_null=True, quoted_strings_can_be_null=False)
    return pacsv.read_csv(path, convert_options=options), table


def one_line_error(capsys, code, expected):
    helpers.one_line_error(capsys, code, expected, "export")


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["drawn", "levers", "lhs"])
def test_each_csv_equals_its_parquet_table(runs, name, tmp_path, capsys):
    run = runs[name]
    out = tmp_path / "csv"
    assert main(["export", str(run.path), "--format", "csv", "--out", str(out)]) == 0
    tables = ["outcomes", "trajectories", "events", *(["experiments"] if name == "lhs" else [])]
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{t}.csv" for t in tables] + ["manifest.json"])
    for table in tables:
        csv, parquet = read_csv_as(out / f"{table}.csv", run.path / f"{table}.parquet")
        assert csv.num_rows == parquet.num_rows > 0, table
        assert csv.equals(parquet), table
    assert (out / "manifest.json").read_bytes() == (run.path / "manifest.json").read_bytes()
    printed = capsys.readouterr().out
    for table in tables:
        assert f"written: {out / f'{table}.csv'} (" in printed
    assert f"written: {out / 'manifest.json'}" in printed


def test_the_csv_has_a_header_and_one_line_per_row(runs, tmp_path):
    run = runs["drawn"]
    written = export.export_csv(run, tmp_path / "csv")
    assert [p.name for p in written] == ["outcomes.csv", "trajectories.csv", "events.csv", "manifest.json"]
    lines = (tmp_path / "csv" / "trajectories.csv").read_text().splitlines()
    assert lines[0] == '"replication","week","variable","value"'
    assert len(lines) == 1 + len(run.trajectories)
    assert pq.ParquetFile(run.path / "trajectories.parquet").num_row_groups > 1  # streamed group by group


def test_the_csv_export_never_reads_a_table_whole(runs, tmp_path, monkeypatch):
    def whole(*args, **kwargs):
        raise AssertionError("a table was read whole")

    monkeypatch.setattr(pq.ParquetFile, "read", whole)
    monkeypatch.setattr(pq, "read_table", whole)
    written = export.export_csv(runs["drawn"], tmp_path / "csv")
    assert len(written) == 4 and all(p.is_file() for p in written)


def test_the_csv_export_goes_to_the_run_folder_by_default(runs, tmp_path, capsys):
    run = copied(runs["drawn"], tmp_path)
    assert main(["export", str(run.path), "--format", "csv"]) == 0
    assert (run.path / "export-csv" / "outcomes.csv").is_file()
    assert str(run.path / "export-csv" / "outcomes.csv") in capsys.readouterr().out
    code = main(["export", str(run.path), "--format", "csv"])  # a second time: it is there already
    one_line_error(capsys, code, f"{run.path / 'export-csv'}: already exists")


def test_a_failed_csv_export_leaves_nothing_behind(runs, tmp_path, capsys, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.shutil, "copyfile", full)  # the last file: the CSVs are written by then
    out = tmp_path / "csv"
    code = main(["export", str(runs["drawn"].path), "--format", "csv", "--out", str(out)])
    one_line_error(capsys, code, f"--out {out}: cannot be written (No space left on device)")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------
# EMA Workbench
# --------------------------------------------------------------------------------------


def test_the_ema_file_loads_and_matches_an_exploratory_run(runs, tmp_path, capsys):
    run = runs["lhs"]
    out = tmp_path / "lhs.tar.gz"
    assert main(["export", str(run.path), "--format", "ema", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"written: {out} (" in printed and f"ema_workbench.load_results({str(out)!r})" in printed
    experiments, outcomes = load_results(out)
    frame = run.outcomes
    assert len(experiments) == len(frame) == 20
    assert list(experiments.columns) == [*FACTORS, "scenario", "policy", "model"]
    for factor in FACTORS:
        np.testing.assert_array_equal(experiments[factor].to_numpy(), frame[f"param.{factor}"].to_numpy())
    np.testing.assert_array_equal(experiments["scenario"].to_numpy(), frame["experiment"].to_numpy())
    assert set(experiments["policy"]) == {run.manifest["scenario_name"]} and set(experiments["model"]) == {"nzsim"}
    np.testing.assert_array_equal(outcomes["final_approval"], frame["final_approval"].to_numpy())
    assert outcomes["trade_coercion"].dtype == bool
    np.testing.assert_array_equal(outcomes["trade_coercion"], frame["trade_coercion"].to_numpy())
    assert outcomes["china_max_rung"].dtype.kind == "i"
    for left_out in ("final_bloc", "china_max_rung_name", "replication", "seed", "experiment", "seed_index"):
        assert left_out not in outcomes
    assert not any(k.startswith(export.WEEKLY) for k in outcomes) and export.TIME not in outcomes
    assert all(len(v) == 20 for v in outcomes.values())


def test_prim_finds_a_box_in_the_exported_results(runs, tmp_path):
    from ema_workbench.analysis import prim

    path = export.export_ema(runs["lhs"], tmp_path / "lhs.tar.gz")
    experiments, outcomes = load_results(path)
    y = outcomes["final_approval"] > np.median(outcomes["final_approval"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA's own use of pandas' deprecated inplace=
        finder = prim.Prim(experiments, y)
        box = finder.find_box()
    assert box is not None
    stats = finder.stats_to_dataframe()
    assert len(stats) == 1 and 0 < stats["coverage"].iloc[0] <= 1
    assert set(box.box_lim.columns) <= set(FACTORS) | {"policy", "model"}


def test_lever_cells_are_the_policies_and_levers_columns(runs, tmp_path):
    run = runs["levers"]
    experiments, outcomes = load_results(export.export_ema(run, tmp_path / "levers.tar.gz"))
    frame = run.outcomes
    assert list(experiments.columns) == [f"lever.{LEVER}", "scenario", "policy", "model"]
    assert list(experiments[f"lever.{LEVER}"].astype(str)) == list(frame[f"lever.{LEVER}"])
    assert list(experiments["policy"].astype(str)) == list(frame["cell"])
    assert set(experiments["policy"].astype(str)) == {"china_language=passing", "china_language=strong"}
    np.testing.assert_array_equal(experiments["scenario"].to_numpy(), frame["replication"].to_numpy())
    np.testing.assert_array_equal(outcomes["trust_mean"], frame["trust_mean"].to_numpy())


def test_a_drawn_parameter_is_an_uncertainty_named_by_the_parameter(runs, tmp_path):
    run = runs["drawn"]
    experiments, _ = load_results(export.export_ema(run, tmp_path / "drawn.tar.gz"))
    assert list(experiments.columns) == ["election.approval_weight", "scenario", "policy", "model"]
    np.testing.assert_array_equal(experiments["election.approval_weight"].to_numpy(),
                                  run.outcomes["param.election.approval_weight"].to_numpy())
    np.testing.assert_array_equal(experiments["scenario"].to_numpy(), np.arange(6))


def test_a_yes_no_outcome_with_nulls_is_floats_with_nan(runs, tmp_path):
    run = runs["no-election"]
    assert run.outcomes["incumbent_won"].isna().all()
    _, outcomes = load_results(export.export_ema(run, tmp_path / "quiet.tar.gz"))
    assert outcomes["incumbent_won"].dtype == np.float64 and np.isnan(outcomes["incumbent_won"]).all()
    assert outcomes["election_held"].dtype == bool and not outcomes["election_held"].any()


def test_with_trajectories_adds_each_weekly_variable_as_a_time_series(runs, tmp_path, capsys):
    run = runs["levers"]
    out = tmp_path / "levers.tar.gz"
    assert main(["export", str(run.path), "--format", "ema", "--out", str(out), "--with-trajectories"]) == 0
    experiments, outcomes = load_results(out)
    variables = run.trajectory_variables
    weeks = np.arange(0, 21)  # week 0, the start, to week 20
    assert {k for k in outcomes if k.startswith(export.WEEKLY)} == {f"weekly_{v}" for v in variables}
    np.testing.assert_array_equal(outcomes["TIME"][0], weeks)
    long = run.trajectories
    for variable in ("stance", "china_rung"):
        series = outcomes[f"weekly_{variable}"]
        assert series.shape == (len(experiments), len(weeks))
        rows = long[long["variable"] == variable]
        for i, (cell, replication) in enumerate(zip(run.outcomes["cell"], run.outcomes["replication"])):
            mine = rows[(rows["cell"] == cell) & (rows["replication"] == replication)].sort_values("week")
            np.testing.assert_array_equal(series[i], mine["value"].to_numpy())
    # the two cells differ: rows were not mixed up between them
    assert not np.array_equal(outcomes["weekly_stance"][:4], outcomes["weekly_stance"][4:])


def test_some_weekly_variables_only_and_an_unknown_one(runs):
    _, outcomes = export.ema_results(runs["drawn"], with_trajectories=["approval"])
    assert {k for k in outcomes if k.startswith(export.WEEKLY)} == {"weekly_approval"} and "TIME" in outcomes
    with pytest.raises(ValueError, match="'nonsense' is not a weekly variable of this run"):
        export.ema_results(runs["drawn"], with_trajectories=["nonsense"])


def test_the_ema_file_goes_to_the_run_folder_by_default(runs, tmp_path, capsys):
    run = copied(runs["lhs"], tmp_path)
    assert main(["export", str(run.path), "--format", "ema"]) == 0
    default = run.path / f"{run.manifest['scenario_name']}-ema.tar.gz"
    assert default.is_file() and str(default) in capsys.readouterr().out
    assert len(load_results(default)[0]) == 20
    code = main(["export", str(run.path), "--format", "ema"])
    one_line_error(capsys, code, f"{default}: already exists")


def test_the_library_refuses_an_existing_target(runs, tmp_path):
    (tmp_path / "taken.tar.gz").write_bytes(b"mine")
    with pytest.raises(FileExistsError):
        export.export_ema(runs["drawn"], tmp_path / "taken.tar.gz")
    assert (tmp_path / "taken.tar.gz").read_bytes() == b"mine"
    with pytest.raises(FileNotFoundError):
        export.export_csv(runs["drawn"], tmp_path / "missing" / "csv")


def test_importing_the_export_loads_neither_pandas_nor_ema_workbench_and_ema_is_quiet():
    code = ("import sys, warnings; import nzsim.runs.export as e; "
            "assert 'pandas' not in sys.modules and 'ema_workbench' not in sys.modules, 'loaded at import'; "
            "warnings.simplefilter('error'); e.ema_workbench()")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ipyparallel" not in done.stderr


# --------------------------------------------------------------------------------------
# Mistakes: exit 2, one line
# --------------------------------------------------------------------------------------


def test_a_folder_that_is_not_a_run(tmp_path, capsys):
    code = main(["export", str(tmp_path), "--format", "csv"])
    one_line_error(capsys, code, f"{tmp_path}: not a run folder")


def test_an_unfinished_run(runs, tmp_path, capsys):
    run = copied(runs["drawn"], tmp_path)
    manifest = json.loads((run.path / "manifest.json").read_text())
    (run.path / "manifest.json").write_text(json.dumps({**manifest, "status": "interrupted"}))
    code = main(["export", str(run.path), "--format", "ema"])
    one_line_error(capsys, code, "the run did not finish")
    assert not list(run.path.glob("*.tar.gz"))


@pytest.mark.parametrize("fmt", ["csv", "ema"])
def test_an_out_that_exists(runs, tmp_path, capsys, fmt):
    out = tmp_path / ("taken" if fmt == "csv" else "taken.tar.gz")
    out.mkdir()
    code = main(["export", str(runs["drawn"].path), "--format", fmt, "--out", str(out)])
    one_line_error(capsys, code, f"--out {out}: already exists")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("fmt", ["csv", "ema"])
def test_an_out_whose_folder_does_not_exist(runs, tmp_path, capsys, fmt):
    out = tmp_path / "no" / ("csv" if fmt == "csv" else "x.tar.gz")
    code = main(["export", str(runs["drawn"].path), "--format", fmt, "--out", str(out)])
    one_line_error(capsys, code, f"--out {out}: the folder {out.parent} does not exist")
    assert not (tmp_path / "no").exists()


def test_an_ema_out_that_is_not_a_tar_gz(runs, tmp_path, capsys):
    out = tmp_path / "results.zip"
    code = main(["export", str(runs["drawn"].path), "--format", "ema", "--out", str(out)])
    one_line_error(capsys, code, "expected a file name ending in .tar.gz")
    assert not out.exists()


def test_with_trajectories_is_for_ema_only(runs, tmp_path, capsys):
    out = tmp_path / "csv"
    code = main(["export", str(runs["drawn"].path), "--format", "csv", "--out", str(out), "--with-trajectories"])
    one_line_error(capsys, code, "--with-trajectories: only with --format ema")
    assert not out.exists()


@pytest.mark.parametrize("argv", [["--format", "xml"], []])
def test_a_missing_or_unknown_format(runs, capsys, argv):
    with pytest.raises(SystemExit) as stop:
        main(["export", str(runs["drawn"].path), *argv])
    one_line_error(capsys, stop.value.code, "--format")

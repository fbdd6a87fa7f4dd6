"""``nzsim run`` (issue 3), as a user runs it: ``python -m nzsim run ...`` in a subprocess.

A subprocess costs about a second, so the scenarios are tiny (300 voters, 20 weeks) and most
runs skip the figures (``--no-figures``) and the progress bar (``--no-progress``). Every user
mistake must end with exit status 2 and one line on stderr (argparse's own type errors add its
usage lines), never a traceback, and must leave existing folders as they were.
"""

from __future__ import annotations

import json

import contextlib
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import nzsim.model
import nzsim.runs.loop
from nzsim import cli
from nzsim.runs import EnsembleError, run_ensemble
from nzsim.seeds import replication_seed
from nzsim.runs.runfolder import Run, RunFolderError
from nzsim.scenario import merge
from tests.helpers import make_spec

ROOT = Path(__file__).resolve().parents[2]
QUIET = ("--no-figures", "--no-progress")


def small_spec(**overrides):
    """A fast scenario: 300 voters, 20 weeks (the election, in week 19, stays in), 30 replications."""
    return make_spec(**merge({"context": {"voters": 300}, "horizon_weeks": 20, "replications": 30}, overrides))


def run_nzsim(*args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nzsim", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file of the folder and its bytes; the lock file (the holder's pid) left out."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))
            if p.name != ".lock"}


def assert_one_line_error(result: subprocess.CompletedProcess, *, argparse_type_error: bool = False) -> str:
    """Exit 2, no traceback, and exactly one 'nzsim run: error:' line (after argparse's usage)."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    if argparse_type_error:
        assert lines[0].startswith("usage: nzsim run"), result.stderr
        assert lines[-1].startswith("nzsim run: error: argument"), result.stderr
        assert sum(line.startswith("nzsim run: error:") for line in lines) == 1
    else:
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("nzsim run: error: "), result.stderr
    return lines[-1]


@contextlib.contextmanager
def failing_at(root_seed: int, replication: int):
    """Replace the runner's model with one that raises for one replication (inline runs only)."""
    bad_seed = replication_seed(root_seed, replication)

    class Failing(nzsim.model.NZModel):
        def __init__(self, spec, seed=0, params=None):
            if seed == bad_seed:
                raise RuntimeError("the model blew up")
            super().__init__(spec, seed=seed, params=params)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(nzsim.runs.loop, "NZModel", Failing)  # the model the loop builds
        yield


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    """Two scenario files: the one used throughout, and one that differs in one number."""
    folder = tmp_path_factory.mktemp("scenarios")
    paths = {}
    for name, spec in {"main": small_spec(), "other": small_spec(context={"china_export_share": 0.3})}.items():
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_text(spec.to_yaml())
    return paths


@pytest.fixture(scope="module")
def unfinished(scenarios, tmp_path_factory):
    """A run of the main scenario (its 30 replications), seed 5, that failed at replication 7."""
    out = tmp_path_factory.mktemp("unfinished") / "run"
    with failing_at(5, 7), pytest.raises(EnsembleError):
        run_ensemble(scenarios["main"], seed=5, workers=1, chunk_size=5, out=out, max_in_flight=1)
    return out


# --------------------------------------------------------------------------------------
# Runs that work
# --------------------------------------------------------------------------------------


def test_a_small_run_prints_a_summary_and_writes_the_folder(scenarios, tmp_path):
    out = tmp_path / "run"
    result = run_nzsim("run", scenarios["main"], "--reps", 24, "--seed", 3, "--workers", 1, "--chunk-size", 7,
                   "--out", out, *QUIET)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    text = result.stdout
    assert "test-base" in text and "replications" in text and "24" in text
    for outcome in ("final_stance", "trade_coercion", "final_approval", "incumbent_won"):
        assert outcome in text, outcome
    assert str(out) in text
    assert text.rstrip().endswith(f"next: nzsim report {out} (one HTML page), or nzsim compare {out} OTHER_RUN")
    run = Run.open(out)
    assert run.manifest["root_seed"] == 3 and run.manifest["replications"] == 24
    assert run.manifest["scenario_file"] == str(scenarios["main"])
    assert [c["replications"][0] for c in sorted(run.manifest["chunks"], key=lambda c: c["chunk"])] == [0, 7, 14, 21]
    assert not (out / "chunks").exists()
    reference = run_ensemble(scenarios["main"], 24, seed=3, workers=1, out=tmp_path / "api")
    assert_frame_equal(run.outcomes, reference.outcomes)


def test_a_run_with_figures_writes_the_summary_and_figures(scenarios, tmp_path):
    pytest.importorskip("nzsim.figures")
    pytest.importorskip("nzsim.analysis")
    out = tmp_path / "run"
    result = run_nzsim("run", scenarios["main"], "--reps", 20, "--seed", 2, "--workers", 1, "--out", out,
                   "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "final_stance" in result.stdout
    summary = pd.read_csv(out / "summary.csv")
    assert "final_stance" in set(summary["outcome"])
    # no lever cells: the summary is printed whole, as summary.txt holds it (without the folder's path)
    assert (out / "summary.txt").read_text() == result.stdout.split("\nnext: ")[0].replace(f"results in {out}\n", "")
    assert not (out / "overview.csv").exists()
    for name in ("outcomes.png", "trajectories.png", "china_ladder.png"):
        png = out / "figures" / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_a_failing_replication_exits_1_naming_it_and_its_seed(scenarios, tmp_path, capsys):
    """In-process (a monkeypatch does not reach a subprocess): exit 1, one line, chunks kept."""
    out = tmp_path / "run"
    with failing_at(5, 7):
        code = cli.main(["run", str(scenarios["main"]), "--reps", "20", "--seed", "5", "--workers", "1",
                         "--chunk-size", "5", "--out", str(out), *QUIET])
    captured = capsys.readouterr()
    assert code == 1
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nzsim run: error: replication 7 ")
    assert str(replication_seed(5, 7)) in lines[0] and "RuntimeError: the model blew up" in lines[0]
    assert (out / "manifest.json").is_file() and (out / "chunks").is_dir()


# --------------------------------------------------------------------------------------
# Bad input: exit 2, one line, nothing lost
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["--reps", "0"],
    ["--workers", "-1"],
    ["--workers", "0"],
    ["--seed", "-1"],
    ["--chunk-size", "0"],
], ids=lambda a: " ".join(a))
def test_bad_numbers_are_argparse_errors(scenarios, tmp_path, args):
    result = run_nzsim("run", scenarios["main"], *args, "--out", tmp_path / "run", *QUIET)
    assert_one_line_error(result, argparse_type_error=True)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("args, message", [
    (["--design", "nested"], "--param-draws"),
    (["--design", "nested", "--param-draws", "3", "--seeds-per-draw", "2"], "uncertaint"),
    (["--param-draws", "3"], "--design nested"),
    (["--scheduler", "tcp://127.0.0.1:8786"], "--executor dask"),
    (["--resume", "{tmp}/elsewhere"], "not both"),
], ids=["nested without K", "nested without uncertainties", "K without nested", "scheduler without dask",
        "out and resume"])
def test_option_mistakes_are_one_line(scenarios, tmp_path, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run_nzsim("run", scenarios["main"], *args, "--out", tmp_path / "run", *QUIET)
    line = assert_one_line_error(result)
    assert message in line
    assert not (tmp_path / "run").exists()


def test_a_missing_scenario_file(tmp_path):
    result = run_nzsim("run", tmp_path / "nowhere.yaml", "--out", tmp_path / "run", *QUIET)
    line = assert_one_line_error(result)
    assert "nowhere.yaml" in line
    assert not (tmp_path / "run").exists()


def test_an_existing_out_folder_is_refused_and_left_alone(scenarios, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "precious.txt").write_text("do not touch\n")
    before = snapshot(out)
    result = run_nzsim("run", scenarios["main"], "--reps", 5, "--workers", 1, "--out", out, *QUIET)
    line = assert_one_line_error(result)
    assert "already exists" in line
    assert snapshot(out) == before


def test_an_out_folder_that_cannot_be_written(scenarios, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder\n")
    result = run_nzsim("run", scenarios["main"], "--reps", 5, "--workers", 1, "--out", blocker / "run", *QUIET)
    line = assert_one_line_error(result)
    assert "file.txt" in line
    assert blocker.read_text() == "a file, not a folder\n"


def test_an_unreachable_dask_scheduler(scenarios, tmp_path):
    started = time.monotonic()
    result = run_nzsim("run", scenarios["main"], "--reps", 5, "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9",
                   "--out", tmp_path / "run", *QUIET, timeout=60)
    elapsed = time.monotonic() - started
    line = assert_one_line_error(result)
    assert "tcp://127.0.0.1:9" in line
    assert elapsed < 20, f"took {elapsed:.1f} s to give up"
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("which", ["other scenario", "other seed"])
def test_resume_refuses_a_folder_of_another_run(scenarios, unfinished, which):
    before = snapshot(unfinished)
    scenario, seed = (scenarios["other"], 5) if which == "other scenario" else (scenarios["main"], 6)
    result = run_nzsim("run", scenario, "--seed", seed, "--resume", unfinished, "--workers", 1, *QUIET)
    line = assert_one_line_error(result)
    assert str(unfinished) in line
    assert ("scenario" if which == "other scenario" else "seed") in line
    assert snapshot(unfinished) == before


def test_resume_of_a_complete_run_checks_it_and_changes_nothing_and_a_non_run_is_refused(scenarios, tmp_path):
    """A complete run may be resumed (a kill after the manifest said complete but before the
    summary and figures must be finishable): its files are checked against the manifest and the
    summary and figures written again, to the same bytes."""
    done = run_ensemble(scenarios["main"], 5, seed=1, workers=1, out=tmp_path / "done").path
    main_args = ("run", scenarios["main"], "--reps", 5, "--seed", 1, "--workers", 1, "--no-progress")
    assert run_nzsim(*main_args, "--out", tmp_path / "described").returncode == 0
    before = snapshot(done)
    result = run_nzsim(*main_args, "--resume", done)
    assert result.returncode == 0, result.stderr
    after = snapshot(done)
    data = [k for k in before if k.endswith(".parquet")]
    assert data and all(after[k] == before[k] for k in data)  # the run's tables are as they were
    assert json.loads(after["manifest.json"])["status"] == "complete"  # (the manifest records the resume)
    assert (done / "summary.csv").read_bytes() == (tmp_path / "described" / "summary.csv").read_bytes()
    line = assert_one_line_error(run_nzsim("run", scenarios["main"], "--resume", tmp_path / "nothing", *QUIET))
    assert "not a run folder" in line


def test_the_resume_hint_of_an_unfinished_run_is_a_working_command(scenarios, tmp_path):
    out = tmp_path / "run"
    with failing_at(5, 7), pytest.raises(EnsembleError):
        run_ensemble(scenarios["main"], 20, seed=5, workers=1, chunk_size=5, out=out,
                     max_in_flight=1)
    with pytest.raises(RunFolderError) as info:
        Run.open(out)
    hint = str(info.value).split("finish it with: ", 1)[1].split(" (the seed and design come from the run)")[0]
    argv = shlex.split(hint)
    assert argv[:2] == ["nzsim", "run"]
    result = run_nzsim(*argv[1:], "--workers", 1, *QUIET)
    assert result.returncode == 0, result.stderr
    assert len(Run.open(out).outcomes) == 20


# --------------------------------------------------------------------------------------
# --executor dask without an address: a local cluster
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_cli_run(scenarios, tmp_path_factory):
    pytest.importorskip("distributed")
    out = tmp_path_factory.mktemp("dask") / "run"
    result = run_nzsim("run", scenarios["main"], "--reps", 20, "--seed", 4, "--executor", "dask", "--workers", 2,
                   "--chunk-size", 5, "--out", out, *QUIET)
    return result, out


def test_executor_dask_starts_a_local_cluster(dask_cli_run, scenarios, tmp_path):
    result, out = dask_cli_run
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    run = Run.open(out)
    assert run.manifest["executor"] == "ClientExecutor"
    reference = run_ensemble(scenarios["main"], 20, seed=4, workers=1, chunk_size=5, out=tmp_path / "api")
    assert_frame_equal(run.outcomes, reference.outcomes)


def test_executor_dask_local_cluster_keeps_stderr_quiet(dask_cli_run):
    result, _ = dask_cli_run
    noisy = [line for line in result.stderr.splitlines() if " - INFO - " in line]
    assert not noisy, f"{len(noisy)} INFO lines, e.g. {noisy[:2]}"


def test_every_figure_a_run_writes_is_titled_labelled_and_drawn(scenarios, tmp_path, monkeypatch, capsys):
    from tests.figures.test_figures import assert_complete, saved_figures

    figures = saved_figures(monkeypatch)
    out = tmp_path / "run"
    assert cli.main(["run", str(scenarios["main"]), "--reps", "12", "--seed", "2", "--workers", "1", "--out", str(out),
                     "--no-progress"]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in (out / "figures").glob("*.png")) == ["china_ladder.png", "outcomes.png", "trajectories.png"]
    assert len(figures) == 3
    for fig in figures:
        assert_complete(fig)


def test_reps_on_the_command_line_stay_within_the_planned_limits(scenarios, tmp_path):
    """--reps may not plan more than a scenario file's replications may (nzsim.scenario.limits):
    per cell, and across the lever cells; nothing is created."""
    from nzsim.scenario.limits import MAX_PLANNED, MAX_REPLICATIONS

    line = assert_one_line_error(run_nzsim("run", scenarios["main"], "--reps", MAX_REPLICATIONS + 1,
                                           "--out", tmp_path / "a", *QUIET))
    assert "--reps" in line and f"{MAX_REPLICATIONS:,}" in line
    shares = ", ".join(f"{0.1 + 0.01 * i:.2f}" for i in range(11))
    levered = tmp_path / "levered.yaml"
    levered.write_text(f"extends: {scenarios['main']}\ndescription: eleven cells\nreferences: [a test]\n"
                       f"levers:\n  context.china_export_share: [{shares}]\n")
    line = assert_one_line_error(run_nzsim("run", levered, "--reps", MAX_REPLICATIONS,
                                           "--out", tmp_path / "b", *QUIET))
    assert "11 lever cells" in line and f"{MAX_PLANNED:,}" in line
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


# --------------------------------------------------------------------------------------
# A run of lever cells: one table of the cells first, the long form in files and on request
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def levered(scenarios, tmp_path_factory):
    """The main scenario with two levers: 2 x 3 lever cells."""
    path = tmp_path_factory.mktemp("levered") / "levered.yaml"
    path.write_text(f"extends: {scenarios['main']}\ndescription: six cells\nreferences: [a test]\nlevers:\n"
                    "  events.vilnius.signals.china_language: [passing, strong]\n"
                    "  events.vilnius.signals.attendance: [leader, none, minister]\n")
    return path


CELLS = [f"china_language={c}, attendance={a}" for c in ("passing", "strong") for a in ("leader", "none", "minister")]


def test_a_run_of_lever_cells_prints_one_table_of_the_cells_and_writes_the_rest(levered, tmp_path):
    out = tmp_path / "run"
    result = run_nzsim("run", levered, "--reps", 4, "--seed", 2, "--workers", 1, "--out", out, "--no-progress")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    lines = text.splitlines()
    assert lines[0].startswith("test-base: 24 replications, root seed 2") and lines[1] == f"results in {out}"
    intro = " ".join(text.split("\n\n")[1].split())
    assert intro.startswith("The outcomes on which the 6 lever cells differ most come first: each lever cell's mean, "
                            "or its chance in %.")
    # the cells as columns: each lever's name on the left, each cell's value over its column
    top = lines.index(next(line for line in lines if line.startswith("  china_language ")))
    assert lines[top].split() == ["china_language", "passing", "passing", "passing", "strong", "strong", "strong"]
    assert lines[top + 1].split() == ["attendance", "leader", "none", "minister", "leader", "none", "minister", "spread"]
    overview = pd.read_csv(out / "overview.csv")
    assert list(overview.columns) == ["outcome", "title", "unit", "statistic", *CELLS, "spread", "beyond_chance"]
    assert overview["spread"].fillna(-1).is_monotonic_decreasing and overview["beyond_chance"].isna().all()
    rows = lines[top + 2:top + 14]
    assert all(row.startswith(f"  {title}") for row, title in zip(rows, overview["title"]))
    assert lines[top + 14] == f"12 of {len(overview)} outcomes shown."
    assert lines[top + 15] == (f"Every outcome: {out / 'overview.csv'}; each cell's full summary: {out / 'summary.txt'} "
                               f"(and summary.csv); --full prints it.")
    assert "cell: " not in text  # six cells' full tables are in the file, not on the screen
    assert text.rstrip().endswith(f"next: nzsim report {out} (one HTML page), or nzsim compare {out} OTHER_RUN")
    # each value is the cell's mean (or probability) of the summary
    summary = pd.read_csv(out / "summary.csv")
    for outcome, statistic in (("final_interoperability", "mean"), ("trade_coercion", "probability")):
        row = overview[overview["outcome"] == outcome].iloc[0]
        expected = summary[summary["outcome"] == outcome].set_index("cell")[statistic]
        assert [row[cell] for cell in CELLS] == pytest.approx([expected[cell] for cell in CELLS])
    full = (out / "summary.txt").read_text()
    assert full.startswith("test-base: 24 replications, root seed 2") and str(out) not in full
    assert [line for line in full.splitlines() if line.startswith("cell: ")] == [f"cell: {cell}" for cell in CELLS]


def test_full_prints_every_cells_summary_after_the_table(levered, tmp_path):
    out = tmp_path / "run"
    result = run_nzsim("run", levered, "--reps", 3, "--seed", 2, "--workers", 1, "--out", out, "--full", *QUIET)
    assert result.returncode == 0, result.stderr
    table, full = result.stdout.split("\ncell: ", 1)
    assert "12 of " in table and "--full prints it" not in table and "overview.csv" not in table
    assert ("cell: " + full).count("cell: ") == 6
    assert "final_stance" in full and "probability of" in full
    assert not (out / "overview.csv").exists() and not (out / "summary.txt").exists()  # --no-figures: no summary files
    result = run_nzsim("run", levered, "--reps", 3, "--seed", 2, "--workers", 1, "--out", tmp_path / "again", *QUIET)
    assert result.returncode == 0, result.stderr
    assert "Each cell's full summary: --full prints it (--no-figures wrote no summary files)." in result.stdout
    assert "cell: " not in result.stdout

"""Run folders (issue 3): what a finished run leaves on disk, never overwriting, streaming, resuming.

The SIGKILL test runs ``nzsim run`` in a subprocess and kills it once some chunks are on disk;
the failure tests replace the model of the replication loop (``nzsim.runs.loop``), so they run
inline (``workers=1``: a monkeypatch does not reach worker processes).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import signal
import stat
import subprocess
import sys
import time
import warnings
from pathlib import Path

import mesa
import pandas as pd
import pyarrow.parquet as pq
import pytest
from pandas.testing import assert_frame_equal

import nzsim
import nzsim.model
import nzsim.runs.loop
from nzsim.runs import EnsembleError, InlineExecutor, run_ensemble, runfolder
from nzsim.runs.designs import chunk_bounds, default_chunk_size
from nzsim.runs.errors import ChunkRecomputed
from nzsim.seeds import replication_seed
from nzsim.model import reporters
from nzsim.catalogue.outcomes import column_types
from nzsim.runs.runfolder import Run, RunFolderError, finished_chunks
from tests.helpers import SMALL_HORIZON as HORIZON
from tests.helpers import assert_same_frames, make_spec, small_spec

ROOT = Path(__file__).resolve().parents[2]

UNCERTAIN = {
    "china.grievance_half_life_weeks": {"dist": "uniform", "low": 4, "high": 12},
    "election.approval_weight": {"dist": "triangular", "low": 0.0, "mode": 0.04, "high": 0.1},
}


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for folders)."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


@contextlib.contextmanager
def failing_at(root_seed: int, replication: int):
    """Replace the runner's model with one that raises for one replication (by its seed)."""
    bad_seed = replication_seed(root_seed, replication)
    built: list[int] = []

    class Failing(nzsim.model.NZModel):
        def __init__(self, spec, seed=0, params=None):
            if seed == bad_seed:
                raise RuntimeError("the model blew up")
            built.append(seed)
            super().__init__(spec, seed=seed, params=params)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(nzsim.runs.loop, "NZModel", Failing)  # the model the loop builds
        yield built


# --------------------------------------------------------------------------------------
# 3. What a finished run folder holds
# --------------------------------------------------------------------------------------

REPS, SEED, CHUNK = 23, 8, 5  # five chunks, the last one short


@pytest.fixture(scope="module")
def spec():
    return small_spec(uncertainties=UNCERTAIN)


@pytest.fixture(scope="module")
def complete(spec, tmp_path_factory):
    out = tmp_path_factory.mktemp("complete") / "run"
    run = run_ensemble(spec, REPS, seed=SEED, workers=1, chunk_size=CHUNK, out=out)
    return run


def test_run_returns_the_folder_it_wrote(complete):
    reopened = Run.open(complete.path)
    assert reopened.manifest == json.loads((complete.path / "manifest.json").read_text())
    assert_frame_equal(reopened.outcomes, complete.outcomes)


def test_manifest_records_scenario_seeds_design_versions_and_timings(complete, spec):
    m = json.loads((complete.path / "manifest.json").read_text())
    assert m["status"] == "complete"
    assert m["scenario"] == spec.dump()
    assert m["scenario_sha256"] == spec.sha256
    assert complete.scenario.sha256 == spec.sha256  # the resolved scenario reloads to the same hash
    assert m["scenario_name"] == spec.name
    assert m["root_seed"] == SEED
    assert m["replications"] == REPS
    assert m["design"]["kind"] == "monte_carlo" and m["design"]["replications"] == REPS
    versions = m["versions"]
    assert versions["nzsim"] == nzsim.__version__
    assert versions["python"] == platform.python_version()
    assert versions["mesa"] == mesa.__version__
    assert "git_commit" in versions
    started, finished = dt.datetime.fromisoformat(m["started"]), dt.datetime.fromisoformat(m["finished"])
    assert started.tzinfo is not None and started <= finished
    assert finished - started < dt.timedelta(minutes=10)
    chunks = sorted(m["chunks"], key=lambda c: c["chunk"])
    assert [c["chunk"] for c in chunks] == list(range(5))
    assert [tuple(c["replications"]) for c in chunks] == [(0, 5), (5, 10), (10, 15), (15, 20), (20, 23)]
    assert all(isinstance(c["seconds"], (int, float)) and c["seconds"] >= 0 for c in chunks)


def test_outcomes_parquet_has_one_row_per_replication(complete, spec):
    out = pd.read_parquet(complete.path / "outcomes.parquet")
    assert len(out) == REPS
    assert out["replication"].tolist() == list(range(REPS))
    assert out["seed"].tolist() == [replication_seed(SEED, i) for i in range(REPS)]
    expected = ["replication", "seed", *(f"param.{k}" for k in sorted(spec.uncertainties)), *column_types()]
    assert list(out.columns) == expected
    for name in spec.uncertainties:
        low, high = spec.uncertainties[name].bounds()
        assert out[f"param.{name}"].between(low, high).all()
        assert out[f"param.{name}"].nunique() == REPS


def test_trajectories_parquet_is_long(complete, spec):
    traj = pd.read_parquet(complete.path / "trajectories.parquet")
    assert list(traj.columns) == ["replication", "week", "variable", "value"]
    per_rep = traj.groupby("replication").size()
    assert per_rep.index.tolist() == list(range(REPS))
    assert (per_rep == (spec.horizon_weeks + 1) * len(reporters())).all()
    assert len(traj) == REPS * (HORIZON + 1) * len(reporters())
    assert set(traj["variable"].astype(str)) == set(reporters())
    assert sorted(traj["week"].unique()) == list(range(HORIZON + 1))
    assert not traj.duplicated(["replication", "week", "variable"]).any()


def test_trajectories_parquet_stores_repeated_columns_as_runs_and_reads_back_plain(complete):
    """replication and week repeat down the long table: they are dictionary-encoded (runs of codes,
    smaller and cheaper to write), the value column carries no statistics nobody filters on, and
    all read back as plain integers and floats."""
    source = pq.ParquetFile(complete.path / "trajectories.parquet")
    column = {source.schema_arrow.names[i]: source.metadata.row_group(0).column(i) for i in range(4)}
    for name in ("replication", "week", "variable"):
        assert "RLE_DICTIONARY" in column[name].encodings, name
        assert column[name].is_stats_set, name
    assert not column["value"].is_stats_set
    types = {field.name: str(field.type) for field in source.schema_arrow}
    assert types["replication"] == "int64" and types["week"] == "int16" and types["value"] == "double"
    assert str(pq.read_table(complete.path / "trajectories.parquet").schema.field("replication").type) == "int64"


def test_events_parquet_is_long(complete):
    events = pd.read_parquet(complete.path / "events.parquet")
    assert list(events.columns) == ["replication", "week", "date", "actor", "event", "description",
                                    *runfolder.EVENT_NUMBERS]
    assert set(events["replication"]) == set(range(REPS))  # every replication has the summit and election
    assert events["description"].str.len().gt(0).all()


def test_no_chunks_left_and_every_file_readable_by_others(complete):
    assert not (complete.path / "chunks").exists()
    names = sorted(p.name for p in complete.path.iterdir())
    # .lock: the kernel lock's file, which stays when released (see test_resilience.py)
    assert names == [".lock", "events.parquet", "manifest.json", "outcomes.parquet", "trajectories.parquet"]
    for path in complete.path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name


@pytest.mark.parametrize("existing", ["empty folder", "folder with a file", "a finished run"])
def test_an_existing_folder_is_never_overwritten(spec, complete, tmp_path, existing):
    if existing == "a finished run":
        folder = complete.path
    else:
        folder = tmp_path / "out"
        folder.mkdir()
        if existing == "folder with a file":
            (folder / "notes.txt").write_text("keep me\n")
    before = snapshot(folder)
    with pytest.raises(RunFolderError, match="already exists"):
        run_ensemble(spec, 5, seed=1, workers=1, out=folder)
    assert snapshot(folder) == before


def test_an_unwritable_location_is_a_run_folder_error(spec, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder\n")
    with pytest.raises(RunFolderError, match="cannot"):
        run_ensemble(spec, 5, seed=1, workers=1, out=blocker / "run")
    assert blocker.read_text() == "not a folder\n"


@pytest.mark.parametrize("kwargs", [
    dict(reps=0), dict(reps=-3), dict(workers=0), dict(workers=-1), dict(seed=-1), dict(chunk_size=0),
])
def test_bad_arguments_fail_before_touching_the_disk(spec, tmp_path, kwargs):
    args = dict(reps=5, seed=1, workers=1) | kwargs
    with pytest.raises(ValueError):
        run_ensemble(spec, out=tmp_path / "run", **args)
    assert not (tmp_path / "run").exists()


def test_open_a_folder_without_a_manifest(tmp_path):
    (tmp_path / "outcomes.parquet").write_bytes(b"")
    with pytest.raises(RunFolderError, match="manifest.json"):
        Run.open(tmp_path)


# --------------------------------------------------------------------------------------
# 4c. A replication that raises
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def failed(spec, tmp_path_factory):
    """A run of 20 replications, chunks of 5, in which replication 7 raises (one chunk in flight)."""
    out = tmp_path_factory.mktemp("failed") / "run"
    with failing_at(SEED, 7), pytest.raises(EnsembleError) as info:
        run_ensemble(spec, 20, seed=SEED, workers=1, chunk_size=5, out=out, max_in_flight=1)
    return out, info.value


def test_a_failing_replication_is_reported_with_its_seed_and_error(failed):
    out, err = failed
    message = str(err)
    assert "replication 7" in message
    assert str(replication_seed(SEED, 7)) in message
    assert "RuntimeError: the model blew up" in message
    assert str(out) in message


def test_a_failing_replication_keeps_the_finished_chunks(failed):
    out, _ = failed
    assert finished_chunks(out) == {(0, 0)}  # replications 0-4
    chunk0 = runfolder.read_chunk(out, "outcomes", 0, 0)
    assert chunk0.column("replication").to_pylist() == [0, 1, 2, 3, 4]
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "failed"
    assert m["error"]["replication"] == 7
    assert m["error"]["seed"] == replication_seed(SEED, 7)
    assert "the model blew up" in m["error"]["error"]
    assert "RuntimeError" in m["error"]["traceback"]


def test_open_an_unfinished_run_says_how_to_resume(failed):
    out, _ = failed
    with pytest.raises(RunFolderError) as info:
        Run.open(out)
    assert "--resume" in str(info.value) and str(out) in str(info.value)
    assert "failed" in str(info.value)


@pytest.mark.parametrize("change", ["scenario", "seed", "replications", "nested design"])
def test_resume_refuses_a_different_run(failed, spec, change):
    out, _ = failed
    before = snapshot(out)
    args = dict(scenario=spec, reps=20, seed=SEED)
    if change == "scenario":
        args["scenario"] = small_spec(uncertainties=UNCERTAIN, context={"china_export_share": 0.3})
    elif change == "seed":
        args["seed"] = SEED + 1
    elif change == "replications":
        args["reps"] = 25
    else:
        args.update(reps=None, design="nested", param_draws=4, seeds_per_draw=5)
    with pytest.raises(RunFolderError) as info:
        run_ensemble(**args, workers=1, out=out, resume=True)
    assert "\n" not in str(info.value)
    assert snapshot(out) == before  # nothing lost, nothing written


def test_resuming_a_complete_run_checks_it_and_changes_no_result(complete, spec, monkeypatch):
    """Idempotent: a complete run resumed again computes nothing and rewrites no result file."""
    before = snapshot(complete.path)
    monkeypatch.setattr(nzsim.runs.runfolder, "write_chunk", lambda *a, **k: pytest.fail("a chunk was recomputed"))
    run = run_ensemble(spec, REPS, seed=SEED, workers=1, out=complete.path, resume=True)
    assert run.manifest["status"] == "complete"
    after = snapshot(complete.path)
    assert {k: v for k, v in after.items() if k != "manifest.json"} == {k: v for k, v in before.items() if k != "manifest.json"}
    assert run.manifest["resumed"][-1]["from_status"] == "complete"


def test_resume_refuses_a_folder_that_is_not_a_run(spec, tmp_path):
    with pytest.raises(RunFolderError, match="not a run folder"):
        run_ensemble(spec, 5, seed=1, workers=1, out=tmp_path, resume=True)


def test_resume_after_a_failure_ends_as_an_uninterrupted_run(spec, tmp_path):
    out = tmp_path / "run"
    with failing_at(SEED, 7), pytest.raises(EnsembleError, match="replication 7"):
        run_ensemble(spec, 20, seed=SEED, workers=1, chunk_size=5, out=out, max_in_flight=1)
    assert finished_chunks(out) == {(0, 0)}
    resumed = run_ensemble(spec, 20, seed=SEED, workers=1, out=out, resume=True)
    reference = run_ensemble(spec, 20, seed=SEED, workers=1, chunk_size=5, out=tmp_path / "ref")
    assert resumed.manifest["status"] == "complete"
    assert not (out / "chunks").exists()
    assert_same_frames(resumed, reference)


def test_resume_keeps_the_chunk_plan_the_run_started_with(spec, tmp_path):
    """A run planned for two workers (tapering chunks), resumed with one, whose default plan
    would be different: the resumed run finishes the chunks it was planned with."""
    out = tmp_path / "run"
    with failing_at(SEED, 100), pytest.raises(EnsembleError, match="replication 100"):
        run_ensemble(spec, 120, seed=SEED, workers=2, executor=InlineExecutor(), out=out)
    planned = json.loads((out / "manifest.json").read_text())["chunk_bounds"]
    assert planned == [list(b) for b in chunk_bounds(120, default_chunk_size(120, 2), taper_workers=2)]
    assert planned != [list(b) for b in chunk_bounds(120, default_chunk_size(120, 1))]
    resumed = run_ensemble(spec, 120, seed=SEED, workers=1, out=out, resume=True)
    assert resumed.manifest["chunk_bounds"] == planned
    assert sorted(c["replications"] for c in resumed.manifest["chunks"]) == planned
    reference = run_ensemble(spec, 120, seed=SEED, workers=1, chunk_size=40, out=tmp_path / "ref")
    assert_same_frames(resumed, reference)


def test_a_folder_from_before_chunk_plans_resumes_with_fixed_chunks(spec, tmp_path):
    """Format /1 folders record no plan: their chunks are all chunk_size long, whatever the
    workers of the resuming run would plan now; the plan is recorded once resumed."""
    out = tmp_path / "run"
    with failing_at(SEED, 17), pytest.raises(EnsembleError):
        run_ensemble(spec, 40, seed=SEED, workers=1, chunk_size=6, out=out, max_in_flight=1)
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["chunk_bounds"]
    manifest["format"] = "nzsim-run/1"
    (out / "manifest.json").write_text(json.dumps(manifest))
    resumed = run_ensemble(spec, 40, seed=SEED, workers=2, executor=InlineExecutor(), out=out, resume=True)
    fixed = [list(b) for b in chunk_bounds(40, 6)]
    assert resumed.manifest["chunk_bounds"] == fixed
    assert sorted(c["replications"] for c in resumed.manifest["chunks"]) == fixed
    assert resumed.manifest["format"] == "nzsim-run/1"  # still readable by the code that made it
    assert finished_chunks(out) == set()  # consolidated and removed
    reference = run_ensemble(spec, 40, seed=SEED, workers=1, out=tmp_path / "ref")
    assert_same_frames(resumed, reference)


def test_a_folder_with_parquet_chunks_from_an_earlier_version_resumes(spec, tmp_path):
    """Run folders begun before chunks were Arrow IPC files kept them as Parquet files: a resumed
    run counts them as finished, appends them in order and ends as an uninterrupted run does."""
    out = tmp_path / "run"
    with failing_at(SEED, 17), pytest.raises(EnsembleError):
        run_ensemble(spec, 40, seed=SEED, workers=1, chunk_size=6, out=out, max_in_flight=1)
    kept = runfolder.finished_chunks(out)
    assert kept == {(0, 0), (0, 1)}
    for cell, index in kept:  # as the earlier version wrote them: Parquet, no seal, format /2
        for name in runfolder.TABLES:
            arrow = runfolder.chunk_path(out, name, cell, index)
            legacy = runfolder.chunk_path(out, name, cell, index, runfolder.LEGACY_CHUNK_SUFFIX)
            pq.write_table(runfolder.read_chunk(out, name, cell, index), legacy, compression="none")
            arrow.unlink()
        runfolder.seal_path(out, cell, index).unlink()
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "format": "nzsim-run/2"}))
    assert runfolder.unsealed_chunks(out) == kept
    computed = []
    write_chunk = runfolder.write_chunk
    with pytest.MonkeyPatch.context() as mp, warnings.catch_warnings():
        warnings.simplefilter("error", ChunkRecomputed)  # the old chunks pass their checks
        mp.setattr(runfolder, "write_chunk", lambda folder, cell, index, *rest: computed.append(index)
                   or write_chunk(folder, cell, index, *rest))
        resumed = run_ensemble(spec, 40, seed=SEED, workers=1, out=out, resume=True)
    assert 0 not in computed and 1 not in computed
    assert sorted(c["replications"] for c in resumed.manifest["chunks"]) == [list(b) for b in chunk_bounds(40, 6)]
    reference = run_ensemble(spec, 40, seed=SEED, workers=1, out=tmp_path / "ref")
    assert_same_frames(resumed, reference)
    assert not (out / "chunks").exists()


def test_resume_refuses_another_chunk_size_and_a_newer_format(failed, spec, tmp_path):
    out, _ = failed
    before = snapshot(out)
    with pytest.raises(RunFolderError, match="chunks of 5 replications.*leave out --chunk-size"):
        run_ensemble(spec, 20, seed=SEED, workers=1, chunk_size=7, out=out, resume=True)
    assert snapshot(out) == before
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "manifest.json").write_text(json.dumps({"format": "nzsim-run/9"}))
    with pytest.raises(RunFolderError, match="nzsim-run/1 or nzsim-run/2 or nzsim-run/3 or nzsim-run/4; it says 'nzsim-run/9', perhaps from a newer"):
        Run.open(newer)


def test_a_failure_keeps_every_chunk_that_finished(spec, tmp_path):
    """With the default window several chunks finish around the failing one; all must be kept."""
    for attempt in range(8):  # the order of a set of futures varies; one lucky run proves nothing
        out = tmp_path / f"run{attempt}"
        with failing_at(SEED, 7) as built, pytest.raises(EnsembleError):
            run_ensemble(spec, 40, seed=SEED, workers=1, chunk_size=5, out=out)
        seeds = set(built)
        completed = {(0, k) for k in range(8)
                     if all(replication_seed(SEED, i) in seeds for i in range(5 * k, 5 * k + 5))}
        assert (0, 0) in completed
        assert finished_chunks(out) == completed, f"attempt {attempt}"


def test_with_one_worker_a_chunk_computes_while_only_the_last_one_is_being_written(spec, tmp_path):
    """In-process, the writer thread may still be writing chunk k-1 when chunk k starts, never k-2."""
    out = tmp_path / "run"
    seen: dict[int, set] = {}
    watched = {replication_seed(SEED, i): i for i in (5, 10, 15)}  # the first replication of chunks 1-3

    class Watching(nzsim.model.NZModel):
        def __init__(self, spec, seed=0, params=None):
            if seed in watched:
                seen[watched[seed]] = finished_chunks(out)
            super().__init__(spec, seed=seed, params=params)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(nzsim.runs.loop, "NZModel", Watching)
        run_ensemble(spec, 20, seed=SEED, workers=1, chunk_size=5, out=out)
    assert set(seen) == {5, 10, 15}
    for first, on_disk in seen.items():
        k = first // 5  # the chunk starting
        assert {(0, j) for j in range(k - 1)} <= on_disk <= {(0, j) for j in range(k)}, (k, on_disk)
    assert finished_chunks(out) == set() and (out / "outcomes.parquet").exists()


def test_with_one_worker_the_next_chunk_computes_while_the_last_is_written(spec, tmp_path):
    """Chunk 0's write is held until chunk 1's first model is built: written synchronously, the run
    could never get there, and the held write would give up."""
    import threading

    out = tmp_path / "run"
    started = threading.Event()
    overlapped: list[bool] = []
    write_chunk = nzsim.runs.runfolder.write_chunk
    first_of_chunk_1 = replication_seed(SEED, 5)

    def held(folder, cell, index, tables, record=None):
        if index == 0:
            overlapped.append(started.wait(timeout=20))
        write_chunk(folder, cell, index, tables, record)

    class Watching(nzsim.model.NZModel):
        def __init__(self, spec, seed=0, params=None):
            if seed == first_of_chunk_1:
                started.set()
            super().__init__(spec, seed=seed, params=params)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(nzsim.runs.loop, "NZModel", Watching)
        mp.setattr(nzsim.runs.runfolder, "write_chunk", held)
        run_ensemble(spec, 10, seed=SEED, workers=1, chunk_size=5, out=out)
    assert overlapped == [True]


def test_a_chunk_still_being_written_when_a_later_one_fails_is_kept(spec, tmp_path):
    """The failure is raised only after the writer thread has written every chunk that finished."""
    out = tmp_path / "run"
    with failing_at(SEED, 5), pytest.raises(EnsembleError):  # chunk 1 fails just after chunk 0 finished
        run_ensemble(spec, 20, seed=SEED, workers=1, chunk_size=5, out=out)
    assert finished_chunks(out) == {(0, 0)}


def test_resume_clears_the_debris_of_a_write_killed_part_way(spec, tmp_path):
    out = tmp_path / "run"
    with failing_at(SEED, 7), pytest.raises(EnsembleError):
        run_ensemble(spec, 20, seed=SEED, workers=1, chunk_size=5, out=out, max_in_flight=1)
    # What SIGKILL leaves if it lands between mkstemp() and os.replace() in atomic_write_table:
    (out / "chunks" / ".outcomes-c000-000001.arrow.k1ll3d.tmp").write_bytes(b"ARROW1 half a file")
    (out / ".manifest.json.k1ll3d.tmp").write_bytes(b'{"format": ')
    resumed = run_ensemble(spec, 20, seed=SEED, workers=1, out=out, resume=True)
    assert resumed.manifest["status"] == "complete"
    assert not (out / "chunks").exists()
    assert not [p.name for p in out.rglob("*.tmp")]


# --------------------------------------------------------------------------------------
# 4a. Killed with SIGKILL part-way, then resumed
# --------------------------------------------------------------------------------------


def run_nzsim(*args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nzsim", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_a_run_killed_with_sigkill_resumes_to_the_same_results(tmp_path):
    # Slower replications than elsewhere (20,000 voters, 52 weeks: ~25 ms each) so that there is
    # time to kill the run between its second chunk and its last.
    spec = make_spec(context={"voters": 20_000}, replications=60)
    scenario = tmp_path / "slow.yaml"
    scenario.write_text(spec.to_yaml())
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "nzsim", "run", str(scenario), "--seed", "13", "--workers", "1", "--chunk-size", "5",
         "--out", str(out), "--no-figures", "--no-progress"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while len(finished_chunks(out)) < 2:
            assert proc.poll() is None, f"the run ended before it could be killed: {proc.stderr.read()!r}"
            assert time.monotonic() < deadline, "no chunk written within 60 s"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running"  # nobody had the chance to say otherwise
    kept = finished_chunks(out)
    assert 2 <= len(kept) < 12, kept
    assert not (out / "outcomes.parquet").exists()

    # Resume with a process pool this time: the remaining chunks' seeds do not depend on it.
    result = run_nzsim("run", scenario, "--seed", 13, "--resume", out, "--workers", 2, "--no-figures", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    resumed = Run.open(out)
    assert resumed.manifest["status"] == "complete"
    # No chunk is left behind. (A kill inside a write can leave a '.tmp' file in chunks/: see
    # test_resume_clears_the_debris_of_a_write_killed_part_way for that bug.)
    assert not (out / "chunks").exists()
    reference = run_ensemble(scenario, seed=13, workers=1, chunk_size=5, out=tmp_path / "reference")
    assert len(reference.outcomes) == 60
    assert_same_frames(resumed, reference)


HOLD = """
import sys, time
from nzsim.runs import runfolder
with runfolder.locked(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


@contextlib.contextmanager
def held_by_another_process(folder: Path):
    """A process that holds ``folder``'s lock until the block ends (then is killed with SIGKILL)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_a_run_in_progress_holds_its_folder(spec, tmp_path):
    """A second run cannot resume a folder another live process holds; once it dies (SIGKILL), the
    kernel has released its lock and the resume goes ahead, though the lock file is still there."""
    out = tmp_path / "run"
    with failing_at(SEED, 7), pytest.raises(EnsembleError):
        run_ensemble(spec, 20, seed=SEED, workers=1, chunk_size=5, out=out)
    with held_by_another_process(out) as holder:
        with pytest.raises(RunFolderError, match=f"in use by another run \\(process {holder.pid}\\)"):
            run_ensemble(spec, 20, seed=SEED, workers=1, chunk_size=5, out=out, resume=True)
    assert (out / ".lock").read_text() == str(holder.pid)  # left by the dead holder: not a lock any more
    run = run_ensemble(spec, 20, seed=SEED, workers=1, chunk_size=5, out=out, resume=True)
    assert len(run.outcomes) == 20


# --------------------------------------------------------------------------------------
# Streaming consolidation
# --------------------------------------------------------------------------------------


def _write_chunks(folder: Path, keys) -> dict:
    import pyarrow as pa

    from nzsim.runs import runfolder

    (folder / "chunks").mkdir(parents=True, exist_ok=True)
    tables = {}
    for cell, index in keys:
        rows = pa.table({"replication": [10 * index, 10 * index + 1], "cell": [f"c{cell}"] * 2})
        tables[(cell, index)] = {name: rows for name in runfolder.TABLES}
        runfolder.write_chunk(folder, cell, index, tables[(cell, index)])
    return tables


def test_consolidator_appends_in_chunk_order_whatever_order_chunks_finish(tmp_path):
    from nzsim.runs import runfolder

    keys = [(0, 0), (0, 1), (0, 2), (1, 0)]
    tables = _write_chunks(tmp_path, keys)
    consolidator = runfolder.Consolidator(tmp_path, keys)
    finished = set()
    for key in [(0, 2), (1, 0), (0, 0), (0, 1)]:  # out of order: nothing is appended until (0, 0)
        finished.add(key)
        consolidator.advance(finished, {key: tables[key]})
        expected = {(0, 2): 0, (1, 0): 0, (0, 0): 1, (0, 1): 4}[key]
        assert consolidator.next == expected
    assert not (tmp_path / "outcomes.parquet").exists()  # written under a temporary name until finished
    files = consolidator.finish()
    assert finished_chunks(tmp_path) == set(keys)  # the chunks stay until the files are recorded
    assert files["outcomes.parquet"]["bytes"] == (tmp_path / "outcomes.parquet").stat().st_size
    runfolder.remove_chunks(tmp_path)
    frame = pd.read_parquet(tmp_path / "outcomes.parquet")
    assert frame["replication"].tolist() == [0, 1, 10, 11, 20, 21, 0, 1]
    assert frame["cell"].tolist() == ["c0"] * 6 + ["c1"] * 2
    assert not (tmp_path / "chunks").exists() and not list(tmp_path.glob(".*.tmp"))


def test_consolidator_refuses_to_finish_early_and_abort_leaves_only_chunks(tmp_path):
    from nzsim.runs import runfolder

    keys = [(0, 0), (0, 1)]
    _write_chunks(tmp_path, keys)
    consolidator = runfolder.Consolidator(tmp_path, keys)
    consolidator.advance({(0, 0)})
    assert list(tmp_path.glob(".*.tmp"))  # the partial files
    with pytest.raises(RuntimeError, match=r"chunk \(0, 1\) is not finished"):
        consolidator.finish()
    consolidator.abort()
    assert not list(tmp_path.glob(".*.tmp")) and not (tmp_path / "outcomes.parquet").exists()
    assert finished_chunks(tmp_path) == set(keys)  # the chunks stay, for --resume


def test_a_run_folder_that_is_not_one_says_why(tmp_path):
    from nzsim.runs import load_run

    with pytest.raises(RunFolderError, match=r"nowhere: not a run folder \(no such folder\)$"):
        load_run(tmp_path / "nowhere")
    (tmp_path / "file").write_text("x")
    with pytest.raises(RunFolderError, match=r"file: not a run folder \(a file, not a folder\)$"):
        load_run(tmp_path / "file")


def test_a_run_stopped_part_way_is_named_so_with_both_ways_to_finish_it(spec, tmp_path):
    from nzsim.runs import load_run

    out = tmp_path / "run"
    with failing_at(SEED, 7), pytest.raises(EnsembleError):
        run_ensemble(spec, 20, seed=SEED, workers=1, chunk_size=5, out=out)
    with pytest.raises(RunFolderError) as info:
        load_run(out)
    message = str(info.value)
    assert "the run did not finish (a replication failed)" in message
    assert f"nzsim run SCENARIO --resume {out}" in message
    assert f"nzsim.run_ensemble('SCENARIO', out={str(out)!r}, resume=True)" in message
    # a run killed with SIGKILL leaves 'running' in its manifest and a lock file no process holds
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["status"] = "running"
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / ".lock").write_text("999999999")
    with pytest.raises(RunFolderError, match="stopped part-way, its manifest still saying 'running'"):
        load_run(out)
    with held_by_another_process(out) as holder:  # a run still going
        with pytest.raises(RunFolderError, match=rf"the run is still going \(process {holder.pid}\); open it when"):
            load_run(out)


def test_a_complete_run_missing_a_table_says_which(spec, tmp_path):
    from nzsim.runs import load_run

    run = run_ensemble(spec, 5, seed=SEED, workers=1, out=tmp_path / "run")
    (run.path / "outcomes.parquet").unlink()
    with pytest.raises(RunFolderError, match="outcomes.parquet is missing, though the manifest says the run is complete"):
        load_run(run.path)


def test_a_run_shows_itself_in_one_short_line(spec, tmp_path):
    run = run_ensemble(spec, 5, seed=SEED, workers=1, out=tmp_path / "run")
    assert repr(run) == f"Run({str(run.path)!r}: {spec.name}, 5 replications, root seed {SEED}, complete)"


def test_a_replication_failing_in_the_parent_of_a_pooled_run_is_reported(spec, tmp_path):
    """With its own pool the parent computes too: the pool takes chunks 0 and 1, this process
    chunk 2, whose first replication fails here (the pool's processes run the real model)."""
    out = tmp_path / "run"
    with failing_at(SEED, 10), pytest.raises(EnsembleError) as info:
        run_ensemble(spec, 40, seed=SEED, workers=2, chunk_size=5, out=out)
    message = str(info.value)
    assert f"replication 10 (seed {replication_seed(SEED, 10)})" in message and "the model blew up" in message
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed" and manifest["error"]["replication"] == 10
    # chunk 0 was running on the pool when chunk 2 failed (chunk 1 perhaps queued, perhaps cancelled):
    # the pool's shutdown waits for a running chunk anyway, so it is kept
    assert {(0, 0)} <= finished_chunks(out) <= {(0, 0), (0, 1)}
    resumed = run_ensemble(spec, 40, seed=SEED, workers=2, chunk_size=5, out=out, resume=True)
    assert len(resumed.outcomes) == 40

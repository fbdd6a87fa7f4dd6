"""Why, across an ensemble (issue 15, item 5): events carry the numbers of their week, old run
folders still load and resume, ``explain`` counts what came before an outcome as the frames say,
and ``nzsim explain`` says it in sentences, or says in one line what is wrong."""

from __future__ import annotations

import contextlib
import json
import math
import shutil
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc
import pyarrow.parquet as pq
import pytest

import nzsim
import nzsim.runs.loop
from nzsim.analysis.explain import EXPLAIN_COLUMNS, explain
from nzsim.cli import main
from nzsim.model import LogEntry, NZModel
from nzsim.runs import EnsembleError, run_ensemble, runfolder
from nzsim.runs.errors import ChunkRecomputed
from nzsim.seeds import replication_seed
from tests.helpers import small_spec

#: Beijing quick to restrict trade, after strong words at the summit: about half the runs get measures.
TOUCHY = {"parameters": {"china.trade_threshold": 2.0, "china.trade_max_hazard": 0.05},
          "events": {"vilnius": {"signals": {"china_language": "strong"}}}}
REPS, SEED = 30, 2
NUMBERS = list(runfolder.EVENT_NUMBERS)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return run_ensemble(small_spec(**TOUCHY), REPS, seed=SEED, workers=1, chunk_size=7,
                        out=tmp_path_factory.mktemp("explain") / "run")


@pytest.fixture(scope="module")
def weekly(run):
    """China's rung, grievance, approval and trust, one row per replication and week."""
    names = {"china_rung": "rung", "china_grievance": "grievance", "approval": "approval", "partner_trust_mean": "trust"}
    frame = run.trajectories_of(list(names)).pivot(index=["replication", "week"], columns="variable", values="value")
    return frame.rename(columns=names)[list(names.values())]


# --------------------------------------------------------------------------------------
# The numbers of each event
# --------------------------------------------------------------------------------------


def test_every_event_carries_the_numbers_of_its_week(run, weekly):
    events = run.events
    assert list(events.columns) == ["replication", "week", "date", "actor", "event", "description", *NUMBERS]
    table = pq.read_schema(run.path / "events.parquet")
    assert [table.field(n).type for n in NUMBERS] == [pa.int8(), pa.int8(), *[pa.float32()] * 6]
    assert events[NUMBERS].notna().all().all()
    end = weekly.loc[list(zip(events["replication"], events["week"]))].to_numpy()
    start = weekly.loc[list(zip(events["replication"], (events["week"] - 1).clip(lower=0)))].to_numpy()
    assert (events["rung_after"].to_numpy() == end[:, 0]).all()
    assert (events["rung_before"].to_numpy() == start[:, 0]).all()
    for k, name in enumerate(["grievance", "approval", "trust"], start=1):
        np.testing.assert_allclose(events[name], end[:, k], rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(events[f"{name}_change"], end[:, k] - start[:, k], rtol=1e-5, atol=1e-6)


def test_the_numbers_say_what_the_week_did(run):
    """Not zeros: Beijing's own escalation takes its rung to a trade measure, the summit's strong
    words raise its grievance, and approval and trust move."""
    events = run.events
    measures = events[events["event"] == "informal trade restriction"]
    assert len(measures) and (measures["rung_after"] >= 4).all()
    first = measures.groupby("replication").head(1)
    assert (first["rung_before"] < 4).all()
    summit = events[events["event"] == "nato summit"]
    assert len(summit) == REPS and (summit["grievance_change"] > 0.5).all() and (summit["trust_change"] > 0).all()
    assert (events["approval_change"].abs() > 1e-6).mean() > 0.5


def test_a_replication_told_alone_has_the_same_numbers_and_outcomes(run):
    seed = int(run.outcomes["seed"].iloc[3])
    rep = nzsim.replicate(run.scenario, seed=seed)
    told = rep.events()
    assert list(told.columns) == ["week", "date", "actor", "event", "description", *NUMBERS]
    stored = run.events[run.events["replication"] == 3].reset_index(drop=True)
    assert told["description"].tolist() == stored["description"].tolist()
    np.testing.assert_allclose(told["grievance"].to_numpy(float), stored["grievance"], rtol=1e-6)
    # recording the numbers changes nothing the model did
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(nzsim.runs.loop, "with_numbers", lambda entries, names, recorded: tuple(entries))
        bare = nzsim.replicate(run.scenario, seed=seed)
    assert bare.outcomes == rep.outcomes
    pd.testing.assert_frame_equal(bare.trajectories, rep.trajectories, check_exact=True)
    assert [e.rung_after for e in bare.entries] == [None] * len(bare.entries)


def test_a_log_entry_is_still_made_from_its_five_fields():
    import datetime as dt

    entry = LogEntry(3, dt.date(2023, 6, 19), "China", "warning", "A warning.")
    assert entry.quiet is False and entry.rung_before is None and entry.trust_change is None
    model = NZModel(small_spec())
    model.log("World", "custom", "Something happens.")
    assert model.entries[-1].description == "Something happens." and model.entries[-1].grievance is None


# --------------------------------------------------------------------------------------
# Old run folders
# --------------------------------------------------------------------------------------


def as_older(folder, fmt: str = "nzsim-run/3") -> None:
    """Make a complete run folder look as an earlier version left it: events without numbers."""
    table = pq.read_table(folder / "events.parquet").drop_columns(NUMBERS)
    pq.write_table(table, folder / "events.parquet")
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "format": fmt}))


def test_an_old_run_folder_loads_and_is_explained_without_its_numbers(run, tmp_path):
    old = shutil.copytree(run.path, tmp_path / "old")
    as_older(old)
    opened = nzsim.load_run(old)
    assert not set(NUMBERS) & set(opened.events.columns)
    then, now = explain(opened, "trade_coercion"), explain(run, "trade_coercion")
    shares = ["actor", "event", "runs_with", "happened_with", "happened_without", "share_with", "share_without"]
    pd.testing.assert_frame_equal(then[shares], now[shares])
    assert then["grievance_change_with"].isna().all() and now["grievance_change_with"].notna().any()


@contextlib.contextmanager
def failing_at(root_seed: int, replication: int):
    """The runner's model raises for one replication (by its seed)."""
    bad = replication_seed(root_seed, replication)

    class Failing(NZModel):
        def __init__(self, spec, seed=0, params=None):
            if seed == bad:
                raise RuntimeError("the model blew up")
            super().__init__(spec, seed=seed, params=params)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(nzsim.runs.loop, "NZModel", Failing)
        yield


def test_an_unfinished_old_folder_resumes_with_empty_numbers_and_becomes_format_4(run, tmp_path):
    """The chunks an earlier version kept (format /3, sealed, events without numbers) are kept and
    read with the numbers empty; the new chunks have them; the folder becomes /4."""
    spec, out = small_spec(**TOUCHY), tmp_path / "run"
    with failing_at(SEED, 17), pytest.raises(EnsembleError):
        run_ensemble(spec, REPS, seed=SEED, workers=1, chunk_size=7, out=out, max_in_flight=1)
    kept = runfolder.finished_chunks(out)
    assert kept == {(0, 0), (0, 1)}
    for cell, index in kept:  # as an earlier version wrote them
        path = runfolder.chunk_path(out, "events", cell, index)
        older = runfolder.read_chunk(out, "events", cell, index).drop_columns(NUMBERS)
        runfolder.atomic_write_bytes(path, runfolder.ipc_bytes(older))
        seal = json.loads(runfolder.seal_path(out, cell, index).read_text())
        seal["files"]["events"].update(bytes=path.stat().st_size, sha256=runfolder.sha256_of(path))
        runfolder.seal_path(out, cell, index).write_text(json.dumps(seal))
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "format": "nzsim-run/3"}))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ChunkRecomputed)  # the old chunks pass their checks
        resumed = run_ensemble(spec, REPS, seed=SEED, workers=1, out=out, resume=True)
    assert resumed.manifest["format"] == runfolder.FORMAT == "nzsim-run/4"
    events = resumed.events
    early = events["replication"] < 14
    assert events.loc[early, NUMBERS].isna().all().all() and events.loc[~early, NUMBERS].notna().all().all()
    pd.testing.assert_frame_equal(resumed.outcomes, run.outcomes)
    pd.testing.assert_frame_equal(events.drop(columns=NUMBERS), run.events.drop(columns=NUMBERS))


# --------------------------------------------------------------------------------------
# explain, checked against the frames
# --------------------------------------------------------------------------------------


def expected(outcomes: pd.DataFrame, events: pd.DataFrame, first_week: pd.Series | None, has: pd.Series) -> dict:
    """Each kind of event's shares and mean grievance change, counted by hand: in the runs with
    the outcome up to its first week; in the others by the same weeks, run against run (at any
    time, with no run with the outcome to set them against)."""
    reps = outcomes["replication"]
    with_ = reps[has.to_numpy()].tolist()
    without = reps[~has.to_numpy()].tolist()
    until = {r: (first_week[r] if first_week is not None else math.inf) for r in with_}
    found = {}
    for (actor, event), rows in events.groupby(["actor", "event"], observed=True):
        first = rows.groupby("replication")["week"].min()

        def by(q, week):
            return q in first.index and first[q] <= week

        came = [by(r, until[r]) for r in with_]
        if not any(came) and not any(q in first.index for q in without):
            continue  # in no run it is counted in
        against = [np.mean([by(q, until[r]) for q in without]) for r in with_] if with_ else \
            [np.mean([by(q, math.inf) for q in without])]
        before = rows[rows["replication"].isin(with_)]
        before = before[before["week"] <= before["replication"].map(until)]
        found[(actor, event)] = (np.mean(came) if came else math.nan, np.mean(against) if without else math.nan,
                                 before["grievance_change"].astype(float).mean())
    return found


def check(frame: pd.DataFrame, found: dict) -> None:
    assert set(zip(frame["actor"], frame["event"])) == set(found)
    for row in frame.itertuples():
        share_with, share_without, grievance = found[(row.actor, row.event)]
        assert row.share_with == pytest.approx(share_with, nan_ok=True)
        assert row.share_without == pytest.approx(share_without, nan_ok=True)
        assert row.difference == pytest.approx(share_with - share_without, nan_ok=True)
        assert (math.isnan(row.grievance_change_with) and math.isnan(grievance)) or \
            row.grievance_change_with == pytest.approx(grievance, rel=1e-5, abs=1e-6)


def test_explain_counts_what_came_before_trade_measures_as_the_frames_say(run):
    frame = explain(run, "trade_coercion")
    assert list(frame.columns) == list(EXPLAIN_COLUMNS)
    outcomes, events = run.outcomes, run.events
    has = outcomes["trade_coercion"].astype(bool)
    assert 5 < has.sum() < REPS - 5
    assert (frame["runs_with"] == has.sum()).all() and (frame["runs_without"] == (~has).sum()).all()
    rung = run.trajectories_of(["china_rung"])
    first = rung[rung["value"] >= 4].groupby("replication")["week"].min()
    check(frame, expected(outcomes, events, first, has))
    assert (frame["when"] == "to its week").all() and frame["difference"].is_monotonic_decreasing
    top = frame.iloc[0]
    assert (top["actor"], top["event"], top["share_with"]) == ("China", "informal trade restriction", 1.0)
    # read a few rows at a time, replications cut between batches: the same counts
    pd.testing.assert_frame_equal(explain(run.path, "trade_coercion", batch_rows=5), frame)


def test_a_numeric_outcome_at_a_threshold_counts_at_any_time(run):
    frame = explain(run, "final_approval", threshold=0.7)
    outcomes = run.outcomes
    has = outcomes["final_approval"] >= 0.7
    check(frame, expected(outcomes, run.events, None, has))
    assert (frame["when"] == "any time").all() and (frame["outcome"] == "final_approval>=0.7").all()


def test_only_the_weeks_before_count_without_the_outcomes_own(run):
    """Counted only in the weeks before, the outcome's own event is gone: it came in none of them."""
    frame = explain(run, "trade_coercion", own_week=False)
    assert (frame["when"] == "before its week").all()
    assert ("China", "informal trade restriction") not in set(zip(frame["actor"], frame["event"]))
    has = run.outcomes["trade_coercion"].astype(bool)
    rung = run.trajectories_of(["china_rung"])
    first = rung[rung["value"] >= 4].groupby("replication")["week"].min() - 1  # the week before
    check(frame, expected(run.outcomes, run.events, first, has))


def test_each_lever_cell_is_split_on_its_own(tmp_path):
    """Each cell's runs are split in two on their own; a cell in which no run has the outcome has
    no share with it, and its other runs are counted at any time."""
    levers = {"events.vilnius.signals.china_language": ["passing", "strong"]}
    cells = run_ensemble(small_spec(parameters=TOUCHY["parameters"], levers=levers), 12, seed=4, workers=1,
                         out=tmp_path / "cells")
    frame = explain(cells, "trade_coercion")
    assert list(frame.columns) == ["cell", *EXPLAIN_COLUMNS]
    outcomes, events = cells.outcomes, cells.events
    rung = cells.trajectories_of(["china_rung"])
    with_it = []
    for label in outcomes["cell"].unique():
        mine = frame[frame["cell"] == label]
        o = outcomes[outcomes["cell"] == label].reset_index(drop=True)
        has = o["trade_coercion"].astype(bool)
        with_it.append(int(has.sum()))
        assert (mine["runs_with"] == has.sum()).all() and (mine["runs_with"] + mine["runs_without"] == 12).all()
        r = rung[(rung["cell"] == label) & (rung["value"] >= 4)]
        check(mine, expected(o, events[events["cell"] == label], r.groupby("replication")["week"].min(), has))
    assert 0 in with_it and max(with_it) > 2  # a cell without trade measures, and one with some


def test_explain_says_what_is_wrong_with_an_outcome(run):
    with pytest.raises(ValueError, match="'nope' is not an outcome of this run"):
        explain(run, "nope")
    with pytest.raises(ValueError, match="^final_approval is not a yes/no outcome; give a threshold"):
        explain(run, "final_approval")
    with pytest.raises(ValueError, match="^threshold: trade_coercion is a yes/no outcome"):
        explain(run, "trade_coercion", threshold=1)
    with pytest.raises(ValueError, match="ordinal: compare a level instead"):
        explain(run, "china_max_rung")


# --------------------------------------------------------------------------------------
# nzsim explain
# --------------------------------------------------------------------------------------


def test_nzsim_explain_prints_sentences_and_writes_explain_csv(run, tmp_path, capsys):
    folder = shutil.copytree(run.path, tmp_path / "run")
    assert main(["explain", str(folder), "--outcome", "trade_coercion", "--top", "2"]) == 0
    said = capsys.readouterr().out
    has = int(run.outcomes["trade_coercion"].sum())
    assert said.startswith(f"Trade measures: in {has} of {REPS} runs.\n")
    assert "  - China: informal trade restriction, in 100% of those runs (against 0% of the others)" in said
    assert "not what caused it" in said and said.count("\n  - ") <= 4
    written = pd.read_csv(folder / "explain.csv")
    frame = explain(run, "trade_coercion")
    assert written[["actor", "event", "happened_with"]].equals(frame[["actor", "event", "happened_with"]])


@pytest.mark.parametrize("arguments, message", [
    (["--outcome", "nope"], "--outcome: 'nope' is not an outcome of this run"),
    (["--outcome", "final_approval"], "--outcome: final_approval is not a yes/no outcome; give --threshold X"),
    (["--outcome", "trade_coercion", "--threshold", "2"], "--threshold: trade_coercion is a yes/no outcome"),
    (["--outcome", "china_max_rung"], "--outcome: outcome 'china_max_rung' is ordinal"),
])
def test_nzsim_explain_refuses_bad_input_in_one_line(run, capsys, arguments, message):
    assert main(["explain", str(run.path), *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"nzsim explain: error: {message}") and err.count("\n") == 1


def test_nzsim_explain_refuses_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["explain", str(tmp_path / "nothing"), "--outcome", "trade_coercion"]) == 2
    assert capsys.readouterr().err.count("\n") == 1

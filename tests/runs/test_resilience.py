"""A run folder under faults: damaged, foreign or missing chunks, kills at every step, a lost
manifest, durable writes, the kernel lock, full and read-only disks (docs/runs.md, "What a crash
leaves"). Every resumed run must end with the bytes of an uninterrupted one."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

import nzsim.runs.loop
from nzsim.cli import main
from nzsim.runs import EnsembleError, RunFolderError, folderlock, run_ensemble, runfolder
from nzsim.runs.errors import ChunkRecomputed
from tests.helpers import small_spec

ROOT = Path(__file__).resolve().parents[2]
REPS, SEED, CHUNK = 20, 8, 5  # four chunks
FINAL = ("outcomes.parquet", "trajectories.parquet", "events.parquet")


@pytest.fixture(scope="module")
def spec():
    return small_spec()


@pytest.fixture(scope="module")
def scenario_file(spec, tmp_path_factory):
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(spec.to_yaml())
    return path


@pytest.fixture(scope="module")
def reference(scenario_file, tmp_path_factory):
    """The final files of the uninterrupted run, byte for byte."""
    run = run_ensemble(scenario_file, REPS, seed=SEED, workers=1, chunk_size=CHUNK,
                       out=tmp_path_factory.mktemp("ref") / "run")
    return {name: (run.path / name).read_bytes() for name in FINAL}


def final_bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FINAL}


class Stop(Exception):
    """Stops a run after some chunks (as a kill would, but with the manifest written)."""


def stopped_after(folder: Path, spec, chunks: int, seed: int = SEED) -> Path:
    """A run of ``spec`` into ``folder`` stopped once ``chunks`` chunks are written."""
    write_chunk = runfolder.write_chunk
    written = []

    def counting(*args, **kwargs):
        if len(written) == chunks:
            raise Stop()
        write_chunk(*args, **kwargs)
        written.append(args[2])

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(runfolder, "write_chunk", counting)
        with pytest.raises(Stop):
            run_ensemble(spec, REPS, seed=seed, workers=1, chunk_size=CHUNK, out=folder, max_in_flight=1)
    assert runfolder.finished_chunks(folder) == {(0, k) for k in range(chunks)}
    return folder


@pytest.fixture(scope="module")
def stopped(spec, tmp_path_factory):
    """A run stopped after three of its four chunks (copied by each test that changes it)."""
    return stopped_after(tmp_path_factory.mktemp("stopped") / "run", spec, 3)


@pytest.fixture(scope="module")
def foreign(spec, tmp_path_factory):
    """The same scenario run with another root seed, stopped after three chunks."""
    return stopped_after(tmp_path_factory.mktemp("foreign") / "run", spec, 3, seed=SEED + 1)


def resumed_naming(folder: Path, spec, *names: str):
    """Resume ``folder``, returning the run and the warnings it gave; each of ``names`` must be named."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ChunkRecomputed)
        run = run_ensemble(spec, REPS, seed=SEED, workers=1, out=folder, resume=True)
    said = [str(w.message) for w in caught if issubclass(w.category, ChunkRecomputed)]
    for name in names:
        assert any(name in message for message in said), (name, said)
    return run, said


# --------------------------------------------------------------------------------------
# Item 3: chunks checked against their seals and seeds
# --------------------------------------------------------------------------------------


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


DAMAGE = {
    "a flipped byte": (lambda c: flip_a_byte(c / "outcomes-c000-000001.arrow"), "outcomes-c000-000001.arrow is damaged"),
    "truncated": (lambda c: (c / "trajectories-c000-000000.arrow").write_bytes(
        (c / "trajectories-c000-000000.arrow").read_bytes()[:100]), "trajectories-c000-000000.arrow has 100 bytes"),
    "empty": (lambda c: (c / "events-c000-000002.arrow").write_bytes(b""), "events-c000-000002.arrow has 0 bytes"),
    "garbage": (lambda c: (c / "outcomes-c000-000000.arrow").write_bytes(b"not an arrow file"),
                "outcomes-c000-000000.arrow has 17 bytes"),
    "a missing sibling": (lambda c: (c / "events-c000-000001.arrow").unlink(), "events-c000-000001.arrow is missing"),
    "a damaged seal": (lambda c: (c / "seal-c000-000002.json").write_text('{"format": "nzsim-ch'),
                       "seal-c000-000002.json is damaged"),
    "a seal of another chunk": (lambda c: shutil.copy(c / "seal-c000-000000.json", c / "seal-c000-000001.json"),
                                "seal-c000-000001.json belongs to another chunk"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_chunk_is_named_and_recomputed(damage, stopped, spec, reference, tmp_path):
    out = shutil.copytree(stopped, tmp_path / "run")
    harm, named = DAMAGE[damage]
    harm(out / "chunks")
    run, said = resumed_naming(out, spec, named)
    assert len(said) == 1 and said[0].startswith(f"{out}: chunks/") and "recomputing chunk" in said[0]
    assert run.manifest["resumed"][-1]["recomputed"] == [said[0].removeprefix(f"{out}: ").split("; recomputing")[0]]
    assert final_bytes(out) == reference


def test_a_chunk_copied_in_from_a_run_with_another_seed_is_named_and_recomputed(stopped, foreign, spec, reference,
                                                                                 tmp_path):
    out = shutil.copytree(stopped, tmp_path / "run")
    for path in (foreign / "chunks").glob("*-c000-000001.*"):  # its files and its seal
        shutil.copy(path, out / "chunks" / path.name)
    run, said = resumed_naming(out, spec, "seal-c000-000001.json is from another run (root_seed 9, not 8)")
    assert len(said) == 1
    assert final_bytes(out) == reference
    assert sorted(run.outcomes["seed"]) == sorted(nzsim.seeds.replication_seed(SEED, i) for i in range(REPS))


def test_a_foreign_chunk_under_a_seal_rewritten_for_it_fails_on_its_seeds(stopped, foreign, spec, reference, tmp_path):
    """Files of another run, and this chunk's seal made to record their sizes and checksums: the
    seeds the outcomes hold are not this run's."""
    out = shutil.copytree(stopped, tmp_path / "run")
    seal = json.loads((out / "chunks" / "seal-c000-000002.json").read_text())
    for table in runfolder.TABLES:
        path = foreign / "chunks" / f"{table}-c000-000002.arrow"
        shutil.copy(path, out / "chunks" / path.name)
        seal["files"][table].update(bytes=path.stat().st_size, sha256=runfolder.sha256_of(path))
    (out / "chunks" / "seal-c000-000002.json").write_text(json.dumps(seal))
    resumed_naming(out, spec, "outcomes-c000-000002.arrow holds other seeds than replications 10-14 have")
    assert final_bytes(out) == reference


def test_a_chunk_without_its_seal_is_unfinished_and_recomputed_quietly(stopped, spec, reference, tmp_path):
    out = shutil.copytree(stopped, tmp_path / "run")
    (out / "chunks" / "seal-c000-000001.json").unlink()
    written = []
    write_chunk = runfolder.write_chunk
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(runfolder, "write_chunk", lambda f, cell, index, *rest: written.append(index)
                   or write_chunk(f, cell, index, *rest))
        _, said = resumed_naming(out, spec)
    assert said == [] and written == [1, 3]
    assert final_bytes(out) == reference


def test_a_damaged_chunk_of_a_folder_from_before_seals_is_named_by_its_content(stopped, spec, reference, tmp_path):
    """Format /2 folders have no seals: their chunks are read and their replications and seeds
    checked; the ones that pass are sealed, the others recomputed. The format stays /2."""
    out = shutil.copytree(stopped, tmp_path / "run")
    for seal in (out / "chunks").glob("seal-*.json"):
        seal.unlink()
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "format": "nzsim-run/2"}))
    (out / "chunks" / "outcomes-c000-000001.arrow").write_bytes(b"")
    run, said = resumed_naming(out, spec, "chunks/outcomes-c000-000001.arrow cannot be read")
    assert len(said) == 1 and run.manifest["format"] == "nzsim-run/2"
    assert final_bytes(out) == reference


# --------------------------------------------------------------------------------------
# Item 3: a kill (SIGKILL) at every step, then resumed
# --------------------------------------------------------------------------------------

#: Where the killed run dies: Python run in a child process before it calls run_ensemble.
KILLS = {
    "inside a chunk's write, between its files": """
        write = runfolder.atomic_write_bytes
        def atomic_write_bytes(path, data):
            if path.name == "outcomes-c000-000002.arrow":
                die()
            write(path, data)
        runfolder.atomic_write_bytes = atomic_write_bytes
    """,
    "with a chunk's seal written but not renamed": """
        import os
        replace = os.replace
        def killing(src, dst):
            if Path(dst).name == "seal-c000-000001.json":
                die()
            replace(src, dst)
        runfolder.os.replace = killing
    """,
    "between the renames of the final files": """
        import os
        replace = os.replace
        def killing(src, dst):
            if Path(dst).name == "trajectories.parquet":
                die()
            replace(src, dst)
        runfolder.os.replace = killing
    """,
    "before the manifest says complete": """
        write = runfolder.write_manifest
        def write_manifest(folder, manifest):
            if manifest.get("status") == "complete":
                die()
            write(folder, manifest)
        runfolder.write_manifest = write_manifest
    """,
    "after the manifest says complete, before chunks/ is removed": """
        runfolder.remove_chunks = lambda folder: die()
    """,
    "while chunks/ is being removed": """
        import shutil
        def rmtree(path, ignore_errors=False):
            for name in ("trajectories-c000-000000.arrow", "seal-c000-000001.json", "outcomes-c000-000002.arrow",
                         "events-c000-000003.arrow"):
                (Path(path) / name).unlink()
            die()
        runfolder.shutil.rmtree = rmtree
    """,
}

KILLED_RUN = """
import os, signal, sys
from pathlib import Path
from nzsim.runs import run_ensemble, runfolder

def die():
    os.kill(os.getpid(), signal.SIGKILL)

{patch}
run_ensemble(sys.argv[1], {reps}, seed={seed}, workers=1, chunk_size={chunk}, out=sys.argv[2], max_in_flight=1)
"""


def killed_run(scenario_file: Path, out: Path, patch: str) -> None:
    script = KILLED_RUN.format(patch=textwrap.dedent(patch), reps=REPS, seed=SEED, chunk=CHUNK)
    result = subprocess.run([sys.executable, "-c", script, str(scenario_file), str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr


@pytest.mark.parametrize("point", list(KILLS))
def test_a_run_killed_at_any_step_resumes_to_the_same_bytes(point, scenario_file, spec, reference, tmp_path):
    out = tmp_path / "run"
    killed_run(scenario_file, out, KILLS[point])
    run = run_ensemble(scenario_file, workers=1, out=out, resume=True)  # seed and design from the run
    assert run.manifest["status"] == "complete"
    assert final_bytes(out) == reference
    assert not (out / "chunks").exists() and not list(out.rglob("*.tmp"))
    again = run_ensemble(scenario_file, workers=1, out=out, resume=True)  # and once more: nothing changes
    assert again.manifest["status"] == "complete" and final_bytes(out) == reference


def test_a_kill_before_the_figures_leaves_a_run_whose_resume_writes_them(scenario_file, tmp_path):
    """Killed after the manifest says complete but before (or while) the summary and figures are
    written: `--resume` writes them, the same bytes as an uninterrupted `nzsim run`."""
    args = [str(scenario_file), "--reps", "10", "--seed", "3", "--workers", "1", "--no-progress"]
    assert main(["run", *args, "--out", str(tmp_path / "whole")]) == 0
    out = tmp_path / "killed"
    script = textwrap.dedent("""
        import os, signal, sys
        import nzsim.reports
        nzsim.reports.describe_run = lambda run, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
        from nzsim.cli import main
        main(sys.argv[1:])
    """)
    killed = subprocess.run([sys.executable, "-c", script, "run", *args, "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"
    assert not (out / "summary.csv").exists()
    assert main(["run", str(scenario_file), "--resume", str(out), "--no-progress"]) == 0
    whole = tmp_path / "whole"
    made = sorted(p.relative_to(whole) for p in whole.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert Path("summary.csv") in made and Path("figures/outcomes.png") in made
    for name in made:
        assert (out / name).read_bytes() == (whole / name).read_bytes(), name


def test_a_complete_run_with_a_damaged_final_file_is_made_again(scenario_file, spec, reference, tmp_path):
    out = tmp_path / "run"
    run_ensemble(scenario_file, REPS, seed=SEED, workers=1, chunk_size=CHUNK, out=out)
    flip_a_byte(out / "events.parquet")
    run, said = resumed_naming(out, spec, "events.parquet is damaged")
    assert run.manifest["status"] == "complete"
    assert final_bytes(out) == reference


# --------------------------------------------------------------------------------------
# Item 3: a lost manifest, rebuilt from the chunk seals and the scenario
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["deleted", "truncated"])
def test_a_lost_manifest_is_rebuilt_from_the_chunks_and_the_scenario(loss, stopped, scenario_file, reference,
                                                                      tmp_path, capsys):
    out = shutil.copytree(stopped, tmp_path / "run")
    whole = (out / "manifest.json").read_text()
    if loss == "deleted":
        (out / "manifest.json").unlink()
    else:
        (out / "manifest.json").write_text(whole[: len(whole) // 3])
    assert main(["run", str(scenario_file), "--resume", str(out), "--no-progress", "--no-figures"]) == 0
    said = capsys.readouterr().err
    assert f"nzsim run: {out}: " in said and "rebuilt it from 3 chunk seal(s) and the scenario" in said
    assert final_bytes(out) == reference
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["root_seed"] == SEED
    assert manifest["chunk_bounds"] == json.loads(whole)["chunk_bounds"]
    assert manifest["recovered"]["from_seals"] == 3
    if loss == "truncated":  # the damaged one is kept aside, not lost
        assert (out / "manifest.json.damaged").read_text() == whole[: len(whole) // 3]
        assert manifest["recovered"]["damaged_manifest"] == "manifest.json.damaged"


def test_a_lost_manifest_with_another_scenario_or_no_chunks_says_so(stopped, spec, tmp_path):
    out = shutil.copytree(stopped, tmp_path / "run")
    (out / "manifest.json").unlink()
    other = small_spec(context={"voters": 301})
    with pytest.raises(RunFolderError, match=r"no manifest.json\); its chunks were made from a different scenario"):
        run_ensemble(other, workers=1, out=out, resume=True)
    shutil.rmtree(out / "chunks")
    with pytest.raises(RunFolderError, match="no sealed chunk to rebuild it from; start the run again"):
        run_ensemble(spec, workers=1, out=out, resume=True)


# --------------------------------------------------------------------------------------
# Item 4: durable writes
# --------------------------------------------------------------------------------------


def test_every_rename_is_of_a_flushed_file_and_its_folder_is_flushed_before_the_next(spec, tmp_path, monkeypatch):
    events: list[tuple] = []  # files and folders by (device, inode)
    fsync, replace = os.fsync, os.replace

    def recording_fsync(fd):
        info = os.fstat(fd)
        events.append(("fsync", (info.st_dev, info.st_ino)))
        fsync(fd)

    def recording_replace(src, dst):
        info, folder = os.stat(src), os.stat(Path(dst).parent)
        events.append(("replace", (info.st_dev, info.st_ino), Path(dst), (folder.st_dev, folder.st_ino)))
        replace(src, dst)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    monkeypatch.setattr(os, "replace", recording_replace)
    run_ensemble(spec, 10, seed=1, workers=1, chunk_size=5, out=tmp_path / "run")
    renames = [i for i, e in enumerate(events) if e[0] == "replace"]
    names = {e[2].name for e in events if e[0] == "replace"}
    assert {"seal-c000-000001.json", "outcomes-c000-000001.arrow", "outcomes.parquet", "manifest.json"} <= names
    for n, i in enumerate(renames):
        _, source, target, folder = events[i]
        assert ("fsync", source) in events[:i], f"{target.name} renamed before its bytes were flushed"
        before_next = events[i + 1: renames[n + 1] if n + 1 < len(renames) else len(events)]
        assert ("fsync", folder) in before_next, f"{target.name}: its folder was not flushed"


# --------------------------------------------------------------------------------------
# Item 5: the kernel lock
# --------------------------------------------------------------------------------------


def contend(folder: str, rounds: int, start, done, results) -> None:
    """One contender: in each round, try the lock once when all are ready; hold it until all have tried."""
    from nzsim.runs import runfolder as rf

    for k in range(rounds):
        start.wait()
        try:
            with rf.locked(Path(folder) / f"round{k}"):
                results.put((k, os.getpid()))
                done.wait()
        except rf.RunFolderError:
            done.wait()


def test_many_processes_contending_over_a_leftover_lock_give_exactly_one_holder(tmp_path):
    processes, rounds = 8, 12
    for k in range(rounds):  # a lock file left by a run killed outright, naming a process that is gone
        (tmp_path / f"round{k}").mkdir()
        (tmp_path / f"round{k}" / ".lock").write_text("999999999")
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    start, done, results = context.Barrier(processes), context.Barrier(processes), context.Queue()
    workers = [context.Process(target=contend, args=(str(tmp_path), rounds, start, done, results))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    held = [results.get(timeout=10) for _ in range(rounds)]
    assert results.empty()
    assert sorted(k for k, _ in held) == list(range(rounds))  # exactly one holder in every round


def test_the_lock_of_a_process_killed_while_holding_it_is_released(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom nzsim.runs import runfolder\n"
         "with runfolder.locked(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(60)", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunFolderError, match=f"in use by another run \\(process {holder.pid}\\)"):
            with runfolder.locked(tmp_path):
                pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    with runfolder.locked(tmp_path):
        assert (tmp_path / ".lock").read_text() == str(os.getpid())


# --------------------------------------------------------------------------------------
# Item 6: a full disk and a read-only one
# --------------------------------------------------------------------------------------


def full_disk_at(name: str):
    """A write that raises ENOSPC once it reaches the file ``name`` (as os.write would)."""
    write = runfolder.atomic_write_bytes

    def atomic_write_bytes(path, data):
        if Path(path).name == name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        write(path, data)

    return atomic_write_bytes


def test_a_full_disk_ends_the_run_with_one_line_keeping_the_chunks(scenario_file, reference, tmp_path, capsys,
                                                                  monkeypatch):
    out = tmp_path / "run"
    args = ["run", str(scenario_file), "--reps", str(REPS), "--seed", str(SEED), "--workers", "1", "--chunk-size",
            str(CHUNK), "--no-progress", "--no-figures"]
    with monkeypatch.context() as mp:
        mp.setattr(runfolder, "atomic_write_bytes", full_disk_at("outcomes-c000-000002.arrow"))
        assert main([*args, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"nzsim run: error: {out}: No space left on device writing the run "
                          f"(chunks/outcomes-c000-000002.arrow); 2 finished chunk(s) kept; free some space")
    assert f"nzsim run {scenario_file} --resume {out}" in err
    assert runfolder.finished_chunks(out) == {(0, 0), (0, 1)}
    assert not list(out.glob(".*.tmp"))  # the partial final files are removed: room for the resume
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert main(["run", str(scenario_file), "--resume", str(out), "--no-progress", "--no-figures"]) == 0
    assert final_bytes(out) == reference


def test_a_full_disk_while_appending_to_the_final_files_keeps_the_chunks(spec, reference, tmp_path, monkeypatch):
    out = tmp_path / "run"
    append = runfolder.Consolidator._append

    def full(self, name, table):
        if self.next == 2:
            raise OSError(errno.ENOSPC, "No space left on device")  # pyarrow's, which names no file
        append(self, name, table)

    with monkeypatch.context() as mp:
        mp.setattr(runfolder.Consolidator, "_append", full)
        with pytest.raises(EnsembleError, match=r"No space left on device writing the run; \d finished chunk\(s\) kept"):
            run_ensemble(spec, REPS, seed=SEED, workers=1, chunk_size=CHUNK, out=out)
    assert len(runfolder.finished_chunks(out)) >= 2
    run_ensemble(spec, workers=1, out=out, resume=True)
    assert final_bytes(out) == reference


def test_resume_on_a_read_only_disk_says_so_in_one_line_and_changes_nothing(stopped, scenario_file, tmp_path, capsys,
                                                                          monkeypatch):
    out = shutil.copytree(stopped, tmp_path / "run")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def read_only(folder, write_pid=True):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(Path(folder) / runfolder.LOCK))

    monkeypatch.setattr(folderlock, "_lock", read_only)
    assert main(["run", str(scenario_file), "--resume", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"nzsim run: error: {out}: cannot write there: Read-only file system (.lock); "
                          f"3 finished chunk(s) kept; copy the folder to a writable disk and finish it there with: "
                          f"nzsim run {scenario_file} --resume COPY")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_full_disk_while_writing_the_figures_says_the_run_is_complete(scenario_file, tmp_path, capsys, monkeypatch):
    import nzsim.reports

    def full(run, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(run.path / "summary.csv"))

    monkeypatch.setattr(nzsim.reports, "describe_run", full)
    out = tmp_path / "run"
    assert main(["run", str(scenario_file), "--reps", "5", "--workers", "1", "--no-progress", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == (f"nzsim run: error: {out}: No space left on device writing the summary and figures (summary.csv); "
                   f"the run itself is complete; make room, then write them with: nzsim run {scenario_file} "
                   f"--resume {out}\n")

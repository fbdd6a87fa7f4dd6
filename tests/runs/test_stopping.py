"""Stopping a run (issue 17, item 5; docs/runs.md, "Stopping a run"): SIGTERM, SIGINT and SIGHUP
stop ``nzsim run`` with the conventional exit status, one line naming what is kept and the
command that resumes it, and no process of the run left behind; a SIGKILLed run's workers end on
their own.

Each test runs ``python -m nzsim run`` as a user does, in a session of its own (so that a signal
can be sent to its whole process group, as a terminal's Ctrl+C or hangup is), with two worker
processes, and signals it once its first chunk is sealed, while it is still running.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from nzsim import cli
from nzsim.runs import process_pool, run_ensemble, runfolder
from nzsim.runs.executors import start_method_untouched
from tests.helpers import small_spec

ROOT = Path(__file__).resolve().parents[2]
# A run signalled at its first sealed chunk must still be running, whatever the machine's speed:
# REPS would take about 20 s of computing on three processes here (2.6 ms a replication), and a
# stopped run computes no more than its first few chunks. Only the test that resumes the run
# computes it all, at RESUMED replications (about 3 s here, resumed on two processes).
REPS, RESUMED, SEED, CHUNK, WORKERS = 20_000, 2400, 4, 20, 3
FINAL = ("outcomes.parquet", "trajectories.parquet", "events.parquet")
STOPPED = re.compile(r"nzsim run: stopped by (SIG\w+); ([\d,]+) of ([\d,]+) replications kept in (.+); "
                     r"resume with: (nzsim run .+)")


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(small_spec().to_yaml())
    return path


@contextlib.contextmanager
def started(scenario_file: Path, out: Path, reps: int = REPS, *options: str):
    """``nzsim run`` started in a session of its own; on the way out, whatever of it a failed test
    left running is killed (the run, and every process :func:`running` found)."""
    command = [sys.executable, "-m", "nzsim", "run", str(scenario_file), "--reps", str(reps), "--seed", str(SEED),
               "--workers", str(WORKERS), "--chunk-size", str(CHUNK), "--no-figures", "--no-progress", "--out", str(out), *options]
    # PYTHONFAULTHANDLER: a run that hangs while it stops is sent SIGABRT (:func:`assert_stopped`),
    # and prints every thread's stack
    run = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True, env={**os.environ, "PYTHONFAULTHANDLER": "1"})
    run.found = {}
    try:
        yield run
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        for process in run.found.values():
            with contextlib.suppress(psutil.Error):
                process.kill()
        run.stdout.close()
        run.stderr.close()


def command_line(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def parent_of(process: psutil.Process) -> int | None:
    try:
        return process.ppid()
    except psutil.Error:
        return None


def running(run: subprocess.Popen, out: Path, timeout: float = 60) -> dict[str, list[psutil.Process]]:
    """The run's processes, by role, once it has sealed a chunk and its workers are up (it still
    running): the forkserver, its worker processes and the resource tracker."""
    parent = psutil.Process(run.pid)
    seen: dict[int, psutil.Process] = run.found
    deadline = time.monotonic() + timeout
    while True:
        assert run.poll() is None, f"the run ended before it was signalled: {run.communicate()}"
        assert time.monotonic() < deadline, "the run sealed no chunk in time"
        with contextlib.suppress(psutil.Error):
            for child in parent.children(recursive=True):
                seen.setdefault(child.pid, child)
        servers = [p for p in seen.values() if "multiprocessing.forkserver" in command_line(p)
                   and parent_of(p) == run.pid]
        workers = [p for p in seen.values() if servers and parent_of(p) == servers[0].pid]
        if runfolder.finished_chunks(out) and len(workers) == WORKERS - 1:
            trackers = [p for p in seen.values() if "multiprocessing.resource_tracker" in command_line(p)]
            return {"forkserver": servers, "workers": workers, "resource tracker": trackers}
        time.sleep(0.01)


def alive(processes: dict[str, list[psutil.Process]], within: float = 5.0) -> dict[str, list[int]]:
    """The processes still alive (zombies, which only wait for init to reap them, are not) after up
    to ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        left = {}
        for role, group in processes.items():
            pids = []
            for process in group:
                try:
                    if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                        pids.append(process.pid)
                except psutil.NoSuchProcess:
                    pass
            if pids:
                left[role] = pids
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def signal_run(run: subprocess.Popen, signum: int, to_group: bool) -> None:
    if to_group:
        os.killpg(run.pid, signum)  # the group's id is the run's pid (start_new_session)
    else:
        run.send_signal(signum)


def assert_stopped(run: subprocess.Popen, signum: int, scenario_file: Path, out: Path,
                   reps: int = REPS) -> tuple[int, list[str]]:
    """Exit 128 + signal, nothing on stdout, one line on stderr: the replications kept (those of
    the sealed chunks) and the command that resumes the run. Returns them."""
    try:
        run.wait(timeout=30)
    except subprocess.TimeoutExpired:  # say what the run said, and where it hangs, so that it can be traced
        run.send_signal(signal.SIGABRT)
        try:
            run.wait(timeout=10)
        except subprocess.TimeoutExpired:
            run.kill()
        stdout, stderr = run.communicate(timeout=10)
        pytest.fail(f"the run did not end within 30 s of {signal.Signals(signum).name}; its stderr: {stderr[-8000:]}")
    try:
        stdout, stderr = run.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail("a process of the run outlived it, holding its output open")
    assert run.returncode == 128 + signum, (run.returncode, stderr)
    assert "Traceback" not in stderr and stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    said = STOPPED.fullmatch(lines[0])
    assert said, stderr
    name, kept, total, folder, resume = said.groups()
    assert name == signal.Signals(signum).name and int(total.replace(",", "")) == reps and Path(folder) == out
    kept = int(kept.replace(",", ""))
    assert 0 < kept < reps and kept == runfolder.kept_replications(out)[0]
    assert shlex.split(resume) == ["nzsim", "run", str(scenario_file), "--resume", str(out)]
    return kept, shlex.split(resume)


@pytest.mark.parametrize(("name", "to_group"), [
    ("SIGTERM", False),  # kill PID, a process manager
    ("SIGTERM", True),   # a batch scheduler that signals every process of the job
    ("SIGINT", True),    # Ctrl+C in the terminal: the whole foreground process group
    ("SIGHUP", False),
    ("SIGHUP", True),    # the terminal closed
])
def test_a_signal_stops_the_run_keeping_its_chunks_and_leaving_no_process(name, to_group, scenario_file, tmp_path):
    signum = getattr(signal, name)
    out = tmp_path / "run"
    with started(scenario_file, out) as run:
        processes = running(run, out)
        assert processes["forkserver"] and processes["resource tracker"]
        signal_run(run, signum, to_group)
        time.sleep(0.02)
        if run.poll() is None:  # a second signal while it stops: no traceback, the first one's status
            signal_run(run, signal.SIGINT if signum != signal.SIGINT else signal.SIGTERM, to_group)
        kept, _ = assert_stopped(run, signum, scenario_file, out)
        assert alive(processes) == {}
    # The chunks kept are whole and resumable: each seal's replications are in its chunk.
    manifest = runfolder.read_manifest(out)
    assert manifest["status"] == "interrupted"
    seals = runfolder.read_seals(out)
    assert sum(b - a for a, b in (s["replications"] for s in seals)) == kept
    for seal in seals:
        outcomes = runfolder.read_chunk(out, "outcomes", seal["cell"], seal["chunk"])
        assert outcomes["replication"].to_pylist() == list(range(*seal["replications"]))


@pytest.mark.parametrize("name", ["SIGINT", "SIGHUP"])
def test_a_terminal_signal_to_a_dask_run_leaves_the_one_line_without_the_workers_tracebacks(
        name, scenario_file, tmp_path):
    """Ctrl+C or a hangup reaches the local Dask cluster's processes too (the whole process group):
    they are started with those signals blocked, so that only the run handles them, and what it
    prints is its one line, not each Dask worker's KeyboardInterrupt."""
    signum = getattr(signal, name)
    out = tmp_path / "run"
    with started(scenario_file, out, REPS, "--executor", "dask") as run:
        deadline = time.monotonic() + 120
        while not runfolder.finished_chunks(out):
            assert run.poll() is None, f"the run ended before it was signalled: {run.communicate()}"
            assert time.monotonic() < deadline, "the run sealed no chunk in time"
            time.sleep(0.05)
        os.killpg(run.pid, signum)
        assert_stopped(run, signum, scenario_file, out)


def test_a_run_stopped_by_sigterm_resumes_to_the_files_of_an_uninterrupted_run(scenario_file, tmp_path):
    out = tmp_path / "run"
    with started(scenario_file, out, RESUMED) as run:
        processes = running(run, out)
        run.send_signal(signal.SIGTERM)
        _, resume = assert_stopped(run, signal.SIGTERM, scenario_file, out, RESUMED)
        assert alive(processes) == {}
    # The command it printed, run as given (in this process and one worker process): it completes the run.
    assert cli.main([*resume[1:], "--workers", "2", "--no-figures", "--no-progress"]) == 0
    reference = run_ensemble(scenario_file, RESUMED, seed=SEED, workers=1, chunk_size=CHUNK, out=tmp_path / "whole")
    for name in FINAL:
        assert (out / name).read_bytes() == (reference.path / name).read_bytes(), name


def test_the_workers_of_a_sigkilled_run_end_on_their_own(scenario_file, tmp_path):
    """A SIGKILL cannot be handled: the workers see their lifeline end and exit, the forkserver
    then sees its last client go, and the resource tracker the end of its pipe."""
    out = tmp_path / "run"
    with started(scenario_file, out) as run:
        processes = running(run, out)
        run.kill()
        assert run.wait(timeout=10) == -signal.SIGKILL
        assert alive(processes, within=5.0) == {}
    assert runfolder.finished_chunks(out)  # the chunks sealed so far are kept


def signalled_itself() -> str:
    """In a worker: the terminal's two signals, sent to the worker itself."""
    os.kill(os.getpid(), signal.SIGINT)
    os.kill(os.getpid(), signal.SIGHUP)
    time.sleep(0.2)
    return "still working"


def test_a_worker_leaves_the_terminals_sigint_and_sighup_to_the_process_that_made_its_pool():
    with start_method_untouched():
        pool = process_pool(1)
        try:
            answer = pool.submit(signalled_itself).result(timeout=60)
        except BaseException as err:  # noqa: BLE001 - its KeyboardInterrupt, sent back, or BrokenProcessPool
            pytest.fail(f"the worker did not leave them alone: {err!r}")
        else:
            assert answer == "still working"
        finally:
            pool.shutdown(wait=True)


def test_a_stop_while_the_summary_is_written_names_the_complete_run_and_how_to_finish_it(
        scenario_file, tmp_path, monkeypatch, capsys):
    import nzsim.reports as reports
    from nzsim.cli.common import Stopped

    def stopped_in_the_figures(run, **kwargs):
        raise Stopped(signal.SIGTERM)
    monkeypatch.setattr(reports, "describe_run", stopped_in_the_figures)
    out = tmp_path / "run"
    code = cli.main(["run", str(scenario_file), "--reps", "20", "--seed", "3", "--workers", "1", "--out", str(out),
                     "--no-progress"])
    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert code == 143
    assert said == (f"nzsim run: stopped by SIGTERM; 20 of 20 replications kept in {out}; resume with: "
                    f"nzsim run {shlex.quote(str(scenario_file))} --resume {shlex.quote(str(out))}")


def _blocked_signals() -> int:
    """This process's blocked-signal mask, from /proc."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"^SigBlk:\s*([0-9a-f]+)$", status, re.M).group(1), 16)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the signal mask from /proc")
def test_workers_ignore_the_terminal_signals_without_leaving_them_blocked():
    """The forkserver is started with SIGINT and SIGHUP blocked (so a worker is never killed by
    them while starting); a worker, once it ignores them, unblocks them, so a program it starts
    does not inherit the block."""
    with start_method_untouched():
        pool = process_pool(1)
        try:
            mask = pool.submit(_blocked_signals).result(timeout=60)
        finally:
            pool.shutdown(wait=True)
    for sig in (signal.SIGINT, signal.SIGHUP):
        assert not mask & (1 << (sig - 1)), f"{signal.Signals(sig).name} still blocked in the worker"


def _forkserver_and_workers() -> tuple[psutil.Process, list[psutil.Process]]:
    """This process's forkserver and the worker processes it started."""
    servers = [p for p in psutil.Process().children() if "multiprocessing.forkserver" in command_line(p)]
    assert len(servers) == 1, servers
    return servers[0], servers[0].children()


def test_stop_pool_ends_busy_workers_at_once_and_stop_forkserver_ends_the_forkserver():
    """In this process, so that the workers' own lifeline (they end when their pool's process is
    gone) cannot do the stopping: the workers are busy for a minute, yet gone when ``stop_pool``
    returns; the forkserver is gone when ``stop_forkserver`` returns, and a pool made afterwards
    starts a new one."""
    from nzsim.runs.executors import stop_forkserver, stop_pool

    with start_method_untouched():
        pool = process_pool(2)
        busy = [pool.submit(time.sleep, 60) for _ in range(2)]
        deadline = time.monotonic() + 60
        server, children = _forkserver_and_workers()
        # this pool's workers (the forkserver may serve another pool of this process, the dashboard's)
        while len(pool._processes) < 2 or not {p.pid for p in pool._processes.values()} <= {c.pid for c in children}:
            assert time.monotonic() < deadline, "the pool's workers did not start"
            time.sleep(0.05)
            server, children = _forkserver_and_workers()
        workers = [psutil.Process(p.pid) for p in pool._processes.values()]
        started_at = time.monotonic()
        stop_pool(pool)
        assert time.monotonic() - started_at < 10
        assert alive({"workers": workers}, within=0) == {}
        assert all(f.cancelled() or f.done() for f in busy)
        stop_forkserver()
        assert alive({"forkserver": [server]}, within=0) == {}
        again = process_pool(1)
        try:
            assert again.submit(os.getpid).result(timeout=60) != os.getpid()
        finally:
            again.shutdown(wait=True)


def test_a_stop_that_lands_while_the_writer_is_finishing_is_not_swallowed(scenario_file, tmp_path, monkeypatch):
    """A run's first signal can land while the chunk writer is being waited for, at the very end
    of the draining: the writer still finishes (nothing half-written), and the stop then goes on
    to end the run, rather than vanishing (the later signals are ignored, so nothing else would)."""
    import nzsim.runs.drain as drain
    from nzsim.cli.common import Stopped

    shut = []

    class StoppedOnce(drain.ThreadPoolExecutor):
        def shutdown(self, wait=True, **kwargs):
            shut.append(wait)
            if len(shut) == 1:
                raise Stopped(signal.SIGTERM)
            return super().shutdown(wait=wait, **kwargs)

    monkeypatch.setattr(drain, "ThreadPoolExecutor", StoppedOnce)
    out = tmp_path / "run"
    with pytest.raises(Stopped) as stop:
        run_ensemble(scenario_file, 40, seed=SEED, workers=1, chunk_size=CHUNK, out=out)
    assert shut == [True, True]
    assert stop.value.run_folder == out and runfolder.kept_replications(out)[0] == 40


def test_a_stop_while_the_run_folder_is_made_leaves_no_folder(tmp_path, monkeypatch):
    from nzsim.cli.common import Stopped

    def stopped(folder):
        raise Stopped(signal.SIGINT)

    monkeypatch.setattr(runfolder, "fsync_folder", stopped)
    with pytest.raises(Stopped):
        runfolder.create(tmp_path / "runs" / "new")
    assert (tmp_path / "runs").is_dir() and not (tmp_path / "runs" / "new").exists()


def test_a_stopped_command_called_from_another_program_leaves_that_programs_pools_alone(
        scenario_file, tmp_path, monkeypatch, capsys):
    """Only the ``nzsim`` program stops multiprocessing's forkserver on its way out: a program that
    calls :func:`nzsim.cli.main` may have pools of its own, which share it."""
    import nzsim.reports as reports

    def interrupted_in_the_figures(run, **kwargs):  # a real Ctrl+C, which the command's handler turns into Stopped
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
        pytest.fail("the signal did not stop the command")
    monkeypatch.setattr(reports, "describe_run", interrupted_in_the_figures)
    with start_method_untouched():
        pool = process_pool(1)
        try:
            before = pool.submit(os.getpid).result(timeout=60)
            server, _ = _forkserver_and_workers()
            code = cli.main(["run", str(scenario_file), "--reps", "20", "--workers", "1", "--out", str(tmp_path / "run"),
                             "--no-progress"])
            assert code == 130 and "stopped by SIGINT" in capsys.readouterr().err
            assert server.is_running() and pool.submit(os.getpid).result(timeout=60) == before
        finally:
            pool.shutdown(wait=True)

"""Ensemble benchmarks: throughput, parallel efficiency, mesa.batch_run yardstick, memory, profile.

Usage::

    .venv/bin/python benchmarks/ensemble.py [all|throughput|commands|batchrun|instructions|memory|profile]
        [--reps 1000] [--repeats 3] [--memory-reps 2000,20000] [--scenario FILE]
        [--tmp DIR] [--wait-idle 60] [--no-record]

Parts (``all``, the default, runs them in this order):

``throughput``
    ``run_ensemble(spec, reps=N, seed=1, workers=W, out=<tmp>)`` for W = 1 and
    2, timing the whole call: for W = 2 that includes starting the process pool (forkserver,
    and its one worker process importing nzsim, Mesa, NumPy and pyarrow; this process computes
    as the second worker, decision 31); W = 1 runs in this process and has no pool. Also W = 2 on a pre-started ``nzsim.runs.process_pool(2)`` passed as
    ``executor=`` and warmed with a small run, which leaves out the start-up. Prints the rates,
    the parallel efficiency (rate at 2 workers / (2 x rate at 1)) and, for diagnosis, the
    parent's and the workers' CPU time and the workers' summed chunk time (from the manifest).
``commands``
    The command a user types, timed whole from a fresh process: ``python -m nzsim run SCENARIO
    --reps N --seed 1 --workers W --no-figures --no-progress --out <tmp>`` for W = 1 and 2
    (interpreter start-up, imports, the run and its summary table; no figures). Both sides pay
    their start-up: with 1 worker the one process imports Mesa before its first replication,
    with 2 the command and its one worker process import it at once. The
    parallel efficiency of the command is (time at 1 worker) / (2 x time at 2 workers).
``batchrun``
    ``mesa.batch_run`` on the same work: a thin adapter class builds ``NZModel(spec, seed=...)``
    from the same N replication seeds nzsim uses, ``number_processes`` = 1 and 2,
    ``max_steps=52``, ``data_collection_period=1`` (every week: the trajectories nzsim keeps,
    the same work) and ``-1`` (the end only: less work). Each batch_run runs in a subprocess of
    its own (batch_run sets the multiprocessing start method globally, to spawn), and so does
    nzsim's ``run_ensemble`` with the same workers: a fresh interpreter, the scenario read, 3
    replications to warm up, then the timed call, Pool or pool start-up included. Within a
    repeat the three run one after another, in an order that rotates between repeats; the
    ratio is the median over repeats of nzsim's rate over batch_run's. batch_run keeps every
    row in memory and writes nothing, while nzsim writes three Parquet files.
``instructions``
    The same comparison counted in instructions instead of seconds, with ``valgrind
    --tool=cachegrind`` (skipped where valgrind is not installed): the model alone, nzsim's
    ``run_ensemble`` with 1 worker and batch_run with 1 process (every week, end only), each in a
    fresh process after the same warm-up, 20 and 120 replications; the difference over 100 is one
    replication's instructions. Deterministic, so free of the drift that makes timings of a few
    per cent hard to tell apart.
``memory``
    ``nzsim run SCENARIO --reps R --workers 2 --no-progress --out <tmp>`` (as ``python -m nzsim``:
    the main job, summary table and figures included) for each R in ``--memory-reps`` (default
    2000,20000; the 20,000 run takes a few minutes), sampling every 0.1 s with psutil the
    resident set size of the parent
    process and the sum over its whole process tree (parent, forkserver, workers, resource
    tracker; also the tree's PSS, which splits shared pages between the processes sharing them).
    Reports the peaks, their ratio between the largest and smallest R against the ratio of
    replication counts, and the run folder's size on disk.
``profile``
    Where a replication's time goes: ``run_chunk`` of one default-sized chunk (as a 2-worker run
    of ``--reps`` would cut it) run in this process, once plain and once under cProfile, split
    into model set-up, weekly steps (and the DataCollector within them), outcome rows, Arrow
    tables; then, in the parent's share, pickling the chunk's result and writing its Parquet
    files and the manifest. Last, the machine's own ceiling: ``run_chunk`` in one process
    alone, then in two independent processes at once (no pool, no parent).

This machine may be shared. Before each timing the script waits (``--wait-idle``, up to 60 s)
for the CPUs to be idle, and during each it measures the share of the CPUs other processes took
(the machine's busy time less this process tree's). Timings where others took more than 10% are
printed but left out of the medians (unless all were), and the largest share is recorded.

Every figure is printed; unless ``--no-record``, rows are added to the "Ensembles" section of
``benchmarks/RESULTS.md`` (newest first) with date, code version, machine and versions.
Targets (issue 3): at least 90 replications/s with 2 workers on a two-core machine; parallel
efficiency at least 85%; throughput no lower than ``mesa.batch_run``; peak resident memory
under 600 MB for 20,000 replications, growing far slower than the replication count.
Tests never assert timings.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pickle
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mesa  # noqa: E402
import numpy as np  # noqa: E402
import psutil  # noqa: E402
import pyarrow as pa  # noqa: E402

from nzsim.model import NZModel  # noqa: E402
from nzsim.scenario import load  # noqa: E402
from nzsim.version import code_version  # noqa: E402

TARGET_RATE = 90.0
TARGET_EFFICIENCY = 0.85
TARGET_MEMORY_MB = 600.0
SEED = 1
MB = 1024 * 1024
PARTS = ("throughput", "commands", "batchrun", "instructions", "memory", "profile")


# --------------------------------------------------------------------------------------
# Machine and versions
# --------------------------------------------------------------------------------------


from machine import cpu_model, machine  # noqa: E402,F401  (benchmarks/machine.py)


def versions() -> str:
    return (f"Python {platform.python_version()}, Mesa {mesa.__version__}, NumPy {np.__version__}, "
            f"pyarrow {pa.__version__}")


#: Before each timed part and repeat, wait (up to this many seconds) for other processes to go quiet.
WAIT_IDLE = 60.0
IDLE_PERCENT = 15.0


def wait_idle() -> float:
    """Wait until the CPUs are idle (under IDLE_PERCENT busy over 2 s) or WAIT_IDLE s pass; the last reading."""
    deadline = time.monotonic() + WAIT_IDLE
    while True:
        busy = psutil.cpu_percent(interval=2.0)
        if busy < IDLE_PERCENT or time.monotonic() >= deadline:
            return busy


#: A timing during which other processes took more than this share of the CPUs is left out of medians.
OTHERS_LIMIT = 0.10


def clean(runs: list[dict]) -> list[dict]:
    """The timings other processes did not disturb (all of them if every one was disturbed)."""
    quiet = [x for x in runs if x.get("others", 0.0) <= OTHERS_LIMIT]
    return quiet or runs


def kept_note(runs: dict) -> str:
    left = {k: len(v) - len(clean(v)) for k, v in runs.items()}
    if not any(left.values()):
        return ""
    return (" (left out of the median, other processes above " f"{OTHERS_LIMIT:.0%} of the CPUs: "
            + ", ".join(f"{n} of {k}" for k, n in left.items() if n) + ")")


def load_note() -> str:
    busy = wait_idle()
    note = f"other processes used {busy:.0f}% of the CPUs over the 2 s before"
    if busy >= IDLE_PERCENT:
        note += f" (still busy after waiting {WAIT_IDLE:g} s: figures may be low)"
    try:
        one, five, _ = os.getloadavg()
        note += f", load average {one:.2f} (1 min)"
    except OSError:
        pass
    return note


def cpu_seconds_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CpuWatch:
    """CPU time of this process's tree, and of the whole machine, over a ``with`` block.

    A thread reads every descendant's CPU time every 0.2 s (a process that ends between reads
    loses at most its last 0.2 s). ``others`` is the machine's busy CPU time less the tree's: what
    other processes took. ``steal`` is the time the hypervisor gave this VM's CPUs to others.
    """

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.me = psutil.Process()
        self.last: dict[tuple[int, float], float] = {}
        self.base: dict[tuple[int, float], float] = {}

    def _read(self) -> dict[tuple[int, float], float]:
        seen = {}
        for proc in self.me.children(recursive=True):
            try:
                t = proc.cpu_times()
                seen[(proc.pid, proc.create_time())] = t.user + t.system
            except psutil.Error:
                pass
        return seen

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            self.last.update(self._read())

    @staticmethod
    def _machine() -> tuple[float, float]:
        t = psutil.cpu_times()
        busy = sum(t) - t.idle - getattr(t, "iowait", 0.0) - getattr(t, "steal", 0.0) - getattr(t, "guest", 0.0) \
            - getattr(t, "guest_nice", 0.0)
        return busy, getattr(t, "steal", 0.0)

    def __enter__(self) -> "CpuWatch":
        import threading

        self.base = self._read()
        self.last = dict(self.base)
        self.self0 = cpu_seconds_self()
        self.machine0, self.steal0 = self._machine()
        self.t0 = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.last.update(self._read())
        self._stop.set()
        self._thread.join()
        self.wall = time.perf_counter() - self.t0
        machine1, steal1 = self._machine()
        self.self_cpu = cpu_seconds_self() - self.self0
        self.children_cpu = sum(v - self.base.get(k, 0.0) for k, v in self.last.items())
        self.tree_cpu = self.self_cpu + self.children_cpu
        capacity = self.wall * (os.cpu_count() or 1)
        self.others = max(0.0, (machine1 - self.machine0) - self.tree_cpu) / capacity
        self.steal = (steal1 - self.steal0) / capacity

    def note(self) -> str:
        return f"other processes {self.others:.0%} of the CPUs, steal {self.steal:.0%}"


# --------------------------------------------------------------------------------------
# 1. Throughput
# --------------------------------------------------------------------------------------


def timed_ensemble(spec, reps: int, workers: int, tmp: Path, executor=None, seed: int = SEED) -> dict:
    """One ``run_ensemble`` call, timed whole; with the parent's CPU and the workers' chunk time."""
    from nzsim.runs import run_ensemble

    out = Path(tempfile.mkdtemp(dir=tmp, prefix=f"nzsim-w{workers}-")) / "run"
    with CpuWatch() as cpu:
        t0 = time.perf_counter()
        run = run_ensemble(spec, reps=reps, seed=seed, workers=workers, out=out, executor=executor)
        seconds = time.perf_counter() - t0
    chunk_seconds = sum(c["seconds"] for c in run.manifest["chunks"])
    result = {
        "workers": workers,
        "reps": reps,
        "seconds": seconds,
        "rate": reps / seconds,
        "parent_cpu": cpu.self_cpu,
        "worker_cpu": cpu.children_cpu,
        "others": cpu.others,
        "steal": cpu.steal,
        "chunk_seconds": chunk_seconds,
        "chunks": len(run.manifest["chunks"]),
        "chunk_size": run.manifest["chunk_size"],
    }
    shutil.rmtree(out.parent, ignore_errors=True)
    return result


def warm_pool(spec, tmp: Path):
    """A started 2-worker pool whose workers have imported everything and run a chunk each."""
    from nzsim.runs import process_pool, run_ensemble

    pool = process_pool(2)
    t0 = time.perf_counter()
    out = Path(tempfile.mkdtemp(dir=tmp, prefix="nzsim-warm-")) / "run"
    run_ensemble(spec, reps=20, seed=99, workers=2, executor=pool, out=out, chunk_size=5)
    shutil.rmtree(out.parent, ignore_errors=True)
    started = len(getattr(pool, "_processes", {}) or {})
    return pool, time.perf_counter() - t0, started


def throughput(spec, reps: int, repeats: int, tmp: Path) -> dict:
    print(f"\n== Throughput: run_ensemble, {reps:,} replications of {spec.name}, seed {SEED}, "
          f"{repeats} repeat(s); {load_note()}")
    print("   1 worker runs in this process (no pool). '2 workers' times the whole call, process-pool "
          "start-up included;\n   'warm pool' passes a pre-started process_pool(2), warmed with a 20-replication "
          "run, as executor=.")
    timed_ensemble(spec, 10, 1, tmp, seed=98)  # in-process warm-up: first-call costs out of the 1-worker figure
    runs: dict[str, list[dict]] = {"w1": [], "w2": [], "w2warm": []}
    for r in range(repeats):
        if r:
            print(f"   repeat {r + 1}: {load_note()}")
        runs["w1"].append(timed_ensemble(spec, reps, 1, tmp))
        runs["w2"].append(timed_ensemble(spec, reps, 2, tmp))
        pool, warm_seconds, started = warm_pool(spec, tmp)
        try:
            runs["w2warm"].append(timed_ensemble(spec, reps, 2, tmp, executor=pool))
        finally:
            pool.shutdown(wait=True)
        for key, label in (("w1", "1 worker          "), ("w2", "2 workers         "), ("w2warm", "2 workers, warm   ")):
            x = runs[key][-1]
            cpu = f"worker CPU {x['worker_cpu']:.2f} s, " if key != "w1" else ""
            print(f"   repeat {r + 1}: {label} {x['rate']:7.1f} rep/s ({x['seconds']:.2f} s; parent CPU "
                  f"{x['parent_cpu']:.2f} s, {cpu}chunk wall time {x['chunk_seconds']:.2f} s over {x['chunks']} "
                  f"chunks of {x['chunk_size']}; {x['others']:.0%} of the CPUs to other processes, steal "
                  f"{x['steal']:.0%})")
        print(f"   repeat {r + 1}: pool start-up and 20-replication warm-up took {warm_seconds:.2f} s "
              f"({started} worker processes started)")
    excluded = kept_note(runs)
    runs_all, runs = runs, {k: clean(v) for k, v in runs.items()}
    med = {k: statistics.median(x["rate"] for x in v) for k, v in runs.items()}
    rng = {k: (min(x["rate"] for x in v), max(x["rate"] for x in v)) for k, v in runs.items()}
    eff = med["w2"] / (2 * med["w1"])
    eff_warm = med["w2warm"] / (2 * med["w1"])
    startup_cost = statistics.median(reps / x["rate"] for x in runs["w2"]) - statistics.median(
        reps / x["rate"] for x in runs["w2warm"])
    per_rep_w1 = statistics.median(x["chunk_seconds"] / reps * 1000 for x in runs["w1"])
    per_rep_w2 = statistics.median(x["chunk_seconds"] / reps * 1000 for x in runs["w2warm"])
    cpu_per_rep_w2 = statistics.median(x["worker_cpu"] / reps * 1000 for x in runs["w2warm"])
    others = max(x["others"] for v in runs_all.values() for x in v)
    parent_share = statistics.median(x["parent_cpu"] / x["seconds"] for x in runs["w2warm"])
    busy = statistics.median(x["chunk_seconds"] / (2 * x["seconds"]) for x in runs["w2warm"])

    def verdict(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    print(f"   median{excluded}: 1 worker {med['w1']:.1f} rep/s; 2 workers {med['w2']:.1f} rep/s "
          f"(start-up included; {verdict(med['w2'] >= TARGET_RATE)} the {TARGET_RATE:g} rep/s target); "
          f"2 workers on a warm pool {med['w2warm']:.1f} rep/s ({verdict(med['w2warm'] >= TARGET_RATE)} it)")
    print(f"   parallel efficiency {eff:.0%} with start-up ({verdict(eff >= TARGET_EFFICIENCY)} the "
          f"{TARGET_EFFICIENCY:.0%} target), {eff_warm:.0%} on a warm pool ({verdict(eff_warm >= TARGET_EFFICIENCY)} it)")
    print(f"   start-up costs about {startup_cost:.2f} s a run (2 workers, whole call minus warm pool)")
    print(f"   run_chunk wall time per replication: {per_rep_w1:.2f} ms in-process (1 worker), {per_rep_w2:.2f} ms in "
          f"each of 2 workers (warm pool), which used {cpu_per_rep_w2:.2f} ms of CPU per replication; workers busy "
          f"{busy:.0%} of the wall time; the parent used {parent_share:.0%} of a core")
    if others > 0.05:
        print(f"   note: other processes took up to {others:.0%} of the CPUs during some of these runs")
    return {"reps": reps, "repeats": repeats, "median": med, "range": rng, "efficiency": eff,
            "efficiency_warm": eff_warm, "startup_cost": startup_cost, "per_rep_w1": per_rep_w1,
            "per_rep_w2": per_rep_w2, "cpu_per_rep_w2": cpu_per_rep_w2, "others": others,
            "parent_share": parent_share, "busy": busy, "runs": runs_all, "kept": {k: len(v) for k, v in runs.items()}}


def timed_command(scenario: Path, reps: int, workers: int, tmp: Path) -> dict:
    """``python -m nzsim run`` in a fresh process, timed whole (the wall time the user waits)."""
    out = Path(tempfile.mkdtemp(dir=tmp, prefix=f"nzsim-cmd{workers}-")) / "run"
    cmd = [sys.executable, "-m", "nzsim", "run", str(scenario), "--reps", str(reps), "--seed", str(SEED),
           "--workers", str(workers), "--no-figures", "--no-progress", "--out", str(out)]
    with CpuWatch() as cpu:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"nzsim run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    manifest = json.loads((out / "manifest.json").read_text())
    chunk_seconds = sum(c["seconds"] for c in manifest["chunks"])
    shutil.rmtree(out.parent, ignore_errors=True)
    return {"workers": workers, "reps": reps, "seconds": seconds, "rate": reps / seconds,
            "chunk_seconds": chunk_seconds, "cpu": cpu.children_cpu, "others": cpu.others, "steal": cpu.steal}


def commands(scenario: Path, spec, reps: int, repeats: int, tmp: Path) -> dict:
    print(f"\n== Commands: python -m nzsim run {scenario.name} --reps {reps:,} --seed {SEED} --workers W --no-figures "
          f"--no-progress, from a fresh process; {repeats} repeat(s); {load_note()}")
    print("   Timed whole, as the user waits for it: interpreter start-up, imports (with 1 worker this process "
          "imports Mesa;\n   with 2 it and its worker process do, at once), the run and its summary table.")
    timed_command(scenario, 20, 1, tmp)  # first-run costs (byte-code caches, page cache) out of the figures
    runs: dict[int, list[dict]] = {1: [], 2: []}
    for r in range(repeats):
        if r:
            print(f"   repeat {r + 1}: {load_note()}")
        for w in (1, 2):
            x = timed_command(scenario, reps, w, tmp)
            runs[w].append(x)
            print(f"   repeat {r + 1}: {w} worker{'s' if w > 1 else ' '} {x['rate']:7.1f} rep/s ({x['seconds']:.2f} s; "
                  f"chunk wall time {x['chunk_seconds']:.2f} s, so {x['seconds'] - x['chunk_seconds'] / w:.2f} s "
                  f"outside the replications; other processes {x['others']:.0%} of the CPUs, steal {x['steal']:.0%})")
    excluded = kept_note({f"{w} worker{'s' if w > 1 else ''}": v for w, v in runs.items()})
    runs_all, runs = runs, {w: clean(v) for w, v in runs.items()}
    med = {w: statistics.median(x["seconds"] for x in v) for w, v in runs.items()}
    eff = med[1] / (2 * med[2])
    verdict = "meets" if eff >= TARGET_EFFICIENCY else "MISSES"
    print(f"   median{excluded}: 1 worker {med[1]:.2f} s ({reps / med[1]:.1f} rep/s), 2 workers {med[2]:.2f} s "
          f"({reps / med[2]:.1f} rep/s); parallel efficiency of the command {eff:.0%} ({verdict} the "
          f"{TARGET_EFFICIENCY:.0%} target)")
    return {"reps": reps, "repeats": repeats, "median": med, "efficiency": eff, "runs": runs_all,
            "kept": {w: len(v) for w, v in runs.items()}}


# --------------------------------------------------------------------------------------
# 2. Yardstick: mesa.batch_run
# --------------------------------------------------------------------------------------

_BATCH_SPECS: dict[str, object] = {}


class BatchNZModel(NZModel):
    """The thin adapter batch_run needs: ``model_cls(scenario=<path>, seed=<int>)``.

    batch_run calls ``model_cls(**kwargs)`` with the parameter values plus ``seed=`` (it passes
    ``seed`` rather than ``rng`` because this signature has a ``seed`` parameter), then steps
    while ``model.running and model.steps < max_steps`` and reads ``model.datacollector``. The
    scenario file is read once per process, as nzsim's workers validate it once.
    """

    def __init__(self, scenario: str, seed: int | None = None):
        spec = _BATCH_SPECS.get(scenario)
        if spec is None:
            spec = _BATCH_SPECS[scenario] = load(scenario)
        super().__init__(spec, seed=seed)


def batchrun_child(scenario: str, reps: int, workers: int, period: int = -1) -> None:
    """Runs in a subprocess of its own: one timed ``mesa.batch_run``; prints a JSON line."""
    import warnings

    from mesa.batchrunner import batch_run

    from nzsim.seeds import replication_seed

    seeds = [replication_seed(SEED, i) for i in range(reps)]
    spec = load(scenario)
    # Warm-up in this process (imports, first model), as the nzsim 1-worker figure has.
    for s in seeds[:3]:
        BatchNZModel(scenario, seed=s).run_model()
    params = {"scenario": scenario}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        t0 = time.perf_counter()
        rows = batch_run(BatchNZModel, params, number_processes=workers, rng=seeds, data_collection_period=period,
                         max_steps=spec.horizon_weeks, display_progress=False)
        seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB -> MB (Linux)
    print(json.dumps({"workers": workers, "reps": reps, "seconds": seconds, "rate": reps / seconds,
                      "rows": len(rows), "columns": len(rows[0]) if rows else 0,
                      "steps": rows[0].get("Step") if rows else None, "parent_peak_mb": peak,
                      "start_method": __import__("multiprocessing").get_start_method()}))


def nzsim_child(scenario: str, reps: int, workers: int, tmp: str) -> None:
    """Runs in a subprocess of its own, as batch_run's does: one timed ``run_ensemble``; prints a JSON line.

    The same shape as :func:`batchrun_child`: a fresh interpreter, the scenario read, a 3-replication
    warm-up through the same code path (imports, first model, first write), then the timed call,
    whose own pool (with 2 workers) starts inside the timing as batch_run's Pool does.
    """
    from nzsim.runs import run_ensemble

    spec = load(scenario)
    folder = Path(tempfile.mkdtemp(dir=tmp, prefix=f"nzsim-yard{workers}-"))
    try:
        run_ensemble(spec, reps=3, seed=SEED + 1, workers=1, out=folder / "warm")
        t0 = time.perf_counter()
        run = run_ensemble(spec, reps=reps, seed=SEED, workers=workers, out=folder / "run")
        seconds = time.perf_counter() - t0
        chunks = len(run.manifest["chunks"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"workers": workers, "reps": reps, "seconds": seconds, "rate": reps / seconds, "chunks": chunks,
                      "parent_peak_mb": peak}))


def run_child(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], cwd=ROOT, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark subprocess {args[0]} failed ({proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_batchrun_subprocess(scenario: Path, reps: int, workers: int, period: int = -1) -> dict:
    return run_child(["_batchrun", "--scenario", str(scenario), "--reps", str(reps), "--workers", str(workers),
                      "--period", str(period)])


def run_nzsim_subprocess(scenario: Path, reps: int, workers: int, tmp: Path) -> dict:
    return run_child(["_nzsim", "--scenario", str(scenario), "--reps", str(reps), "--workers", str(workers),
                      "--tmp", str(tmp)])


COLLECTED = {-1: "end only", 1: "every week"}
PERIODS = (1, -1)  # every week: the same work as nzsim's (its weekly trajectories); end only keeps less


def batchrun(scenario: Path, spec, reps: int, repeats: int, tmp: Path) -> dict[int, dict]:
    """nzsim against batch_run, each in a fresh subprocess of the same shape, in rotating order.

    For each repeat and worker count: nzsim, batch_run collecting every week and batch_run
    collecting the end only, one after another, the order rotated from repeat to repeat (over
    three repeats each side runs once first, once second and once last), so that no side always
    runs first or last while the machine's speed drifts. The ratio is the median over repeats of nzsim's rate over batch_run's within a
    repeat. Returns the results by batch_run's ``data_collection_period``.
    """
    print(f"\n== Yardstick: mesa.batch_run, {reps:,} replications of {spec.name}; {load_note()}")
    print("   A thin adapter class builds NZModel(spec, seed=...) from the same replication seeds as nzsim "
          "(rng=[those seeds]);\n   max_steps=" f"{spec.horizon_weeks}; data_collection_period=1 (every week: "
          "the trajectories nzsim keeps, so the same work) and -1\n   (the end only: less work, nothing of the "
          "weeks kept). batch_run keeps its rows in memory and writes nothing; nzsim writes\n   three Parquet "
          "files. Each side runs in a fresh subprocess of its own (batch_run sets the start method to spawn\n   "
          "globally): the scenario read, 3 replications to warm up, then the timed call, Pool or pool start-up "
          "included.\n   Within a repeat the three run one after another, in an order that rotates between repeats.")
    sides = ["nzsim", *PERIODS]
    runs: dict = {key: {1: [], 2: []} for key in sides}
    for r in range(repeats):
        if r:
            print(f"   repeat {r + 1}: {load_note()}")
        for w in (1, 2):
            order = sides[r % len(sides):] + sides[:r % len(sides)]  # each side in each place once in 3 repeats
            for side in order:
                with CpuWatch() as cpu:
                    if side == "nzsim":
                        x = run_nzsim_subprocess(scenario, reps, w, tmp)
                    else:
                        x = run_batchrun_subprocess(scenario, reps, w, side)
                x["others"], x["steal"] = cpu.others, cpu.steal
                runs[side][w].append(x)
            nz = runs["nzsim"][w][-1]
            line = " ".join(
                f"batch_run ({COLLECTED[p]}) {runs[p][w][-1]['rate']:6.1f} rep/s, ratio "
                f"{nz['rate'] / runs[p][w][-1]['rate']:.3f};" for p in PERIODS)
            print(f"   repeat {r + 1}, {w} worker{'s' if w > 1 else ' '}: nzsim {nz['rate']:6.1f} rep/s; {line} "
                  f"order {', '.join(o if o == 'nzsim' else 'batch_run ' + COLLECTED[o] for o in order)}; "
                  f"others up to {max(runs[o][w][-1]['others'] for o in sides):.0%}")
    results = {}
    for p in PERIODS:
        ratios = {}
        kept = {}
        for w in (1, 2):
            pairs = [(a, b) for a, b in zip(runs["nzsim"][w], runs[p][w])
                     if max(a["others"], b["others"]) <= OTHERS_LIMIT] or list(zip(runs["nzsim"][w], runs[p][w]))
            kept[w] = len(pairs)
            ratios[w] = [a["rate"] / b["rate"] for a, b in pairs]
        med = {w: statistics.median(x["rate"] for x in clean(runs[p][w])) for w in (1, 2)}
        ratio = {w: statistics.median(v) for w, v in ratios.items()}
        spread = {w: (min(v), max(v)) for w, v in ratios.items()}
        verdict = "meets" if min(ratio.values()) >= 1 else "MISSES"
        print(f"   batch_run {COLLECTED[p]}: median 1 process {med[1]:.1f} rep/s, 2 processes {med[2]:.1f} rep/s; "
              f"nzsim/batch_run {ratio[1]:.3f} at 1 worker (repeats {spread[1][0]:.3f}-{spread[1][1]:.3f}), "
              f"{ratio[2]:.3f} at 2 workers ({spread[2][0]:.3f}-{spread[2][1]:.3f}): {verdict} 'no lower'"
              + (" (the same work)" if p == 1 else " (a stricter reference: batch_run keeps less)"))
        results[p] = {"reps": reps, "repeats": repeats, "median": med, "ratio": ratio, "spread": spread,
                      "runs": {w: [dict(x, nzsim_rate=n["rate"]) for x, n in zip(runs[p][w], runs["nzsim"][w])]
                               for w in (1, 2)},
                      "nzsim_median": {w: statistics.median(x["rate"] for x in clean(runs["nzsim"][w]))
                                       for w in (1, 2)},
                      "kept": kept, "period": p}
    return results


# --------------------------------------------------------------------------------------
# 2b. Instructions a replication takes (cachegrind): the yardstick without the machine's drift
# --------------------------------------------------------------------------------------

WORK_SIDES = {
    "model": "the model alone: NZModel(spec, seed).run_model() for each seed, nothing kept",
    "nzsim": "run_ensemble(workers=1, chunk_size=100): outcomes, trajectories and events written to Parquet",
    "batch_run every week": "mesa.batch_run, 1 process, data_collection_period=1",
    "batch_run end only": "mesa.batch_run, 1 process, data_collection_period=-1",
}
SMALL, LARGE = 20, 120  # replications of the two runs per side: their difference is 100 replications


def work_child(side: str, scenario: str, reps: int, tmp: str) -> None:
    """Runs under cachegrind: ``reps`` replications done one ``side``'s way, after the same warm-up."""
    import warnings

    from nzsim.runs import run_ensemble
    from nzsim.seeds import replication_seed

    spec = load(scenario)
    seeds = [replication_seed(SEED, i) for i in range(reps)]
    folder = Path(tempfile.mkdtemp(dir=tmp, prefix="nzsim-work-"))
    try:
        run_ensemble(spec, reps=2, seed=SEED + 1, workers=1, out=folder / "warm")
        if side == "model":
            for seed in seeds:
                NZModel(spec, seed=seed).run_model()
        elif side == "nzsim":
            run_ensemble(spec, reps=reps, seed=SEED, workers=1, chunk_size=100, out=folder / "run")
        else:
            from mesa.batchrunner import batch_run

            period = 1 if side.endswith("every week") else -1
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                batch_run(BatchNZModel, {"scenario": scenario}, number_processes=1, rng=seeds,
                          data_collection_period=period, max_steps=spec.horizon_weeks, display_progress=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def instructions(scenario: Path, spec, tmp: Path) -> dict | None:
    """Instructions per replication under cachegrind, each side's way: deterministic, so the
    comparison does not drift with the machine's speed as timings do (a proxy: it weighs an
    instruction of the writer thread, which mostly runs beside the computing, like one of the model)."""
    import re
    from concurrent.futures import ThreadPoolExecutor

    print(f"\n== Instructions a replication takes (valgrind --tool=cachegrind), {spec.name}: each side runs "
          f"{SMALL} and {LARGE} replications\n   in a fresh process after the same warm-up; the difference over "
          f"{LARGE - SMALL} is one replication's instructions (with nzsim, one chunk's writing per 100).")
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("   valgrind is not installed: skipped")
        return None

    def count(side: str, reps: int) -> int:
        cmd = [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", sys.executable,
               str(Path(__file__).resolve()), "_work", "--side", side, "--scenario", str(scenario), "--reps",
               str(reps), "--tmp", str(tmp)]
        env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same dict and set layouts in every run
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
        found = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
        if proc.returncode != 0 or found is None:
            raise RuntimeError(f"cachegrind of {side} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        return int(found.group(1).replace(",", ""))

    jobs = [(side, reps) for side in WORK_SIDES for reps in (SMALL, LARGE)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = dict(zip(jobs, pool.map(lambda job: count(*job), jobs)))
    per = {side: (counts[side, LARGE] - counts[side, SMALL]) / (LARGE - SMALL) for side in WORK_SIDES}
    base = per["model"]
    for side, what in WORK_SIDES.items():
        print(f"   {side:<22} {per[side] / 1e6:7.2f} M instructions a replication ({per[side] / base - 1:+.2%} on the "
              f"model alone); {what}")
    ratios = {side: per[side] / per["nzsim"] for side in WORK_SIDES if side.startswith("batch_run")}
    print("   batch_run's instructions / nzsim's (above 1: nzsim does less per replication): "
          + "; ".join(f"{side} {r:.3f}" for side, r in ratios.items()))
    return {"per_replication": per, "ratios": ratios}


# --------------------------------------------------------------------------------------
# 3. Memory
# --------------------------------------------------------------------------------------


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def folder_size(path: Path) -> tuple[int, dict[str, int]]:
    total, files = 0, {}
    for dirpath, _, names in os.walk(path):
        for name in names:
            size = (Path(dirpath) / name).stat().st_size
            total += size
            files[str((Path(dirpath) / name).relative_to(path))] = size
    return total, files


def _memory(proc) -> tuple[int, int | None]:
    """(rss, pss) of a psutil process; pss None where the platform has none."""
    try:
        info = proc.memory_full_info()
        return info.rss, getattr(info, "pss", None)
    except psutil.AccessDenied:
        return proc.memory_info().rss, None


def memory_run(scenario: Path, reps: int, tmp: Path, interval: float = 0.1) -> dict:
    out = Path(tempfile.mkdtemp(dir=tmp, prefix=f"nzsim-mem{reps}-")) / "run"
    cmd = [sys.executable, "-m", "nzsim", "run", str(scenario), "--reps", str(reps), "--seed", str(SEED),
           "--workers", "2", "--no-progress", "--out", str(out)]
    log = out.parent / "stdout.txt"
    with open(log, "w") as handle:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
        parent = psutil.Process(proc.pid)
        peak_parent = peak_tree = peak_pss = peak_child = 0
        peak_hwm = None
        most_procs = samples = 0
        at_peak: dict = {}
        while proc.poll() is None:
            try:
                rss, pss = _memory(parent)
                children = parent.children(recursive=True)
                hwm = _vm_hwm_mb(proc.pid)
            except psutil.NoSuchProcess:
                break
            tree, tree_pss = rss, pss
            sizes = [rss]
            for child in children:
                try:
                    c_rss, c_pss = _memory(child)
                except psutil.NoSuchProcess:
                    continue
                tree += c_rss
                sizes.append(c_rss)
                peak_child = max(peak_child, c_rss)
                tree_pss = None if tree_pss is None or c_pss is None else tree_pss + c_pss
            if tree > peak_tree:  # who held what at the tree's peak, and when
                at_peak = {"seconds": time.perf_counter() - t0, "parent_mb": rss / MB,
                           "children_mb": sorted((c / MB for c in sizes[1:]), reverse=True)}
            peak_parent, peak_tree = max(peak_parent, rss), max(peak_tree, tree)
            if tree_pss is not None:
                peak_pss = max(peak_pss, tree_pss)
            if hwm is not None:
                peak_hwm = max(peak_hwm or 0, hwm)
            most_procs = max(most_procs, 1 + len(children))
            samples += 1
            time.sleep(interval)
        proc.wait()
        seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"nzsim run failed ({proc.returncode}):\n{log.read_text()[-3000:]}")
    size, files = folder_size(out)
    result = {
        "reps": reps, "seconds": seconds, "rate": reps / seconds, "parent_mb": peak_parent / MB,
        "tree_mb": peak_tree / MB, "tree_pss_mb": (peak_pss / MB) or None, "child_mb": peak_child / MB,
        "parent_hwm_mb": peak_hwm, "processes": most_procs, "samples": samples, "at_peak": at_peak,
        "folder_mb": size / MB, "files": {k: v / MB for k, v in files.items()},
        "command": "python -m nzsim " + " ".join(cmd[3:]).replace(str(out), "TMP").replace(str(ROOT) + "/", ""),
    }
    shutil.rmtree(out.parent, ignore_errors=True)
    return result


def import_floor_mb() -> float:
    """RSS of a fresh interpreter that has imported what a worker imports (the runner and the model:
    Mesa, pandas, pyarrow)."""
    code = "import psutil, nzsim.runs.worker, nzsim.runs.loop; print(psutil.Process().memory_info().rss)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return int(out.strip()) / MB


def memory(scenario: Path, spec, reps_list: list[int], tmp: Path) -> dict:
    print(f"\n== Memory: nzsim run, 2 workers, {', '.join(f'{r:,}' for r in reps_list)} replications of "
          f"{spec.name}; {load_note()}")
    print("   Resident set size sampled every 0.1 s with psutil: the parent process alone, and summed over its "
          "whole process tree\n   (parent, forkserver, workers, resource tracker). A sum of RSS counts pages shared "
          "between processes once per process;\n   the tree's proportional set size (PSS, shared pages split between "
          "their sharers) is shown too, as is the parent's\n   kernel high-water mark (VmHWM). Wall time includes "
          "interpreter start-up and the summary print.")
    floor = import_floor_mb()
    print(f"   for scale: a fresh interpreter that has imported the runner and the model (Mesa, SciPy, NetworkX, pandas, pyarrow) "
          f"holds {floor:.0f} MB RSS")
    runs = []
    for i, reps in enumerate(reps_list):
        if i:
            print(f"   {load_note()}")
        with CpuWatch() as cpu:
            x = memory_run(scenario, reps, tmp)
        x["others"], x["steal"] = cpu.others, cpu.steal
        runs.append(x)
        hwm = f"{x['parent_hwm_mb']:.0f}" if x["parent_hwm_mb"] is not None else "n/a"
        pss = f"{x['tree_pss_mb']:.0f}" if x["tree_pss_mb"] else "n/a"
        print(f"   {reps:>7,} reps: parent peak {x['parent_mb']:.0f} MB (VmHWM {hwm} MB), process tree peak "
              f"{x['tree_mb']:.0f} MB RSS / {pss} MB PSS (largest child {x['child_mb']:.0f} MB; {x['processes']} "
              f"processes, {x['samples']} samples); {x['seconds']:.1f} s, {x['rate']:.1f} rep/s; run folder "
              f"{x['folder_mb']:.1f} MB; {cpu.note()}")
        if x["at_peak"]:
            p = x["at_peak"]
            print(f"            at the tree's peak ({p['seconds']:.1f} s of {x['seconds']:.1f} s): parent "
                  f"{p['parent_mb']:.0f} MB, other processes " + ", ".join(f"{c:.0f}" for c in p["children_mb"]) + " MB")
        print("            files: " + ", ".join(f"{k} {v:.2f} MB" for k, v in sorted(x["files"].items())))
    print(f"   command: {runs[0]['command']}")
    growth = None
    if len(runs) > 1:
        lo, hi = runs[0], runs[-1]
        growth = {"reps": hi["reps"] / lo["reps"], "parent": hi["parent_mb"] / lo["parent_mb"],
                  "tree": hi["tree_mb"] / lo["tree_mb"], "folder": hi["folder_mb"] / lo["folder_mb"]}
        print(f"   {hi['reps']:,} vs {lo['reps']:,} replications ({growth['reps']:.0f}x): parent peak x"
              f"{growth['parent']:.2f}, process-tree peak x{growth['tree']:.2f}, run folder x{growth['folder']:.2f}")
    largest = runs[-1]
    ok = largest["tree_mb"] < TARGET_MEMORY_MB
    pss_ok = largest["tree_pss_mb"] is not None and largest["tree_pss_mb"] < TARGET_MEMORY_MB
    print(f"   largest run: process-tree peak {largest['tree_mb']:.0f} MB RSS "
          f"({'meets' if ok else 'MISSES'} the {TARGET_MEMORY_MB:g} MB target counted as summed RSS"
          + (f"; {largest['tree_pss_mb']:.0f} MB PSS, {'meets' if pss_ok else 'MISSES'} it counted as PSS"
             if largest["tree_pss_mb"] else "")
          + f"), parent {largest['parent_mb']:.0f} MB ({'meets' if largest['parent_mb'] < TARGET_MEMORY_MB else 'MISSES'}"
          f" it)" + ("" if largest["reps"] >= 20_000 else "; the target is for 20,000 replications"))
    return {"runs": runs, "growth": growth, "floor_mb": floor}


# --------------------------------------------------------------------------------------
# 4. Profile: where a replication's time goes
# --------------------------------------------------------------------------------------

#: (label, file suffix, function name): cumulative time of these functions under cProfile.
PROFILE_PARTS = [
    ("model set-up (NZModel.__init__)", "nzsim/model/model.py", "__init__"),
    ("52 weekly steps (NZModel.step)", "nzsim/model/model.py", "step"),
    ("  of which DataCollector collect", "*", "collect"),
    ("trajectory array (loop.trajectory_array)", "nzsim/runs/loop.py", "trajectory_array"),
    ("outcomes of the chunk (catalogue outcome_columns)", "nzsim/catalogue/outcomes.py", "outcome_columns"),
    ("replication seed (seeds.replication_seed)", "nzsim/seeds.py", "replication_seed"),
    ("Arrow: outcomes table", "nzsim/runs/worker.py", "_outcomes_table"),
    ("Arrow: trajectories table", "nzsim/runs/worker.py", "_trajectories_table"),
    ("Arrow: events table", "nzsim/runs/worker.py", "_events_table"),
]


def _cumulative(stats: pstats.Stats, suffix: str, name: str) -> float | None:
    if suffix == "*":  # a DataCollector's collect, Mesa's or a subclass's in nzsim/: the outermost (largest)
        times = [ct for (filename, _, func), (_, _, _, ct, _) in stats.stats.items()
                 if func == name and ("mesa/datacollection.py" in filename.replace(os.sep, "/")
                                      or "/nzsim/" in filename.replace(os.sep, "/"))]
        return max(times) if times else None
    total, found = 0.0, False
    for (filename, _, func), (_, _, _, ct, _) in stats.stats.items():
        if func == name and filename.replace(os.sep, "/").endswith(suffix):
            total += ct
            found = True
    return total if found else None


def ceiling_child(scenario: str, reps: int, start_at: float) -> None:
    """Runs in a subprocess: ``run_chunk`` over ``reps`` replications, starting at wall-clock ``start_at``."""
    from nzsim.runs import Design
    from nzsim.runs.worker import ChunkTask, run_chunk
    from nzsim.scenario import cells

    spec = load(scenario)
    cell = cells(spec)[0]

    def task(start: int, stop: int) -> ChunkTask:
        return ChunkTask(cell.index, cell.label, dict(cell.levers), cell.scenario, SEED, Design("monte_carlo", reps),
                         0, start, stop)

    run_chunk(task(reps, reps + 5))  # warm-up
    late = time.time() - start_at > 0.5
    while time.time() < start_at:
        time.sleep(0.01)
    t0 = time.perf_counter()
    for start in range(0, reps, 50):
        run_chunk(task(start, min(reps, start + 50)))
    print(json.dumps({"rate": reps / (time.perf_counter() - t0), "late": late}))


def ceiling(scenario: Path, reps: int = 300) -> dict:
    """The machine's own parallel efficiency: independent processes running run_chunk, 1 alone then 2 at once."""

    def launch(n: int) -> list[float]:
        start_at = time.time() + 6.0  # after every child has imported and warmed up
        cmd = [sys.executable, str(Path(__file__).resolve()), "_ceiling", "--scenario", str(scenario),
               "--reps", str(reps), "--start-at", repr(start_at)]
        procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(n)]
        outs = [json.loads(proc.communicate()[0].strip().splitlines()[-1]) for proc in procs]
        if any(o["late"] for o in outs):
            print("   (a ceiling process started late; its figure may be off)")
        return [o["rate"] for o in outs]

    alone = launch(1)[0]
    pair = launch(2)
    efficiency = sum(pair) / (2 * alone)
    print(f"   machine ceiling: run_chunk in independent processes (no pool, no parent writing), {reps} replications "
          f"each: 1 alone {alone:.1f} rep/s; 2 at once {pair[0]:.1f} + {pair[1]:.1f} = {sum(pair):.1f} rep/s; "
          f"efficiency {efficiency:.0%}")
    return {"alone": alone, "pair": pair, "efficiency": efficiency}


def profile(spec, reps: int, tmp: Path, scenario: Path | None = None) -> dict:
    from nzsim.runs import Design, runfolder
    from nzsim.runs.designs import default_chunk_size
    from nzsim.runs.worker import ChunkTask, run_chunk
    from nzsim.scenario import cells

    size = default_chunk_size(reps, 2)
    print(f"\n== Profile: one chunk of {size} replications (the chunk size of a {reps:,}-replication, 2-worker "
          f"run), in this process; {load_note()}")
    cell = cells(spec)[0]

    def task(start: int) -> ChunkTask:
        return ChunkTask(cell.index, cell.label, dict(cell.levers), cell.scenario, SEED, Design("monte_carlo", reps),
                         0, start, start + size)

    run_chunk(task(reps))  # warm-up (spec cache, imports), other seeds
    t0 = time.perf_counter()
    result = run_chunk(task(0))
    plain = time.perf_counter() - t0

    profiler = cProfile.Profile()
    profiler.enable()
    run_chunk(task(0))
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = _cumulative(stats, "nzsim/runs/worker.py", "run_chunk") or 1.0

    # The parent's share for a chunk: the result crosses the process boundary (pickled in the worker,
    # unpickled in the parent), then the parent's writer thread writes its three chunk files, appends
    # it to the three final Parquet files and rewrites the manifest.
    t0 = time.perf_counter()
    blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    t_dump = time.perf_counter() - t0
    t0 = time.perf_counter()
    pickle.loads(blob)
    t_load = time.perf_counter() - t0
    folder = Path(tempfile.mkdtemp(dir=tmp, prefix="nzsim-prof-"))
    (folder / "chunks").mkdir()
    t0 = time.perf_counter()
    runfolder.write_chunk(folder, 0, 0, result["tables"])
    t_chunk_files = time.perf_counter() - t0
    consolidator = runfolder.Consolidator(folder, [(0, 0), (0, 1)])
    consolidator.advance({(0, 0)}, {(0, 0): result["tables"]})  # the first append also opens the files
    t0 = time.perf_counter()
    consolidator.advance({(0, 0), (0, 1)}, {(0, 1): result["tables"]})
    t_append = time.perf_counter() - t0
    consolidator.abort()
    t_write = t_chunk_files + t_append
    chunks = max(1, -(-reps // size))
    manifest = {"format": runfolder.FORMAT, "scenario": spec.dump(),
                "chunks": [{"cell": 0, "chunk": k, "replications": [0, size], "seconds": 1.0, "worker": "host:1",
                            "finished": "2026-01-01T00:00:00+00:00"} for k in range(chunks)]}
    t0 = time.perf_counter()
    runfolder.write_manifest(folder, manifest)  # the size it reaches at the end of the run
    t_manifest = time.perf_counter() - t0
    shutil.rmtree(folder, ignore_errors=True)

    per = lambda s: s / size * 1000  # noqa: E731 - seconds for the chunk -> ms a replication
    print(f"   run_chunk without the profiler: {per(plain):.2f} ms a replication; under cProfile: {per(total):.2f} ms "
          f"(shares below are of the profiled time)")
    parts = {}
    for label, suffix, name in PROFILE_PARTS:
        value = _cumulative(stats, suffix, name)
        parts[label] = value
        if value is None:
            print(f"   {label:<55} not found")
        else:
            print(f"   {label:<55} {per(value):6.2f} ms/rep  {value / total:6.1%}")
    accounted = sum(v for k, v in parts.items() if v is not None and not k.startswith("  "))
    print(f"   {'rest of run_chunk (rows, dicts, events lists)':<55} {per(total - accounted):6.2f} ms/rep  "
          f"{(total - accounted) / total:6.1%}")
    print(f"   parent side (no profiler): pickle a chunk's result {per(t_dump):.3f} ms/rep ({len(blob) / 1024:.0f} kB "
          f"a chunk, {len(blob) / size / 1024:.1f} kB a replication), unpickle {per(t_load):.3f} ms/rep, write its 3 "
          f"chunk files {per(t_chunk_files):.3f} ms/rep and append it to the 3 final Parquet files "
          f"{per(t_append):.3f} ms/rep, rewrite the manifest at its final size ({chunks} chunks) "
          f"{t_manifest * 1000:.1f} ms a chunk = {per(t_manifest):.3f} ms/rep")
    print("   top 12 functions by own time (profiled):")
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:12]
    for (filename, line, func), (_, calls, tt, ct, _) in rows:
        where = filename.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
        print(f"     {per(tt):6.2f} ms/rep own, {per(ct):6.2f} cumulative, {calls / size:9.1f} calls/rep  "
              f"{where}:{line}({func})")
    limit = ceiling(scenario) if scenario is not None else None
    return {"chunk": size, "plain_ms": per(plain), "profiled_ms": per(total), "ceiling": limit,
            "parts": {k: (None if v is None else per(v)) for k, v in parts.items()},
            "shares": {k: (None if v is None else v / total) for k, v in parts.items()},
            "pickle_ms": per(t_dump), "unpickle_ms": per(t_load), "write_ms": per(t_write),
            "manifest_ms": per(t_manifest), "kb_per_rep": len(blob) / size / 1024}


# --------------------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------------------

SECTION_TITLE = "## Ensembles (`benchmarks/ensemble.py`)"
SECTION = f"""{SECTION_TITLE}

Targets (issue 3), Vilnius 2023 (52 weeks, 5,000 voters) on a two-core machine: at least 90 replications
per second with 2 workers; parallel efficiency (rate at 2 workers / (2 x rate at 1 worker)) at least 85%;
throughput no lower than `mesa.batch_run` on the same work; peak resident memory under 600 MB for a
20,000-replication run, growing far slower than the replication count.

### Throughput

`run_ensemble(spec, reps=N, seed=1, workers=W, out=tmp)`, median of the repeats. The
2-worker rate times the whole call, process-pool start-up included; "warm pool" passes a pre-started
`process_pool(2)`, warmed with a small run (two worker processes; the calling process only schedules).
1 worker runs in-process. After code 813c0fe179, "2 workers" is one worker process and the calling
process computing too (decision 31); before, two worker processes. "Others": the largest share of the
CPUs that other processes took during a timing; timings above 10% are left out of the median ("kept"
counts those left in, for 1 worker / 2 workers / warm pool).

| date | code | scenario | reps x repeats | 1 worker rep/s | 2 workers rep/s | 2 workers, warm pool rep/s | efficiency | efficiency, warm | start-up s | others | machine | versions |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
<!-- ensemble throughput rows -->

### Whole commands

`python -m nzsim run SCENARIO --reps N --seed 1 --workers W --no-figures --no-progress --out TMP` from a
fresh process, timed whole (interpreter start-up, imports, the run, its summary table), median of the
repeats. Both sides pay their start-up: with 1 worker the one process imports Mesa, with 2 the
command and its one worker process import it at once (rows from 813c0fe179 and before: two worker
processes, the command computing nothing). Efficiency: (time at 1 worker) / (2 x time at 2 workers). "Others" as above.

| date | code | scenario | reps x repeats | 1 worker s | 2 workers s | 1 worker rep/s | 2 workers rep/s | efficiency | others | machine | versions |
|---|---|---|---|---|---|---|---|---|---|---|---|
<!-- ensemble command rows -->

### Yardstick: `mesa.batch_run`

The same replications (same seeds) through `mesa.batch_run` with a thin adapter class, `max_steps=52`,
each in a subprocess; Pool start-up included. "Collected": `data_collection_period=1` (every week, the
trajectories nzsim keeps: the same work) or `-1` (end only: less work). batch_run keeps every row in
memory and writes nothing; nzsim writes three Parquet files. Ratio: nzsim / batch_run at equal workers
(start-up included in both), the median over repeats, with the range over repeats in brackets. Rows
from code after 0a03cca09f time nzsim as batch_run is timed, in a fresh subprocess of its own after a
3-replication warm-up, and run the three sides one after another in an order that rotates between
repeats; earlier rows timed nzsim in the benchmark's own long-lived process, always just before
batch_run. "Others" as above.

| date | code | scenario | reps x repeats | collected | batch_run 1 process rep/s | batch_run 2 processes rep/s | nzsim/batch_run, 1 | nzsim/batch_run, 2 | others | machine | versions |
|---|---|---|---|---|---|---|---|---|---|---|---|
<!-- ensemble batch_run rows -->

### Instructions a replication takes

`valgrind --tool=cachegrind`, each side in a fresh process after the same warm-up, 20 and 120
replications: the difference over 100 is one replication's instructions (millions), nzsim's including
one chunk's writing per 100. Deterministic, so free of the machine's drift; a proxy for time, in which
an instruction of nzsim's writer thread (which mostly runs beside the computing) weighs as one of the
model. Ratio: batch_run's instructions / nzsim's (above 1, nzsim does less per replication).

| date | code | scenario | model alone | nzsim | batch_run every week | batch_run end only | ratio, every week | ratio, end only | machine | versions |
|---|---|---|---|---|---|---|---|---|---|---|
<!-- ensemble instructions rows -->

### Memory

`nzsim run SCENARIO --reps R --workers 2 --no-progress --out TMP`, the main job with its summary and
figures (rows of code 3f4142a5df and before ran it with `--no-figures`), resident set size sampled
every 0.1 s with psutil: the parent alone, and summed over the process tree (parent, forkserver, workers,
resource tracker); summed RSS counts shared pages once per process, PSS splits them. Growth: the peaks
(tree RSS, parent) against the smallest run's, for the given growth in replications. Wall time includes
interpreter start-up.

| date | code | scenario | reps | wall s | rep/s | parent peak MB | process-tree peak MB (RSS) | process-tree peak MB (PSS) | growth (tree, parent) | run folder MB | others | machine | versions |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
<!-- ensemble memory rows -->

### Where a replication's time goes

`run_chunk` of one default-sized chunk in-process under cProfile (ms a replication, profiled; shares of
the profiled run_chunk); the parent's share per replication without the profiler. Machine ceiling:
`run_chunk` in independent processes, one alone, then two at once, with no pool and no parent: the
parallel efficiency this machine allows the model's work. "Write": the chunk's files, and (rows after
code 0a03cca09f) its append to the final Parquet files; earlier rows timed the chunk files alone.

| date | code | scenario | chunk | run_chunk ms/rep (plain) | set-up | steps | of which DataCollector | outcomes + trajectory arrays | Arrow tables | pickle + unpickle | write chunk files + append | manifest | machine ceiling: 1 process, 2 at once rep/s (efficiency) | machine | versions |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
<!-- ensemble profile rows -->
"""


def _insert(text: str, marker: str, rows: list[str]) -> str:
    marker = f"<!-- {marker} -->\n"
    if marker not in text:
        raise SystemExit(f"benchmarks/RESULTS.md has no '{marker.strip()}' line to record these rows under; "
                         "add its table from SECTION in benchmarks/ensemble.py")
    return text.replace(marker, marker + "".join(rows), 1)


def record(spec, results: dict, path: Path) -> Path:
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if SECTION_TITLE not in text:
        text = text.rstrip("\n") + "\n\n" + SECTION
    head = f"| {dt.date.today().isoformat()} | {code_version()} | {spec.name} |"
    tail = f" {machine()} | {versions()} |\n"
    fmt = lambda v, f="{:.2f}": "n/a" if v is None else f.format(v)  # noqa: E731

    def kept(part: dict) -> str:
        counts = list(part["kept"].values())
        return "" if all(c == part["repeats"] for c in counts) else f" (kept {'/'.join(map(str, counts))})"

    def others(part: dict) -> str:
        return f"{max(x.get('others', 0.0) for v in part['runs'].values() for x in v):.0%}"

    if "throughput" in results:
        t = results["throughput"]
        m = t["median"]
        text = _insert(text, "ensemble throughput rows", [
            f"{head} {t['reps']} x {t['repeats']}{kept(t)} | {m['w1']:.1f} | {m['w2']:.1f} | {m['w2warm']:.1f} | "
            f"{t['efficiency']:.0%} | {t['efficiency_warm']:.0%} | {t['startup_cost']:.2f} | {others(t)} |{tail}"])
    if "commands" in results:
        c = results["commands"]
        m = c["median"]
        text = _insert(text, "ensemble command rows", [
            f"{head} {c['reps']} x {c['repeats']}{kept(c)} | {m[1]:.2f} | {m[2]:.2f} | {c['reps'] / m[1]:.1f} | "
            f"{c['reps'] / m[2]:.1f} | {c['efficiency']:.0%} | {others(c)} |{tail}"])
    for key in ("batchrun", "batchrun_every_week"):
        if key not in results:
            continue
        b = results[key]
        r = b["ratio"]
        spread = b.get("spread", {})
        cell = lambda w: fmt(r.get(w)) + (f" ({spread[w][0]:.2f}-{spread[w][1]:.2f})" if w in spread else "")  # noqa: E731
        text = _insert(text, "ensemble batch_run rows", [
            f"{head} {b['reps']} x {b['repeats']}{kept(b)} | {COLLECTED[b['period']]} | {b['median'][1]:.1f} | "
            f"{b['median'][2]:.1f} | {cell(1)} | {cell(2)} | {others(b)} |{tail}"])
    if results.get("instructions"):
        per, ratios = results["instructions"]["per_replication"], results["instructions"]["ratios"]
        text = _insert(text, "ensemble instructions rows", [
            f"{head} {per['model'] / 1e6:.2f} | {per['nzsim'] / 1e6:.2f} | {per['batch_run every week'] / 1e6:.2f} | "
            f"{per['batch_run end only'] / 1e6:.2f} | {ratios['batch_run every week']:.3f} | "
            f"{ratios['batch_run end only']:.3f} |{tail}"])
    if "memory" in results:
        mem = results["memory"]
        base = mem["runs"][0]
        rows = []
        for x in reversed(mem["runs"]):  # newest first: largest run on top
            growth = "1 (base)" if x is base else (
                f"x{x['tree_mb'] / base['tree_mb']:.2f}, x{x['parent_mb'] / base['parent_mb']:.2f} "
                f"for x{x['reps'] / base['reps']:.0f} reps")
            rows.append(f"{head} {x['reps']} | {x['seconds']:.1f} | {x['rate']:.1f} | {x['parent_mb']:.0f} | "
                        f"{x['tree_mb']:.0f} | {fmt(x['tree_pss_mb'], '{:.0f}')} | {growth} | {x['folder_mb']:.1f} | "
                        f"{x.get('others', 0.0):.0%} |{tail}")
        text = _insert(text, "ensemble memory rows", rows)
    if "profile" in results:
        p = results["profile"]
        parts = p["parts"]
        keys = [k for k, _, _ in PROFILE_PARTS]

        def ms_share(*labels):
            values = [parts.get(k) for k in labels]
            if any(v is None for v in values):
                return "n/a"
            v = sum(values)
            return f"{v:.2f} ({v / p['profiled_ms']:.0%})"

        c = p.get("ceiling")
        ceil = "n/a" if not c else f"{c['alone']:.1f}, {sum(c['pair']):.1f} ({c['efficiency']:.0%})"
        text = _insert(text, "ensemble profile rows", [
            f"{head} {p['chunk']} | {p['plain_ms']:.2f} | {ms_share(keys[0])} | {ms_share(keys[1])} | "
            f"{ms_share(keys[2])} | {ms_share(keys[3], keys[4])} | {ms_share(keys[6], keys[7], keys[8])} | "
            f"{p['pickle_ms'] + p['unpickle_ms']:.2f} | {p['write_ms']:.2f} | {p['manifest_ms']:.2f} | {ceil} |{tail}"])
    path.write_text(text)
    return path


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def _reps_list(text: str) -> list[int]:
    try:
        values = sorted({int(v.replace("_", "")) for v in text.split(",") if v.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected replication counts like 2000,20000, got {text!r}") from None
    if not values or values[0] < 1:
        raise argparse.ArgumentTypeError(f"expected replication counts >= 1, got {text!r}")
    return values


def main(argv=None) -> int:
    global WAIT_IDLE
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_batchrun":  # the batch_run subprocess
        child = argparse.ArgumentParser()
        child.add_argument("--scenario", required=True)
        child.add_argument("--reps", type=int, required=True)
        child.add_argument("--workers", type=int, required=True)
        child.add_argument("--period", type=int, default=-1)
        a = child.parse_args(argv[1:])
        batchrun_child(a.scenario, a.reps, a.workers, a.period)
        return 0
    if argv and argv[0] == "_nzsim":  # the nzsim subprocess of the yardstick
        child = argparse.ArgumentParser()
        child.add_argument("--scenario", required=True)
        child.add_argument("--reps", type=int, required=True)
        child.add_argument("--workers", type=int, required=True)
        child.add_argument("--tmp", required=True)
        a = child.parse_args(argv[1:])
        nzsim_child(a.scenario, a.reps, a.workers, a.tmp)
        return 0
    if argv and argv[0] == "_work":  # a side of the instructions part, under cachegrind
        child = argparse.ArgumentParser()
        child.add_argument("--side", required=True, choices=list(WORK_SIDES))
        child.add_argument("--scenario", required=True)
        child.add_argument("--reps", type=int, required=True)
        child.add_argument("--tmp", required=True)
        a = child.parse_args(argv[1:])
        work_child(a.side, a.scenario, a.reps, a.tmp)
        return 0
    if argv and argv[0] == "_ceiling":  # a machine-ceiling subprocess
        child = argparse.ArgumentParser()
        child.add_argument("--scenario", required=True)
        child.add_argument("--reps", type=int, required=True)
        child.add_argument("--start-at", type=float, required=True)
        a = child.parse_args(argv[1:])
        ceiling_child(a.scenario, a.reps, a.start_at)
        return 0

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("part", nargs="?", choices=("all",) + PARTS, default="all")
    parser.add_argument("--reps", type=int, default=1000, help="replications for throughput, batchrun, profile")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each throughput and batch_run timing")
    parser.add_argument("--memory-reps", type=_reps_list, default=[2000, 20000],
                        help="replication counts of the memory runs (default 2000,20000)")
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "vilnius-2023.yaml")
    parser.add_argument("--tmp", type=Path, default=None, help="where run folders go (default: the system's temp)")
    parser.add_argument("--wait-idle", type=float, default=WAIT_IDLE, metavar="SECONDS",
                        help="before each timing, wait up to this long for other processes to leave the CPUs idle "
                             f"(default {WAIT_IDLE:g}; 0: do not wait)")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    WAIT_IDLE = max(0.0, args.wait_idle)
    if args.reps < 1 or args.repeats < 1:
        parser.error("--reps and --repeats must be at least 1")

    spec = load(args.scenario)
    parts = PARTS if args.part == "all" else (args.part,)
    print(f"{spec.name}: {spec.horizon_weeks} weeks, {spec.context.voters:,} voters; {code_version()}; "
          f"{machine()}; {versions()}")
    print(f"command: {' '.join([Path(sys.executable).name, 'benchmarks/ensemble.py'] + list(argv))}")
    results: dict = {}
    with tempfile.TemporaryDirectory(dir=args.tmp, prefix="nzsim-bench-") as tmp:
        tmp = Path(tmp)
        t_all = time.perf_counter()
        if "throughput" in parts:
            results["throughput"] = throughput(spec, args.reps, args.repeats, tmp)
        if "commands" in parts:
            results["commands"] = commands(args.scenario, spec, args.reps, args.repeats, tmp)
        if "batchrun" in parts:
            yardstick = batchrun(args.scenario, spec, args.reps, args.repeats, tmp)
            results["batchrun_every_week"], results["batchrun"] = yardstick[1], yardstick[-1]
        if "instructions" in parts:
            results["instructions"] = instructions(args.scenario, spec, tmp)
        if "memory" in parts:
            results["memory"] = memory(args.scenario, spec, args.memory_reps, tmp)
        if "profile" in parts:
            results["profile"] = profile(spec, args.reps, tmp, args.scenario)
        print(f"\nbenchmark took {time.perf_counter() - t_all:.0f} s")
    if not args.no_record:
        path = record(spec, results, args.results)
        print(f"recorded in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

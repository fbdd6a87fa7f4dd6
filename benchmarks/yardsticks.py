"""nzsim's runner beside mesa.batch_run and EMA Workbench's evaluator, on the same replications, in one run.

Usage::

    .venv/bin/python benchmarks/yardsticks.py [--reps 1000] [--repeats 3] [--workers 1 2] [--no-record]

The same replications of Vilnius 2023 (the seeds ``nzsim.seeds.replication_seed(1, i)``) three
ways, each in a fresh subprocess of the same shape (interpreter start, imports, a 3-replication
warm-up, then the timed call, whose process pool starts inside the timing):

- **nzsim**: ``run_ensemble(spec, reps=N, seed=1, workers=W, out=tmp)``: the model, every outcome,
  three Parquet files, the manifest and its seals;
- **mesa.batch_run** on the per-replication model (``BatchNZModel`` of ``benchmarks/ensemble.py``),
  collecting the end only (it keeps less than nzsim writes);
- **EMA Workbench**: ``perform_experiments`` with a ``Model`` whose function builds ``NZModel`` for
  a seed, runs it and returns the final values of its weekly variables, through
  ``SequentialEvaluator`` (1 worker) or ``MultiprocessingEvaluator`` (W processes).

The order of the three is rotated from repeat to repeat; the ratio is the median over repeats of
nzsim's rate over the other's within a repeat. The target (issue 18): nzsim at least 4 times as
fast as both at 2 workers. Appends a row to ``benchmarks/RESULTS.md`` (section "Yardsticks").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from machine import machine  # noqa: E402  (benchmarks/machine.py)

SEED = 1
SCENARIO = ROOT / "scenarios" / "vilnius-2023.yaml"
TARGET_RATIO = 4.0
SIDES = ("nzsim", "batch_run", "ema")

_SPEC = {}


def ema_replication(seed: int = 0) -> dict:
    """EMA Workbench's model function: one replication of the scenario for ``seed``; the final
    value of every weekly variable."""
    import nzsim

    spec = _SPEC.get("spec")
    if spec is None:
        spec = _SPEC["spec"] = nzsim.load(SCENARIO)
    from nzsim.model import NZModel

    model = NZModel(spec, seed=int(seed))
    model.run_model()
    return {name: values[-1] for name, values in model.datacollector.model_vars.items()}


def ema_child(reps: int, workers: int) -> None:
    """Runs in a subprocess of its own: one timed ``perform_experiments``; prints a JSON line."""
    warnings.simplefilter("ignore")
    from ema_workbench import (IntegerParameter, Model, MultiprocessingEvaluator, Sample, ScalarOutcome,
                               SequentialEvaluator, perform_experiments)

    from nzsim.catalogue.variables import VARIABLES
    from nzsim.seeds import replication_seed

    seeds = [replication_seed(SEED, i) for i in range(reps)]
    model = Model("nzsim", function=ema_replication)
    model.uncertainties = [IntegerParameter("seed", 0, 2**62)]
    model.outcomes = [ScalarOutcome(v.name) for v in VARIABLES]
    for s in seeds[:3]:  # warm-up in this process, as the other sides have
        ema_replication(s)
    samples = [Sample(seed=s) for s in seeds]
    t0 = time.perf_counter()
    if workers == 1:
        experiments, outcomes = perform_experiments(model, scenarios=samples, evaluator=SequentialEvaluator(model))
    else:
        with MultiprocessingEvaluator(model, n_processes=workers) as evaluator:
            experiments, outcomes = evaluator.perform_experiments(scenarios=samples)
    seconds = time.perf_counter() - t0
    assert len(experiments) == reps, len(experiments)
    print(json.dumps({"workers": workers, "reps": reps, "seconds": seconds, "rate": reps / seconds,
                      "parent_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def child(side: str, reps: int, workers: int, tmp: Path) -> dict:
    if side == "ema":
        cmd = [sys.executable, str(Path(__file__).resolve()), "_ema", "--reps", str(reps), "--workers", str(workers)]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"EMA Workbench subprocess failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])
    import ensemble  # benchmarks/ensemble.py: the nzsim and batch_run children

    if side == "nzsim":
        return ensemble.run_nzsim_subprocess(SCENARIO, reps, workers, tmp)
    return ensemble.run_batchrun_subprocess(SCENARIO, reps, workers, period=-1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="", help=argparse.SUPPRESS)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    if args.mode == "_ema":
        ema_child(args.reps, args.workers[0])
        return 0

    rates: dict[int, dict[str, list[float]]] = {w: {s: [] for s in SIDES} for w in args.workers}
    with tempfile.TemporaryDirectory(prefix="nzsim-yardsticks-") as tmp:
        for repeat in range(args.repeats):
            order = SIDES[repeat % 3:] + SIDES[:repeat % 3]
            for workers in args.workers:
                for side in order:
                    result = child(side, args.reps, workers, Path(tmp))
                    rates[workers][side].append(result["rate"])
                    print(f"repeat {repeat + 1}, {workers} worker{'s' if workers > 1 else ''}: {side:9s} "
                          f"{result['rate']:7.1f} rep/s", flush=True)
    print(f"\n{args.reps:,} replications of Vilnius 2023, {args.repeats} repeats; medians:")
    summary = {}
    for workers in args.workers:
        med = {s: statistics.median(rates[workers][s]) for s in SIDES}
        ratio = {s: statistics.median(n / o for n, o in zip(rates[workers]["nzsim"], rates[workers][s]))
                 for s in ("batch_run", "ema")}
        summary[workers] = (med, ratio)
        verdict = "meets" if min(ratio.values()) >= TARGET_RATIO else "MISSES"
        print(f"  {workers} worker{'s' if workers > 1 else ''}: nzsim {med['nzsim']:.1f}, batch_run {med['batch_run']:.1f}, "
              f"EMA {med['ema']:.1f} rep/s; nzsim / batch_run {ratio['batch_run']:.2f}, nzsim / EMA {ratio['ema']:.2f} "
              f"({verdict} the {TARGET_RATIO:g}x target)")
    if not args.no_record:
        record(args, summary)
    return 0


SECTION = """
## Yardsticks (`benchmarks/yardsticks.py`)

The same replications of Vilnius 2023 through nzsim's runner, `mesa.batch_run` (end only) and EMA
Workbench's evaluator, each in a fresh subprocess, order rotated; rates are medians over repeats,
ratios the median of nzsim's rate over the other's within a repeat. Target (issue 18): nzsim at least
4x both at 2 workers.

| date | code | reps x repeats | workers | nzsim rep/s | batch_run rep/s | EMA rep/s | nzsim / batch_run | nzsim / EMA | machine | versions |
|---|---|---|---|---|---|---|---|---|---|---|
<!-- yardstick rows -->
"""


def record(args, summary) -> None:
    import mesa
    import numpy as np
    from importlib.metadata import version

    from nzsim.version import code_version

    results = ROOT / "benchmarks" / "RESULTS.md"
    text = results.read_text()
    marker = "<!-- yardstick rows -->\n"
    if marker not in text:
        text += SECTION
    rows = ""
    for workers, (med, ratio) in summary.items():
        rows += (f"| {dt.date.today().isoformat()} | {code_version()} | {args.reps} x {args.repeats} | {workers} | "
                 f"{med['nzsim']:.1f} | {med['batch_run']:.1f} | {med['ema']:.1f} | {ratio['batch_run']:.2f} | "
                 f"{ratio['ema']:.2f} | {machine()} | Python {platform.python_version()}, Mesa {mesa.__version__}, "
                 f"NumPy {np.__version__}, EMA Workbench {version('ema_workbench')} |\n")
    results.write_text(text.replace(marker, marker + rows, 1))
    print(f"recorded in {results.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())

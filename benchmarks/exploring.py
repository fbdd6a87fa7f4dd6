"""An exploratory design at the size an analyst runs: its wall time, peak memory and the share of
time spent outside the model (issue 15, item 8).

Usage::

    .venv/bin/python benchmarks/exploring.py [--samples 128] [--factors 20] [--seeds 4] [--second-order]
        [--memory-samples 32] [--scenario FILE] [--workers 2] [--tmp DIR] [--no-record] [--results FILE]

What it times, on Vilnius 2023 (52 weeks, 5,000 voters) by default:

1. the design: ``exploratory_design`` over the first ``--factors`` assumptions in name order, and its
   points and values (``Design.experiment_values``), in this process;
2. the run, as a user types it, from a fresh process: ``python -m nzsim run SCENARIO --design sobol
   --samples N --seeds S --factors ... --workers W --no-figures --no-progress --out <tmp>``, sampled
   every 0.1 s with psutil for the resident set size of its whole process tree (parent, forkserver,
   workers, resource tracker), whose peak is reported;
3. the analysis: ``python -m nzsim sensitivity RUN`` from a fresh process;
4. the model: the seconds the workers spent running chunks (each chunk's ``seconds`` in the run's
   manifest: the replications and their Arrow tables), over the workers. The rest of the run's wall
   time (start-up, scheduling, writing, consolidating) and the design and analysis are "outside
   the model". The median cost of one replication run alone (``nzsim.replicate``) is printed beside
   it.

It runs the same design at ``--memory-samples`` too (default 32: a quarter of the experiments) and
prints both peaks, so that memory flat in N shows as a ratio near 1 against the ratio of
replication counts. Rows go to the "Exploratory designs" section of ``benchmarks/RESULTS.md`` unless
``--no-record``. Tests never assert the timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from machine import machine, record, versions  # noqa: E402

import nzsim  # noqa: E402
from nzsim.catalogue.parameters import PARAMETERS  # noqa: E402
from nzsim.runs.designs import exploratory_design  # noqa: E402
from nzsim.version import code_version  # noqa: E402

MARKER = "<!-- exploring rows -->\n"
SECTION = f"""## Exploratory designs (`benchmarks/exploring.py`)

Target (issue 15): a Sobol design over 20 parameters at N = 128 with 4 seeds (second order: about
22,000 replications) on two workers, with its wall time, its process tree's peak memory (flat in N:
the run at a quarter of N beside it) and the share of the time spent outside the model (the design,
start-up and storage, the sensitivity analysis). "Model" is the workers' seconds in chunks (the
manifest's), over the workers.

| date | code | scenario | design | replications | run s | rep/s | peak MB (at N/4) | design s | analysis s | model s | outside the model | machine | versions |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
{MARKER}"""


def tree_rss(proc: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def timed_command(argv: list[str], interval: float = 0.1) -> tuple[float, int, str]:
    """Run ``python -m nzsim ARGV``; its wall time, the tree's peak RSS and its stdout."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "nzsim", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    proc, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        peak = max(peak, tree_rss(proc))
        time.sleep(interval)
    out, err = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"nzsim {' '.join(argv[:2])} failed ({child.returncode}): {err.strip()}")
    return time.perf_counter() - start, peak, out


def replication_ms(spec, reps: int = 20) -> float:
    nzsim.replicate(spec, seed=0)  # warm-up: imports, compiled kernels
    times = []
    for seed in range(1, reps + 1):
        start = time.perf_counter()
        nzsim.replicate(spec, seed=seed)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "vilnius-2023.yaml")
    parser.add_argument("--design", choices=("sobol", "lhs", "morris"), default="sobol")
    parser.add_argument("--samples", type=int, default=128)
    parser.add_argument("--memory-samples", type=int, default=32, help="the smaller run beside it (0: none)")
    parser.add_argument("--factors", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--second-order", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tmp", type=Path)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # nothing left in the buffer for a forked child to print again

    spec = nzsim.load(args.scenario)
    names = sorted(p.name for p in PARAMETERS if p.is_assumption and p.name not in spec.parameters and p.low < p.high)
    factors = names[: args.factors]
    order = ["--second-order"] if args.second_order and args.design == "sobol" else []
    tmp = Path(tempfile.mkdtemp(prefix="nzsim-bench-explore-", dir=args.tmp))

    start = time.perf_counter()
    design = exploratory_design(spec, args.design, samples=args.samples, seeds=args.seeds, factors=factors,
                                second_order=bool(order))
    design.experiment_values(spec, root_seed=1)
    design_s = time.perf_counter() - start
    reps = design.replications
    print(f"{spec.name}: {args.design} over {len(factors)} factors, N = {args.samples}, {args.seeds} seeds"
          f"{', second order' if order else ''}: {design.experiments:,} experiments, {reps:,} replications "
          f"on {args.workers} workers")
    print(f"  design: {design_s:.2f} s")

    peaks = {}
    for samples in [args.memory_samples] if 0 < args.memory_samples < args.samples else []:
        _, peaks[samples], _ = timed_command(
            ["run", str(args.scenario), "--design", args.design, "--samples", str(samples), "--seeds", str(args.seeds),
             "--factors", ",".join(factors), *order, "--workers", str(args.workers), "--seed", "1",
             "--no-figures", "--no-progress", "--out", str(tmp / f"n{samples}")])
        print(f"  run at N = {samples}: peak {peaks[samples] / 1e6:,.0f} MB (process tree RSS)")
    folder = tmp / f"n{args.samples}"
    run_s, peak, _ = timed_command(
        ["run", str(args.scenario), "--design", args.design, "--samples", str(args.samples), "--seeds", str(args.seeds),
         "--factors", ",".join(factors), *order, "--workers", str(args.workers), "--seed", "1",
         "--no-figures", "--no-progress", "--out", str(folder)])
    print(f"  run: {run_s:.1f} s, {reps / run_s:,.1f} rep/s, peak {peak / 1e6:,.0f} MB (process tree RSS)")
    if peaks:
        small = min(peaks)
        print(f"  peak at N = {args.samples} over N = {small}: {peak / peaks[small]:.2f}x "
              f"for {args.samples / small:.0f}x the replications")
    analysis_s, _, _ = timed_command(["sensitivity", str(folder), "--no-figures"])
    print(f"  analysis (nzsim sensitivity): {analysis_s:.1f} s")
    ms = replication_ms(spec)
    chunks = json.loads((folder / "manifest.json").read_text())["chunks"]
    model_s = sum(c["seconds"] for c in chunks) / args.workers
    total = design_s + run_s + analysis_s
    outside = 1 - model_s / total
    print(f"  model: {model_s:.1f} s a worker in chunks ({model_s * args.workers / reps * 1000:.2f} ms a replication; "
          f"{ms:.2f} ms run alone); "
          f"outside the model: {outside:.0%} of {total:.1f} s")

    if not args.no_record:
        small = min(peaks) if peaks else None
        at_small = f" ({peaks[small] / 1e6:,.0f} at N={small})" if small else ""
        what = f"{args.design} N={args.samples}, {len(factors)} factors, {args.seeds} seeds{', 2nd order' if order else ''}"
        row = (f"| {dt.date.today().isoformat()} | {code_version()} | {spec.name} | {what} | {reps:,} | {run_s:.1f} | "
               f"{reps / run_s:,.1f} | {peak / 1e6:,.0f}{at_small} | {design_s:.2f} | {analysis_s:.1f} | {model_s:.1f} | "
               f"{outside:.0%} | {machine()} | {versions()} |\n")
        record(args.results, MARKER, SECTION, row)
    return 0


if __name__ == "__main__":
    sys.exit(main())

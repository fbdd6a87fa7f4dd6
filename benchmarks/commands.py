"""The waits users feel: ``nzsim validate`` at its defaults and the dashboard's replications panel.

Usage::

    .venv/bin/python benchmarks/commands.py [--repeats 3] [--panel-reps 300] [--no-record]

``validate``: ``python -m nzsim validate`` from a fresh process (interpreter start-up, imports, every
episode of the library at the command's default replications, its table), timed whole, median of
the repeats. Target (issue 18): under 10 s on an idle two-core machine.

``panel``: what the dashboard does when a class presses "Run 300 replications of these settings":
:func:`nzsim.teaching.dashboard.replications_in_background` on the server's pool of two workers
(:func:`~nzsim.teaching.dashboard.panel_pool`, started and warmed when the page opens, as the
dashboard does; its start is timed and printed apart), until the last chunk is in, then the
distributions figure with the watched run marked. Timed in a process that has already imported
the dashboard (as the dashboard's own process has), median of the repeats. Target: under 2 s.
Rows of code 289ae49 and before started a pool on each press and timed its start with the press.

Each timing notes how much of the CPUs other processes took meanwhile, since a busy machine
slows both. The results are appended to ``benchmarks/RESULTS.md`` (section "User-facing
commands"). Tests never assert timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ensemble import CpuWatch  # noqa: E402  (benchmarks/ensemble.py, beside this script)
from machine import machine, record, versions  # noqa: E402

from nzsim.version import code_version  # noqa: E402

VALIDATE_TARGET_S = 10.0
PANEL_TARGET_S = 2.0
MARKER = "<!-- commands rows -->\n"
SECTION = (
    "## User-facing commands (`benchmarks/commands.py`)\n\n"
    "Targets (issue 18), on an idle two-core machine: `nzsim validate` at its defaults under 10 s, from a\n"
    "fresh process, timed whole; the dashboard's 300-replication panel (on the server's two-worker pool,\n"
    "started when the page opens: the chunks, the figure) under 2 s. Medians of the repeats; \"others\": the largest\n"
    "share of the CPUs other processes took during a timing.\n\n"
    "| date | code | validate s (repeats) | validate target | panel s, 300 reps (repeats) | of which figure s | panel target | others | machine | versions |\n"
    "|---|---|---|---|---|---|---|---|---|---|\n"
    + MARKER
)


def time_validate(repeats: int) -> tuple[list[float], float]:
    times, worst = [], 0.0
    for _ in range(repeats):
        with CpuWatch() as cpu:
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "nzsim", "validate"], cwd=ROOT, capture_output=True, text=True)
            times.append(time.perf_counter() - t0)
        if done.returncode not in (0, 1):  # 1: an episode outside its band, still a full run
            raise RuntimeError(f"nzsim validate failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        worst = max(worst, cpu.others)
        print(f"   validate: {times[-1]:.1f} s (exit {done.returncode}); {cpu.note()}")
    return times, worst


def time_panel(reps: int, repeats: int) -> tuple[list[float], list[float], float]:
    import nzsim
    from nzsim.teaching import dashboard

    spec = nzsim.load(ROOT / "scenarios" / "vilnius-2023.yaml")
    watched = dashboard.outcomes_of(nzsim.NZModel(spec, seed=0))
    totals, figures, worst = [], [], 0.0
    t0 = time.perf_counter()
    dashboard.panel_pool(warm=True)
    print(f"   the server's pool started and warm (when the page opens, not on a press): {time.perf_counter() - t0:.2f} s")
    for r in range(repeats + 1):  # the first is a warm-up (first imports in the figure code)
        with CpuWatch() as cpu:
            t0 = time.perf_counter()
            last = None
            for last in dashboard.replications_in_background(spec, reps, seed=r):
                pass
            t1 = time.perf_counter()
            dashboard.ensemble_figure(last, watched)
            t2 = time.perf_counter()
        if last is None or last.done != reps:
            raise RuntimeError(f"the panel finished {0 if last is None else last.done} of {reps} replications")
        label = "warm-up" if r == 0 else f"repeat {r}"
        print(f"   panel ({label}): {t2 - t0:.2f} s ({t1 - t0:.2f} s replications, {t2 - t1:.2f} s figure); {cpu.note()}")
        if r:
            totals.append(t2 - t0)
            figures.append(t2 - t1)
            worst = max(worst, cpu.others)
    return totals, figures, worst


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--panel-reps", type=int, default=300)
    parser.add_argument("--skip", choices=("validate", "panel"), action="append", default=[])
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md",
                        help="the results file to append to (default benchmarks/RESULTS.md)")
    args = parser.parse_args(argv)
    print(f"{machine()}; {versions()}")
    v = p = f = None
    others = 0.0
    if "validate" not in args.skip:
        print("\n== nzsim validate, at its defaults, from a fresh process")
        times, worst = time_validate(args.repeats)
        v, others = statistics.median(times), max(others, worst)
        print(f"   median {v:.1f} s: {'meets' if v < VALIDATE_TARGET_S else 'MISSES'} the {VALIDATE_TARGET_S:g} s target")
    if "panel" not in args.skip:
        print(f"\n== the dashboard's panel: {args.panel_reps} replications of Vilnius 2023 on the server's two-worker pool")
        totals, figs, worst = time_panel(args.panel_reps, args.repeats)
        p, f, others = statistics.median(totals), statistics.median(figs), max(others, worst)
        print(f"   median {p:.2f} s: {'meets' if p < PANEL_TARGET_S else 'MISSES'} the {PANEL_TARGET_S:g} s target")
    if not args.no_record:
        cell = lambda x, fmt: "-" if x is None else format(x, fmt)  # noqa: E731
        verdict = lambda x, t: "-" if x is None else ("meets" if x < t else "misses")  # noqa: E731
        row = (f"| {dt.date.today().isoformat()} | {code_version()} | {cell(v, '.1f')} ({args.repeats}) | "
               f"{verdict(v, VALIDATE_TARGET_S)} | {cell(p, '.2f')} ({args.repeats}) | {cell(f, '.2f')} | "
               f"{verdict(p, PANEL_TARGET_S)} | {others:.0%} | {machine()} | {versions()} |\n")
        record(args.results, MARKER, SECTION, row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

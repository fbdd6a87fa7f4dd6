"""How a replication's cost grows with the number of voters and the number of weeks.

Usage::

    .venv/bin/python benchmarks/scaling.py [--voters 1000,2000,5000,20000,50000,200000]
        [--weeks 52,104,156,208] [--budget 4] [--scenario scenarios/vilnius-2023.yaml] [--no-record]

Times ``nzsim.replicate`` (model set-up, the weekly steps, the outcome row and the trajectory
frame) of the scenario with its voter count, then its horizon, changed one at a time (the other
held at the scenario's own: 5,000 voters and 52 weeks for Vilnius 2023), in this process, after a
warm-up. Each point is the median over as many replications as fit in ``--budget`` seconds (at
least 5), with the minor and major page faults a replication causes (``getrusage``, this
process) and the growth of the process's peak resident set.

Two fits are printed for each axis: a straight line, cost = fixed + slope x size (the fixed part is
what does not depend on the size), and the exponent of a power law through the points,
cost ~ size^k, from a least-squares line through log cost against log size. A cost that is mostly
fixed shows as a small exponent at small sizes, rising toward 1 where the per-voter or per-week
part takes over, so the exponent is also given over the largest two points. The results are
appended to ``benchmarks/RESULTS.md`` (section "Scaling"). Tests never assert timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nzsim  # noqa: E402
from machine import machine, record, versions  # noqa: E402  (benchmarks/machine.py, beside this script)
from nzsim.scenario import from_dict  # noqa: E402
from nzsim.version import code_version  # noqa: E402

MARKER = "<!-- scaling rows -->\n"
SECTION = (
    "## Scaling (`benchmarks/scaling.py`)\n\n"
    "`nzsim.replicate` of the scenario with its voters, then its weeks, changed one at a time, in one\n"
    "process: median ms a replication at each size, page faults a replication, and two fits per axis\n"
    "(a line, fixed ms + slope per voter-week or per week; and the power-law exponent k of cost ~ size^k,\n"
    "over all points and over the largest two).\n\n"
    "| date | code | scenario | axis | points (size: median ms, minor faults/rep) | line fit | exponent k (all; largest two) | machine | versions |\n"
    "|---|---|---|---|---|---|---|---|---|\n"
    + MARKER
)


def variant(spec: nzsim.Scenario, voters: int | None = None, weeks: int | None = None) -> nzsim.Scenario:
    data = spec.model_dump(mode="json", exclude_unset=True)
    if voters is not None:
        data.setdefault("context", {})["voters"] = voters
    if weeks is not None:
        data["horizon_weeks"] = weeks
    return from_dict(data, name=f"{spec.name} ({voters or spec.context.voters} voters, {weeks or spec.horizon_weeks} weeks)")


def point(spec: nzsim.Scenario, budget: float, least: int = 5) -> dict:
    """Median cost of a replication of ``spec`` and the page faults one causes."""
    nzsim.replicate(spec, seed=99_999)  # warm-up: first-call costs, buffers at this size
    times: list[float] = []
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    seed = 0
    while seed < least or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        nzsim.replicate(spec, seed=seed)
        times.append((time.perf_counter() - t0) * 1000)
        seed += 1
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {"ms": statistics.median(times), "reps": len(times),
            "minor": (after.ru_minflt - before.ru_minflt) / len(times),
            "major": (after.ru_majflt - before.ru_majflt) / len(times),
            "peak_mb": after.ru_maxrss / 1024}


def fits(sizes: list[int], ms: list[float]) -> dict:
    """A straight line (fixed, slope) and the power-law exponents (all points; the largest two)."""
    x, y = np.asarray(sizes, float), np.asarray(ms, float)
    slope, fixed = np.polyfit(x, y, 1)
    k_all = float(np.polyfit(np.log(x), np.log(y), 1)[0])
    k_top = float(np.log(y[-1] / y[-2]) / np.log(x[-1] / x[-2]))
    return {"fixed_ms": float(fixed), "slope_ms": float(slope), "k_all": k_all, "k_top": k_top}


def sweep(spec: nzsim.Scenario, axis: str, sizes: list[int], budget: float) -> dict:
    weeks, voters = spec.horizon_weeks, spec.context.voters
    held = f"{weeks} weeks" if axis == "voters" else f"{voters:,} voters"
    print(f"\n== {axis}: {', '.join(f'{s:,}' for s in sizes)} ({held} held)")
    points = []
    for size in sizes:
        s = variant(spec, voters=size) if axis == "voters" else variant(spec, weeks=size)
        p = point(s, budget)
        p["size"] = size
        points.append(p)
        per = p["ms"] / (size * weeks) * 1e6 if axis == "voters" else p["ms"] / size * 1e3
        unit = "ns per voter-week" if axis == "voters" else "us per week"
        print(f"   {size:>8,}: median {p['ms']:8.2f} ms over {p['reps']:>4} reps ({per:7.1f} {unit}); "
              f"{p['minor']:9.1f} minor and {p['major']:.1f} major page faults a replication; peak RSS "
              f"{p['peak_mb']:.0f} MB")
    f = fits([p["size"] for p in points], [p["ms"] for p in points])
    if axis == "voters":
        line = f"{f['fixed_ms']:.2f} ms + {f['slope_ms'] / weeks * 1e6:.2f} ns per voter-week"
    else:
        line = f"{f['fixed_ms']:.2f} ms + {f['slope_ms'] * 1e3:.1f} us per week"
    print(f"   line: {line}; exponent k = {f['k_all']:.2f} over all points, {f['k_top']:.2f} over the largest two")
    return {"axis": axis, "points": points, "fit": f, "line": line}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", default="1000,2000,5000,20000,50000,200000")
    parser.add_argument("--weeks", default="52,104,156,208")
    parser.add_argument("--budget", type=float, default=4.0, help="seconds of timing at each point (default 4)")
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "vilnius-2023.yaml")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md",
                        help="the results file to append to (default benchmarks/RESULTS.md)")
    args = parser.parse_args(argv)
    spec = nzsim.load(args.scenario)
    voters = sorted(int(v) for v in args.voters.split(","))
    weeks = sorted(int(w) for w in args.weeks.split(","))
    print(f"{spec.name}: {spec.context.voters:,} voters, {spec.horizon_weeks} weeks; {machine()}; "
          f"{versions()}")
    results = [sweep(spec, "voters", voters, args.budget), sweep(spec, "weeks", weeks, args.budget)]
    if not args.no_record:
        rows = ""
        for r in results:
            pts = "; ".join(f"{p['size']:,}: {p['ms']:.2f}, {p['minor']:.0f}" for p in r["points"])
            rows += (f"| {dt.date.today().isoformat()} | {code_version()} | {spec.name} | {r['axis']} | {pts} | "
                     f"{r['line']} | {r['fit']['k_all']:.2f}; {r['fit']['k_top']:.2f} | {machine()} | "
                     f"{versions()} |\n")
        record(args.results, MARKER, SECTION, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Does the model give what an earlier implementation gave? Every scenario of the library, both ways.

Usage::

    .venv/bin/python scripts/agreement.py [--reference b203766] [--reps 2000] [--seed 1] [--workers 2]
                                          [--scenarios vilnius-2023 ...] [--out scripts/agreement.md]

For each scenario in ``scenarios/*.yaml``, runs ``nzsim run SCENARIO --reps N --seed S`` with the code
of this working tree and with the code of ``--reference`` (a commit, checked out into a temporary
folder with ``git worktree``, run with the same interpreter and the same locked libraries), then
compares the two outcome tables:

- **bytes**: whether every outcome column is identical, replication by replication (the same seed
  gives the same numbers);
- **distributions**, per outcome: a two-sample Kolmogorov-Smirnov test for numbers
  (``scipy.stats.ks_2samp``) and a chi-square test of homogeneity for yes/no and named outcomes
  (``scipy.stats.chi2_contingency``). The tolerance: an outcome disagrees when its p-value is below
  0.001 / (number of outcomes tested across the library) (Bonferroni at a family-wise 0.1%), and the
  report also lists every p-value below 0.01 so that a drift too small to fail shows.

Writes a Markdown report (``--out``) and prints its summary; exits 1 if any outcome disagrees.
The implementation of a model may change its numbers (a new way of drawing who meets, a kernel
that rounds differently); this is how the change is shown to leave the distributions alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
FAMILY_ALPHA = 0.001
#: Columns that say which replication a row is, not what happened in it.
IDENTITY = ("replication", "seed")


def run(code: Path, scenario: Path, reps: int, seed: int, workers: int, out: Path) -> Path:
    """``nzsim run`` with the package found in ``code``; returns the run folder."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    cmd = [sys.executable, "-m", "nzsim", "run", str(scenario), "--reps", str(reps), "--seed", str(seed),
           "--workers", str(workers), "--out", str(out), "--no-figures", "--no-progress"]
    done = subprocess.run(cmd, cwd=code, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"agreement: {' '.join(cmd)} failed in {code}:\n{done.stderr[-2000:]}")
    return out


def outcome_columns(folder: Path) -> dict[str, np.ndarray]:
    table = pq.read_table(folder / "outcomes.parquet")
    return {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names
            if name not in IDENTITY and not name.startswith("param.")}


def compare(new: np.ndarray, old: np.ndarray) -> tuple[str, float]:
    """The test used and its p-value (1 where both sides take one value only)."""
    if new.dtype.kind in "biuf" and new.dtype.kind != "b":
        a, b = new[~np.isnan(new.astype(float))], old[~np.isnan(old.astype(float))]
        if len(a) == 0 or len(b) == 0:
            return "KS", 1.0 if len(a) == len(b) else 0.0
        if np.unique(np.concatenate([a, b])).size == 1:
            return "KS", 1.0
        return "KS", float(stats.ks_2samp(a, b).pvalue)
    values = sorted({str(v) for v in np.concatenate([new, old])})
    if len(values) == 1:
        return "chi-square", 1.0
    counts = np.array([[sum(str(v) == value for v in side) for value in values] for side in (new, old)])
    return "chi-square", float(stats.chi2_contingency(counts).pvalue)


def identical(new: np.ndarray, old: np.ndarray) -> bool:
    if new.dtype.kind == "f" and old.dtype.kind == "f":
        return bool(np.array_equal(new, old, equal_nan=True))
    return bool(np.array_equal(new.astype(str), old.astype(str)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", default="b203766", help="the commit to compare with (default: the last "
                        "before the public's kernels)")
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenarios", nargs="*", help="names in scenarios/ (default: every scenario there)")
    parser.add_argument("--out", type=Path, default=ROOT / "scripts" / "agreement.md")
    args = parser.parse_args(argv)

    names = args.scenarios or sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    current = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "nzsim"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    rows, disagreements, low = [], [], []
    with tempfile.TemporaryDirectory(prefix="nzsim-agreement-") as tmp:
        tmp = Path(tmp)
        reference = tmp / "reference"
        subprocess.run(["git", "worktree", "add", "--detach", str(reference), args.reference], cwd=ROOT,
                       check=True, capture_output=True)
        try:
            results = {}
            for name in names:
                scenario = f"scenarios/{name}.yaml"
                print(f"agreement: {name}: {args.reps:,} replications, this tree and {args.reference}", flush=True)
                new = outcome_columns(run(ROOT, ROOT / scenario, args.reps, args.seed, args.workers, tmp / f"{name}-new"))
                old = outcome_columns(run(reference, reference / scenario, args.reps, args.seed, args.workers,
                                          tmp / f"{name}-old"))
                results[name] = (new, old)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(reference)], cwd=ROOT, capture_output=True)
        tests = sum(len(set(new) & set(old)) for new, old in results.values())
        threshold = FAMILY_ALPHA / max(tests, 1)
        for name, (new, old) in results.items():
            shared = [c for c in new if c in old]
            same = [c for c in shared if identical(new[c], old[c])]
            worst = (float("inf"), "")
            for column in shared:
                test, p = compare(new[column], old[column])
                worst = min(worst, (p, column))
                if p < threshold:
                    disagreements.append(f"{name}: {column} ({test}, p = {p:.2g})")
                elif p < 0.01:
                    low.append(f"{name}: {column} ({test}, p = {p:.2g})")
            only = sorted(set(new) ^ set(old))
            rows.append(f"| {name} | {len(shared)} | {len(same)} of {len(shared)} | {worst[0]:.3g} ({worst[1]}) | "
                        f"{', '.join(only) or '-'} |")
    lines = [
        "# Agreement with an earlier implementation",
        "",
        f"Made by `scripts/agreement.py` on {dt.date.today().isoformat()}: this tree (git {current}"
        f"{'+dirty' if dirty else ''}) against {args.reference}, {args.reps:,} replications of each scenario with "
        f"seed {args.seed}, {args.workers} workers. An outcome disagrees when its two-sample test (Kolmogorov-Smirnov "
        f"for numbers, chi-square for yes/no and names) gives p < {threshold:.2g} (0.001 over the {tests} outcomes "
        "tested). \"Identical\" counts the outcomes equal replication by replication.",
        "",
        "| scenario | outcomes tested | identical | lowest p (outcome) | outcomes on one side only |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"**Disagreements: {len(disagreements)}.** " + ("; ".join(disagreements) if disagreements else ""),
        "",
        f"p-values below 0.01 that pass: {'; '.join(low) if low else 'none'}.",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())

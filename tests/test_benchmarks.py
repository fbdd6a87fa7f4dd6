"""The benchmark scripts run (their timings are recorded in benchmarks/RESULTS.md, never asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_replication_benchmark_runs_and_prints_its_median():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "replication.py"), "--reps", "3", "--no-record"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"vilnius-2023: 52 weeks, 5,000 voters, 3 replications", result.stdout)
    assert re.search(r"median \d+\.\d\d ms \(p10 \d+\.\d\d, p90 \d+\.\d\d, mean \d+\.\d\d\)", result.stdout)
    assert "recorded" not in result.stdout

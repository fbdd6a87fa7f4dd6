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


def test_ensemble_benchmark_times_both_commands_and_records_a_row(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text((ROOT / "benchmarks" / "RESULTS.md").read_text())
    before = results.read_text().count("\n")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "ensemble.py"), "commands", "--reps", "6", "--repeats", "1",
         "--wait-idle", "0", "--tmp", str(tmp_path), "--results", str(results)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"repeat 1: 1 worker +\d+\.\d rep/s", result.stdout)
    assert re.search(r"repeat 1: 2 workers +\d+\.\d rep/s", result.stdout)
    assert re.search(r"parallel efficiency of the command \d+%", result.stdout)
    text = results.read_text()
    assert text.count("\n") == before + 1
    row = text.split("<!-- ensemble command rows -->\n", 1)[1].splitlines()[0]
    assert re.match(r"\| \d{4}-\d\d-\d\d \| nzsim .* \| vilnius-2023 \| 6 x 1 \| \d+\.\d\d \| \d+\.\d\d \|", row), row


def test_the_ensemble_benchmark_refuses_to_drop_rows_it_has_no_table_for(tmp_path):
    results = tmp_path / "RESULTS.md"
    text = (ROOT / "benchmarks" / "RESULTS.md").read_text()
    results.write_text(text.replace("<!-- ensemble command rows -->\n", ""))
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "ensemble.py"), "commands", "--reps", "2", "--repeats", "1",
         "--wait-idle", "0", "--tmp", str(tmp_path), "--results", str(results)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert result.returncode != 0
    assert "has no '<!-- ensemble command rows -->' line" in result.stderr

"""The benchmark scripts run (their timings are recorded in benchmarks/RESULTS.md, never asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def benchmark(script: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``benchmarks/<script>`` with ``args`` from the project's root, as a user would."""
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)


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


def test_scaling_benchmark_prints_both_sweeps_with_their_fits_and_records_two_rows(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n")
    result = benchmark("scaling.py", "--voters", "1000,2000,4000", "--weeks", "52,78", "--budget", "0",
                       "--results", str(results))
    assert result.returncode == 0, result.stderr
    for size in ("1,000", "2,000", "4,000", "52", "78"):
        assert re.search(rf"^ +{size}: median +\d+\.\d\d ms over +5 reps .* minor and \d+\.\d major page faults",
                         result.stdout, re.M), size
    assert re.search(r"line: -?\d+\.\d\d ms \+ -?\d+\.\d\d ns per voter-week; exponent k = -?\d\.\d\d", result.stdout)
    assert re.search(r"line: -?\d+\.\d\d ms \+ -?\d+\.\d us per week; exponent k = -?\d\.\d\d", result.stdout)
    rows = results.read_text().split("<!-- scaling rows -->\n", 1)[1].splitlines()
    assert [r.split(" | ")[3] for r in rows] == ["voters", "weeks"]
    assert "1,000: " in rows[0] and "78: " in rows[1]


def test_commands_benchmark_times_the_dashboard_panel_and_records_a_row(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n")
    result = benchmark("commands.py", "--skip", "validate", "--panel-reps", "12", "--repeats", "1",
                       "--results", str(results))
    assert result.returncode == 0, result.stderr
    assert re.search(r"panel \(repeat 1\): \d+\.\d\d s \(\d+\.\d\d s replications, \d+\.\d\d s figure\)", result.stdout)
    row = results.read_text().split("<!-- commands rows -->\n", 1)[1].splitlines()[0]
    assert re.match(r"\| \d{4}-\d\d-\d\d \| nzsim .* \| - \(1\) \| - \| \d+\.\d\d \(1\) \| \d+\.\d\d \| (meets|misses) \|", row), row


def test_exploring_benchmark_runs_a_design_and_records_a_row(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n")
    result = benchmark("exploring.py", "--samples", "16", "--memory-samples", "8", "--factors", "3", "--seeds", "1",
                       "--tmp", str(tmp_path), "--results", str(results))
    assert result.returncode == 0, result.stderr
    assert "sobol over 3 factors, N = 16, 1 seeds, second order: 128 experiments, 128 replications" in result.stdout
    assert re.search(r"run: \d+\.\d s, [\d,]+\.\d rep/s, peak [\d,]+ MB", result.stdout)
    assert re.search(r"peak at N = 16 over N = 8: \d\.\d\dx for 2x the replications", result.stdout)
    assert re.search(r"outside the model: \d+% of \d+\.\d s", result.stdout)
    row = results.read_text().split("<!-- exploring rows -->\n", 1)[1].splitlines()[0]
    assert re.match(r"\| \d{4}-\d\d-\d\d \| nzsim .* \| vilnius-2023 \| sobol N=16, 3 factors, 1 seeds, 2nd order \| 128 \|", row), row

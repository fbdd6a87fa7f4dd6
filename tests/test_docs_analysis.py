"""docs/analysis.md keeps up with the code: every public function and figure is described, every
file `nzsim compare` writes is listed, and the README's Python example runs."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import nzsim
from nzsim import analysis, figures, reports

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "analysis.md").read_text()
README = (ROOT / "README.md").read_text()

FUNCTIONS = [name for name in analysis.__all__ if inspect.isfunction(getattr(analysis, name))]
WRITERS = [name for name in figures.__all__ if f"build_{name}" in figures.__all__]


@pytest.mark.parametrize("name", [n for n in FUNCTIONS if n not in ("quantile_name", "fan_quantiles",
                                                                    "rung_probabilities_by_week", "estimate",
                                                                    "compared_outcomes")])
def test_every_analysis_function_is_described(name):
    assert f"`{name}" in DOC, name


@pytest.mark.parametrize("name", WRITERS)
def test_every_figure_is_in_the_figures_table(name):
    assert re.search(rf"^\| `{name}` \|", DOC, re.M), name


def test_every_file_compare_writes_is_listed(tmp_path):
    from tests.helpers import small_spec

    a = nzsim.run_ensemble(small_spec(name="a"), reps=6, seed=1, workers=1, out=tmp_path / "a")
    b = nzsim.run_ensemble(small_spec(name="b", events={"election": None}), reps=6, seed=1, workers=1,
                         out=tmp_path / "b")
    out = tmp_path / "cmp"
    reports.write_comparison({"a": a, "b": b}, out, resamples=100)
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written
    for name in written:
        assert f"| `{name}` |" in DOC, name


def test_the_readme_python_example_runs(tmp_path, monkeypatch):
    """The README's Python block, run where its run folders exist (made small here)."""
    blocks = re.findall(r"```python\n(.*?)\n```", README, re.DOTALL)
    assert blocks
    paths = sorted(set(re.findall(r'load_run\("([^"]+)"\)', blocks[0])))
    assert paths
    from tests.helpers import small_spec

    for i, path in enumerate(paths):
        spec = small_spec(name=Path(path).name, events={"vilnius": {"signals": {"attendance": ["leader", "none"][i % 2]}}})
        nzsim.run_ensemble(spec, reps=8, seed=0, workers=1, out=tmp_path / path)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    assert "table" in namespace and len(namespace["table"]) > 0

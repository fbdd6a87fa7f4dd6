"""docs/architecture.md runs: each worked example of "How to extend the model" (a signal, an
outcome, an event kind, an actor) runs in a fresh process from the project's folder, exactly as a
reader would paste it, and prints what the page says it prints. Each example extends the
catalogue or the model; a process of its own keeps those additions out of every other test."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.helpers import ROOT

DOC = (ROOT / "docs" / "architecture.md").read_text()


def examples() -> dict[str, tuple[str, str]]:
    """Each worked example's heading: (its code, what it prints)."""
    found = {}
    for m in re.finditer(r"^### (Add [^\n]+)\n(.*?)```python\n(.*?)```\n\nIt prints:\n\n```text\n(.*?)```", DOC, re.S | re.M):
        found[m.group(1)] = (m.group(3), m.group(4))
    return found


def test_every_kind_of_extension_has_a_worked_example():
    assert set(examples()) == {"Add a signal", "Add an outcome", "Add an event kind", "Add an actor"}


@pytest.mark.parametrize("heading", sorted(examples()))
def test_the_worked_example_prints_what_the_page_says(heading):
    code, prints = examples()[heading]
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == prints


def test_the_layer_diagram_names_every_package():
    packages = sorted(p.parent.name for p in (ROOT / "nzsim").glob("*/__init__.py"))
    for name in packages:
        assert f"nzsim.{name}" in DOC, name

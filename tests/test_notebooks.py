"""The notebooks in notebooks/: committed without outputs, each opening with its question, and
each executed top to bottom (nbclient) with a small replication count; a failing cell fails
the suite, and every figure a notebook draws must come out as a real image."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = ["01-compare-summit-signals", "02-madrid-to-the-hague", "03-uncertainty", "04-which-signals-hold-up"]

#: Small numbers for the suite, passed to the kernel through the environment.
SMALL = {"NZSIM_NOTEBOOK_REPS": "30", "NZSIM_NOTEBOOK_WORKERS": "1",
         "NZSIM_NOTEBOOK_DRAWS": "5", "NZSIM_NOTEBOOK_SEEDS": "4", "NZSIM_NOTEBOOK_SAMPLES": "12"}

#: Injected after a notebook's setup cell: records each matplotlib Figure the notebook displays.
RECORD_FIGURES = """
from matplotlib.figure import Figure as _Figure
_png = get_ipython().display_formatter.formatters["image/png"]
_draw_png = _png.lookup_by_type(_Figure)
_SHOWN = []

def _record(fig, *args, **kwargs):
    _SHOWN.append(fig)
    return _draw_png(fig, *args, **kwargs)

_png.for_type(_Figure, _record)
"""

#: Appended: each recorded figure's title, and each panel's title, axis labels and drawn artists, as JSON.
DESCRIBE_FIGURES = """
import json as _json
print(_json.dumps([
    {"suptitle": fig._suptitle.get_text() if fig._suptitle is not None else "",
     "axes": [{"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
               "drawn": len(ax.lines) + len(ax.patches) + len(ax.collections) + len(ax.images)} for ax in fig.axes]}
    for fig in _SHOWN
]))
"""

#: Figures each notebook draws (one per figure cell).
FIGURES = {"01-compare-summit-signals": 4, "02-madrid-to-the-hague": 3, "03-uncertainty": 3, "04-which-signals-hold-up": 3}


def test_the_four_notebooks_are_there():
    assert [path.stem for path in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs_and_opening_with_a_question(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    question = first.source.split("**The question.**", 1)
    assert len(question) == 2 and "?" in question[1].split("\n\n")[0], f"{path.name}: open with the question"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    for name, value in SMALL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NZSIM_NOTEBOOK_OUT", str(tmp_path / "runs"))
    nb = nbformat.read(path, as_version=4)
    # record every figure the notebook displays (after its setup cell turns on inline figures), and
    # describe each one at the end, so its titles and labels are checked, not only its PNG
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first + 1, nbformat.v4.new_code_cell(RECORD_FIGURES))
    nb.cells.append(nbformat.v4.new_code_cell(DESCRIBE_FIGURES))
    # a failing cell raises CellExecutionError, which fails this test with the cell's traceback
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    images = [
        base64.b64decode(o["data"]["image/png"])
        for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})
    ]
    assert len(images) == FIGURES[path.stem]
    described = json.loads(nb.cells[-1].outputs[-1]["text"])
    assert len(described) == FIGURES[path.stem]  # every figure displayed was recorded
    for figure in described:
        assert figure["suptitle"].strip(), figure
        assert figure["axes"], figure
        for ax in figure["axes"]:
            assert ax["title"].strip() and ax["xlabel"].strip() and ax["ylabel"].strip(), (figure["suptitle"], ax)
            assert ax["drawn"] > 0, (figure["suptitle"], ax)
    for image in images:
        assert image[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", image[16:24])
        assert width > 600 and height > 300 and len(image) > 20_000  # a drawn figure, not an empty canvas
    # the runs went where the notebook was told, at the small size
    runs = [p for p in (tmp_path / "runs").iterdir() if (p / "manifest.json").is_file()]
    assert runs
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    expected = {"03-uncertainty": "nested design: 5 parameter draws x 4 seeds = 20 replications on 1 worker(s)",
                "04-which-signals-hold-up": "Latin hypercube: 12 experiments x 4 seeds x 4 bundles = 192 replications "
                                            "on 1 worker(s)"}.get(path.stem, "30 replications per run on 1 worker(s), root seed 2023")
    assert expected in text
    if path.stem == "01-compare-summit-signals":  # the compact table heads the notebook, as it heads compare
        shown = [o["data"]["text/plain"] for c in nb.cells if c.cell_type == "code" and "overview_table" in c.source
                 for o in c.outputs if "text/plain" in o.get("data", {})]
        assert shown and "spread" in shown[0] and "as it happened" in shown[0]

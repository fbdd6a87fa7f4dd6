"""The HTML report (``nzsim report``) in a real browser: Debian's Chromium driven by playwright.

Issue 17: the story block needed horizontal scrolling and a nested run's variance-split table
spilled past the page's column. Each report below (a nested run, and a run of 3 x 2 lever cells
whose labels and story run long) is opened at 1,280 px wide, and nothing may reach past the
page's column: not the page itself, not an element (story, tables, figures), and no box may
scroll sideways to hide what does not fit. The screenshots are saved under pytest's temporary
folder (their paths are printed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import nzsim
from nzsim.reports import write_html_report
from tests.helpers import small_spec

CHROMIUM = Path("/usr/bin/chromium")
#: Headless flags that work on a machine without internet (as tests/browser/test_dashboard.py
#: launches it).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WIDTH = 1280

playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

if not CHROMIUM.exists():
    pytest.skip("no browser: /usr/bin/chromium is missing and could not be installed here "
                "(scripts/test.sh installs Debian's chromium where it runs as root with apt-get)",
                allow_module_level=True)

#: Every element whose box reaches past the page's column (the body's content box) or past the
#: window, every box whose content is wider than the box (text running out of a block that does
#: not wrap it, a table too wide for its cell), and which of those boxes scroll sideways.
MEASURE = """() => {
  const body = document.body.getBoundingClientRect();
  const style = getComputedStyle(document.body);
  const column = body.right - parseFloat(style.paddingRight);
  const name = el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                     + ' "' + (el.textContent || el.alt || '').trim().slice(0, 60) + '"';
  const past = [], spilling = [], scrolling = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not drawn (a closed <details>, say)
    if (box.right > column + 1 || box.right > window.innerWidth) past.push(`${name(el)} ends at ${box.right}`);
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
      const what = `${name(el)}: ${el.scrollWidth} wide in ${el.clientWidth}`;
      (getComputedStyle(el).overflowX === 'visible' ? spilling : scrolling).push(what);
    }
  }
  return {page: document.documentElement.scrollWidth, window: window.innerWidth, column, past, spilling, scrolling,
          tables: document.querySelectorAll('table').length, images: document.querySelectorAll('img').length,
          story: document.querySelectorAll('pre.story').length};
}"""

#: A long label without a space: a cell's label, and the story's events, carry it.
LONG = "Vilnius-2023-the-Prime-Minister-attends-and-speaks-of-China-in-passing-as-it-happened"


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("layout")
    nested = small_spec(name="nested-layout", uncertainties={
        "election.approval_weight": {"dist": "uniform", "low": 0, "high": 0.5},
        "china.grievance_half_life_weeks": {"dist": "uniform", "low": 4, "high": 12}})
    levers = small_spec(name="levers-layout", description=f"A run of lever cells. {LONG} " * 3,
                        levers={"events.vilnius.signals.china_language": ["passing", "strong"],
                                "events.vilnius.signals.attendance": ["leader", "none", "minister"],
                                "events.vilnius.label": [LONG]})
    runs = {
        "nested": nzsim.run_ensemble(nested, seed=4, workers=1, out=root / "nested", design="nested",
                                     param_draws=4, seeds_per_draw=3),
        "levers": nzsim.run_ensemble(levers, reps=6, seed=4, workers=1, out=root / "levers"),
    }
    return {name: write_html_report(run, root / f"{name}.html") for name, run in runs.items()}


@pytest.mark.parametrize("which", ["nested", "levers"])
def test_nothing_reaches_past_the_column_at_1280_px(reports, which, tmp_path):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.goto(reports[which].as_uri())
            page.wait_for_load_state("load")
            shot = tmp_path / f"report-{which}.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
            measured = page.evaluate(MEASURE)
        finally:
            browser.close()
    assert measured["window"] == WIDTH
    # the page was drawn: its tables, figures and the story (a nested run adds the variance split)
    assert measured["story"] == 1 and measured["images"] >= 3 and measured["tables"] >= 2, measured
    if which == "nested":
        assert measured["images"] == 4, measured
    assert measured["page"] <= measured["window"], measured
    assert not measured["past"], "\n".join(measured["past"][:20])
    assert not measured["spilling"], "\n".join(measured["spilling"][:20])
    assert not measured["scrolling"], "\n".join(measured["scrolling"][:20])

"""The dashboard in a real browser: Debian's Chromium driven by playwright.

Starts ``nzsim dashboard`` on a free port as a subprocess, opens it, changes a summit signal,
resets and steps the model, and checks that the plots and the event feed changed. The
screenshot is saved under pytest's temporary folder (its path is printed).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.teaching_cli import missing_browser_packages

CHROMIUM = Path("/usr/bin/chromium")
#: Headless flags that work on a machine without internet (without the last few, Chromium keeps
#: trying to reach Google's services and floods the log with refused connections).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]

playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

if not CHROMIUM.exists():
    pytest.skip("no browser: /usr/bin/chromium is missing and could not be installed here "
                "(scripts/test.sh installs Debian's chromium where it runs as root with apt-get)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def dashboard():
    """The running dashboard's address (the server is stopped afterwards)."""
    missing = missing_browser_packages()  # scripts/setup.sh (which scripts/test.sh runs) puts them in place
    assert not missing, f"the page's browser files are missing (run bash scripts/setup.sh): {missing}"
    server = subprocess.Popen([sys.executable, "-m", "sim", "dashboard", "--port", "0"], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        match = re.search(r"open (http://\S+/) in your web browser", line)
        assert match, f"nzsim dashboard printed {line!r}"
        yield match.group(1)
    finally:
        server.terminate()  # nzsim dashboard stops its Solara server on SIGTERM (tests/test_app.py checks)
        server.wait(timeout=30)


def plot_image(page) -> str:
    return page.locator(".nzsim-plots img").first.get_attribute("src")


def feed_text(page) -> str:
    return page.locator(".nzsim-event-feed").inner_text()


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label``."""
    page.locator(".v-select", has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_changing_a_signal_and_stepping_changes_the_plots_and_the_feed(dashboard, tmp_path):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1300})
            page.goto(dashboard)
            page.wait_for_selector(".nzsim-plots img", timeout=90_000)
            assert "Nothing has happened yet." in feed_text(page)
            before = plot_image(page)

            choose(page, "What is said about China", "strong")
            page.get_by_role("button", name="Reset").click()
            page.wait_for_timeout(1000)  # let the new run's page settle
            for week in range(1, 5):  # the Vilnius summit falls in week 4
                page.get_by_role("button", name="Step").click()
                page.wait_for_function(
                    "w => document.querySelector('.nzsim-event-feed').innerText.includes(`Week ${w} of`)", arg=week,
                    timeout=30_000,
                )
            feed = feed_text(page)
            assert "Week 4, 11 Jul 2023: the Prime Minister attends the Vilnius summit" in feed
            assert "condemns China's coercion in strong terms" in feed  # the changed signal took effect
            assert "Beijing's grievance rises" in feed
            assert plot_image(page) != before

            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot))  # the window (the page is very wide with Solara's hidden loader)
            assert shot.stat().st_size > 10_000
            print(f"screenshot: {shot}")
        finally:
            browser.close()

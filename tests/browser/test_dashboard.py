"""The dashboard in a real browser: Debian's Chromium driven by playwright.

Starts ``nzsim dashboard`` on a free port as a subprocess and opens it: changes a summit signal,
resets and steps the model, and checks that the plots and the event feed changed; chooses
another scenario and checks that the controls, Reset and a changed control build that
scenario; runs replications in the "one run is one draw" panel, steps while they run, plays the
run to its end and checks that the panel marks it. The screenshots are saved under pytest's
temporary folder (their paths are printed).
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nzsim.teaching.browser_files import missing_browser_packages

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
    server = subprocess.Popen([sys.executable, "-m", "nzsim", "dashboard", "--port", "0"], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        match = re.search(r"open (http://\S+/) in your web browser", line)
        assert match, f"nzsim dashboard printed {line!r}"
        yield match.group(1)
    finally:
        import psutil

        started = psutil.Process(server.pid).children(recursive=True)  # the server, and its pool if one is left
        server.terminate()  # nzsim dashboard stops its Solara server on SIGTERM (tests/teaching/test_dashboard.py checks)
        server.wait(timeout=30)
        gone, alive = psutil.wait_procs(started, timeout=15)

        def running(process) -> bool:  # a zombie (ended, not yet reaped) holds nothing
            try:
                return process.status() != psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                return False

        alive = [p for p in alive if running(p)]
        for process in alive:
            process.kill()
        assert not alive, f"left running after nzsim dashboard stopped: {[p.pid for p in alive]}"


def plot_image(page) -> str:
    return page.locator(".nzsim-plots img").first.get_attribute("src")


def feed_text(page) -> str:
    return page.locator(".nzsim-event-feed").inner_text()


def panel_text(page) -> str:
    return page.locator(".nzsim-ensemble").inner_text()


def settings(page) -> str:
    """The line that states every setting of the run on screen (from the model, not the controls)."""
    return page.get_by_text("This run (number").inner_text()


def wait_for_text(page, selector: str, text: str, timeout: float = 30_000) -> None:
    page.wait_for_function("([s, t]) => (document.querySelector(s)?.innerText ?? '').includes(t)",
                           arg=[selector, text], timeout=timeout)


@contextlib.contextmanager
def opened(address: str):
    """A new browser window on the dashboard, once its plots are drawn (closed afterwards)."""
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1300})
            page.goto(address)
            page.wait_for_selector(".nzsim-plots img", timeout=90_000)
            yield page
        finally:
            browser.close()


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label``."""
    page.locator(".v-select", has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_changing_a_signal_and_stepping_changes_the_plots_and_the_feed(dashboard, tmp_path):
    with opened(dashboard) as page:
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


def test_choosing_a_scenario_fills_the_controls_and_reset_rebuilds_it(dashboard):
    with opened(dashboard) as page:
        choose(page, "Start from a scenario", "madrid-2022")
        wait_for_text(page, ".nzsim-event-feed", "Start, 23 May 2022")
        # the controls show Madrid's values (vilnius-2023 has framing 'mild', 78m, 440 people)
        framing = page.locator(".v-select", has_text="Independent foreign policy framing").first
        assert "strong" in framing.inner_text()
        assert "moderate" in page.locator(".v-select", has_text="What is said about China").first.inner_text()

        page.get_by_role("button", name="Reset").click()  # Reset with nothing changed: Madrid again
        page.wait_for_timeout(1000)
        wait_for_text(page, ".nzsim-event-feed", "Start, 23 May 2022")
        assert "Independent foreign policy framing: strong" in settings(page)
        assert "Support for Ukraine (NZ$ million): 33" in settings(page)
        page.get_by_role("button", name="Step").click()
        wait_for_text(page, ".nzsim-event-feed", "Week 1 of 52 done (23-29 May 2022)")
        assert "Week 1, 23 May 2022: Three months after Russia's invasion of Ukraine" in feed_text(page)

        choose(page, "What is said about China", "strong")  # a changed control, then Reset
        page.get_by_role("button", name="Reset").click()
        wait_for_text(page, ".nzsim-event-feed", "Start, 23 May 2022")
        page.wait_for_function("() => document.body.innerText.includes('What is said about China: strong')",
                               timeout=30_000)
        assert "Independent foreign policy framing: strong" in settings(page)  # still Madrid's


def test_the_panel_runs_in_the_background_and_marks_the_run_at_its_end(dashboard, tmp_path):
    with opened(dashboard) as page:
        choose(page, "Runs", "100")
        page.get_by_role("button", name="Run 100 replications of these settings").click()
        wait_for_text(page, ".nzsim-ensemble", "Running in the background")
        page.get_by_role("button", name="Step").click()  # the page answers while they run
        wait_for_text(page, ".nzsim-event-feed", "Week 1 of 52 done")
        assert "Running in the background" in panel_text(page), "the replications ended before the step"

        page.wait_for_function(  # all of them done: from now on only the steps can redraw the panel
            "() => (t => t.includes('Trade measures against') && !t.includes('Running in the background'))"
            "(document.querySelector('.nzsim-ensemble').innerText)",
            timeout=120_000)
        assert "Your run is at week 1 of 52: play it to the end" in panel_text(page)
        page.get_by_role("button", name="Step").click()
        wait_for_text(page, ".nzsim-ensemble", "Your run is at week 2 of 52")  # the panel follows the steps
        unmarked = page.locator(".nzsim-ensemble img").first.get_attribute("src")
        interval = page.get_by_role("slider").first  # Mesa's Play Interval: Home sets its 1 ms minimum
        interval.focus()
        interval.press("Home")
        page.get_by_role("button", name="▶").click()
        wait_for_text(page, ".nzsim-event-feed", "the end of the run", timeout=120_000)
        wait_for_text(page, ".nzsim-ensemble", "yours)")  # the panel followed the run to its end
        text = panel_text(page)
        assert "play it to the end" not in text
        assert "your run is above" in text or "your run matches" in text
        assert page.locator(".nzsim-ensemble img").first.get_attribute("src") != unmarked  # the marker drawn

        panel = page.locator(".nzsim-ensemble")
        panel.scroll_into_view_if_needed()
        shot = tmp_path / "panel-marked.png"
        panel.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        print(f"screenshot: {shot}")

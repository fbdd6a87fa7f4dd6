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
expect = playwright_api.expect  # waits (5 s) for the page to show what is checked: it is drawn after each change

if not CHROMIUM.exists():
    pytest.skip("no browser: /usr/bin/chromium is missing and could not be installed here "
                "(scripts/test.sh installs Debian's chromium where it runs as root with apt-get)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def dashboard():
    """The running dashboard's address (the server is stopped afterwards)."""
    yield from served()


@pytest.fixture(scope="module")
def slow_dashboard(tmp_path_factory):
    """A dashboard whose one scenario is Vilnius 2023 with 100,000 voters: its replications take
    long enough (about 50 ms each) for a test to act while the panel's are still running."""
    folder = tmp_path_factory.mktemp("slow-scenarios")
    (folder / "vilnius-2023-large-electorate.yaml").write_text(
        f"extends: {ROOT / 'scenarios' / 'vilnius-2023.yaml'}\ndescription: Vilnius 2023, a large electorate\n"
        "references: [a test]\ncontext:\n  voters: 100000\n")
    yield from served("--scenarios", str(folder))


def served(*options: str):
    missing = missing_browser_packages()  # scripts/setup.sh (which scripts/test.sh runs) puts them in place
    assert not missing, f"the page's browser files are missing (run bash scripts/setup.sh): {missing}"
    server = subprocess.Popen([sys.executable, "-m", "nzsim", "dashboard", "--port", "0", *options], cwd=ROOT,
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
    """The lines that state every setting of the run on screen (from the model, not the controls)."""
    return page.locator(".nzsim-settings").inner_text()


def wait_for_text(page, selector: str, text: str, timeout: float = 30_000) -> None:
    page.wait_for_function("([s, t]) => (document.querySelector(s)?.innerText ?? '').includes(t)",
                           arg=[selector, text], timeout=timeout)


@contextlib.contextmanager
def opened(address: str, height: int = 1300):
    """A new browser window on the dashboard, ``height`` pixels tall, once its plots are drawn
    (closed afterwards)."""
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": height})
            page.goto(address)
            page.wait_for_selector(".nzsim-plots img", timeout=90_000)
            yield page
        finally:
            browser.close()


def choose(page, label: str, option: str, group: str | None = None) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label`` (in the signal group whose heading
    has ``group``, else the first on the page)."""
    within = page.locator(".nzsim-event-signals", has_text=group).first if group else page
    within.locator(".v-select", has_text=label).first.click()
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
        summit = page.locator(".nzsim-event-signals", has_text="NATO summit: Madrid").first
        framing = summit.locator(".v-select", has_text="Independent foreign policy framing").first
        assert "strong" in framing.inner_text()
        assert "moderate" in summit.locator(".v-select", has_text="What is said about China").first.inner_text()

        page.get_by_role("button", name="Reset").click()  # Reset with nothing changed: Madrid again
        page.wait_for_timeout(1000)
        wait_for_text(page, ".nzsim-event-feed", "Start, 23 May 2022")
        assert "Independent foreign policy framing: strong" in settings(page)
        assert "Support for Ukraine (NZ$ million): 33" in settings(page)
        page.get_by_role("button", name="Step").click()
        wait_for_text(page, ".nzsim-event-feed", "Week 1 of 52 done (23-29 May 2022)")
        assert "Week 1, 23 May 2022: Three months after Russia's invasion of Ukraine" in feed_text(page)

        choose(page, "What is said about China", "strong", group="NATO summit: Madrid")  # a change, then Reset
        page.get_by_role("button", name="Reset").click()
        wait_for_text(page, ".nzsim-event-feed", "Start, 23 May 2022")
        wait_for_text(page, ".nzsim-settings", "What is said about China: strong")
        assert "Independent foreign policy framing: strong" in settings(page)  # still Madrid's


def test_the_panel_runs_in_the_background_and_marks_the_run_at_its_end(slow_dashboard, tmp_path):
    with opened(slow_dashboard) as page:
        # a large electorate: on the server's warm pool, 100 replications of the usual one were done
        # before a step could be
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
        pace = page.get_by_role("slider").first  # the play pace: End sets its fastest, 10 weeks a second
        pace.focus()
        pace.press("End")
        page.get_by_role("button", name="▶ Play").click()
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


def week_text(page) -> str:
    return page.locator(".nzsim-week").inner_text()


def drawn(shot: Path, box: dict, origin: dict) -> bool:
    """Whether the part of the screenshot ``shot`` under ``box`` (page coordinates; the shot's top
    left corner at ``origin``) holds a drawing: more than one colour."""
    from matplotlib.image import imread

    grey = imread(shot)[..., :3].mean(axis=2)  # 0-1
    left, top = int(box["x"] - origin["x"]), int(box["y"] - origin["y"])
    crop = grey[max(top, 0):top + int(box["height"]), max(left, 0):left + int(box["width"])]
    return crop.size > 0 and float(crop.max() - crop.min()) > 40 / 255


def check_shot(page, shot: Path, region, must_show: dict) -> None:
    """Screenshot ``region`` (a locator) to ``shot`` and check that each element of ``must_show``
    (name: locator) is visible, lies inside the shot and is drawn in it."""
    region.scroll_into_view_if_needed()
    region.screenshot(path=str(shot))
    origin = region.bounding_box()
    for name, locator in must_show.items():
        assert locator.is_visible(), f"{name} is not visible"
        box = locator.bounding_box()
        assert box["x"] >= origin["x"] - 1 and box["x"] + box["width"] <= origin["x"] + origin["width"] + 1, name
        assert box["y"] >= origin["y"] - 1 and box["y"] + box["height"] <= origin["y"] + origin["height"] + 1, name
        assert drawn(shot, box, origin), f"{name} is blank in {shot}"
    print(f"screenshot: {shot}")


def test_each_step_click_is_one_week_and_play_ends_cleanly_at_a_teaching_pace(dashboard):
    import time

    with opened(dashboard) as page:
        step = page.get_by_role("button", name="Step")
        for _ in range(5):  # quick clicks, none waiting for the page
            step.click(delay=0)
        wait_for_text(page, ".nzsim-week", "Week 5 of 52")
        page.wait_for_timeout(1500)
        assert week_text(page).startswith("Week 5 of 52"), "a click was lost or counted twice"

        page.get_by_role("button", name="Reset").click()
        wait_for_text(page, ".nzsim-week", "Week 0 of 52")
        assert "3 weeks a second" in page.locator(".nzsim-run-card").inner_text()  # the default pace, shown
        began = time.monotonic()
        page.get_by_role("button", name="▶ Play").click()
        wait_for_text(page, ".nzsim-week", "the run has ended", timeout=120_000)
        print(f"52 weeks played in {time.monotonic() - began:.1f} s at the default pace")
        play = page.get_by_role("button", name="▶ Play")  # back from pause by itself
        assert play.is_disabled() and page.get_by_role("button", name="Step").is_disabled()
        wait_for_text(page, ".nzsim-event-feed", "Week 52 of 52 done")  # the main area is drawn after the card


def test_changes_wait_visibly_sliders_show_values_and_every_event_has_its_group(dashboard, tmp_path):
    with opened(dashboard, height=2000) as page:  # tall enough for the open summit's signals and every group
        assert "The controls show the run on screen." in page.locator(".nzsim-run-card").inner_text()
        for absent in ("Use Threads", "Render Interval", "Play Interval"):  # Mesa's technical controls
            assert absent not in page.locator("body").inner_text()
        choose(page, "What is said about China", "strong", group="NATO summit: Vilnius")
        ukraine = page.locator(".nzsim-event-signals", has_text="NATO summit: Vilnius").locator(
            ".nzsim-control", has_text="Support for Ukraine").first
        assert "Support for Ukraine (NZ$ million): 78" in ukraine.inner_text()
        slider = ukraine.get_by_role("slider")
        slider.focus()
        for _ in range(3):
            slider.press("ArrowRight")  # NZ$1 million a press
        wait_for_text(page, ".nzsim-run-card", "2 changes waiting")
        expect(ukraine).to_contain_text("Support for Ukraine (NZ$ million): 81")
        pending = page.locator(".nzsim-pending-list")
        wait_for_text(page, ".nzsim-pending-list", "What is said about China (Vilnius): strong, the run has passing")
        wait_for_text(page, ".nzsim-pending-list", "Support for Ukraine (NZ$ million) (Vilnius): 81, the run has 78")
        expect(page.locator(".nzsim-pending")).to_have_count(2)
        expect(page.locator(".nzsim-settings")).to_contain_text("What is said about China: passing")  # the run on screen

        headings = ["NATO summit: Vilnius, 11 Jul 2023", "Decision: The National Security Strategy",
                    "Decision: The decision to be briefed on AUKUS Pillar II", "Decision: The extension of the Ukraine"]
        groups = {h: page.locator(".nzsim-event-signals", has_text=h).first for h in headings}
        sidebar = page.locator(".v-navigation-drawer").first
        check_shot(page, tmp_path / "sidebar-pending.png", page.locator(".nzsim-run-card"), {
            "the pending changes": pending, "the Reset button": page.get_by_role("button", name="Reset"),
            "the play pace and its value": page.locator(".nzsim-run-card .nzsim-slider-value")})
        check_shot(page, tmp_path / "sidebar-signals.png", page.locator(".nzsim-signals"), {
            **{f"the group {h}": g for h, g in groups.items()},
            "the marked change": page.locator(".nzsim-pending").first,
            "the Ukraine slider's value": ukraine.locator(".nzsim-slider-value")})
        assert sidebar.is_visible()

        groups["Decision: The National Security Strategy"].get_by_text("Decision: The National Security").click()
        choose(page, "What is said about China", "none", group="Decision: The National Security Strategy")
        wait_for_text(page, ".nzsim-run-card", "3 changes waiting")
        page.get_by_role("button", name="Reset").click()
        wait_for_text(page, ".nzsim-run-card", "The controls show the run on screen.")
        for said in ("What is said about China: strong", "Support for Ukraine (NZ$ million): 81",
                     "Decision: The National Security Strategy, 4 Aug 2023 (week 7): nothing said"):
            expect(page.locator(".nzsim-settings")).to_contain_text(said)


def test_save_as_scenario_and_export_download_the_run_shown(dashboard, tmp_path):
    import pandas as pd

    from nzsim.runs.loop import replicate
    from nzsim.scenario import load

    with opened(dashboard) as page:
        page.locator(".nzsim-situation .nzsim-control", has_text="Run number").get_by_role("slider").focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        choose(page, "Who governs", "national")
        page.get_by_role("button", name="Reset").click()
        wait_for_text(page, ".nzsim-settings", "This run (number 2)")
        for week in range(1, 7):
            page.get_by_role("button", name="Step").click()
            wait_for_text(page, ".nzsim-week", f"Week {week} of 52")

        def download(label: str) -> Path:
            with page.expect_download(timeout=30_000) as info:
                page.get_by_role("button", name=label).click()
            path = tmp_path / info.value.suggested_filename
            info.value.save_as(path)
            return path

        saved = download("Save as scenario (YAML)")
        weeks = download("Export the weeks (CSV)")
        events = download("Export the events (CSV)")
        assert saved.name == "vilnius-2023-run-2.yaml" and weeks.name == "vilnius-2023-run-2-weeks.csv"
        feed = feed_text(page)

    checked = subprocess.run([sys.executable, "-m", "nzsim", "check", str(saved)], capture_output=True, text=True,
                             cwd=ROOT, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    spec = load(saved)
    assert spec.context.governing_bloc == "national"
    again = replicate(spec, seed=2)  # the saved file and its run number tell the run shown
    shown = pd.read_csv(weeks)
    assert list(shown["week"]) == list(range(7)) and set(shown["seed"]) == {2}
    for column in again.trajectories.columns:
        assert list(shown[column]) == pytest.approx(list(again.trajectories[column][:7]), abs=1e-12), column
    told = pd.read_csv(events)
    assert len(told) and (told["week"] <= 6).all()
    for line in told["text"]:
        assert line in feed

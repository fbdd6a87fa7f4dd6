"""The dashboard's library side: controls <-> scenarios, the replications panel, the CLI's mistakes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nzsim.teaching import controls
from nzsim.teaching import dashboard as app
from nzsim.runs import InlineExecutor
from nzsim.runs.loop import replicate
from nzsim.reports.story import event_line

ROOT = Path(__file__).resolve().parents[2]


def test_choosing_a_scenario_fills_controls_that_reproduce_it():
    for spec in controls.library(str(ROOT / "scenarios")).values():
        values = controls.controls_of(spec)
        rebuilt = controls.settings_spec(spec, **{k: v for k, v in values.items() if k not in ("scenario_name", "seed")})
        assert rebuilt.sha256 == spec.sha256, spec.name


def test_the_dashboard_run_is_the_story_run_and_a_changed_signal_changes_it():
    spec = controls.library(str(ROOT / "scenarios"))["vilnius-2023"]
    model = app.DashboardModel(**controls.controls_of(spec, seed=5))
    for _ in range(8):
        model.step()
    told = [event_line(e) for e in replicate(spec, seed=5).entries if not e.quiet and e.week <= 8]
    assert app.feed_lines(model) == told[::-1]
    strong = app.DashboardModel(**{**controls.controls_of(spec, seed=5), "china_language": "strong", "weeks_to_election": 0})
    assert strong.spec.events["vilnius"].signals.china_language == "strong"
    assert not any(e.kind == "election" for e in strong.spec.events.values())


def test_replications_of_the_settings_come_back_chunk_by_chunk(make_spec):
    spec = make_spec(context={"voters": 200}, horizon_weeks=20)
    steps = list(app.replications_in_background(spec, reps=30, seed=1, executor=InlineExecutor()))
    assert len(steps) == 2 and steps[0].done in (5, 25) and steps[-1].done == 30  # one yield per chunk
    final = steps[-1].outcomes
    assert len(final) == 30 and list(final["replication"]) == list(range(30))
    watched = final.iloc[0].to_dict()
    fig = app.ensemble_figure(steps[-1], watched)
    assert any(t.get_text() == "your run" for ax in fig.axes for t in ax.texts)


@pytest.mark.parametrize("argv, expected", [
    (["dashboard", "--port", "70000"], "expected a port number from 0 to 65535"),
    (["dashboard", "--scenarios", "no-such-folder"], "no such folder"),
])
def test_dashboard_mistakes_are_one_line(argv, expected):
    result = subprocess.run([sys.executable, "-m", "nzsim", *argv], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_a_port_in_use_is_a_usage_error():
    import socket

    from nzsim.cli import UsageError
    from nzsim.cli.teaching import free_port

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(UsageError, match="expected a free port"):
            free_port("127.0.0.1", s.getsockname()[1])


def test_the_dashboard_never_downloads_its_browser_files(tmp_path, monkeypatch, capsys):
    """Missing browser files are a one-line error that points to the setup, never a download."""
    from nzsim.cli import main
    from nzsim.teaching import browser_files

    monkeypatch.setattr(browser_files, "browser_files_folder", lambda: tmp_path / "empty")
    monkeypatch.setattr(browser_files, "install_browser_files",
                        lambda *a, **k: pytest.fail("nzsim dashboard must not fetch files at run time"))
    assert main(["dashboard", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "browser files are missing" in err and "bash scripts/setup.sh" in err


def test_setup_checks_and_installs_the_browser_files_through_the_module(tmp_path, monkeypatch):
    from nzsim.teaching import browser_files

    monkeypatch.setattr(browser_files, "browser_files_folder", lambda: tmp_path / "empty")
    assert browser_files._setup(["--browser-files-present"]) == 1
    monkeypatch.setattr(browser_files, "browser_files_folder", lambda: tmp_path / "full")
    for package, marker in browser_files._BROWSER_MARKERS.items():
        (tmp_path / "full" / package / marker).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "full" / package / marker).write_text("x")
    assert browser_files._setup(["--browser-files-present"]) == 0


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_stopping_the_dashboard_with_a_signal_stops_its_server(stop):
    """Ctrl+C, SIGTERM (a process manager, a test) or SIGHUP (the terminal closed) to `nzsim
    dashboard` must not leave the Solara server it started, in a session of its own, running; the
    command says it was stopped and exits with 128 + the signal."""
    import re

    import psutil

    from nzsim.teaching.browser_files import missing_browser_packages

    if missing_browser_packages():
        pytest.fail("the dashboard's browser files are missing: run bash scripts/setup.sh")
    command = subprocess.Popen([sys.executable, "-m", "nzsim", "dashboard", "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    children: list = []
    try:
        line = command.stdout.readline()
        assert re.search(r"open http://\S+/ in your web browser", line), line
        children = psutil.Process(command.pid).children(recursive=True)
        assert children, "the dashboard started no server"
        server = psutil.Process(command.pid).children()[0]
        assert os.getpgid(server.pid) == server.pid  # a group of its own, stopped whole (below)
        command.send_signal(stop)
        assert command.wait(timeout=30) == 128 + stop
        assert command.stderr.read().strip() == f"nzsim dashboard: stopped by {signal.Signals(stop).name}"
        gone, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, f"left running: {[p.pid for p in alive]}"
    finally:  # only what this test started: the test process's other children (a pool's resource tracker) stay
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        if command.poll() is None:
            command.kill()


def test_stopping_the_server_stops_every_process_it_started():
    """The replications panel's forkserver and workers are the server's descendants; left running
    they would hold the dashboard command's output open after it ends."""
    import psutil

    from nzsim.cli.teaching import _stop_group

    # a server stand-in that starts a grandchild (as the server starts a pool) and both wait
    script = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)"
    server = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while not psutil.Process(server.pid).children() and time.monotonic() < deadline:
            time.sleep(0.05)
        grandchild = psutil.Process(server.pid).children()[0]
        _stop_group(server)
        assert server.poll() is not None
        psutil.wait_procs([grandchild], timeout=5)
        assert not grandchild.is_running() or grandchild.status() == psutil.STATUS_ZOMBIE
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)


def test_the_live_plots_draw_a_model_caught_in_the_middle_of_a_step():
    """Play steps the model in another thread while the page draws: a week recorded for one
    variable but not yet for the others must not break the plots (it appears in the next frame)."""
    spec = controls.library(str(ROOT / "scenarios"))["vilnius-2023"]
    model = app.DashboardModel(**controls.controls_of(spec, seed=1))
    for _ in range(4):
        model.step()
    model.datacollector.model_vars["stance"].append(0.5)  # as if a step were half recorded
    fig = app.live_figure(model)
    lengths = {len(line.get_xdata()) for ax in fig.axes for line in ax.get_lines() if len(line.get_xdata()) > 2}
    assert lengths == {5}  # weeks 0-4 for every series, the half-recorded week left out


def test_the_panel_marks_the_watched_run_only_once_it_has_run_to_the_end(make_spec):
    spec = make_spec(context={"voters": 200}, horizon_weeks=10, events={"election": None})
    steps = list(app.replications_in_background(spec, reps=10, seed=1, executor=InlineExecutor()))
    unmarked = app.ensemble_figure(steps[-1], {})
    assert not any(t.get_text() == "your run" for ax in unmarked.axes for t in ax.texts)
    assert "marked when it has run to the end" in unmarked._suptitle.get_text()


def test_the_page_states_every_setting_of_the_run_in_words():
    spec = controls.library(str(ROOT / "scenarios"))["vilnius-2023"]
    model = app.DashboardModel(**{**controls.controls_of(spec, seed=3), "china_language": "strong", "china_export_pct": 35,
                                  "events.national_security_strategy.signals.tibet": "minister"})
    text = app.settings_text(model)
    assert text.startswith("This run (number 3): ")
    assert "Share of goods exports going to China (%): **35**" in text
    assert "Weeks to the election (0 = none in this run): **17**" in text
    for options in controls.CONTEXT_CONTROLS.values():
        assert options["label"] in text
    summit, strategy = text.split("NATO summit: Vilnius, 11 Jul 2023 (week 4): ")[1].split("Decision: The National Security")
    assert "What is said about China: **strong**" in summit and "Support for Ukraine (NZ$ million): **78**" in summit
    assert "**minister**" not in summit and "**minister**" in strategy  # each event states its own signals
    assert "AUKUS Pillar II: **explore**" in text.split("AUKUS Pillar II, 1 Feb 2024")[1]


def test_files_the_picker_leaves_out_are_named_with_the_reason(tmp_path):
    (tmp_path / "good.yaml").write_text((ROOT / "scenarios" / "vilnius-2023.yaml").read_text())
    (tmp_path / "twin.yml").write_text((ROOT / "scenarios" / "vilnius-2023.yaml").read_text())  # .yml read too
    (tmp_path / "typo.yaml").write_text("extends: good.yaml\nname: typo\ndescription: x\nreferences: [x]\nhorizon_weks: 10\n")
    assert list(controls.library(str(tmp_path))) == ["vilnius-2023"]
    problems = controls.library_problems(str(tmp_path))
    assert len(problems) == 2
    assert any("typo.yaml" in p and "horizon_weks" in p for p in problems)
    assert any(p.startswith("twin.yml: its name 'vilnius-2023' is already taken") for p in problems)


# --------------------------------------------------------------------------------------
# The page itself, rendered with Solara's test renderer (no browser): what Mesa's buttons do
# --------------------------------------------------------------------------------------


def _page_text(widget) -> str:
    """Every piece of text on the rendered page (Markdown's HTML with the tags removed)."""
    import re

    import ipywidgets

    parts: list[str] = []

    def walk(w):
        for attr in ("template", "v_model", "label"):
            value = getattr(w, attr, None)
            if isinstance(value, str):
                value = re.sub(r"<script.*?</script>", " ", value, flags=re.DOTALL)
                parts.append(re.sub(r"<[^>]+>", " ", value))
        for child in getattr(w, "children", None) or ():
            if isinstance(child, str):
                parts.append(child)
            elif isinstance(child, ipywidgets.Widget):
                walk(child)
    walk(widget)
    return re.sub(r"\s+", " ", " ".join(parts))


@pytest.fixture
def rendered_page(monkeypatch):
    """The dashboard rendered in-process: ``(rc, models)`` where ``models[-1]`` is the model on screen."""
    import solara

    models = []
    shown = app.settings_text
    monkeypatch.setattr(app, "settings_text", lambda model: models.append(model) or shown(model))

    contexts = []

    def render():
        box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
        contexts.append(rc)
        return box, rc, models
    yield render
    for rc in contexts:
        rc.close()


def _button(rc, label):
    import ipyvuetify as v

    return rc.find(v.Btn, children=[label]).widget


def _select(rc, label, value, index=0):
    """Set the ``index``-th select labelled ``label`` (a signal's select appears once per event,
    the first summit's first)."""
    import ipyvuetify as v

    rc.find(v.Select, label=label).widgets[index].v_model = value


def test_reset_after_choosing_a_scenario_rebuilds_that_scenario_with_the_controls_as_set(rendered_page):
    specs = controls.library(str(ROOT / "scenarios"))
    _, rc, models = rendered_page()
    _button(rc, "Reset").click()
    assert models[-1].spec.sha256 == specs["vilnius-2023"].sha256  # its election kept, not a default's
    _select(rc, "Start from a scenario", "madrid-2022")
    assert models[-1].spec.sha256 == specs["madrid-2022"].sha256
    _button(rc, "Reset").click()
    _button(rc, "Reset").click()
    assert models[-1].spec.sha256 == specs["madrid-2022"].sha256 and models[-1].week == 0
    _select(rc, "What is said about China", "strong", index=1)  # Madrid's groups: the Biden-Ardern statement, the summit
    _button(rc, "Reset").click()
    spec = models[-1].spec
    assert spec.start == specs["madrid-2022"].start
    assert spec.events["madrid"].signals.china_language == "strong"
    assert spec.events["biden_ardern_joint_statement"] == specs["madrid-2022"].events["biden_ardern_joint_statement"]
    assert spec.events["madrid"].signals.independence_framing == "strong"  # Madrid's own, not a default
    _select(rc, "Start from a scenario", "australia-2020")
    _button(rc, "Reset").click()
    assert models[-1].spec.sha256 == specs["australia-2020"].sha256  # no summit added to Australia


@pytest.fixture
def short_library(tmp_path, monkeypatch):
    """A one-scenario library of eight weeks (``NZSIM_SCENARIOS``), and replications run inline."""
    import yaml

    from tests.helpers import small_spec

    data = small_spec(horizon_weeks=8, events={"election": None}).dump()
    data.update(name=controls.DEFAULT_SCENARIO, levers={})
    (tmp_path / "short.yaml").write_text(yaml.safe_dump(data))
    monkeypatch.setenv("NZSIM_SCENARIOS", str(tmp_path))
    controls._library.cache_clear()
    run = app.replications_in_background
    monkeypatch.setattr(app, "replications_in_background",
                        lambda spec, reps, seed, cancel=None: run(spec, 10, seed, executor=InlineExecutor(), cancel=cancel))
    yield
    controls._library.cache_clear()


def _wait_for(box, condition, timeout=60.0) -> str:
    """The page's text once ``condition(text)`` holds (the page may be drawn in another thread:
    after the replications' thread has finished, the redraws of a step run in it)."""

    deadline = time.monotonic() + timeout
    while not condition(text := _page_text(box)):
        assert time.monotonic() < deadline, text[-2000:]
        time.sleep(0.1)
    return text


def test_the_panel_follows_the_run_and_marks_it_when_the_run_ends(short_library, rendered_page):
    box, rc, models = rendered_page()
    _button(rc, "Run 300 replications of these settings").click()
    _wait_for(box, lambda text: "Trade measures against New Zealand came in" in text)
    assert "Your run is at week 0 of 8" in _page_text(box)
    _button(rc, "Step").click()
    _wait_for(box, lambda text: "Week 1 of 8 done" in text, timeout=10)  # the feed ...
    _wait_for(box, lambda text: "Your run is at week 1 of 8" in text, timeout=10)  # ... and the panel follow
    while models[-1].running:
        _button(rc, "Step").click()
        _wait_for(box, lambda text, week=models[-1].week: f"Week {week} of 8 done" in text, timeout=10)
    text = _wait_for(box, lambda text: "play it to the end" not in text, timeout=10)
    assert "of the runs (including yours)" in text or "of the runs (not yours)" in text
    assert "your run is above" in text or "your run matches" in text


def test_the_status_line_numbers_and_dates_weeks_as_the_feed_does():
    spec = controls.library(str(ROOT / "scenarios"))["vilnius-2023"]
    model = app.build_model("vilnius-2023", {})
    assert app.status_line(model).startswith("Start, 19 Jun 2023")
    for _ in range(4):
        model.step()
    summit = next(line for line in app.feed_lines(model) if "Vilnius summit" in line)
    assert summit.startswith("Week 4, 11 Jul 2023")
    assert app.status_line(model) == "Week 4 of 52 done (10-16 Jul 2023)"
    fig = app.live_figure(model)  # its x axis counts weeks done, as the status line does
    assert fig.axes[-1].get_xlabel().startswith("weeks done (0 = the start, 19 Jun 2023")
    assert max(max(line.get_xdata()) for line in fig.axes[0].get_lines() if len(line.get_xdata()) > 2) == 4
    while model.running:
        model.step()
    assert app.status_line(model) == "Week 52 of 52 done (10-16 Jun 2024); the end of the run"
    assert spec.end.isoformat() >= "2024-06-16"



def test_the_feed_says_who_blames_whom_and_who_stands_by_in_plain_words():
    """Before Beijing's measures nothing; while they last the split of blame and the partners
    standing by, as the model holds them; once they are lifted, the partners who stood by."""
    from nzsim.catalogue.partners import NAMES

    model = app.build_model("vilnius-2023-coercion-shock", {"seed": 3})
    assert app.dispute_line(model) is None
    while model.running and not model.china.coercing():
        model.step()
    assert model.china.coercing(), "the coercion shock should put measures in force"
    model.step()
    line = app.dispute_line(model)
    blame = model.public.blame_beijing
    assert line.startswith(f"Under Beijing's measures: {blame:.0%} of voters blame Beijing, {1 - blame:.0%} the government;")
    standing = [NAMES[p.key] for p in model.partners if p.standing_by]
    for name in NAMES.values():
        assert (name in line) == (name in standing), (name, line)
    assert ("no partner stands by" in line) == (not standing)
    while model.running and model.china.coercing():
        model.step()
    assert not model.china.coercing(), "the shock's measures end within the run (week 34 with seed 3)"
    after = app.dispute_line(model)
    assert after.startswith("Beijing's measures have been lifted")
    stood = [NAMES[p.key] for p in model.partners if p.stood_by]
    assert stood and all(name in after for name in stood)
    # the live plot of the public shows the blame line beside approval and the threat share
    public = next(ax for ax in app.live_figure(model).axes if ax.get_title(loc="left") == "The public")
    assert any("blame Beijing" in line.get_label() for line in public.get_lines())


@pytest.fixture
def fresh_panel_pool():
    """The server's panel pool as a server starts: none yet; whatever the test started is shut after."""
    app._PANEL_POOL = None
    yield
    pool, app._PANEL_POOL = app._PANEL_POOL, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def loaded_in_worker() -> tuple[int, bool]:
    """In a worker: its pid, and whether the model (Mesa, the runner's loop) was loaded before this
    task (which then holds the worker a moment, so that tasks given at once go to every worker)."""
    loaded = "mesa" in sys.modules and "nzsim.runs.loop" in sys.modules
    time.sleep(0.3)
    return os.getpid(), loaded


def test_the_panel_runs_on_one_warm_pool_that_outlives_its_presses(make_spec, fresh_panel_pool):
    """A press waits for its replications only: the server's pool is started (and its workers
    have loaded the model) when the page opens, and every press, cancelled or not, reuses it."""
    spec = make_spec(context={"voters": 200}, horizon_weeks=20)
    app.warm_panel_pool().join(timeout=120)
    pool = app._PANEL_POOL
    assert pool is not None
    answers = [f.result(timeout=60) for f in [pool.submit(loaded_in_worker) for _ in range(4)]]
    warm = {pid for pid, _ in answers}
    assert os.getpid() not in warm and len(warm) == 2 and all(loaded for _, loaded in answers)
    # another page opening leaves a warm pool alone (its warming would queue ahead of a press)
    assert app.panel_pool(warm=True) is pool
    steps = list(app.replications_in_background(spec, reps=20, seed=1))
    assert steps[-1].done == 20 and app.panel_pool() is pool
    cancel = threading.Event()
    cancel.set()
    assert list(app.replications_in_background(spec, reps=20, seed=2, cancel=cancel)) == []
    again = list(app.replications_in_background(spec, reps=20, seed=1))
    assert app.panel_pool() is pool and again[-1].outcomes.equals(steps[-1].outcomes)
    assert {f.result(timeout=60) for f in [pool.submit(os.getpid) for _ in range(4)]} <= warm  # no new workers


def held_in_worker(folder: str) -> None:
    """In a worker: leave a file named by its pid in ``folder``, then sleep until killed."""
    (Path(folder) / str(os.getpid())).touch()
    time.sleep(120)


def test_a_broken_panel_pool_is_replaced_at_the_next_press(make_spec, fresh_panel_pool, tmp_path):
    from concurrent.futures import BrokenExecutor

    spec = make_spec(context={"voters": 200}, horizon_weeks=20)
    # a worker killed during a press (out of memory, say): the press fails, the pool is dropped. The
    # workers are killed while asleep in a task: one killed while it sends a result leaves CPython's
    # pool reading half a message for ever (docs/runs.md), which no code of ours can undo.
    pool = app.panel_pool(warm=True)
    held = [pool.submit(held_in_worker, str(tmp_path)) for _ in range(2)]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.iterdir())) < 2:
        assert time.monotonic() < deadline and not any(f.done() for f in held), "the workers never took the tasks"
        time.sleep(0.05)
    pids = {int(p.name) for p in tmp_path.iterdir()}
    steps = app.replications_in_background(spec, reps=400, seed=1)
    killer = threading.Timer(2.0, lambda: [os.kill(pid, signal.SIGKILL) for pid in pids])
    killer.start()  # once the press has handed its chunks to the pool (they queue behind the sleepers)
    try:
        with pytest.raises(BrokenExecutor):
            list(steps)
    finally:
        killer.join()
    assert app.panel_pool() is not pool
    # a worker killed between presses: the pool is broken before the next press, which starts another
    pool = app.panel_pool(warm=True)
    for pid in {f.result(timeout=60) for f in [pool.submit(os.getpid) for _ in range(4)]}:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while True:  # until the pool has seen its workers die
        try:
            pool.submit(os.getpid).result(timeout=30)
        except BrokenExecutor:
            break
        assert time.monotonic() < deadline, "the pool never noticed its killed workers"
    assert list(app.replications_in_background(spec, reps=20, seed=1))[-1].done == 20
    assert app.panel_pool() is not pool

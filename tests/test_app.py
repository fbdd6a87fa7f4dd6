"""The dashboard's library side: controls <-> scenarios, the replications panel, the CLI's mistakes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim import app
from sim.ensemble import InlineExecutor
from sim.replication import replicate
from sim.story import event_line

ROOT = Path(__file__).resolve().parent.parent


def test_choosing_a_scenario_fills_controls_that_reproduce_it():
    for spec in app.library(str(ROOT / "scenarios")).values():
        values = app.controls_of(spec)
        rebuilt = app.settings_spec(spec, **{k: v for k, v in values.items() if k not in ("scenario_name", "seed")})
        assert rebuilt.sha256 == spec.sha256, spec.name


def test_the_dashboard_run_is_the_story_run_and_a_changed_signal_changes_it():
    spec = app.library(str(ROOT / "scenarios"))["vilnius-2023"]
    model = app.DashboardModel(**app.controls_of(spec, seed=5))
    for _ in range(8):
        model.step()
    told = [event_line(e) for e in replicate(spec, seed=5).entries if not e.quiet and e.week <= 8]
    assert app.feed_lines(model) == told[::-1]
    strong = app.DashboardModel(**{**app.controls_of(spec, seed=5), "china_language": "strong", "weeks_to_election": 0})
    assert strong.spec.events["vilnius"].signals.china_language == "strong"
    assert not any(e.kind == "election" for e in strong.spec.events.values())


def test_replications_of_the_settings_come_back_chunk_by_chunk(make_spec):
    spec = make_spec(context={"voters": 200}, horizon_weeks=20)
    steps = list(app.run_replications(spec, reps=30, seed=1, executor=InlineExecutor()))
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
    result = subprocess.run([sys.executable, "-m", "sim", *argv], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_a_port_in_use_is_a_usage_error():
    import socket

    from sim.cli import UsageError
    from sim.teaching_cli import free_port

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(UsageError, match="expected a free port"):
            free_port("127.0.0.1", s.getsockname()[1])


def test_the_dashboard_never_downloads_its_browser_files(tmp_path, monkeypatch, capsys):
    """Missing browser files are a one-line error that points to the setup, never a download."""
    from sim import teaching_cli
    from sim.cli import main

    monkeypatch.setattr(teaching_cli, "browser_files_folder", lambda: tmp_path / "empty")
    monkeypatch.setattr(teaching_cli, "install_browser_files",
                        lambda *a, **k: pytest.fail("nzsim dashboard must not fetch files at run time"))
    assert main(["dashboard", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "browser files are missing" in err and "bash scripts/setup.sh" in err


def test_setup_checks_and_installs_the_browser_files_through_the_module(tmp_path, monkeypatch):
    from sim import teaching_cli

    monkeypatch.setattr(teaching_cli, "browser_files_folder", lambda: tmp_path / "empty")
    assert teaching_cli._setup(["--browser-files-present"]) == 1
    monkeypatch.setattr(teaching_cli, "browser_files_folder", lambda: tmp_path / "full")
    for package, marker in teaching_cli._BROWSER_MARKERS.items():
        (tmp_path / "full" / package / marker).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "full" / package / marker).write_text("x")
    assert teaching_cli._setup(["--browser-files-present"]) == 0


def test_stopping_the_dashboard_with_sigterm_stops_its_server():
    """SIGTERM to `nzsim dashboard` must not leave the Solara server it started running on its own."""
    import os
    import re
    import signal
    import time

    import psutil

    from sim.teaching_cli import missing_browser_packages

    if missing_browser_packages():
        pytest.fail("the dashboard's browser files are missing: run bash scripts/setup.sh")
    command = subprocess.Popen([sys.executable, "-m", "sim", "dashboard", "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    try:
        line = command.stdout.readline()
        assert re.search(r"open http://\S+/ in your web browser", line), line
        children = psutil.Process(command.pid).children(recursive=True)
        assert children, "the dashboard started no server"
        command.send_signal(signal.SIGTERM)
        assert command.wait(timeout=30) == 128 + signal.SIGTERM
        gone, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, f"left running: {[p.pid for p in alive]}"
    finally:
        for child in psutil.Process(os.getpid()).children(recursive=True):
            child.kill()
        if command.poll() is None:
            command.kill()


def test_the_live_plots_draw_a_model_caught_in_the_middle_of_a_step():
    """Play steps the model in another thread while the page draws: a week recorded for one
    variable but not yet for the others must not break the plots (it appears in the next frame)."""
    spec = app.library(str(ROOT / "scenarios"))["vilnius-2023"]
    model = app.DashboardModel(**app.controls_of(spec, seed=1))
    for _ in range(4):
        model.step()
    model.datacollector.model_vars["stance"].append(0.5)  # as if a step were half recorded
    fig = app.live_figure(model)
    lengths = {len(line.get_xdata()) for ax in fig.axes for line in ax.get_lines() if len(line.get_xdata()) > 2}
    assert lengths == {5}  # weeks 0-4 for every series, the half-recorded week left out


def test_the_panel_marks_the_watched_run_only_once_it_has_run_to_the_end(make_spec):
    spec = make_spec(context={"voters": 200}, horizon_weeks=10, events={"election": None})
    steps = list(app.run_replications(spec, reps=10, seed=1, executor=InlineExecutor()))
    unmarked = app.ensemble_figure(steps[-1], {})
    assert not any(t.get_text() == "your run" for ax in unmarked.axes for t in ax.texts)
    assert "marked when it has run to the end" in unmarked._suptitle.get_text()


def test_the_page_states_every_setting_of_the_run_in_words():
    spec = app.library(str(ROOT / "scenarios"))["vilnius-2023"]
    model = app.DashboardModel(**{**app.controls_of(spec, seed=3), "china_language": "strong", "china_export_share": 0.35})
    text = app.settings_text(model)
    assert text.startswith("This run (number 3): ")
    assert "What is said about China: **strong**" in text and "Share of goods exports going to China: **35%**" in text
    assert "Weeks to the election (0 = none in this run): **17**" in text
    for options in {**app.SIGNAL_CONTROLS, **app.CONTEXT_CONTROLS}.values():
        assert options["label"] in text


def test_files_the_picker_leaves_out_are_named_with_the_reason(tmp_path):
    (tmp_path / "good.yaml").write_text((ROOT / "scenarios" / "vilnius-2023.yaml").read_text())
    (tmp_path / "twin.yaml").write_text((ROOT / "scenarios" / "vilnius-2023.yaml").read_text())
    (tmp_path / "typo.yaml").write_text("extends: good.yaml\nname: typo\ndescription: x\nreferences: [x]\nhorizon_weks: 10\n")
    assert list(app.library(str(tmp_path))) == ["vilnius-2023"]
    problems = app.library_problems(str(tmp_path))
    assert len(problems) == 2
    assert any("typo.yaml" in p and "horizon_weks" in p for p in problems)
    assert any(p.startswith("twin.yaml: its name 'vilnius-2023' is already taken") for p in problems)

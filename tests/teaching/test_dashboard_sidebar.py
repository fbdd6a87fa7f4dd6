"""The dashboard's sidebar rendered in-process (Solara's test renderer, no browser): pending
changes, every event's signals, slider values, Step and Play, and the downloads."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from nzsim.scenario import load
from nzsim.runs.loop import replicate
from nzsim.teaching import controls, exports, sidebar
from nzsim.teaching import dashboard as app
from tests.teaching.test_dashboard import _page_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def page():
    """The dashboard rendered in-process: ``(box, rc)``."""
    import solara

    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    yield box, rc
    rc.close()


def widgets(rc, kind, **match):
    import ipyvuetify as v

    return rc.find(getattr(v, kind), **match).widgets


def button(rc, label):
    (found,) = widgets(rc, "Btn", children=[label])
    return found


def with_class(widget, name: str) -> list:
    """The widgets under ``widget`` whose CSS classes include ``name``."""
    import ipywidgets

    found = [widget] if name in (getattr(widget, "class_", None) or "").split() else []
    for child in getattr(widget, "children", None) or ():
        if isinstance(child, ipywidgets.Widget):
            found += with_class(child, name)
    return found


def week_of(text: str) -> int:
    return int(re.search(r"Week (\d+) of \d+[.;]", text).group(1))


def test_a_changed_control_is_pending_until_reset_and_undo_puts_it_back(page):
    box, rc = page
    assert "The controls show the run on screen." in _page_text(box)
    widgets(rc, "Select", label="What is said about China")[0].v_model = "strong"
    widgets(rc, "Select", label="Who governs")[0].v_model = "national"
    text = _page_text(box)
    assert "2 changes waiting" in text
    assert "What is said about China (Vilnius): strong, the run has passing" in text
    assert "Who governs: national, the run has labour" in text
    assert "NATO summit: Vilnius, 11 Jul 2023 (week 4) (1 changed)" in text  # the group says so too
    assert len(with_class(box, "nzsim-pending")) == 2  # each changed control is marked
    assert re.search(r"Vilnius, 11 Jul 2023 \(week 4\): .*What is said about China: passing", text)  # the run shown

    button(rc, "Undo changes").click()
    assert "waiting" not in _page_text(box)
    assert widgets(rc, "Select", label="Who governs")[0].v_model == "labour"

    widgets(rc, "Select", label="What is said about China")[0].v_model = "strong"
    button(rc, "Reset").click()
    text = _page_text(box)
    assert "waiting" not in text and "The controls show the run on screen." in text
    assert re.search(r"Vilnius, 11 Jul 2023 \(week 4\): .*What is said about China: strong", text)


def test_every_event_with_signals_has_its_own_group_and_its_changes_reach_the_run(page):
    box, rc = page
    spec = controls.library(str(ROOT / "scenarios"))["vilnius-2023"]
    events = controls.signal_events(spec)
    assert len(events) == 4
    text = _page_text(box)
    for key in events:
        assert controls.event_heading(spec, key) in text
    # the third group's select: the decision to be briefed on AUKUS Pillar II
    widgets(rc, "Select", label="AUKUS Pillar II")[2].v_model = "join"
    assert "AUKUS Pillar II (the decision to be briefed on AUKUS Pillar II): join, the run has explore" in _page_text(box)
    button(rc, "Reset").click()
    settings = _page_text(box).split("This run (number 0)")[1]
    summit, _, briefing = settings.partition("Decision: The decision to be briefed on AUKUS Pillar II")
    assert "AUKUS Pillar II: join" in briefing.split("Decision:")[0]
    assert "AUKUS Pillar II: join" not in summit  # the summit's own select untouched


def test_every_slider_shows_its_value_and_unit(page):
    box, rc = page
    text = _page_text(box)
    model = app.build_model("vilnius-2023", {})
    values = sidebar.run_values(model)
    sliders = [n for n in controls.control_names(model.spec) if controls.control_of(n)["type"].startswith("Slider")]
    assert sliders
    for name in sliders:
        assert sidebar.value_label(name, values[name], model.spec) in text, name
    assert "Support for Ukraine (NZ$ million): 78" in text
    assert "Extra defence spending pledged (% of GDP): 0" in text
    long = [c["label"] for c in controls.signal_controls().values()
            if c["type"] == "Select" and len(c["label"]) > sidebar.SELECT_LABEL_CHARS]
    assert "An act on security deployments and alliances aimed at China" in long
    labels = [w.children[0] for w in with_class(box, "nzsim-select-label")]  # written in full above the select
    assert labels == long * len(controls.signal_events(model.spec))  # in every event's group
    widgets(rc, "Slider", v_model=78.0)[0].v_model = 120.0  # dragging the summit's Ukraine slider
    assert "Support for Ukraine (NZ$ million): 120" in _page_text(box)


def test_each_step_click_is_one_week_and_mesa_technical_controls_are_gone(page):
    box, rc = page
    step = button(rc, "Step")
    for _ in range(5):
        step.click()
    assert week_of(_page_text(box)) == 5
    assert "Week 5 of 52 done" in _page_text(box)
    assert not any(label in _page_text(box) for label in ("Use Threads", "Render Interval", "Play Interval"))


class FakeClock:
    """Seconds that pass only when a draw or a wait says so: Play's pacing without wall-clock time."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float) -> None:
        self.now += seconds


def play(model, clock, draw_seconds=0.0, pace=sidebar.PLAY_PACE, playing=lambda: True):
    """Play ``model`` on ``clock``, each draw costing ``draw_seconds``: the weeks drawn."""
    drawn = []

    def draw():
        drawn.append(model.week)
        clock.now += draw_seconds
    sidebar.play_weeks(model, pace=lambda: pace, playing=playing, cancel=threading.Event(), draw=draw,
                       clock=clock, wait=clock.wait)
    return drawn


def test_play_runs_a_year_at_the_default_pace_in_well_under_thirty_seconds():
    model, clock = app.build_model("vilnius-2023", {}), FakeClock()
    drawn = play(model, clock)
    assert drawn == list(range(1, 53)) and not model.running  # every week drawn, and Play stops at the end
    assert clock.now == pytest.approx(52 / sidebar.PLAY_PACE) and clock.now < 20


def test_play_keeps_its_pace_when_drawing_is_slow_by_running_the_weeks_due_before_the_next_draw():
    model, clock = app.build_model("vilnius-2023", {}), FakeClock()
    drawn = play(model, clock, draw_seconds=1.0)  # a draw costs three weeks' share of time at 3 a second
    assert drawn[-1] == 52 and not model.running
    assert len(drawn) < 52 and drawn == sorted(drawn)
    assert max(b - a for a, b in zip(drawn, drawn[1:])) >= 3  # frames skipped ...
    assert clock.now < 52 / sidebar.PLAY_PACE + 2  # ... and the year still takes its paced time, not 52 s


def test_pause_stops_play_before_the_next_week_even_while_catching_up():
    model, clock = app.build_model("vilnius-2023", {}), FakeClock()
    drawn = play(model, clock, draw_seconds=2.0, playing=lambda: model.week < 10)
    assert model.week == 10 and model.running and drawn[-1] == 10


def test_play_stops_when_the_run_ends_and_the_buttons_say_so(page):
    box, rc = page
    button(rc, "▶ Play").click()
    import time

    deadline = time.monotonic() + 120
    while "the run has ended" not in _page_text(box) or not widgets(rc, "Btn", children=["▶ Play"]):
        assert time.monotonic() < deadline, _page_text(box)[:500]  # (Play's label returns after the last draw)
        time.sleep(0.2)
    play, step = button(rc, "▶ Play"), button(rc, "Step")  # not left on pause
    assert play.disabled and step.disabled
    assert week_of(_page_text(box)) == 52


def test_saved_scenario_passes_check_and_reproduces_the_run_with_its_seed(tmp_path):
    spec = controls.library(str(ROOT / "scenarios"))["vilnius-2023"]
    model = app.DashboardModel(**{**controls.controls_of(spec, seed=7), "events.national_security_strategy.signals.china_language": "strong",
                                  "china_export_pct": 31})
    for _ in range(20):
        model.step()
    text = exports.scenario_yaml(model)
    path = tmp_path / f"{exports.file_stem(model)}.yaml"
    assert path.name == "vilnius-2023-run-7.yaml"
    path.write_text(text)
    assert f"nzsim story {path.name} --seed 7" in text
    assert f"Scenario hash (as nzsim check prints it): {exports.saved_sha256(model)}" in text
    checked = subprocess.run([sys.executable, "-m", "nzsim", "check", str(path)], capture_output=True, text=True,
                             cwd=ROOT, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert load(path).sha256 == exports.saved_sha256(model)
    again = replicate(load(path), seed=7)
    shown = exports.weeks_frame(model)
    told = again.trajectories.iloc[: len(shown)].reset_index(drop=True)
    mine = shown.drop(columns=["week", "as_of"])
    assert set(mine.columns) == set(told.columns)
    pd.testing.assert_frame_equal(mine[told.columns], told, check_dtype=False)
    assert [e.description for e in again.entries if e.week <= model.week] == [e.description for e in model.entries]


def test_the_exports_hold_the_weeks_and_events_shown_with_what_made_them():
    model = app.build_model("vilnius-2023", {"seed": 2})
    for _ in range(6):
        model.step()
    weeks = pd.read_csv(io.StringIO(exports.csv_text(exports.weeks_frame(model), model)))
    assert list(weeks["week"]) == list(range(7)) and list(weeks["as_of"][:2]) == ["2023-06-19", "2023-06-26"]
    assert list(weeks["stance"]) == pytest.approx(list(model.datacollector.model_vars["stance"]))
    assert set(weeks["seed"]) == {2} and set(weeks["scenario"]) == {"vilnius-2023"}
    assert set(weeks["scenario_sha256"]) == {exports.saved_sha256(model)}  # the saved file's, as nzsim check gives it and weeks["nzsim_version"].iloc[0].startswith("nzsim ")
    events = pd.read_csv(io.StringIO(exports.csv_text(exports.events_frame(model), model)))
    assert list(events["text"])[::-1] == app.feed_lines(model)
    assert (events["week"] <= 6).all() and events["text"].str.contains("Vilnius summit").any()


def test_the_live_plots_fit_their_figure():
    """The x-axis label was wider than the figure and its end was cut off."""
    model = app.build_model("vilnius-2023", {})
    for _ in range(5):
        model.step()
    fig = app.live_figure(model)
    fig.canvas.draw()
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    width, height = fig.get_size_inches()
    assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, box
    assert "dotted lines: scheduled events" in fig.axes[-1].get_xlabel()


def test_a_signal_of_an_event_the_scenario_lacks_is_a_one_line_error():
    spec = controls.library(str(ROOT / "scenarios"))["vilnius-2023"]
    with pytest.raises(controls.ScenarioError, match=r"events\.election\.signals\.china_language: an event with signals "
                                                     r"\(vilnius, national_security_strategy"):
        controls.settings_spec(spec, **{"events.election.signals.china_language": "strong"})

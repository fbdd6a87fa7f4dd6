"""The dashboard's sidebar: the run's buttons and pace, the controls grouped by event with the
changes waiting for Reset, and the downloads.

A changed control is *pending*: the card that holds it marks it, and a line above the buttons
lists every pending change with the run's own value, until **Reset** starts a new run with them
(or **Undo changes** puts the controls back). The run on screen is always the one the settings
line under the title describes; the downloads save that run.

**Step** runs exactly one week per click (the click is handled where the model is, so a quick
series of clicks is a series of weeks). **▶ Play** runs the weeks at a teaching pace (weeks per
second, adjustable); when drawing the page takes longer than a week's share of a second, weeks
are run without being drawn so that the pace holds, and at the last week Play stops by itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import solara

from ..model import NZModel
from ..scenario import Scenario
from .controls import (
    CONTEXT_CONTROLS,
    control_of,
    controls_of,
    event_heading,
    parse_signal_path,
    shown,
    signal_controls,
    signal_events,
    signal_path,
    summit_key,
)
from .exports import csv_text, events_frame, file_stem, scenario_yaml, weeks_frame

#: Weeks per second while playing: 52 weeks in about 17 s.
PLAY_PACE = 3.0
PACE_CONTROL = {"min": 0.5, "max": 10.0, "step": 0.5}
#: The longest label a select shows in full in the sidebar (seen in Chromium); longer ones go above it.
SELECT_LABEL_CHARS = 34


def run_values(model: NZModel) -> dict[str, Any]:
    """The control values of the run on screen (every control but the scenario picker)."""
    return {k: v for k, v in controls_of(model.spec, seed=model.seed).items() if k != "scenario_name"}


def pending_changes(values: Mapping[str, Any], model: NZModel, applied: Mapping[str, Any] | None = None) -> list[str]:
    """The controls whose value differs from the run on screen's (``applied``, default
    :func:`run_values`), in the controls' order."""
    applied = run_values(model) if applied is None else applied
    return [name for name in applied if name in values and values[name] != applied[name]]


def change_line(name: str, values: Mapping[str, Any], model: NZModel, applied: Mapping[str, Any]) -> str:
    """``What is said about China (Vilnius): strong, the run has passing`` (``applied``: the run's
    :func:`run_values`)."""
    label = control_of(name)["label"]
    path = parse_signal_path(name)
    if path is not None and len(signal_events(model.spec)) > 1:
        event = model.spec.events[path[0]]
        label = f"{label} ({event.label or path[0]})"
    return f"{label}: {shown(values[name])}, the run has {shown(applied.get(name))}"


def value_label(name: str, value: Any, spec: Scenario | None = None) -> str:
    """A slider's label with its value: ``Support for Ukraine (NZ$ million): 78``."""
    return f"{control_of(name, spec)['label']}: {shown(value)}"


@solara.component
def Control(name: str, spec: Scenario, values: solara.Reactive[dict], pending: bool, own: Any):
    """One control, its value always shown, marked when its change waits for Reset; ``own`` is the
    run's value (shown while the values are being replaced by a new run's)."""
    control = control_of(name, spec)
    value = values.value.get(name, own)

    def set_value(new):
        values.set({**values.value, name: new})

    classes = ["nzsim-control"] + (["nzsim-pending"] if pending else [])
    style = {"border-left": "4px solid #f57c00", "padding-left": "6px"} if pending else {"padding-left": "10px"}
    kind = control["type"]
    with solara.Column(classes=classes, style={**style, "gap": "0", "margin-bottom": "4px"}) as main:
        if kind == "Select" and len(control["label"]) > SELECT_LABEL_CHARS:
            # a long label would be cut short inside the select ("An act on sovereignty, Taiwan and di..."):
            # written above it in full instead
            solara.Text(control["label"], classes=["nzsim-select-label"],
                        style={"display": "block", "font-size": "0.85em", "color": "#555"})
            solara.Select("", values=list(control["values"]), value=value, on_value=set_value, dense=True)
        elif kind == "Select":
            solara.Select(control["label"], values=list(control["values"]), value=value, on_value=set_value,
                          dense=True)
        elif kind == "Checkbox":
            solara.Checkbox(label=control["label"], value=bool(value), on_value=set_value)
        else:
            slider = solara.SliderInt if kind == "SliderInt" else solara.SliderFloat
            solara.Text(value_label(name, value, spec), classes=["nzsim-slider-value"], style={"display": "block"})
            slider("", value=value, min=control["min"], max=control["max"], step=control.get("step", 1),
                   on_value=set_value, thumb_label=True)
        if pending:
            solara.Text("changed: applies on Reset", style={"color": "#e65100", "font-size": "0.8em", "display": "block"})
    return main


@solara.component
def SignalControls(model: NZModel, values: solara.Reactive[dict]):
    """Every event's signals, one group per event in date order (the first summit open), each
    heading counting its changes waiting for Reset."""
    spec = model.spec
    own = run_values(model)
    pending = set(pending_changes(values.value, model, own))
    first = summit_key(spec) or next(iter(signal_events(spec)), None)
    with solara.Column(classes=["nzsim-signals"]) as main:
        if not signal_events(spec):
            solara.Text("This scenario has no event with signals.")
        for key in signal_events(spec):
            names = [signal_path(key, field) for field in signal_controls()]
            waiting = sum(name in pending for name in names)
            heading = event_heading(spec, key) + (f" ({waiting} changed)" if waiting else "")
            with solara.Column(classes=["nzsim-event-signals"], style={"gap": "0"}):
                with solara.Details(summary=heading, expand=(key == first)):
                    for name in names:
                        Control(name, spec, values, name in pending, own[name])
    return main


@solara.component
def RunCard(model: solara.Reactive[NZModel], values: solara.Reactive[dict], playing: solara.Reactive[bool],
            pace: solara.Reactive[float], reset: Callable[[], None], draw: Callable[[], None], weeks_drawn: int,
            lock: threading.Lock, error: tuple[str, dict] | None = None):
    """Reset, Play and Step, the pace, where the run is, and the changes waiting for Reset.
    ``draw`` redraws the page after a step; ``weeks_drawn`` (its count) redraws this card;
    ``lock`` is Play's (:func:`play_weeks`); ``error`` is why the last Reset or Play failed and
    the control values it failed with (shown until they change)."""
    m = model.value
    applied = run_values(m)
    pending = pending_changes(values.value, m, applied)
    ended = not m.running

    def step():
        with lock:
            if model.value.running and not playing.value:
                model.value.step()
                draw()

    def undo():
        values.set(run_values(model.value))

    with solara.Card("Run", classes=["nzsim-run-card"]) as main:
        with solara.Row(justify="space-between"):
            solara.Button("Reset", color="primary", on_click=reset, classes=["nzsim-reset"])
            solara.Button("❚❚ Pause" if playing.value else "▶ Play", color="primary",
                          on_click=lambda: playing.set(not playing.value), disabled=ended,
                          classes=["nzsim-play"])
            solara.Button("Step", color="primary", on_click=step, disabled=playing.value or ended,
                          classes=["nzsim-step"])
        week = f"Week {m.week} of {m.spec.horizon_weeks}"
        solara.Text(week + ("; the run has ended: Reset starts it again." if ended else "."),
                    classes=["nzsim-week"], style={"display": "block", "margin": "0.5em 0"})
        solara.Text(f"Play pace: {shown(pace.value)} weeks a second ({m.spec.horizon_weeks / pace.value:.0f} s "
                    f"for this run)", classes=["nzsim-slider-value"], style={"display": "block"})
        solara.SliderFloat("", value=pace, on_value=pace.set, thumb_label=True, **PACE_CONTROL)
        if error is not None and error[1] == values.value:
            solara.Error(error[0], classes=["nzsim-error"])
        if pending:
            with solara.Column(classes=["nzsim-pending-list"],
                               style={"background": "#fff3e0", "padding": "6px", "border-radius": "4px"}):
                solara.Markdown(f"**{len(pending)} change{'s' if len(pending) > 1 else ''} waiting**: "
                                "Reset starts a new run with "
                                f"{'them' if len(pending) > 1 else 'it'}.\n\n"
                                + "\n".join(f"- {change_line(n, values.value, m, applied)}" for n in pending))
                solara.Button("Undo changes", on_click=undo, text=True, classes=["nzsim-undo"])
        else:
            solara.Text("The controls show the run on screen.", classes=["nzsim-applied"],
                        style={"color": "#2e7d32"})
    return main


def play_weeks(model: NZModel, pace: Callable[[], float], playing: Callable[[], bool],
               cancel: threading.Event, draw: Callable[[], None], lock: threading.Lock | None = None,
               clock: Callable[[], float] = time.monotonic, wait: Callable[[float], object] | None = None) -> None:
    """Step ``model`` at ``pace()`` weeks a second until it ends, ``playing()`` turns false or
    ``cancel`` is set, drawing after each step; when a draw takes longer than a week's share of a
    second, the weeks due meanwhile run before the next draw (the pace holds, frames are skipped).

    Each batch of weeks and its draw hold ``lock``, which Step holds too, so a Step clicked as
    Play pauses waits for the week under way instead of stepping the model beside it; Pause is
    checked before every week. ``clock`` and ``wait`` (default: ``cancel.wait``) are for tests."""
    lock = lock or threading.Lock()
    wait = wait or cancel.wait

    def going() -> bool:
        return model.running and playing() and not cancel.is_set()

    due = clock()
    while going():
        week = 1 / max(pace(), 1e-3)
        due += week
        steps = 1
        while clock() > due + week:  # behind by more than a week: catch up before drawing
            due += week
            steps += 1
        with lock:
            for _ in range(steps):
                if not going():
                    break
                model.step()
            draw()
        delay = due - clock()
        if delay > 0:
            wait(delay)


@solara.component
def Downloads(model: NZModel):
    """Save the run on screen as a scenario file; export its weeks and events as CSV. Each file
    is made when its button is clicked, from the run as far as it has gone then (the callables
    are kept for the model's life: Solara's FileDownload drops a click whose data changes)."""
    stem = file_stem(model)
    saved, weeks, events = solara.use_memo(
        lambda: (lambda: scenario_yaml(model), lambda: csv_text(weeks_frame(model), model),
                 lambda: csv_text(events_frame(model), model)), [id(model)])
    with solara.Card("Save and export", classes=["nzsim-downloads"]) as main:
        solara.Markdown(f"The run on screen (run number {model.seed}), as far as it has gone.",
                        style={"font-size": "0.85em"})
        solara.FileDownload(saved, filename=f"{stem}.yaml", label="Save as scenario (YAML)",
                            mime_type="application/x-yaml")
        solara.FileDownload(weeks, filename=f"{stem}-weeks.csv", label="Export the weeks (CSV)", mime_type="text/csv")
        solara.FileDownload(events, filename=f"{stem}-events.csv", label="Export the events (CSV)",
                            mime_type="text/csv")
    return main


@solara.component
def SituationControls(model: NZModel, values: solara.Reactive[dict]):
    """The situation the government is in, and the run number."""
    own = run_values(model)
    pending = set(pending_changes(values.value, model, own))
    with solara.Column(classes=["nzsim-situation"]) as main:
        for name in [*CONTEXT_CONTROLS, "seed"]:
            Control(name, model.spec, values, name in pending, own[name])
    return main

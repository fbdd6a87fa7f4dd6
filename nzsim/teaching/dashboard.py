"""The dashboard: change what the government signals at each event, watch one run unfold, then
see it as one draw of many.

Run it with ``nzsim dashboard`` (``nzsim.cli.teaching``), which serves ``page`` with Solara; in a
notebook, display ``page``. The sidebar (``nzsim.teaching.sidebar``) holds the scenario picker,
the run's Reset, Play and Step buttons and pace, every event's signals and the situation, and
the downloads; the main area the settings of the run on screen in words, the live plots, the
feed of the run's events in plain English, and the "one run is one draw" panel, which runs a few
hundred replications of the current settings in worker processes and marks the watched run on
their distributions.

The page is built with Solara, on which Mesa's SolaraViz is built, and redraws after each Step
and each week Play draws (Play skips drawing weeks when drawing is slower than its pace) through
a counter of the page's own. It does not use SolaraViz's own sidebar, whose controls take effect
on Reset without showing it, whose sliders hide their values, and whose Render Interval and Use
Threads settings mean nothing to a class (decision 42 in docs/decisions.md).

The dashboard holds no model logic: the controls are translated into a validated scenario
(:func:`~nzsim.teaching.controls.settings_spec`, through ``nzsim.scenario``) and the model is the
library's :class:`~nzsim.model.NZModel`; the replications run on the runner's workers
(``nzsim.runs.worker``).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import solara
from matplotlib.figure import Figure

from .. import figures
from ..catalogue.outcomes import HISTOGRAMS, OUTCOMES
from ..catalogue.partners import NAMES as PARTNER_NAMES
from ..catalogue.words import joined
from ..model import NZModel
from ..reports.story import day, event_line
from ..runs.executors import process_pool, start_method_untouched
from ..runs.loop import outcomes_of
from ..runs.worker import ChunkTask, monte_carlo_tasks, run_chunk, worker_ready
from ..scenario import Scenario, ScenarioError
from .controls import (
    CONTEXT_CONTROLS,
    DEFAULT_SCENARIO,
    control_names,
    control_of,
    library,
    library_problems,
    parse_signal_path,
    settings_spec,
    settings_text,
    signal_controls,
)
from .exports import recorded_weeks, told_entries
from .sidebar import PLAY_PACE, Downloads, RunCard, SignalControls, SituationControls, play_weeks, run_values

#: Replications the "one run is one draw" panel offers.
ENSEMBLE_SIZES = ("100", "300", "500")
ENSEMBLE_CHUNK = 25
#: The outcomes whose distributions the panel shows (the watched run is marked on each).
ENSEMBLE_OUTCOMES = HISTOGRAMS


class DashboardModel(NZModel):
    """:class:`~nzsim.model.NZModel` built from the dashboard's controls, each a keyword: an
    event's signal by its path (``events.vilnius.signals.china_language``), a signal kind's short
    name for the first summit's, and the situation controls.

    A control left out (``None``) keeps the scenario's own value; the scenario left out is
    :data:`~nzsim.teaching.controls.DEFAULT_SCENARIO`, the run number 0."""

    def __init__(self, scenario_name: str | None = None, seed: int | None = None, library_folder: str | None = None,
                 **controls: Any):
        known = {**signal_controls(), **CONTEXT_CONTROLS}
        unknown = sorted(k for k in controls if k not in known and parse_signal_path(k) is None)
        if unknown:
            raise TypeError(f"{type(self).__name__}: no control named {', '.join(unknown)}; "
                            f"the controls are {', '.join(known)} and events.<event>.signals.<signal>")
        controls = {k: v for k, v in controls.items() if v is not None}
        scenario_name = scenario_name or DEFAULT_SCENARIO
        specs = library(library_folder)
        if scenario_name not in specs:
            raise ValueError(f"scenario_name: expected one of {', '.join(specs) or '(none found)'}, got {scenario_name!r}")
        spec = settings_spec(specs[scenario_name], **controls)
        super().__init__(spec, seed=int(0 if seed is None else seed))


def live_figure(model: NZModel) -> Figure:
    """The live plots of a model's weeks so far (:func:`nzsim.figures.build_live_plots`), as
    recorded when drawn (:func:`~nzsim.teaching.exports.recorded_weeks`: a week half recorded by
    a step in progress is left for the next frame instead of failing the plot)."""
    names = [name for _, lines, _ in figures.LIVE_PLOTS for name, _ in lines]
    return figures.build_live_plots(recorded_weeks(model, names), model.spec.horizon_weeks, model.spec.start,
                                    _event_weeks(model))


def _event_weeks(model: NZModel) -> list[int]:
    return sorted({model.spec.week_of(e.date) for e in model.spec.events.values()})


def feed_lines(model: NZModel) -> list[str]:
    """The run's events so far in plain English, newest first (as the story tells them)."""
    return [event_line(e) for e in reversed(told_entries(model))]


def days(first: dt.date, last: dt.date) -> str:
    """``10-16 Jul 2023``, ``26 Jun - 2 Jul 2023``, ``25 Dec 2023 - 1 Jan 2024``."""
    if first.year != last.year:
        return f"{day(first)} - {day(last)}"
    if first.month != last.month:
        return f"{day(first)[:-5]} - {day(last)}"
    return f"{first.day}-{day(last)}"


def status_line(model: NZModel) -> str:
    """Where the run is, numbered as the feed and the story number the weeks: week ``w`` is the
    seven days from ``spec.date_of_week(w)``, and an event is told as "Week w" when it falls in them."""
    if model.week == 0:
        return f"Start, {day(model.spec.start)}: press Step or Play to run the weeks."
    first = model.spec.date_of_week(model.week)
    ended = "; the end of the run" if not model.running else ""
    return f"Week {model.week} of {model.spec.horizon_weeks} done ({days(first, first + dt.timedelta(days=6))}){ended}"


def dispute_line(model: NZModel) -> str | None:
    """Who blames whom and which partners stand by New Zealand, in plain words: while Beijing's
    measures last, the split of blame and the partners standing by; after the last is lifted,
    the partners who stood by; ``None`` before any measure."""
    stood = [PARTNER_NAMES[p.key] for p in model.partners if p.stood_by]
    if model.china.coercing():
        blame = model.public.blame_beijing
        standing = [PARTNER_NAMES[p.key] for p in model.partners if p.standing_by]
        partners = (f"{joined(standing)} {'stands' if len(standing) == 1 else 'stand'} by New Zealand"
                    if standing else "no partner stands by New Zealand")
        return (f"Under Beijing's measures: {blame:.0%} of voters blame Beijing, {1 - blame:.0%} the "
                f"government; {partners}.")
    if model.disputes:
        return ("Beijing's measures have been lifted; " + (f"{joined(stood)} stood by New Zealand while they lasted."
                                                           if stood else "no partner stood by New Zealand."))
    return None


def LivePlots(model: NZModel):
    """The live plots."""
    with solara.Column(classes=["nzsim-plots"]) as main:
        solara.FigureMatplotlib(live_figure(model), format="png", dpi=90)
    return main


def EventFeed(model: NZModel):
    """The feed of the run's events in plain English, newest first."""
    lines = feed_lines(model)
    with solara.Column(classes=["nzsim-event-feed"], style={"max-height": "32em", "overflow-y": "auto"}) as main:
        solara.Markdown(f"### What happens\n\n**{status_line(model)}**")
        dispute = dispute_line(model)
        if dispute:
            solara.Text(dispute, classes=["nzsim-dispute"], style={"display": "block", "margin-bottom": "0.6em"})
        if not lines:
            solara.Text("Nothing has happened yet.", classes=["nzsim-event"])
        for line in lines:
            solara.Text(line, classes=["nzsim-event"], style={"display": "block", "margin-bottom": "0.6em"})
    return main


@dataclass(frozen=True)
class EnsembleProgress:
    """What the background replications have produced so far."""

    sha256: str
    seed: int
    done: int
    total: int
    outcomes: pd.DataFrame


def ensemble_tasks(spec: Scenario, reps: int, seed: int, chunk: int = ENSEMBLE_CHUNK) -> list[ChunkTask]:
    """The chunks of ``reps`` replications of ``spec`` under root seed ``seed`` (as ``nzsim run``
    lays them out, so the same settings and seed give the same replications)."""
    return monte_carlo_tasks({k: v for k, v in spec.dump().items() if k != "levers"}, reps, seed, chunk)


#: The server's pool for the replications panel (:func:`panel_pool`), and the lock that guards it.
_PANEL_POOL: ProcessPoolExecutor | None = None
_PANEL_LOCK = threading.Lock()


def panel_pool(warm: bool = False) -> ProcessPoolExecutor:
    """The dashboard server's pool of up to two worker processes for the replications panel:
    started on first use and kept for the server's life, shared by every page it serves, so that
    a press waits only for its replications, not for processes to start and load the model
    (decision 45). With ``warm``, a pool made by this call has each worker started, with the model
    loaded, before this returns (every page asks for that, in the background, when it opens; a
    pool already there is left alone, so that no page's warming queues ahead of a press). Its workers end on
    their own when the server is gone (:func:`nzsim.runs.executors.worker_started`)."""
    global _PANEL_POOL
    workers = min(2, os.cpu_count() or 1)
    with _PANEL_LOCK:
        made = _PANEL_POOL is None
        if made:
            with start_method_untouched():
                _PANEL_POOL = process_pool(workers)
        pool = _PANEL_POOL
    if warm and made:  # a task per worker (a pool starts a worker for each task while it has fewer): each loads the model
        try:
            for future in [pool.submit(worker_ready, 0.2) for _ in range(workers)]:
                future.result()
        except BrokenExecutor:  # a worker died while starting: the next press starts another pool
            _forget_panel_pool(pool)
    return pool


def warm_panel_pool() -> threading.Thread:
    """Start the server's :func:`panel_pool` and its workers in the background (the page calls
    this when it opens, so that the pool is ready by the time a class presses the button)."""
    thread = threading.Thread(target=panel_pool, kwargs={"warm": True}, name="nzsim-panel-pool", daemon=True)
    thread.start()
    return thread


def _forget_panel_pool(pool: ProcessPoolExecutor) -> None:
    """Drop ``pool`` (broken: a worker died) so that the next press starts a new one."""
    global _PANEL_POOL
    with _PANEL_LOCK:
        if _PANEL_POOL is pool:
            _PANEL_POOL = None
    pool.shutdown(wait=False, cancel_futures=True)


def replications_in_background(spec: Scenario, reps: int, seed: int, executor=None, cancel=None) -> Iterator[EnsembleProgress]:
    """Run ``reps`` replications of ``spec`` on ``executor`` (default: the server's
    :func:`panel_pool`) and yield the outcomes gathered so far after each chunk. Stops early when
    the ``cancel`` event is set, its chunks not yet handed to a worker cancelled (a worker's next
    chunk may have been handed over already, and still runs); the pool stays for the next press.
    A pool found broken when the press begins (a worker died since the last) is replaced at once;
    one that breaks during the press is dropped, the press fails, and the next starts another."""
    tasks = ensemble_tasks(spec, reps, seed)
    pool = panel_pool() if executor is None else executor
    tables: list[pa.Table] = []
    done = 0
    try:
        futures = [pool.submit(run_chunk, task) for task in tasks]
    except BrokenExecutor:
        if executor is not None:
            raise
        _forget_panel_pool(pool)
        yield from replications_in_background(spec, reps, seed, None, cancel)  # on a new pool
        return
    try:
        for future in as_completed(futures):
            if cancel is not None and cancel.is_set():
                break
            try:
                result = future.result()
            except BrokenExecutor:
                if executor is None:
                    _forget_panel_pool(pool)
                raise
            tables.append(result["tables"]["outcomes"])
            done += result["stop"] - result["start"]
            frame = pa.concat_tables(tables).to_pandas().sort_values("replication", ignore_index=True)
            yield EnsembleProgress(spec.sha256, seed, done, reps, frame)
    finally:
        for future in futures:  # a press cancelled or abandoned: its chunks not handed over are not run
            future.cancel()


def watched_outcomes(model: NZModel) -> dict[str, object]:
    """The watched run's outcome row so far (final values are this week's)."""
    return outcomes_of(model)


def rank_sentence(column: str, value: float, values: pd.Series) -> str:
    """``"Your run's ... is higher than in 62% of the 300 runs"``-style comparison."""
    title = OUTCOMES[column].title if column in OUTCOMES else column
    below = float((values < value).mean())
    same = float((values == value).mean())
    if same >= 0.5:
        return f"{title}: your run matches {same:.0%} of the runs."
    return f"{title}: your run is above {below:.0%} of the runs."


def ensemble_figure(progress: EnsembleProgress, watched: Mapping[str, object]) -> Figure:
    """The outcome distributions of the replications, with the watched run marked (if given)."""
    outcomes = progress.outcomes
    columns = [c for c in ENSEMBLE_OUTCOMES if c in outcomes.columns]
    title = f"{progress.done:,} runs with these settings" + (
        "; orange: the run you watched" if watched else "; your run is marked when it has run to the end")
    return figures.build_outcome_distributions(outcomes, columns, title=title, mark=watched, mark_label="your run")


@solara.component
def EnsemblePanel(model: NZModel, weeks_drawn: int):
    """Run a few hundred replications of the current settings in the background and show where
    the watched run falls among them.

    It follows the run: it is given the page's count of redraws (``weeks_drawn``), so it is drawn again after every
    step (its parent passes the same model object each time, which alone would not redraw it),
    and marks the run once it has reached its end."""
    size, set_size = solara.use_state(ENSEMBLE_SIZES[1])
    request, set_request = solara.use_state(None)

    def work(cancel):
        if request is None:
            return
        spec, reps, seed, _ = request
        yield from replications_in_background(spec, reps, seed, cancel=cancel)

    result = solara.use_thread(work, dependencies=[request])

    def start():
        set_request((model.spec, int(size), model.seed, object()))

    progress: EnsembleProgress | None = result.value
    # drawn again when more replications are in and once when the run ends, not every week
    watched = solara.use_memo(lambda: None if model.running else watched_outcomes(model), [id(model), model.running])
    figure = solara.use_memo(
        lambda: ensemble_figure(progress, watched or {}) if progress is not None and len(progress.outcomes) else None,
        [id(progress), id(model), model.running])
    running = result.state in (solara.ResultState.STARTING, solara.ResultState.RUNNING, solara.ResultState.WAITING)
    with solara.Column(classes=["nzsim-ensemble"]) as main:
        solara.Markdown(
            "### One run is one draw\n\nThe run you are watching is one roll of the dice. Run the same settings "
            "many times, each with its own chance events (and, where the scenario says a number is uncertain, "
            "its own value), and see where your run falls."
        )
        with solara.Row():
            solara.Select("Runs", value=size, values=list(ENSEMBLE_SIZES), on_value=set_size)
            solara.Button(f"Run {size} replications of these settings", color="primary", on_click=start,
                          disabled=running, classes=["nzsim-run-ensemble"])
        if result.state == solara.ResultState.ERROR:
            solara.Error(f"The replications failed: {result.error}")
        if running:
            done = progress.done if progress else 0
            total = progress.total if progress else (int(request[1]) if request else 0)
            solara.Text(f"Running in the background: {done} of {total} runs done. You can keep stepping meanwhile.")
            solara.ProgressLinear(value=100 * done / total if total else True)
        if progress is not None and len(progress.outcomes):
            if progress.sha256 != model.spec.sha256:
                solara.Warning("The settings have changed since these runs: run them again to compare.")
            coerced = float(progress.outcomes["trade_coercion"].mean())
            solara.FigureMatplotlib(figure, format="png", dpi=72)
            if model.running:  # an unfinished run is not compared with finished ones
                solara.Markdown(
                    f"- Trade measures against New Zealand came in {coerced:.0%} of the runs.\n"
                    f"- Your run is at week {model.week} of {model.spec.horizon_weeks}: play it to the end to see "
                    f"where it falls among these runs (they all ran to the end)."
                )
            else:
                lines = [rank_sentence(c, float(watched[c]), progress.outcomes[c]) for c in ENSEMBLE_OUTCOMES
                         if watched.get(c) is not None]
                lines.append(f"Trade measures against New Zealand came in {coerced:.0%} of the runs"
                             f" ({'including' if watched['trade_coercion'] else 'not'} yours).")
                solara.Markdown("\n".join(f"- {line}" for line in lines))
    return main


@solara.component
def MainArea(model: NZModel, weeks_drawn: int):
    """The plots and the feed side by side, the ensemble panel below; re-rendered after each step
    (``weeks_drawn`` counts the redraws)."""
    with solara.Column(style={"padding": "1em"}) as main:
        with solara.Column(classes=["nzsim-settings"], style={"gap": "0"}):
            solara.Markdown(settings_text(model), style={"font-size": "0.9em"})
        with solara.Columns([3, 2]):
            LivePlots(model)
            EventFeed(model)
        EnsemblePanel(model, weeks_drawn)
    return main


def help_markdown(spec: Scenario) -> str:
    """How the dashboard works and every control's label and help text, for the sidebar."""
    lines = [
        ("Change the controls: each change is marked in orange and listed under the buttons until you press "
         "**Reset**, which starts a new run with them (**Undo changes** puts the controls back). The line "
         "above the plots always states the settings of the run on screen."),
        "",
        ("**Step** runs one week. **▶ Play** runs the weeks at the pace set under the buttons (weeks a "
         "second) and stops by itself at the last week; **Reset** starts again from the first week. Choosing a "
         "scenario starts a new run of it at once."),
        "",
        ("**Save as scenario** downloads the run's settings as a scenario file (`nzsim check` reads it; "
         "`nzsim story FILE --seed N` with the run number tells the same run). **Export** downloads the run's "
         "weeks and events as CSV."),
        "",
        ("Signals: every event of the scenario at which the government says or does something has its own "
         "group (a summit, a decision, a statement); the first summit's is open (in a scenario without one, the "
         "first event's)."),
        "",
    ]
    seen = set()
    for name in control_names(spec):
        control = control_of(name, spec)
        if control["label"] in seen or "help" not in control:
            continue
        seen.add(control["label"])
        lines.append(f"- **{control['label']}**: {control['help']}")
    return "\n".join(lines)


def build_model(scenario_name: str, values: Mapping[str, Any]) -> DashboardModel:
    """The model the controls describe: ``scenario_name`` with ``values`` (control name -> value,
    the run number under ``seed``)."""
    return DashboardModel(scenario_name=scenario_name, **values)


@solara.component
def Page():
    """The dashboard: the scenario picker, the run's buttons, the controls and the downloads in the
    sidebar; the plots, the feed and the replications panel in the main area."""
    specs = library()
    names = list(specs)
    first = DEFAULT_SCENARIO if DEFAULT_SCENARIO in specs else (names[0] if names else None)
    chosen, set_chosen = solara.use_state(first)
    initial = solara.use_memo(lambda: build_model(first, {}) if first else None, [])
    model = solara.use_reactive(initial)
    values = solara.use_reactive(run_values(initial) if initial is not None else {})
    playing = solara.use_reactive(False)
    pace = solara.use_reactive(PLAY_PACE)
    error, set_error = solara.use_state(None)  # (message, the control values it failed with)
    # The page's own redraw counter, set after each week by Step and by Play's thread and passed
    # to the parts that follow the run (kept with the page, not in a module-level reactive).
    weeks_drawn = solara.use_reactive(0)
    lock = solara.use_memo(threading.Lock, [])  # one week at a time: Step and Play's thread share it

    def opened() -> None:  # once, when the page opens: the replications panel's workers, in the background
        warm_panel_pool()

    solara.use_effect(opened, [])

    def draw() -> None:
        weeks_drawn.set(weeks_drawn.value + 1)

    def play(cancel: threading.Event):
        if not playing.value or model.value is None:
            return
        shown = model.value
        try:
            play_weeks(shown, lambda: pace.value, lambda: playing.value, cancel, draw, lock)
        except Exception as err:  # a failing week ends Play with the reason on screen, not a stuck Pause
            set_error((f"The run stopped at week {shown.week}: {err}", values.value))
            playing.set(False)
            raise
        if not shown.running:
            playing.set(False)

    # (not intrusive: that cancels by tracing every line the model runs, and the weeks' own checks suffice)
    solara.use_thread(play, dependencies=[playing.value, id(model.value)], intrusive_cancel=False)

    with solara.AppBar():
        solara.AppBarTitle("New Zealand at the NATO summit")
    if not names:
        solara.Error("No scenario files found: start the dashboard with nzsim dashboard --scenarios FOLDER.")
        return

    def start(new: DashboardModel) -> None:
        playing.set(False)
        set_error(None)
        model.set(new)
        values.set(run_values(new))

    def pick(name: str) -> None:
        set_chosen(name)
        start(build_model(name, {"seed": values.value.get("seed", model.value.seed)}))

    def reset() -> None:
        try:
            start(build_model(chosen, values.value))
        except ScenarioError as err:
            set_error((f"Not started: {err}", values.value))

    spec = specs[chosen]
    with solara.Sidebar():
        with solara.Card("Scenario"):
            solara.Select("Start from a scenario", value=chosen, values=names, on_value=pick)
            solara.Markdown(spec.description.strip().split("\n\n")[0])
            for problem in library_problems():
                solara.Warning(f"Not in the list: {problem}")
        RunCard(model, values, playing, pace, reset, draw, weeks_drawn.value, lock, error)
        with solara.Card("Signals, event by event"):
            SignalControls(model.value, values)
        with solara.Card("The situation and the run number"):
            SituationControls(model.value, values)
        Downloads(model.value)
        with solara.Card("What the controls mean"):
            with solara.Details("Show help"):
                solara.Markdown(help_markdown(model.value.spec))
    MainArea(model.value, weeks_drawn.value)


page = Page

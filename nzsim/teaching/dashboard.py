"""The dashboard: move the summit signals, watch one run unfold, then see it as one draw of many.

Run it with ``nzsim dashboard`` (``nzsim.cli.teaching``), which serves ``page`` with Solara; in a
notebook, display ``page``. It is built on Mesa's :class:`~mesa.visualization.SolaraViz`: the
sidebar holds Mesa's Step, Play and Reset buttons and the controls (``model_params``), the main
area the live plots, the feed of the run's events in plain English, and the "one run is one
draw" panel, which runs a few hundred replications of the current settings in worker
processes and marks the watched run on their distributions.

The dashboard holds no model logic: the controls are translated into a validated scenario
(:func:`settings_spec`, through ``nzsim.scenario``) and the model is the library's
:class:`~nzsim.model.NZModel`; the replications run on the runner's workers (``nzsim.runs.worker``).

A control takes effect when the run is reset (Mesa's Reset button), as in every Mesa
dashboard; choosing a scenario fills every control with that scenario's values and starts a
new run at once. Reset rebuilds the chosen scenario: the model's class is made per choice
(:func:`dashboard_model`), with the chosen scenario and run number as its defaults, because
after a choice Mesa's Reset passes only the controls changed since (see that function).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import as_completed
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd
import pyarrow as pa
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from .. import figures
from ..catalogue.outcomes import HISTOGRAMS, OUTCOMES
from ..catalogue.partners import NAMES as PARTNER_NAMES
from ..catalogue.words import joined
from ..model import NZModel
from ..reports.story import day, event_line
from ..runs.executors import process_pool, start_method_untouched
from ..runs.loop import outcomes_of
from ..runs.worker import ChunkTask, monte_carlo_tasks, run_chunk
from ..scenario import Scenario
from .controls import (
    CONTEXT_CONTROLS,
    DEFAULT_SCENARIO,
    library,
    library_problems,
    model_params,
    settings_spec,
    settings_text,
    signal_controls,
)

#: Replications the "one run is one draw" panel offers.
ENSEMBLE_SIZES = ("100", "300", "500")
ENSEMBLE_CHUNK = 25
#: The outcomes whose distributions the panel shows (the watched run is marked on each).
ENSEMBLE_OUTCOMES = HISTOGRAMS


class DashboardModel(NZModel):
    """:class:`~nzsim.model.NZModel` built from the dashboard's controls (every control a keyword:
    Mesa's SolaraViz re-creates the model from them on Reset), one per signal kind of the
    catalogue and one per situation control.

    A control left out (``None``) keeps the scenario's own value; the scenario and the run number
    left out are the class's :attr:`chosen_scenario` and :attr:`chosen_seed`
    (:func:`dashboard_model` makes a class per choice)."""

    chosen_scenario: str = DEFAULT_SCENARIO
    chosen_seed: int = 0

    def __init__(self, scenario_name: str | None = None, seed: int | None = None, library_folder: str | None = None,
                 scenario: Any = None, **controls: Any):
        # ``scenario`` is Mesa's own Scenario object, which its Reset passes to a model that takes
        # keywords; the model builds its own from the controls, so it is not used.
        known = {**signal_controls(), **CONTEXT_CONTROLS}
        unknown = sorted(set(controls) - set(known))
        if unknown:
            raise TypeError(f"{type(self).__name__}: no control named {', '.join(unknown)}; "
                            f"the controls are {', '.join(known)}")
        controls = {k: v for k, v in controls.items() if v is not None}
        scenario_name = scenario_name or self.chosen_scenario
        specs = library(library_folder)
        if scenario_name not in specs:
            raise ValueError(f"scenario_name: expected one of {', '.join(specs) or '(none found)'}, got {scenario_name!r}")
        spec = settings_spec(specs[scenario_name], **controls)
        super().__init__(spec, seed=int(self.chosen_seed if seed is None else seed))


@lru_cache(maxsize=256)
def dashboard_model(scenario_name: str, seed: int = 0) -> type[DashboardModel]:
    """The model class for a choice in the picker: :class:`DashboardModel` whose Reset, given no
    scenario and no run number, rebuilds ``scenario_name`` with run number ``seed``.

    Mesa's Reset re-creates the model as ``type(model)(**parameters)``, where ``parameters`` are
    the values its ModelCreator gathered: every control when the page opens, but after the picker
    remounts SolaraViz (a new ``.key``) only the controls changed since (seen with Mesa 3.5.1,
    whose ModelCreator fills them in a mount-only effect). The class, not those parameters, therefore
    carries the choice; a control not passed keeps the chosen scenario's value.
    """
    return type(f"DashboardModel_{scenario_name}", (DashboardModel,),
                {"chosen_scenario": scenario_name, "chosen_seed": int(seed), "__module__": __name__})


def live_figure(model: NZModel) -> Figure:
    """The live plots of a model's weeks so far (:func:`nzsim.figures.build_live_plots`)."""
    # Play steps the model in another thread while the page draws: copy the series first and
    # cut them to a common length, so a week recorded for some variables but not yet for the
    # others (a step in progress) is left for the next frame instead of failing the plot.
    names = [name for _, lines, _ in figures.LIVE_PLOTS for name, _ in lines]
    columns = {name: list(model.datacollector.model_vars[name]) for name in names}
    n = min(len(values) for values in columns.values())
    return figures.build_live_plots({name: values[:n] for name, values in columns.items()},
                                     model.spec.horizon_weeks, model.spec.start, _event_weeks(model))


def _event_weeks(model: NZModel) -> list[int]:
    return sorted({model.spec.week_of(e.date) for e in model.spec.events.values()})


def feed_lines(model: NZModel) -> list[str]:
    """The run's events so far in plain English, newest first (as the story tells them)."""
    return [event_line(e) for e in reversed(list(model.entries)) if not e.quiet]  # a copy: Play may be adding


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


def replications_in_background(spec: Scenario, reps: int, seed: int, executor=None, cancel=None) -> Iterator[EnsembleProgress]:
    """Run ``reps`` replications of ``spec`` on ``executor`` (default: a process pool of up to two
    workers) and yield the outcomes gathered so far after each chunk. Stops early when the
    ``cancel`` event is set."""
    tasks = ensemble_tasks(spec, reps, seed)
    own = executor is None
    tables: list[pa.Table] = []
    done = 0
    with start_method_untouched():
        if own:
            executor = process_pool(min(2, os.cpu_count() or 1))
        try:
            futures = [executor.submit(run_chunk, task) for task in tasks]
            for future in as_completed(futures):
                if cancel is not None and cancel.is_set():
                    break
                result = future.result()
                tables.append(result["tables"]["outcomes"])
                done += result["stop"] - result["start"]
                frame = pa.concat_tables(tables).to_pandas().sort_values("replication", ignore_index=True)
                yield EnsembleProgress(spec.sha256, seed, done, reps, frame)
        finally:
            if own:
                executor.shutdown(wait=True, cancel_futures=True)


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
def EnsemblePanel(model: NZModel):
    """Run a few hundred replications of the current settings in the background and show where
    the watched run falls among them.

    It follows the run: it reads Mesa's ``update_counter``, so it is drawn again after every
    step (its parent passes the same model object each time, which alone would not redraw it),
    and marks the run once it has reached its end."""
    update_counter.get()
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
def MainArea(model: NZModel):
    """The plots and the feed side by side, the ensemble panel below; re-rendered after each step
    (Mesa's ``update_counter``)."""
    update_counter.get()
    with solara.Column(style={"padding": "1em"}) as main:
        solara.Markdown(settings_text(model), style={"font-size": "0.9em"})
        with solara.Columns([3, 2]):
            LivePlots(model)
            EventFeed(model)
        EnsemblePanel(model)
    return main


def help_markdown(params: Mapping[str, Any]) -> str:
    """Every control's label and help text, for the sidebar."""
    lines = [
        ("Change the controls, then press **Reset** to start a new run with them; **Step** runs one "
         "week, **▶** plays the weeks."),
        "",
        ("Mesa's settings in the **Controls** card below: **Play Interval** is the pause between weeks "
         "while playing "
         "(in thousandths of a second: lower plays faster); **Render Interval** is how many weeks run "
         "between redraws (the plots jump ahead by that many, and Step runs that many too); **Use Threads** "
         "draws the page in a separate thread while playing, which only helps a large model (leave it off)."),
        "",
    ]
    for options in params.values():
        if isinstance(options, dict) and "help" in options:
            lines.append(f"- **{options['label']}**: {options['help']}")
    return "\n".join(lines)


@solara.component
def Page():
    """The dashboard: a scenario picker over Mesa's SolaraViz."""
    specs = library()
    names = list(specs)
    first = DEFAULT_SCENARIO if DEFAULT_SCENARIO in specs else (names[0] if names else None)
    chosen, set_chosen = solara.use_state(first)
    initial = solara.use_memo(lambda: dashboard_model(first)() if first else None, [])
    model = solara.use_reactive(initial)

    if not names:
        solara.Error("No scenario files found: start the dashboard with nzsim dashboard --scenarios FOLDER.")
        return

    def pick(name: str) -> None:
        set_chosen(name)
        model.set(dashboard_model(name, model.value.seed)())

    spec = specs[chosen]
    params = model_params(spec, seed=model.value.seed)
    with solara.Sidebar():
        with solara.Card("Scenario"):
            solara.Select("Start from a scenario", value=chosen, values=names, on_value=pick)
            solara.Markdown(spec.description.strip().split("\n\n")[0])
            for problem in library_problems():
                solara.Warning(f"Not in the list: {problem}")
        with solara.Card("What the controls mean"):
            with solara.Details("Show help"):
                solara.Markdown(help_markdown(params))
    # Mesa's SolaraViz gives the sidebar (Step, Play, Reset and the controls); the main area is
    # drawn here rather than in Mesa's draggable grid, whose browser code needs files from a CDN.
    SolaraViz(
        model,
        components=[],
        model_params=params,
        name="New Zealand at the NATO summit",
        play_interval=400,
    ).key(f"viz-{chosen}")
    MainArea(model.value)


page = Page

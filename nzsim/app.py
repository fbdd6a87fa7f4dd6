"""The dashboard: move the summit signals, watch one run unfold, then see it as one draw of many.

Run it with ``nzsim dashboard`` (``nzsim.teaching_cli``), which serves ``page`` with Solara; in a
notebook, display ``page``. It is built on Mesa's :class:`~mesa.visualization.SolaraViz`: the
sidebar holds Mesa's Step, Play and Reset buttons and the controls (``model_params``), the main
area the live plots, the feed of the run's events in plain English, and the "one run is one
draw" panel, which runs a few hundred replications of the current settings in worker
processes and marks the watched run on their distributions.

The dashboard holds no model logic: the controls are translated into a validated scenario
(:func:`settings_spec`, through ``nzsim.scenario``) and the model is the library's
:class:`~nzsim.model.NZModel`; the replications go through ``nzsim.ensemble``.

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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from . import plotting
from .ensemble import ChunkTask, Design, process_pool, run_chunk, start_method_untouched
from .model import NZModel
from .replication import outcomes_of, trajectory_columns
from .scenario import NatoSummit, Scenario, ScenarioError, from_dict, load, merge, scenario_files
from .story import day, event_line
from .teaching_cli import LIBRARY_DIR

#: The scenario library the picker offers (``NZSIM_SCENARIOS`` overrides it; ``nzsim dashboard
#: --scenarios DIR`` sets that).
DEFAULT_SCENARIO = "vilnius-2023"
#: Replications the "one run is one draw" panel offers.
ENSEMBLE_SIZES = ("100", "300", "500")
ENSEMBLE_CHUNK = 25
#: The outcomes whose distributions the panel shows (the watched run is marked on each).
ENSEMBLE_OUTCOMES = plotting.DEFAULT_OUTCOMES


# --------------------------------------------------------------------------------------
# The controls: Mesa model_params, each with a plain-language help text
# --------------------------------------------------------------------------------------

#: The summit signals, as (control name, Mesa input, help). Their values are the scenario
#: schema's (``nzsim.scenario.Signals``).
SIGNAL_CONTROLS: Mapping[str, dict[str, Any]] = {
    "attendance": {
        "type": "Select", "label": "Who goes to the summit", "values": ["leader", "minister", "none"],
        "help": "leader: the Prime Minister attends; minister: a minister goes instead; none: New Zealand stays away. "
                "Staying away pulls the government's stance toward keeping its distance.",
    },
    "china_language": {
        "type": "Select", "label": "What is said about China", "values": ["none", "passing", "moderate", "strong"],
        "help": "From not mentioning China, through a passing mention and criticism of its conduct, to condemning "
                "its coercion in strong terms. Stronger words please most partners and raise Beijing's grievance "
                "(how wronged Beijing feels by New Zealand: it rises with each affront, fades within months, and "
                "decides whether Beijing answers with words or with trade measures).",
    },
    "independence_framing": {
        "type": "Select", "label": "Independent foreign policy framing", "values": ["none", "mild", "strong"],
        "help": "How much the Prime Minister stresses New Zealand's 'independent foreign policy'. It calms Beijing "
                "and pleases voters attached to the tradition; beyond a partner's tolerance it costs that partner's trust.",
    },
    "ukraine_package_nzd_m": {
        "type": "SliderFloat", "label": "Support for Ukraine (NZ$ million)", "min": 0.0, "max": 500.0, "step": 1.0,
        "help": "Money committed to Ukraine. Partners count it as a contribution; the first NZ$50m counts for as "
                "much as everything after it.",
    },
    "personnel": {
        "type": "SliderInt", "label": "Defence personnel deployed", "min": 0, "max": 1000, "step": 10,
        "help": "People sent to train or serve with partners (e.g. training Ukrainian soldiers in the UK). "
                "A contribution partners see, and direct experience that raises interoperability.",
    },
    "partnership_agreement": {
        "type": "Checkbox", "label": "Sign a partnership programme with NATO",
        "help": "Sign an Individually Tailored Partnership Programme (ITPP) at the summit: a formal step partners "
                "value and Beijing notices.",
    },
    "ip4_cooperation": {
        "type": "Select", "label": "Cooperation with the other Indo-Pacific partners (IP4)",
        "values": ["none", "dialogue", "joint_projects"],
        "help": "Working with Australia, Japan and South Korea at NATO: none, a dialogue, or joint projects.",
    },
    "aukus_pillar2": {
        "type": "Select", "label": "AUKUS Pillar II", "values": ["none", "explore", "join"],
        "help": "The technology-sharing part of the AUKUS pact: stay out, say New Zealand will explore it, or join. "
                "Partners reward it; Beijing sees it as choosing a side.",
    },
    "defence_pledge_pct_gdp": {
        "type": "SliderFloat", "label": "Extra defence spending pledged (% of GDP)", "min": 0.0, "max": 2.0,
        "step": 0.1, "help": "A promise to raise defence spending; 1% of GDP more counts as the full signal.",
    },
}

#: The situation the government is in.
CONTEXT_CONTROLS: Mapping[str, dict[str, Any]] = {
    "china_export_pct": {
        "type": "SliderInt", "label": "Share of goods exports going to China (%)", "min": 5, "max": 50,
        "step": 1,
        "help": "How much of New Zealand's goods exports China buys, in per cent (about 27% in 2023). The more "
                "it buys, the more a trade measure would hurt, and the harder exporters press the government.",
    },
    "weeks_to_election": {
        "type": "SliderInt", "label": "Weeks to the election (0 = none in this run)", "min": 0, "max": 52,
        "step": 1,
        "help": "When the next general election falls. As it nears, the government weighs trade and approval "
                "more heavily and risks less with Beijing. In 2023 New Zealand voted in October, three months "
                "after the Vilnius summit: a government that close to an election has reason to be careful "
                "(the Vilnius 2023 scenario puts the election in week 17).",
    },
    "recession": {
        "type": "Checkbox", "label": "The economy is in recession",
        "help": "A recession makes the government more careful about trade and costs the incumbent votes.",
    },
    "governing_bloc": {
        "type": "Select", "label": "Who governs", "values": ["labour", "national"],
        "help": "The Labour-led or the National-led bloc; they weigh security and autonomy differently.",
    },
}

SEED_CONTROL = {
    "type": "SliderInt", "label": "Run number (seed)", "min": 0, "max": 99, "step": 1,
    "help": "Each number is a different roll of the dice with the same settings. The same number always "
            "gives the same run.",
}


def library(folder: str | None = None) -> dict[str, Scenario]:
    """The scenarios the picker offers, by name: every ``*.yaml`` or ``*.yml`` in the folder that loads
    (files that do not load are left out, and :func:`library_problems` says why), with their
    levers removed (the dashboard shows one run)."""
    return _library(folder)[0]


def library_problems(folder: str | None = None) -> list[str]:
    """Why files of the library are not in the picker: one line each (a bad file, a name used twice)."""
    return _library(folder)[1]


@lru_cache(maxsize=4)
def _library(folder: str | None = None) -> tuple[dict[str, Scenario], list[str]]:
    folder = Path(folder or os.environ.get("NZSIM_SCENARIOS") or LIBRARY_DIR)
    out: dict[str, Scenario] = {}
    problems: list[str] = []
    files, skipped = scenario_files(folder)
    problems += [f"{name}: not a .yaml or .yml file, so not offered" for name in skipped]
    for path in files:
        try:
            spec = load(path)
        except ScenarioError as err:
            problems.append(str(err))
            continue
        if spec.levers:
            spec = from_dict({k: v for k, v in spec.dump().items() if k != "levers"}, name=str(path))
        if spec.name in out:
            problems.append(f"{path.name}: its name '{spec.name}' is already taken by another file; it is left out")
            continue
        out[spec.name] = spec
    return out, problems


def summit_key(spec: Scenario) -> str | None:
    """The event the signal controls set: the scenario's first NATO summit."""
    summits = sorted((e.date, k) for k, e in spec.events.items() if isinstance(e, NatoSummit))
    return summits[0][1] if summits else None


def election_key(spec: Scenario) -> str | None:
    elections = sorted((e.date, k) for k, e in spec.events.items() if e.kind == "election")
    return elections[0][1] if elections else None


def controls_of(spec: Scenario, seed: int = 0) -> dict[str, Any]:
    """The control values that reproduce ``spec``: what choosing it in the picker fills in."""
    key = summit_key(spec)
    signals = spec.events[key].signals if key else None
    values: dict[str, Any] = {"scenario_name": spec.name, "seed": seed}
    for name in SIGNAL_CONTROLS:
        value = getattr(signals, name) if signals is not None else None
        values[name] = value if value is not None else _neutral(name)
    ctx = spec.context
    election = election_key(spec)
    values.update(
        china_export_pct=export_pct(ctx.china_export_share),
        weeks_to_election=spec.week_of(spec.events[election].date) if election else 0,
        recession=ctx.recession,
        governing_bloc=ctx.governing_bloc,
    )
    return values


def export_pct(share: float) -> int:
    """China's share of goods exports as the control shows it: whole per cent."""
    return round(100 * share)


def _neutral(name: str) -> Any:
    return {"Select": "none", "SliderFloat": 0.0, "SliderInt": 0, "Checkbox": False}[SIGNAL_CONTROLS[name]["type"]]


#: The incumbent's baseline share when the controls add an election the scenario did not have.
ADDED_ELECTION_BASELINE = 0.5


def settings_spec(base: Scenario, **controls: Any) -> Scenario:
    """The validated scenario the controls describe: ``base`` with its summit's signals and its
    context replaced by the control values (a control left out keeps the base's value).

    The summit is the base's first NATO summit (one is added at week 4 if it has none and a
    signal control is set to anything but its neutral value: no attendance, no words). The
    election moves to week ``weeks_to_election`` (its own date when that is the week it already
    falls in); 0 removes it; an election added to a scenario that had none starts from an even
    baseline (:data:`ADDED_ELECTION_BASELINE`).

    Raises:
        ScenarioError: a value out of range (e.g. an election beyond the horizon).
    """
    data = {k: v for k, v in base.dump().items() if k != "levers"}
    data["name"] = base.name
    events = dict(data.get("events") or {})
    key = summit_key(base)
    signals = {k: controls[k] for k in SIGNAL_CONTROLS if k in controls}
    if key is None and all(v == _neutral(k) for k, v in signals.items()):
        signals = {}  # a scenario without a summit (Australia 2020, say) keeps none while the controls are neutral
    if signals:
        if key is None:
            key = "summit"
            events[key] = {"kind": "nato_summit", "date": base.date_of_week(4).isoformat(), "label": "NATO"}
        events[key] = merge(events[key], {"signals": signals})
    if "weeks_to_election" in controls:
        week = int(controls["weeks_to_election"])
        old = election_key(base)
        if old is not None and (week == 0 or base.week_of(base.events[old].date) != week):
            baseline = base.events[old].incumbent_baseline
            del events[old]
        else:
            baseline = ADDED_ELECTION_BASELINE
        if week and (old is None or old not in events):
            events[old or "election"] = {
                "kind": "election", "date": base.date_of_week(week).isoformat(), "label": "General election",
                "incumbent_baseline": baseline,
            }
    data["events"] = events
    context = {k: controls[k] for k in ("recession", "governing_bloc") if k in controls}
    pct = controls.get("china_export_pct")
    if pct is not None and int(pct) != export_pct(base.context.china_export_share):
        context["china_export_share"] = int(pct) / 100  # (the base's own share when the slider shows it)
    data["context"] = merge(data["context"], context)
    return from_dict(data, name=f"dashboard settings ({base.name})")


class DashboardModel(NZModel):
    """:class:`~nzsim.model.NZModel` built from the dashboard's controls (every control a keyword,
    as Mesa's SolaraViz re-creates the model from them on Reset).

    A control left out (``None``) keeps the scenario's own value; the scenario and the run number
    left out are the class's :attr:`chosen_scenario` and :attr:`chosen_seed`
    (:func:`dashboard_model` makes a class per choice)."""

    chosen_scenario: str = DEFAULT_SCENARIO
    chosen_seed: int = 0

    def __init__(
        self,
        scenario_name: str | None = None,
        seed: int | None = None,
        attendance: str | None = None,
        china_language: str | None = None,
        independence_framing: str | None = None,
        ukraine_package_nzd_m: float | None = None,
        personnel: int | None = None,
        partnership_agreement: bool | None = None,
        ip4_cooperation: str | None = None,
        aukus_pillar2: str | None = None,
        defence_pledge_pct_gdp: float | None = None,
        china_export_pct: int | None = None,
        weeks_to_election: int | None = None,
        recession: bool | None = None,
        governing_bloc: str | None = None,
        library_folder: str | None = None,
    ):
        controls = {k: v for k, v in locals().items()
                    if (k in SIGNAL_CONTROLS or k in CONTEXT_CONTROLS) and v is not None}
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


def model_params(spec: Scenario, seed: int = 0) -> dict[str, Any]:
    """Mesa ``model_params`` for the controls, filled with ``spec``'s values (each keeps its ``help``)."""
    values = controls_of(spec, seed)
    # (not "scenario": Mesa's Reset passes its own Scenario object under that name)
    params: dict[str, Any] = {"scenario_name": spec.name}
    horizon = dict(CONTEXT_CONTROLS["weeks_to_election"], max=spec.horizon_weeks)
    for name, control in {**SIGNAL_CONTROLS, **CONTEXT_CONTROLS, "weeks_to_election": horizon,
                          "seed": SEED_CONTROL}.items():
        params[name] = {**control, "value": values[name]}
    return params


# --------------------------------------------------------------------------------------
# The live plots and the event feed
# --------------------------------------------------------------------------------------

def live_figure(model: NZModel) -> Figure:
    """The live plots of a model's weeks so far (:func:`nzsim.plotting.build_live_plots`)."""
    # Play steps the model in another thread while the page draws: copy the series first and
    # cut them to a common length, so a week recorded for some variables but not yet for the
    # others (a step in progress) is left for the next frame instead of failing the plot.
    names = [name for _, lines, _ in plotting.LIVE_PLOTS for name, _, _ in lines]
    columns = {name: list(model.datacollector.model_vars[name]) for name in names}
    n = min(len(values) for values in columns.values())
    return plotting.build_live_plots({name: values[:n] for name, values in columns.items()},
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
        if not lines:
            solara.Text("Nothing has happened yet.", classes=["nzsim-event"])
        for line in lines:
            solara.Text(line, classes=["nzsim-event"], style={"display": "block", "margin-bottom": "0.6em"})
    return main


# --------------------------------------------------------------------------------------
# One run is one draw
# --------------------------------------------------------------------------------------


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
    design = Design("monte_carlo", reps)
    scenario = {k: v for k, v in spec.dump().items() if k != "levers"}
    return [
        ChunkTask(0, "", {}, scenario, seed, design, k, start, min(start + chunk, reps))
        for k, start in enumerate(range(0, reps, chunk))
    ]


def run_replications(spec: Scenario, reps: int, seed: int, executor=None, cancel=None) -> Iterator[EnsembleProgress]:
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
            from concurrent.futures import as_completed

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
    return outcomes_of(model, trajectory_columns(model))


def rank_sentence(column: str, value: float, values: pd.Series) -> str:
    """``"Your run's ... is higher than in 62% of the 300 runs"``-style comparison."""
    title = plotting.OUTCOME_LABELS.get(column, (column,))[0]
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
    return plotting.build_outcome_distributions(outcomes, columns, title=title, mark=watched, mark_label="your run")


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
        yield from run_replications(spec, reps, seed, cancel=cancel)

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


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------

def settings_text(model: NZModel) -> str:
    """The settings of the run on screen, every control's value in words (sliders show a number
    only while dragged)."""
    values = controls_of(model.spec, seed=model.seed)
    parts = []
    for name, options in {**SIGNAL_CONTROLS, **CONTEXT_CONTROLS}.items():
        value = values.get(name)
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, float):
            shown = f"{value:g}"
        else:
            shown = str(value)
        parts.append(f"{options['label']}: **{shown}**")
    return f"This run (number {model.seed}): " + "; ".join(parts) + "."


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

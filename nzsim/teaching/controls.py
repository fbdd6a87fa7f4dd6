"""The dashboard's controls: the summit signals (from the signal catalogue) and the situation,
the scenario library the picker offers, and the validated scenario a set of control values
describes. No model logic: the controls become a scenario through the scenario door."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from ..catalogue.signals import SIGNALS
from ..scenario import NatoSummit, Scenario, ScenarioError, from_dict, load, merge, scenario_files

#: The scenario the dashboard opens with.
DEFAULT_SCENARIO = "vilnius-2023"


def library_folder() -> Path:
    """The scenario library the picker offers: ``NZSIM_SCENARIOS`` (``nzsim dashboard
    --scenarios DIR`` sets it), else ``scenarios/`` in the working directory."""
    return Path(os.environ.get("NZSIM_SCENARIOS") or Path.cwd() / "scenarios")


def signal_controls() -> dict[str, dict[str, Any]]:
    """The signals as controls: each signal kind's field, with its control (a dashboard input
    and a plain-language help text) from the catalogue. Their values are the scenario schema's."""
    return {kind.field: dict(kind.control) for kind in SIGNALS}


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
    folder = Path(folder) if folder else library_folder()
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
    """The scenario's first NATO summit: the event the short signal names (``china_language=...``)
    set."""
    summits = sorted((e.date, k) for k, e in spec.events.items() if isinstance(e, NatoSummit))
    return summits[0][1] if summits else None


def election_key(spec: Scenario) -> str | None:
    elections = sorted((e.date, k) for k, e in spec.events.items() if e.kind == "election")
    return elections[0][1] if elections else None


def signal_events(spec: Scenario) -> list[str]:
    """The events whose signals the controls set, in date order: every event with ``signals``
    (summits, policy decisions, bilateral statements)."""
    return [k for _, k in sorted((e.date, k) for k, e in spec.events.items() if "signals" in type(e).model_fields)]


def signal_path(event: str, field: str) -> str:
    """A signal control's name, the scenario path levers use: ``events.vilnius.signals.china_language``."""
    return f"events.{event}.signals.{field}"


def parse_signal_path(name: str) -> tuple[str, str] | None:
    """``(event, field)`` of a :func:`signal_path` name; ``None`` for any other name."""
    parts = name.split(".")
    if len(parts) == 4 and parts[0] == "events" and parts[2] == "signals":
        return parts[1], parts[3]
    return None


#: How each kind of event with signals is introduced above its controls.
_EVENT_NOUNS = {"nato_summit": "NATO summit", "policy_decision": "Decision", "bilateral_statement": "Statement"}


def event_heading(spec: Scenario, key: str) -> str:
    """``NATO summit: Vilnius, 11 Jul 2023 (week 4)``: the heading of an event's signal controls."""
    from ..reports.story import day

    event = spec.events[key]
    noun = _EVENT_NOUNS.get(event.kind, event.kind.replace("_", " ").capitalize())
    label = event.label or key.replace("_", " ")
    return f"{noun}: {label[0].upper()}{label[1:]}, {day(event.date)} (week {spec.week_of(event.date)})"


def controls_of(spec: Scenario, seed: int = 0) -> dict[str, Any]:
    """The control values that reproduce ``spec``: what choosing it in the picker fills in. Every
    event's signals are named by :func:`signal_path`."""
    values: dict[str, Any] = {"scenario_name": spec.name, "seed": seed}
    for key in signal_events(spec):
        signals = spec.events[key].signals
        for name in signal_controls():  # (a signal the event leaves unsaid holds its neutral value)
            values[signal_path(key, name)] = getattr(signals, name)
    ctx = spec.context
    election = election_key(spec)
    values.update(
        china_export_pct=export_pct(ctx.china_export_share),
        weeks_to_election=spec.week_of(spec.events[election].date) if election else 0,
        recession=ctx.recession,
        governing_bloc=ctx.governing_bloc,
    )
    return values


def control_names(spec: Scenario) -> list[str]:
    """Every control ``spec`` offers besides the scenario: the signals of each of its events
    (:func:`signal_path`), the situation and the run number."""
    return [k for k in controls_of(spec) if k != "scenario_name"]


def control_of(name: str, spec: Scenario | None = None) -> dict[str, Any]:
    """The control (type, label, range, help) behind a control's name (the weeks to the election
    reach ``spec``'s horizon)."""
    path = parse_signal_path(name)
    if path is not None:
        return dict(signal_controls()[path[1]])
    if name == "seed":
        return dict(SEED_CONTROL)
    if name == "weeks_to_election" and spec is not None:
        return dict(CONTEXT_CONTROLS[name], max=spec.horizon_weeks)
    return dict(CONTEXT_CONTROLS[name])


def export_pct(share: float) -> int:
    """China's share of goods exports as the control shows it: whole per cent."""
    return round(100 * share)


def _neutral(name: str) -> Any:
    """A signal control's neutral value (what says nothing)."""
    return next(kind.neutral for kind in SIGNALS if kind.field == name)


#: The incumbent's baseline share when the controls add an election the scenario did not have.
ADDED_ELECTION_BASELINE = 0.5


def settings_spec(base: Scenario, **controls: Any) -> Scenario:
    """The validated scenario the controls describe: ``base`` with its events' signals and its
    context replaced by the control values (a control left out keeps the base's value).

    An event's signal is named by its path (:func:`signal_path`:
    ``events.vilnius.signals.china_language``); a signal kind's short name (``china_language``)
    sets the base's first NATO summit (over that summit's path, when both are given), and one is added at week 4 if it has none and a short
    signal control is set to anything but its neutral value (no attendance, no words). The
    election moves to week ``weeks_to_election`` (its own date when that is the week it already
    falls in); 0 removes it; an election added to a scenario that had none starts from an even
    baseline (:data:`ADDED_ELECTION_BASELINE`).

    Raises:
        ScenarioError: a value out of range (e.g. an election beyond the horizon).
    """
    data = {k: v for k, v in base.dump().items() if k != "levers"}
    data["name"] = base.name
    events = dict(data.get("events") or {})
    for name, value in controls.items():
        path = parse_signal_path(name)
        if path is None:
            continue
        event, field = path
        if event not in base.events or event not in signal_events(base) or field not in signal_controls():
            known = ", ".join(signal_events(base)) or "(none)"
            raise ScenarioError(f"dashboard settings ({base.name})", name,
                                f"an event with signals ({known}) and a signal kind of the catalogue")
        events[event] = merge(events[event], {"signals": {field: value}})
    key = summit_key(base)
    signals = {k: controls[k] for k in signal_controls() if k in controls}
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
            moved = base.events[old]  # the same election on another date keeps its polls
            baseline = ({"poll_share": moved.poll_share, "poll_source": moved.poll_source}
                        if moved.poll_share is not None else {"incumbent_baseline": moved.incumbent_baseline})
            del events[old]
        else:
            baseline = {"incumbent_baseline": ADDED_ELECTION_BASELINE}
        if week and (old is None or old not in events):
            events[old or "election"] = {
                "kind": "election", "date": base.date_of_week(week).isoformat(), "label": "General election",
                **baseline,
            }
    data["events"] = events
    context = {k: controls[k] for k in ("recession", "governing_bloc") if k in controls}
    pct = controls.get("china_export_pct")
    if pct is not None and int(pct) != export_pct(base.context.china_export_share):
        context["china_export_share"] = int(pct) / 100  # (the base's own share when the slider shows it)
    data["context"] = merge(data["context"], context)
    return from_dict(data, name=f"dashboard settings ({base.name})")


def shown(value: Any) -> str:
    """A control's value in words: ``yes``/``no``, ``78``, ``0.5``, ``strong``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def settings_text(model) -> str:
    """The settings of the run on screen in words, from the model (not the controls): the
    situation, then each event's signals that say something (its other signals are neutral)."""
    values = controls_of(model.spec, seed=model.seed)
    situation = "; ".join(f"{options['label']}: **{shown(values[name])}**" for name, options in CONTEXT_CONTROLS.items())
    parts = [f"This run (number {model.seed}): {situation}."]
    for key in signal_events(model.spec):
        said = [f"{options['label']}: **{shown(values[signal_path(key, name)])}**"
                for name, options in signal_controls().items()
                if values[signal_path(key, name)] != _neutral(name)]
        parts.append(f"- {event_heading(model.spec, key)}: " + ("; ".join(said) if said else "nothing said") + ".")
    return "\n".join(parts[:1] + [""] + parts[1:])  # (Markdown: the situation, then a list of the events)

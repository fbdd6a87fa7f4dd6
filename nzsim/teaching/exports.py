"""What the dashboard's "Save as scenario" and "Export" buttons download: the run on screen as
a scenario file that ``nzsim check`` accepts and that, with the run number it names, reproduces
that run; and the run's weeks and events as CSV.

Each works on the model shown (its applied settings), not on controls changed since and not
yet applied.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import yaml

from ..model import NZModel
from ..reports.story import event_line
from ..scenario import from_dict
from ..version import code_version


def file_stem(model: NZModel) -> str:
    """``vilnius-2023-run-3``: the downloads' file name without its extension."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", base_name(model)).strip("-") or "scenario"
    return f"{base}-run-{model.seed}"


def base_name(model: NZModel) -> str:
    """The scenario the run was made from (the dashboard names its settings ``dashboard
    settings (NAME)``)."""
    match = re.fullmatch(r"dashboard settings \((.*)\)", model.spec.name)
    return match.group(1) if match else model.spec.name


def recorded_weeks(model: NZModel, names: list[str] | None = None) -> dict[str, list]:
    """The weekly values of ``names`` (default: every recorded variable), copied and cut to a
    common length: Play may be stepping the model in another thread, and a week recorded for
    some variables but not yet for the others is left out."""
    recorded = model.datacollector.model_vars
    columns = {name: list(recorded[name]) for name in (names if names is not None else list(recorded))}
    n = min((len(values) for values in columns.values()), default=0)
    return {name: values[:n] for name, values in columns.items()}


def told_entries(model: NZModel, last_week: int | None = None) -> list:
    """The run's log entries the story tells (not the quiet ones), oldest first, copied (Play may
    be adding), up to ``last_week``."""
    return [e for e in list(model.entries) if not e.quiet and (last_week is None or e.week <= last_week)]


def saved_data(model: NZModel) -> dict:
    """The run's settings as the scenario file "Save as scenario" writes: the whole resolved
    scenario (no ``extends:``, no levers), named after the scenario it started from and the run
    number, its description saying where it came from."""
    data = {k: v for k, v in model.spec.dump().items() if k != "levers"}
    data["name"] = file_stem(model)
    data["description"] = (
        f"{data['description'].rstrip()}\n\nSaved from the nzsim dashboard: the settings of run number "
        f"{model.seed}, started from {base_name(model)}.")
    return data


def saved_sha256(model: NZModel) -> str:
    """The hash ``nzsim check`` gives the saved file: what its header and the CSV exports carry."""
    return from_dict(saved_data(model), name=f"{file_stem(model)}.yaml").sha256


def scenario_yaml(model: NZModel) -> str:
    """:func:`saved_data` as YAML, after a header saying how to reproduce the run."""
    data = saved_data(model)
    name = data["name"]
    header = (
        f"# Saved from the nzsim dashboard ({code_version()}): run number {model.seed} of these settings.\n"
        f"# The same run again:  nzsim story {name}.yaml --seed {model.seed}\n"
        f"# Many runs of them:   nzsim run {name}.yaml\n"
        f"# Scenario hash (as nzsim check prints it): {saved_sha256(model)}\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def weeks_frame(model: NZModel) -> pd.DataFrame:
    """The run's weekly values so far: one row a week (week 0 is the start), with the day the
    values hold from (``as_of``: the start, then the day after each week), and one column per
    recorded variable, as ``nzsim.runs.loop.replicate`` records them (:func:`recorded_weeks`)."""
    frame = pd.DataFrame(recorded_weeks(model))
    n = len(frame)
    start = model.spec.start
    frame.insert(0, "as_of", [(start + dt.timedelta(weeks=w)).isoformat() for w in range(n)])
    frame.insert(0, "week", range(n))
    return frame


def events_frame(model: NZModel) -> pd.DataFrame:
    """The run's events up to the last week :func:`weeks_frame` holds, oldest first: the columns
    of ``Replication.events()`` and the line the feed and the story tell (``text``)."""
    weeks = len(next(iter(recorded_weeks(model).values()), []))
    entries = told_entries(model, last_week=weeks - 1)
    return pd.DataFrame({
        "week": [e.week for e in entries],
        "date": [e.date.isoformat() for e in entries],
        "actor": [e.actor for e in entries],
        "event": [e.event for e in entries],
        "description": [e.description for e in entries],
        "text": [event_line(e) for e in entries],
    })


def csv_text(frame: pd.DataFrame, model: NZModel) -> str:
    """``frame`` as CSV, each row carrying what made it: the scenario it started from, the hash of
    the saved scenario file (:func:`saved_sha256`), the run number and the code version (columns,
    not comment lines, so any spreadsheet reads the file as it is)."""
    out = frame.assign(scenario=base_name(model), scenario_sha256=saved_sha256(model), seed=model.seed,
                       nzsim_version=code_version())
    return out.to_csv(index=False)

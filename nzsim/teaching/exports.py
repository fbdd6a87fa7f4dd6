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


def scenario_yaml(model: NZModel) -> str:
    """The run's settings as a scenario file: the whole resolved scenario (no ``extends:``), named
    after the scenario it started from, with a header saying how to reproduce the run."""
    data = {k: v for k, v in model.spec.dump().items() if k != "levers"}
    name = file_stem(model)
    data["name"] = name
    data["description"] = (
        f"{data['description'].rstrip()}\n\nSaved from the nzsim dashboard (nzsim {code_version()}): the settings "
        f"of run number {model.seed}, started from {base_name(model)}.")
    header = (
        f"# Saved from the nzsim dashboard: run number {model.seed} of these settings.\n"
        f"# The same run again:  nzsim story {name}.yaml --seed {model.seed}\n"
        f"# Many runs of them:   nzsim run {name}.yaml\n"
        f"# Scenario hash: {model.spec.sha256}\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def weeks_frame(model: NZModel) -> pd.DataFrame:
    """The run's weekly values so far: one row a week (week 0 is the start), with the day the
    values hold from (``as_of``: the start, then the day after each week), and one column per
    recorded variable, as ``nzsim.runs.loop.replicate`` records them. A week recorded for some variables only (Play may be
    stepping) is left out."""
    recorded = {name: list(values) for name, values in model.datacollector.model_vars.items()}
    n = min((len(values) for values in recorded.values()), default=0)
    frame = pd.DataFrame({name: values[:n] for name, values in recorded.items()})
    start = model.spec.start
    frame.insert(0, "as_of", [(start + dt.timedelta(weeks=w)).isoformat() for w in range(n)])
    frame.insert(0, "week", range(n))
    return frame


def events_frame(model: NZModel) -> pd.DataFrame:
    """The run's events so far, oldest first: the columns of ``Replication.events()`` and the line
    the feed and the story tell (``text``)."""
    entries = [e for e in list(model.entries) if not e.quiet]  # a copy: Play may be adding
    return pd.DataFrame({
        "week": [e.week for e in entries],
        "date": [e.date.isoformat() for e in entries],
        "actor": [e.actor for e in entries],
        "event": [e.event for e in entries],
        "description": [e.description for e in entries],
        "text": [event_line(e) for e in entries],
    })


def csv_text(frame: pd.DataFrame, model: NZModel) -> str:
    """``frame`` as CSV, each row carrying what made it: the scenario, its hash, the run number and
    the code version (columns, not comment lines, so any spreadsheet reads the file as it is)."""
    out = frame.assign(scenario=base_name(model), scenario_sha256=model.spec.sha256, seed=model.seed,
                       nzsim_version=code_version())
    return out.to_csv(index=False)

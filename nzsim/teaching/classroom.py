"""Classroom mode: each team's scenario file (a signal bundle over a shared base) run and set
side by side on the objectives a class weighs, with the tradeoff frontier marked.

``nzsim classroom FOLDER`` (:mod:`nzsim.cli.teaching`) is a thin command over
:func:`load_bundles`, :func:`bundle_warnings`, :func:`run_classroom` and
:func:`format_classroom`. The objectives and their column headings are the catalogue's
(:data:`nzsim.catalogue.outcomes.CLASSROOM` and each outcome's ``short``).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .. import analysis, figures
from ..analysis.frontier import dominates
from ..catalogue import outcomes as catalogue_outcomes
from ..catalogue.words import joined
from ..reports.numbers import number
from ..runs import run_ensemble
from ..scenario import Scenario, ScenarioError, load, scenario_files
from ..scenario.yaml_io import read
from . import CLASSROOM_REPS

#: The files whose first line describes a class (the figure's title), looked for in the class's folder.
CLASS_NOTES = ("readme.md", "readme.txt", "readme")


def objectives() -> dict[str, str]:
    """The objectives a class weighs its bundles on, and which way is better."""
    return catalogue_outcomes.objectives(catalogue_outcomes.CLASSROOM)


def heading(column: str) -> str:
    """A column's heading in the class's table (the outcome's short name)."""
    outcome = catalogue_outcomes.OUTCOMES.get(column)
    return (outcome.short or outcome.name) if outcome is not None else column


def load_bundles(folder: Path) -> tuple[dict[Path, Scenario], dict[str, str], list[str]]:
    """Each scenario file directly in ``folder``, loaded: (the bundles that load, by path; the
    error of each file that does not, by name; the names of files that look meant as scenario
    files but are not ``.yaml`` or ``.yml``). Every file is checked before anything runs."""
    files, skipped = scenario_files(folder)
    specs: dict[Path, Scenario] = {}
    failed: dict[str, str] = {}
    for path in files:
        if not path.stem.strip(". \t"):  # `...yaml`: no name to label the bundle and its run folder with
            failed[path.name] = (f"{path}: a file name with a name before .yaml or .yml (the bundle's label "
                                 f"and run folder), got {path.name!r}")
            continue
        try:
            specs[path] = load(path)
        except ScenarioError as err:
            failed[path.name] = str(err)
    return specs, failed, skipped


def run_classroom(specs: Mapping[Path, Scenario], out: Path, reps: int = CLASSROOM_REPS, seed: int = 0,
                  workers: int = 1, announce: Callable[[str], None] = lambda line: None,
                  title: str | None = None) -> tuple[pd.DataFrame, Path | None]:
    """Run each bundle into a run folder of its own under ``out`` (which must exist) and weigh
    them: returns the frontier table (also written as ``frontier.csv``) and the figure
    ``frontier.png`` (None for a single bundle). ``announce`` is told as each bundle starts."""
    runs = {}
    for path, spec in specs.items():
        label = path.stem  # the file's name: unique in the folder, and what the team knows it by
        announce(f"running {label} ({path.name}): {reps} replications")
        runs[label] = run_ensemble(spec, reps=reps, seed=seed, workers=workers, out=out / label, scenario_file=path)
    frame = analysis.tradeoff_frontier(runs, objectives())
    frame.to_csv(out / "frontier.csv", index=False)
    figure = None
    if len(frame) > 1:
        figure = figures.frontier(frame, out / "frontier.png", objectives(),
                                  title=title or f"The class: {len(frame)} bundles, {reps} runs each")
    return frame, figure


def class_name(folder: Path) -> str:
    """What the class is called: the first line of the folder's README (README.md, README.txt or
    README, a Markdown heading's ``#`` dropped), else the folder's name made readable
    (``year-12_class-b`` -> ``Year 12 class b``)."""
    notes = {path.name.lower(): path for path in folder.iterdir() if path.is_file()} if folder.is_dir() else {}
    for name in CLASS_NOTES:
        if name in notes:
            try:
                lines = notes[name].read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            words = [line.strip().lstrip("#").strip().rstrip(" .:;") for line in lines]
            first = next((line for line in words if line), "")
            if first:
                return first
    readable = re.sub(r"[-_\s]+", " ", folder.resolve().name).strip()
    return readable[:1].upper() + readable[1:] if readable else "The class"


def class_title(folder: Path, bundles: int, reps: int) -> str:
    """The title of the class's frontier figure: the class by :func:`class_name`, its bundles and runs."""
    return textwrap.fill(f"{class_name(folder)}: {bundles} bundles, {reps} runs each", 90)


def not_run(failed: Mapping[str, str], skipped: list[str]) -> str:
    """The closing note on the files left out of the table."""
    count = len(failed) + len(skipped)
    lines = [f"{count} file{'s' if count != 1 else ''} in the folder did not run (not in the table):"]
    lines += [f"  {error}" if error.startswith(name) or f"/{name}:" in error else f"  {name}: {error}"
              for name, error in failed.items()]
    lines += [f"  {name}: not a .yaml or .yml file" for name in skipped]
    return "\n".join(lines)


def _extends(path: Path) -> str | None:
    """The file a scenario file extends, resolved (None if it extends none, or cannot be read)."""
    try:
        raw = read(path)
    except ScenarioError:
        return None
    target = raw.get("extends")
    return str((path.parent / target).resolve()) if isinstance(target, str) else None


def bundle_warnings(specs: Mapping[Path, Any]) -> list[str]:
    """What makes a bundle not a fair comparison with the others: it does not extend the base
    most files extend, it changes the context (the situation, not the signals), or it holds
    lever cells (each cell is compared as a bundle of its own)."""
    extends = {path: _extends(path) for path in specs}
    bases = [b for b in extends.values() if b is not None]
    shared = max(set(bases), key=bases.count) if bases else None
    contexts = [spec.context.model_dump() for spec in specs.values()]
    warnings = []
    base = _base_events(shared)
    for (path, spec), context in zip(specs.items(), contexts):
        if extends[path] != shared:
            what = "does not extend a base" if extends[path] is None else f"extends {Path(extends[path]).name}"
            warnings.append(f"{path.name} {what}, not the shared {Path(shared).name if shared else 'base'}: "
                            f"it is compared all the same, but it may differ in more than its signals")
        changed = sorted(k for k in context if sum(c[k] == context[k] for c in contexts) <= len(contexts) // 2)
        if len(contexts) > 2 and changed:
            warnings.append(f"{path.name} changes the situation, not only the signals ({', '.join(changed)})")
        if spec.levers:
            warnings.append(f"{path.name} has levers: each of its cells is compared as a bundle of its own")
        if extends[path] == shared and base:
            removed = [f"{what} ({key})" for key, what in base.items() if key not in spec.events]
            if removed:
                warnings.append(f"{path.name} removes {', '.join(removed)} from the shared base: it is compared "
                                f"all the same, but without {'that event' if len(removed) == 1 else 'those events'}")
    return warnings


def _base_events(path: str | None) -> dict[str, str]:
    """The events of the shared base file, key -> label (none if it does not load)."""
    if path is None:
        return {}
    try:
        spec = load(Path(path))
    except (ScenarioError, OSError):
        return {}
    kinds = {"nato_summit": "the NATO summit", "election": "the election"}
    return {key: f"{kinds.get(event.kind, 'the event')} '{event.label}'" if event.label
            else kinds.get(event.kind, event.kind.replace("_", " ")) for key, event in spec.events.items()}


def format_classroom(frame: pd.DataFrame, reps: int, seed: int) -> str:
    """The bundles side by side, the frontier marked. The verdict is taken on the unrounded means:
    a verdict the rounded numbers shown would not give is starred and the star explained."""
    directions = objectives()
    width = max(len("bundle"), *(len(r) for r in frame["run"]))
    head = f"  {'bundle':<{width}}" + "".join(f"  {heading(c):>11}" for c in directions) + "  frontier"
    higher = [heading(c) for c, way in directions.items() if way == "max"]
    lower = [heading(c) for c, way in directions.items() if way == "min"]
    lines = [(f"{len(frame)} bundles, {reps} replications each (root seed {seed}); better is higher for {joined(higher)}, "
              f"lower for {joined(lower)}"), "", head]
    shown = [{c: float(number(float(v)).replace(",", "")) for c, v in row.items() if c in directions}
             for row in frame.to_dict("records")]
    starred = False
    for row, rounded in zip(frame.to_dict("records"), shown):
        cells = [f"{number(float(row[column])):>11}" for column in directions]
        mark = "yes" if row["on_frontier"] else f"no (beaten by {row['dominated_by']})"
        if bool(row["on_frontier"]) != (not any(dominates(other, rounded, directions) for other in shown)):
            mark += " *"
            starred = True
        lines.append(f"  {row['run']:<{width}}" + "".join(f"  {c}" for c in cells) + f"  {mark}")
    if starred:
        lines += ["", ("* decided by differences smaller than the digits shown (the frontier compares the "
                       "unrounded means; frontier.csv has them)")]
    return "\n".join(lines) + "\n"

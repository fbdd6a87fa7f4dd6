"""Scoring the targets: each scenario simulated once on the one replication loop (replication
``i`` seeded as in ``nzsim run`` with the same root seed), shared by every target that uses it,
and each target's rule tested on the simulated distribution, with a Brier score where the
target states what happened."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..catalogue.outcomes import describe
from ..runs.executors import map_chunks
from ..runs.worker import SimulatedChunk, monte_carlo_tasks, simulate_chunk
from ..scenario import Scenario
from .targets import Target, Targets, Trajectory


@dataclass(frozen=True)
class Simulated:
    """One scenario's replications: the outcome rows and the weekly trajectories needed."""

    outcomes: pd.DataFrame
    trajectories: Mapping[str, np.ndarray]  # variable -> reps x weeks


#: Replications per task when a validation's scenarios are simulated.
CHUNK = 50


def simulate_all(specs: Mapping[str, Scenario], reps: int, seed: int, workers: int = 1,
                 overrides_list: Sequence[Mapping[str, float] | None] = (None,),
                 variables: Sequence[str] = ()) -> list[dict[str, Simulated]]:
    """Simulate every scenario ``reps`` times under each parameter set of ``overrides_list``,
    keeping the named weekly ``variables``.

    Replication ``i`` of each scenario is seeded as :func:`nzsim.runs.run_ensemble` seeds it
    with root seed ``seed``; the overrides stand in for the defaults (as new defaults would):
    the scenario's own ``parameters:`` and its ``uncertainties:`` draws still apply on top.
    Returns one ``{key: Simulated}`` per parameter set. With ``workers > 1`` the chunks run on
    a process pool (global multiprocessing state untouched).
    """
    tasks, keys = [], []
    dumped = {key: spec.dump() for key, spec in specs.items()}
    for k, overrides in enumerate(overrides_list):
        for key in specs:
            chunks = monte_carlo_tasks(dumped[key], reps, seed, CHUNK, dict(overrides) if overrides else None)
            tasks += chunks
            keys += [(k, key)] * len(chunks)
    results: list[SimulatedChunk] = map_chunks(partial(simulate_chunk, variables=tuple(variables)), tasks, workers)
    gathered: list[dict[str, tuple[list, dict]]] = [{} for _ in overrides_list]
    for (k, key), result in zip(keys, results):
        rows, weekly = gathered[k].setdefault(key, ([], {v: [] for v in variables}))
        rows += result.rows
        for v, a in result.weekly.items():
            weekly[v].append(a)
    return [
        {key: Simulated(pd.DataFrame(rows), {v: np.concatenate(a) for v, a in weekly.items()})
         for key, (rows, weekly) in g.items()}
        for g in gathered
    ]


def variables_of(targets: Sequence[Target]) -> tuple[str, ...]:
    """The weekly variables the targets name, each once, in order."""
    names: list[str] = []
    for t in targets:
        if isinstance(t.outcome, Trajectory) and t.outcome.trajectory not in names:
            names.append(t.outcome.trajectory)
    return tuple(names)


def _week(spec: Scenario, date: dt.date) -> int:
    """The trajectory row recorded at the end of the week holding ``date`` (row 0 is the start)."""
    return min(spec.week_of(date), spec.horizon_weeks)


def outcome_values(target: Target, simulated: Simulated, spec: Scenario) -> np.ndarray:
    """The target's outcome, one value per replication (NaN where undefined, e.g. no election)."""
    o = target.outcome
    if isinstance(o, Trajectory):
        series = simulated.trajectories[o.trajectory]
        if o.date is not None:
            return series[:, _week(spec, o.date)].astype(float)
        if o.lowest is not None:
            a, b = (_week(spec, d) for d in o.lowest)
            return series[:, a:b + 1].min(axis=1).astype(float)
        a, b = (_week(spec, d) for d in o.change)
        return (series[:, b] - series[:, a]).astype(float)
    asked = describe(o)
    if asked.level is not None:
        return (simulated.outcomes[asked.outcome.name].to_numpy() >= asked.value).astype(float)
    return pd.to_numeric(simulated.outcomes[o], errors="coerce").astype(float).to_numpy()


@dataclass(frozen=True)
class Score:
    target: Target
    simulated: str  # the simulated distribution in words
    value: float  # the statistic the rule tests (probability, median or mean difference)
    low: float  # 5th percentile (nan for probabilities)
    high: float  # 95th percentile
    passed: bool
    brier: float | None
    n: int

    def row(self) -> dict[str, Any]:
        t = self.target
        return {"target": t.name, "use": t.use, "episode": t.episode, "scenario": Path(t.scenario).stem,
                "outcome": t.outcome_label, "observed_value": t.observed_value,
                "rule": t.rule, "observed": t.observed, "simulated": self.simulated, "value": self.value,
                "low": self.low, "high": self.high, "passed": self.passed, "brier": self.brier, "n": self.n}


def score(target: Target, targets: Targets, sims: Mapping[str, Simulated]) -> Score:
    """Score one target against simulated scenarios (keyed by resolved path)."""
    key = str(targets.paths[target.scenario])
    values = outcome_values(target, sims[key], targets.specs[key])
    if target.difference is not None:
        bkey = str(targets.paths[target.difference.baseline])
        base = outcome_values(target, sims[bkey], targets.specs[bkey])
        diff = values - base
        diff = diff[~np.isnan(diff)]
        mean = float(np.mean(diff)) if diff.size else math.nan
        lo, hi = (np.percentile(diff, [5, 95]) if diff.size else (math.nan, math.nan))
        ok = diff.size > 0 and target.difference.within[0] <= mean <= target.difference.within[1]
        return Score(target, f"mean diff {mean:+.3f} (90% {lo:+.3f} to {hi:+.3f})", mean, float(lo), float(hi), ok, None, int(diff.size))
    values = values[~np.isnan(values)]
    if values.size == 0:
        return Score(target, "no values", math.nan, math.nan, math.nan, False, None, 0)
    if target.probability is not None:
        p = float(np.mean(values))
        b = target.probability
        ok = p >= b.at_least if b.at_least is not None else p <= b.at_most
        brier = None
        if target.observed_value is not None:
            o = 1.0 if target.observed_value else 0.0
            brier = (p - o) ** 2  # the ensemble's probability as the forecast of what happened
        return Score(target, f"P = {p:.2f}", p, math.nan, math.nan, ok, brier, int(values.size))
    med = float(np.median(values))
    lo, hi = np.percentile(values, [5, 95])
    if target.band is not None:
        ok = bool(lo <= target.band.contains <= hi)
    else:
        ok = target.median[0] <= med <= target.median[1]
    return Score(target, f"median {med:.3f} (90% {lo:.3f} to {hi:.3f})", med, float(lo), float(hi), ok, None, int(values.size))


def validate(targets: Targets, reps: int = 200, seed: int = 0, workers: int = 1,
             overrides: Mapping[str, float] | None = None, use: str | None = None) -> pd.DataFrame:
    """Simulate each scenario the targets use once and score every target: one row per target."""
    chosen = [t for t in targets.targets if use is None or t.use == use]
    files = []
    for t in chosen:
        files += [str(targets.paths[s]) for s in t.scenarios() if str(targets.paths[s]) not in files]
    sims = simulate_all({f: targets.specs[f] for f in files}, reps, seed, workers, [overrides], variables_of(chosen))[0]
    return pd.DataFrame([score(t, targets, sims).row() for t in chosen])


#: The Brier score the fitting episodes must reach (mean over their probability targets).
EPISODE_BRIER_BAR = 0.10
#: The outcome whose probabilities must order the episodes: those with measures above those without.
ORDERING_OUTCOME = "economic_measures"


@dataclass(frozen=True)
class EpisodeSummary:
    """How the episodes of one use (fit or holdout) score together."""

    use: str
    episodes: tuple[str, ...]
    forecasts: int  # probability targets with an observed value
    brier: float  # their mean Brier score (nan without any)
    ordered: bool | None  # every episode with measures above every one without (None: not both kinds)
    lowest_with: float  # the lowest probability of measures among episodes that had them
    highest_without: float  # the highest among episodes that had none

    @property
    def met(self) -> bool:
        """Whether the episodes meet the bar: a mean Brier score at most :data:`EPISODE_BRIER_BAR`
        and an ordering that is not wrong."""
        return self.brier <= EPISODE_BRIER_BAR and self.ordered is not False

    def text(self) -> str:
        what = "fitting" if self.use == "fit" else "held-back"
        line = (f"{what} episodes ({len(self.episodes)}: {', '.join(self.episodes)}): mean Brier score "
                f"{self.brier:.3f} over {self.forecasts} forecasts")
        if self.use == "fit":
            line += f" (bar {EPISODE_BRIER_BAR:.2f}: {'met' if self.brier <= EPISODE_BRIER_BAR else 'NOT met'})"
        if self.ordered is None:
            return line + "; ordering: not testable (all episodes alike)"
        return line + (f"; ordering by P({ORDERING_OUTCOME}): {'right' if self.ordered else 'WRONG'} "
                       f"(lowest with measures {self.lowest_with:.2f}, highest without {self.highest_without:.2f})")


def episode_summary(card: pd.DataFrame) -> list[EpisodeSummary]:
    """The fitting and the held-back episodes scored apart: the mean Brier score of their
    probability targets, and whether P(economic measures) puts every episode that had them
    above every episode that had none. Empty when no target names an episode."""
    if "episode" not in card or not (card["episode"] != "").any():
        return []
    out = []
    for use in ("fit", "holdout"):
        rows = card[(card["episode"] != "") & (card["use"] == use)]
        if rows.empty:
            continue
        briers = [b for b in rows["brier"] if b is not None and not (isinstance(b, float) and math.isnan(b))]
        order = rows[(rows["outcome"] == ORDERING_OUTCOME) & rows["observed_value"].notna()]
        with_ = [float(v) for v, o in zip(order["value"], order["observed_value"]) if o]
        without = [float(v) for v, o in zip(order["value"], order["observed_value"]) if not o]
        ordered = (min(with_) > max(without)) if with_ and without else None
        out.append(EpisodeSummary(use, tuple(dict.fromkeys(rows["episode"])), len(briers),
                                  float(np.mean(briers)) if briers else math.nan, ordered,
                                  min(with_) if with_ else math.nan, max(without) if without else math.nan))
    return out


def scorecard_text(card: pd.DataFrame) -> str:
    """The scorecard as a plain-text table, with a closing line of counts."""
    lines = []
    # Each column as wide as its longest entry, so a long rule never runs into the next column.
    width = {c: max([len(c), *(len(str(v)) for v in card[c])]) for c in ("target", "use", "rule", "simulated")}
    header = (f"{'target':<{width['target']}} {'use':<{width['use']}} {'rule':<{width['rule']}} "
              f"{'simulated':<{width['simulated']}} {'result':<6} {'Brier':>5}")
    lines.append(header)
    lines.append("-" * len(header))
    for r in card.itertuples():
        brier = "" if r.brier is None or (isinstance(r.brier, float) and math.isnan(r.brier)) else f"{r.brier:.3f}"
        lines.append(f"{r.target:<{width['target']}} {r.use:<{width['use']}} {r.rule:<{width['rule']}} "
                     f"{r.simulated:<{width['simulated']}} {'pass' if r.passed else 'FAIL':<6} {brier:>5}")
        lines.append(f"    observed: {r.observed}")
    failed = card.loc[~card["passed"], "target"].tolist()
    lines.append("")
    lines.append(f"{int(card['passed'].sum())} of {len(card)} targets pass"
                 + (f"; failed: {', '.join(failed)}" if failed else ""))
    summaries = episode_summary(card)
    if summaries:
        lines.append("")
        lines.append("Episode library (held-back episodes reported apart, never used to fit):")
        lines += [f"  {summary.text()}" for summary in summaries]
    return "\n".join(lines)

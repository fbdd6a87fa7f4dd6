"""Calibration: a seeded Latin hypercube over the free parameters, scored against the fitting targets.

Pattern-oriented modelling (Grimm et al. 2005) as rejection filtering: draw parameter sets
over the free parameters (those whose values are labelled assumptions, each within a search
range inside its plausible range), simulate the scenarios the ``use: fit`` targets need at a
small replication count, and keep the sets consistent with every fitting target. The held-back
(``use: holdout``) targets are scored for every set too, but never used to choose.

Choice of defaults: if the current defaults are consistent with every fitting target they are
kept (a calibration that passes should not move values for no reason); otherwise the
consistent set with the lowest mean Brier score over the fitting targets is proposed; and when
no set is consistent (a target the model's structure cannot meet), the set passing the most
fitting targets with the lowest mean Brier score, the defaults if they are within
:data:`BRIER_TOLERANCE` of it. Either
way the evidence (every set, its scores, the consistent ranges) is written to a JSON file and
a Markdown table; changing ``nzsim/catalogue/parameters.py`` stays a reviewed edit, not a side effect.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ..catalogue.parameters import BY_NAME, DEFAULTS
from ..seeds import design_rng
from .scoring import score, simulate_all, variables_of
from .targets import Targets
from .targets import shown_path as _shown


@dataclass(frozen=True)
class Free:
    """A free parameter and the range searched (inside its plausible range)."""

    name: str
    low: float
    high: float
    why: str


#: The free parameters searched: assumption-labelled values the fitting targets inform.
FREE: tuple[Free, ...] = (
    Free("china.grievance_half_life_weeks", 4.0, 26.0, "how long a grievance lasts: statements vs lasting measures"),
    Free("china.rebuke_threshold", 0.4, 2.0, "how readily a summit draws an embassy statement"),
    Free("china.warning_threshold", 1.2, 4.0, "how readily it draws a warning"),
    Free("china.trade_threshold", 2.0, 8.0, "the grievance trade measures need"),
    Free("china.trade_max_hazard", 0.02, 0.3, "how fast measures follow once the bar is passed"),
    Free("china.example_weight", 0.2, 3.0, "how much the record of affronts (the example to make) lowers the bars"),
    Free("china.cost_weight", 0.0, 6.0, "how much China's own cost of punishing a target raises the trade bar"),
    Free("china.lift_hazard", 0.005, 0.1, "how fast measures are lifted"),
    Free("china.accumulation_per_salience", 0.5, 4.0, "how much each affront adds to the record of grievances"),
    Free("china.affront_salience", 0.0, 1.2, "the China salience a signal must exceed to add to the record"),
    Free("china.accumulated_half_life_weeks", 26.0, 260.0, "how long the record of grievances lasts"),
    Free("china.lift_fraction", 0.2, 0.9, "how far the record must fade before measures are lifted"),
    Free("china.formal_threshold", 4.0, 10.0, "the grievance formal measures need, beside the trade bar"),
    Free("china.freeze_threshold", 1.8, 4.5, "the grievance at which an affront at the highest level brings a freeze"),
    Free("china.freeze_lift_hazard", 0.005, 0.1, "how fast a freeze ends without a concession"),
    Free("china.people_threshold", 2.0, 8.0, "the grievance restrictions on tourists and students need"),
    Free("china.symbolic_record_share", 0.0, 1.0, "how much of an affront on Tibet or human rights enters the record"),
    Free("china.concession_lift_hazard", 0.05, 0.8, "how fast measures end after a concession"),
    Free("election.economy_weight", 0.02, 0.2, "the recession's cost to the incumbent"),
    Free("election.approval_weight", 0.0, 0.15, "foreign-policy approval's weight in the vote"),
    Free("government.stance_step", 0.005, 0.05, "how fast the stance moves between summits"),
)


def check_free(free: Sequence[Free] = FREE) -> None:
    """Every free parameter exists, is labelled an assumption, and its search range is inside its plausible range."""
    for f in free:
        p = BY_NAME[f.name]
        if not p.is_assumption:
            raise ValueError(f"{f.name}: its value has a source, so it is not free to calibrate")
        if not p.low <= f.low < f.high <= p.high:
            raise ValueError(f"{f.name}: search range [{f.low}, {f.high}] outside [{p.low}, {p.high}]")


def design(samples: int, seed: int, free: Sequence[Free] = FREE) -> list[dict[str, float]]:
    """A seeded, scrambled Latin hypercube of ``samples`` parameter sets over the free parameters."""
    check_free(free)
    unit = qmc.LatinHypercube(d=len(free), rng=design_rng(seed)).random(samples)
    scaled = qmc.scale(unit, [f.low for f in free], [f.high for f in free])
    return [{f.name: float(v) for f, v in zip(free, row)} for row in scaled]


def calibrate(targets: Targets, samples: int = 48, reps: int = 30, seed: int = 0, workers: int = 1,
              free: Sequence[Free] = FREE) -> dict:
    """Score the current defaults and ``samples`` Latin-hypercube sets against every target.

    Returns the evidence as a JSON-ready dict: the design, each set's values and scores, the
    consistent sets, the ranges they span and the chosen defaults.
    """
    sets = [{f.name: DEFAULTS[f.name] for f in free}] + design(samples, seed, free)
    files: list[str] = []
    for t in targets.targets:
        files += [str(targets.paths[s]) for s in t.scenarios() if str(targets.paths[s]) not in files]
    sims = simulate_all({f: targets.specs[f] for f in files}, reps, seed, workers, sets, variables_of(targets.targets))
    fit = [t for t in targets.targets if t.use == "fit"]
    held = [t for t in targets.targets if t.use == "holdout"]
    rows = []
    for k, (values, simulated) in enumerate(zip(sets, sims)):
        scores = {t.name: score(t, targets, simulated) for t in targets.targets}
        briers = [scores[t.name].brier for t in fit if scores[t.name].brier is not None]
        rows.append({
            "set": "defaults" if k == 0 else f"lhs-{k - 1}",
            "values": values,
            "fit_passed": sum(scores[t.name].passed for t in fit),
            "holdout_passed": sum(scores[t.name].passed for t in held),
            "consistent": all(scores[t.name].passed for t in fit),
            "fit_brier": float(np.mean(briers)) if briers else None,
            "results": {name: {"value": _rounded(s.value), "passed": bool(s.passed)} for name, s in scores.items()},
        })
    consistent = [r for r in rows if r["consistent"]]
    if rows[0]["consistent"]:
        chosen, why = rows[0], "the current defaults are consistent with every fitting target, so they are kept"
    elif consistent:
        chosen = min(consistent, key=_brier)
        why = "the defaults fail a fitting target; the consistent set with the lowest mean Brier score is proposed"
    else:
        most = max(r["fit_passed"] for r in rows)
        best = min((r for r in rows if r["fit_passed"] == most), key=_brier)
        if rows[0]["fit_passed"] == most and _brier(rows[0]) <= _brier(best) + BRIER_TOLERANCE:
            chosen = rows[0]
            why = (f"no parameter set is consistent with every fitting target, so the model's structure, not its values, "
                   f"is at issue for the targets every set fails; the current defaults pass the most ({most}) with a mean "
                   f"Brier score within {BRIER_TOLERANCE} of the best, so they are kept")
        else:
            chosen = best
            why = (f"no parameter set is consistent with every fitting target, so the model's structure, not its values, "
                   f"is at issue for the targets every set fails; the set passing the most ({most}) with the lowest mean "
                   f"Brier score is proposed")
    failed = [t.name for t in fit if chosen is not None and not chosen["results"][t.name]["passed"]]
    ranges = {}
    for f in free:
        vals = [r["values"][f.name] for r in consistent if r["set"] != "defaults"]
        ranges[f.name] = {"searched": [f.low, f.high], "default": DEFAULTS[f.name],
                          "consistent": [min(vals), max(vals)] if vals else None}
    return {
        "method": "seeded scrambled Latin hypercube (scipy.stats.qmc.LatinHypercube) over the free parameters; "
                  "rejection against every use: fit target; holdout targets scored, never used to choose",
        "targets_file": _shown(targets.file),
        "fit_targets": [t.name for t in fit],
        "holdout_targets": [t.name for t in held],
        "samples": samples, "reps": reps, "seed": seed,
        "free": [{"name": f.name, "low": f.low, "high": f.high, "why": f.why} for f in free],
        "sets": rows,
        "consistent": [r["set"] for r in consistent],
        "consistent_and_holdout": [r["set"] for r in consistent if r["holdout_passed"] == len(held)],
        "ranges": ranges,
        "chosen": None if chosen is None else {"set": chosen["set"], "values": chosen["values"], "why": why,
                                               "fails": failed},
        "why": why,
    }


#: How much worse a mean Brier score the defaults may have than the best set and still be kept,
#: when no set passes every fitting target: at 30 replications a score moves by about this much
#: from chance alone.
BRIER_TOLERANCE = 0.005


def _brier(row: Mapping) -> float:
    return row["fit_brier"] if row["fit_brier"] is not None else math.inf


def _rounded(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 4)


def summary_text(evidence: Mapping) -> str:
    """A Markdown summary of the evidence: counts, consistent ranges, the chosen set, holdout results."""
    rows = evidence["sets"]
    n_fit, n_held = len(evidence["fit_targets"]), len(evidence["holdout_targets"])
    lines = [
        "# Calibration result",
        "",
        f"Generated by `nzsim calibrate --samples {evidence['samples']} --reps {evidence['reps']} --seed {evidence['seed']}`.",
        f"{len(rows) - 1} Latin-hypercube sets plus the current defaults, each scored on {n_fit} fitting and "
        f"{n_held} held-back targets at {evidence['reps']} replications per scenario.",
        "",
        f"- consistent with every fitting target: {len(evidence['consistent'])} of {len(rows)} sets "
        f"({', '.join(evidence['consistent'][:12])}{' ...' if len(evidence['consistent']) > 12 else ''})",
        f"- of those, also passing every held-back target: {len(evidence['consistent_and_holdout'])} "
        f"({', '.join(evidence['consistent_and_holdout'][:12]) or 'none'})",
        f"- choice: {evidence['why']}",
        *([f"- fitting targets the chosen set fails: {', '.join(evidence['chosen'].get('fails', []))}"]
          if evidence.get("chosen") and evidence["chosen"].get("fails") else []),
        "",
        "| parameter | searched | default | range over consistent sets |",
        "|---|---|---|---|",
    ]
    for name, r in evidence["ranges"].items():
        c = r["consistent"]
        lines.append(f"| `{name}` | {r['searched'][0]:g} to {r['searched'][1]:g} | {r['default']:g} | "
                     + (f"{c[0]:.3g} to {c[1]:.3g}" if c else "none") + " |")
    lines += ["", "| target | use | " + " | ".join(["defaults", "pass rate over LHS sets"]) + " |", "|---|---|---|---|"]
    for name in evidence["fit_targets"] + evidence["holdout_targets"]:
        use = "fit" if name in evidence["fit_targets"] else "holdout"
        d = rows[0]["results"][name]
        rate = np.mean([r["results"][name]["passed"] for r in rows[1:]]) if len(rows) > 1 else float("nan")
        lines.append(f"| {name} | {use} | {'pass' if d['passed'] else 'FAIL'} ({d['value']}) | {rate:.0%} |")
    return "\n".join(lines) + "\n"


def write(evidence: Mapping, out: Path) -> tuple[Path, Path]:
    """Write ``calibration.json`` and ``calibration.md`` into ``out``; return both paths."""
    out.mkdir(parents=True, exist_ok=True)
    js, md = out / "calibration.json", out / "calibration.md"
    tmp = js.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(evidence, indent=1) + "\n", encoding="utf-8")
    tmp.replace(js)
    tmp = md.with_suffix(".md.tmp")
    tmp.write_text(summary_text(evidence), encoding="utf-8")
    tmp.replace(md)
    return js, md


def frame(evidence: Mapping) -> pd.DataFrame:
    """One row per parameter set: its values, passes and Brier score (a tidy frame for notebooks)."""
    return pd.DataFrame([{"set": r["set"], **r["values"], "fit_passed": r["fit_passed"],
                          "holdout_passed": r["holdout_passed"], "consistent": r["consistent"],
                          "fit_brier": r["fit_brier"]} for r in evidence["sets"]])

"""Validation: patterns from the record the model must reproduce, a scorecard, and a calibration
of the free parameters against the fitting targets.

Layer: beside reports, above runs. It may import :mod:`nzsim.runs` (the one replication loop,
on any number of workers), :mod:`nzsim.scenario` (the YAML door and the ``Date`` type, which
the targets file shares), :mod:`nzsim.catalogue` and :mod:`nzsim.seeds`; not the reports,
teaching or the command line.

- :mod:`~nzsim.validation.targets`: the targets file, validated into frozen objects;
- :mod:`~nzsim.validation.scoring`: simulate each scenario once, score each target;
- :mod:`~nzsim.validation.calibration`: a seeded Latin hypercube against the fitting targets.
"""

from __future__ import annotations

from .calibration import calibrate
from .scoring import (EpisodeSummary, Score, Simulated, episode_summary, outcome_values, score, scorecard_text,
                      simulate_all, validate)
from .targets import Target, Targets, TargetsError, Trajectory, load_targets, shown_path

__all__ = ["Score", "Simulated", "Target", "Targets", "TargetsError", "Trajectory", "calibrate", "load_targets",
           "outcome_values", "score", "scorecard_text", "shown_path", "simulate_all", "validate"]

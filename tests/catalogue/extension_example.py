"""A catalogue extension in a module of its own, as worker processes need it: importing it adds a
signal kind (patrol ships sent to the Pacific) and an outcome (Beijing's grievance at its peak).

Only the tests that need it import it, in a process of their own (tests/catalogue/test_extension.py):
imported into the test session, its entries would be in every other test's catalogue too.
"""

from __future__ import annotations

from nzsim.catalogue import metrics, outcomes, signals

PATROLS = signals.add(signals.SignalKind(
    name="pacific_patrols", kind="count", low=0, high=50,
    level=lambda ships: ships / (ships + 5),  # half the full signal at five ships
    phrase=lambda ships: f"sends {ships} patrol ships to the Pacific" if ships else "",
    channels={"china": 0.9, "partners": 0.4, "domestic": 0.05},
    source="assumption: a worked example for the tests, not a calibrated signal",
    control={"type": "SliderInt", "label": "Patrol ships sent to the Pacific", "min": 0, "max": 50, "step": 1,
             "help": "Ships sent to patrol the Pacific with partners."},
))
PEAK_GRIEVANCE = outcomes.add(outcomes.Outcome(
    name="peak_grievance", type="float", kind="numeric", direction="min",
    reduce=lambda ending: metrics.peak(ending.weekly("china_grievance")),
    title="Beijing's grievance at its peak", unit="grievance (index, 0 = none)",
    words="Beijing's grievance at its peak",
))

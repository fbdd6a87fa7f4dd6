"""The election: at its date the incumbent bloc's two-bloc vote share is drawn.

``share = baseline + approval_weight * (approval - 0.5) - economy_weight * [recession]
- trade_loss_weight * loss_fraction + N(0, noise)``; the incumbent keeps office when the share
is at least one half, otherwise the bloc changes and with it the government's weights.
The baseline is the incumbent bloc's two-bloc share in the polls before the run (the election
event's ``poll_share``, with its source), or, in older scenario files, a value the author chose
(``incumbent_baseline``). Foreign policy carries little electoral weight
(``election.approval_weight``).
"""

from __future__ import annotations

import mesa


class Election(mesa.Agent):
    """The general election (at most one result is kept: the last one held)."""

    def __init__(self, model):
        super().__init__(model)
        self.held: bool = False
        self.week: int | None = None
        self.incumbent_share: float | None = None
        self.incumbent_won: bool | None = None
        self.incumbent_bloc: str | None = None

    def hold(self, baseline: float, from_polls: bool = False) -> str:
        """Draw the result from ``baseline`` (the polls' share when ``from_polls``) and change the
        government if it lost. Returns the story text."""
        m = self.model
        p = m.params
        gov = m.government
        approval_effect = p["election.approval_weight"] * (m.public.approval - 0.5)
        economy_effect = -p["election.economy_weight"] if m.recession else 0.0
        loss = m.loss_fraction()
        trade_effect = -p["election.trade_loss_weight"] * loss if loss else 0.0
        noise = m.rng.normal(0.0, p["election.noise"]) if p["election.noise"] > 0 else 0.0
        share = min(1.0, max(0.0, baseline + approval_effect + economy_effect + trade_effect + noise))
        self.held = True
        self.week = m.week
        self.incumbent_bloc = gov.bloc
        self.incumbent_share = share
        self.incumbent_won = share >= 0.5
        who = f"{gov.bloc.capitalize()}-led bloc"
        parts = (
            f"foreign-policy approval {approval_effect * 100:+.1f} points, economy {economy_effect * 100:+.1f}, "
            f"trade losses {trade_effect * 100:+.1f}, campaign {noise * 100:+.1f}; "
            + (f"from {baseline:.1%} in the polls before the run" if from_polls else f"from a baseline of {baseline:.1%}")
        )
        if self.incumbent_won:
            return f"the {who} is re-elected with {share:.1%} of the two-bloc vote ({parts})."
        new = "national" if gov.bloc == "labour" else "labour"
        gov.change_bloc(new)
        return (
            f"the {who} loses with {share:.1%} of the two-bloc vote ({parts}); "
            f"a {new.capitalize()}-led government takes office."
        )

"""Partners: NATO, the United States, the United Kingdom, Australia, Japan and South Korea.

Each partner holds ``trust_in_nz`` and an ``expectation`` of New Zealand's contribution.
Contribution above expectation raises trust; hedging (independence framing) costs trust only
beyond the partner's tolerance. Trust relaxes weekly toward the level NZ's stance supports, and
trust buys access (training places, exercises, intelligence), which moves interoperability.
The frame is the alliance security dilemma: too far out risks abandonment, too far in risks
entrapment (Snyder 1984).

References
----------
Snyder, G. H. (1984). The security dilemma in alliance politics. *World Politics* 36(4),
461-495. doi:10.2307/2010183
"""

from __future__ import annotations

import mesa

from ...catalogue.partners import NAMES


class Partner(mesa.Agent):
    """One of New Zealand's security partners."""

    def __init__(self, model, key: str):
        super().__init__(model)
        p = model.params
        self.key = key
        self.name = NAMES[key]
        self.trust_in_nz: float = p[f"partner.{key}.trust0"]
        self.baseline_trust: float = self.trust_in_nz
        self.expectation: float = p[f"partner.{key}.expectation"]
        self.tolerance: float = p[f"partner.{key}.tolerance"]
        self.china_weight: float = p[f"partner.{key}.china_weight"]

    @property
    def access_weight(self) -> float:
        """How much this partner's trust counts for access; the US's scales with its commitment."""
        return self.model.us_commitment if self.key == "united_states" else 1.0

    def hear(self, heard) -> None:
        """A bundle of signals: the partner judges what it contributes (:meth:`judge_contribution`)."""
        self.judge_contribution(heard.channels["partners"], heard.levels["china_language"],
                                heard.levels["independence_framing"], heard.weight(self.key), at_summit=heard.at_summit)

    def judge_contribution(
        self, contribution: float, china_language: float, hedging: float, weight: float = 1.0, at_summit: bool = True
    ) -> float:
        """Update trust (and, at a summit, expectation) after NZ sends signals. Returns the change in trust.

        ``delivered = contribution + china_weight * china_language``. At a summit NZ is judged
        against what the partner expected: ``trust += weight * (gain * (delivered - expectation)
        - cost * max(0, hedging - tolerance))`` and ``expectation += weight * learning *
        (delivered - expectation)``. Elsewhere (a decision, a statement) a contribution is simply
        credited at a lower weight: ``trust += weight * (gain * outside_summit_weight * delivered
        - cost * max(0, hedging - tolerance))``.
        """
        p = self.model.params
        delivered = contribution + self.china_weight * china_language
        judged = delivered - self.expectation if at_summit else p["partner.outside_summit_weight"] * delivered
        change = weight * (
            p["partner.trust_gain"] * judged - p["partner.hedging_cost"] * max(0.0, hedging - self.tolerance)
        )
        before = self.trust_in_nz
        self.trust_in_nz = min(1.0, max(0.0, before + change))
        if at_summit:
            self.expectation += weight * p["partner.expectation_learning"] * (delivered - self.expectation)
            self.expectation = min(1.0, max(0.0, self.expectation))
        return self.trust_in_nz - before

    def credit(self, amount: float) -> float:
        """A direct change in trust of ``trust_gain * amount`` (a custom event's partner channel).
        Returns the change."""
        before = self.trust_in_nz
        self.trust_in_nz = min(1.0, max(0.0, before + self.model.params["partner.trust_gain"] * amount))
        return self.trust_in_nz - before

    def supported_trust(self) -> float:
        """The trust NZ's current stance supports: ``baseline + 0.5 * (stance - initial stance)``,
        in [0, 1], so that trust holds steady in a quiet run."""
        gov = self.model.government
        return min(1.0, max(0.0, self.baseline_trust + 0.5 * (gov.stance - self.model.spec.context.initial_stance)))

    def step(self) -> None:
        """Trust drifts toward what NZ's stance supports."""
        drift = self.model.params["partner.trust_drift"]
        self.trust_in_nz += drift * (self.supported_trust() - self.trust_in_nz)

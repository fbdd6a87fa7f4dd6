"""Partners: NATO, the United States, the United Kingdom, Australia, Japan and South Korea.

Each partner holds ``trust_in_nz`` and an ``expectation`` of New Zealand's contribution.
Contribution above expectation raises trust; hedging (independence framing) costs trust only
beyond the partner's tolerance. Trust relaxes weekly toward the level NZ's stance supports, and
trust buys access (training places, exercises, intelligence), which moves interoperability.
The frame is the alliance security dilemma: too far out risks abandonment, too far in risks
entrapment (Snyder 1984).

Partners differ, not only in where they start: each reads what New Zealand delivers through its
own noise and answers with its own ``responsiveness``; each has its own chance events (a training
place given or withdrawn, an exercise invitation, a ministerial visit), more often favourable the
more it trusts New Zealand; when Beijing coerces New Zealand each decides, with its own
``solidarity``, whether to stand by it (a statement, its market for the goods China turns away);
and when the United States' commitment falls each raises its expectation of New Zealand by its
own ``us_burden``.

References
----------
Snyder, G. H. (1984). The security dilemma in alliance politics. *World Politics* 36(4),
461-495. doi:10.2307/2010183
"""

from __future__ import annotations

import mesa

from ...catalogue.partners import NAMES, short_name


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
        self.responsiveness: float = p[f"partner.{key}.responsiveness"]
        self.solidarity: float = p[f"partner.{key}.solidarity"]
        self.us_burden: float = p[f"partner.{key}.us_burden"]
        #: whether it stands by New Zealand in the current dispute with Beijing
        self.standing_by: bool = False
        #: whether it stood by New Zealand at any time in the run
        self.stood_by: bool = False
        #: its chance events so far: (week, kind, +1 or -1)
        self.occasions: list[tuple[int, str, int]] = []

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

        ``delivered = contribution + china_weight * china_language + N(0, judgement_noise)`` (each
        partner's own reading). At a summit NZ is judged against what the partner expected:
        ``trust += weight * responsiveness * (gain * (delivered - expectation) - cost * max(0,
        hedging - tolerance))`` and ``expectation += weight * learning * (delivered -
        expectation)``. Elsewhere (a decision, a statement) a contribution is simply credited at a
        lower weight: ``trust += weight * responsiveness * (gain * outside_summit_weight *
        delivered - cost * max(0, hedging - tolerance))``.
        """
        p = self.model.params
        delivered = contribution + self.china_weight * china_language
        if p["partner.judgement_noise"] > 0 and contribution > 0:
            delivered += self.model.rng.normal(0.0, p["partner.judgement_noise"])
        judged = delivered - self.expectation if at_summit else p["partner.outside_summit_weight"] * delivered
        change = weight * self.responsiveness * (
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

    def chance_event(self) -> str | None:
        """With weekly probability ``partner.event_rate``, one of the partner's own occasions: a
        training place, an exercise invitation or a ministerial visit, given with probability
        ``trust_in_nz`` (else withdrawn or cancelled). Trust moves by ``event_trust *
        responsiveness`` and, for a place or an exercise, interoperability by ``event_interop``,
        up or down with it. Returns the story's words, or None when nothing happens."""
        p = self.model.params
        rng = self.model.rng
        if rng.random() >= p["partner.event_rate"]:
            return None
        kind = OCCASIONS[int(rng.integers(len(OCCASIONS)))]
        sign = 1 if rng.random() < self.trust_in_nz else -1
        self.trust_in_nz = min(1.0, max(0.0, self.trust_in_nz + sign * p["partner.event_trust"] * self.responsiveness))
        if kind != "visit":
            self.model.government.exercise_with_partner(sign * p["partner.event_interop"])
        self.occasions.append((self.model.week, kind, sign))
        return OCCASION_WORDS[kind][sign > 0].format(name=self.name)

    def consider_standing_by(self) -> bool:
        """Beijing has begun to coerce New Zealand: stand by it with probability ``solidarity *
        trust / initial trust`` (capped at 1), more likely the more the partner trusts NZ now."""
        chance = min(1.0, self.solidarity * self.trust_in_nz / max(self.baseline_trust, 1e-9))
        self.standing_by = bool(self.model.rng.random() < chance)
        self.stood_by = self.stood_by or self.standing_by
        return self.standing_by

    def answer_us_shift(self, before: float, after: float) -> float:
        """The United States' commitment moves from ``before`` to ``after``: the expectation of
        New Zealand rises by ``us_burden * (before - after)`` (falls when it recommits). Returns
        the change in expectation."""
        old = self.expectation
        self.expectation = min(1.0, max(0.0, old + self.us_burden * (before - after)))
        return self.expectation - old

    def step(self) -> None:
        """Trust drifts toward what NZ's stance supports; perhaps a chance event."""
        drift = self.model.params["partner.trust_drift"]
        self.trust_in_nz += drift * (self.supported_trust() - self.trust_in_nz)
        said = self.chance_event()
        if said:
            self.model.log(short_name(self.key), "partner occasion", f"{said}.")


#: A partner's own occasions with New Zealand.
OCCASIONS = ("training", "exercise", "visit")
#: Each occasion in words: (withdrawn or cancelled, given).
OCCASION_WORDS = {
    "training": ("{name} withdraws a training place it had offered New Zealand personnel",
                 "{name} offers New Zealand personnel a place on a training course"),
    "exercise": ("{name} leaves New Zealand out of an exercise it had joined before",
                 "{name} invites New Zealand to an exercise"),
    "visit": ("a ministerial visit between New Zealand and {name} is postponed",
              "a minister of {name} visits Wellington and praises the partnership"),
}

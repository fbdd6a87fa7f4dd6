"""The Government of New Zealand.

Between events it adjusts its stance by small steps chosen by a logit (softmax) rule over a
utility that weighs security benefit, expected trade, domestic approval and autonomy, and,
while Beijing coerces New Zealand, the audience cost of backing down before voters who blame
Beijing (Fearon 1994). The
weights depend on the governing bloc and rise with election proximity and recession: a
two-level game (Putnam 1988), with partners' pressure on one side and the domestic win-set on
the other. At a summit or decision the signals it sends move its stance (``nzsim.signals.alignment_push``).

References
----------
Fearon, J. D. (1994). Domestic political audiences and the escalation of international disputes.
*American Political Science Review* 88(3), 577-592. doi:10.2307/2944796
Putnam, R. D. (1988). Diplomacy and domestic politics: the logic of two-level games.
*International Organization* 42(3), 427-460. doi:10.1017/S0020818300027697
McFadden, D. (1974). Conditional logit analysis of qualitative choice behavior. In
*Frontiers in Econometrics*, 105-142.
"""

from __future__ import annotations

import mesa
import numpy as np

MOVES = (-1, 0, 1)
#: The terms of the government's utility, in the order in which they are weighed and summed.
TERMS = ("security", "trade", "approval", "autonomy", "resolve")


class Government(mesa.Agent):
    """The government: stance, interoperability, partnership, bloc and independence credibility."""

    def __init__(self, model):
        super().__init__(model)
        ctx = model.spec.context
        self.stance: float = ctx.initial_stance
        self.interoperability: float = ctx.initial_interoperability
        self.partnership: str = ctx.partnership
        self.partnership_week: int | None = None
        self.bloc: str = ctx.governing_bloc
        self.independence_credibility: float = model.params["government.credibility0"]
        self.last_move: int = 0
        #: the stance when the current dispute with Beijing began (None outside a dispute)
        self.dispute_stance: float | None = None

    # -- utility ----------------------------------------------------------------------------
    def _weights(self) -> tuple[float, ...]:
        """:meth:`weights` as a tuple in the order of :data:`TERMS`."""
        m = self.model
        p = m.params
        near = p["government.election_caution"] * m.election_proximity()
        recession = p["government.recession_caution"] if m.recession else 0.0
        return (
            p[f"government.weight_security.{self.bloc}"] + p["security.pressure_weight"] * m.security.pressure,
            p["government.weight_trade"] * (1 + recession) * (1 + near)
            + p["exporters.pressure_weight"] * m.exporters.pressure,
            p["government.weight_approval"] * (1 + near),
            p[f"government.weight_autonomy.{self.bloc}"],
            p["government.audience_cost"] * m.public.blame_beijing if self.dispute_stance is not None else 0.0,
        )

    def weights(self) -> dict[str, float]:
        """Effective weights this week: bloc weights, raised by pressure, recession and an election."""
        return dict(zip(TERMS, self._weights()))

    def _terms(self, stance: float) -> tuple[float, ...]:
        """:meth:`utility_terms` as a tuple in the order of :data:`TERMS`."""
        m = self.model
        start = self.dispute_stance
        return (
            (0.5 + 0.5 * m.us_commitment) * stance,
            -(m.spec.context.china_export_share / 0.3) * stance * (1 + 2 * m.exporters.perceived_risk),
            -4.0 * (stance - m.public.mean_ideal) ** 2,
            -stance,
            -max(0.0, start - stance) if start is not None else 0.0,
        )

    def utility_terms(self, stance: float) -> dict[str, float]:
        """Unweighted utility terms of holding ``stance``.

        security = (0.5 + 0.5 * us_commitment) * s;
        trade = -(share / 0.3) * s * (1 + 2 * exporters' perceived risk);
        approval = -4 * (s - mean ideal)^2;  autonomy = -s;
        resolve = -max(0, stance when the dispute began - s) (0 outside a dispute).
        """
        return dict(zip(TERMS, self._terms(stance)))

    def utility(self, stance: float, weights: dict[str, float] | tuple[float, ...] | None = None) -> float:
        """``sum_k weight_k * term_k`` (``weights`` as :meth:`weights` gives them, or as a tuple in
        the order of :data:`TERMS`)."""
        if weights is None:
            weights = self._weights()
        elif isinstance(weights, dict):
            weights = tuple(weights[k] for k in TERMS)
        return sum([w * term for w, term in zip(weights, self._terms(stance))])

    # -- rules ------------------------------------------------------------------------------
    def choose_stance(self) -> None:
        """Pick a move in {-step, 0, +step} with P(move) proportional to exp(U(stance + move) / T).

        Moves that would leave [0, 1] are not candidates (so at an edge the choice is between two).
        The draw is inverse-CDF over the cumulated probabilities, with one uniform from the model's
        generator.
        """
        p = self.model.params
        step = p["government.stance_step"]
        weights = self._weights()
        moves = [d for d in MOVES if 0.0 <= self.stance + d * step <= 1.0] or [0]
        candidates = [self.stance + d * step for d in moves]
        prob = choice_probabilities([self.utility(s, weights) for s in candidates], p["government.choice_temperature"])
        total = 0.0
        cumulative = []
        for q in prob:  # as numpy.cumsum and sum add them: in order
            total += q
            cumulative.append(total)
        u = self.model.rng.random() * total
        k = min(sum(1 for c in cumulative if c <= u), len(moves) - 1)  # numpy.searchsorted(..., side="right")
        self.last_move = moves[k]
        self.stance = candidates[k]

    def hear(self, heard) -> None:
        """A bundle of signals the government itself sent: it moves its own state (:meth:`send_signals`)."""
        self.send_signals(heard.levels, heard.push)

    def send_signals(self, levels: dict[str, float], push: float) -> None:
        """What sending a bundle of signals does to the government's own state.

        ``stance += push`` (clipped to [0, 1]); ``credibility += framing_credibility * framing
        - credibility_cost * max(0, stance change)``; ``interoperability += deployment_interop *
        (personnel level + partnership level)``; signing an ITPP records the week.
        """
        p = self.model.params
        before = self.stance
        self.stance = min(1.0, max(0.0, before + push))
        self.independence_credibility += p["government.framing_credibility"] * levels[
            "independence_framing"
        ] - p["government.credibility_cost"] * max(0.0, self.stance - before)
        self.independence_credibility = min(1.0, max(0.0, self.independence_credibility))
        bump = p["government.deployment_interop"] * (levels["personnel"] + levels["partnership_agreement"])
        self.interoperability = min(1.0, self.interoperability + bump)
        if levels["partnership_agreement"] and self.partnership != "itpp":
            self.partnership = "itpp"
            self.partnership_week = self.model.week

    def exercise_with_partner(self, change: float) -> None:
        """A partner's training place or exercise given (``change > 0``) or withdrawn: interoperability
        moves by ``change``, within [0, 1]."""
        self.interoperability = min(1.0, max(0.0, self.interoperability + change))

    def update_interoperability(self) -> None:
        """Interoperability drifts toward what partner access supports: ``access_per_trust * access``."""
        p = self.model.params
        target = p["partner.access_per_trust"] * self.model.access()
        self.interoperability += p["government.interop_decay"] * (target - self.interoperability)

    def recover_credibility(self) -> None:
        """Credibility relaxes toward ``1 - 0.5 * stance``."""
        rate = self.model.params["government.credibility_recovery"]
        self.independence_credibility += rate * ((1 - 0.5 * self.stance) - self.independence_credibility)

    def change_bloc(self, bloc: str) -> None:
        self.bloc = bloc

    def step(self) -> None:
        """The week's rules for the government."""
        self.update_interoperability()
        self.choose_stance()
        self.recover_credibility()


def softmax(values, temperature: float) -> np.ndarray:
    """Logit choice probabilities: ``exp(u_i / T) / sum_j exp(u_j / T)`` (stable form)."""
    return np.array(choice_probabilities(values, temperature))


def choice_probabilities(values, temperature: float) -> list[float]:
    """:func:`softmax` for a handful of values, as plain floats: each step rounded as NumPy's array
    code rounds it (NumPy's ``exp``; sums taken in order), at a fraction of its cost."""
    u = [v / temperature for v in values]
    top = max(u)
    e = np.exp([x - top for x in u]).tolist()
    total = 0.0
    for x in e:
        total += x
    return [x / total for x in e]


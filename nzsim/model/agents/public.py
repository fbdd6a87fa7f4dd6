"""The public: one Mesa agent that owns a population of voters held as numpy arrays.

Each voter has an ideal stance, a perception of China as a threat (a latent logit; the voter
"sees China as a threat" when it is positive), a sensitivity to trade pain, an attachment to
the independent foreign-policy tradition and a party lean. Each week event shocks to threat
perception fade with a half-life; bounded-confidence mixing (Deffuant et al. 2000) spreads
ideal stances; ideal stances drift with threat perception. Outputs: approval of the
government's foreign policy and the share who see China as a threat (comparable to the Asia New
Zealand Foundation survey series).

Voters are arrays, not agents, so 5,000 of them cost microseconds a week (docs/decisions.md, decision 1).

References
----------
Deffuant, G., Neau, D., Amblard, F., Weisbuch, G. (2000). Mixing beliefs among interacting
agents. *Advances in Complex Systems* 3, 87-98. doi:10.1142/S0219525900000078
"""

from __future__ import annotations

from statistics import NormalDist

import mesa
import numpy as np


class Public(mesa.Agent):
    """New Zealand's voters."""

    def __init__(self, model):
        super().__init__(model)
        ctx = model.spec.context
        rng = model.rng
        n = ctx.voters
        self.n = n
        #: party lean: 1 leans to the National-led bloc, 0 to the Labour-led bloc.
        self.lean = (rng.random(n) < 0.5).astype(np.int8)
        self.attachment = rng.beta(2.0, 2.0, n)
        self.trade_sensitivity = rng.beta(2.0, 3.0, n)
        #: latent threat logits: N(Phi^-1(share), 1) so that P(latent > 0) = the scenario's share.
        mu = NormalDist().inv_cdf(ctx.threat_share)
        self.threat_base = rng.normal(mu, 1.0, n)
        self.ideal0 = np.clip(0.55 - 0.3 * self.attachment + 0.15 * self.lean + rng.normal(0, 0.1, n), 0, 1)
        self.ideal = self.ideal0.copy()
        #: common event-driven shock to threat logits; fades with a half-life.
        self.threat_shock: float = 0.0
        self._bonus_key: tuple | None = None
        self._bonus: np.ndarray | None = None
        #: domestic salience of foreign policy; rises with events, fades with a half-life.
        self.salience: float = 0.0
        self.approval: float = 0.0
        self.threat_share: float = 0.0
        self.mean_ideal: float = 0.0
        self.measure()

    def shock(self, logit: float) -> None:
        """Move every voter's threat perception by ``logit`` (it fades later)."""
        self.threat_shock += logit

    def hear(self, heard) -> None:
        """A bundle of signals: foreign policy becomes more salient at home (:meth:`notice`)."""
        self.notice(heard.channels["domestic"])

    def notice(self, domestic: float) -> None:
        """Foreign policy becomes more salient at home (a summit, a statement)."""
        self.salience = max(0.0, self.salience + domestic)

    def threat(self) -> np.ndarray:
        """Each voter's perceived threat in (0, 1)."""
        return 1.0 / (1.0 + np.exp(-(self.threat_base + self.threat_shock)))

    def fade(self) -> None:
        keep = 0.5 ** (1.0 / self.model.params["public.threat_half_life_weeks"])
        self.threat_shock *= keep
        self.salience *= 0.5 ** (1.0 / self.model.params["public.salience_half_life_weeks"])

    def mix_opinions(self) -> None:
        """Deffuant bounded confidence: random pairs closer than epsilon move mu toward each other.

        Pairs are disjoint (no voter meets twice in a week), so each meeting conserves the pair's
        mean and mixing conserves the population's mean ideal, as in Deffuant et al. (2000).
        """
        p = self.model.params
        pairs = int(p["public.mixing_fraction"] * self.n / 2)
        if pairs == 0:
            return
        met = self.model.rng.choice(self.n, size=2 * pairs, replace=False)
        a, b = met[:pairs], met[pairs:]
        gap = self.ideal[b] - self.ideal[a]
        close = np.abs(gap) < p["public.confidence_bound"]
        move = p["public.convergence"] * gap * close
        self.ideal[a] += move
        self.ideal[b] -= move

    def drift_ideals(self) -> None:
        """Ideal stances relax toward ``ideal0 + threat_to_ideal * (threat - 0.5)``."""
        p = self.model.params
        anchor = self.ideal0 + p["public.threat_to_ideal"] * (self.threat() - 0.5)
        self.ideal += p["public.ideal_adjust"] * (anchor - self.ideal)
        np.clip(self.ideal, 0.0, 1.0, out=self.ideal)

    def measure(self) -> None:
        """Approval and threat share.

        A voter approves when ``-(1 + salience_weight * salience) * |stance - ideal| + independence_weight *
        attachment * credibility + partisan_weight * [lean matches bloc] - trade_pain_weight *
        sensitivity * loss_fraction > -tolerance``.
        """
        p = self.model.params
        gov = self.model.government
        if self._bonus_key != (gov.bloc, gov.independence_credibility):
            # the parts of the score that change only with the bloc or the credibility
            bloc_lean = 1 if gov.bloc == "national" else 0
            self._bonus = (
                p["public.independence_weight"] * gov.independence_credibility * self.attachment
                + p["public.partisan_weight"] * (self.lean == bloc_lean)
                + p["public.tolerance"]
            )
            self._bonus_key = (gov.bloc, gov.independence_credibility)
        score = self._bonus - (1.0 + p["public.salience_weight"] * self.salience) * np.abs(gov.stance - self.ideal)
        loss = self.model.loss_fraction()
        if loss:
            score -= p["public.trade_pain_weight"] * loss * self.trade_sensitivity
        self.approval = float(np.count_nonzero(score > 0)) / self.n
        self.mean_ideal = float(self.ideal.mean())
        self.threat_share = float(np.count_nonzero(self.threat_base > -self.threat_shock)) / self.n

    def step(self) -> None:
        """The week's rules for the public."""
        self.fade()
        self.mix_opinions()
        self.drift_ideals()
        self.measure()

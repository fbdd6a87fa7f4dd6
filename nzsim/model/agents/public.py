"""The public: one Mesa agent that owns a population of voters held as numpy arrays.

Each voter has an ideal stance, a perception of China as a threat (a latent logit; the voter
"sees China as a threat" when it is positive), a sensitivity to trade pain, an attachment to
the independent foreign-policy tradition, a party lean and an attention to news of China.

A voter's threat logit has three parts: a disposition fixed at set-up, a **memory** of
Beijing's conduct that lasts (it fades over years, ``public.memory_half_life_weeks``) and a
**shock** common to all that fades within weeks (``public.threat_half_life_weeks``). Conduct
toward New Zealand and the region (:mod:`nzsim.catalogue.conduct`) and a share of Beijing's own
acts toward New Zealand enter each voter's memory in proportion to the voter's attention; voters
who talk share their memories (social influence on perception, beside the bounded-confidence
mixing of stances of Deffuant et al. 2000); ideal stances drift with threat perception.

While Beijing coerces New Zealand (measures on goods or people, a freeze), each voter blames
either Beijing or the government: the threat the voter sees and attachment to the independent
tradition (national pride) pull toward Beijing; sensitivity to trade pain and a government stance
beyond the voter's ideal (it provoked Beijing) pull toward the government; partners who stand by
New Zealand pull toward Beijing. A voter who blames Beijing wants the government to hold firm, one
who blames the government wants it to give way (their ideal stances part while the dispute
lasts); a voter who blames Beijing holds little of the trade pain against the government and, at a
new measure, rallies round it (a bonus that fades: Mueller 1970;
Baker and Oneal 2001; Galtung 1967 on sanctions that unite their target).

Outputs: approval of the government's foreign policy, the share who see China as a threat
(comparable to the Asia New Zealand Foundation survey series) and the share who blame Beijing.

Voters are arrays, not agents, so 5,000 of them cost microseconds a week (docs/decisions.md, decision 1).

References
----------
Deffuant, G., Neau, D., Amblard, F., Weisbuch, G. (2000). Mixing beliefs among interacting
agents. *Advances in Complex Systems* 3, 87-98. doi:10.1142/S0219525900000078
Mueller, J. E. (1970). Presidential popularity from Truman to Johnson. *American Political
Science Review* 64(1), 18-34. doi:10.2307/1955610
Baker, W. D., Oneal, J. R. (2001). Patriotism or opinion leadership? The nature and origins of
the "rally 'round the flag" effect. *Journal of Conflict Resolution* 45(5), 661-687.
doi:10.1177/0022002701045005006
Galtung, J. (1967). On the effects of international economic sanctions, with examples from the
case of Rhodesia. *World Politics* 19(3), 378-416. doi:10.2307/2009785
"""

from __future__ import annotations

from statistics import NormalDist

import mesa
import numpy as np

from ...catalogue.conduct import parameter_names as conduct_parameter_names


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
        self.ideal0 = np.clip(0.55 + ctx.public_ideal_shift - 0.3 * self.attachment + 0.15 * self.lean + rng.normal(0, 0.1, n), 0, 1)
        self.ideal = self.ideal0.copy()
        #: attention to news of China: Gamma(2, 1/2), mean 1, so conduct moves the mean memory by its size.
        self.attention = rng.gamma(2.0, 0.5, n)
        #: each voter's own leaning in blame (logistic), fixed: who blames whom is stable week to week.
        self.blame_noise = rng.logistic(0.0, 1.0, n)
        #: what each voter remembers of Beijing's conduct (threat logit); fades over years.
        self.memory = np.zeros(n)
        #: common event-driven shock to threat logits; fades with a half-life.
        self.threat_shock: float = 0.0
        #: the rally round the government after a new measure: 1 at its start, fading.
        self.rally: float = 0.0
        #: partners standing by New Zealand in the current dispute (each pulls blame toward Beijing).
        self.solidarity: int = 0
        self._bonus_key: tuple | None = None
        self._bonus: np.ndarray | None = None
        #: domestic salience of foreign policy; rises with events, fades with a half-life.
        self.salience: float = 0.0
        self.approval: float = 0.0
        self.threat_share: float = 0.0
        self.mean_ideal: float = 0.0
        #: share of voters who blame Beijing while it coerces New Zealand (0 when it does not).
        self.blame_beijing: float = 0.0
        self._blames: np.ndarray | None = None  # who blames Beijing, in a dispute
        self.measure()

    # -- what voters hear ----------------------------------------------------------------------
    def shock(self, logit: float) -> None:
        """Move every voter's threat perception by ``logit`` (it fades within weeks)."""
        self.threat_shock += logit

    def remember(self, logit: float) -> None:
        """Move what voters remember of Beijing's conduct by ``logit`` on average, each voter in
        proportion to attention (it lasts, fading over years)."""
        if logit:
            self.memory += logit * self.attention

    def see_china_act(self, logit: float, measure: bool = False) -> None:
        """An act of Beijing's toward New Zealand: a shock of ``logit``, of which
        ``public.memory_share`` is also remembered for words and warmth (a statement, a warning),
        ``public.measure_memory_share`` for a ``measure`` (on goods or people, a freeze)."""
        self.shock(logit)
        share = self.model.params["public.measure_memory_share" if measure else "public.memory_share"]
        self.remember(share * logit)

    def see_conduct(self, kind: str, scale: float = 1.0) -> None:
        """Conduct of Beijing's toward New Zealand or the region (a ``china_conduct`` event). How
        strongly it registers is uncertain: ``scale`` is multiplied by ``exp(N(0, conduct_noise))``."""
        p = self.model.params
        memory, shock = conduct_parameter_names(kind)
        if p["public.conduct_noise"] > 0:
            scale *= float(np.exp(self.model.rng.normal(0.0, p["public.conduct_noise"])))
        self.remember(scale * p[memory])
        self.shock(scale * p[shock])

    def rally_round(self) -> None:
        """Beijing imposes a new measure: voters who blame it rally round the government."""
        self.rally = 1.0

    def hear(self, heard) -> None:
        """A bundle of signals: foreign policy becomes more salient at home (:meth:`notice`)."""
        self.notice(heard.channels["domestic"])

    def notice(self, domestic: float) -> None:
        """Foreign policy becomes more salient at home (a summit, a statement)."""
        self.salience = max(0.0, self.salience + domestic)

    # -- perception --------------------------------------------------------------------------
    def threat_logit(self) -> np.ndarray:
        """Each voter's threat logit: disposition + memory + the common shock."""
        return self.threat_base + self.memory + self.threat_shock

    def threat(self) -> np.ndarray:
        """Each voter's perceived threat in (0, 1)."""
        return 1.0 / (1.0 + np.exp(-self.threat_logit()))

    def fade(self) -> None:
        p = self.model.params
        self.threat_shock *= 0.5 ** (1.0 / p["public.threat_half_life_weeks"])
        self.memory *= 0.5 ** (1.0 / p["public.memory_half_life_weeks"])
        self.salience *= 0.5 ** (1.0 / p["public.salience_half_life_weeks"])
        self.rally *= 0.5 ** (1.0 / p["public.rally_half_life_weeks"])

    def mix_opinions(self) -> None:
        """Conversations: random disjoint pairs of voters share what they remember of Beijing's
        conduct (each closes ``perception_convergence`` of the gap), and those closer than
        epsilon in stance move their ideals toward each other (Deffuant bounded confidence).

        No voter meets twice in a week, so each meeting conserves the pair's mean and mixing
        conserves the population's mean ideal and mean memory, as in Deffuant et al. (2000).
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
        shared = p["public.perception_convergence"] * (self.memory[b] - self.memory[a])
        self.memory[a] += shared
        self.memory[b] -= shared

    def drift_ideals(self) -> None:
        """Ideal stances relax toward ``ideal0 + threat_to_ideal * (threat - 0.5)``; in a dispute
        with Beijing, plus ``dispute_polarisation`` for a voter who blames Beijing (hold firm) and
        minus it for one who blames the government (give way)."""
        p = self.model.params
        anchor = self.ideal0 + p["public.threat_to_ideal"] * (self.threat() - 0.5)
        if self._blames is not None:
            anchor = anchor + p["public.dispute_polarisation"] * np.where(self._blames, 1.0, -1.0)
        self.ideal += p["public.ideal_adjust"] * (anchor - self.ideal)
        np.clip(self.ideal, 0.0, 1.0, out=self.ideal)

    # -- blame and approval ---------------------------------------------------------------------
    def blames_beijing(self, logit: np.ndarray) -> np.ndarray:
        """Which voters blame Beijing rather than the government for its measures:
        ``blame_bias + blame_threat * threat logit + blame_pride * (attachment - 1/2) - blame_pain *
        (sensitivity - 2/5) - blame_provocation * max(0, stance - ideal) + blame_solidarity *
        partners standing by + own leaning > 0`` (2/5 is the mean sensitivity)."""
        p = self.model.params
        z = (p["public.blame_bias"] + p["public.blame_solidarity"] * self.solidarity + self.blame_noise
             + p["public.blame_threat"] * logit
             + p["public.blame_pride"] * (self.attachment - 0.5)
             - p["public.blame_pain"] * (self.trade_sensitivity - 0.4)
             - p["public.blame_provocation"] * np.maximum(0.0, self.model.government.stance - self.ideal))
        return z > 0

    def measure(self) -> None:
        """Approval, threat share and blame.

        A voter approves when ``-(1 + salience_weight * salience) * |stance - ideal| + independence_weight *
        attachment * credibility + partisan_weight * [lean matches bloc] - trade_pain_weight *
        sensitivity * loss_fraction * (1 - blame_shield * [blames Beijing]) + rally_weight * rally *
        [blames Beijing] > -tolerance``; who blames Beijing is asked only while Beijing coerces.
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
        logit = self.threat_logit()
        loss = self.model.loss_fraction()
        blames = self._blames = self.blames_beijing(logit) if self.model.china.coercing() else None
        self.blame_beijing = 0.0 if blames is None else float(np.count_nonzero(blames)) / self.n
        if loss:
            pain = p["public.trade_pain_weight"] * loss * self.trade_sensitivity
            score -= pain if blames is None else pain * (1.0 - p["public.blame_shield"] * blames)
        if blames is not None and self.rally > 1e-3:
            score += p["public.rally_weight"] * self.rally * blames
        self.approval = float(np.count_nonzero(score > 0)) / self.n
        self.mean_ideal = float(self.ideal.mean())
        self.threat_share = float(np.count_nonzero(logit > 0)) / self.n

    def step(self) -> None:
        """The week's rules for the public."""
        self.fade()
        self.mix_opinions()
        self.drift_ideals()
        self.measure()

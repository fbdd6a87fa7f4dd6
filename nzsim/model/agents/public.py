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
from . import voters


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
        #: domestic salience of foreign policy; rises with events, fades with a half-life.
        self.salience: float = 0.0
        self.approval: float = 0.0
        self.threat_share: float = 0.0
        self.mean_ideal: float = 0.0
        #: share of voters who blame Beijing while it coerces New Zealand (0 when it does not).
        self.blame_beijing: float = 0.0
        #: who blames Beijing, as last measured while it coerced; read only while ``_in_dispute``
        self._blames = np.zeros(n, dtype=np.bool_)
        self._in_dispute: bool = False
        self._no_meetings = np.zeros(0, dtype=np.int64)
        self._scratch = np.empty(n)  # the kernels' working array, reused every week
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

    # -- the week ----------------------------------------------------------------------------
    def fade(self) -> None:
        """The common quantities fade with their half-lives (what each voter remembers fades in
        :meth:`step`, with the voters' week)."""
        p = self.model.params
        self.threat_shock *= 0.5 ** (1.0 / p["public.threat_half_life_weeks"])
        self.salience *= 0.5 ** (1.0 / p["public.salience_half_life_weeks"])
        self.rally *= 0.5 ** (1.0 / p["public.rally_half_life_weeks"])

    def meetings(self) -> tuple[np.ndarray, int]:
        """Who talks this week: ``2 * pairs`` distinct voters drawn from the model's generator, the
        pairs being ``met[:pairs]`` with ``met[pairs:]``, ``pairs = mixing_fraction * n / 2``."""
        pairs = int(self.model.params["public.mixing_fraction"] * self.n / 2)
        if pairs == 0:
            return self._no_meetings, 0
        return self.model.rng.choice(self.n, size=2 * pairs, replace=False), pairs

    def mix_and_drift(self) -> None:
        """The voters' week (:func:`nzsim.model.agents.voters.week`): what each remembers fades
        (``public.memory_half_life_weeks``); conversations; ideal stances drift.

        Conversations: random disjoint pairs of voters share what they remember of Beijing's
        conduct (each closes ``perception_convergence`` of the gap), and those closer than
        epsilon in stance move their ideals toward each other (Deffuant bounded confidence). No
        voter meets twice in a week, so each meeting conserves the pair's mean and mixing
        conserves the population's mean ideal and mean memory, as in Deffuant et al. (2000).

        Drift: ideal stances relax (``ideal_adjust``) toward ``ideal0 + threat_to_ideal * (threat
        - 0.5)``; in a dispute with Beijing, plus ``dispute_polarisation`` for a voter who blames
        Beijing (hold firm) and minus it for one who blames the government (give way).
        """
        p = self.model.params
        met, pairs = self.meetings()
        scratch = self._scratch
        voters.talk(self.memory, self.ideal, self.threat_base, scratch, met, pairs,
                    0.5 ** (1.0 / p["public.memory_half_life_weeks"]), self.threat_shock, p["public.convergence"],
                    p["public.confidence_bound"], p["public.perception_convergence"])
        np.exp(scratch, out=scratch)
        voters.drift(self.ideal, self.ideal0, self._blames, scratch, p["public.threat_to_ideal"],
                     p["public.dispute_polarisation"], self._in_dispute, p["public.ideal_adjust"])

    def measure(self) -> None:
        """Approval, threat share and blame (:func:`nzsim.model.agents.voters.measure`).

        A voter approves when ``-(1 + salience_weight * salience) * |stance - ideal| + independence_weight *
        attachment * credibility + partisan_weight * [lean matches bloc] - trade_pain_weight *
        sensitivity * loss_fraction * (1 - blame_shield * [blames Beijing]) + rally_weight * rally *
        [blames Beijing] > -tolerance``; who blames Beijing is asked only while Beijing coerces:
        ``blame_bias + blame_threat * threat logit + blame_pride * (attachment - 1/2) - blame_pain *
        (sensitivity - 2/5) - blame_provocation * max(0, stance - ideal) + blame_solidarity *
        partners standing by + own leaning > 0`` (2/5 is the mean sensitivity).
        """
        p = self.model.params
        gov = self.model.government
        coercing = self.model.china.coercing()
        loss = self.model.loss_fraction()
        approvers, threatened, blaming = voters.measure(
            self.ideal, self.memory, self.threat_base, self.attachment, self.trade_sensitivity, self.lean,
            self.blame_noise, self._blames, self.threat_shock, gov.stance,
            p["public.independence_weight"] * gov.independence_credibility, 1 if gov.bloc == "national" else 0,
            p["public.partisan_weight"], p["public.tolerance"], 1.0 + p["public.salience_weight"] * self.salience,
            coercing, p["public.blame_bias"] + p["public.blame_solidarity"] * self.solidarity,
            p["public.blame_threat"], p["public.blame_pride"], p["public.blame_pain"], p["public.blame_provocation"],
            p["public.trade_pain_weight"] * loss if loss else 0.0, p["public.blame_shield"],
            p["public.rally_weight"] * self.rally if coercing and self.rally > 1e-3 else 0.0)
        self._in_dispute = coercing
        n = self.n
        self.blame_beijing = blaming / n
        self.approval = approvers / n
        self.mean_ideal = float(np.add.reduce(self.ideal)) / self.n  # as ndarray.mean sums
        self.threat_share = threatened / n

    def blamers(self) -> np.ndarray | None:
        """Which voters blame Beijing, as last measured while it coerces (None outside a dispute)."""
        return self._blames.copy() if self._in_dispute else None

    def step(self) -> None:
        """The week's rules for the public."""
        self.fade()
        self.mix_and_drift()
        self.measure()

"""China: a grievance on two timescales, an escalation ladder, and a wedge channel.

Each signal raises two things. Its *grievance* (the reaction to this signal) fades within
weeks toward a structural level set by NZ's stance; its *accumulated grievance* (the record of
affronts, "a run of grievances") fades over years. Beijing answers on an escalation ladder:
cordial, normal, official rebuke, warning, informal trade restriction, formal coercion.
Statements are cheap and common and answer the signal at hand, so they read the fast
grievance. Only affronts enter the record: the part of a signal's China salience beyond an
affront level (acts aimed at China, such as the laws, bans and inquiry call on Beijing's list of
Australia's grievances, not passing mentions at a summit). Trade measures are costly: they need
high grievance *and* a record of affronts (the accumulated grievance lowers their bar), a low
cost to China (substitutable goods go first) and value in making an example, as in Zhang (2019). Once imposed they stay while the
accumulated grievance keeps the bar low, so they last years, not weeks. Restraint can be
rewarded with warmth (the wedge channel), but not while a record of grievances is held.

Affronts are typed by the interest they touch and by who commits them
(:mod:`nzsim.catalogue.affronts`): an act at the highest level may bring a **freeze** of
high-level contact at once; only part of an act on Tibet or human rights, and of one below the
highest level, enters the record. Beijing has four instruments: the freeze, **restrictions on
people** (group tours, students), **informal** restrictions on goods and **formal** measures.
Its cost of punishing a target is per target: what China buys from it in the sectors it would
hit, as a share of China's imports, times how hard those goods are to replace. A **concession**
that meets Beijing's demand (a distancing statement, an apology, a release, a reversal) clears
most of the record and ends the measures within weeks; measures also end as their cost to China
mounts, and otherwise as the record fades (years, for a sustained campaign).

References
----------
Zhang, K. (2019). Cautious bully: Reputation, resolve, and Beijing's use of coercion in the
South China Sea. *International Security* 44(1), 117-159. doi:10.1162/isec_a_00354
(and the book *China's Gambit*, Cambridge University Press, 2023).
Hanson, F., Currey, E., Beattie, T. (2020). *The Chinese Communist Party's coercive
diplomacy*. ASPI Policy Brief 36.
Fuchs, A., Klann, N.-H. (2013). Paying a visit: The Dalai Lama effect on international trade.
*Journal of International Economics* 91(1), 164-177.
Chinese embassy in Canberra, list of 14 grievances with Australia, handed to 9News and reported
18 Nov 2020 (Kearsley, 9News; The Sydney Morning Herald; Guardian Australia, 20 Nov 2021).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa

from ...catalogue.affronts import ACTOR_KINDS, INTEREST_OF, record_weight
from ...catalogue.rungs import Rung  # re-exported: nzsim.model.agents.china.Rung
from ...catalogue.signals import SIGNALS
from ...catalogue.words import joined


#: Weeks a statement keeps the relationship at its rung; weeks warmth lasts.
STATEMENT_WEEKS = 4
WARMTH_WEEKS = 8
#: Weeks a concession keeps Beijing lifting its measures; weeks a freeze costs the target exports
#: (Fuchs and Klann 2013 found the trade effect gone after two years).
CONCESSION_WEEKS = 26
FREEZE_COST_WEEKS = 104
#: The interests whose affronts Beijing answers with words and a freeze more than with measures.
SYMBOLIC = ("tibet", "human_rights")


def logistic(x: float) -> float:
    if x < -50:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(slots=True)
class Restriction:
    """Trade measures on named sectors. ``weeks_left`` is None for measures Beijing lifts at will;
    ``record`` is the peak of Beijing's accumulated grievance while they have been in force (from
    its level when it imposed them; 0 for exogenous shocks)."""

    sectors: tuple[str, ...]
    fraction: float
    formal: bool
    imposed_week: int
    weeks_left: int | None = None
    record: float = 0.0


@dataclass(slots=True)
class Measure:
    """A freeze of high-level contact or a restriction on people (tourists and students), in
    force since ``imposed_week``; ``record`` is the peak of the record while in force."""

    kind: str  # "freeze" or "people"
    imposed_week: int
    record: float = 0.0


class China(mesa.Agent):
    """Beijing, as it responds to New Zealand."""

    def __init__(self, model):
        super().__init__(model)
        self.grievance: float = model.spec.context.initial_grievance
        self.accumulated: float = 0.0  # the record of this run's affronts (slow); see accumulate()
        self.rung: Rung = Rung.NORMAL
        self.restrictions: list[Restriction] = []
        self.freeze: Measure | None = None
        self.people: Measure | None = None
        self._statement: tuple[Rung, int] | None = None
        self._warm_until: int = 0
        self._concession: tuple[float, int] | None = None  # (level, week) of the last concession
        self.china_cost: float = self.cost_to_china()

    # -- parameters read in several places ------------------------------------------------
    @property
    def _p(self):
        return self.model.params

    def structural_grievance(self) -> float:
        return self._p["china.structural_grievance"] * self.model.government.stance

    def cost_to_china(self) -> float:
        """China's own cost of punishing the target's goods: ``100 * share_of_china_imports *
        sum(share_s * (1 - replaceability_s))`` over the sectors Beijing would hit (tiers 1 and
        2), in per cent of China's imports that it cannot readily replace. A small supplier of
        substitutable goods costs little; a large one of goods China needs, much; a target
        whose China sales are all spared (tier 0) has nothing to hit."""
        ctx = self.model.spec.context
        default = self._p["china.substitutability"]
        hit = sum(s.share * (1 - (default if s.china_replaceability is None else s.china_replaceability))
                  for s in ctx.sectors.values() if s.tier > 0)
        return 100 * ctx.share_of_china_imports * hit

    def trade_bar(self) -> float:
        """Grievance above which trade measures become likely: ``threshold + cost_weight *
        cost_to_china - example_weight * accumulated``, so a record of grievances lowers the
        bar grievance by grievance and a cheap target is punished sooner."""
        p = self._p
        return p["china.trade_threshold"] + p["china.cost_weight"] * self.china_cost - p["china.example_weight"] * self.accumulated

    def people_bar(self) -> float:
        """Grievance above which restrictions on tourists and students become likely:
        ``people_threshold + cost_weight * cost_to_china - example_weight * accumulated``. They
        cost China little in themselves, but a crisis with a large trading partner is dear
        whatever the instrument, so the target's cost to China raises this bar as it does the
        trade bar."""
        p = self._p
        return p["china.people_threshold"] + p["china.cost_weight"] * self.china_cost - p["china.example_weight"] * self.accumulated

    # -- rules ------------------------------------------------------------------------------
    def hear(self, heard) -> str:
        """A bundle of signals: Beijing takes its China salience (:meth:`receive`), with the part
        that enters the record (:meth:`record_salience`); an affront at the highest level may
        bring a freeze (:meth:`consider_freeze`); a concession eases the record (:meth:`concede`)."""
        text = self.receive(heard.channels["china"], trigger=heard.trigger, record=self.record_salience(heard))
        concession = heard.levels.get("concession", 0.0)
        if concession > 0:
            clause = self.concede(concession)
        elif self.at_highest_level(heard):
            clause = self.consider_freeze(heard.trigger)
        else:
            return text
        return f"{text.rstrip('.')}; {clause}" if clause else text

    def _affronts(self, heard):
        """The signals of a bundle that affront Beijing: (kind name, level, China coefficient) for
        each with a positive level and a positive coefficient."""
        p = self._p
        for kind in SIGNALS:
            level, coefficient = heard.levels.get(kind.name, 0.0), p.get(f"signal.{kind.name}.china", 0.0)
            if level > 0 and coefficient > 0:
                yield kind.name, level, coefficient

    def at_highest_level(self, heard) -> bool:
        """Whether a bundle affronts Beijing at the highest level: an affront kind whose actor is the
        head of state or government, or an older kind with China salience (an act of the government
        as a whole, as every summit and policy decision is)."""
        return any(name not in ACTOR_KINDS or heard.values.get(name) == "head" for name, _, _ in self._affronts(heard))

    def record_salience(self, heard) -> float:
        """The China salience of a bundle as the record takes it: the channel sum, less what an
        act below the highest level (``1 - china.record_below_head``) and the symbolic part of
        an act on Tibet or human rights (``1 - china.symbolic_record_share``) hold back."""
        p = self._p
        held_back = 0.0
        for name, level, coefficient in self._affronts(heard):
            share = record_weight(name, heard.values.get(name), p)
            if INTEREST_OF.get(name) in SYMBOLIC:
                share *= p["china.symbolic_record_share"]
            held_back += (1 - share) * coefficient * level
        return heard.channels["china"] - held_back

    def receive(self, salience: float, trigger: str, record: float | None = None) -> str:
        """Take in a signal's China salience (``record`` of it entering the record of affronts;
        all of it by default); maybe answer with a statement. Returns the story text."""
        p = self._p
        before = self.grievance
        self.grievance = max(0.0, before + p["china.grievance_per_salience"] * salience)
        self.accumulate(salience if record is None else record)
        if f"{before:.1f}" == f"{self.grievance:.1f}":
            text = f"Beijing's grievance holds at {self.grievance:.1f}"
        else:
            text = f"Beijing's grievance {'rises' if self.grievance > before else 'eases'} from {before:.1f} to {self.grievance:.1f}"
        if salience <= 0:
            return text + "."
        statement = self.choose_statement(salience)
        if statement is None:
            return text + "; no statement follows."
        recent = self.recent_statement()
        if recent is not None:
            statement = max(statement, recent)  # a rebuke does not undo a recent warning
        self._statement = (statement, self.model.week)
        self.model.public.see_china_act(p["public.warning_threat_shock" if statement is Rung.WARNING else "public.rebuke_threat_shock"])
        if statement is Rung.WARNING:
            what = f"China's ambassador issues a warning over {trigger}"
        else:
            what = f"the embassy calls {trigger} 'not helpful for deepening mutual trust'"
        self.model.log("China", statement.words, f"{what}.", quiet=True)
        return text + f"; {what}."

    def choose_statement(self, salience: float) -> Rung | None:
        """Draw Beijing's answer to an event that sent ``salience`` down the China channel.

        ``noticed = min(1, salience / statement_salience)``; a warning with
        ``P = noticed * logistic((g - theta_w) / s)``, else a rebuke with
        ``P = noticed * logistic((g - theta_r) / s)`` in all, else nothing.
        """
        p = self._p
        s = p["china.statement_scale"]
        noticed = min(1.0, salience / p["china.statement_salience"])
        p_warning = noticed * logistic((self.grievance - p["china.warning_threshold"]) / s)
        p_rebuke = max(p_warning, noticed * logistic((self.grievance - p["china.rebuke_threshold"]) / s))
        u = self.model.rng.random()
        if u < p_warning:
            return Rung.WARNING
        if u < p_rebuke:
            return Rung.REBUKE
        return None

    def consider_freeze(self, trigger: str) -> str:
        """After an affront at the highest level: a freeze of high-level contact with
        ``P = logistic((g - freeze_threshold) / freeze_scale)``. Returns the story's clause ("" for none)."""
        p = self._p
        if self.freeze is not None:
            return ""
        if self.model.rng.random() >= logistic((self.grievance - p["china.freeze_threshold"]) / p["china.freeze_scale"]):
            return ""
        self.freeze = Measure("freeze", self.model.week, record=self.accumulated)
        self.model.public.see_china_act(p["public.warning_threat_shock"], measure=True)
        self.model.coerced()
        what = f"Beijing suspends high-level contact and cancels dialogues over {trigger}"
        self.model.log("China", "diplomatic freeze", f"{what}.", quiet=True)
        return f"{what}."

    def concede(self, level: float) -> str:
        """A concession at ``level``: the record shrinks by ``concession_relief * level`` and for
        :data:`CONCESSION_WEEKS` Beijing lifts its measures with ``concession_lift_hazard * level``
        a week. Returns the story's clause."""
        self.accumulated *= 1 - self._p["china.concession_relief"] * level
        self._concession = (level, self.model.week)
        if self.freeze or self.people or self.restrictions:
            return "Beijing welcomes the gesture and signals that its measures will be eased."
        return "Beijing welcomes the gesture."

    def accumulate(self, salience: float) -> None:
        """Add an affront to the record: ``A += accumulation_per_salience * max(0, salience -
        affront_salience)``. Only the part of a signal's China salience beyond the affront level
        counts, so acts aimed at China (strong language, laws, bans: Australia's 2018-2020 run)
        build the record, while passing or moderate mentions draw a statement at most and leave
        little behind (New Zealand 2022-2025). A gesture of restraint (negative salience) eases
        the grievance of the moment, not the record."""
        p = self._p
        self.accumulated += p["china.accumulation_per_salience"] * max(0.0, salience - p["china.affront_salience"])

    def decay_grievance(self) -> None:
        """``g = g* + (g - g*) * 0.5 ** (1 / half_life)`` with ``g* = structural * stance``; the
        accumulated grievance fades toward 0 with its own, longer half-life."""
        p = self._p
        target = self.structural_grievance()
        keep = 0.5 ** (1.0 / p["china.grievance_half_life_weeks"])
        self.grievance = target + (self.grievance - target) * keep
        self.accumulated *= 0.5 ** (1.0 / p["china.accumulated_half_life_weeks"])

    def hazard(self, bar: float) -> float:
        """The weekly hazard of an economic measure whose bar is ``bar``: ``trade_max_hazard *
        logistic((g - bar) / trade_scale)``."""
        p = self._p
        return p["china.trade_max_hazard"] * logistic((self.grievance - bar) / p["china.trade_scale"])

    def consider_trade_measures(self) -> None:
        """Weekly hazard of informal restrictions, then of escalating them to formal coercion."""
        p = self._p
        bar = self.trade_bar()
        endogenous = [r for r in self.restrictions if r.weeks_left is None]
        if not endogenous:
            if self.model.rng.random() < self.hazard(bar):
                self.impose(tier=1, formal=False, fraction=p["china.restriction_fraction"])
        elif not any(r.formal for r in endogenous):
            formal_bar = bar + (p["china.formal_threshold"] - p["china.trade_threshold"])
            if self.model.rng.random() < self.hazard(formal_bar):
                self.impose(tier=2, formal=True, fraction=p["china.restriction_fraction"])

    def impose(self, tier: int, formal: bool, fraction: float) -> None:
        """Beijing's own measures on the sectors of ``tier`` (formal coercion falls back on the
        tier-1 sectors where no sector has tier 2)."""
        sectors = self.model.spec.context.sectors
        chosen = tuple(name for name, s in sectors.items() if s.tier == tier)
        if not chosen and formal:
            chosen = tuple(name for name, s in sectors.items() if s.tier == 1)
        if not chosen:
            return
        weekly = self._restrict(Restriction(chosen, fraction, formal, self.model.week, record=self.accumulated))
        self.model.log(
            "China",
            "formal coercion" if formal else "informal trade restriction",
            f"Beijing imposes {'tariffs and bans' if formal else 'customs delays and licence suspensions'} on "
            f"{_listed(chosen)} (grievance {self.grievance:.1f}, accumulated {self.accumulated:.1f}); "
            f"about NZ${weekly:.0f}m a week of exports at risk.",
        )

    def impose_exogenous(self, sectors: tuple[str, ...], fraction: float, weeks: int, formal: bool, label: str) -> None:
        """An exogenous coercion shock: measures for a fixed number of weeks, whatever the grievance."""
        weekly = self._restrict(Restriction(sectors, fraction, formal, self.model.week, weeks_left=weeks))
        self.model.log(
            "China",
            "formal coercion" if formal else "informal trade restriction",
            f"{label or 'A dispute outside the model'}: Beijing restricts {_listed(sectors)} "
            f"({fraction:.0%} of their China sales) for {weeks} weeks; about NZ${weekly:.0f}m a week lost.",
        )

    def _restrict(self, restriction: Restriction) -> float:
        """Put a restriction in force; the public takes it as a threat. Returns NZ$m a week at stake."""
        self.restrictions.append(restriction)
        self.model.public.see_china_act(self._p["public.coercion_threat_shock"], measure=True)
        self.model.coerced()
        return sum(self.model.exporters.weekly_value(s) for s in restriction.sectors) * restriction.fraction

    def consider_lifting(self) -> None:
        """Exogenous measures end on time (a measure of n weeks costs exports in exactly n weekly
        steps, counting the week it is imposed); Beijing's own are lifted step by step (formal first)
        with a weekly hazard once grievance is below the trade bar and the accumulated grievance
        has faded to ``china.lift_fraction`` of its peak while they have been in force (from the
        week they were imposed): measures stay while the record of grievances that brought or
        renewed them is fresh, so they last years, not weeks. Measured against the peak, not the
        level at imposition, because a record that was near zero then (measures brought by the
        grievance of the moment alone) and grew with a later affront would never fade below a
        fraction of that zero."""
        for r in list(self.restrictions):
            if r.weeks_left is not None and r.imposed_week < self.model.week:
                r.weeks_left -= 1
                if r.weeks_left <= 0:
                    self.restrictions.remove(r)
                    self.model.log("China", "restriction lifted", f"Beijing lifts the measures on {_listed(r.sectors)}.")
        p = self._p
        conceding = self.conceding()
        endogenous = [r for r in self.restrictions if r.weeks_left is None]
        for r in endogenous:
            r.record = max(r.record, self.accumulated)  # the peak while in force
        if endogenous:
            r = max(endogenous, key=lambda r: (r.formal, r.imposed_week))
            years = (self.model.week - r.imposed_week) / 52
            hazard = self._faded_hazard(max(r.record for r in endogenous), self.trade_bar()) \
                + p["china.cost_lift_rate"] * self.china_cost * years + conceding
            if self.model.rng.random() < hazard:
                self.restrictions.remove(r)
                self.model.log(
                    "China",
                    "restriction lifted",
                    f"Beijing lifts the measures on {_listed(r.sectors)} after {self.model.week - r.imposed_week} weeks "
                    f"({self._why_lifted(conceding)}).",
                )
        if self.people is not None:
            self.people.record = max(self.people.record, self.accumulated)
            hazard = self._faded_hazard(self.people.record, self.people_bar()) + conceding
            if self.model.rng.random() < hazard:
                weeks, self.people = self.model.week - self.people.imposed_week, None
                self.model.log("China", "people measures lifted",
                               f"Beijing lets group tours and students go again after {weeks} weeks "
                               f"({self._why_lifted(conceding)}).")
        if self.freeze is not None:
            hazard = (p["china.freeze_lift_hazard"] if self.grievance < p["china.freeze_threshold"] else 0.0) + conceding
            if self.model.rng.random() < hazard:
                weeks, self.freeze = self.model.week - self.freeze.imposed_week, None
                self.model.log("China", "freeze ended", f"High-level contact resumes after {weeks} weeks "
                               f"({self._why_lifted(conceding)}).")

    def _faded_hazard(self, peak: float, bar: float) -> float:
        """``china.lift_hazard`` once the record has faded to ``china.lift_fraction`` of its peak
        while the measure has been in force and the grievance is below the measure's bar; else 0."""
        p = self._p
        faded = self.accumulated <= p["china.lift_fraction"] * peak
        return p["china.lift_hazard"] if faded and self.grievance < bar else 0.0

    def conceding(self) -> float:
        """The weekly hazard a recent concession adds to lifting each measure (0 without one)."""
        if self._concession is None or self.model.week - self._concession[1] >= CONCESSION_WEEKS:
            return 0.0
        return self._p["china.concession_lift_hazard"] * self._concession[0]

    def _why_lifted(self, conceding: float) -> str:
        if conceding:
            return "after New Zealand's concession"
        return f"grievance {self.grievance:.1f}, accumulated {self.accumulated:.1f}"

    def consider_people_measures(self) -> None:
        """Weekly hazard of restricting group tours and students: :meth:`hazard` at :meth:`people_bar`."""
        p = self._p
        if self.people is not None:
            return
        if self.model.rng.random() < self.hazard(self.people_bar()):
            self.people = Measure("people", self.model.week, record=self.accumulated)
            self.model.public.see_china_act(p["public.coercion_threat_shock"], measure=True)
            self.model.coerced()
            weekly = self.model.exporters.people_weekly_nzd_m()
            self.model.log(
                "China", "people restrictions",
                f"Beijing tells tour operators to stop group tours and warns students against New Zealand "
                f"(grievance {self.grievance:.1f}, accumulated {self.accumulated:.1f}); about NZ${weekly:.0f}m a "
                f"week of visitors' and students' spending at risk.",
            )

    def consider_warmth(self) -> None:
        """The wedge channel: low grievance, no record of grievances above the same threshold and a
        restrained NZ may be rewarded with warmth."""
        p = self._p
        if self.restrictions or self.freeze or self.people or self.model.week < self._warm_until:
            return
        if self.grievance + self.accumulated < p["china.wedge_threshold"] and self.model.government.stance < 0.5:
            if self.model.rng.random() < p["china.wedge_hazard"]:
                self._warm_until = self.model.week + WARMTH_WEEKS
                self.model.exporters.growth += p["china.wedge_trade_boost"]
                self.model.public.see_china_act(p["public.warmth_threat_shock"])
                self.model.log(
                    "China",
                    "warmth",
                    f"Beijing welcomes a New Zealand trade delegation and praises its 'independent' policy; "
                    f"China exports grow {p['china.wedge_trade_boost']:.0%}.",
                )

    def recent_statement(self) -> Rung | None:
        """The last statement's rung if it was made fewer than :data:`STATEMENT_WEEKS` weeks ago."""
        if self._statement and self.model.week - self._statement[1] < STATEMENT_WEEKS:
            return self._statement[0]
        return None

    def coercing(self) -> bool:
        """Whether any measure against New Zealand is in force (on goods or people, or a freeze)."""
        return bool(self.restrictions) or self.people is not None or self.freeze is not None

    def update_rung(self) -> None:
        """The rung this week: the most severe of active measures, a recent statement, warmth, or
        normal. A freeze or a restriction on people keeps the rung at a warning at least: more
        than words, not yet measures on goods."""
        if any(r.formal for r in self.restrictions):
            self.rung = Rung.FORMAL_COERCION
        elif self.restrictions:
            self.rung = Rung.INFORMAL_RESTRICTION
        elif self.freeze or self.people:
            self.rung = max(Rung.WARNING, self.recent_statement() or Rung.WARNING)
        elif self.recent_statement() is not None:
            self.rung = self.recent_statement()
        elif self.model.week < self._warm_until:
            self.rung = Rung.CORDIAL
        else:
            self.rung = Rung.NORMAL

    def step(self) -> None:
        """The week's rules for Beijing."""
        self.decay_grievance()
        self.consider_lifting()
        self.consider_trade_measures()
        self.consider_people_measures()
        self.consider_warmth()
        self.update_rung()


#: The goods a sector key stands for, where the key alone does not say it (prose only).
SECTOR_GOODS = {
    "iron_ore": ("iron ore",),
    "lobster_timber_cotton": ("lobster", "timber", "cotton"),
    "barley_wine_beef": ("barley", "wine", "beef"),
    "other": ("other goods",),
}


def _goods(sector: str) -> tuple[str, ...]:
    """``logs_and_wood`` -> ``("logs", "wood")``: a sector key as the goods it names."""
    return SECTOR_GOODS.get(sector) or tuple(part.replace("_", " ") for part in sector.split("_and_"))


def _listed(sectors) -> str:
    """Sectors in prose, every good named once: ``coal, lobster, timber and cotton``."""
    return joined(good for sector in sectors for good in _goods(sector))

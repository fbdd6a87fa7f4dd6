"""The model: New Zealand between NATO interoperability, an independent foreign policy and China trade.

One step is one week. :meth:`NZModel.step` is the list of the week's rules. Parameters come
from the scenario (``parameters:`` and draws from ``uncertainties:``) over the defaults of the
parameter table (:mod:`nzsim.catalogue.parameters`); the model draws only from its own
generator. What it records each week is the catalogue of weekly variables
(:mod:`nzsim.catalogue.variables`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import mesa

from ..catalogue.parameters import resolve
from ..catalogue.partners import PARTNERS
from ..catalogue.variables import VARIABLES, Variable
from ..catalogue.words import joined
from ..scenario import Scenario, sample
from ..seeds import model_rng, parameter_rng
from . import events as event_rules
from .agents import China, Election, Exporters, Government, Partner, Public, SecurityEstablishment
from .mesa_bridge import to_mesa


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of the event log: what happened, to whom, in plain English, and where the week
    it happened in left Beijing, the public and the partners.

    The numbers are those of the entry's week as its weekly variables record them, filled in by
    the replication loop once the run is over (:func:`nzsim.runs.loop.with_numbers`): China's
    rung at the start of the week (``rung_before``: the end of the week before) and at its end
    (``rung_after``), and Beijing's grievance, the approval of the foreign policy and the
    partners' mean trust in New Zealand at the end of the week, each with its change over the
    week. Beijing sets its rung and voters give their approval once a week, at its end, so
    values read when the entry is logged would not show what the week's events did. An entry of
    a model stepped outside the loop (the dashboard's) has None.
    """

    week: int
    date: dt.date
    actor: str
    event: str
    description: str
    quiet: bool = False  # told inside another entry's line, so the story skips it
    rung_before: int | None = None
    rung_after: int | None = None
    grievance: float | None = None
    grievance_change: float | None = None
    approval: float | None = None
    approval_change: float | None = None
    trust: float | None = None
    trust_change: float | None = None


@dataclass(frozen=True)
class ParameterSet:
    """The parameter values of one replication: every parameter, and those drawn for it."""

    values: Mapping[str, float]
    sampled: Mapping[str, float]


def replication_parameters(spec: Scenario, seed: int, *, overrides: Mapping[str, float] | None = None,
                           drawn: Mapping[str, float] | None = None) -> ParameterSet:
    """The parameter values of one replication, in layers: the defaults of the table, with
    ``overrides`` in their place (as other defaults would be: a calibration's candidate set),
    then the scenario's fixed ``parameters:``, then the values of its ``uncertainties:``, drawn
    from the replication's own parameter stream or, where a design drew them, ``drawn`` (a
    nested design's parameter draw, a stored replication's values).
    """
    sampled = dict(drawn) if drawn is not None else sample(spec.uncertainties, parameter_rng(seed))
    return ParameterSet(resolve({**(overrides or {}), **spec.parameters, **sampled}), sampled)


class NZModel(mesa.Model):
    """New Zealand's foreign-policy tradeoffs, one week a step.

    Args:
        spec: a validated scenario (``nzsim.scenario.load``).
        seed: the replication's seed; parameter draws and the model's randomness derive from it
            (:mod:`nzsim.seeds`).
        params: the replication's :class:`ParameterSet` (from :func:`replication_parameters`), or
            parameter values to use instead of drawing the scenario's uncertainties (e.g. a
            design's draw), which override the scenario's fixed ``parameters:``, which override
            the defaults. Defaults to the scenario's values and draws.
    """

    #: Weekly variables this model records besides the catalogue's: a model that extends this one
    #: records its own actors' here (docs/architecture.md), after the catalogue's.
    own_variables: tuple[Variable, ...] = ()

    def __init__(self, spec: Scenario, seed: int = 0, params: ParameterSet | Mapping[str, float] | None = None):
        if not isinstance(params, ParameterSet):
            params = replication_parameters(spec, seed, drawn=params)
        super().__init__(scenario=to_mesa(spec, params.values, model_rng(seed)))
        self.spec = spec
        self.seed = seed
        self.params: dict[str, float] = dict(params.values)
        self.sampled: dict[str, float] = dict(params.sampled)
        self.week = 0
        self.date = spec.start
        self.entries: list[LogEntry] = []
        self._event_date: dt.date | None = None
        self.us_commitment: float = self.params["partner.us_commitment"]
        #: whether a dispute with Beijing is on (a measure against New Zealand in force)
        self.dispute: bool = False
        #: how many disputes (runs of weeks under Beijing's measures) have begun
        self.disputes: int = 0
        self._partners_to_answer: bool = False
        #: the economy is in recession in weeks before this one
        self.recession_until: int = 1 + spec.context.recession_weeks if spec.context.recession else 0
        self._calendar = self._schedule(spec)
        self._election_weeks = sorted(spec.week_of(e.date) for e in spec.events.values() if e.kind == "election")

        # Actors. Public measures approval at set-up, so it comes after those it reads.
        self.government = Government(self)
        for key in PARTNERS:
            Partner(self, key)
        self.partners = self.agents_by_type[Partner]
        self.partner = {p.key: p for p in self.partners}
        self.china = China(self)
        self.exporters = Exporters(self)
        self.security = SecurityEstablishment(self)
        self.public = Public(self)
        self.election = Election(self)
        #: Who hears a bundle of signals, in this order (:func:`nzsim.model.signals.broadcast`).
        self.listeners: list = [self.government, *self.partners, self.public, self.china]
        #: Actors a model that extends this one adds (:meth:`add_actors`): each steps every week
        #: after the core actors, in the order added.
        self.others: list = []
        self.add_actors()

        # Week 0 records what the interest groups would press for at the start.
        self.exporters.update_pressure()
        self.security.step()

        self.datacollector = ScalarDataCollector(model_reporters=reporters(self.own_variables))
        self.datacollector.collect(self)

    def add_actors(self) -> None:
        """Add the actors of a model that extends this one, after the core actors and before the
        first week is recorded: each to :attr:`others` (it steps every week) and, if it hears
        signals, to :attr:`listeners`. This model adds none."""

    # -- calendar ---------------------------------------------------------------------------
    @staticmethod
    def _schedule(spec: Scenario) -> dict[int, list[tuple[str, object]]]:
        calendar: dict[int, list[tuple[str, object]]] = {}
        for key, event in sorted(spec.events.items(), key=lambda kv: (kv[1].date, kv[0])):
            calendar.setdefault(spec.week_of(event.date), []).append((key, event))
        return calendar

    @property
    def recession(self) -> bool:
        return self.week < self.recession_until

    def election_proximity(self) -> float:
        """``exp(-weeks_to_next_election / horizon)``, or 0 with no election ahead."""
        ahead = [w for w in self._election_weeks if w > self.week or (w == self.week and self.election.week != w)]
        if not ahead:
            return 0.0
        return math.exp(-(ahead[0] - self.week) / self.params["government.election_horizon_weeks"])

    # -- shared quantities ------------------------------------------------------------------
    def mean_trust(self) -> float:
        partners = self.partner.values()  # a plain dict view: cheaper to walk than the AgentSet
        return sum(p.trust_in_nz for p in partners) / len(partners)

    def access(self) -> float:
        """Partner access: ``sum_i trust_i * w_i / n`` (the US weight is its commitment)."""
        partners = self.partner.values()
        return sum(p.trust_in_nz * p.access_weight for p in partners) / len(partners)

    def loss_fraction(self) -> float:
        """This week's lost China exports as a fraction of a normal week's."""
        normal = self.exporters.weekly_china_exports_nzd_m
        return self.exporters.lost_this_week_nzd_m / normal if normal > 0 else 0.0

    def coerced(self) -> None:
        """Beijing has put a new measure against New Zealand in force. Voters who blame Beijing
        rally round the government; at the start of a dispute each partner decides whether to
        stand by New Zealand, and those who do take some of the goods China turns away and pull
        voters' blame toward Beijing."""
        self.public.rally_round()
        if not self.dispute:
            self.dispute = True
            self.disputes += 1
            self._partners_to_answer = True
            self.government.dispute_stance = self.government.stance

    def partners_answer(self) -> None:
        """At the start of a dispute (after the week's measures are told), each partner decides
        whether to stand by New Zealand (:meth:`Partner.consider_standing_by`)."""
        self._partners_to_answer = False
        standing = [p for p in self.partners if p.consider_standing_by()]
        self.public.solidarity = len(standing)
        self.exporters.partner_support = min(1.0, self.params["partner.market_support"] * len(standing))
        if standing:
            names = [p.name for p in standing]
            who = joined(names)
            many = len(names) > 1
            markets = (f", and {'their markets take' if many else 'its market takes'} some of the goods China "
                       f"turns away" if self.china.restrictions else "")
            self.log("Partners", "solidarity",
                     f"{who[0].upper()}{who[1:]} {'stand' if many else 'stands'} by New Zealand: "
                     f"{'statements' if many else 'a statement'} against Beijing's pressure{markets}.")
        else:
            self.log("Partners", "solidarity", "No partner speaks up for New Zealand against Beijing's measures.")

    def end_dispute(self) -> None:
        """Every measure against New Zealand has been lifted: partners' support ends with the dispute."""
        self.dispute = False
        self.government.dispute_stance = None
        for p in self.partners:
            p.standing_by = False
        self.public.solidarity = 0
        self.exporters.partner_support = 0.0

    def log(self, actor: str, event: str, description: str, date: dt.date | None = None, quiet: bool = False):
        when = date or self._event_date or self.date
        self.entries.append(LogEntry(self.week, when, actor, event, description, quiet))

    # -- the week -----------------------------------------------------------------------------
    def step(self) -> None:
        """One week."""
        self.advance_calendar()
        self.hold_scheduled_events()
        self.china.step()
        if self._partners_to_answer:
            self.partners_answer()
        if self.dispute and not self.china.coercing():
            self.end_dispute()
        self.exporters.step()
        self.security.step()
        for partner in self.partner.values():  # in the AgentSet's order, without its dispatch
            partner.step()
        self.government.step()
        self.public.step()
        for actor in self.others:  # the actors a model that extends this one adds
            actor.step()
        self.datacollector.collect(self)
        if self.week >= self.spec.horizon_weeks:
            self.running = False

    def advance_calendar(self) -> None:
        self.week += 1
        self.date = self.spec.date_of_week(self.week)

    def hold_scheduled_events(self) -> None:
        for key, event in self._calendar.get(self.week, ()):
            self._event_date = event.date
            event_rules.apply(self, key, event)
        self._event_date = None


class ScalarDataCollector(mesa.DataCollector):
    """Mesa's DataCollector for model reporters that return plain numbers.

    Mesa deep-copies every reported value so that mutable values are not shared between steps;
    the reporters here return floats and ints, which need no copy, and the copies cost about a
    tenth of a replication's time. Anything else falls back to Mesa's own collection.
    """

    def collect(self, model) -> None:
        if self.agent_reporters or self.agenttype_reporters or not self._validated:
            super().collect(model)
            return
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        for name, reporter in self.model_reporters.items():
            self.model_vars[name].append(reporter(model))


def reporters(own: Sequence[Variable] = ()) -> dict:
    """The DataCollector's model reporters: each weekly variable of the catalogue, in its order,
    then a model's ``own`` (:attr:`NZModel.own_variables`)."""
    return {variable.name: variable.report for variable in (*VARIABLES, *own)}

"""The model: New Zealand between NATO interoperability, an independent foreign policy and China trade.

One step is one week. :meth:`NZModel.step` is the list of the week's rules. Parameters come
from the scenario (``parameters:`` and draws from ``uncertainties:``) over the defaults in
``nzsim.parameters``; the model draws only from its own generator.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Mapping

import mesa
import numpy as np

from . import events as event_rules
from .agents import China, Election, Exporters, Government, Partner, Public, SecurityEstablishment
from .mesa_bridge import to_mesa
from .parameters import PARTNERS, resolve
from .scenario import Election as ElectionEvent
from .scenario import Scenario
from .uncertainty import sample


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of the event log: what happened, to whom, in plain English."""

    week: int
    date: dt.date
    actor: str
    event: str
    description: str
    quiet: bool = False  # told inside another entry's line, so the story skips it


def streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """The replication's two generators: one for parameter draws, one for the model."""
    param_ss, model_ss = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(param_ss), np.random.default_rng(model_ss)


def replication_parameters(spec: Scenario, seed: int) -> tuple[dict[str, float], dict[str, float]]:
    """The parameter values of one replication: (all values, the sampled ones)."""
    param_rng, _ = streams(seed)
    sampled = sample(spec.uncertainties, param_rng)
    return resolve({**spec.parameters, **sampled}), sampled


class NZModel(mesa.Model):
    """New Zealand's foreign-policy tradeoffs, one week a step.

    Args:
        spec: a validated scenario (``nzsim.scenario.load``).
        seed: the replication's seed; parameter draws and the model's randomness derive from it.
        params: parameter values to use instead of drawing the scenario's uncertainties (e.g.
            from a sensitivity design); they override the scenario's fixed ``parameters:``,
            which override the defaults. Defaults to the scenario's values and draws.
    """

    def __init__(self, spec: Scenario, seed: int = 0, params: Mapping[str, float] | None = None):
        sampled: dict[str, float] = {}
        if params is None:
            params, sampled = replication_parameters(spec, seed)
        else:
            params = resolve({**spec.parameters, **params})
        _, model_rng = streams(seed)
        super().__init__(scenario=to_mesa(spec, params, model_rng))
        self.spec = spec
        self.seed = seed
        self.params: dict[str, float] = dict(params)
        self.sampled = sampled
        self.week = 0
        self.date = spec.start
        self.entries: list[LogEntry] = []
        self._event_date: dt.date | None = None
        self.us_commitment: float = params["partner.us_commitment"]
        #: the economy is in recession in weeks before this one
        self.recession_until: int = 1 + spec.context.recession_weeks if spec.context.recession else 0
        self._calendar = self._schedule(spec)
        self._election_weeks = sorted(
            spec.week_of(e.date) for e in spec.events.values() if isinstance(e, ElectionEvent)
        )

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

        # Week 0 records what the interest groups would press for at the start.
        self.exporters.update_pressure()
        self.security.step()

        self.datacollector = ScalarDataCollector(model_reporters=REPORTERS)
        self.datacollector.collect(self)

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

    def log(self, actor: str, event: str, description: str, date: dt.date | None = None, quiet: bool = False):
        when = date or self._event_date or self.date
        self.entries.append(LogEntry(self.week, when, actor, event, description, quiet))

    # -- the week -----------------------------------------------------------------------------
    def step(self) -> None:
        """One week."""
        self.advance_calendar()
        self.hold_scheduled_events()
        self.china.step()
        self.exporters.step()
        self.security.step()
        self.partners.do("step")
        self.government.step()
        self.public.step()
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


REPORTERS = {
    "stance": lambda m: m.government.stance,
    "interoperability": lambda m: m.government.interoperability,
    "independence_credibility": lambda m: m.government.independence_credibility,
    "partner_trust_mean": lambda m: m.mean_trust(),
    **{f"trust_{key}": (lambda k: lambda m: m.partner[k].trust_in_nz)(key) for key in PARTNERS},
    "china_grievance": lambda m: m.china.grievance,
    "china_rung": lambda m: int(m.china.rung),
    "approval": lambda m: m.public.approval,
    "threat_share": lambda m: m.public.threat_share,
    "exports_lost_week_nzd_m": lambda m: m.exporters.lost_this_week_nzd_m,
    "exporters_pressure": lambda m: m.exporters.pressure,
    "security_pressure": lambda m: m.security.pressure,
    "recession": lambda m: int(m.recession),
    "us_commitment": lambda m: m.us_commitment,
    "bloc_national": lambda m: int(m.government.bloc == "national"),
}

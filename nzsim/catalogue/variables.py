"""The catalogue of weekly variables: what the model records every week, declared once.

Each :class:`Variable` names a model-level quantity, says how to read it from the model
(:attr:`Variable.report`, what Mesa's DataCollector calls after each step) and how to show it
(a panel title, a value axis, plain words, and whether it reads in per cent, takes whole values
or cannot be negative). The model's DataCollector, the trajectories table of a run folder, the
fan charts, the dashboard's live plots and the validation targets all read it from here, so a
new weekly variable is one :func:`add`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .partners import PARTNERS, short_name
from .registry import Registry


@dataclass(frozen=True, kw_only=True)
class Variable:
    """One weekly variable.

    Attributes:
        name: the name in the trajectories table.
        report: the value this week, read from the model.
        title: a panel's title ("Interoperability with partners").
        unit: the value axis's label ("interoperability (0 = none, 1 = full)").
        words: plain words, as a legend says them ("interoperability with partners").
        percent: a share, read in per cent.
        whole: takes whole values (ticks are whole numbers).
        from_zero: cannot be negative (the value axis starts at zero).
    """

    name: str
    report: Callable[[Any], float]
    title: str
    unit: str
    words: str = ""
    percent: bool = False
    whole: bool = False
    from_zero: bool = False


VARIABLES: Registry[Variable] = Registry("weekly variable")


def add(variable: Variable) -> Variable:
    """Add a weekly variable (recorded after the others)."""
    return VARIABLES.add(variable)


def remove(name: str) -> Variable:
    return VARIABLES.remove(name)


_TRUST = "trust (0 = none, 1 = full)"


def _trust_of(key: str) -> Callable[[Any], float]:
    return lambda m: m.partner[key].trust_in_nz


_CORE = [
    Variable(name="stance", report=lambda m: m.government.stance, title="NZ's stance on China",
             unit="stance (0 = hedges, 1 = aligns)", words="stance toward partners (0 hedges, 1 aligns)"),
    Variable(name="interoperability", report=lambda m: m.government.interoperability,
             title="Interoperability with partners", unit="interoperability (0 = none, 1 = full)",
             words="interoperability with partners"),
    Variable(name="independence_credibility", report=lambda m: m.government.independence_credibility,
             title="Credibility of the independent policy", unit="credibility (0 = none, 1 = full)",
             words="credibility of the independent foreign policy"),
    Variable(name="partner_trust_mean", report=lambda m: m.mean_trust(), title="Partners' trust in NZ",
             unit="mean trust of six partners (0-1)", words="partners' trust in NZ"),
    *(Variable(name=f"trust_{key}", report=_trust_of(key), title=f"{short_name(key)}'s trust in NZ", unit=_TRUST,
               words=f"{short_name(key)}'s trust in NZ") for key in PARTNERS),
    Variable(name="china_grievance", report=lambda m: m.china.grievance, title="China's grievance",
             unit="grievance (index, 0 = none)", words="Beijing's grievance", from_zero=True),
    Variable(name="china_rung", report=lambda m: int(m.china.rung), title="China's rung on the ladder",
             unit="rung (0 = cordial, 5 = formal coercion)", words="China's rung on the escalation ladder", whole=True),
    Variable(name="approval", report=lambda m: m.public.approval, title="Approval of NZ's foreign policy",
             unit="approval (% of voters)", words="approve of the foreign policy", percent=True),
    Variable(name="threat_share", report=lambda m: m.public.threat_share, title="Threat perception",
             unit="voters who see China as a threat (%)", words="see China as a threat", percent=True),
    Variable(name="blame_beijing", report=lambda m: m.public.blame_beijing, title="Voters who blame Beijing",
             unit="voters who blame Beijing for its measures (%; 0 without measures)",
             words="blame Beijing for its measures (0 without measures)", percent=True),
    Variable(name="partners_standing_by", report=lambda m: sum(p.standing_by for p in m.partner.values()),
             title="Partners standing by NZ", unit="partners (0-6)",
             words="partners standing by New Zealand against Beijing's measures", whole=True, from_zero=True),
    Variable(name="exports_lost_week_nzd_m", report=lambda m: m.exporters.lost_this_week_nzd_m,
             title="Exports lost to China each week", unit="NZ$ million a week", words="exports lost this week",
             from_zero=True),
    Variable(name="china_freeze", report=lambda m: int(m.china.freeze is not None), title="High-level contact frozen",
             unit="frozen (0 = no, 1 = yes)", words="Beijing freezes high-level contact", whole=True),
    Variable(name="china_people_measures", report=lambda m: int(m.china.people is not None),
             title="Tourists and students restricted", unit="restricted (0 = no, 1 = yes)",
             words="Beijing restricts group tours and students", whole=True),
    Variable(name="coercion_cost_week_nzd_m", report=lambda m: m.exporters.coercion_cost_this_week_nzd_m,
             title="Cost of Beijing's measures each week", unit="NZ$ million a week",
             words="cost of Beijing's measures this week (goods, people, freeze)", from_zero=True),
    Variable(name="exporters_pressure", report=lambda m: m.exporters.pressure,
             title="Exporters' pressure on the government", unit="pressure (index)",
             words="exporters (for caution on China)", from_zero=True),
    Variable(name="security_pressure", report=lambda m: m.security.pressure,
             title="Security establishment's pressure", unit="pressure (index)",
             words="security establishment (for interoperability)", from_zero=True),
    Variable(name="recession", report=lambda m: int(m.recession), title="In recession",
             unit="in recession (0 = no, 1 = yes)", words="in recession", whole=True),
    Variable(name="us_commitment", report=lambda m: m.us_commitment, title="US commitment to its partners",
             unit="commitment (1 = as usual)", words="US commitment to the Indo-Pacific"),
    Variable(name="bloc_national", report=lambda m: int(m.government.bloc == "national"),
             title="National-led government", unit="National-led (0 = no, 1 = yes)",
             words="a National-led government", whole=True),
]
for _variable in _CORE:
    VARIABLES.add(_variable, origin=__name__)

#: The variables the fan charts of a run draw by default.
FAN_CHARTS: tuple[str, ...] = (
    "stance", "interoperability", "partner_trust_mean", "china_grievance", "approval", "threat_share",
)

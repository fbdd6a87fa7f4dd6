"""What each kind of scheduled event does to the model, and the plain-English line it logs.

One function per event kind; :func:`apply` dispatches on the event's class. Signal events
(summits, policy decisions, bilateral statements) go through :func:`send_signals`, which turns
signals into levels and channels (``nzsim.signals``) and hands each channel to the actors who
listen on it.
"""

from __future__ import annotations

from . import signals as sig
from .partners import NAMES
from .scenario import (
    BilateralStatement,
    CoercionShock,
    Custom,
    Election,
    NatoSummit,
    PolicyDecision,
    Recession,
    USPolicyShift,
)


def title(key: str, event) -> str:
    """The event's label, or its id made readable."""
    return event.label or key.replace("_", " ").replace("-", " ").title()


def send_signals(model, signals, trigger: str, at_summit: bool = False, partner_weights=None) -> str:
    """Apply a bundle of signals; return what partners and Beijing did, in words."""
    p = model.params
    levels = sig.levels(signals)
    ch = sig.channels(levels, p)
    push = sig.alignment_push(ch, p, at_summit)
    gov = model.government
    stance_before = gov.stance
    trust_before = model.mean_trust()
    gov.send_signals(levels, push)
    for partner in model.partners:
        weight = 1.0 if partner_weights is None else partner_weights(partner)
        partner.judge_contribution(
            ch.partners, levels["china_language"], levels["independence_framing"], weight, at_summit=at_summit
        )
    model.public.notice(ch.domestic)
    china_text = model.china.receive(ch.china, trigger=trigger)
    return (
        f"{china_text[0].upper()}{china_text[1:]} Partners' trust {_moves(trust_before, model.mean_trust())}; "
        f"the government's stance {_moves(stance_before, gov.stance)}."
    )


def _moves(before: float, after: float) -> str:
    if round(before, 2) == round(after, 2):
        return f"holds at {after:.2f}"
    return f"{'rises' if after > before else 'falls'} from {before:.2f} to {after:.2f}"


def _extras(signals) -> str:
    parts = []
    if signals.ukraine_package_nzd_m:
        parts.append(f"commits NZ${signals.ukraine_package_nzd_m:g}m to Ukraine")
    if signals.personnel:
        parts.append(f"deploys {signals.personnel} personnel")
    if signals.partnership_agreement:
        parts.append("signs an Individually Tailored Partnership Programme with NATO")
    if signals.ip4_cooperation == "dialogue":
        parts.append("joins the IP4 dialogue")
    elif signals.ip4_cooperation == "joint_projects":
        parts.append("commits to joint IP4 projects")
    if signals.aukus_pillar2 == "explore":
        parts.append("says it will explore AUKUS Pillar II")
    elif signals.aukus_pillar2 == "join":
        parts.append("joins AUKUS Pillar II")
    if signals.defence_pledge_pct_gdp:
        parts.append(f"pledges defence spending of {signals.defence_pledge_pct_gdp:g}% of GDP more")
    if not parts:
        return ""
    return "; New Zealand " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0])


def _and(parts: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    parts = [p for p in parts if p]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def _said(signals, always_china: bool = False) -> list[str]:
    """What the words of a bundle say, as verb phrases (empty when they say nothing)."""
    china = signals.china_language != "none" or always_china
    return [
        sig.CHINA_LANGUAGE_WORDS[signals.china_language] if china else "",
        sig.FRAMING_WORDS[signals.independence_framing],
    ]


def summit_name(key: str, event: NatoSummit) -> str:
    """``the Vilnius summit``; a label that already says "summit" or starts with "The" is kept."""
    name = title(key, event)
    if not name.lower().endswith("summit"):
        name += " summit"
    return name if name.lower().startswith("the ") else f"the {name}"


def nato_summit(model, key: str, event: NatoSummit) -> None:
    s = event.signals
    name = summit_name(key, event)
    if s.attendance == "none":
        words = _and(_said(s))
        opening = f"New Zealand stays away from {name}" + (f"; from Wellington the government {words}" if words else "")
        trigger = f"New Zealand's signals around {name}"
    else:
        who = "the Prime Minister attends" if s.attendance == "leader" else "a minister represents New Zealand at"
        opening = _and([f"{who} {name}", *_said(s, always_china=True)])
        trigger = f"New Zealand's remarks at {name}"
    text = send_signals(model, s, trigger=trigger, at_summit=True)
    model.log("Government", "nato summit", f"{opening}{_extras(s)}. {text}", date=event.date)


def policy_decision(model, key: str, event: PolicyDecision) -> None:
    s = event.signals
    what = title(key, event)
    text = send_signals(model, s, trigger=what)
    said = _and(_said(s))
    # the government, not the decision, is who speaks: "announces the laws and condemns China's coercion"
    opening = f"the government announces {what}" + (f" and {said}" if said else "")
    model.log("Government", "policy decision", f"{opening}{_extras(s)}. {text}", date=event.date)


def bilateral_statement(model, key: str, event: BilateralStatement) -> None:
    s = event.signals
    partner = NAMES[event.partner]
    text = send_signals(
        model, s, trigger=f"the joint statement with {partner}",
        partner_weights=lambda p: 1.0 if p.key == event.partner else 0.5,
    )
    said = _and(_said(s))
    label = f" ({event.label})" if event.label else ""
    opening = f"a joint statement with {partner}{label} " + (said if said else "is issued")
    model.log("Government", "bilateral statement", f"{opening}{_extras(s)}. {text}", date=event.date)


def coercion_shock(model, key: str, event: CoercionShock) -> None:
    model.china.impose_exogenous(event.sectors, event.fraction, event.duration_weeks, event.formal, event.label)


def recession(model, key: str, event: Recession) -> None:
    model.recession_until = max(model.recession_until, model.week + event.duration_weeks)
    model.log(
        "Economy",
        "recession",
        f"{event.label or 'the economy enters recession'}, expected to last {event.duration_weeks} weeks.",
        date=event.date,
    )


def us_policy_shift(model, key: str, event: USPolicyShift) -> None:
    before = model.us_commitment
    model.us_commitment = event.commitment
    direction = "retreats from" if event.commitment < before else "recommits to"
    model.log(
        "United States",
        "us policy shift",
        f"{event.label or 'Washington'} {direction} the Indo-Pacific (commitment {before:.2f} to {event.commitment:.2f}).",
        date=event.date,
    )


def election(model, key: str, event: Election) -> None:
    text = model.election.hold(event.incumbent_baseline)
    model.log("Voters", "election", f"{title(key, event)}: {text}", date=event.date)


def custom(model, key: str, event: Custom) -> None:
    trust_before = model.mean_trust()
    threat_before = model.public.threat_share
    for partner in model.partners:
        partner.credit(event.partners)
    model.public.notice(event.domestic)
    model.public.shock(event.threat_shock)
    model.public.measure()
    china_text = model.china.receive(event.china, trigger=title(key, event)) if event.china else ""
    what = event.description or title(key, event)
    parts = [f"{what}."]
    if china_text:
        parts.append(f"{china_text[0].upper()}{china_text[1:]}")
    if event.partners:
        parts.append(f"Partners' trust {_moves(trust_before, model.mean_trust())}.")
    if event.threat_shock:
        parts.append(f"The share who see China as a threat {_moves(threat_before, model.public.threat_share)}.")
    model.log("World", "custom", " ".join(parts), date=event.date)


HANDLERS = {
    NatoSummit: nato_summit,
    PolicyDecision: policy_decision,
    BilateralStatement: bilateral_statement,
    CoercionShock: coercion_shock,
    Recession: recession,
    USPolicyShift: us_policy_shift,
    Election: election,
    Custom: custom,
}


def apply(model, key: str, event) -> None:
    """Carry out one scheduled event."""
    HANDLERS[type(event)](model, key, event)

"""What each kind of scheduled event does to the model, and the plain-English line it logs.

One rule per event kind, found by the event's ``kind`` in :data:`HANDLERS` (an extension adds
one with :func:`handles`). Signal events (summits, policy decisions, bilateral statements) go
through :func:`send_signals`, which turns signals into levels and channels
(:mod:`nzsim.model.signals`) and hands them to every listening actor; the words of the log line
come from the signal catalogue (each kind's ``phrase``).
"""

from __future__ import annotations

from typing import Callable

from ..catalogue.conduct import CONDUCT
from ..catalogue.partners import NAMES
from ..catalogue.signals import SIGNALS
from ..catalogue.words import joined
from ..scenario import (
    BilateralStatement,
    ChinaConduct,
    CoercionShock,
    Custom,
    GeneralElection,
    NatoSummit,
    PolicyDecision,
    Recession,
    USPolicyShift,
)
from . import signals as sig

#: The rule of each event kind: ``rule(model, key, event)``.
HANDLERS: dict[str, Callable] = {}


def handles(kind: str) -> Callable[[Callable], Callable]:
    """Register the decorated function as the rule of events of ``kind``."""

    def register(rule: Callable) -> Callable:
        if kind in HANDLERS:
            raise ValueError(f"event kind {kind!r} already has a rule ({HANDLERS[kind].__qualname__})")
        HANDLERS[kind] = rule
        return rule

    return register


def title(key: str, event) -> str:
    """The event's label, or its id made readable."""
    return event.label or key.replace("_", " ").replace("-", " ").title()


def send_signals(model, signals, trigger: str, at_summit: bool = False, weight=None) -> str:
    """Apply a bundle of signals; return what Beijing, partners and the government did, in words."""
    gov = model.government
    stance_before = gov.stance
    trust_before = model.mean_trust()
    said = sig.broadcast(model, signals, trigger, at_summit=at_summit, weight=weight)
    answers = " ".join(f"{text[0].upper()}{text[1:]}" for text in said)
    return (
        f"{answers} Partners' trust {_moves(trust_before, model.mean_trust())}; "
        f"the government's stance {_moves(stance_before, gov.stance)}."
    )


def _moves(before: float, after: float) -> str:
    if round(before, 2) == round(after, 2):
        return f"holds at {after:.2f}"
    return f"{'rises' if after > before else 'falls'} from {before:.2f} to {after:.2f}"


def _phrase(kind, signals) -> str:
    return kind.phrase(getattr(signals, kind.field))


def _extras(signals) -> str:
    """What New Zealand does besides what it says: the deeds of a bundle, in catalogue order."""
    parts = [p for p in (_phrase(kind, signals) for kind in SIGNALS if kind.role == "deed") if p]
    if not parts:
        return ""
    return "; New Zealand " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0])


def _said(signals, always_china: bool = False) -> list[str]:
    """What the words of a bundle say, as verb phrases (empty when they say nothing). At a summit
    the Prime Minister attends (``always_china``), saying nothing of China is worth saying."""
    out = []
    for kind in SIGNALS:
        if kind.role != "words":
            continue
        value = getattr(signals, kind.field)
        out.append(kind.phrase(value) if value != kind.neutral or (always_china and kind.name == "china_language") else "")
    return out


def summit_name(key: str, event: NatoSummit) -> str:
    """``the Vilnius summit``; a label that already says "summit" or starts with "The" is kept."""
    name = title(key, event)
    if not name.lower().endswith("summit"):
        name += " summit"
    return name if name.lower().startswith("the ") else f"the {name}"


@handles("nato_summit")
def nato_summit(model, key: str, event: NatoSummit) -> None:
    s = event.signals
    name = summit_name(key, event)
    presence = SIGNALS["attendance"].phrase(s.attendance)
    if s.attendance == "none":
        words = joined(_said(s))
        opening = f"{presence} {name}" + (f"; from Wellington the government {words}" if words else "")
        trigger = f"New Zealand's signals around {name}"
    else:
        opening = joined([f"{presence} {name}", *_said(s, always_china=True)])
        trigger = f"New Zealand's remarks at {name}"
    text = send_signals(model, s, trigger=trigger, at_summit=True)
    model.log("Government", "nato summit", f"{opening}{_extras(s)}. {text}", date=event.date)


@handles("policy_decision")
def policy_decision(model, key: str, event: PolicyDecision) -> None:
    s = event.signals
    what = title(key, event)
    text = send_signals(model, s, trigger=what)
    said = joined(_said(s))
    # the government, not the decision, is who speaks: "announces the laws and condemns China's coercion"
    opening = f"the government announces {what}" + (f" and {said}" if said else "")
    model.log("Government", "policy decision", f"{opening}{_extras(s)}. {text}", date=event.date)


@handles("bilateral_statement")
def bilateral_statement(model, key: str, event: BilateralStatement) -> None:
    s = event.signals
    partner = NAMES[event.partner]
    text = send_signals(
        model, s, trigger=f"the joint statement with {partner}",
        weight=lambda key: 1.0 if key == event.partner else 0.5,
    )
    said = joined(_said(s))
    label = f" ({event.label})" if event.label else ""
    opening = f"a joint statement with {partner}{label} " + (said if said else "is issued")
    model.log("Government", "bilateral statement", f"{opening}{_extras(s)}. {text}", date=event.date)


@handles("coercion_shock")
def coercion_shock(model, key: str, event: CoercionShock) -> None:
    model.china.impose_exogenous(event.sectors, event.fraction, event.duration_weeks, event.formal, event.label)


@handles("recession")
def recession(model, key: str, event: Recession) -> None:
    model.recession_until = max(model.recession_until, model.week + event.duration_weeks)
    model.log(
        "Economy",
        "recession",
        f"{event.label or 'the economy enters recession'}, expected to last {event.duration_weeks} weeks.",
        date=event.date,
    )


@handles("us_policy_shift")
def us_policy_shift(model, key: str, event: USPolicyShift) -> None:
    before = model.us_commitment
    model.us_commitment = event.commitment
    direction = "retreats from" if event.commitment < before else "recommits to"
    moved = [(p, p.answer_us_shift(before, event.commitment)) for p in model.partners]
    moved = [(p, change) for p, change in moved if abs(change) >= 0.005]
    if moved:
        verb = "raise" if event.commitment < before else "lower"
        ask = joined([f"{p.name} by {abs(change):.2f}" for p, change in sorted(moved, key=lambda pc: -abs(pc[1]))])
        answer = f" Partners {verb} what they expect of New Zealand: {ask}."
    else:
        answer = ""
    model.log(
        "United States",
        "us policy shift",
        f"{event.label or 'Washington'} {direction} the Indo-Pacific (commitment {before:.2f} to {event.commitment:.2f}).{answer}",
        date=event.date,
    )


@handles("election")
def election(model, key: str, event: GeneralElection) -> None:
    text = model.election.hold(event.baseline, from_polls=event.poll_share is not None)
    model.log("Voters", "election", f"{title(key, event)}: {text}", date=event.date)


@handles("custom")
def custom(model, key: str, event: Custom) -> None:
    trust_before = model.mean_trust()
    threat_before = model.public.threat_share
    for partner in model.partners:
        partner.credit(event.partners)
    model.public.notice(event.domestic)
    model.public.shock(event.threat_shock)
    model.public.remember(event.threat_memory)
    model.public.measure()
    china_text = model.china.receive(event.china, trigger=title(key, event)) if event.china else ""
    what = event.description or title(key, event)
    parts = [f"{what}."]
    if china_text:
        parts.append(f"{china_text[0].upper()}{china_text[1:]}")
    if event.partners:
        parts.append(f"Partners' trust {_moves(trust_before, model.mean_trust())}.")
    if event.threat_shock or event.threat_memory:
        parts.append(f"The share who see China as a threat {_moves(threat_before, model.public.threat_share)}.")
    model.log("World", "custom", " ".join(parts), date=event.date)


@handles("china_conduct")
def china_conduct(model, key: str, event: ChinaConduct) -> None:
    before = model.public.threat_share
    model.public.see_conduct(event.conduct, event.scale)
    model.public.measure()
    what = event.description or event.label or CONDUCT[event.conduct].words
    if event.partner and not event.description:
        what += f" ({NAMES[event.partner]})"
    model.log("China", "conduct", f"{what[0].upper()}{what[1:]}. The share of New Zealanders who see China as a "
              f"threat {_moves(before, model.public.threat_share)}.", date=event.date)


def apply(model, key: str, event) -> None:
    """Carry out one scheduled event."""
    rule = HANDLERS.get(event.kind)
    if rule is None:
        raise LookupError(f"event {key!r} is of kind {event.kind!r}, which has no rule in the model: "
                          f"add one with nzsim.model.events.handles({event.kind!r})")
    rule(model, key, event)

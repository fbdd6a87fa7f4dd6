"""Affronts typed by what Beijing treats as its interests, who commits them, and concessions.

Beijing does not answer every act alike. The record of coercion episodes (ASPI, Hanson et al.
2020; the episode library in ``validation/episodes/``) shows freezes of high-level contact after
meetings with the Dalai Lama, measures on tourism and on substitutable goods after disputes over
sovereignty, and statements only after criticism in words. Each class of affront is therefore its
own signal kind with its own weight on the China channel (``signal.<kind>.china``), and each says
**who acts**: a non-state body, parliament, a minister, or the head of state or government (which
includes a decision of the government as a whole). The actor sets the signal's level, so a
meeting with a minister sends less down the China channel than one with the prime minister, and
it sets how much of the affront enters Beijing's *record* (the slow grievance that brings trade
measures): Fuchs and Klann (2013) found that countries whose head of state or government
received the Dalai Lama saw their exports to China fall by 8.1% on average in the two years after,
and no significant effect of meetings at lower levels, so only an act at the highest level enters
the record in full; one below it enters at ``china.record_below_head`` (see
:func:`record_weight`).

A *concession* (a distancing statement, an apology, a release, a reversed decision) is a signal
kind too: it eases the grievance, clears part of the record, and makes Beijing lift its measures
within weeks (:mod:`nzsim.model.agents.china`).

The signals older scenario files use keep their meaning and are assigned to an interest here
(:data:`INTEREST_OF`): ``china_language`` is criticism in words; attendance, the partnership
programme, IP4 cooperation and AUKUS Pillar II are security alignment; Ukraine support,
personnel and the defence pledge touch no interest of Beijing's beyond their small China
coefficients. Their levels and coefficients are unchanged, and they enter the record as acts of
the government, as before.

References
----------
Fuchs, A., Klann, N.-H. (2013). Paying a visit: The Dalai Lama effect on international trade.
*Journal of International Economics* 91(1), 164-177. doi:10.1016/j.jinteco.2013.04.007
State Council Information Office of the PRC (2011). *China's Peaceful Development* (white paper,
September 2011): "core interests" listed as state sovereignty, national security, territorial
integrity and national reunification, China's political system and social stability.
Hanson, F., Currey, E., Beattie, T. (2020). *The Chinese Communist Party's coercive diplomacy*.
ASPI Policy Brief 36.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from .signals import SignalKind
from .signals import add as add_signal

#: Who commits an affront, from least to most weighty, with the level it gives the signal.
ACTORS: Mapping[str, float] = MappingProxyType(
    {"none": 0.0, "non_state": 0.25, "parliament": 0.4, "minister": 0.7, "head": 1.0}
)
#: The actor in words, as the story says it.
ACTOR_WORDS: Mapping[str, str] = MappingProxyType({
    "non_state": "by a body outside government",
    "parliament": "in parliament",
    "minister": "at ministerial level",
    "head": "at the level of head of state or government",
})

#: Beijing's interests, in words: the classes of affront.
INTERESTS: Mapping[str, str] = MappingProxyType({
    "sovereignty": "sovereignty, Taiwan and disputed territory",
    "tibet": "Tibet and the Dalai Lama",
    "human_rights": "human rights (Xinjiang, Hong Kong, dissidents)",
    "security_alignment": "security deployments and alliances aimed at China",
    "technology_exclusion": "exclusion of Chinese technology",
    "legal_action": "legal action against Chinese nationals or firms",
    "criticism": "criticism in words",
})

#: Each affront kind: (the act in words, the China coefficient at the head's level, its source).
_AFFRONTS: dict[str, tuple[str, float, str]] = {
    "sovereignty": (
        "acts on Taiwan or a disputed territory (official contact, names, recognition, a standoff)", 2.4,
        "Taiwan and territorial integrity head the 'core interests' of the 2011 white paper (State "
        "Council Information Office, China's Peaceful Development); the largest weight is an assumption"),
    "tibet": (
        "receives the Dalai Lama", 2.2,
        "Tibet is a named core interest (2011 white paper); meetings with the Dalai Lama at the "
        "highest level cut exports to China by 8.1% on average for two years (Fuchs and Klann 2013); "
        "weight an assumption"),
    "human_rights": (
        "takes a stand on human rights in China (Xinjiang, Hong Kong, a dissident)", 1.8,
        "ASPI (Hanson et al. 2020) counts human-rights criticism among the most common triggers of "
        "coercive diplomacy; weight an assumption, below the territorial core interests"),
    "security_alignment": (
        "joins a deployment or alliance aimed at China (missile defence, basing, a pact)", 1.5,
        "national security is a core interest (2011 white paper); weight an assumption"),
    "technology_exclusion": (
        "excludes Chinese technology firms (5G vendors, export controls)", 1.3,
        "the Huawei 5G exclusion is on Beijing's list of Australia's 14 grievances (9News, 18 Nov "
        "2020); weight an assumption"),
    "legal_action": (
        "takes legal action against Chinese nationals, firms or claims", 1.3,
        "arrests, prosecutions and cases against Chinese claims appear among ASPI's triggers "
        "(Hanson et al. 2020); weight an assumption"),
}

#: Each signal kind's class of affront: the new kinds by their own name, the older kinds mapped.
INTEREST_OF: Mapping[str, str] = MappingProxyType({
    **{name: name for name in _AFFRONTS},
    "china_language": "criticism",
    "attendance": "security_alignment",
    "partnership_agreement": "security_alignment",
    "ip4_cooperation": "security_alignment",
    "aukus_pillar2": "security_alignment",
})

#: The kinds whose value names who acts (their level is the actor's).
ACTOR_KINDS: tuple[str, ...] = tuple(_AFFRONTS)

#: Concessions that meet Beijing's demand, with their levels: the answer that ends measures.
CONCESSIONS: Mapping[str, float] = MappingProxyType({
    "none": 0.0, "distancing_statement": 0.6, "apology": 0.8, "release": 0.8, "reversal": 1.0,
})
_CONCESSION_WORDS = {
    "distancing_statement": "states that it respects China's position on the issue in dispute",
    "apology": "apologises to Beijing",
    "release": "releases the Chinese nationals it held",
    "reversal": "reverses the decision Beijing objected to",
}


def _affront_phrase(act: str):
    return lambda actor: f"{act} ({ACTOR_WORDS[actor]})" if actor in ACTOR_WORDS else ""


def _affront(name: str) -> SignalKind:
    act, weight, source = _AFFRONTS[name]
    return SignalKind(
        name=name, values=ACTORS, role="deed", phrase=_affront_phrase(act),
        channels={"china": weight, "partners": 0.05, "domestic": 0.10},
        source=source + "; partner and domestic coefficients an assumption (small: an affront to Beijing is not "
               "a contribution to partners)",
        control={"type": "Select", "label": f"An act on {INTERESTS[name]}", "values": list(ACTORS),
                 "help": f"Whether New Zealand {act}, and who does it: nobody (none), a body outside "
                         "government, parliament, a minister, or the head of government. The higher the "
                         "actor, the graver the affront to Beijing."},
    )


CONCESSION = SignalKind(
    name="concession", values=CONCESSIONS, role="deed",
    phrase=lambda value: _CONCESSION_WORDS.get(value, ""),
    channels={"china": -1.5, "partners": -0.10, "domestic": -0.10},
    source="France (1 Apr 2009 communique on Tibet) and Denmark (note of Dec 2009) had relations restored "
           "within weeks of a statement distancing them from the Dalai Lama; the Philippines' measures "
           "eased after Duterte's visit of Oct 2016 (episode library, validation/episodes/); "
           "magnitudes an assumption",
    control={"type": "Select", "label": "A concession to Beijing", "values": list(CONCESSIONS),
             "help": "What New Zealand gives to end a dispute: a statement that it respects China's position, "
                     "an apology, a release, or a reversed decision. It eases Beijing's grievance and ends "
                     "measures within weeks; partners and voters like it less."},
)


def record_weight(kind: str, value: object, params: Mapping[str, float]) -> float:
    """The share of an affront's China salience that enters Beijing's record: 1 for an act of the
    head of state or government (or of the government as a whole, which every older kind is),
    ``china.record_below_head`` for one below it (Fuchs and Klann 2013)."""
    if kind in ACTOR_KINDS and value != "head":
        return params["china.record_below_head"]
    return 1.0


for _name in _AFFRONTS:
    add_signal(_affront(_name), origin=__name__)
add_signal(CONCESSION, origin=__name__)

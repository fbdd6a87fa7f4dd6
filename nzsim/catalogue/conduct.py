"""China's conduct toward New Zealand and the region, as New Zealand's voters see it.

Threat perception has two parts besides each voter's disposition (:mod:`nzsim.model.agents.public`):
a **memory**, which lasts (it fades over years) and which voters share in conversation, and a
**shock**, which fades within weeks. The Asia New Zealand Foundation series shows both: the share
who see China as a threat rose for good from 21% (2019) to 35% (2020) and 37% (November 2021), and
rose for a while to 58% after Russia's invasion of Ukraine (June 2022) before falling back to 37%
(November 2022). Conduct that changes what voters believe Beijing is (coercing a partner, a
crackdown, a security foothold in the Pacific) enters the memory; what is merely in the news
(exercises, a visit) moves the shock more than the memory.

Each kind of conduct is an event kind's ``conduct:`` value (``kind: china_conduct`` in a scenario)
and brings two parameters, ``public.conduct.<kind>.memory`` and ``public.conduct.<kind>.shock``, on
the logit scale of a voter's threat perception. Their values are assumptions, set on the Asia New
Zealand Foundation readings of 2019-2022 (a fit: ``docs/calibration.md``); the readings after 2022
are kept for independent checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True, slots=True)
class Conduct:
    """One kind of conduct by Beijing.

    Attributes:
        name: the ``conduct:`` value in a scenario.
        words: what happened, as the story says it when the event has no description.
        memory: default of ``public.conduct.<name>.memory`` (threat logit that lasts).
        shock: default of ``public.conduct.<name>.shock`` (threat logit that fades).
        source: why voters take it as they do (the evidence for the mechanism; the values are
            assumptions fitted on the Asia New Zealand Foundation series).
    """

    name: str
    words: str
    memory: float
    shock: float
    source: str


CONDUCT: Mapping[str, Conduct] = MappingProxyType({c.name: c for c in (
    Conduct("partner_coercion", "Beijing coerces a partner of New Zealand's", 0.25, 0.10,
            "Australia 2020-2021: trade measures on barley, wine, coal and more (ABS; ASPI, Hanson et al. "
            "2020) as New Zealanders' threat reading rose from 21% (2019) to 35% (2020) and 37% (Nov 2021) "
            "(Asia New Zealand Foundation)"),
    Conduct("repression", "a crackdown in Hong Kong or Xinjiang makes the news", 0.10, 0.10,
            "Hong Kong's national security law (30 Jun 2020) and the reports on Xinjiang that New "
            "Zealand's parliament debated (May 2021) fall between the readings of 2019 and 2021"),
    Conduct("pacific_security", "Beijing signs a security agreement with a Pacific state", 0.05, 0.25,
            "the China-Solomon Islands security agreement (Apr 2022) was received in Wellington as a "
            "strategic change in New Zealand's own region"),
    Conduct("military_exercise", "the People's Liberation Army exercises near New Zealand, Australia or Taiwan",
            0.0, 0.20,
            "exercises are news for weeks; what lasts is the pattern, not one drill (the readings of Nov 2021 "
            "and Nov 2022 are equal, with the exercises around Taiwan of Aug 2022 between them)"),
    Conduct("warm_visit", "a warm high-level visit between Wellington and Beijing", -0.05, -0.10,
            "warm diplomacy lowers perceived threat (the parameter public.warmth_threat_shock's reasoning)"),
)})


def parameter_names(kind: str) -> tuple[str, str]:
    """The two parameters of a kind of conduct: its lasting and its fading effect."""
    return f"public.conduct.{kind}.memory", f"public.conduct.{kind}.shock"

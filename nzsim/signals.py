"""Summit signals: from what a scenario says to signal levels, and from levels to the three channels.

Every signal is first turned into a level in [0, 1] (:func:`levels`); each level then feeds the
three channels, China salience, partner contribution and domestic salience, through the
coefficients ``signal.<name>.<channel>`` of the parameter table (:func:`channels`). What a
bundle says moves the government's own stance (:func:`alignment_push`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .parameters import CHANNELS, SIGNALS
from .scenario import Signals

ATTENDANCE = {"none": 0.0, "minister": 0.5, "leader": 1.0}
CHINA_LANGUAGE = {"none": 0.0, "passing": 0.25, "moderate": 0.6, "strong": 1.0}
FRAMING = {"none": 0.0, "mild": 0.5, "strong": 1.0}
IP4 = {"none": 0.0, "dialogue": 0.5, "joint_projects": 1.0}
AUKUS = {"none": 0.0, "explore": 0.5, "join": 1.0}

#: NZ$ million of Ukraine support at which the signal reaches half its full level.
UKRAINE_HALF_NZD_M = 50.0
#: Personnel deployed at which the signal reaches half its full level.
PERSONNEL_HALF = 100.0
#: Extra defence spending (% of GDP) pledged that counts as the full signal.
PLEDGE_FULL_PCT_GDP = 1.0

#: Plain words for the story.
CHINA_LANGUAGE_WORDS = {
    "none": "does not mention China",
    "passing": "mentions China only in passing",
    "moderate": "criticises China's conduct",
    "strong": "condemns China's coercion in strong terms",
}
FRAMING_WORDS = {
    "none": "",
    "mild": "speaks of New Zealand's independent foreign policy",
    "strong": "stresses New Zealand's 'fiercely held independent foreign policy'",
}
ATTENDANCE_WORDS = {
    "none": "New Zealand stays away from",
    "minister": "a minister represents New Zealand at",
    "leader": "the Prime Minister attends",
}


@dataclass(frozen=True, slots=True)
class Channels:
    """The magnitudes one event sends down each channel."""

    china: float = 0.0
    partners: float = 0.0
    domestic: float = 0.0


def levels(signals: Signals) -> dict[str, float]:
    """Each signal as a level in [0, 1].

    Categorical signals map to fixed levels; money and people saturate (half level at
    NZ$50m and 100 personnel), so the first NZ$10m counts for more than the hundredth.
    """
    m = signals.ukraine_package_nzd_m
    p = signals.personnel
    return {
        "attendance": ATTENDANCE[signals.attendance],
        "china_language": CHINA_LANGUAGE[signals.china_language],
        "independence_framing": FRAMING[signals.independence_framing],
        "ukraine_package": m / (m + UKRAINE_HALF_NZD_M),
        "personnel": p / (p + PERSONNEL_HALF),
        "partnership_agreement": 1.0 if signals.partnership_agreement else 0.0,
        "ip4_cooperation": IP4[signals.ip4_cooperation],
        "aukus_pillar2": AUKUS[signals.aukus_pillar2],
        "defence_pledge": min(1.0, signals.defence_pledge_pct_gdp / PLEDGE_FULL_PCT_GDP),
    }


def channels(signal_levels: Mapping[str, float], params: Mapping[str, float]) -> Channels:
    """Sum each signal's level times its channel coefficient: c_k = sum_i beta_{i,k} * level_i."""
    sums = dict.fromkeys(CHANNELS, 0.0)
    for signal in SIGNALS:
        level = signal_levels[signal]
        if level:
            for channel in CHANNELS:
                sums[channel] += params[f"signal.{signal}.{channel}"] * level
    return Channels(**sums)


def alignment_push(ch: Channels, params: Mapping[str, float], at_summit: bool) -> float:
    """How far a bundle moves the government's stance: ``(china + partners - neutral) / signal_scale``.

    At a summit, attending as leader is the neutral act (``neutral`` is what attendance at level 1
    sends down the China and partner channels), so staying away pushes the stance toward
    distance; elsewhere ``neutral`` is 0. Independence framing has negative coefficients, so it
    pushes toward distance too. The result is not clipped; the government clips its stance.
    """
    neutral = 0.0
    if at_summit:
        neutral = params["signal.attendance.china"] + params["signal.attendance.partners"]
    return (ch.china + ch.partners - neutral) / params["government.signal_scale"]

"""The catalogue of summit signals: one entry per kind, everything about it in one place.

A signal kind says what a scenario may set under ``signals:`` (its field, its values or its
range), how a value becomes a *level* in [0, 1], what the story says of it, how the dashboard
shows it as a control, and how much its level feeds each *channel* (China salience, partner
contribution, domestic salience): the coefficients ``signal.<name>.<channel>`` of the parameter
table, with their source. The scenario schema's ``Signals``, the parameter table, the channel
sums, the story's words and the dashboard's controls are all built from this catalogue, so a new
kind is one :func:`add` and the behaviour that reads its level (see docs/architecture.md).

Categorical signals map to fixed levels; money and people saturate (half level at
:data:`UKRAINE_HALF_NZD_M` and :data:`PERSONNEL_HALF`), so the first NZ$10m counts for more than
the hundredth; a pledge is full at :data:`PLEDGE_FULL_PCT_GDP`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Literal, Mapping

from .parameters import Parameter
from .parameters import add as add_parameter
from .parameters import remove as remove_parameter
from .registry import Registry, caller_module

#: The channels every signal feeds, and who listens on each.
CHANNELS: tuple[str, ...] = ("china", "partners", "domestic")

#: NZ$ million of Ukraine support at which the signal reaches half its full level.
UKRAINE_HALF_NZD_M = 50.0
#: Personnel deployed at which the signal reaches half its full level.
PERSONNEL_HALF = 100.0
#: Extra defence spending (% of GDP) pledged that counts as the full signal.
PLEDGE_FULL_PCT_GDP = 1.0

#: What a signal is, for the story: being there (attendance), words said, or a deed done.
Role = Literal["presence", "words", "deed"]


@dataclass(frozen=True, kw_only=True)
class SignalKind:
    """One kind of summit signal.

    Attributes:
        name: the signal's name: the key of its level and of its channel coefficients
            (``signal.<name>.<channel>``).
        field: the field a scenario sets under ``signals:`` (default: ``name``).
        values: for a categorical signal, its values in order, the neutral one first, each with
            its level; empty for a number or a flag.
        kind: ``"choice"`` (one of ``values``), ``"amount"`` (a number in ``[low, high]``),
            ``"count"`` (a whole number in ``[low, high]``) or ``"flag"`` (true or false).
        low, high: the range of an amount or a count.
        level: for an amount, a count or a flag, its value as a level in [0, 1].
        role: ``"presence"``, ``"words"`` or ``"deed"``: how the story tells it.
        phrase: what the story says New Zealand does, for a value (``""`` for nothing).
        channels: each channel's coefficient at level 1 (the parameters' defaults).
        source: why the coefficients' signs and rough sizes are what they are.
        control: the dashboard's control: ``type`` (Select, SliderFloat, SliderInt, Checkbox),
            ``label``, ``help`` and, as Mesa wants them, ``values`` or ``min``, ``max``, ``step``.
    """

    name: str
    field: str = ""
    kind: Literal["choice", "amount", "count", "flag"] = "choice"
    values: Mapping[str, float] = dataclasses.field(default_factory=dict)
    low: float = 0.0
    high: float = 1.0
    level: Callable[[Any], float] | None = None
    role: Role = "deed"
    phrase: Callable[[Any], str] = lambda value: ""
    channels: Mapping[str, float] = dataclasses.field(default_factory=dict)
    source: str = ""
    control: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.field:
            object.__setattr__(self, "field", self.name)
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))
        object.__setattr__(self, "channels", MappingProxyType(dict(self.channels)))
        object.__setattr__(self, "control", MappingProxyType(dict(self.control)))
        if self.kind == "choice" and not self.values:
            raise ValueError(f"signal {self.name}: a choice needs its values and their levels")
        if self.kind != "choice" and self.level is None:
            raise ValueError(f"signal {self.name}: an amount, a count or a flag needs its level function")
        missing = [c for c in CHANNELS if c not in self.channels]
        if missing or set(self.channels) - set(CHANNELS):
            raise ValueError(f"signal {self.name}: a coefficient for each channel {CHANNELS}, got {dict(self.channels)}")
        if not self.source:
            raise ValueError(f"signal {self.name}: a source (or 'assumption: ...') for its coefficients")

    @property
    def neutral(self) -> Any:
        """The value that says nothing: the first choice, zero, or false."""
        return {"choice": next(iter(self.values), None), "amount": 0.0, "count": 0, "flag": False}[self.kind]

    def level_of(self, value: Any) -> float:
        """The value as a level in [0, 1]."""
        if self.kind == "choice":
            return self.values[value]
        return self.level(value)


SIGNALS: Registry[SignalKind] = Registry("signal kind")


def channel_parameters(kind: SignalKind) -> list[Parameter]:
    """The three parameters ``signal.<name>.<channel>`` of a signal kind: its coefficients."""
    return [
        Parameter(name=f"signal.{kind.name}.{channel}", default=kind.channels[channel],
                  unit="channel units per signal level", low=-2.0, high=3.0,
                  meaning=f"how much the '{kind.name}' signal (at level 1) feeds the {channel} channel",
                  source=kind.source)
        for channel in CHANNELS
    ]


def add(kind: SignalKind, *, origin: str | None = None) -> SignalKind:
    """Add a signal kind (after the others); its channel coefficients join the parameter table."""
    origin = origin or caller_module()
    SIGNALS.add(kind, origin=origin)
    added: list[Parameter] = []
    try:
        for parameter in channel_parameters(kind):
            added.append(add_parameter(parameter, origin=origin))
    except Exception:
        for parameter in added:
            remove_parameter(parameter.name)
        SIGNALS.remove(kind.name)
        raise
    return kind


def remove(name: str) -> SignalKind:
    """Take a signal kind, and its channel coefficients, out of the catalogue."""
    kind = SIGNALS.remove(name)
    for parameter in channel_parameters(kind):
        remove_parameter(parameter.name)
    return kind


def _in_words(table: Mapping[str, str]) -> Callable[[Any], str]:
    return lambda value: table.get(value, "")


def _listed(**phrases: str) -> Callable[[Any], str]:
    return _in_words(phrases)


CORE: tuple[SignalKind, ...] = (
    SignalKind(
        name="attendance", values={"none": 0.0, "minister": 0.5, "leader": 1.0}, role="presence",
        phrase=_listed(none="New Zealand stays away from", minister="a minister represents New Zealand at",
                       leader="the Prime Minister attends"),
        channels={"china": 0.15, "partners": 0.35, "domestic": 0.20},
        source="Attendance alone drew embassy statements in 2022 (Chinese embassy in NZ, 30 Jun 2022) and "
               "is the partners' first test of commitment (NATO news releases on IP4 invitations); "
               "magnitudes are an assumption",
        control={"type": "Select", "label": "Who goes to the summit", "values": ["leader", "minister", "none"],
                 "help": "leader: the Prime Minister attends; minister: a minister goes instead; none: New Zealand "
                         "stays away. Staying away pulls the government's stance toward keeping its distance."},
    ),
    SignalKind(
        name="china_language", values={"none": 0.0, "passing": 0.25, "moderate": 0.6, "strong": 1.0}, role="words",
        phrase=_listed(none="does not mention China", passing="mentions China only in passing",
                       moderate="criticises China's conduct", strong="condemns China's coercion in strong terms"),
        channels={"china": 1.20, "partners": 0.25, "domestic": 0.25},
        source="The Madrid remark on China being 'more assertive' drew the embassy rebuke (beehive.govt.nz "
               "29 Jun 2022; Chinese embassy in NZ 30 Jun 2022); magnitudes are an assumption",
        control={"type": "Select", "label": "What is said about China", "values": ["none", "passing", "moderate", "strong"],
                 "help": "From not mentioning China, through a passing mention and criticism of its conduct, to "
                         "condemning its coercion in strong terms. Stronger words please most partners and raise "
                         "Beijing's grievance (how wronged Beijing feels by New Zealand: it rises with each affront, "
                         "fades within months, and decides whether Beijing answers with words or with trade measures)."},
    ),
    SignalKind(
        name="independence_framing", values={"none": 0.0, "mild": 0.5, "strong": 1.0}, role="words",
        phrase=_listed(mild="speaks of New Zealand's independent foreign policy",
                       strong="stresses New Zealand's 'fiercely held independent foreign policy'"),
        channels={"china": -0.35, "partners": -0.10, "domestic": 0.30},
        source="Ardern's 'fiercely held independent foreign policy' framing at Madrid was aimed at a "
               "domestic audience (Capie 2023, seed article); magnitudes are an assumption",
        control={"type": "Select", "label": "Independent foreign policy framing", "values": ["none", "mild", "strong"],
                 "help": "How much the Prime Minister stresses New Zealand's 'independent foreign policy'. It calms "
                         "Beijing and pleases voters attached to the tradition; beyond a partner's tolerance it costs "
                         "that partner's trust."},
    ),
    SignalKind(
        name="ukraine_package", field="ukraine_package_nzd_m", kind="amount", low=0.0, high=5000.0,
        level=lambda m: m / (m + UKRAINE_HALF_NZD_M),
        phrase=lambda m: f"commits NZ${m:g}m to Ukraine" if m else "",
        channels={"china": 0.05, "partners": 0.30, "domestic": 0.10},
        source="Support for Ukraine is the core of NZ-NATO practical cooperation (Capie 2023); China "
               "does not respond to it directly; magnitudes are an assumption",
        control={"type": "SliderFloat", "label": "Support for Ukraine (NZ$ million)", "min": 0.0, "max": 500.0,
                 "step": 1.0,
                 "help": "Money committed to Ukraine. Partners count it as a contribution; the first NZ$50m counts "
                         "for as much as everything after it."},
    ),
    SignalKind(
        name="personnel", kind="count", low=0, high=5000,
        level=lambda p: p / (p + PERSONNEL_HALF),
        phrase=lambda p: f"deploys {p} personnel" if p else "",
        channels={"china": 0.05, "partners": 0.25, "domestic": 0.10},
        source="Training teams in the UK were the most visible contribution (Capie 2023; NZ government, "
               "May 2023: 440 personnel deployed); magnitudes are an assumption",
        control={"type": "SliderInt", "label": "Defence personnel deployed", "min": 0, "max": 1000, "step": 10,
                 "help": "People sent to train or serve with partners (e.g. training Ukrainian soldiers in the UK). "
                         "A contribution partners see, and direct experience that raises interoperability."},
    ),
    SignalKind(
        name="partnership_agreement", kind="flag", level=lambda signed: 1.0 if signed else 0.0,
        phrase=lambda signed: "signs an Individually Tailored Partnership Programme with NATO" if signed else "",
        channels={"china": 0.25, "partners": 0.25, "domestic": 0.10},
        source="The ITPP was presented as 'not a new bloc' (Mahuta, Reuters Jun 2023) yet drew China's "
               "'resolute response' to NATO's move into the Asia-Pacific (Chinese mission to the EU, Jul "
               "2023); magnitudes are an assumption",
        control={"type": "Checkbox", "label": "Sign a partnership programme with NATO",
                 "help": "Sign an Individually Tailored Partnership Programme (ITPP) at the summit: a formal step "
                         "partners value and Beijing notices."},
    ),
    SignalKind(
        name="ip4_cooperation", values={"none": 0.0, "dialogue": 0.5, "joint_projects": 1.0},
        phrase=_listed(dialogue="joins the IP4 dialogue", joint_projects="commits to joint IP4 projects"),
        channels={"china": 0.25, "partners": 0.20, "domestic": 0.05},
        source="China's mission 'lodged serious representations' against the IP4-related communique "
               "(Washington 2024); magnitudes are an assumption",
        control={"type": "Select", "label": "Cooperation with the other Indo-Pacific partners (IP4)",
                 "values": ["none", "dialogue", "joint_projects"],
                 "help": "Working with Australia, Japan and South Korea at NATO: none, a dialogue, or joint projects."},
    ),
    SignalKind(
        name="aukus_pillar2", values={"none": 0.0, "explore": 0.5, "join": 1.0},
        phrase=_listed(explore="says it will explore AUKUS Pillar II", join="joins AUKUS Pillar II"),
        channels={"china": 0.80, "partners": 0.30, "domestic": 0.25},
        source="China's foreign ministry called AUKUS Pillar II talk a 'wrong and dangerous path' (Feb "
               "2024, via Newsroom/Bloomberg/ABC); magnitudes are an assumption",
        control={"type": "Select", "label": "AUKUS Pillar II", "values": ["none", "explore", "join"],
                 "help": "The technology-sharing part of the AUKUS pact: stay out, say New Zealand will explore it, "
                         "or join. Partners reward it; Beijing sees it as choosing a side."},
    ),
    SignalKind(
        name="defence_pledge", field="defence_pledge_pct_gdp", kind="amount", low=0.0, high=5.0,
        level=lambda pct: min(1.0, pct / PLEDGE_FULL_PCT_GDP),
        phrase=lambda pct: f"pledges defence spending of {pct:g}% of GDP more" if pct else "",
        channels={"china": 0.10, "partners": 0.25, "domestic": 0.15},
        source="RNZ-Reid Research early 2025: raise defence spending 50.3% for, 31.9% against; partner "
               "response and China response magnitudes are an assumption",
        control={"type": "SliderFloat", "label": "Extra defence spending pledged (% of GDP)", "min": 0.0, "max": 2.0,
                 "step": 0.1, "help": "A promise to raise defence spending; 1% of GDP more counts as the full signal."},
    ),
)
for _kind in CORE:
    add(_kind, origin=__name__)

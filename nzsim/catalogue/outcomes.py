"""The catalogue of outcomes: each column of a replication's outcome row, declared once.

An :class:`Outcome` (in the spirit of EMA Workbench's ``ScalarOutcome``) holds everything the
package knows about a column: its stored type, its kind (how it is summarised), which way is
better where that means something, its title, unit and plain words, whether it reads in per
cent, and how it is reduced from a chunk of finished replications (:attr:`Outcome.reduce`, a
pure function of their weekly values and end-of-run facts, computed for the whole chunk at
once). The run folder's schema, the summary, the comparison, the frontier, the classroom, the
story, the figures, the report and the validation targets all read it from here, so a new
outcome is one :func:`add` (see docs/architecture.md).

Besides its columns, an outcome can be asked about at a level: ``china_max_rung>=warning`` (or
``china_max_rung>=3``) is the yes/no outcome "China reached a warning or higher", which
:func:`describe` resolves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal, Mapping, Sequence

import numpy as np

from . import metrics
from .partners import NAMES as PARTNER_NAMES
from .partners import PARTNERS, short_name
from .registry import Registry
from .rungs import COERCION_RUNG, Rung

#: The kinds of outcome, and how a summary treats each: numbers get a mean, median and band;
#: yes/no outcomes a probability; each level of an ordinal or categorical outcome a share; a
#: timing outcome (the week something happened, or nothing) the chance it happened and when.
Kind = Literal["numeric", "binary", "ordinal", "categorical", "timing"]
KINDS: tuple[str, ...] = ("numeric", "binary", "ordinal", "categorical", "timing")
#: The stored types: a column of floats, whole numbers, flags or text.
TYPES: tuple[str, ...] = ("float", "int", "bool", "str")


class Ending:
    """A chunk of finished replications as an outcome's :attr:`~Outcome.reduce` sees them.

    ``weekly(name)`` is a weekly variable as a replications x weeks array (week 0 first);
    ``fact(name)`` an end-of-run fact, one value per replication; ``outcome(name)`` an outcome
    already reduced (outcomes are reduced in catalogue order, so one may name an earlier one).
    """

    def __init__(self, weekly: Mapping[str, np.ndarray], facts: Mapping[str, Sequence[Any]]):
        self._weekly = weekly
        self._facts = facts
        self._outcomes: dict[str, Any] = {}
        self.count = len(next(iter(facts.values()))) if facts else len(next(iter(weekly.values())))

    def weekly(self, name: str) -> np.ndarray:
        return self._weekly[name]

    def fact(self, name: str) -> Sequence[Any]:
        return self._facts[name]

    def outcome(self, name: str) -> Any:
        return self._outcomes[name]

    def reduced(self, name: str, values: Any) -> None:
        """Keep an outcome's values, for the outcomes reduced after it."""
        self._outcomes[name] = values


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """One outcome column.

    Attributes:
        name: the column name.
        type: the stored type, one of :data:`TYPES`.
        nullable: whether a replication may have no value (no election held, say).
        kind: one of :data:`KINDS`.
        reduce: the column's values for a chunk of replications, from an :class:`Ending`.
        title: a figure panel's title ("Interoperability at the end").
        unit: what its numbers are in, as an axis label says ("interoperability (0 = none, 1 = full)").
        words: plain words for the story ("interoperability with partners at the end").
        short: a narrow table's column heading ("interop").
        direction: ``"max"`` or ``"min"`` where more (less) is better from the small state's point
            of view; None where better has no meaning.
        percent: a share, read in per cent (differences in percentage points).
        min_span: on a natural 0-1 scale, the narrowest range its histogram gets (a spread of
            0.002 should not fill a panel like a wide one).
        levels: an ordinal outcome's (value, label) pairs in order.
        categories: a categorical outcome's levels known in advance (each gets a summary line).
        names: the column this one names in words (its levels are summarised through that one).
        chance: the title of its probability ("Chance of trade measures"); for an ordinal
            outcome a template with ``{level}``.
        compared_levels: for an ordinal outcome, the levels whose chances a comparison reports.
        typical: rank among the discrete outcomes a typical replication must share (1 first).
    """

    name: str
    type: Literal["float", "int", "bool", "str"]
    kind: Kind
    reduce: Callable[[Ending], Any]
    title: str
    words: str
    unit: str = ""
    short: str = ""
    nullable: bool = False
    direction: Literal["max", "min"] | None = None
    percent: bool = False
    min_span: float | None = None
    levels: tuple[tuple[int, str], ...] = ()
    categories: tuple[str, ...] = ()
    names: str | None = None
    chance: str = ""
    compared_levels: tuple[str, ...] = ()
    typical: int | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"outcome {self.name}: type {self.type!r} is not one of {TYPES}")
        if self.kind not in KINDS:
            raise ValueError(f"outcome {self.name}: kind {self.kind!r} is not one of {KINDS}")
        if self.direction not in (None, "max", "min"):
            raise ValueError(f"outcome {self.name}: direction {self.direction!r} is not 'max', 'min' or None")


OUTCOMES: Registry[Outcome] = Registry("outcome")


def add(outcome: Outcome) -> Outcome:
    """Add an outcome column (after the others)."""
    return OUTCOMES.add(outcome)


def remove(name: str) -> Outcome:
    return OUTCOMES.remove(name)


# --------------------------------------------------------------------------------------
# End-of-run facts: what a replication's outcomes need besides its weekly values
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Fact:
    """A value read from a finished model, once per replication (the week a partnership was
    signed, the election's result): what an outcome needs that no weekly variable records."""

    name: str
    read: Callable[[Any], Any]
    meaning: str = ""


FACTS: Registry[Fact] = Registry("fact")


def _election(model) -> dict[str, Any] | None:
    if not model.election.held:
        return None
    return {"incumbent_share": model.election.incumbent_share, "incumbent_won": model.election.incumbent_won}


for _fact in (
    Fact(name="partnership_week", read=lambda m: m.government.partnership_week,
         meaning="the week an ITPP was signed in the run, or None"),
    Fact(name="partnership_at_start", read=lambda m: m.spec.context.partnership == "itpp",
         meaning="whether the ITPP was already in place at the start"),
    Fact(name="election", read=_election,
         meaning="{'incumbent_share', 'incumbent_won'} if an election was held, else None"),
    Fact(name="stood_by", read=lambda m: tuple(p.key for p in m.partners if p.stood_by),
         meaning="the partners that stood by New Zealand against Beijing's measures at any time"),
):
    FACTS.add(_fact, origin=__name__)


# --------------------------------------------------------------------------------------
# The core outcomes
# --------------------------------------------------------------------------------------

_TRUST = "trust (0 = none, 1 = full)"
_STANCE = "stance (0 = hedges, 1 = aligns)"
_ZERO_ONE = 0.05  # the narrowest histogram range on a 0-1 scale: five percentage points


def _final(variable: str) -> Callable[[Ending], Any]:
    return lambda e: metrics.final(e.weekly(variable))


def _measured(e: Ending) -> np.ndarray:
    """Each replication's weeks under any measure: a freeze, on people, or on goods."""
    return ((np.asarray(e.weekly("china_freeze")) >= 1) | (np.asarray(e.weekly("china_people_measures")) >= 1)
            | (np.asarray(e.weekly("china_rung")) >= COERCION_RUNG))


def _election_value(key: str, cast) -> Callable[[Ending], list]:
    return lambda e: [None if x is None else cast(x[key]) for x in e.fact("election")]


_CORE: list[Outcome] = [
    Outcome(name="final_stance", type="float", kind="numeric", reduce=_final("stance"),
            title="NZ's stance at the end", unit=_STANCE, min_span=_ZERO_ONE,
            words="stance at the end (0 keeps its distance, 1 aligns)"),
    Outcome(name="peak_stance", type="float", kind="numeric", reduce=lambda e: metrics.peak(e.weekly("stance")),
            title="NZ's highest stance", unit=_STANCE, min_span=_ZERO_ONE, words="highest stance"),
    Outcome(name="final_interoperability", type="float", kind="numeric", reduce=_final("interoperability"),
            title="Interoperability at the end", unit="interoperability (0 = none, 1 = full)", short="interop",
            direction="max", min_span=_ZERO_ONE, words="interoperability with partners at the end"),
    Outcome(name="partnership_signed", type="bool", kind="binary", direction="max", typical=3,
            reduce=lambda e: [s or w is not None for w, s in zip(e.fact("partnership_week"), e.fact("partnership_at_start"))],
            title="Partnership in place at the end", chance="Chance a partnership is in place at the end",
            words="partnership programme signed"),
    Outcome(name="partnership_week", type="int", nullable=True, kind="timing",
            reduce=lambda e: list(e.fact("partnership_week")),
            title="Week the partnership was signed", unit="week of the run", chance="Chance a partnership is signed",
            words="week it was signed"),
    Outcome(name="china_max_rung", type="int", kind="ordinal", direction="min", typical=1,
            reduce=lambda e: metrics.highest_rung(e.weekly("china_rung")),
            levels=tuple((int(r), r.words) for r in Rung), compared_levels=("rebuke", "warning"),
            title="China's highest rung", unit="rung (0 = cordial, 5 = formal coercion)",
            chance="Chance China reaches '{level}' or higher",
            words="Beijing's highest rung (0 cordial to 5 formal coercion)"),
    Outcome(name="china_max_rung_name", type="str", kind="categorical", names="china_max_rung",
            reduce=lambda e: [Rung(r).words for r in np.asarray(e.outcome("china_max_rung")).tolist()],
            title="China's highest rung, in words", words="that rung in words"),
    Outcome(name="trade_coercion", type="bool", kind="binary", direction="min", typical=2, short="P(coercion)",
            reduce=lambda e: metrics.trade_coercion(e.weekly("china_rung")),
            title="Trade measures during the run", chance="Chance of trade measures",
            words="trade measures against New Zealand"),
    Outcome(name="coercion_weeks", type="int", kind="numeric", direction="min",
            reduce=lambda e: metrics.weeks_at_or_above(e.weekly("china_rung"), COERCION_RUNG),
            title="Weeks under trade measures", unit="weeks", words="weeks under trade measures"),
    Outcome(name="exports_lost_nzd_m", type="float", kind="numeric", direction="min", short="lost NZ$m",
            reduce=lambda e: metrics.total(e.weekly("exports_lost_week_nzd_m")),
            title="Exports lost to China over the run", unit="NZ$ million, total", words="exports lost (NZ$ million)"),
    Outcome(name="formal_coercion", type="bool", kind="binary", direction="min",
            reduce=lambda e: metrics.highest_rung(e.weekly("china_rung")) >= int(Rung.FORMAL_COERCION),
            title="Formal measures during the run", chance="Chance of formal measures (tariffs, duties)",
            words="formal measures (tariffs, anti-dumping duties)"),
    Outcome(name="diplomatic_freeze", type="bool", kind="binary", direction="min",
            reduce=lambda e: metrics.peak(e.weekly("china_freeze")) >= 1,
            title="High-level contact frozen during the run", chance="Chance of a diplomatic freeze",
            words="a freeze of high-level contact"),
    Outcome(name="freeze_weeks", type="int", kind="numeric", direction="min",
            reduce=lambda e: metrics.weeks_at_or_above(e.weekly("china_freeze"), 1),
            title="Weeks of frozen contact", unit="weeks", words="weeks of frozen high-level contact"),
    Outcome(name="people_measures", type="bool", kind="binary", direction="min",
            reduce=lambda e: metrics.peak(e.weekly("china_people_measures")) >= 1,
            title="Tourists and students restricted", chance="Chance of restrictions on tourists and students",
            words="restrictions on group tours and students"),
    Outcome(name="people_weeks", type="int", kind="numeric", direction="min",
            reduce=lambda e: metrics.weeks_at_or_above(e.weekly("china_people_measures"), 1),
            title="Weeks of restrictions on people", unit="weeks", words="weeks of restrictions on tourists and students"),
    Outcome(name="economic_measures", type="bool", kind="binary", direction="min",
            reduce=lambda e: np.asarray(e.outcome("trade_coercion"), dtype=bool) | np.asarray(e.outcome("people_measures"), dtype=bool),
            title="Economic measures during the run", chance="Chance of economic measures (goods or people)",
            words="economic measures (on goods, or on tourists and students)"),
    Outcome(name="first_measure_week", type="int", nullable=True, kind="timing",
            reduce=lambda e: metrics.first_week(_measured(e)),
            title="Week of Beijing's first measure", unit="week of the run",
            chance="Chance of any measure (a freeze, on people or on goods)",
            words="week of the first measure (a freeze, on people or on goods)"),
    Outcome(name="measures_weeks", type="int", kind="numeric", direction="min",
            reduce=lambda e: _measured(e).sum(axis=-1),
            title="Weeks under any of Beijing's measures", unit="weeks",
            words="weeks under any measure (a freeze, on people or on goods)"),
    Outcome(name="coercion_cost_nzd_m", type="float", kind="numeric", direction="min", short="cost NZ$m",
            reduce=lambda e: metrics.total(e.weekly("coercion_cost_week_nzd_m")),
            title="Cost of Beijing's measures over the run", unit="NZ$ million, total",
            words="cost of Beijing's measures (goods, people, freeze; NZ$ million)"),
    Outcome(name="final_approval", type="float", kind="numeric", direction="max", percent=True, min_span=_ZERO_ONE,
            reduce=_final("approval"), title="Approval of foreign policy at the end", unit="approval (% of voters)",
            words="approval of the foreign policy at the end (share of voters)"),
    Outcome(name="mean_approval", type="float", kind="numeric", direction="max", percent=True, min_span=_ZERO_ONE,
            short="approval", reduce=lambda e: metrics.mean(e.weekly("approval")),
            title="Approval of foreign policy, mean", unit="approval (% of voters), mean over the run",
            words="approval of the foreign policy, mean over the run (share)"),
    Outcome(name="final_threat_share", type="float", kind="numeric", percent=True, min_span=_ZERO_ONE,
            reduce=_final("threat_share"), title="Threat perception at the end",
            unit="voters who see China as a threat (%)",
            words="voters who see China as a threat, at the end (share)"),
    Outcome(name="peak_threat_share", type="float", kind="numeric", percent=True, min_span=_ZERO_ONE,
            reduce=lambda e: metrics.peak(e.weekly("threat_share")), title="Threat perception at its peak",
            unit="voters who see China as a threat (%)",
            words="voters who see China as a threat, at the peak (share)"),
    Outcome(name="blame_beijing_share", type="float", nullable=True, kind="numeric", percent=True,
            min_span=_ZERO_ONE, reduce=lambda e: metrics.mean_where(e.weekly("blame_beijing"), _measured(e)),
            title="Voters who blame Beijing, under measures", unit="voters who blame Beijing (%), mean over weeks under measures",
            words="voters who blame Beijing rather than the government, while measures last (share; none without measures)"),
    Outcome(name="partners_stood_by", type="int", kind="numeric", direction="max",
            reduce=lambda e: [len(keys) for keys in e.fact("stood_by")],
            title="Partners who stood by NZ", unit="partners (0-6)",
            words="partners who stood by New Zealand against Beijing's measures"),
    *(Outcome(name=f"stood_by_{key}", type="bool", kind="binary", direction="max",
              reduce=(lambda k: lambda e: [k in keys for keys in e.fact("stood_by")])(key),
              title=f"{short_name(key)} stood by NZ", chance=f"Chance {PARTNER_NAMES[key]} stands by NZ",
              words=f"stood by New Zealand against Beijing's measures: {PARTNER_NAMES[key]}") for key in PARTNERS),
    *(Outcome(name=f"trust_{key}", type="float", kind="numeric", direction="max", min_span=_ZERO_ONE,
              reduce=_final(f"trust_{key}"), title=f"{short_name(key)}'s trust in NZ at the end", unit=_TRUST,
              words=f"trust in New Zealand at the end: {PARTNER_NAMES[key]}") for key in PARTNERS),
    Outcome(name="trust_mean", type="float", kind="numeric", direction="max", min_span=_ZERO_ONE, short="trust",
            reduce=_final("partner_trust_mean"), title="Partners' trust in NZ at the end",
            unit="mean trust of six partners (0 = none, 1 = full)",
            words="trust in New Zealand at the end: partners' mean"),
    Outcome(name="independence_credibility", type="float", kind="numeric", direction="max", min_span=_ZERO_ONE,
            reduce=_final("independence_credibility"), title="Independent policy's credibility, end",
            unit="credibility (0 = none, 1 = full)", words="credibility of the independent foreign policy"),
    Outcome(name="election_held", type="bool", kind="binary", typical=4,
            reduce=lambda e: [x is not None for x in e.fact("election")],
            title="Election held", chance="Chance an election is held", words="election held"),
    Outcome(name="incumbent_share", type="float", nullable=True, kind="numeric", direction="max", percent=True,
            min_span=_ZERO_ONE, reduce=_election_value("incumbent_share", float),
            title="Incumbent's vote share at the election", unit="two-bloc vote share (%)",
            words="governing bloc's share of the two-bloc vote"),
    Outcome(name="incumbent_won", type="bool", nullable=True, kind="binary", direction="max", typical=5,
            reduce=_election_value("incumbent_won", bool), title="Incumbent re-elected",
            chance="Chance the incumbent wins", words="governing bloc re-elected"),
    Outcome(name="final_bloc", type="str", kind="categorical", categories=("labour", "national"), typical=6,
            reduce=lambda e: ["national" if b else "labour" for b in np.asarray(metrics.final(e.weekly("bloc_national"))).tolist()],
            title="Who governs at the end", words="who governs at the end"),
]
for _outcome in _CORE:
    OUTCOMES.add(_outcome, origin=__name__)


# --------------------------------------------------------------------------------------
# Reducing finished replications to their outcome rows
# --------------------------------------------------------------------------------------


def outcome_columns(weekly: Mapping[str, np.ndarray], facts: Mapping[str, Sequence[Any]]) -> dict[str, list]:
    """The outcomes of several replications at once: one list per column, one entry per
    replication, each outcome reduced for all of them together (one NumPy operation along the
    weeks for most).

    Args:
        weekly: variable name -> a replications x weeks array of its weekly values (week 0 first).
        facts: fact name -> one value per replication (see :data:`FACTS`).
    """
    ending = Ending(weekly, facts)
    columns: dict[str, list] = {}
    for outcome in OUTCOMES:
        values = outcome.reduce(ending)
        ending.reduced(outcome.name, values)
        columns[outcome.name] = values.tolist() if isinstance(values, np.ndarray) else list(values)
    return columns


def outcome_row(weekly: Mapping[str, Sequence[float]], facts: Mapping[str, Any]) -> dict[str, Any]:
    """One replication's outcomes, from its weekly values (week 0 first) and its facts:
    :func:`outcome_columns` for one replication."""
    columns = outcome_columns(
        {name: np.asarray(values, dtype=float)[np.newaxis] for name, values in weekly.items()},
        {name: [value] for name, value in facts.items()},
    )
    return {name: values[0] for name, values in columns.items()}


def column_types() -> dict[str, str]:
    """Each outcome column's stored type, ``"?"`` marking one that may be null (``"int?"``):
    what a run folder's outcomes table holds, whatever a chunk happened to produce."""
    return {o.name: o.type + ("?" if o.nullable else "") for o in OUTCOMES}


# --------------------------------------------------------------------------------------
# Outcomes as asked for: a column, or an ordinal column at a level
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """An outcome as a user or a target names it: a column (``trade_coercion``), or an ordinal
    column at one of its levels (``china_max_rung>=warning``, ``china_max_rung>=3``), which is
    the yes/no outcome "reached that level or higher"."""

    name: str
    outcome: Outcome
    level: str | None = None  # the level's label
    value: int | None = None  # the level's value

    @property
    def yes_no(self) -> bool:
        """Whether it is a yes/no outcome (a binary column, or an ordinal one at a level)."""
        return self.level is not None or self.outcome.kind == "binary"

    @property
    def direction(self) -> str | None:
        return self.outcome.direction

    @property
    def title(self) -> str:
        """Its plain title: the chance it happens for a yes/no or timing outcome, else the
        column's title."""
        if self.level is not None:
            chance = self.outcome.chance or f"Chance {self.outcome.name} reaches '{{level}}' or higher"
            return chance.format(level=self.level)
        if self.outcome.kind in ("binary", "timing") and self.outcome.chance:
            return self.outcome.chance
        return self.outcome.title

    def in_percent(self, statistic: str) -> bool:
        """Whether its mean or probability reads in per cent (its differences in points)."""
        return statistic == "probability" or self.outcome.percent


def describe(name: str) -> Asked:
    """Resolve an outcome's name, ``column`` or ``column>=level``.

    Raises:
        KeyError: no such outcome, or no such level (the message says what there is).
    """
    column, sign, level = name.partition(">=")
    outcome = OUTCOMES.get(column)
    if outcome is None:
        raise KeyError(f"no outcome {column!r}; expected one of: {', '.join(OUTCOMES.names())}")
    if not sign:
        return Asked(name, outcome)
    by_label = {label: value for value, label in outcome.levels}
    by_value = {str(value): label for value, label in outcome.levels}
    if level in by_label:
        return Asked(name, outcome, level, by_label[level])
    if level in by_value:
        return Asked(name, outcome, by_value[level], int(level))
    if not outcome.levels:
        raise KeyError(f"{name!r}: {column} has no levels; '>=' needs an ordinal outcome such as china_max_rung")
    raise KeyError(f"{name!r}: no level {level!r} of {column}; expected one of {', '.join(by_label)} "
                   f"(or {', '.join(by_value)})")


def title(name: str) -> str:
    """The plain title of an outcome or of a level's chance; the name made readable if unknown."""
    try:
        return describe(name).title
    except KeyError:
        return name.replace("_", " ").capitalize()


def direction(name: str) -> str | None:
    """Which way an outcome (or a level's chance) is better, or None."""
    try:
        return describe(name).direction
    except KeyError:
        return None


def objectives(names: Sequence[str]) -> dict[str, str]:
    """``{name: "max" or "min"}`` for outcomes that have a direction.

    Raises:
        ValueError: an outcome without one (pass a mapping with directions instead).
    """
    out = {}
    for name in names:
        way = direction(name)
        if way is None:
            raise ValueError(f"objective {name!r}: no default direction; pass a mapping such as {{{name!r}: 'max'}}")
        out[name] = way
    return out


# --------------------------------------------------------------------------------------
# Selections: which outcomes each figure and each frontier shows by default
# --------------------------------------------------------------------------------------

#: The outcome histograms of a run's figures (and the dashboard's replications panel).
HISTOGRAMS: tuple[str, ...] = (
    "final_stance", "final_interoperability", "trust_mean", "final_approval", "final_threat_share",
    "exports_lost_nzd_m",
)
#: The panels of a comparison's figure of differences.
COMPARISON_PANELS: tuple[str, ...] = (
    "final_interoperability", "trust_mean", "china_max_rung>=warning", "trade_coercion", "exports_lost_nzd_m",
    "mean_approval", "final_threat_share", "incumbent_share",
)
#: The objectives ``nzsim compare`` weighs on its tradeoff frontier.
FRONTIER: tuple[str, ...] = (
    "final_interoperability", "exports_lost_nzd_m", "china_max_rung>=warning", "mean_approval", "trust_mean",
)
#: The objectives a class weighs its bundles on (``nzsim classroom``).
CLASSROOM: tuple[str, ...] = (
    "final_interoperability", "exports_lost_nzd_m", "trade_coercion", "mean_approval", "trust_mean",
)

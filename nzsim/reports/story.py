"""The story of one replication: dated events in plain English, then the outcome row.

Told from the event log alone, so the same seed prints the same story, byte for byte.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

from ..catalogue.outcomes import OUTCOMES
from ..catalogue.parameters import BY_NAME
from ..catalogue.partners import NAMES as PARTNER_NAMES
from ..catalogue.partners import PARTNERS
from ..model import LogEntry
from ..catalogue.words import joined
from ..runs.loop import Replication
from ..scenario import Scenario
from ..version import code_version
from .numbers import value as format_value


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(date: dt.date) -> str:
    """``11 Jul 2023`` (locale-independent)."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def event_line(entry: LogEntry) -> str:
    when = f"Week {entry.week}" if entry.week else "Start"
    return f"{when}, {day(entry.date)}: {entry.description}"


def outcome_lines(outcomes: Mapping[str, object]) -> list[str]:
    """One line per outcome: its meaning (its words in the catalogue), its value, and its column
    name in brackets."""
    words = {k: OUTCOMES[k].words if k in OUTCOMES else k.replace("_", " ") for k in outcomes}
    width = max(len(w) for w in words.values())
    shown = {k: format_value(v) for k, v in outcomes.items()}
    value_width = max(len(v) for v in shown.values())
    return [f"  {words[k]:<{width}}  {shown[k]:>{value_width}}  [{k}]" for k in outcomes]


#: Plain words for the numbers the events quote, told once, under the first line that quotes
#: them: (what the line contains, the explanation).
EXPLAINED = (
    ("Beijing's grievance", "Beijing's grievance is how wronged Beijing feels by New Zealand at the moment, from 0 up; "
                            "it rises with each signal Beijing dislikes and fades within months."),
    ("accumulated ", "in brackets, the grievance of the moment, and the accumulated grievance (the record of "
                     "affronts over the run, which fades over years); together they decide when Beijing restricts "
                     "trade and when it lifts the measures."),
    ("foreign-policy approval ", "in brackets, how much each factor moved the governing bloc's share of the vote, "
                                 "in percentage points (campaign: everything else, drawn by chance)."),
)


def explained(lines: list[str]) -> list[str]:
    """``lines`` with each :data:`EXPLAINED` note, indented, under the first line that needs it."""
    out: list[str] = []
    pending = list(EXPLAINED)
    for line in lines:
        out.append(line)
        for marker, note in list(pending):
            if marker in line:
                out.append(f"    Note: {note}")
                pending.remove((marker, note))
    return out


#: China's rungs as the closing paragraph names them.
RUNG_WORDS = {
    "cordial": "warmth", "normal": "business as usual", "rebuke": "a rebuke", "warning": "a warning",
    "informal restriction": "informal trade restrictions (customs delays, licence suspensions)",
    "formal coercion": "formal coercion (tariffs and bans)",
}


def _share(value: float) -> str:
    return f"{value:.0%}"


def _from(trajectories, column: str, show=lambda v: f"{v:.2f}") -> str:
    """``0.39 (from 0.36)``, or ``0.39 (unchanged)``."""
    first, last = float(trajectories[column].iloc[0]), float(trajectories[column].iloc[-1])
    if show(first) == show(last):
        return f"{show(last)} (unchanged)"
    return f"{show(last)} (from {show(first)})"


def in_sum(spec: Scenario, rep: Replication) -> str:
    """The run in one paragraph: where each actor ended up, from the trajectories and the outcomes."""
    t, o = rep.trajectories, rep.outcomes
    rung = RUNG_WORDS.get(o["china_max_rung_name"], o["china_max_rung_name"])
    if o["trade_coercion"]:
        china = (f"Beijing went as far as {rung}, with trade measures in force for {o['coercion_weeks']} weeks "
                 f"that cost exporters NZ${o['exports_lost_nzd_m']:,.0f}m")
    else:
        china = f"Beijing went no further than {rung}, and no trade measures followed"
    other = [f"froze high-level contact for {o['freeze_weeks']} weeks" if o["diplomatic_freeze"] else "",
             f"restricted tourists and students for {o['people_weeks']} weeks" if o["people_measures"] else ""]
    other = [x for x in other if x]
    if other:
        china += (f"; it {' and '.join(other)}; all its measures cost New Zealand "
                  f"NZ${o['coercion_cost_nzd_m']:,.0f}m")
    blame = o.get("blame_beijing_share")
    if blame is not None and blame == blame:  # (NaN or None: no week under measures)
        stood = [PARTNER_NAMES[k] for k in PARTNERS if o.get(f"stood_by_{k}")]
        china += (f"; while its measures lasted, {blame:.0%} of voters blamed Beijing and {1 - blame:.0%} the "
                  f"government, and " + (f"{joined(stood)} stood by New Zealand" if stood
                                          else "no partner stood by New Zealand"))
    parts = [
        f"In sum, by {day(spec.end)}: the government's stance ended at {_from(t, 'stance')}, where 0 keeps its "
        f"distance from partners' positions on China and 1 aligns closely",
        f"interoperability with partners at {_from(t, 'interoperability')}",
        f"partners' trust at {_from(t, 'partner_trust_mean')}",
        f"{china}",
        f"approval of the foreign policy at {_from(t, 'approval', _share)}",
        f"and {_from(t, 'threat_share', _share)} of voters saw China as a threat.",
    ]
    return "; ".join(parts) + " This is one draw: `nzsim run` repeats the scenario many times and shows the spread."


def title(description: str) -> str:
    """The first line of a description that has words in it (the scenario's title)."""
    return next((line.strip() for line in description.splitlines() if line.strip()), "(no description)")


def tell(spec: Scenario, rep: Replication, entries: Iterable[LogEntry] | None = None) -> str:
    """The whole story as text (ends with a newline)."""
    ctx = spec.context
    lines = [
        f"{spec.name}: {title(spec.description)}",
        f"scenario sha256 {spec.sha256[:16]}, seed {rep.seed}, {code_version()}",
        f"{spec.horizon_weeks} weeks from {day(spec.start)}; {ctx.governing_bloc.capitalize()}-led government; "
        f"China takes {ctx.china_export_share:.0%} of NZ$ {ctx.goods_exports_nzd_bn:g}bn goods exports; "
        f"{ctx.voters:,} voters.",
    ]
    if rep.sampled:
        lines.append("Numbers the scenario leaves uncertain, drawn for this run (another seed draws others):")
        lines += [f"  {k} = {v:.3g}: {BY_NAME[k].meaning if k in BY_NAME else k}" for k, v in rep.sampled.items()]
    lines.append("")
    told = [e for e in (entries if entries is not None else rep.entries) if not e.quiet]
    if told:
        lines += explained([event_line(e) for e in told])
    else:
        lines.append("Nothing of note happens.")
    lines += ["", in_sum(spec, rep), "", "Outcomes (the column names of nzsim run's tables in brackets)"]
    lines += outcome_lines(rep.outcomes)
    return "\n".join(lines) + "\n"

"""The parameter table as Markdown: what ``docs/parameters.md`` holds (``nzsim parameters``)."""

from __future__ import annotations

from .parameters import PARAMETERS


def markdown_table() -> str:
    """The parameter table as Markdown (what ``docs/parameters.md`` holds)."""
    lines = [
        "# Model parameters",
        "",
        "Generated from `nzsim/catalogue/parameters.py` by `nzsim parameters > docs/parameters.md`; a test",
        "fails when this file and the code disagree. Scenario files override a parameter under",
        "`parameters:` or give it a distribution under `uncertainties:`, by the names below.",
        "*Value from* says whether the value itself is a modelling judgement (*assumption*, with",
        "its reasoning, and where there is one the evidence for the mechanism) or taken from a",
        "source. Twenty-one assumptions were searched against patterns from the record and an episode",
        "library of coercion cases (`nzsim calibrate`, see `docs/calibration.md`): no set passes every",
        "fitting target, the defaults pass the most, and the record leaves most of them loosely bounded,",
        "so the assumptions remain the model's largest uncertainty, and scenarios can declare",
        "distributions over any of them.",
        "",
        f"{len(PARAMETERS)} parameters, "
        f"{sum(p.is_assumption for p in PARAMETERS)} of them labelled assumptions.",
        "",
        "| name | default | unit | range | meaning | value from | source or reasoning |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in PARAMETERS:
        src = p.source.replace("|", "/")
        lines.append(
            f"| `{p.name}` | {p.default:g} | {p.unit} | {p.low:g} to {p.high:g} | {p.meaning} | {p.basis} | {src} |"
        )
    return "\n".join(lines) + "\n"

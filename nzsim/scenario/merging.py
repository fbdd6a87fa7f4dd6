"""Merging scenario mappings: a file over the one it ``extends``, a lever's value over a scenario."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def nested_update(path: str, value: Any) -> dict:
    """The mapping that sets the dotted ``path`` to ``value`` when merged (parameter names keep
    their dots: ``parameters.china.trade_threshold`` sets one parameter)."""
    head, _, rest = path.partition(".")
    if not rest:
        return {head: value}
    if head in ("parameters", "uncertainties"):
        return {head: {rest: value}}
    return {head: nested_update(rest, value)}


def merge(base: Mapping, override: Mapping) -> dict:
    """Deep-merge ``override`` into ``base``: mappings merge key by key, anything else is replaced.

    A ``null`` value under ``events`` removes that event from the base.
    """
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    if "events" in out and isinstance(out["events"], Mapping):
        out["events"] = {k: v for k, v in out["events"].items() if v is not None}
    return out

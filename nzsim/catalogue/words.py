"""How the catalogue's names go into prose: one rule for every list the package writes (the
story's partners and signals, Beijing's goods, the classroom's bundles)."""

from __future__ import annotations

from collections.abc import Iterable


def joined(parts: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` (empty parts left out)."""
    parts = [p for p in parts if p]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)

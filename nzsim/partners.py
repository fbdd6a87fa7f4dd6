"""The partners' names as prose uses them, importable without Mesa: the figures and the story
name partners, and the figures are drawn by processes that never build a model."""

from __future__ import annotations

from .parameters import PARTNERS

NAMES = {
    "nato": "NATO",
    "united_states": "the United States",
    "united_kingdom": "the United Kingdom",
    "australia": "Australia",
    "japan": "Japan",
    "south_korea": "South Korea",
}
assert tuple(NAMES) == PARTNERS

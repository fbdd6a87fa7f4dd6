"""Shared fixtures. The helpers themselves live in ``tests/helpers.py`` so they can be imported."""

from __future__ import annotations

import pytest

from tests.helpers import BASE, make_spec


@pytest.fixture
def base_spec():
    """The BASE scenario, validated."""
    return make_spec()


@pytest.fixture(name="make_spec")
def make_spec_fixture():
    """The ``make_spec(**overrides)`` builder, as a fixture."""
    return make_spec


@pytest.fixture(name="BASE")
def base_fixture():
    return BASE

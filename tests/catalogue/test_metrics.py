"""Outcome metrics (nzsim/catalogue/metrics.py): each pure function on tiny hand-made inputs.
Every expected value is worked by hand in a comment; nothing here runs the model."""

from __future__ import annotations

import numpy as np
import pytest

from nzsim.catalogue import metrics as oc
from nzsim.catalogue.rungs import COERCION_RUNG, Rung

# --------------------------------------------------------------------------------------
# The small functions
# --------------------------------------------------------------------------------------


def test_final_is_the_last_value():
    assert oc.final([0.1, 0.9, 0.3]) == 0.3
    assert oc.final([7]) == 7.0
    assert isinstance(oc.final([1, 2]), float)


def test_peak_is_the_largest_value_wherever_it_falls():
    assert oc.peak([0.2, 0.9, 0.1]) == 0.9
    assert oc.peak([0.9, 0.2, 0.1]) == 0.9
    assert oc.peak([-3.0, -1.5, -2.0]) == -1.5  # largest, not largest in magnitude
    assert isinstance(oc.peak([1, 2]), float)


def test_highest_rung():
    assert oc.highest_rung([1, 3, 2, 1]) == 3
    assert oc.highest_rung([0]) == 0
    assert type(oc.highest_rung([1, 5])) is int


def test_weeks_at_or_above_counts_the_threshold_itself():
    # 0.1 < 0.5; 0.5 >= 0.5; 0.5 >= 0.5; 0.9 >= 0.5 -> 3
    assert oc.weeks_at_or_above([0.1, 0.5, 0.5, 0.9], 0.5) == 3
    # nothing reaches 1.0 -> 0
    assert oc.weeks_at_or_above([0.1, 0.5], 1.0) == 0
    # rungs 4 and 5 count at the coercion rung 4 -> weeks 2, 3, 4 -> 3
    assert oc.weeks_at_or_above([1, 3, 4, 5, 4, 2], 4) == 3
    assert type(oc.weeks_at_or_above([1.0], 0.0)) is int


def test_coercion_rung_is_informal_restriction():
    assert COERCION_RUNG == 4 == int(Rung.INFORMAL_RESTRICTION)


@pytest.mark.parametrize(
    ("rungs", "expected"),
    [
        ([1, 2, 3, 2], False),  # a warning (3) is a statement, not coercion
        ([0, 1, 1], False),
        ([1, 4, 1], True),  # informal restriction
        ([1, 5], True),  # formal coercion
    ],
)
def test_trade_coercion(rungs, expected):
    assert oc.trade_coercion(rungs) is expected


def test_total_sums_weekly_values():
    # 1.5 + 2.25 + 0 + 10 = 13.75
    assert oc.total([1.5, 2.25, 0.0, 10.0]) == 13.75
    assert oc.total([]) == 0.0


def test_mean():
    # (1 + 2 + 3 + 6) / 4 = 3
    assert oc.mean([1, 2, 3, 6]) == 3.0
    # (0.25 + 0.75) / 2 = 0.5
    assert oc.mean([0.25, 0.75]) == 0.5


def test_first_week_is_the_first_true_index():
    assert oc.first_week([False, False, True, True]) == 2
    assert oc.first_week([True, False]) == 0
    assert oc.first_week([0, 0, 0, 1]) == 3
    assert type(oc.first_week([False, True])) is int


def test_first_week_is_none_when_never_true():
    assert oc.first_week([False, False, False]) is None
    assert oc.first_week([]) is None


def test_first_week_of_each_row_of_a_replications_by_weeks_array():
    # rows: first true at index 2; never true; first true at index 0
    flags = [[False, False, True, True], [False, False, False, False], [True, False, False, False]]
    assert oc.first_week(flags) == [2, None, 0]
    assert all(type(w) is int for w in oc.first_week(flags) if w is not None)


def test_mean_where_by_hand():
    from nzsim.catalogue.metrics import mean_where
    assert mean_where([0.2, 0.6, 0.4, 0.9], [False, True, True, False]) == pytest.approx(0.5)  # (0.6 + 0.4) / 2
    assert mean_where([0.2, 0.6], [False, False]) is None
    both = mean_where(np.array([[1.0, 3.0], [2.0, 4.0]]), np.array([[True, True], [False, False]]))
    assert both[0] == pytest.approx(2.0) and both[1] is None

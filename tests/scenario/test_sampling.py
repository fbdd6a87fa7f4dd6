"""Parameter uncertainty: ``nzsim.scenario.sampling.draw`` / ``sample`` and ``nzsim.model.replication_parameters``.

Sample means are checked against the analytic mean to within five standard errors of the mean
(``5 * sd / sqrt(n)``, with the analytic sd); with the fixed seeds used here the check is
deterministic, and a correct sampler would fail it with probability below 1e-6.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from nzsim.model import replication_parameters
from nzsim.catalogue.parameters import BY_NAME, DEFAULTS
from nzsim.scenario import Beta, Choice, Normal, Triangular, Uniform, from_dict, load
from nzsim.scenario.sampling import draw, sample

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "tests" / "scenarios" / "valid"
N = 20_000

UNIFORM = Uniform(dist="uniform", low=2, high=5)
NORMAL = Normal(dist="normal", mean=0.5, sd=0.2)
TRIANGULAR = Triangular(dist="triangular", low=0, mode=1, high=4)
BETA = Beta(dist="beta", a=2, b=5, low=1, high=3)
BETA_UNIT = Beta(dist="beta", a=0.5, b=0.5)
CHOICE = Choice(dist="choice", values=(0.25, 0.5, 1.0))
CHOICE_WEIGHTED = Choice(dist="choice", values=(0.25, 0.5, 1.0), weights=(1, 3, 0))

ALL = {
    "uniform": UNIFORM,
    "normal": NORMAL,
    "triangular": TRIANGULAR,
    "beta": BETA,
    "beta_unit": BETA_UNIT,
    "choice": CHOICE,
    "choice_weighted": CHOICE_WEIGHTED,
}
CONTINUOUS = {k: v for k, v in ALL.items() if not k.startswith("choice")}


def draws(dist, seed=0, n=N, **bounds):
    rng = np.random.default_rng(seed)
    return np.array([draw(dist, rng, **bounds) for _ in range(n)])


@pytest.mark.parametrize("dist", ALL.values(), ids=ALL.keys())
def test_same_seed_same_values(dist):
    a = [draw(dist, np.random.default_rng(123)) for _ in range(3)]
    assert a[0] == a[1] == a[2]
    assert list(draws(dist, seed=7, n=200)) == list(draws(dist, seed=7, n=200))
    assert isinstance(a[0], float)


@pytest.mark.parametrize("dist", CONTINUOUS.values(), ids=CONTINUOUS.keys())
def test_different_seeds_different_values(dist):
    values = {draw(dist, np.random.default_rng(seed)) for seed in range(50)}
    assert len(values) == 50


@pytest.mark.parametrize(
    ("dist", "low", "high"),
    [
        (UNIFORM, 2, 5),
        (TRIANGULAR, 0, 4),
        (BETA, 1, 3),
        (BETA_UNIT, 0, 1),
        (CHOICE, 0.25, 1.0),
    ],
    ids=["uniform", "triangular", "beta", "beta_unit", "choice"],
)
def test_draws_within_bounds(dist, low, high):
    x = draws(dist, seed=1)
    assert x.min() >= low
    assert x.max() <= high
    # and they spread over the range, not stuck at one point
    assert x.max() - x.min() > 0.5 * (high - low)


def test_choice_returns_only_its_values():
    x = draws(CHOICE, seed=2)
    assert set(x) == {0.25, 0.5, 1.0}
    # unweighted: equally likely (each share within 5 standard errors of 1/3)
    se = math.sqrt((1 / 3) * (2 / 3) / N)
    for value in CHOICE.values:
        assert abs(np.mean(x == value) - 1 / 3) < 5 * se


def test_choice_weights_are_normalised():
    x = draws(CHOICE_WEIGHTED, seed=3)
    assert 1.0 not in set(x)  # weight 0
    se = math.sqrt(0.75 * 0.25 / N)
    assert abs(np.mean(x == 0.5) - 0.75) < 5 * se  # weights 1:3


def test_choice_weight_zero_one_always_second():
    dist = Choice(dist="choice", values=(0.1, 0.9), weights=(0, 1))
    rng = np.random.default_rng(4)
    assert {draw(dist, rng) for _ in range(2000)} == {0.9}


def test_normal_is_truncated_to_bounds_not_clipped():
    from scipy import stats

    wide = Normal(dist="normal", mean=0.5, sd=2)
    inside = draws(wide, seed=5, low=0.0, high=1.0)
    assert ((inside > 0) & (inside < 1)).all()  # no probability piled onto the ends
    truncated = stats.truncnorm((0 - 0.5) / 2, (1 - 0.5) / 2, loc=0.5, scale=2)
    assert stats.kstest(inside, truncated.cdf).pvalue > 0.01
    near_top = draws(Normal(dist="normal", mean=0.95, sd=0.1), seed=6, low=0.0, high=1.0)
    assert near_top.max() < 1.0 and np.mean(near_top) == pytest.approx(
        stats.truncnorm(-9.5, 0.5, loc=0.95, scale=0.1).mean(), abs=0.005)
    free = draws(wide, seed=5)
    assert free.min() < 0 and free.max() > 1  # unbounded, a plain normal
    from nzsim.scenario.sampling import quantiles

    u = np.linspace(0, 1, 101)
    for dist, low, high in ((wide, 0.0, 1.0), (Normal(dist="normal", mean=0.95, sd=0.1), 0.0, 1.0),
                            (Normal(dist="normal", mean=3.0, sd=0.01), 0.0, 20.0)):
        a, b = (low - dist.mean) / dist.sd, (high - dist.mean) / dist.sd
        exact = np.clip(stats.truncnorm(a, b, loc=dist.mean, scale=dist.sd).ppf(u), low, high)
        assert np.allclose(quantiles(dist, u, low, high), exact, rtol=0, atol=1e-12)


def test_bounds_apply_to_every_distribution():
    x = draws(UNIFORM, seed=6, n=2000, low=3.0, high=4.0)
    assert x.min() == 3.0 and x.max() == 4.0


@pytest.mark.parametrize(
    ("dist", "mean", "sd"),
    [
        # uniform: (a + b) / 2, sd (b - a) / sqrt(12)
        (UNIFORM, (2 + 5) / 2, 3 / math.sqrt(12)),
        # triangular: (a + m + b) / 3, var (a^2 + m^2 + b^2 - am - ab - mb) / 18
        (TRIANGULAR, (0 + 1 + 4) / 3, math.sqrt((0 + 1 + 16 - 0 - 0 - 4) / 18)),
        # beta stretched: low + (high - low) a / (a + b), sd (high - low) sqrt(ab / ((a+b)^2 (a+b+1)))
        (BETA, 1 + 2 * 2 / 7, 2 * math.sqrt(2 * 5 / (7**2 * 8))),
        (BETA_UNIT, 0.5, math.sqrt(0.5 * 0.5 / (1**2 * 2))),
        # normal, unclipped
        (NORMAL, 0.5, 0.2),
        # choice: the mean of the values, and the weighted mean
        (CHOICE, (0.25 + 0.5 + 1.0) / 3, float(np.std([0.25, 0.5, 1.0]))),
        (CHOICE_WEIGHTED, (0.25 * 1 + 0.5 * 3) / 4, math.sqrt((0.25**2 + 3 * 0.5**2) / 4 - (1.75 / 4) ** 2)),
    ],
    ids=["uniform", "triangular", "beta", "beta_unit", "normal", "choice", "choice_weighted"],
)
def test_sample_mean_matches_analytic_mean(dist, mean, sd):
    x = draws(dist, seed=8)
    tolerance = 5 * sd / math.sqrt(N)
    assert abs(x.mean() - mean) < tolerance, (x.mean(), mean, tolerance)
    # the spread is right too (within 5%)
    assert abs(x.std() - sd) < 0.05 * sd


def test_sample_uses_parameter_ranges_and_name_order():
    spec = from_dict(
        {
            **load(VALID / "minimal.yaml").dump(),
            "uncertainties": {
                "china.substitutability": {"dist": "normal", "mean": 0.9, "sd": 0.5},
                "china.lift_hazard": {"dist": "uniform", "low": 0.01, "high": 0.02},
            },
        }
    )
    rng = np.random.default_rng(9)
    seen = [sample(spec.uncertainties, rng) for _ in range(500)]
    # drawn in name order, whatever order the file declares them in
    assert all(list(s) == ["china.lift_hazard", "china.substitutability"] for s in seen)
    sub = np.array([s["china.substitutability"] for s in seen])
    p = BY_NAME["china.substitutability"]
    assert p.low < sub.min() and sub.max() < p.high  # truncated to the parameter's range, not clipped onto it
    assert all(0.01 <= s["china.lift_hazard"] <= 0.02 for s in seen)


# --------------------------------------------------------------------------------------
# replication_parameters
# --------------------------------------------------------------------------------------


def _values_and_draws(spec, seed):
    drawn = replication_parameters(spec, seed)
    return drawn.values, drawn.sampled


def test_overrides_stand_in_for_the_defaults_under_the_scenarios_values_and_draws(uncertain_spec):
    """Overrides (a calibration's candidate set) replace defaults; the scenario's fixed values and
    its draws still win over them."""
    fixed = next(iter(uncertain_spec.parameters))
    drawn_name = next(iter(uncertain_spec.uncertainties))
    free = next(n for n in DEFAULTS if n not in uncertain_spec.parameters and n not in uncertain_spec.uncertainties)
    p = BY_NAME[free]
    other = p.low if DEFAULTS[free] != p.low else p.high
    overrides = {free: other, fixed: BY_NAME[fixed].low, drawn_name: BY_NAME[drawn_name].low}
    plain = replication_parameters(uncertain_spec, 3)
    with_overrides = replication_parameters(uncertain_spec, 3, overrides=overrides)
    assert with_overrides.values[free] == other != plain.values[free]
    assert with_overrides.values[fixed] == uncertain_spec.parameters[fixed]
    assert with_overrides.values[drawn_name] == plain.values[drawn_name] == plain.sampled[drawn_name]
    assert with_overrides.sampled == plain.sampled


def test_values_a_design_drew_are_used_instead_of_the_seeds_own_draws(uncertain_spec):
    name = next(iter(uncertain_spec.uncertainties))
    value = BY_NAME[name].low if BY_NAME[name].low != replication_parameters(uncertain_spec, 3).sampled[name] else BY_NAME[name].high
    drawn = replication_parameters(uncertain_spec, 3, drawn={name: value})
    assert drawn.sampled == {name: value}
    assert drawn.values[name] == value


@pytest.fixture(scope="module")
def uncertain_spec():
    base = load(VALID / "parameters_fixed.yaml").dump()
    base["uncertainties"] = {
        "china.rebuke_threshold": {"dist": "uniform", "low": 0.5, "high": 1.5},
        "china.grievance_half_life_weeks": {"dist": "normal", "mean": 8, "sd": 3},
        "china.trade_threshold": {"dist": "triangular", "low": 2.5, "mode": 4, "high": 8},
        "china.substitutability": {"dist": "beta", "a": 6, "b": 4},
        "partner.us_commitment": {"dist": "choice", "values": [0.5, 0.75, 1.0]},
    }
    del base["parameters"]["china.trade_threshold"]  # it is uncertain now
    return from_dict(base)


def test_replication_parameters_same_seed_same_values(uncertain_spec):
    full1, sampled1 = _values_and_draws(uncertain_spec, 42)
    full2, sampled2 = _values_and_draws(uncertain_spec, 42)
    assert sampled1 == sampled2
    assert full1 == full2
    assert list(sampled1) == sorted(uncertain_spec.uncertainties)


def test_declaration_order_does_not_change_the_draws():
    """Two scenarios with the same content hash (which ignores key order) draw the same values."""
    base = load(VALID / "minimal.yaml").dump()
    dists = {
        "china.substitutability": {"dist": "uniform", "low": 0.2, "high": 0.8},
        "china.lift_hazard": {"dist": "uniform", "low": 0.01, "high": 0.02},
    }
    forward = from_dict({**base, "uncertainties": dists})
    backward = from_dict({**base, "uncertainties": dict(reversed(list(dists.items())))})
    assert forward.sha256 == backward.sha256
    assert replication_parameters(forward, 3) == replication_parameters(backward, 3)


def test_replication_parameters_different_seeds_differ(uncertain_spec):
    runs = [replication_parameters(uncertain_spec, seed).sampled for seed in range(20)]
    for name, dist in uncertain_spec.uncertainties.items():
        values = [r[name] for r in runs]
        if dist.dist == "choice":
            assert len(set(values)) > 1, name
        else:
            assert len(set(values)) == len(values), name  # continuous: all distinct


def test_replication_parameters_combine_fixed_sampled_and_defaults(uncertain_spec):
    full, sampled = _values_and_draws(uncertain_spec, 3)
    assert set(full) == set(DEFAULTS)
    for name, value in uncertain_spec.parameters.items():
        assert full[name] == value
    for name, value in sampled.items():
        assert full[name] == value
        p = BY_NAME[name]
        assert p.low <= value <= p.high
    untouched = set(DEFAULTS) - set(uncertain_spec.parameters) - set(sampled)
    assert all(full[name] == DEFAULTS[name] for name in untouched)


def test_replication_parameters_without_uncertainties():
    spec = load(VALID / "minimal.yaml")
    full, sampled = _values_and_draws(spec, 0)
    assert sampled == {}
    assert full == dict(DEFAULTS)

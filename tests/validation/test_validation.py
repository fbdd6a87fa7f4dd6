"""Validation targets: the file format, the scoring rules, and `nzsim validate`."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nzsim import validation as v
from nzsim.catalogue.outcomes import column_types
from nzsim.cli import main
from nzsim.runs import run_ensemble

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "validation" / "targets.yaml"


def write(tmp_path: Path, body: str, name: str = "targets.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


ONE = """\
targets:
  - name: madrid-rebuke
    scenario: {scenario}
    outcome: china_max_rung>=2
    probability: {{at_least: 0.5}}
    observed: embassy statement
    observed_value: true
    source: Chinese embassy in NZ, 30 Jun 2022
    use: fit
"""


# --- the shipped targets -----------------------------------------------------------------


def test_shipped_targets_cover_the_issue_patterns():
    targets = v.load_targets(TARGETS)
    patterns = {t.pattern for t in targets.targets}
    assert {"summit statements", "coercion after a run of grievances", "a run of signals without coercion",
            "threat perception", "election 2023", "stable across a change of government"} <= patterns
    assert {t.use for t in targets.targets} == {"fit", "holdout"}
    # Australia 2020 was looked at when the two-timescale grievance was designed, and New
    # Zealand 2022-2025 as one run when the affront rule was, so both fit; the warning targets
    # on the one calendar are held back (docs/calibration.md)
    use = {t.name: t.use for t in targets.targets}
    assert use["australia-2020-coercion"] == use["australia-2020-coercion-lasts-years"] == "fit"
    assert use["nz-2022-2025-no-coercion"] == "fit"
    assert use["nz-2022-2025-aukus-warning"] == use["nz-2022-2025-the-hague-no-statement"] == "holdout"
    assert use["vilnius-2023-warning"] == "holdout"
    for t in targets.targets:
        assert t.source and t.observed
        for s in t.scenarios():
            assert targets.paths[s].is_file()
    summits = {Path(t.scenario).stem for t in targets.targets if t.pattern == "summit statements"}
    assert {"madrid-2022", "vilnius-2023", "washington-2024", "the-hague-2025"} <= summits
    # every probabilistic target that says what happened gets a Brier score
    assert any(t.observed_value is not None for t in targets.targets)


# --- bad files: one line naming file, field and expectation ------------------------------


@pytest.mark.parametrize(
    "body, field, words",
    [
        ("targets: []\n", "targets", "at least 1"),
        ("targets:\n  - name: a\n", "targets[0].scenario", "required"),
        (ONE.replace("use: fit", "use: maybe"), "targets[0].use", "fit"),
        (ONE.replace("use: fit", "use: fit\n    colour: red"), "targets[0].colour", "no such field"),
        (ONE.replace("china_max_rung>=2", "happiness"), "targets[0].outcome", "outcome column"),
        (ONE.replace("china_max_rung>=2", "final_approval"), "targets[0]", "yes/no"),
        (ONE.replace("probability: {{at_least: 0.5}}", "probability: {{at_least: 0.5}}\n    median: [0, 1]"), "targets[0]", "exactly one rule"),
        (ONE.replace("probability: {{at_least: 0.5}}", "median: [1, 0]").replace("    observed_value: true\n", ""), "targets[0].median", "lo <= hi"),
        (ONE.replace("{scenario}", "{scenario}-no-such.yaml"), "targets[0].scenario", "existing scenario"),
        (ONE.replace("china_max_rung>=2", "{{trajectory: threat_share, date: 2030-01-01}}").replace(
            "probability: {{at_least: 0.5}}", "median: [0, 1]").replace("    observed_value: true\n", ""),
         "targets[0].outcome", "within madrid-2022's horizon"),
        (ONE + ONE[len("targets:\n"):], "targets", "unique target names"),
        ("targets: [\n", "", "malformed YAML at line 2"),
        ("- name: a\n", "", "a targets file: a YAML mapping with a 'targets' list, got a YAML list"),
        (ONE.replace("    use: fit\n", "    use: fit\n    use: holdout\n"), "", "duplicate key 'use'"),
    ],
)
def test_bad_targets_file_is_named_on_one_line(tmp_path, body, field, words):
    path = write(tmp_path, body.format(scenario=ROOT / "scenarios" / "madrid-2022.yaml") if "{" in body else body)
    with pytest.raises(v.TargetsError) as info:
        v.load_targets(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert info.value.field == field
    assert words in message


def test_missing_targets_file(tmp_path):
    with pytest.raises(v.TargetsError, match="an existing file"):
        v.load_targets(tmp_path / "nope.yaml")


# --- scoring rules, on hand-made simulations -------------------------------------------


def _targets(tmp_path, body):
    return v.load_targets(write(tmp_path, body))


def _sim(rows, **traj):
    return v.Simulated(pd.DataFrame(rows), {k: np.asarray(a, dtype=float) for k, a in traj.items()})


def test_probability_rule_and_brier(tmp_path):
    targets = _targets(tmp_path, ONE.format(scenario=ROOT / "scenarios" / "madrid-2022.yaml"))
    key = str(targets.paths[str(ROOT / "scenarios" / "madrid-2022.yaml")])
    rungs = [3, 2, 1, 1]  # rung >= 2 in half the replications
    s = v.score(targets.targets[0], targets, {key: _sim({"china_max_rung": rungs})})
    assert s.value == 0.5 and s.passed  # P >= 0.5
    assert s.brier == pytest.approx(0.25)  # (0.5 - 1)^2
    s = v.score(targets.targets[0], targets, {key: _sim({"china_max_rung": [1, 1, 1, 2]})})
    assert s.value == 0.25 and not s.passed
    assert s.brier == pytest.approx(0.5625)


def test_median_rule_on_a_trajectory_date(tmp_path):
    body = ONE.replace("china_max_rung>=2", "{{trajectory: threat_share, date: 2022-06-20}}").replace(
        "probability: {{at_least: 0.5}}", "median: [0.5, 0.66]").replace("    observed_value: true\n", "")
    targets = _targets(tmp_path, body.format(scenario=ROOT / "scenarios" / "madrid-2022.yaml"))
    key = str(targets.paths[str(ROOT / "scenarios" / "madrid-2022.yaml")])
    spec = targets.specs[key]
    week = spec.week_of(__import__("datetime").date(2022, 6, 20))  # 2022-05-23 start: week 5
    assert week == 5
    series = np.zeros((3, spec.horizon_weeks + 1))
    series[:, week] = [0.4, 0.6, 0.7]
    s = v.score(targets.targets[0], targets, {key: _sim({"x": [0, 0, 0]}, threat_share=series)})
    assert s.value == pytest.approx(0.6) and s.passed and s.brier is None
    series[:, week] = [0.4, 0.45, 0.7]
    assert not v.score(targets.targets[0], targets, {key: _sim({"x": [0, 0, 0]}, threat_share=series)}).passed


def test_band_rule_and_lowest_statistic(tmp_path):
    madrid = ROOT / "scenarios" / "madrid-2022.yaml"
    band = ONE.replace("china_max_rung>=2", "{{trajectory: threat_share, date: 2022-06-20}}").replace(
        "probability: {{at_least: 0.5}}", "band: {{contains: 0.58}}").replace("    observed_value: true\n", "")
    targets = _targets(tmp_path, band.format(scenario=madrid))
    key = str(targets.paths[str(madrid)])
    spec = targets.specs[key]
    series = np.zeros((21, spec.horizon_weeks + 1))
    series[:, 5] = np.linspace(0.5, 0.7, 21)  # 5th percentile 0.51, 95th 0.69
    s = v.score(targets.targets[0], targets, {key: _sim({"x": [0] * 21}, threat_share=series)})
    assert s.passed and s.low == pytest.approx(0.51) and s.high == pytest.approx(0.69)
    series[:, 5] = np.linspace(0.3, 0.5, 21)  # the band 0.31-0.49 misses 0.58
    assert not v.score(targets.targets[0], targets, {key: _sim({"x": [0] * 21}, threat_share=series)}).passed
    lowest = ONE.replace("china_max_rung>=2", "{{trajectory: approval, lowest: [2022-06-06, 2022-06-27]}}").replace(
        "probability: {{at_least: 0.5}}", "median: [0.25, 1]").replace("    observed_value: true\n", "")
    targets = _targets(tmp_path, lowest.format(scenario=madrid))
    approval = np.full((3, spec.horizon_weeks + 1), 0.7)
    approval[:, 1] = 0.0  # before the window: not counted
    approval[:, 4] = [0.2, 0.3, 0.4]  # in the window (weeks 3-6): each run's lowest
    s = v.score(targets.targets[0], targets, {key: _sim({"x": [0, 0, 0]}, approval=approval)})
    assert s.value == pytest.approx(0.3) and s.passed
    approval[:, 4] = [0.1, 0.2, 0.4]
    assert not v.score(targets.targets[0], targets, {key: _sim({"x": [0, 0, 0]}, approval=approval)}).passed


def test_difference_rule_is_paired_and_ignores_missing(tmp_path):
    body = """\
    targets:
      - name: economy
        scenario: scenarios/vilnius-2023.yaml
        outcome: incumbent_share
        difference: {baseline: scenarios/vilnius-2023-no-recession.yaml, within: [-0.15, -0.04]}
        observed: the recession
        source: Stats NZ
        use: fit
    """
    targets = _targets(tmp_path, body)
    a = str(targets.paths["scenarios/vilnius-2023.yaml"])
    b = str(targets.paths["scenarios/vilnius-2023-no-recession.yaml"])
    sims = {a: _sim({"incumbent_share": [0.40, 0.45, None]}), b: _sim({"incumbent_share": [0.50, 0.51, 0.5]})}
    s = v.score(targets.targets[0], targets, sims)
    assert s.value == pytest.approx(-0.08) and s.passed and s.n == 2
    sims[a] = _sim({"incumbent_share": [0.49, 0.50, 0.5]})
    assert not v.score(targets.targets[0], targets, sims).passed


# --- simulation: seeded as an ensemble run is ---------------------------------------------


def test_replications_match_an_ensemble_run_with_the_same_seed(tmp_path):
    spec_path = ROOT / "scenarios" / "madrid-2022.yaml"
    run = run_ensemble(spec_path, reps=3, seed=7, workers=1, out=tmp_path / "run")
    targets = v.load_targets(write(tmp_path, ONE.format(scenario=spec_path)))
    key = str(spec_path.resolve())
    simulated = v.simulate_all({key: targets.specs[key]}, 3, 7, variables=["threat_share"])[0][key]
    mine = simulated.outcomes
    theirs = run.outcomes.sort_values("replication").reset_index(drop=True)
    assert mine["replication"].tolist() == theirs["replication"].tolist()
    def values(frame, column):
        return [None if pd.isna(x) else x for x in frame[column]]

    for column in column_types():  # the same loop: every outcome identical, not merely close
        assert values(mine, column) == values(theirs, column), column
    assert simulated.trajectories["threat_share"].shape == (3, 53)
    long = run.trajectories_of(["threat_share"]).pivot(index="replication", columns="week", values="value")
    np.testing.assert_array_equal(simulated.trajectories["threat_share"], long.to_numpy())


def test_overrides_act_as_new_defaults(tmp_path):
    spec = v.load_targets(write(tmp_path, ONE.format(scenario=ROOT / "scenarios" / "madrid-2022.yaml"))).specs
    spec = next(iter(spec.values()))
    # statement and trade bars far above any grievance: no statements and no measures at all
    quiet = {"china.rebuke_threshold": 10.0, "china.warning_threshold": 10.0, "china.trade_threshold": 20.0,
             "china.freeze_threshold": 10.0, "china.people_threshold": 20.0}
    plain, overridden = v.simulate_all({"madrid": spec}, 5, 0, overrides_list=[None, quiet])
    assert (overridden["madrid"].outcomes["china_max_rung"] <= 1).all()
    assert (plain["madrid"].outcomes["china_max_rung"] >= 2).any()


# --- the command ---------------------------------------------------------------------------


def test_validate_command_prints_the_scorecard_and_exit_status_follows_it(capsys):
    status = main(["validate", "--reps", "20", "--workers", "2", "--seed", "0"])
    out = capsys.readouterr().out
    targets = v.load_targets(TARGETS)
    for t in targets.targets:
        assert t.name in out
    names = {t.name for t in targets.targets}
    rows = [line for line in out.splitlines() if line.split()[:1] and line.split()[0] in names]
    assert len(rows) == len(names)
    passed = sum(" pass " in line for line in rows)
    failed = sum(" FAIL " in line for line in rows)
    assert passed + failed == len(targets.targets)
    assert f"{passed} of {len(targets.targets)} targets pass" in out
    assert status == (1 if failed else 0)
    assert "Brier" in out and "median" in out and "P = " in out


def test_validate_passes_and_fails_on_small_target_files(tmp_path, capsys):
    good = write(tmp_path, ONE.format(scenario=ROOT / "scenarios" / "madrid-2022.yaml"), "good.yaml")
    assert main(["validate", "--reps", "10", "--workers", "1", "--targets", str(good)]) == 0
    assert "1 of 1 targets pass" in capsys.readouterr().out
    bad = write(tmp_path, ONE.format(scenario=ROOT / "scenarios" / "madrid-2022.yaml").replace(
        "at_least: 0.5", "at_most: 0.01"), "bad.yaml")
    assert main(["validate", "--reps", "10", "--workers", "1", "--targets", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "failed: madrid-rebuke" in out


def test_validate_bad_targets_file_exits_2_with_one_line(tmp_path, capsys):
    path = write(tmp_path, "targets:\n  - name: x\n    scenario: nope.yaml\n")
    assert main(["validate", "--targets", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(path) in err


def test_same_seed_same_scorecard():
    targets = v.load_targets(TARGETS)
    one = [t for t in targets.targets if t.name.startswith("threat-")]
    small = v.Targets(targets.file, tuple(one), targets.paths, targets.specs)
    a = v.validate(small, reps=5, seed=3, workers=1)
    b = v.validate(small, reps=5, seed=3, workers=2)
    pd.testing.assert_frame_equal(a, b)
    assert not math.isnan(a["value"].iloc[0])


def test_the_scorecard_columns_line_up_however_long_a_rule():
    from nzsim.validation import scorecard_text

    card = pd.DataFrame([
        {"target": "short", "use": "fit", "rule": "P >= 0.5", "simulated": "P = 0.82", "passed": True, "brier": 0.031,
         "observed": "x"},
        {"target": "a-much-longer-target-name-than-the-other", "use": "holdout",
         "rule": "mean diff vs vilnius-2023-no-recession in [-0.15, -0.04]", "simulated": "mean diff -0.083",
         "passed": False, "brier": float("nan"), "observed": "y"},
    ])
    lines = scorecard_text(card).splitlines()
    header, rows = lines[0], [lines[2], lines[4]]
    for column, values in (("simulated", ["P = 0.82", "mean diff -0.083"]), ("result", ["pass", "FAIL"])):
        assert [row.index(v) for row, v in zip(rows, values)] == [header.index(column)] * 2
    assert lines[-1] == "1 of 2 targets pass; failed: a-much-longer-target-name-than-the-other"


def test_the_model_reproduces_both_coercion_patterns_with_room_to_spare():
    """The two patterns the record-of-affronts mechanism exists for, at a small replication count
    and with margins wide enough for its noise: Australia 2020 coerced (fitted rule P >= 0.5) and
    New Zealand 2022-2025 on one calendar not (fitted rule P <= 0.1). Without the record, or with
    every mention counting as an affront, one of the two fails by far more than these margins."""
    targets = v.load_targets(TARGETS)
    chosen = {t.name: t for t in targets.targets if t.name in ("australia-2020-coercion", "nz-2022-2025-no-coercion")}
    files = {str(targets.paths[s]) for t in chosen.values() for s in t.scenarios()}
    sims = v.simulate_all({f: targets.specs[f] for f in sorted(files)}, 40, 3, 1, [None])[0]
    australia, new_zealand = (v.score(chosen[n], targets, sims) for n in ("australia-2020-coercion", "nz-2022-2025-no-coercion"))
    assert australia.passed and new_zealand.passed
    p_australia = float(australia.row()["simulated"].removeprefix("P = "))
    p_new_zealand = float(new_zealand.row()["simulated"].removeprefix("P = "))
    assert p_australia >= 0.65 and p_new_zealand <= 0.05


def test_episode_summary_scores_fitting_and_held_back_episodes_apart():
    from nzsim.validation import episode_summary

    def row(episode, use, outcome, value, observed, brier):
        return {"target": f"{episode}-{outcome}", "use": use, "episode": episode, "outcome": outcome,
                "value": value, "observed_value": observed, "brier": brier, "passed": True}

    card = pd.DataFrame([
        row("a", "fit", "economic_measures", 0.9, True, 0.01),   # (0.9 - 1)^2
        row("a", "fit", "diplomatic_freeze", 0.8, True, 0.04),   # (0.8 - 1)^2
        row("b", "fit", "economic_measures", 0.3, False, 0.09),  # (0.3 - 0)^2
        row("c", "holdout", "economic_measures", 0.2, True, 0.64),
        row("d", "holdout", "economic_measures", 0.5, False, 0.25),
        {"target": "not-an-episode", "use": "fit", "episode": "", "outcome": "trade_coercion", "value": 1.0,
         "observed_value": False, "brier": 1.0, "passed": False},
    ])
    fit, held = episode_summary(card)
    assert (fit.use, fit.episodes, fit.forecasts) == ("fit", ("a", "b"), 3)
    assert fit.brier == pytest.approx((0.01 + 0.04 + 0.09) / 3)  # the target outside the library not counted
    assert fit.ordered is True and (fit.lowest_with, fit.highest_without) == (0.9, 0.3)
    assert fit.met and "ordering by P(economic_measures): right" in fit.text()
    # held back: the episode with measures got 0.2, the one without 0.5: the ordering is wrong
    assert held.use == "holdout" and held.brier == pytest.approx(0.445) and held.ordered is False
    assert not held.met and "WRONG" in held.text()
    # a fitting Brier score above the bar is not met, even with the right ordering
    worse = card.assign(brier=[0.2, 0.2, 0.2, 0.64, 0.25, 1.0])
    assert not episode_summary(worse)[0].met
    assert episode_summary(card[card["episode"] == ""]) == []

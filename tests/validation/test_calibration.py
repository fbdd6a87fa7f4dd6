"""Calibration: the Latin-hypercube design, the free parameters, the evidence and `nzsim calibrate`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest

from nzsim.validation import calibration as c
from nzsim import validation as v
from nzsim.cli import main
from nzsim.catalogue.parameters import BY_NAME, DEFAULTS
from tests.validation.test_validation import ONE  # one fitting target on Madrid 2022

ROOT = Path(__file__).resolve().parents[2]

SMALL = ONE.format(scenario=ROOT / "scenarios" / "madrid-2022.yaml") + f"""\
  - name: madrid-no-warning
    scenario: {ROOT / 'scenarios' / 'madrid-2022.yaml'}
    outcome: china_max_rung>=3
    probability: {{at_most: 0.99}}
    observed: a rebuke, not a warning
    source: Chinese embassy in NZ, 30 Jun 2022
    use: holdout
"""


def test_free_parameters_are_assumptions_searched_inside_their_plausible_ranges():
    c.check_free()
    for f in c.FREE:
        p = BY_NAME[f.name]
        assert p.is_assumption
        assert p.low <= f.low < f.high <= p.high
        assert f.low <= DEFAULTS[f.name] <= f.high  # the defaults lie in the searched box


def test_a_sourced_parameter_is_not_free():
    sourced = next(p for p in BY_NAME.values() if not p.is_assumption)
    with pytest.raises(ValueError, match="not free"):
        c.check_free([c.Free(sourced.name, sourced.low, sourced.high, "")])
    with pytest.raises(ValueError, match="outside"):
        c.check_free([c.Free("china.trade_threshold", -1.0, 5.0, "")])


def test_design_is_a_seeded_latin_hypercube():
    a, b = c.design(10, seed=4), c.design(10, seed=4)
    assert a == b and a != c.design(10, seed=5)
    for f in c.FREE:
        values = np.array([s[f.name] for s in a])
        assert ((values >= f.low) & (values <= f.high)).all()
        bins = np.floor((values - f.low) / (f.high - f.low) * 10).astype(int)
        assert sorted(bins) == list(range(10))  # one point in each of the ten strata


def test_calibrate_scores_defaults_and_sets_and_keeps_consistent_defaults(tmp_path):
    path = tmp_path / "targets.yaml"
    path.write_text(SMALL, encoding="utf-8")
    targets = v.load_targets(path)
    evidence = c.calibrate(targets, samples=3, reps=4, seed=1, workers=1)
    assert [r["set"] for r in evidence["sets"]] == ["defaults", "lhs-0", "lhs-1", "lhs-2"]
    assert evidence["fit_targets"] == ["madrid-rebuke"] and evidence["holdout_targets"] == ["madrid-no-warning"]
    for r in evidence["sets"]:
        assert r["consistent"] == r["results"]["madrid-rebuke"]["passed"]
    assert evidence["sets"][0]["values"] == {f.name: DEFAULTS[f.name] for f in c.FREE}
    if evidence["sets"][0]["consistent"]:
        assert evidence["chosen"]["set"] == "defaults"
    js, md = c.write(evidence, tmp_path / "out")
    assert json.loads(js.read_text())["consistent"] == evidence["consistent"]
    text = md.read_text()
    assert "| `china.trade_threshold` |" in text and "madrid-no-warning | holdout" in text


def test_calibrate_proposes_the_best_consistent_set_when_defaults_fail(tmp_path, monkeypatch):
    path = tmp_path / "targets.yaml"
    # a target the defaults fail (Madrid draws statements under the defaults) and looser sets may pass
    path.write_text(SMALL.replace("at_least: 0.5", "at_most: 0.3").replace("observed_value: true", "observed_value: false"),
                    encoding="utf-8")
    targets = v.load_targets(path)
    free = [c.Free("china.rebuke_threshold", 0.4, 10.0, ""), c.Free("china.warning_threshold", 1.2, 10.0, "")]
    evidence = c.calibrate(targets, samples=6, reps=6, seed=2, workers=1, free=free)
    assert not evidence["sets"][0]["consistent"]
    if evidence["consistent"]:
        chosen = evidence["chosen"]["set"]
        best = min((r for r in evidence["sets"] if r["consistent"]), key=lambda r: r["fit_brier"])
        assert chosen == best["set"] != "defaults"
    else:
        assert evidence["chosen"] is None


def test_calibrate_command_writes_the_evidence(tmp_path, capsys):
    path = tmp_path / "targets.yaml"
    path.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "cal"
    assert main(["calibrate", "--samples", "2", "--reps", "3", "--workers", "1", "--targets", str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "consistent with every fitting target" in printed
    assert (out / "calibration.json").is_file() and (out / "calibration.md").is_file()
    assert f"wrote {out / 'calibration.json'} and {out / 'calibration.md'}" in printed


TRACKED = ("calibration.json", "calibration.md")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A working folder laid out like the project's: validation/targets.yaml (one small fitting
    target and one held back) beside copies of the tracked evidence; the command runs in it."""
    (tmp_path / "validation").mkdir()
    (tmp_path / "validation" / "targets.yaml").write_text(SMALL, encoding="utf-8")
    for name in TRACKED:
        (tmp_path / "validation" / name).write_bytes((ROOT / "validation" / name).read_bytes())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_calibrate_writes_a_new_results_folder_and_leaves_the_tracked_evidence_alone(project, capsys):
    real = {name: (ROOT / "validation" / name).read_bytes() for name in TRACKED}
    tiny = ["calibrate", "--samples", "2", "--reps", "3", "--workers", "1"]
    assert main(tiny) == 0
    assert main(tiny) == 0  # a second calibration: another new folder, the first one kept
    printed = capsys.readouterr().out
    for name in TRACKED:
        assert (project / "validation" / name).read_bytes() == real[name]  # the copy beside the targets
        assert (ROOT / "validation" / name).read_bytes() == real[name]  # and the project's own
    folders = sorted((project / "runs").iterdir())
    assert len(folders) == 2 and all(f.name.startswith("calibration-") for f in folders)
    for folder in folders:
        assert sorted(p.name for p in folder.iterdir()) == sorted(TRACKED)
        assert json.loads((folder / "calibration.json").read_text())["fit_targets"] == ["madrid-rebuke"]
        shown = folder.relative_to(project)
        assert f"wrote {shown / 'calibration.json'} and {shown / 'calibration.md'}" in printed
    assert "--update-evidence replaces it" in printed


def test_update_evidence_replaces_the_evidence_beside_the_targets_file(project, capsys):
    assert main(["calibrate", "--samples", "2", "--reps", "3", "--workers", "1", "--update-evidence"]) == 0
    evidence = json.loads((project / "validation" / "calibration.json").read_text())
    assert evidence["fit_targets"] == ["madrid-rebuke"] and evidence["holdout_targets"] == ["madrid-no-warning"]
    assert "madrid-no-warning | holdout" in (project / "validation" / "calibration.md").read_text()
    assert not (project / "runs").exists()
    assert "wrote validation/calibration.json and validation/calibration.md" in capsys.readouterr().out


def _no_search(*args, **kwargs):
    raise AssertionError("the output folder should be refused before the search starts")


@pytest.mark.parametrize("option", [
    ["--out", "a-file"],
    ["--out", "a-file/below"],
    ["--out", "cal", "--update-evidence"],
])
def test_an_unusable_output_is_one_line_naming_the_option_before_the_search(project, capsys, monkeypatch, option):
    (project / "a-file").write_text("not a folder")
    monkeypatch.setattr(c, "calibrate", _no_search)
    assert main(["calibrate", "--samples", "2", "--reps", "3", "--workers", "1", *option]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("nzsim calibrate: error: ")
    assert ("--update-evidence" in err and "not both" in err) if "--update-evidence" in option else f"--out {option[1]}:" in err
    assert not (project / "runs").exists() and not (project / "cal").exists()


def test_an_interrupted_calibration_leaves_no_empty_results_folder(project, monkeypatch):
    def interrupted(*args, **kwargs):
        assert len(list((project / "runs").iterdir())) == 1  # the folder is made before the search
        raise KeyboardInterrupt

    monkeypatch.setattr(c, "calibrate", interrupted)
    assert main(["calibrate", "--samples", "2", "--reps", "3", "--workers", "1"]) == 130
    assert not (project / "runs").exists()


def test_calibrate_bad_targets_file_exits_2(tmp_path, capsys):
    path = tmp_path / "targets.yaml"
    path.write_text(textwrap.dedent("targets: 3\n"), encoding="utf-8")
    assert main(["calibrate", "--targets", str(path)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_committed_evidence_matches_the_targets_and_the_defaults():
    """validation/calibration.json is the evidence for the defaults: same targets, defaults consistent."""
    evidence = json.loads((ROOT / "validation" / "calibration.json").read_text())
    targets = v.load_targets(ROOT / "validation" / "targets.yaml")
    assert evidence["fit_targets"] == [t.name for t in targets.targets if t.use == "fit"]
    assert evidence["holdout_targets"] == [t.name for t in targets.targets if t.use == "holdout"]
    assert evidence["sets"][0]["set"] == "defaults"
    assert evidence["sets"][0]["values"] == {f["name"]: DEFAULTS[f["name"]] for f in evidence["free"]}
    assert evidence["chosen"] is not None
    for name, value in evidence["chosen"]["values"].items():
        assert DEFAULTS[name] == pytest.approx(value)  # the chosen defaults are the code's defaults

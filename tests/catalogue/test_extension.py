"""Adding a signal kind and an outcome is one catalogue entry each, and nothing else.

The test adds both from here, without touching a module of the package, runs a scenario that sets
the new signal, and finds the new outcome in the run folder, the summary, the comparison (where
the new signal moves it) and the story, and the new signal in the story, the parameter table
(its channel coefficients, which a scenario can set) and the dashboard's controls. Taken out
again, the signal is an unknown field of the scenario schema. A second test runs the same with
two workers, whose processes see the extension by importing the module that adds it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import nzsim
from nzsim import analysis, reports
from nzsim.catalogue import OUTCOMES, SIGNALS, Outcome, SignalKind, metrics, registered
from nzsim.catalogue.parameters import BY_NAME
from nzsim.scenario import ScenarioError
from tests.helpers import ROOT, small_spec

PATROLS = SignalKind(
    name="pacific_patrols", kind="count", low=0, high=50,
    level=lambda ships: ships / (ships + 5),
    phrase=lambda ships: f"sends {ships} patrol ships to the Pacific" if ships else "",
    channels={"china": 0.9, "partners": 0.4, "domestic": 0.05},
    source="assumption: a worked example for the tests, not a calibrated signal",
    control={"type": "SliderInt", "label": "Patrol ships sent to the Pacific", "min": 0, "max": 50, "step": 1,
             "help": "Ships sent to patrol the Pacific with partners."},
)
PEAK_GRIEVANCE = Outcome(
    name="peak_grievance", type="float", kind="numeric", direction="min",
    reduce=lambda ending: metrics.peak(ending.weekly("china_grievance")),
    title="Beijing's grievance at its peak", unit="grievance (index, 0 = none)",
    words="Beijing's grievance at its peak",
)
WITH_PATROLS = {"events": {"vilnius": {"signals": {"pacific_patrols": 20}}}}


def test_a_new_signal_kind_and_a_new_outcome_reach_every_consumer(tmp_path):
    with registered(PATROLS, PEAK_GRIEVANCE):
        patrols = small_spec(name="patrols", **WITH_PATROLS)
        quiet = small_spec(name="quiet")
        assert patrols.events["vilnius"].signals.pacific_patrols == 20
        assert quiet.events["vilnius"].signals.pacific_patrols == 0  # the neutral value, by default

        with_ships = nzsim.run_ensemble(patrols, reps=12, seed=4, workers=1, out=tmp_path / "patrols")
        without = nzsim.run_ensemble(quiet, reps=12, seed=4, workers=1, out=tmp_path / "quiet")

        # the run folder: a column of its own, reduced from the weekly grievance of each replication
        stored = with_ships.outcomes
        assert "peak_grievance" in stored.columns
        grievance = with_ships.trajectories_of(["china_grievance"]).groupby("replication")["value"].max()
        assert stored.set_index("replication")["peak_grievance"].tolist() == grievance.tolist()
        assert with_ships.manifest["scenario"]["events"]["vilnius"]["signals"]["pacific_patrols"] == 20

        # the summary: its own line, as nzsim run prints it
        summary = nzsim.describe_run(with_ships)
        assert "peak_grievance" in set(summary["outcome"])
        assert "peak_grievance" in reports.format_summary(with_ships, summary)
        assert "peak_grievance" in (with_ships.path / "summary.csv").read_text()

        # the comparison: the ships raise Beijing's grievance in every replication (common seeds)
        table = analysis.compare({"quiet": without, "patrols": with_ships}, outcomes=["peak_grievance"])
        row = table[table["run"] == "patrols"].iloc[0]
        assert row["paired"] and row["difference"] > 0 and row["difference_low"] > 0
        assert "Beijing's grievance at its peak: mean of peak_grievance" in reports.format_comparison(table)
        frontier = analysis.tradeoff_frontier({"quiet": without, "patrols": with_ships},
                                              ["final_interoperability", "peak_grievance"])  # its direction: min
        assert set(frontier["run"]) == {"quiet", "patrols"}

        # the story: the deed in the summit's line, the outcome in words in the closing rows
        story = nzsim.tell(patrols, nzsim.replicate(patrols, seed=4))
        assert "sends 20 patrol ships to the Pacific" in story
        assert "Beijing's grievance at its peak" in story and "[peak_grievance]" in story

        # the parameter table: its coefficients, which a scenario can set; at zero the ships do nothing
        assert BY_NAME["signal.pacific_patrols.china"].default == 0.9
        muted = small_spec(name="muted", parameters={"signal.pacific_patrols.china": 0.0,
                                                     "signal.pacific_patrols.partners": 0.0,
                                                     "signal.pacific_patrols.domestic": 0.0}, **WITH_PATROLS)
        assert nzsim.replicate(muted, 4).outcomes == nzsim.replicate(small_spec(name="muted"), 4).outcomes

        # the dashboard's controls
        from nzsim.teaching.controls import signal_controls

        assert signal_controls()["pacific_patrols"]["label"] == "Patrol ships sent to the Pacific"

    assert "pacific_patrols" not in SIGNALS and "peak_grievance" not in OUTCOMES
    assert "signal.pacific_patrols.china" not in BY_NAME
    with pytest.raises(ScenarioError, match="no field 'pacific_patrols' in signals"):
        small_spec(**WITH_PATROLS)


def test_workers_see_an_extension_by_importing_its_module(tmp_path):
    """With two workers the chunks run in other processes: they import the module that added the
    entries (the run records it), and give the same rows as one worker."""
    script = textwrap.dedent(f"""
        import json, os
        import tests.catalogue.extension_example  # adds the signal kind and the outcome
        import nzsim
        from tests.helpers import small_spec

        spec = small_spec(events={{"vilnius": {{"signals": {{"pacific_patrols": 20}}}}}})
        one = nzsim.run_ensemble(spec, reps=10, seed=2, workers=1, out={str(tmp_path / "one")!r})
        two = nzsim.run_ensemble(spec, reps=10, seed=2, workers=2, chunk_size=5, out={str(tmp_path / "two")!r})
        print(json.dumps([two.manifest["extensions"], one.outcomes["peak_grievance"].tolist(),
                          two.outcomes["peak_grievance"].tolist(),
                          sorted({{int(c["worker"].rsplit(":", 1)[1]) != os.getpid() for c in two.manifest["chunks"]}})]))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    extensions, one, two, elsewhere = json.loads(result.stdout.strip().splitlines()[-1])
    assert extensions == ["tests.catalogue.extension_example"]
    assert one == two and len(one) == 10
    assert True in elsewhere  # a worker process computed chunks, with the extension it imported


def test_entries_added_in_main_cannot_reach_worker_processes(tmp_path):
    script = textwrap.dedent(f"""
        from nzsim.catalogue import outcomes, metrics
        import nzsim
        from tests.helpers import small_spec
        outcomes.add(outcomes.Outcome(name="peak_stance_again", type="float", kind="numeric",
                     reduce=lambda e: metrics.peak(e.weekly("stance")), title="t", words="w"))
        try:
            nzsim.run_ensemble(small_spec(), reps=4, seed=1, workers=2, out={str(tmp_path / "run")!r})
        except ValueError as err:
            print(err)
        run = nzsim.run_ensemble(small_spec(), reps=4, seed=1, workers=1, out={str(tmp_path / "one")!r})
        print(run.outcomes["peak_stance_again"].equals(run.outcomes["peak_stance"]))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    message, same = result.stdout.strip().splitlines()[-2:]
    assert "added in __main__" in message and "workers=1" in message
    assert same == "True"

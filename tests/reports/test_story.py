"""The story of one replication: dated, concrete, reproducible byte for byte."""

from __future__ import annotations

import re
import subprocess
import sys

from nzsim.runs.loop import replicate
from nzsim.reports.story import day, tell
from tests.helpers import make_spec

import datetime as dt


def story_cli(path, seed):
    return subprocess.run(
        [sys.executable, "-m", "nzsim", "story", str(path), "--seed", str(seed)],
        capture_output=True, text=True, timeout=120,
    )


def test_same_seed_same_story_byte_for_byte(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(make_spec(context={"voters": 500}).to_yaml())
    first, second = story_cli(path, 7), story_cli(path, 7)
    assert first.returncode == 0, first.stderr
    assert first.stdout.encode() == second.stdout.encode()
    other = story_cli(path, 8)
    assert other.returncode == 0
    # The header names the seed, so different seeds never print the same bytes.
    assert "seed 7," in first.stdout and "seed 8," in other.stdout


def test_story_is_dated_concrete_and_ends_with_the_outcome_row():
    spec = make_spec(context={"voters": 500})
    rep = replicate(spec, seed=3)
    text = tell(spec, rep)
    lines = text.splitlines()
    # Header: scenario, its hash, the seed and the code version.
    assert lines[0].startswith("test-base: ")
    assert f"sha256 {spec.sha256[:16]}" in lines[1] and "seed 3" in lines[1] and "nzsim " in lines[1]
    summit = next(line for line in lines if line.startswith("Week 6, 11 Jul 2023: "))
    assert "the Prime Minister attends the Vilnius summit and mentions China only in passing" in summit
    assert re.search(r"Beijing's grievance rises from \d\.\d to \d\.\d", summit)
    assert re.search(r"Partners' trust (rises|falls) from 0\.\d\d to 0\.\d\d|Partners' trust holds", summit)
    election = next(line for line in lines if line.startswith("Week 19, 14 Oct 2023: "))
    assert re.search(r"(re-elected|loses) with \d+\.\d% of the two-bloc vote", election)
    # Dated lines come in calendar order.
    weeks = [int(m.group(1)) for m in map(re.compile(r"^Week (\d+),").match, lines) if m]
    assert weeks == sorted(weeks) and len(weeks) >= 2
    # The outcome row closes the story: every outcome, one per line.
    block = lines[lines.index("Outcomes (the column names of nzsim run's tables in brackets)") + 1 :]
    assert [re.search(r"\[(\w+)\]$", line).group(1) for line in block] == list(rep.outcomes)
    # ... each in words, its value kept as the table has it
    assert re.search(r"^  trust in New Zealand at the end: South Korea +\d\.\d{3}  \[trust_south_korea\]$", text, re.M)
    assert not any(line.split()[0] in rep.outcomes for line in block)


def test_quiet_entries_are_not_told_twice():
    """A statement Beijing makes in answer to a summit is part of the summit's line."""
    spec = make_spec(context={"voters": 300}, events={"vilnius": {"signals": {"china_language": "strong"}}})
    for seed in range(20):
        rep = replicate(spec, seed)
        quiet = [e for e in rep.entries if e.quiet]
        if quiet:
            text = tell(spec, rep)
            said = quiet[0].description.rstrip(".")
            assert said in text and text.count(said) == 1, said
            assert "embassy" in said or "ambassador" in said
            return
    raise AssertionError("strong China language drew no statement in 20 seeds")


def test_day_is_locale_free():
    assert day(dt.date(2023, 7, 11)) == "11 Jul 2023"
    assert day(dt.date(2025, 1, 2)) == "2 Jan 2025"


def test_lines_read_as_prose_for_each_signal_event():
    spec = make_spec(
        context={"voters": 300},
        events={
            "vilnius": {"signals": {"attendance": "none", "china_language": "none"}},
            "strategy": {
                "kind": "policy_decision", "date": "2023-08-04", "label": "the National Security Strategy",
                "signals": {"china_language": "moderate", "independence_framing": "mild"},
            },
            "briefing": {
                "kind": "policy_decision", "date": "2023-09-01", "label": "a briefing on AUKUS Pillar II",
                "signals": {"aukus_pillar2": "explore"},
            },
            "joint": {"kind": "bilateral_statement", "date": "2023-06-20", "partner": "japan"},
        },
    )
    text = tell(spec, replicate(spec, seed=0))
    assert "Week 6, 11 Jul 2023: New Zealand stays away from the Vilnius summit. " in text
    assert (
        "the government announces the National Security Strategy and criticises China's conduct "
        "and speaks of New Zealand's independent foreign policy. " in text
    )
    # A decision that says nothing about China does not claim to have said something.
    assert "the government announces a briefing on AUKUS Pillar II; New Zealand says it will explore AUKUS Pillar II." in text
    assert "a joint statement with Japan is issued." in text
    assert "does not mention China" not in text


def test_sectors_read_as_goods_in_the_story():
    from nzsim.model.agents.china import _listed

    assert _listed(("coal", "lobster_timber_cotton")) == "coal, lobster, timber and cotton"
    assert _listed(("logs_and_wood", "seafood")) == "logs, wood and seafood"
    assert _listed(("iron_ore",)) == "iron ore" and _listed(("new_zealand_wool",)) == "new zealand wool"
    spec = make_spec(context={"voters": 300}, events={"ban": {
        "kind": "coercion_shock", "date": "2023-07-03", "sectors": ["logs_and_wood", "seafood"], "fraction": 0.5,
        "duration_weeks": 4, "label": "A dispute over log inspections"}})
    text = tell(spec, replicate(spec, seed=0))
    assert "Beijing restricts logs, wood and seafood (50% of their China sales)" in text
    assert "Beijing lifts the measures on logs, wood and seafood." in text


def test_the_numbers_the_story_quotes_are_explained_where_they_first_appear():
    from nzsim.scenario import load

    spec = load("scenarios/vilnius-2023-coercion-shock.yaml")
    lines = tell(spec, replicate(spec, seed=0)).splitlines()
    first = next(i for i, line in enumerate(lines) if "Beijing's grievance" in line and line.startswith("Week"))
    assert lines[first + 1].startswith("    Note: Beijing's grievance is how wronged Beijing feels")
    election = next(i for i, line in enumerate(lines) if "(foreign-policy approval " in line)
    assert "percentage points" in lines[election + 1]
    assert sum(line.startswith("    Note: ") for line in lines) == 2  # each note once (no 'accumulated' in this run)
    assert "Numbers the scenario leaves uncertain, drawn for this run (another seed draws others):" in lines
    assert any(re.match(r"  china\.grievance_half_life_weeks = [\d.]+: half-life of the grievance", line) for line in lines)

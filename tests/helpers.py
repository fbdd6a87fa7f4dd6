"""Shared test helpers: a small valid scenario built in code.

``make_spec(**overrides)`` deep-merges ``overrides`` into :data:`BASE` (``nzsim.scenario.merge``:
mappings merge key by key, a ``None`` event removes that event) and validates the result with
``nzsim.scenario.from_dict``. Other test modules import it::

    from tests.helpers import make_spec
    spec = make_spec(context={"voters": 200}, events={"election": None})
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import MappingProxyType

from pandas.testing import assert_frame_equal

from nzsim.scenario import Scenario, from_dict, merge

#: The root of the project (tests/ is directly below it).
ROOT = Path(__file__).resolve().parents[1]

#: A Labour-led New Zealand in June 2023: China takes 27% of NZ$70.4bn goods exports; the
#: Vilnius summit (PM attends, mentions China in passing) and the October election.
BASE = MappingProxyType(
    {
        "name": "test-base",
        "description": "A small test scenario: Vilnius 2023 and the 2023 election.",
        "references": ("Capie, D. (2023). New Zealand and NATO (seed article).",),
        "start": "2023-06-05",
        "horizon_weeks": 52,
        "replications": 10,
        "context": {
            "governing_bloc": "labour",
            "china_export_share": 0.27,
            "goods_exports_nzd_bn": 70.4,
            "voters": 1000,
        },
        "events": {
            "vilnius": {
                "kind": "nato_summit",
                "date": "2023-07-11",
                "signals": {"attendance": "leader", "china_language": "passing"},
            },
            "election": {"kind": "election", "date": "2023-10-14", "incumbent_baseline": 0.52},
        },
    }
)

#: The 1-based weeks of BASE's events (start Monday 5 Jun 2023):
#: 11 Jul is 36 days in -> 36 // 7 + 1 = 6; 14 Oct is 25 + 31 + 31 + 30 + 14 = 131 days in -> 131 // 7 + 1 = 19.
SUMMIT_WEEK = 6
ELECTION_WEEK = 19
START = dt.date(2023, 6, 5)


def make_spec(**overrides) -> Scenario:
    """BASE deep-merged with ``overrides``, validated into a frozen Scenario."""
    return from_dict(merge(BASE, overrides), name="<tests.helpers.make_spec>")


#: The horizon of :func:`small_spec` (the election, in week 19, stays in).
SMALL_HORIZON = 20


def small_spec(**overrides) -> Scenario:
    """A fast scenario for ensemble tests: 300 voters, 20 weeks.

    ``overrides`` are merged last, onto the whole scenario, so ``events={"election": None}``
    removes the election (merged into the small settings first, the ``None`` had nothing to
    remove and was lost).
    """
    small = merge(BASE, {"context": {"voters": 300}, "horizon_weeks": SMALL_HORIZON})
    return from_dict(merge(small, overrides), name="<tests.helpers.small_spec>")


def run_frames(run) -> dict:
    """A finished run's three frames by name."""
    return {"outcomes": run.outcomes, "trajectories": run.trajectories, "events": run.events}


def assert_same_frames(a, b) -> None:
    """Two runs have identical outcomes, trajectories and events."""
    fa, fb = run_frames(a), run_frames(b)
    for name in fa:
        assert_frame_equal(fa[name], fb[name], obj=name)


def one_line_error(capsys, code, expected, *commands: str):
    """Exit 2, no traceback, exactly one error line (after argparse's usage lines, for its own
    checks), from one of ``commands`` (``"compare"``, ``"export"``...), holding ``expected``."""
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = captured.err.strip().splitlines()
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1 and errors[0] == lines[-1], captured.err
    assert lines[0].startswith((*(f"nzsim {c}: error:" for c in commands), "usage: nzsim")), captured.err
    assert expected in errors[0], errors[0]
    assert "Traceback" not in captured.err

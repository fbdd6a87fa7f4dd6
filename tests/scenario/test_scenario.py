"""The scenario loader against a suite of small valid and invalid files (``tests/scenarios/``).

In the style of demes-python's test suite:

- every file in ``tests/scenarios/valid/`` (including ``bases/``) must load, round-trip through
  its canonical YAML and be frozen;
- every file directly in ``tests/scenarios/invalid/`` holds one mistake and begins with
  ``# error: <message>``: loading it must raise :class:`ScenarioError` whose ``str()`` is exactly
  ``"<path>: <message>"`` (the file, the field path, what was expected). A second line
  ``# xfail: <reason>`` marks a case that shows a known loader bug; its test is a strict xfail.
  Files in ``tests/scenarios/invalid/bases/`` are helpers that cases extend, not cases.

Paths are given relative to the repository root and the tests run from there (messages that
mention a second file show it as the loader built it, relative to the working directory).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import typing
from pathlib import Path

import annotated_types
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import nzsim.scenario
from nzsim.scenario import (
    EVENT_KINDS,
    NatoSummit,
    Scenario,
    ScenarioError,
    Signals,
    from_dict,
    load,
    loads,
    merge,
)

ROOT = Path(__file__).resolve().parents[2]
CASES = Path("tests/scenarios")  # relative to ROOT
VALID_DIR = CASES / "valid"
INVALID_DIR = CASES / "invalid"

VALID = sorted(p.relative_to(ROOT) for p in (ROOT / VALID_DIR).rglob("*.yaml"))
INVALID = sorted(p.relative_to(ROOT) for p in (ROOT / INVALID_DIR).glob("*.yaml"))


def read_case(path: Path) -> tuple[str, str | None]:
    """The ``# error:`` message of an invalid case and its ``# xfail:`` reason (or None)."""
    head = (ROOT / path).read_bytes().decode("utf-8", errors="replace").splitlines()
    if not head or not head[0].startswith("# error: "):
        raise AssertionError(f"{path}: the first line must be '# error: <message>'")
    expected = head[0].removeprefix("# error: ")
    reason = None
    if len(head) > 1 and head[1].startswith("# xfail: "):
        reason = head[1].removeprefix("# xfail: ")
    return expected, reason


def invalid_params():
    out = []
    for path in INVALID:
        expected, reason = read_case(path)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(path, expected, marks=marks, id=path.stem))
    return out


@pytest.fixture(autouse=True)
def _run_from_root(monkeypatch):
    monkeypatch.chdir(ROOT)


# --------------------------------------------------------------------------------------
# The suite itself
# --------------------------------------------------------------------------------------


def test_suite_has_enough_cases():
    assert len(VALID) >= 12
    assert len(INVALID) >= 20
    for path in INVALID:
        read_case(path)  # raises if the header is missing
    assert len({read_case(p)[0] for p in INVALID}) == len(INVALID), "two cases expect the same message"


def test_valid_suite_covers_every_event_kind_and_distribution():
    specs = [load(p) for p in VALID]
    kinds = {e.kind for s in specs for e in s.events.values()}
    assert kinds == set(EVENT_KINDS)
    dists = [d for s in specs for d in s.uncertainties.values()]
    assert {d.dist for d in dists} == {"uniform", "normal", "triangular", "beta", "choice"}
    choices = [d for d in dists if d.dist == "choice"]
    assert any(c.weights is None for c in choices) and any(c.weights is not None for c in choices)
    assert any(s.parameters for s in specs)
    assert any(dict(s.context.sectors) != dict(nzsim.scenario.NZ_SECTORS) for s in specs)


# --------------------------------------------------------------------------------------
# Valid files
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_loads(path):
    spec = load(path)
    assert isinstance(spec, Scenario)
    assert re.fullmatch(r"[a-z0-9][a-z0-9_-]*", spec.name)
    for key, event in spec.events.items():
        assert spec.start <= event.date <= spec.end, key


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_round_trip(path):
    spec = load(path)
    text = spec.to_yaml()
    again = loads(text)
    assert again == spec
    assert again.sha256 == spec.sha256
    assert again.to_yaml() == text  # the canonical form is a fixed point
    assert from_dict(spec.dump()) == spec


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_is_frozen(path):
    spec = load(path)
    with pytest.raises(ValidationError):
        spec.name = "something-else"
    with pytest.raises(ValidationError):
        spec.context.voters = 100
    with pytest.raises(TypeError):
        spec.events["new"] = NatoSummit(kind="nato_summit", date=spec.start)
    with pytest.raises(TypeError):
        spec.parameters["china.trade_threshold"] = 1.0
    with pytest.raises(TypeError):
        spec.uncertainties["china.trade_threshold"] = None
    with pytest.raises(TypeError):
        spec.context.sectors["dairy"] = None
    with pytest.raises((TypeError, AttributeError)):
        spec.references.append("another")  # a tuple
    for key, event in spec.events.items():
        with pytest.raises(TypeError):
            del spec.events[key]
        with pytest.raises(ValidationError):
            event.date = spec.start
        if hasattr(event, "signals"):
            with pytest.raises(ValidationError):
                event.signals.personnel = 1
    assert load(path) == spec  # nothing changed


# --------------------------------------------------------------------------------------
# Invalid files
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "expected"), invalid_params())
def test_invalid(path, expected):
    with pytest.raises(ScenarioError) as info:
        load(path)
    err = info.value
    assert str(err) == f"{path}: {expected}"
    assert err.file == str(path)
    assert "\n" not in str(err)
    # The parts add up to the message.
    assert str(err) == (f"{err.file}: {err.field}: {err.expected}" if err.field else f"{err.file}: {err.expected}")


def test_truly_empty_file(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_bytes(b"")
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert str(info.value) == f"{path}: a YAML mapping of scenario fields, got an empty file"


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: an existing scenario file (no such file)"
    with pytest.raises(ScenarioError) as info:
        load(tmp_path)
    assert str(info.value) == f"{tmp_path}: a scenario file, got a directory"


def test_loads_and_from_dict_name_their_source():
    with pytest.raises(ScenarioError) as info:
        loads("name: x\n", name="pasted")
    assert str(info.value).startswith("pasted: ")
    with pytest.raises(ScenarioError) as info:
        loads("extends: base.yaml\ndescription: d\n")
    assert str(info.value) == "<string>: extends: a file on disk to extend from; use load(path)"
    with pytest.raises(ScenarioError) as info:
        from_dict({"name": "x"})
    assert str(info.value).startswith("<dict>: ")


# --------------------------------------------------------------------------------------
# extends
# --------------------------------------------------------------------------------------

BASE_FILE = VALID_DIR / "bases" / "extends_base.yaml"
CHILD_FILE = VALID_DIR / "extends_child.yaml"
GRANDCHILD_FILE = VALID_DIR / "extends_grandchild.yaml"

#: What extends_child.yaml resolves to, worked out by hand from it and bases/extends_base.yaml.
CHILD_RESOLVED = {
    "name": "extends-child",
    "description": "Child of the extends chain.",
    "references": ["Capie 2023", "NATO Vilnius communique"],  # lists are replaced, not joined
    "start": "2023-01-02",
    "horizon_weeks": 104,
    "context": {"governing_bloc": "labour", "china_export_share": 0.28, "goods_exports_nzd_bn": 70, "voters": 2000},
    "events": {
        # washington: removed by `null`; vilnius: one signal changed, its siblings kept
        "vilnius": {
            "kind": "nato_summit",
            "date": "2023-07-11",
            "signals": {"attendance": "leader", "china_language": "strong", "personnel": 100},
        },
    },
    "parameters": {"china.trade_threshold": 5},
}

#: What extends_grandchild.yaml resolves to.
GRANDCHILD_RESOLVED = {
    **CHILD_RESOLVED,
    "name": "extends-grandchild",
    "description": "Grandchild of the extends chain.",
    "references": ["Electoral Commission 2023"],
    "context": {**CHILD_RESOLVED["context"], "governing_bloc": "national"},
    "events": {
        **CHILD_RESOLVED["events"],
        "general_election": {"kind": "election", "date": "2023-10-14", "incumbent_baseline": 0.45},
    },
}


def test_extends_child_by_hand():
    base, child = load(BASE_FILE), load(CHILD_FILE)
    assert child == from_dict(CHILD_RESOLVED)
    assert set(base.events) == {"vilnius", "washington"}
    assert set(child.events) == {"vilnius"}  # null removes
    signals = child.events["vilnius"].signals
    assert signals.china_language == "strong"  # the nested override
    assert (signals.attendance, signals.personnel) == ("leader", 100)  # siblings kept
    assert child.events["vilnius"].date == dt.date(2023, 7, 11)
    assert child.horizon_weeks == base.horizon_weeks == 104


def test_extends_grandchild_sees_grandparent():
    grand = load(GRANDCHILD_FILE)
    assert grand == from_dict(GRANDCHILD_RESOLVED)
    assert grand.context.voters == 2000  # set only in the grandparent
    assert grand.parameters == {"china.trade_threshold": 5.0}  # set only in the grandparent
    assert grand.context.governing_bloc == "national"  # the grandchild's own change
    assert grand.context.china_export_share == 0.28  # sibling of the change, from the grandparent
    assert grand.events["vilnius"].signals.china_language == "strong"  # the child's change
    assert "washington" not in grand.events  # the child's removal sticks


def test_extends_is_relative_to_the_file_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load(ROOT / GRANDCHILD_FILE) == from_dict(GRANDCHILD_RESOLVED)


def test_every_file_in_a_chain_needs_description_and_references(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {(ROOT / BASE_FILE).as_posix()}\nreferences: [x]\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load(child)
    assert info.value.field == "description"
    assert str(info.value).startswith(f"{child}: description: ")


def test_null_removes_only_named_events(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {(ROOT / BASE_FILE).as_posix()}\n"
        "description: d\nreferences: [r]\nevents: {vilnius: null}\n",
        encoding="utf-8",
    )
    assert set(load(child).events) == {"washington"}


def test_null_for_an_event_the_base_lacks_is_an_error(tmp_path):
    """A typo in the name of an event to remove must not pass silently."""
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {(ROOT / BASE_FILE).as_posix()}\n"
        "description: d\nreferences: [r]\nevents: {vilnius: null, not_in_base: null}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as err:
        load(child)
    assert err.value.field == "events.not_in_base"
    assert "has no event 'not_in_base'" in err.value.expected


# --------------------------------------------------------------------------------------
# merge
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "override", "expected"),
    [
        ({}, {}, {}),
        ({"a": 1}, {}, {"a": 1}),
        ({}, {"a": 1}, {"a": 1}),
        ({"a": 1, "b": 2}, {"b": 3}, {"a": 1, "b": 3}),
        # nested mappings merge key by key
        ({"c": {"x": 1, "y": 2}}, {"c": {"y": 3, "z": 4}}, {"c": {"x": 1, "y": 3, "z": 4}}),
        ({"c": {"d": {"x": 1, "y": 2}}}, {"c": {"d": {"y": 3}}}, {"c": {"d": {"x": 1, "y": 3}}}),
        # anything else is replaced
        ({"a": [1, 2]}, {"a": [3]}, {"a": [3]}),
        ({"a": {"x": 1}}, {"a": 5}, {"a": 5}),
        ({"a": 5}, {"a": {"x": 1}}, {"a": {"x": 1}}),
        # null under events removes the event, even one the base lacks
        (
            {"events": {"e1": {"kind": "recession"}, "e2": {"kind": "custom"}}},
            {"events": {"e1": None, "e3": None}},
            {"events": {"e2": {"kind": "custom"}}},
        ),
        # an event is merged field by field
        (
            {"events": {"e": {"kind": "nato_summit", "signals": {"attendance": "leader", "personnel": 5}}}},
            {"events": {"e": {"signals": {"personnel": 9}}}},
            {"events": {"e": {"kind": "nato_summit", "signals": {"attendance": "leader", "personnel": 9}}}},
        ),
        # null elsewhere is an ordinary value (validation then rejects it)
        ({"context": {"recession": True}}, {"context": {"recession": None}}, {"context": {"recession": None}}),
        ({"events": {"e": {}}}, {"events": None}, {"events": None}),
    ],
)
def test_merge(base, override, expected):
    base_before, override_before = copy.deepcopy(base), copy.deepcopy(override)
    assert merge(base, override) == expected
    assert (base, override) == (base_before, override_before)  # inputs untouched


# --------------------------------------------------------------------------------------
# The content hash
# --------------------------------------------------------------------------------------

HASH_FILE = VALID_DIR / "extends_grandchild.yaml"
LITERAL_WORDS = (
    "none", "minister", "leader", "passing", "moderate", "strong", "mild", "dialogue",
    "joint_projects", "explore", "join", "labour", "national", "ipcp", "itpp", "head", "apology",
)  # fmt: skip


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, i))
    else:
        yield path, node


def _set(node, path, value):
    node = copy.deepcopy(node)
    inner = node
    for part in path[:-1]:
        inner = inner[part]
    inner[path[-1]] = value
    return node


def _alternatives(value):
    if value is None:  # an optional number left unset (a sector's china_replaceability)
        return [0.5]
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, (int, float)):
        return [value + 0.0005, value - 0.0005, value + 1, value - 1, value / 2 if value else 0.5]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = dt.date.fromisoformat(value)
        return [(day + dt.timedelta(days=d)).isoformat() for d in (1, -1)]
    return [value + "x", *[w for w in (*LITERAL_WORDS, *EVENT_KINDS) if w != value]]


def test_hash_changes_when_any_value_changes():
    spec = load(HASH_FILE)
    dump = spec.dump()
    changed, unchanged = [], []
    for path, value in _leaves(dump):
        for alt in _alternatives(value):
            try:
                other = from_dict(_set(dump, path, alt))
            except ScenarioError:
                continue
            assert other != spec, path
            assert other.sha256 != spec.sha256, path
            changed.append(path)
            break
        else:
            unchanged.append(path)
    assert len(changed) >= 40
    # Only the election's kind has no alternative (no other kind has an incumbent_baseline), and
    # its poll_share none (a poll share beside the incumbent_baseline is refused: exactly one).
    assert unchanged == [("events", "general_election", "kind"), ("events", "general_election", "poll_share")]


def test_hash_changes_when_a_key_changes():
    dump = load(HASH_FILE).dump()
    renamed = copy.deepcopy(dump)
    renamed["events"] = {("summit" if k == "vilnius" else k): v for k, v in dump["events"].items()}
    assert from_dict(renamed).sha256 != from_dict(dump).sha256


def _reversed(node):
    if isinstance(node, dict):
        return {k: _reversed(node[k]) for k in reversed(list(node))}
    if isinstance(node, list):
        return [_reversed(v) for v in node]  # list order is meaningful
    return node


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_hash_ignores_key_order(path):
    spec = load(path)
    flipped_text = yaml.safe_dump(_reversed(spec.dump()), sort_keys=False)
    flipped = loads(flipped_text)
    assert list(yaml.safe_load(flipped_text)) != list(spec.dump())  # the order did change
    assert flipped == spec
    assert flipped.sha256 == spec.sha256


def test_hash_ignores_key_order_in_hand_written_yaml():
    one = """
name: order
description: d
references: [r]
start: 2023-01-02
context: {governing_bloc: labour, china_export_share: 0.28, goods_exports_nzd_bn: 70}
events:
  a: {kind: nato_summit, date: 2023-07-11, signals: {attendance: leader, personnel: 3}}
  b: {kind: recession, date: 2023-08-01}
parameters: {china.lift_hazard: 0.05, china.trade_threshold: 3}
"""
    two = """
parameters: {china.trade_threshold: 3, china.lift_hazard: 0.05}
events:
  b: {date: 2023-08-01, kind: recession}
  a: {signals: {personnel: 3, attendance: leader}, date: 2023-07-11, kind: nato_summit}
context: {goods_exports_nzd_bn: 70, china_export_share: 0.28, governing_bloc: labour}
start: 2023-01-02
references: [r]
description: d
name: order
"""
    assert loads(one) == loads(two)
    assert loads(one).sha256 == loads(two).sha256
    assert loads(one).sha256 != loads(one.replace("personnel: 3", "personnel: 4")).sha256


# --------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "date", "week"),
    [
        ("2023-01-02", "2023-01-02", 1),  # the start day is in week 1
        ("2023-01-02", "2023-01-08", 1),  # 6 days in
        ("2023-01-02", "2023-01-09", 2),  # 7 days in
        ("2023-01-02", "2023-07-11", 28),  # 29+28+31+30+31+30+11 = 190 days; 190 // 7 + 1
        ("2023-01-02", "2023-12-31", 52),  # 363 days: the last day of a 52-week horizon
        ("2024-02-26", "2024-03-04", 2),  # 3 days to 29 Feb (a leap year) + 4 = 7 days
        ("2024-02-26", "2024-03-03", 1),  # 6 days
    ],
)
def test_week_of(start, date, week):
    spec = from_dict({**CHILD_RESOLVED, "start": start, "events": {}})
    assert spec.week_of(dt.date.fromisoformat(date)) == week


@pytest.mark.parametrize(
    ("start", "week", "date"),
    [
        ("2023-01-02", 1, "2023-01-02"),
        ("2023-01-02", 2, "2023-01-09"),
        ("2023-01-02", 28, "2023-07-10"),  # 27 weeks = 189 days after 2 Jan
        ("2023-01-02", 53, "2024-01-01"),
        ("2024-02-26", 2, "2024-03-04"),
    ],
)
def test_date_of_week(start, week, date):
    spec = from_dict({**CHILD_RESOLVED, "start": start, "events": {}})
    assert spec.date_of_week(week) == dt.date.fromisoformat(date)
    assert spec.week_of(spec.date_of_week(week)) == week


def test_end_of_horizon():
    spec = from_dict({**CHILD_RESOLVED, "start": "2023-01-02", "horizon_weeks": 52, "events": {}})
    assert spec.end == dt.date(2023, 12, 31)
    spec = from_dict({**CHILD_RESOLVED, "start": "2024-02-26", "horizon_weeks": 1, "events": {}})
    assert spec.end == dt.date(2024, 3, 3)


# --------------------------------------------------------------------------------------
# Property: random signal bundles round-trip
# --------------------------------------------------------------------------------------


def _field_strategy(name, info):
    annotation = info.annotation
    bounds = {type(m): m for m in info.metadata}
    low = bounds[annotated_types.Ge].ge if annotated_types.Ge in bounds else None
    high = bounds[annotated_types.Le].le if annotated_types.Le in bounds else None
    if typing.get_origin(annotation) is typing.Literal:
        return st.sampled_from(typing.get_args(annotation))
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(low, high)
    if annotation is float:
        return st.floats(low, high, allow_nan=False, allow_infinity=False) | st.integers(
            math.ceil(low), math.floor(high)
        )
    raise AssertionError(f"Signals.{name}: no strategy for {annotation!r}; extend the test")


SIGNALS = st.fixed_dictionaries(
    {}, optional={name: _field_strategy(name, info) for name, info in Signals.model_fields.items()}
)
SIGNAL_EVENT = st.tuples(
    st.sampled_from(["nato_summit", "policy_decision", "bilateral_statement"]),
    st.dates(dt.date(2023, 1, 2), dt.date(2023, 12, 31)),
    SIGNALS,
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True), SIGNAL_EVENT, max_size=4))
def test_random_signal_bundles_round_trip(events):
    data = {
        **{k: v for k, v in CHILD_RESOLVED.items() if k != "events"},
        "start": "2023-01-02",
        "horizon_weeks": 52,
        "events": {
            key: {
                "kind": kind,
                "date": date.isoformat(),
                "signals": signals,
                **({"partner": "japan"} if kind == "bilateral_statement" else {}),
            }
            for key, (kind, date, signals) in events.items()
        },
    }
    spec = from_dict(data)
    for key, (_, _, signals) in events.items():
        got = spec.events[key].signals
        for name, value in signals.items():
            assert getattr(got, name) == value
    again = loads(spec.to_yaml())
    assert again == spec
    assert again.sha256 == spec.sha256

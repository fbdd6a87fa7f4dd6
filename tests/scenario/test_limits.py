"""The loader's limits (``nzsim.scenario.limits``): inputs too large or too deep for a table of
files are refused with one line naming the file and the field, in bounded time and memory.

The cases small enough to keep as files are in ``tests/scenarios/invalid/`` (deep_nesting,
billion_laughs, long_integer, lever_cells, ...); those built here are too large for a file of
the suite (a chain of 1,200 files, a file over the byte limit) or test one function.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from nzsim.cli import main
from nzsim.reports.story import title
from nzsim.scenario import Choice, ScenarioError, cells, draw, from_dict, load, loads
from nzsim.scenario.errors import clean_loc, show
from nzsim.scenario.limits import MAX_BYTES, MAX_CELLS, MAX_DEPTH, MAX_EXTENDS, MAX_NODES
from nzsim.teaching.classroom import load_bundles

BASE = """name: base
description: A base.
references: [Capie 2023]
start: 2023-01-02
context: {governing_bloc: labour, china_export_share: 0.28, goods_exports_nzd_bn: 70}
"""


def refused(path: Path) -> ScenarioError:
    """The error of loading ``path``, which must be refused within 5 s and 100 MB."""
    tracemalloc.start()
    began = time.perf_counter()
    try:
        with pytest.raises(ScenarioError) as info:
            load(path)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.perf_counter() - began < 5
    assert peak < 100e6, f"{peak / 1e6:.0f} MB"
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return info.value


def test_a_chain_of_1200_files_stops_at_the_extends_limit(tmp_path):
    (tmp_path / "f1200.yaml").write_text(BASE)
    for i in range(1200):
        (tmp_path / f"f{i}.yaml").write_text(f"extends: f{i + 1}.yaml\ndescription: d\nreferences: [r]\n")
    err = refused(tmp_path / "f0.yaml")
    assert err.field == "extends"
    assert f"at most {MAX_EXTENDS} files" in err.expected
    assert err.expected.endswith(f"(in f{MAX_EXTENDS - 1}.yaml)")  # the file checked first, then where
    # A chain within the limit loads.
    assert load(tmp_path / f"f{1200 - MAX_EXTENDS + 1}.yaml").name == "base"


def test_a_file_over_the_byte_limit(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(BASE + "label: " + "x" * MAX_BYTES + "\n")
    err = refused(path)
    assert err.expected == f"a scenario file of at most {MAX_BYTES:,} bytes, got {path.stat().st_size:,}"
    with pytest.raises(ScenarioError, match="at most"):
        loads(BASE + "#" * MAX_BYTES)


def test_nesting_just_within_the_limit_reaches_the_schema(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text(BASE + "levers: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n")
    assert "levels of nesting" not in refused(path).expected
    path.write_text(BASE + "levers: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")
    assert refused(path).expected.startswith(f"at most {MAX_DEPTH} levels of nesting (line 6, column ")


@pytest.mark.parametrize("levels", [7, 9, 12])
def test_billion_laughs_in_bounded_memory(tmp_path, levels):
    """Each level a mapping of ten aliases of the level below: 10^levels values, refused in
    bounded memory however many levels (nine took 5.7 GB once)."""
    lines = ["a0: &a0 {x0: 1, x1: 1, x2: 1, x3: 1, x4: 1, x5: 1, x6: 1, x7: 1, x8: 1, x9: 1}"]
    lines += [f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" for j in range(10)) + "}" for i in range(1, levels)]
    path = tmp_path / "laughs.yaml"
    path.write_text(BASE + "events:\n" + "".join(f"  {line}\n" for line in lines))
    err = refused(path)
    assert err.field == "events.a4"  # the first mapping over the limit
    assert err.expected.startswith(f"at most {MAX_NODES:,} values with every alias expanded")


def test_aliases_within_the_limit_are_ordinary_yaml():
    text = BASE + "events:\n  a: &s {kind: recession, date: 2023-03-01}\n  b: *s\n"
    assert set(loads(text).events) == {"a", "b"}


def test_long_values_are_shown_by_their_start_and_length():
    assert show("y" * 20_000_000) == f"'{'y' * 40}...' (20,000,000 characters)"
    assert show(list(range(10**5))) == "a list of 100,000 items"
    assert show(10**500).startswith("an integer of about 501 digits")
    with pytest.raises(ScenarioError) as info:
        from_dict({"name": "z" * 20_000_000})
    assert len(str(info.value)) < 300
    err = ScenarioError("f.yaml", "k" * 1000, "e" * 100_000)
    assert len(str(err)) <= len("f.yaml: ") + 60 + 2 + 210
    assert str(err).endswith("... (100,000 characters)")


def test_field_paths_never_show_pydantic_internals():
    assert clean_loc(("levers", "a", 0, "function-before[check(), float]")) == ("levers", "a", 0)
    with pytest.raises(ScenarioError) as info:
        loads(BASE + "levers: {context.recession: [[1]]}\n")
    assert info.value.field == "levers.context.recession.0"
    assert "[" not in info.value.field


def test_a_line_break_in_a_key_stays_on_one_line():
    with pytest.raises(ScenarioError) as info:
        loads(BASE + '"two\\nlines": 1\n')
    assert "\n" not in str(info.value) and "two\\nlines" in str(info.value)


def test_choice_weights_near_the_largest_float_draw():
    dist = Choice(dist="choice", values=(1.0, 2.0), weights=(1e308, 1e308))
    rng = np.random.default_rng(0)
    values = {draw(dist, rng) for _ in range(50)}
    assert values == {1.0, 2.0}
    # Ordinary weights draw exactly as before (the same seed, the same values).
    plain = Choice(dist="choice", values=(1.0, 2.0), weights=(1.0, 3.0))
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    assert [draw(plain, rng_a) for _ in range(20)] == [(1.0, 2.0)[int(rng_b.choice(2, p=[0.25, 0.75]))] for _ in range(20)]


def test_story_title_of_any_description():
    assert title("\t") == "(no description)"
    assert title("\n\n  Vilnius 2023  \nmore") == "Vilnius 2023"


def test_lever_cells_refuses_a_table_over_the_limit():
    spec = loads(BASE + "events: {v: {kind: nato_summit, date: 2023-07-11}}\n"
                 "levers: {events.v.signals.personnel: [0, 1, 2]}\n")
    huge = spec.model_copy(update={"levers": {f"context.c{i}": tuple(range(10)) for i in range(4)}})
    with pytest.raises(ScenarioError) as info:
        cells(huge, "x.yaml")
    assert str(info.value) == f"x.yaml: levers: a lever table of at most {MAX_CELLS:,} cells, got 10,000"
    assert len(cells(spec)) == 3


def test_classroom_file_named_only_dots(tmp_path):
    (tmp_path / "...yaml").write_text(BASE)
    (tmp_path / "team.yaml").write_text(BASE)
    specs, failed, _ = load_bundles(tmp_path)
    assert [p.name for p in specs] == ["team.yaml"]
    assert list(failed) == ["...yaml"]
    assert failed["...yaml"].startswith(f"{tmp_path / '...yaml'}: a file name with a name before .yaml")


def test_a_classroom_of_one_file_named_only_dots_is_one_line(tmp_path, capsys):
    (tmp_path / "...yaml").write_text(BASE)
    assert main(["classroom", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"nzsim classroom: error: {tmp_path / '...yaml'}: ")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["check", "story"])
def test_the_cli_gives_one_line_and_exit_2(tmp_path, capsys, command):
    path = tmp_path / "self.yaml"
    path.write_text(BASE + "levers: &a {b: *a}\n")
    assert main([command, str(path)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [f"nzsim {command}: error: {path}: levers.b: an alias that does not refer to a list "
                                f"or mapping it is in (*a is inside &a: a structure that contains itself) (line 6, column 16)"]

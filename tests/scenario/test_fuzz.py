"""Fuzzing the scenario door: whatever bytes a scenario file holds, ``nzsim check`` ends with
exit status 0 or 2 and, for 2, exactly one line that begins with the file's path, within a time
and memory limit, and never a traceback.

The files are drawn by hypothesis: a valid scenario with one part replaced (structure, types,
huge values, whitespace-only text), raw bytes in other encodings, deep nesting, and anchors and
aliases (self-reference, "billion laughs"). ``scripts/fuzz_inputs.py`` runs thousands more,
through the commands as subprocesses.
"""

from __future__ import annotations

import re
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nzsim.cli import main

VALID = {
    "name": "fuzz",
    "description": "A scenario to fuzz.",
    "references": ["Capie 2023"],
    "start": "2023-01-02",
    "horizon_weeks": 52,
    "context": {"governing_bloc": "labour", "china_export_share": 0.28, "goods_exports_nzd_bn": 70},
    "events": {"vilnius": {"kind": "nato_summit", "date": "2023-07-11", "signals": {"attendance": "leader"}}},
    "uncertainties": {"china.trade_threshold": {"dist": "choice", "values": [3, 4], "weights": [1, 1]}},
    "levers": {"events.vilnius.signals.personnel": [0, 100]},
}
PATHS = [(), ("name",), ("description",), ("references",), ("start",), ("horizon_weeks",), ("context",),
         ("context", "china_export_share"), ("context", "sectors"), ("events",), ("events", "vilnius"),
         ("events", "vilnius", "signals"), ("events", "vilnius", "signals", "attendance"), ("uncertainties",),
         ("uncertainties", "china.trade_threshold", "weights"), ("levers",),
         ("levers", "events.vilnius.signals.personnel"), ("replications",), ("extends",), ("parameters",)]

HUGE = st.one_of(
    st.integers(-(10**400), 10**400),
    st.integers(100, 20_000).map(lambda n: f"<<digits:{n}>>"),  # an integer of n digits, written in below
    st.floats(),  # NaN and infinities too
    st.sampled_from([1e308, -1e308, 5e-324]),
    st.text(max_size=50),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", " ", "\t", "é", "\n"]), st.integers(1, 200_000)),
    st.sampled_from(["", " ", "\t", "\n\n", "\u00a0", "\u2028"]),  # whitespace-only text
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), HUGE)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10) | st.integers(), inner,
                                                                          max_size=4), max_leaves=12)


def _set(data: dict, path: tuple, value) -> object:
    if not path:
        return value
    out = dict(data)
    node = out
    for part in path[:-1]:
        child = node.get(part)
        node[part] = dict(child) if isinstance(child, dict) else {}
        node = node[part]
    node[path[-1]] = value
    return out


@st.composite
def mutated(draw) -> bytes:
    """A valid scenario with one part replaced by anything, dumped as YAML."""
    data = _set(VALID, draw(st.sampled_from(PATHS)), draw(VALUES))
    text = yaml.safe_dump(data, allow_unicode=draw(st.booleans()), width=10**9)
    text = re.sub(r"'?<<digits:(\d+)>>'?", lambda m: "9" * int(m.group(1)), text)
    return text.encode("utf-8")


@st.composite
def nested(draw) -> bytes:
    depth = draw(st.integers(1, 3000))
    opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}"), ("- ", "")]))
    if opener == "- ":
        body = "".join("  " * i + "- " + "\n" for i in range(min(depth, 400))) + "  " * min(depth, 400) + "x\n"
        return (yaml.safe_dump(VALID) + "levers:\n" + body).encode()
    return (yaml.safe_dump(VALID) + "extra: " + opener * depth + "1" + closer * depth + "\n").encode()


@st.composite
def aliased(draw) -> bytes:
    """Anchors and aliases: laughs of a drawn depth and width, or a structure that contains itself."""
    head = yaml.safe_dump({k: v for k, v in VALID.items() if k not in ("events", "levers")})
    if draw(st.booleans()):
        field = draw(st.sampled_from(["levers", "events", "context", "references"]))
        body = draw(st.sampled_from([f"{field}: &a {{b: *a}}\n", f"{field}: &a [*a]\n", f"{field}: &a {{b: [{{c: *a}}]}}\n"]))
        return (head + body).encode()
    levels, width = draw(st.integers(1, 12)), draw(st.integers(2, 12))
    flow = draw(st.booleans())
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for i in range(1, levels):
        items = [f"*a{i - 1}"] * width
        lines.append(f"a{i}: &a{i} " + ("[" + ", ".join(items) + "]" if flow else
                                        "{" + ", ".join(f"k{j}: {x}" for j, x in enumerate(items)) + "}"))
    field = draw(st.sampled_from(["levers", "events", "context", "uncertainties"]))
    return (head + f"{field}:\n" + "".join(f"  {line}\n" for line in lines)).encode()


@st.composite
def encoded(draw) -> bytes:
    """The valid scenario in another encoding, cut short, or mixed with random bytes."""
    text = yaml.safe_dump(VALID, allow_unicode=True)
    kind = draw(st.sampled_from(["utf-16", "utf-32", "latin-1", "cut", "bytes", "nul", "bom", "control"]))
    if kind in ("utf-16", "utf-32"):
        return (text + "description: café\n").encode(kind)
    if kind == "latin-1":
        return text.replace("A scenario", "Caf\u00e9").encode("latin-1")
    if kind == "cut":
        raw = text.encode()
        return raw[: draw(st.integers(0, len(raw)))]
    if kind == "nul":
        return text.encode().replace(b"labour", b"lab\x00our")
    if kind == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    if kind == "control":
        return text.replace("A scenario", "A " + chr(draw(st.integers(0, 31))) + " scenario").encode()
    return draw(st.binary(max_size=300))


FILES = st.one_of(mutated(), nested(), aliased(), encoded(),
                  st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
                                 HealthCheck.function_scoped_fixture])
@given(content=FILES)
def test_any_file_gives_exit_0_or_2_and_one_line_naming_the_file(content, capsys):
    """(capsys is read before and after each example, so one fixture serves them all.)"""
    capsys.readouterr()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.yaml"
        path.write_bytes(content)
        tracemalloc.start()
        began = time.perf_counter()
        try:
            status = main(["check", "-q", str(path)])
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        elapsed = time.perf_counter() - began
    out, err = capsys.readouterr()
    assert elapsed < 10, f"{elapsed:.1f} s"
    assert peak < 300e6, f"{peak / 1e6:.0f} MB"
    if status == 0:
        assert out.startswith(f"ok {path} sha256 ") and err == ""
        return
    assert status == 2
    lines = err.splitlines()
    prefix = f"nzsim check: error: {path}: "
    assert len(lines) == 1, err[:2000]
    assert lines[0].startswith(prefix)
    assert len(lines[0]) - len(prefix) <= 280, lines[0]

"""The documentation cannot drift from the code.

docs/parameters.md is generated from the parameter table; docs/scenarios.md documents every field
of the scenario schema and every categorical signal value with its level; docs/model.md (ODD+D)
names every outcome column, DataCollector reporter and agent class, states the code's fixed
constants, lists the week's schedule in the order the code runs it, and cites only parameters
that exist. Each test reads the names from the code, so adding a field, a column or a parameter
without documenting it fails here.
"""

from __future__ import annotations

import inspect
import re
import typing
from pathlib import Path

import mesa
import pytest
from pydantic import BaseModel

import nzsim
import nzsim.model.agents
from nzsim.catalogue.affronts import ACTOR_KINDS
from nzsim import scenario
from nzsim.catalogue import parameters, parameters_md, partners, rungs, signals
from nzsim.model import NZModel, reporters
from nzsim.model.agents import china as china_module

DOCS = Path(__file__).resolve().parent.parent / "docs"


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def headings(text: str) -> list[tuple[int, str, int]]:
    """Markdown headings as (level, title, offset), skipping fenced code blocks."""
    out, fenced, offset = [], False, 0
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            m = re.match(r"(#{1,6}) +(.*?)\s*$", line)
            if m:
                out.append((len(m.group(1)), m.group(2), offset))
        offset += len(line)
    return out


def section(text: str, title: str) -> str:
    """The text under the heading titled exactly ``title``, up to the next heading of the same or a
    higher level (subsections included)."""
    hs = headings(text)
    for i, (level, t, start) in enumerate(hs):
        if t == title:
            end = next((o for lv, _, o in hs[i + 1 :] if lv <= level), len(text))
            return text[start:end]
    raise AssertionError(f"no heading {title!r} in the document")


# ---------------------------------------------------------------------------------------------
# (a) docs/parameters.md is the generated table
# ---------------------------------------------------------------------------------------------


def test_parameters_md_is_generated_from_the_table():
    assert read("parameters.md") == parameters_md.markdown_table(), (
        "docs/parameters.md is out of date: regenerate with `nzsim parameters > docs/parameters.md`"
    )


# ---------------------------------------------------------------------------------------------
# (b) every parameter has a source: a citation, or "assumption: " and the reasoning
# ---------------------------------------------------------------------------------------------

#: What a citation must contain: a year, a DOI or the calibration facts file it points to.
CITATION = re.compile(r"\b(1[89]|20)\d\d\b|doi:|\bfacts\b")


def source_problem(source: str) -> str | None:
    """Why ``source`` is not an acceptable source, or None if it is."""
    if not source or not source.strip():
        return "the source is blank"
    if source.startswith(parameters.ASSUMPTION):
        reasoning = source[len(parameters.ASSUMPTION) :].strip()
        if len(reasoning.split()) < 2:
            return "an assumption must say why (at least a few words after 'assumption: ')"
        return None
    if not CITATION.search(source):
        return "a source that is not an assumption must name something: a year, a DOI or the facts file"
    return None


def test_source_check_rejects_blank_and_bare_sources():
    for bad in ("", "   ", "assumption: ", "assumption: x", "someone said so"):
        assert source_problem(bad) is not None, bad
    assert source_problem("assumption: partners expect what NZ gave in 2022") is None
    assert source_problem("Zhang (2019): coercion is cost-balanced") is None


@pytest.mark.parametrize("param", parameters.PARAMETERS, ids=lambda p: p.name)
def test_every_parameter_has_a_source(param):
    problem = source_problem(param.source)
    assert problem is None, f"{param.name}: {problem}: {param.source!r}"


def test_parameter_table_is_not_empty():
    assert len(parameters.PARAMETERS) > 50


# ---------------------------------------------------------------------------------------------
# (c) every schema field, event kind and distribution is documented in docs/scenarios.md
# ---------------------------------------------------------------------------------------------


def _models_in(annotation) -> set[type[BaseModel]]:
    """Pydantic model classes anywhere inside a type annotation."""
    found: set[type[BaseModel]] = set()
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        found.add(annotation)
    for arg in typing.get_args(annotation):
        found |= _models_in(arg)
    return found


EVENT_CLASSES = dict(scenario.EVENT_KINDS)  # kind -> class
DISTRIBUTIONS = {
    cls.model_fields["dist"].annotation.__args__[0]: cls
    for cls in typing.get_args(typing.get_args(scenario.Distribution)[0])
}
COMMON_EVENT_FIELDS = set(scenario.Event.model_fields) | {"kind"}


def _reachable(root: type[BaseModel]) -> set[type[BaseModel]]:
    """Every model a scenario can hold: through the fields' annotations, and through the fields
    that validate with the catalogues (``events``: each event kind; ``signals``: the schema of the
    signal catalogue)."""
    seen: set[type[BaseModel]] = set()
    todo = [root]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for name, field in cls.model_fields.items():
            todo.extend(_models_in(field.annotation))
            if cls is scenario.Scenario and name == "events":
                todo.extend(EVENT_CLASSES.values())
            if name == "signals" and issubclass(cls, scenario.Event):
                todo.append(scenario.Signals)
    return seen


def test_schema_walk_finds_every_model():
    """The explicit list below covers every model reachable from Scenario (and vice versa)."""
    explicit = {scenario.Scenario, scenario.Context, scenario.Sector, scenario.Signals, scenario.ExploratoryDesign,
                *EVENT_CLASSES.values(), *DISTRIBUTIONS.values()}
    assert _reachable(scenario.Scenario) == explicit
    assert len(EVENT_CLASSES) == 9
    assert set(DISTRIBUTIONS) == {"uniform", "normal", "triangular", "beta", "choice"}


def _documented_fields() -> list[tuple[str, str, str]]:
    """(class name, field name, section title where the field must have its own entry)."""
    rows = [("Scenario", f, "Top level") for f in (*scenario.Scenario.model_fields, *scenario.FILE_KEYS)]
    rows += [("Context", f, "`context`") for f in scenario.Context.model_fields]
    rows += [("Sector", f, "`context.sectors` entries") for f in scenario.Sector.model_fields]
    rows += [("ExploratoryDesign", f, "`design`") for f in scenario.ExploratoryDesign.model_fields]
    rows += [("Signals", f, "`signals`") for f in scenario.Signals.model_fields]
    for kind, cls in EVENT_CLASSES.items():
        for f in cls.model_fields:
            rows.append((cls.__name__, f, "`events`" if f in COMMON_EVENT_FIELDS else f"`{kind}`"))
    for name, cls in DISTRIBUTIONS.items():
        for f in cls.model_fields:
            rows.append((cls.__name__, f, "`uncertainties`" if f == "dist" else f"`{name}`"))
    return rows


@pytest.mark.parametrize("cls_name, field, title", _documented_fields(), ids=lambda v: str(v))
def test_every_schema_field_has_an_entry_in_scenarios_md(cls_name, field, title):
    """Each field has an entry of its own, ``- `` `field` ``: ...`` or a heading ``#### `field```,
    in the section of its class."""
    text = section(read("scenarios.md"), title)
    entry = re.compile(rf"^(- `` `{re.escape(field)}` ``|#+ `{re.escape(field)}`\s*$)", re.M)
    assert entry.search(text), f"{cls_name}.{field}: no entry under the heading {title!r} in docs/scenarios.md"


def test_every_field_name_appears_in_backticks():
    text = read("scenarios.md")
    for cls in _reachable(scenario.Scenario):
        for field in cls.model_fields:
            assert f"`{field}`" in text, f"{cls.__name__}.{field} is not in docs/scenarios.md"


@pytest.mark.parametrize("kind", list(EVENT_CLASSES))
def test_every_event_kind_has_a_section(kind):
    text = read("scenarios.md")
    assert any(t == f"`{kind}`" for _, t, _ in headings(text)), f"no section for event kind {kind!r}"


@pytest.mark.parametrize("name", list(DISTRIBUTIONS))
def test_every_distribution_has_a_section(name):
    text = read("scenarios.md")
    assert any(t == f"`{name}`" for _, t, _ in headings(text)), f"no section for distribution {name!r}"


def test_every_partner_is_listed_for_bilateral_statements():
    text = section(read("scenarios.md"), "`bilateral_statement`")
    for key in partners.PARTNERS:
        assert f"`{key}`" in text, key


# ---------------------------------------------------------------------------------------------
# (d) every categorical signal value, with its level, is in docs/scenarios.md
# ---------------------------------------------------------------------------------------------

#: Each categorical signal's values and levels, from the signal catalogue.
LEVEL_TABLES = {kind.field: dict(kind.values) for kind in signals.SIGNALS if kind.kind == "choice"}


@pytest.mark.parametrize("field", list(LEVEL_TABLES))
def test_every_signal_value_and_level_is_documented(field):
    table = LEVEL_TABLES[field]
    schema_values = set(typing.get_args(scenario.Signals.model_fields[field].annotation))
    assert schema_values == set(table), f"{field}: schema values {schema_values} != level table {set(table)}"
    text = section(read("scenarios.md"), f"`{field}`")
    if field in ACTOR_KINDS:  # the affronts share one table of who acts
        text = section(read("scenarios.md"), "Affronts: what Beijing treats as its interests, and who acts")
    for value, level in table.items():
        row = re.compile(rf"^\|\s*`{re.escape(value)}`\s*\|\s*{re.escape(format(level, 'g'))}\s*\|", re.M)
        assert row.search(text), f"{field}: no row '| `{value}` | {level:g} |' in docs/scenarios.md"


def test_every_categorical_value_appears_in_scenarios_md():
    text = read("scenarios.md")
    for field, table in LEVEL_TABLES.items():
        for value in table:
            assert f"`{value}`" in text, f"{field}: {value}"


# ---------------------------------------------------------------------------------------------
# (e) outcome columns, DataCollector reporters and agent classes are in docs/model.md
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def outcome_columns() -> list[str]:
    spec = scenario.from_dict(
        {
            "name": "docs-tiny",
            "description": "A tiny scenario to list the outcome columns.",
            "references": ["tests/test_docs.py"],
            "start": "2023-07-03",
            "horizon_weeks": 4,
            "context": {"governing_bloc": "labour", "china_export_share": 0.27, "goods_exports_nzd_bn": 70.4, "voters": 200},
        }
    )
    return list(nzsim.replicate(spec, seed=0).outcomes)


def _table_rows(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.startswith("|"))


def test_every_outcome_column_is_in_the_outcome_table(outcome_columns):
    assert len(outcome_columns) > 20
    rows = _table_rows(section(read("model.md"), "Outcome row"))
    missing = [c for c in outcome_columns if f"`{c}`" not in rows]
    assert not missing, f"outcome columns not in the 'Outcome row' table of docs/model.md: {missing}"


def test_every_reporter_is_in_the_trajectories_table():
    rows = _table_rows(section(read("model.md"), "Trajectories"))
    missing = [name for name in reporters() if f"`{name}`" not in rows]
    assert not missing, f"DataCollector reporters not in the 'Trajectories' table of docs/model.md: {missing}"


def test_every_agent_class_is_described():
    text = read("model.md")
    entities = section(text, "2. Entities, state variables and scales")
    titles = [t for _, t, _ in headings(section(text, "Submodels"))]
    for name in nzsim.model.agents.__all__:
        assert f"`{name}`" in text, f"{name} is not in docs/model.md"
        obj = getattr(nzsim.model.agents, name)
        if inspect.isclass(obj) and issubclass(obj, mesa.Agent):
            assert f"`{name}`" in entities, f"agent {name} has no entry under Entities"
            assert any(f"`{name}`" in t for t in titles), f"agent {name} has no Submodels section"


# ---------------------------------------------------------------------------------------------
# (f) the ODD+D structure
# ---------------------------------------------------------------------------------------------

ODD_D_HEADINGS = [
    "Purpose",
    "Entities",
    "Process overview",
    "Design concepts",
    # ODD+D design concepts (Müller et al. 2013)
    "Theoretical and empirical background",
    "Individual decision making",
    "Learning",
    "Individual sensing",
    "Individual prediction",
    "Interaction",
    "Collectives",
    "Heterogeneity",
    "Stochasticity",
    "Observation",
    "Initialisation",
    "Input data",
    "Submodels",
]


@pytest.mark.parametrize("word", ODD_D_HEADINGS)
def test_odd_d_heading_exists(word):
    titles = [t for _, t, _ in headings(read("model.md"))]
    assert any(word.lower() in t.lower() for t in titles), f"docs/model.md has no heading with {word!r}"


# ---------------------------------------------------------------------------------------------
# Beyond the brief: the docs state what the code does
# ---------------------------------------------------------------------------------------------

CONSTANTS = {
    "STATEMENT_WEEKS": china_module.STATEMENT_WEEKS,
    "WARMTH_WEEKS": china_module.WARMTH_WEEKS,
    "UKRAINE_HALF_NZD_M": signals.UKRAINE_HALF_NZD_M,
    "PERSONNEL_HALF": signals.PERSONNEL_HALF,
    "PLEDGE_FULL_PCT_GDP": signals.PLEDGE_FULL_PCT_GDP,
    "COERCION_RUNG": rungs.COERCION_RUNG,
}


@pytest.mark.parametrize("name", list(CONSTANTS))
def test_fixed_constants_are_stated_with_their_values(name):
    value = format(CONSTANTS[name], "g")
    assert re.search(rf"`{name}` = {re.escape(value)}\b", read("model.md")), (
        f"docs/model.md should state `{name}` = {value}"
    )


PARAM_REF = re.compile(
    r"(?<![\w./])(government|partner|china|public|exporters|security|election|signal)\.([A-Za-z0-9_<>*.]*[A-Za-z0-9_>*])(?![\w(<>*])"
)


@pytest.mark.parametrize("doc", ["model.md", "scenarios.md", "decisions.md"])
def test_parameter_names_cited_in_docs_exist(doc):
    """Every parameter-like name in the docs (``china.trade_threshold``, ``partner.<key>.trust0``)
    matches a parameter of the table, so a renamed parameter cannot linger in the docs."""
    names = set(parameters.BY_NAME)
    stale = set()
    for m in PARAM_REF.finditer(read(doc)):
        ref = m.group(0)
        pattern = re.sub(r"<[^>]*>|\\\*", "[a-z0-9_]+", re.escape(ref).replace(r"\<", "<").replace(r"\>", ">"))
        if not any(re.fullmatch(pattern, n) for n in names):
            stale.add(ref)
    assert not stale, f"{doc} cites parameters that do not exist: {sorted(stale)}"


def _self_calls(func) -> list[str]:
    """The ``self.<...>(...)`` calls in a method's body, in order (docstring excluded)."""
    body = inspect.getsource(func).split('"""')[-1]
    return re.findall(r"self\.([\w.]+\([^)]*\))", body)


@pytest.mark.parametrize(
    "func",
    [NZModel.step, nzsim.model.agents.Government.step, nzsim.model.agents.China.step, nzsim.model.agents.Exporters.step, nzsim.model.agents.Public.step],
    ids=lambda f: f.__qualname__,
)
def test_process_overview_lists_the_schedule_in_code_order(func):
    calls = _self_calls(func)
    assert calls, func.__qualname__
    text = section(read("model.md"), "3. Process overview and scheduling")
    position = 0
    for call in calls:
        found = text.find(f"`{call}`", position)
        assert found >= 0, f"`{call}` (from {func.__qualname__}) is missing, or out of order, in the Process overview"
        position = found


def _yaml_examples() -> dict[str, str]:
    blocks = re.findall(r"```yaml\n(.*?)```", read("scenarios.md"), re.S)
    return {m.group(1): b for b in blocks if (m := re.match(r"# file: (\S+)\n", b))}


def test_scenarios_md_examples_load(tmp_path):
    examples = _yaml_examples()
    assert set(examples) == {"vilnius-mini.yaml", "vilnius-mini-aukus.yaml"}
    for name, text in examples.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    base = scenario.load(tmp_path / "vilnius-mini.yaml")
    child = scenario.load(tmp_path / "vilnius-mini-aukus.yaml")
    # what the text says about the resolved counterfactual
    summit, base_summit = child.events["vilnius"], base.events["vilnius"]
    assert summit.signals.china_language == "strong" and summit.signals.aukus_pillar2 == "explore"
    assert summit.signals.attendance == base_summit.signals.attendance == "leader"
    assert summit.signals.ip4_cooperation == "dialogue"
    assert "election_2023" in base.events and "election_2023" not in child.events
    assert isinstance(child.events["log_ban"], scenario.CoercionShock)
    assert child.references != base.references
    assert child.uncertainties == base.uncertainties

"""The HTML report (``nzsim report``) escapes every text a scenario can carry.

The page is rendered by jinja2 with autoescaping (nzsim/reports/templates/report.html.j2). The
test below puts HTML and script into every free-text field of the scenario schema
(nzsim/scenario/), into the lever values that become cell labels and into the scenario file's
and run folder's names the manifest records, renders the report and checks that no tag from
the payloads reaches the page while each payload's text is shown, escaped.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import markupsafe
import pytest

import nzsim
from nzsim import analysis
from nzsim.reports import html, write_html_report
from nzsim.reports.html import TEMPLATE
from nzsim.scenario import from_dict
from tests.helpers import ROOT, small_spec


def payload(field: str) -> str:
    """Markup that would run, or add an element, if it reached the page unescaped."""
    return f"<script>alert('{field}')</script><b onmouseover=alert(1)>{field} & co</b>"


# The scenario's free-text fields (name is [a-z0-9_-] only, and partner, conduct, signal and
# parameter names come from the catalogues, so none of them can carry markup).
DESCRIPTION = payload("description") + "\n" + payload("description line 2")
REFERENCE = payload("reference")
SECTOR = payload("sector")
EVENT_ID = payload("event id")
LABELS = {kind: payload(f"{kind} label") for kind in (
    "nato_summit", "policy_decision", "bilateral_statement", "coercion_shock", "recession", "us_policy_shift",
    "election", "custom", "china_conduct")}
LEVER_LABELS = [payload("lever value a"), payload("lever value b")]
CUSTOM_DESCRIPTION = payload("custom description")
CONDUCT_DESCRIPTION = payload("conduct description")
POLL_SOURCE = payload("poll source")
SCENARIO_FILE = payload("scenario file")
RUN_FOLDER = "<script>alert('run folder')</script>"  # (the "/" splits it into two folders)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A finished run of a scenario with markup in every text field, and its report."""
    spec = small_spec(
        name="hostile",
        description=DESCRIPTION,
        references=[REFERENCE, "An ordinary reference."],
        context={"voters": 100, "sectors": {
            "dairy": {"share": 0.5, "tier": 0},
            SECTOR: {"share": 0.5, "tier": 1},
        }},
        events={
            "vilnius": {"label": LABELS["nato_summit"]},
            "election": {"incumbent_baseline": None, "poll_share": 0.5, "poll_source": POLL_SOURCE,
                         "label": LABELS["election"]},
            EVENT_ID: {"kind": "custom", "date": "2023-06-20", "china": 0.5},
            "policy": {"kind": "policy_decision", "date": "2023-06-26", "label": LABELS["policy_decision"]},
            "statement": {"kind": "bilateral_statement", "date": "2023-07-03", "partner": "australia",
                          "label": LABELS["bilateral_statement"]},
            "shock": {"kind": "coercion_shock", "date": "2023-07-17", "sectors": [SECTOR], "fraction": 0.3,
                      "duration_weeks": 4, "label": LABELS["coercion_shock"]},
            "slump": {"kind": "recession", "date": "2023-07-24", "label": LABELS["recession"]},
            "washington": {"kind": "us_policy_shift", "date": "2023-07-31", "commitment": 0.6,
                           "label": LABELS["us_policy_shift"]},
            "custom": {"kind": "custom", "date": "2023-08-07", "china": 0.2, "description": CUSTOM_DESCRIPTION,
                       "label": LABELS["custom"]},
            "conduct": {"kind": "china_conduct", "date": "2023-08-14", "conduct": "repression",
                        "description": CONDUCT_DESCRIPTION, "label": LABELS["china_conduct"]},
        },
        levers={"events.vilnius.label": LEVER_LABELS},
    )
    return report(spec, 3, tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def hostile_without_levers(hostile, tmp_path_factory):
    """The same scenario without its levers: its report prints the command that retells the story."""
    run, _ = hostile
    spec = from_dict({k: v for k, v in run.scenario.dump().items() if k != "levers"}, name="<no levers>")
    return report(spec, 2, tmp_path_factory.mktemp("hostile-plain"))


def report(spec, reps: int, root: Path) -> tuple:
    """Run ``spec`` into a folder whose path holds :data:`RUN_FOLDER`; the run and its report."""
    (root / "<script>alert('run folder')<").mkdir()
    out = root / "<script>alert('run folder')<" / "script>"
    run = nzsim.run_ensemble(spec, reps=reps, seed=5, workers=1, out=out, scenario_file=SCENARIO_FILE)
    assert RUN_FOLDER in str(run.path)
    return run, write_html_report(run, root / "report.html").read_text(encoding="utf-8")


class Page(HTMLParser):
    """The elements and attributes of a page, and its text with the entities decoded."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def every_payload() -> dict[str, str]:
    return {"description": DESCRIPTION.splitlines()[0], "description line 2": DESCRIPTION.splitlines()[1],
            "reference": REFERENCE, "sector": SECTOR, "event id": EVENT_ID, **LABELS,
            "lever value a": LEVER_LABELS[0], "lever value b": LEVER_LABELS[1],
            "custom description": CUSTOM_DESCRIPTION, "conduct description": CONDUCT_DESCRIPTION,
            "poll source": POLL_SOURCE, "scenario file": SCENARIO_FILE, "run folder": RUN_FOLDER}


@pytest.mark.parametrize("which", ["hostile", "hostile_without_levers"])
def test_no_markup_from_a_scenario_reaches_the_page(which, request):
    run, page = request.getfixturevalue(which)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # no element from the payloads: no script, no <b>, no event handler, in any letter case
    assert not re.search(r"<\s*/?\s*script", page, re.I)
    assert not re.search(r"<b[\s>]", page, re.I)
    assert "alert(1)>" not in page
    parsed = Page(page)
    tags = {tag for tag, _ in parsed.tags}
    assert "script" not in tags and "b" not in tags
    assert tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "div", "table", "thead",
                    "tbody", "tr", "th", "td", "img", "code", "pre", "details", "summary"}
    assert not [name for _, attrs in parsed.tags for name, _ in attrs if name.lower().startswith("on")]
    # and each payload is shown as text: escaped in the page, whole again once the entities are read
    text = "".join(parsed.text)
    shown = every_payload()
    if not run.scenario.levers:
        del shown["lever value a"], shown["lever value b"]
    for field, value in shown.items():
        assert str(markupsafe.escape(value)) in page, field
        assert value in text, field


def test_each_field_is_shown_where_it_belongs(hostile):
    run, page = hostile
    # the description's lines lead the page; the lever values label the cells in the summary table
    for line in DESCRIPTION.splitlines():
        assert f"<p class=lead>{escaped(line)}</p>" in page
    assert f"<td>label={escaped(LEVER_LABELS[0])}</td>" in page and f"<td>label={escaped(LEVER_LABELS[1])}</td>" in page
    assert f"of cell 'label={escaped(LEVER_LABELS[0])}' (the first of the run's lever cells)" in page
    # the overview of the cells heads the page: the lever's name, then each cell's value over its column
    overview = page.split("<h2>How the lever cells differ</h2>", 1)[1].split("<h2>Summary</h2>", 1)[0]
    assert f"<tr><th>label</th><th>{escaped(LEVER_LABELS[0])}</th><th>{escaped(LEVER_LABELS[1])}</th><th>spread</th></tr>" \
        in overview
    assert page.index("How the lever cells differ") < page.index("<h2>Summary</h2>")
    # the scenario file's and run folder's names in the facts
    assert f"<td>{escaped(SCENARIO_FILE)}</td>" in page and f"<td>{escaped(str(run.path))}</td>" in page
    # the story of the typical replication (of the first cell) tells the events by their labels,
    # descriptions and ids
    story = Page(re.search(r"<pre class=story>(.*?)</pre>", page, re.S).group(0))
    told = "".join(story.text)
    assert told.startswith(f"hostile: {DESCRIPTION.splitlines()[0]}\n")
    for value in (LEVER_LABELS[0], CUSTOM_DESCRIPTION, CONDUCT_DESCRIPTION, LABELS["recession"],
                  LABELS["us_policy_shift"], LABELS["election"], LABELS["bilateral_statement"]):
        assert value in told, value
    assert EVENT_ID.replace("_", " ").title() in told


def test_the_command_that_retells_the_story_is_escaped(hostile_without_levers):
    run, page = hostile_without_levers
    seed = int(analysis.typical_replication(run.outcomes)["seed"])
    assert f"Retell it with <code>nzsim story {escaped(SCENARIO_FILE)} --seed {seed}</code>." in page


def escaped(text: str) -> str:
    """``text`` as jinja2's autoescaping writes it."""
    return str(markupsafe.escape(text))


def test_the_template_is_package_data():
    """The page's template is read from the package (pyproject.toml's package-data ships it)."""
    for name in (TEMPLATE, "table.html.j2"):
        shipped = resources.files("nzsim.reports") / "templates" / name
        assert shipped.is_file()
        template = html.templates().get_template(name)
        assert template.name == name and Path(template.filename) == Path(str(shipped))


def test_pyproject_ships_the_template():
    """An installed (not editable) package has the template only if package-data names it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    data = config.get("tool", {}).get("setuptools", {}).get("package-data", {})
    for name in (TEMPLATE, "table.html.j2"):
        assert (any(fnmatch.fnmatch(f"templates/{name}", glob) for glob in data.get("nzsim.reports", []))
                or any(fnmatch.fnmatch(name, glob) for glob in data.get("nzsim.reports.templates", []))), data


def test_text_wraps_and_tables_fit_the_column(hostile):
    """The page's column holds everything (issue 17): the story and the other preformatted blocks
    wrap their long lines, every table sits in a wrapper that scrolls when it is wider than the
    column, and a table's column names may break after an underscore."""
    run, page = hostile
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    rules = {sel.strip(): body for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", style)}
    assert "white-space: pre-wrap" in rules["pre"] and "overflow-wrap: anywhere" in rules["pre"]
    assert "overflow-wrap: anywhere" in rules["body"]
    assert "overflow-x: auto" in rules[".scroll"] and "max-width: 100%" in rules[".scroll"]
    assert "max-width: 100%" in rules["table"] and "max-width: 100%" in rules["img"]
    assert "white-space: nowrap" in rules["table.data td"]  # a number never breaks across lines
    assert "white-space: normal" in rules["table.data td:first-child"]  # an outcome's title wraps
    # the facts, the overview of the lever cells and the summary
    assert page.count("<table") == page.count("<div class=scroll><table") == 3
    assert "<pre class=story>" in page
    # a table of the template: its cells escaped, its column names breakable after an underscore
    macro = html.templates().get_template("table.html.j2").module.table
    table = str(macro(html.Rows(["parameter_share", "x_<i>"], [["0.5%", "<i>y</i>"]]), "data"))
    assert table.startswith("<div class=scroll><table class=data>")
    assert "<th>parameter_<wbr>share</th><th>x_<wbr>&lt;i&gt;</th>" in table
    assert "<td>0.5%</td><td>&lt;i&gt;y&lt;/i&gt;</td>" in table

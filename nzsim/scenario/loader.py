"""Loading scenarios: read a file, merge the chain of files it ``extends``, validate the result.

The single door for scenario YAML: every scenario the package runs enters through
:func:`load` (a file), :func:`loads` (text) or :func:`from_dict` (a mapping) and leaves as a
frozen :class:`~nzsim.scenario.schema.Scenario`. Every user mistake becomes a
:class:`~nzsim.scenario.errors.ScenarioError` whose message names the file, the field path and
what was expected; an error in an inherited value says which file set it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .context import Context, Sector
from .distributions import DISTRIBUTIONS
from .errors import FieldError, ScenarioError, clean_loc, dotted, expected, show
from .events import EVENT_KINDS
from .limits import MAX_EXTENDS, MAX_EXTENDS_CHARS
from .merging import merge
from .schema import Scenario
from .signals import signals_model
from .yaml_io import parse, read

FILE_KEYS = ("extends",)
REQUIRED_IN_EVERY_FILE = ("description", "references")


def load(path: str | Path) -> Scenario:
    """Read, resolve (``extends``) and validate a scenario file.

    Raises:
        ScenarioError: anything wrong with the file, with the file, field and expectation.
    """
    path = Path(path)
    origins: dict[tuple, Path] = {}
    try:
        raw = _resolve(path, (), origins)
    except ScenarioError as err:
        if err.file == str(path):
            raise
        # A file up the chain is at fault: name the file checked first, then the one at fault.
        where = _relative(err.file, path)
        raise ScenarioError(path, err.field, f"{err.expected} (in {where})", err.loc) from None
    return _validate(raw, path, origins)


def _relative(other: str | Path, file: str | Path) -> str:
    """``other`` relative to the folder of ``file`` (as written, if there is no such path)."""
    try:
        return os.path.relpath(other, Path(file).parent)
    except ValueError:  # another drive
        return str(other)


def loads(text: str, name: str = "<string>") -> Scenario:
    """Validate a scenario given as YAML text (no ``extends``)."""
    raw = parse(text, name)
    if "extends" in raw:
        raise ScenarioError(name, "extends", "a file on disk to extend from; use load(path)")
    return _validate(raw, name)


def from_dict(data: Mapping[str, Any], name: str = "<dict>") -> Scenario:
    """Validate a scenario given as a mapping (e.g. one built in a notebook)."""
    return _validate(dict(data), name)


def _resolve(path: Path, chain: tuple[Path, ...], origins: dict[tuple, Path]) -> dict:
    """Return the raw mapping for ``path`` with its ``extends`` chain merged in.

    ``origins`` is filled with the file that set each field path, so an error in an inherited
    value can say which file it came from.
    """
    try:
        real = path.resolve()
    except (OSError, RuntimeError) as err:  # a link loop, a name too long
        raise ScenarioError(path, "", f"a readable scenario file ({err.__class__.__name__})") from None
    if real in chain:
        cycle = " -> ".join(str(p.name) for p in (*chain, real))
        raise ScenarioError(path, "extends", f"a chain of files without a cycle, got {cycle}")
    data = read(path)
    for key in REQUIRED_IN_EVERY_FILE:
        if key not in data:
            raise ScenarioError(path, key, "a value: every scenario file needs its own description and references")
    parent_ref = data.pop("extends", None)
    if parent_ref is None:
        _record_origins(data, path, (), origins)
        return data
    if not isinstance(parent_ref, str) or not parent_ref:
        raise ScenarioError(path, "extends", "a path to another scenario file, relative to this one")
    if len(parent_ref) > MAX_EXTENDS_CHARS or "\0" in parent_ref:
        raise ScenarioError(path, "extends", f"a path of at most {MAX_EXTENDS_CHARS} characters (and no NUL), "
                                             f"got {show(parent_ref)}")
    if len(chain) + 1 >= MAX_EXTENDS:
        raise ScenarioError(path, "extends", f"a chain of at most {MAX_EXTENDS} files, but the "
                                             f"{MAX_EXTENDS}th extends another")
    parent_path = Path(os.path.normpath(path.parent / parent_ref))
    try:
        exists = parent_path.is_file()
    except (OSError, ValueError) as err:
        raise ScenarioError(path, "extends", f"an existing scenario file, but {show(str(parent_path))} cannot be "
                                             f"read ({err.__class__.__name__})") from None
    if not exists:
        raise ScenarioError(path, "extends", f"an existing scenario file, but {parent_path} does not exist")
    parent = _resolve(parent_path, (*chain, real), origins)
    removed = data.get("events")
    if isinstance(removed, Mapping):
        parent_events = parent.get("events") if isinstance(parent.get("events"), Mapping) else {}
        for key, value in removed.items():
            if value is None and key not in parent_events:
                raise ScenarioError(
                    path, f"events.{key}", f"an event of {parent_ref} to remove with null, but it has no event '{key}'"
                )
    _record_origins(data, path, (), origins)
    return merge(parent, data)


def _record_origins(data: Any, path: Path, prefix: tuple, origins: dict[tuple, Path]) -> None:
    """Note ``path`` as the origin of every field path in ``data`` (later files override)."""
    if isinstance(data, Mapping):
        if prefix:
            origins[prefix] = path
        for key, value in data.items():
            _record_origins(value, path, (*prefix, key), origins)
    else:
        origins[prefix] = path


def _validate(raw: dict, file: str | Path, origins: Mapping[tuple, Path] | None = None) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except ValidationError as err:
        error = to_scenario_error(err, file, raw)
    if origins:
        loc = error.loc
        origin = next((origins[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in origins), None)
        if origin is not None and Path(origin) != Path(file):
            where = os.path.relpath(origin, Path(file).parent)
            error = ScenarioError(file, error.field, f"{error.expected} (set in {where})", loc)
    raise error


def _model_at(loc: tuple, raw: Any) -> tuple[type[BaseModel] | None, str]:
    """The schema class that holds the field at ``loc`` (cleaned), and words for where it is."""
    parent = loc[:-1]

    def raw_at(path):
        node = raw
        for part in path:
            node = node.get(part) if isinstance(node, Mapping) else None
        return node if isinstance(node, Mapping) else {}

    if parent == ():
        return Scenario, " at the top level"
    if parent == ("context",):
        return Context, " in context"
    if len(parent) == 3 and parent[:2] == ("context", "sectors"):
        return Sector, " in a sector"
    if len(parent) == 2 and parent[0] == "events":
        kind = raw_at(parent).get("kind")
        cls = EVENT_KINDS.get(kind)
        return cls, f" in a {kind} event"
    if len(parent) == 3 and parent[0] == "events" and parent[2] == "signals":
        return signals_model(), " in signals"
    if len(parent) == 2 and parent[0] == "uncertainties":
        dist = raw_at(parent).get("dist")
        return DISTRIBUTIONS.get(dist), f" in a {dist} distribution"
    return None, ""


def _unknown_field(loc: tuple, raw: Any) -> str:
    """'no such field ...', with the nearest known name after a typo (else the names known)."""
    key = str(loc[-1]) if loc else "?"
    cls, where = _model_at(loc, raw)
    if cls is None:
        return f"no such field {show(key)}"
    names = list(cls.model_fields)
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    if close:
        return f"no field {show(key)}{where} (did you mean '{close[0]}'?)"
    listed = ", ".join(names)
    if len(listed) > 120:
        listed = ", ".join(names[:8]) + f" and {len(names) - 8} more (docs/scenarios.md)"
    return f"no field {show(key)}{where}; expected one of: {listed}"


def _missing_field(loc: tuple, raw: Any, what: str) -> str:
    """'a value (this field is required)', and which unknown key beside it looks like it misspelt."""
    cls, _ = _model_at(loc, raw)
    node: Any = raw
    for part in loc[:-1]:
        node = node.get(part) if isinstance(node, Mapping) else None
    if cls is None or not isinstance(node, Mapping):
        return what
    unknown = [str(key) for key in node if key not in cls.model_fields]
    close = difflib.get_close_matches(str(loc[-1]), unknown, n=1, cutoff=0.6)
    return f"{what}; is {show(close[0])} a misspelling of it?" if close else what


def to_scenario_error(err: ValidationError, file: str | Path, raw: Any = None) -> ScenarioError:
    """The first of pydantic's errors as one line for the user (and how many more there are)."""
    error = err.errors(include_url=False)[0]
    ctx = error.get("ctx") or {}
    original = ctx.get("error")
    if isinstance(original, FieldError):
        return ScenarioError(file, dotted(original.loc), original.expected, original.loc)
    loc = clean_loc(tuple(error["loc"]))
    if error["type"] == "extra_forbidden":
        what = _unknown_field(loc, raw)
    elif error["type"] == "missing":
        what = _missing_field(loc, raw, expected(error))
    else:
        what = expected(error)
    extra = len(err.errors()) - 1
    if extra:
        what += f" (and {extra} more problem{'s' if extra > 1 else ''} after this one)"
    return ScenarioError(file, dotted(loc), what, loc)


def scenario_files(folder: Path) -> tuple[list[Path], list[str]]:
    """The scenario files directly in ``folder`` (``*.yaml`` and ``*.yml``, as ``nzsim check``
    reads both), and the names of other files that look meant as one (``team-x.yaml.txt``)."""
    files, skipped = [], []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        if path.suffix.lower() in (".yaml", ".yml"):
            files.append(path)
        elif ".yaml" in path.name.lower() or ".yml" in path.name.lower():
            skipped.append(path.name)
    return files, skipped

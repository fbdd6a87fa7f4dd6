"""The one door for YAML: every scenario file and every targets file is read here.

A safe loader (no tags run, no objects built) that rejects duplicate keys and keeps dates as
text, so that the schema checks them; a file that is not text, not YAML or not a mapping is a
:class:`~nzsim.scenario.errors.ScenarioError` naming the file.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ScenarioError


class SafeLoader(yaml.SafeLoader):
    """Safe YAML loader that keeps dates as text (pydantic checks them) and rejects duplicate keys."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "found unhashable key", key_node.start_mark
                ) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse(text: str, file: str | Path, what: str = "a YAML mapping of scenario fields") -> dict:
    """The YAML mapping in ``text`` (read from ``file``); ``what`` says what the file should hold."""
    try:
        data = yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError(file, "", f"malformed YAML at {where}: {problem}") from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a YAML {type(data).__name__}" if isinstance(data, (list, str)) else repr(data)
        raise ScenarioError(file, "", f"{what}, got {got}")
    for key in data:
        if not isinstance(key, str):
            raise ScenarioError(file, str(key), "field names that are strings")
    return data


def read(path: Path, what: str = "a YAML mapping of scenario fields", noun: str = "scenario file") -> dict:
    """The YAML mapping in the file at ``path``; ``what`` says what it should hold, ``noun`` what it is."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(path, "", f"an existing {noun} (no such file)") from None
    except IsADirectoryError:
        raise ScenarioError(path, "", f"a {noun}, got a directory") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(path, "", f"a readable UTF-8 text file ({err.__class__.__name__})") from None
    return parse(text, path, what)

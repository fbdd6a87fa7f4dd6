"""The one door for YAML: every scenario file and every targets file is read here.

A safe loader (no tags run, no objects built) that rejects duplicate keys and keeps dates as
text, so that the schema checks them; a file that is not text, not YAML or not a mapping is a
:class:`~nzsim.scenario.errors.ScenarioError` naming the file, with the line and column of a
YAML mistake.

The loader is bounded (:mod:`~nzsim.scenario.limits`): at most :data:`MAX_BYTES` are read, and
while PyYAML composes the document (before any Python object is built) it refuses more than
:data:`MAX_DEPTH` levels of nesting, an alias inside the node it names (a structure that
contains itself), a document of more than :data:`MAX_NODES` values with every alias expanded
where it is used ("billion laughs"), and a number of more than :data:`MAX_NUMBER_CHARS`
characters, each with the field path and the line and column where it was found.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from .errors import ScenarioError, clip, dotted
from .limits import MAX_BYTES, MAX_DEPTH, MAX_NODES, MAX_NUMBER_CHARS

_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


class LimitError(yaml.YAMLError):
    """A document over one of the loader's limits: the field path, what is allowed, and where."""

    def __init__(self, loc: tuple, expected: str, mark):
        self.loc, self.expected, self.problem_mark = loc, expected, mark
        super().__init__(expected)


class SafeLoader(yaml.SafeLoader):
    """Safe YAML loader that keeps dates as text (pydantic checks them), rejects duplicate keys
    and composes within the limits (a bounded composer: PyYAML's, counting as it goes)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._loc: list = []  # the field path of the node being composed (None: inside a key)
        self._open_anchors: set = set()  # anchors of the nodes being composed
        self._sizes: dict[int, int] = {}  # id(node) -> its values counted with aliases expanded

    def _where(self) -> tuple:
        loc = []
        for part in self._loc[1:]:
            if part is None:
                break
            loc.append(part)
        return tuple(loc)

    def compose_node(self, parent, index):
        if parent is None:
            part = ""
        elif index is None:
            part = None  # a key
        elif isinstance(index, int):
            part = index
        else:
            part = index.value if isinstance(index, yaml.ScalarNode) else "?"
        self._loc.append(part)
        try:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                if event.anchor in self._open_anchors:
                    raise LimitError(self._where(), f"an alias that does not refer to a list or mapping it is in "
                                     f"(*{clip(event.anchor)} is inside &{clip(event.anchor)}: a structure that "
                                     f"contains itself)", event.start_mark)
                return super().compose_node(parent, index)
            if len(self._loc) > MAX_DEPTH and not isinstance(event, yaml.ScalarEvent):
                raise LimitError(self._where(), f"at most {MAX_DEPTH} levels of nesting", event.start_mark)
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                self._open_anchors.add(anchor)
            node = super().compose_node(parent, index)
            self._open_anchors.discard(anchor)
            size = 1
            if isinstance(node, yaml.SequenceNode):
                size += sum(self._sizes.get(id(child), 1) for child in node.value)
            elif isinstance(node, yaml.MappingNode):
                size += sum(self._sizes.get(id(k), 1) + self._sizes.get(id(v), 1) for k, v in node.value)
            elif node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
                raise LimitError(self._where(), f"a number of at most {MAX_NUMBER_CHARS} characters, "
                                 f"got one of {len(node.value):,}", node.start_mark)
            if size > MAX_NODES:
                raise LimitError(self._where(), f"at most {MAX_NODES:,} values with every alias expanded "
                                 f"where it is used, got {size:,} here", node.start_mark)
            self._sizes[id(node)] = size
            return node
        finally:
            self._loc.pop()

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
                    None, None, f"duplicate key '{clip(str(key))}'", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _line_column(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    return f"line {line}, column {position - (text.rfind(chr(10), 0, position) + 1) + 1}"


def parse(text: str, file: str | Path, what: str = "a YAML mapping of scenario fields") -> dict:
    """The YAML mapping in ``text`` (read from ``file``); ``what`` says what the file should hold."""
    if len(text) > MAX_BYTES:
        raise ScenarioError(file, "", f"a scenario of at most {MAX_BYTES:,} characters, got {len(text):,}")
    loader = None
    try:
        loader = SafeLoader(text)  # (the reader checks every character here)
        data = loader.get_single_data()
    except LimitError as err:
        mark = err.problem_mark
        raise ScenarioError(file, dotted(err.loc), f"{err.expected} (line {mark.line + 1}, column {mark.column + 1})",
                            err.loc) from None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow: no mark, a position
        raise ScenarioError(file, "", f"malformed YAML at {_line_column(text, err.position)}: "
                                      f"a character YAML does not allow (#x{err.character:04x})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None) or loader.get_mark()  # type: ignore[union-attr]
        problem = getattr(err, "problem", None) or getattr(err, "context", None) or str(err).splitlines()[0]
        raise ScenarioError(file, "", f"malformed YAML at line {mark.line + 1}, column {mark.column + 1}: "
                                      f"{problem}") from None
    finally:
        if loader is not None:
            loader.dispose()
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
        with open(path, "rb") as stream:
            content = stream.read(MAX_BYTES + 1)
            size = os.fstat(stream.fileno()).st_size
    except FileNotFoundError:
        raise ScenarioError(path, "", f"an existing {noun} (no such file)") from None
    except IsADirectoryError:
        raise ScenarioError(path, "", f"a {noun}, got a directory") from None
    except (OSError, ValueError) as err:  # ValueError: a NUL in the path
        raise ScenarioError(path, "", f"a readable {noun} ({err.__class__.__name__})") from None
    if len(content) > MAX_BYTES:
        got = f"{size:,}" if size > MAX_BYTES else "more"
        raise ScenarioError(path, "", f"a {noun} of at most {MAX_BYTES:,} bytes, got {got}")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError(path, "", f"a readable UTF-8 text file ({err.__class__.__name__})") from None
    return parse(text, path, what)

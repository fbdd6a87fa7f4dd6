"""What a user is told when a scenario file is wrong: one line naming the file, the field path
and what was expected there, never a traceback.

:class:`ScenarioError` is that message; :func:`expected` turns one pydantic error into the
"what was expected" part, in words, for the scenario schema and the validation targets alike.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


class ScenarioError(ValueError):
    """A scenario file is wrong. ``str(err)`` is the whole message for the user.

    Attributes:
        file: the file at fault.
        field: the dotted field path ("" when the whole file is at fault).
        expected: what was expected there.
        loc: the field path as a tuple (parameter names contain dots, so ``field`` alone is ambiguous).
    """

    def __init__(self, file: str | Path, field: str, expected: str, loc: tuple = ()):
        self.file = str(file)
        self.field = field
        self.loc = loc if loc else (tuple(field.split(".")) if field else ())
        self.expected = expected
        where = f"{self.file}: {field}" if field else self.file
        super().__init__(f"{where}: {expected}")


class FieldError(ValueError):
    """Raised inside validators to point at a field path other than the one being validated."""

    def __init__(self, loc: tuple, expected: str):
        self.loc = loc
        self.expected = expected
        super().__init__(expected)


def dotted(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def clean_loc(loc: tuple) -> tuple:
    """Drop the union tag pydantic inserts after ``events.<id>`` (the kind) and
    ``uncertainties.<name>`` (the distribution), and the ``[key]`` marker of a bad mapping key."""
    parts = [part for part in loc if part != "[key]"]
    if len(parts) >= 3 and parts[0] in ("events", "uncertainties"):
        del parts[2]
    return tuple(parts)


def expected(error: dict) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    shown = show(given)
    if kind == "extra_forbidden":
        return f"no such field (got {shown})"
    if kind == "missing":
        return "a value (this field is required)"
    if kind == "finite_number":
        return f"a finite number, got {shown}"
    if kind == "literal_error":
        return f"one of {ctx.get('expected')}, got {shown}"
    if kind in ("union_tag_invalid",):
        return f"'{ctx.get('discriminator', '').strip(chr(39))}' to be one of {ctx.get('expected_tags')}, got {ctx.get('tag')!r}"
    if kind == "union_tag_not_found":
        return f"a '{ctx.get('discriminator', '').strip(chr(39))}' field saying which kind this is"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        words = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "greater than",
            "less_than": "less than",
        }[kind]
        limit = next(iter(ctx.values()))
        return f"a number {words} {limit}, got {shown}"
    if kind in ("too_short",):
        return f"at least {ctx.get('min_length')} item(s), got {shown}"
    if kind == "value_error":
        original = ctx.get("error")
        if isinstance(original, FieldError):
            return original.expected
        return f"{str(original) if original else error['msg']}"
    if kind.startswith("date"):
        return f"a date as YYYY-MM-DD, got {shown}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        what = "an integer" if kind.startswith("int") else "a number"
        return f"{what}, got {shown}"
    if kind in ("bool_parsing", "bool_type"):
        return f"true or false, got {shown}"
    if kind in ("string_type",):
        return f"text, got {shown}"
    if kind in ("dict_type", "mapping_type", "model_type", "model_attributes_type"):
        return f"a mapping of fields, got {shown}"
    if kind in ("tuple_type", "list_type"):
        return f"a list, got {shown}"
    if kind == "string_pattern_mismatch":
        return f"lower-case letters, digits, '-' or '_' (starting with a letter or digit), got {shown}"
    return f"{error['msg'][0].lower()}{error['msg'][1:]}, got {shown}"


def show(value: Any) -> str:
    if isinstance(value, (dict, list, tuple)):
        try:
            text = json.dumps(value, default=str)
        except (ValueError, TypeError, RecursionError):  # e.g. a recursive YAML alias
            return f"a {type(value).__name__}"
        return text if len(text) <= 60 else f"a {type(value).__name__}"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return repr(value)

"""What a user is told when a scenario file is wrong: one line naming the file, the field path
and what was expected there, never a traceback.

:class:`ScenarioError` is that message; :func:`expected` turns one pydantic error into the
"what was expected" part, in words, for the scenario schema and the validation targets alike.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

#: The most characters of a value a message shows (then its length), of a field path, and of
#: the "what was expected" part: a message stays one readable line however long the input.
SHOWN_CHARS = 40
FIELD_CHARS = 60
EXPECTED_CHARS = 210


def one_line(text: str) -> str:
    """``text`` with every line break, tab or other unprintable character written as its escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def clip(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` on one line, or, when that is longer than ``limit``, its start and its length in
    ``limit`` characters at most."""
    line = one_line(text[: limit + 1])
    if len(text) <= limit and len(line) <= limit:
        return line
    suffix = f"... ({len(text):,} characters)"
    return line[: max(limit - len(suffix), 10)] + suffix


class ScenarioError(ValueError):
    """A scenario file is wrong. ``str(err)`` is the whole message for the user.

    Attributes:
        file: the file at fault.
        field: the dotted field path ("" when the whole file is at fault).
        expected: what was expected there.
        loc: the field path as a tuple (parameter names contain dots, so ``field`` alone is ambiguous).
    """

    def __init__(self, file: str | Path, field: str, expected: str, loc: tuple = ()):
        self.file = one_line(str(file))
        self.loc = loc if loc else (tuple(field.split(".")) if field else ())
        self.field = clip(field, FIELD_CHARS)
        self.expected = clip(expected, EXPECTED_CHARS)
        where = f"{self.file}: {self.field}" if field else self.file
        super().__init__(f"{where}: {self.expected}")


class FieldError(ValueError):
    """Raised inside validators to point at a field path other than the one being validated."""

    def __init__(self, loc: tuple, expected: str):
        self.loc = loc
        self.expected = expected
        super().__init__(expected)


def dotted(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


#: The names pydantic gives the members of a union and its validators in a field path
#: (``function-before[check(), float]``): its own, never a field of the file.
_INTERNAL = re.compile(r"^(function-(before|after|wrap|plain)|json-or-python|lax-or-strict|chain|nullable|union)\[.*\]$")


def clean_loc(loc: tuple) -> tuple:
    """Drop the union tag pydantic inserts after ``events.<id>`` (the kind) and
    ``uncertainties.<name>`` (the distribution), the ``[key]`` marker of a bad mapping key, and
    pydantic's names of its validators."""
    parts = [part for part in loc if part != "[key]" and not (isinstance(part, str) and _INTERNAL.match(part))]
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
    """A value as a message quotes it: short, on one line; a long one by its start and length."""
    if isinstance(value, (dict, list, tuple)):
        if len(value) > 20:
            return f"a {type(value).__name__} of {len(value):,} items"
        try:
            text = json.dumps(value, default=str)
        except (ValueError, TypeError, RecursionError):  # e.g. a recursive YAML alias
            return f"a {type(value).__name__}"
        return text if len(text) <= 60 else f"a {type(value).__name__}"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str) and len(value) > SHOWN_CHARS:
        return f"{repr(value[:SHOWN_CHARS])[:-1]}...' ({len(value):,} characters)"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**SHOWN_CHARS:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    text = repr(value)
    return text if len(text) <= 2 * SHOWN_CHARS else clip(text, SHOWN_CHARS)

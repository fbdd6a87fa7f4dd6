"""The field types every scenario object (and every targets file) is built from: immutable
models that reject unknown keys, NaN and infinity; dates as YYYY-MM-DD text; numbers that are
not true or false; read-only mappings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, WrapSerializer

from .errors import show


class Frozen(BaseModel):
    """Base for every scenario object: immutable, no unknown keys, no NaN or infinity."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=False)


def _frozen_mapping(value: Mapping) -> Mapping:
    return MappingProxyType(dict(value))


def FrozenMap(key, value):  # noqa: N802 - reads as a type
    """A mapping field that is read-only after validation and dumps as a plain dict."""
    return Annotated[
        Mapping[key, value],
        AfterValidator(_frozen_mapping),
        WrapSerializer(lambda v, nxt: nxt(dict(v))),
    ]


_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_text(value: Any) -> Any:
    """Dates come as YYYY-MM-DD text (the loader keeps YAML dates as text): never a number, never a time."""
    if isinstance(value, dt.datetime):
        raise ValueError(f"a date as YYYY-MM-DD without a time, got {value.isoformat()!r}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        if not _DATE_TEXT.fullmatch(value.strip()):
            raise ValueError(f"a date as YYYY-MM-DD (no time), got {value!r}")
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as err:
            raise ValueError(f"a real calendar date as YYYY-MM-DD, got {value!r} ({err})") from None
    raise ValueError(f"a date as YYYY-MM-DD, got {show(value)}")


def _no_bool(expected: str):
    def check(value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"{expected}, got {value}")
        return value

    return BeforeValidator(check)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(f"text with a word in it, got {show(value)}")
    return value


#: Text that is more than spaces, tabs and line breaks.
Text = Annotated[str, AfterValidator(_not_blank)]
#: A calendar date given as YYYY-MM-DD.
Date = Annotated[dt.date, BeforeValidator(date_text)]
#: A number (true/false is not a number here, whatever YAML and pydantic's lax mode think).
Number = Annotated[float, _no_bool("a number")]
#: A whole number.
Count = Annotated[int, _no_bool("an integer")]

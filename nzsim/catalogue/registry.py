"""An ordered, named collection of catalogue entries that extensions can add to.

Every catalogue (signal kinds, weekly variables, end-of-run facts, outcomes, parameters) is a
:class:`Registry`: entries by name, in the order they were added. The package adds its own
entries when the catalogue is imported; an extension adds more with :meth:`Registry.add` (or
:func:`nzsim.catalogue.registered`, which removes them again). Each entry remembers the module
that added it, so that the worker processes of a run can import the same modules and see the
same catalogue (:func:`nzsim.catalogue.extension_modules`).
"""

from __future__ import annotations

import sys
from types import MappingProxyType
from typing import Generic, Iterator, Mapping, TypeVar

T = TypeVar("T")

#: Modules of the package itself: their entries are the core catalogue.
CORE = "nzsim"


def caller_module() -> str:
    """The name of the first module on the call stack outside ``nzsim.catalogue``: who is
    adding an entry."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        # (contextlib: the frame that enters a `with registered(...)` block on its caller's behalf)
        if not name.startswith("nzsim.catalogue") and name != "contextlib":
            return name
        frame = frame.f_back
    return "__main__"  # pragma: no cover - there is always a caller


class Registry(Generic[T]):
    """Entries by name, in the order they were added; iterating gives the entries.

    ``version`` grows with every change, so what is built from a registry (the scenario schema,
    say) can tell when to build itself again.
    """

    def __init__(self, what: str):
        self.what = what
        self._entries: dict[str, T] = {}
        self._origins: dict[str, str] = {}
        self.version = 0

    def add(self, entry: T, *, origin: str | None = None) -> T:
        """Add ``entry`` under its ``name``; a name already taken is an error."""
        name = entry.name  # type: ignore[attr-defined]
        if name in self._entries:
            raise ValueError(f"{self.what} {name!r} is already in the catalogue (added by {self._origins[name]})")
        self._entries[name] = entry
        self._origins[name] = origin or caller_module()
        self.version += 1
        return entry

    def remove(self, name: str) -> T:
        entry = self._entries.pop(name)
        self._origins.pop(name)
        self.version += 1
        return entry

    def extensions(self) -> set[str]:
        """The modules outside the package that added entries."""
        return {o for o in self._origins.values() if o != CORE and not o.startswith(CORE + ".")}

    def view(self) -> Mapping[str, T]:
        """The entries by name, as a read-only mapping that follows later changes."""
        return MappingProxyType(self._entries)

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def __getitem__(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            raise KeyError(f"no {self.what} named {name!r} in the catalogue") from None

    def get(self, name: str, default=None):
        return self._entries.get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[T]:
        return iter(tuple(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<{self.what} catalogue: {', '.join(self._entries)}>"

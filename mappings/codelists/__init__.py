"""Code lists as data, one table per list, used both ways: a partner's code to the canonical value when
reading, the canonical value to the list's code when writing.

Each table is a JSON file under `data/`: the list's name, where its codes come from, every valid code
(`codes`), and the canonical meaning of the codes the hub maps (`in`, code -> canonical value; `out`,
canonical value -> code, where reversing `in` would be ambiguous). A value to be written that is
neither mapped nor itself a valid code of the list is a `CodeListError` naming the value and the list:
the hub never writes an internal name where a code belongs. `refresh.py` regenerates `codes` from the
official sources.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType

from hub.domain.errors import MappingError, Problem

DATA = Path(__file__).resolve().parent / "data"


class CodeListError(MappingError):
    """A canonical value the target code list has no code for (raised at render time)."""

    code = "CODE_LIST"


@dataclass(frozen=True)
class CodeList:
    """One code list: its valid codes and the canonical value of each code the hub maps."""

    key: str  # file stem, e.g. "edifact_1153"
    name: str  # what a user reads in an error, e.g. "UN/EDIFACT 1153 (reference code qualifier)"
    codes: frozenset[str]
    to_canonical: Mapping[str, str] = field(default_factory=dict)
    to_code: Mapping[str, str] = field(default_factory=dict)

    def canonical(self, code: str) -> str | None:
        """The canonical value of a code, None when the hub does not map it."""
        return self.to_canonical.get(code)

    def is_code(self, value: str) -> bool:
        """Whether value is a valid code of this list."""
        return value in self.codes

    def find(self, value: str) -> str | None:
        """The code for a canonical value (a value that already is a valid code stays), else None."""
        code = self.to_code.get(value)
        if code is not None:
            return code
        return value if value in self.codes else None

    def code(self, value: str, *, segment: str | None = None, element: str | None = None,
             where: str | None = None) -> str:
        """The code for a canonical value; CodeListError naming value, list and place when there is none."""
        code = self.find(value)
        if code is None:
            raise self.error(value, segment=segment, element=element, where=where)
        return code

    def error(self, value: str, *, segment: str | None = None, element: str | None = None,
              where: str | None = None, reason: str | None = None) -> CodeListError:
        """The error for a value this list cannot express."""
        place = f" ({where})" if where else ""
        text = reason or f"{value!r} has no code in {self.name}"
        problem = Problem(code="CODE_LIST", message=text + place, segment_tag=segment, element=element)
        return CodeListError(text + place, problems=[problem])


@cache
def load(key: str) -> CodeList:
    """The code list stored as `data/<key>.json` (read once)."""
    raw = json.loads((DATA / f"{key}.json").read_text(encoding="utf-8"))
    incoming: dict[str, str] = raw.get("in", {})
    outgoing: dict[str, str] = {}
    for code, canonical in incoming.items():
        outgoing.setdefault(canonical, code)  # the first code listed for a value is the one written
    outgoing.update(raw.get("out", {}))
    codes = frozenset(raw["codes"]) | frozenset(incoming) | frozenset(outgoing.values())
    return CodeList(key=key, name=raw["name"], codes=codes, to_canonical=MappingProxyType(incoming),
                    to_code=MappingProxyType(outgoing))


def names() -> list[str]:
    """The keys of every stored code list."""
    return sorted(p.stem for p in DATA.glob("*.json"))

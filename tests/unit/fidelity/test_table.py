"""The fidelity table (table.py) covers every canonical field, and what it lists as carried survives
canonical -> EDIFACT -> canonical, canonical -> UBL -> canonical and UBL -> EDIFACT -> UBL.

The documents are samples.py's, one per message type, which fill every carried field; what a syntax
does not carry (NotCarried, Gap) is emptied before rendering, so the comparison is of carried fields.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from hub.domain.documents import Document
from mappings.ubl import parse_ubl
from tests.unit.fidelity import table
from tests.unit.fidelity.compare import carried, lost_fields, only_carried
from tests.unit.fidelity.paths import field_paths, values_at
from tests.unit.fidelity.roundtrip import to_ubl, via_edifact, via_ubl
from tests.unit.fidelity.samples import CHECKED_ELSEWHERE, DOCUMENTS

PAIRS = [(kind, syntax) for kind, (_, syntaxes) in table.MESSAGE_TYPES.items() for syntax in syntaxes]
BOTH = [kind for kind, (_, syntaxes) in table.MESSAGE_TYPES.items() if len(syntaxes) == 2]
VIA: dict[str, Callable[[Document], Document]] = {"edifact": via_edifact, "ubl": via_ubl}


def _ids(pairs: list[tuple[str, str]]) -> list[str]:
    return [f"{kind}-{syntax}" for kind, syntax in pairs]


@pytest.mark.parametrize(("kind", "syntax"), PAIRS, ids=_ids(PAIRS))
def test_the_table_has_a_row_for_every_canonical_field(kind: str, syntax: str) -> None:
    cls = table.MESSAGE_TYPES[kind][0]
    paths = set(field_paths(cls))
    rows = table.rows(kind, syntax)
    missing = sorted(paths - set(rows))
    assert not missing, f"{cls.__name__} fields with no {syntax} row in tests/unit/fidelity/table.py: " \
                        f"{missing}"
    by_type = (table.EDIFACT_BY_TYPE if syntax == "edifact" else table.UBL_BY_TYPE).get(kind, {})
    unknown = sorted(set(by_type) - paths)
    assert not unknown, f"{kind} {syntax} rows for fields {cls.__name__} does not have: {unknown}"


@pytest.mark.parametrize("kind", list(DOCUMENTS))
def test_the_sample_fills_every_carried_field(kind: str) -> None:
    doc = DOCUMENTS[kind]()
    assert isinstance(doc, table.MESSAGE_TYPES[kind][0])
    empty = [path for syntax in table.MESSAGE_TYPES[kind][1] for path in carried(kind, (syntax,))
             if not values_at(doc, path) and path not in CHECKED_ELSEWHERE.get(kind, {})]
    assert not empty, f"the {kind} sample leaves carried fields empty (the round trip cannot see them " \
                      f"lost): {sorted(set(empty))}"


@pytest.mark.parametrize(("kind", "syntax"), PAIRS, ids=_ids(PAIRS))
def test_canonical_to_syntax_to_canonical_keeps_every_carried_field(kind: str, syntax: str) -> None:
    doc = only_carried(DOCUMENTS[kind](), kind, (syntax,))
    back = VIA[syntax](doc)
    lost = lost_fields(doc, back, carried(kind, (syntax,)))
    assert not lost, f"{kind} through {syntax} lost fields the table lists as carried:\n" + "\n".join(lost)


@pytest.mark.parametrize("kind", BOTH)
def test_ubl_to_edifact_to_ubl_keeps_every_field_both_carry(kind: str) -> None:
    both = ("edifact", "ubl")
    received = parse_ubl(to_ubl(only_carried(DOCUMENTS[kind](), kind, both)))
    again = via_ubl(via_edifact(received))
    lost = lost_fields(received, again, carried(kind, both))
    assert not lost, f"{kind} UBL -> EDIFACT -> UBL lost fields both syntaxes carry:\n" + "\n".join(lost)


def test_a_lost_carried_field_is_named() -> None:
    doc = DOCUMENTS["invoice"]()
    back = copy.deepcopy(doc)
    back.lines[0].notes = []
    lost = lost_fields(doc, back, carried("invoice", ("ubl",)))
    assert lost == [f"lines[].notes ({table.UBL['lines[].notes'].where}): sent "  # type: ignore[union-attr]
                    f"[\"['note on line 1']\", \"['note on line 2']\"], read back [\"['note on line 2']\"]"]

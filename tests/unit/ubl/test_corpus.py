"""The real UBL files of the conformance corpus (tests/conformance/corpus/ubl) behave as its README says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.domain.documents import (
    Invoice,
    OrderCancellation,
    OrderChange,
    OrderResponse,
    PartyRole,
    PurchaseOrder,
)
from hub.domain.errors import UnsupportedContent, ValidationError
from mappings.ubl import parse_ubl, render_invoice_checked, render_ubl
from tests.support.conformance import corpus_files
from tests.unit.ubl.conftest import CORPUS, oracle_fatal

EN16931 = corpus_files(CORPUS / "en16931", "*.xml", expected=14)
OASIS = CORPUS / "oasis-2.1"


@pytest.mark.parametrize("name, kind", [
    ("UBL-Order-2.1-Example.xml", PurchaseOrder),
    ("UBL-OrderResponse-2.1-Example.xml", OrderResponse),
    ("UBL-Invoice-2.1-Example.xml", Invoice),
    ("UBL-CreditNote-2.1-Example.xml", Invoice),
    ("UBL-OrderChange-2.1-Example.xml", OrderChange),
    ("UBL-OrderCancellation-2.1-Example.xml", OrderCancellation),
])
def test_oasis_examples_are_accepted_and_mapped(name: str, kind: type) -> None:
    doc = parse_ubl((OASIS / name).read_bytes())
    assert isinstance(doc, kind)
    assert doc.parties and (doc.lines or isinstance(doc, OrderCancellation))  # a cancellation has no lines
    assert doc.profile["ubl_version"] == "2.1"
    if isinstance(doc, Invoice):
        assert doc.is_credit_note == ("CreditNote" in name)
    render_ubl(doc)  # and it renders back to schema-valid UBL


@pytest.mark.parametrize("name, document", [
    ("UBL-DespatchAdvice-2.0-Example.xml", "DespatchAdvice 2.0"),
])
def test_other_oasis_examples_are_rejected_by_name(name: str, document: str) -> None:
    with pytest.raises(UnsupportedContent) as info:
        parse_ubl((OASIS / name).read_bytes())
    assert document in info.value.message
    assert info.value.problems[0].code == "UBL_UNSUPPORTED_DOCUMENT"


def test_oasis_invoice_is_not_sent_as_peppol_because_it_breaks_en16931() -> None:
    # UBL 2.1 example predating EN 16931: no tax category on document allowances, rounding folded in.
    doc = parse_ubl((OASIS / "UBL-Invoice-2.1-Example.xml").read_bytes())
    with pytest.raises(ValidationError) as info:
        render_invoice_checked(doc)  # type: ignore[arg-type]
    codes = {p.code for p in info.value.problems if p.severity == "error"}
    assert {"BR-32", "BR-37"} <= codes


@pytest.mark.parametrize("path", EN16931, ids=[p.stem for p in EN16931])
def test_en16931_examples_survive_the_round_trip_with_zero_fatal(path: Path, oracle: Any,
                                                                  tmp_path: Path) -> None:
    doc = parse_ubl(path.read_bytes())
    assert isinstance(doc, Invoice)
    rendered = render_invoice_checked(doc)
    assert oracle_fatal(oracle, rendered, tmp_path, path.name) == []
    again = parse_ubl(rendered)
    again.profile, doc.profile = {}, {}
    # the rendering claims Peppol BIS 3: a seller or buyer without an EndpointID gets the one its
    # identifiers give (PEPPOL-EN16931-R010/R020); the rest is what the example said
    for before, after in zip(doc.parties, again.parties, strict=True):
        if before.endpoint is None and before.role in (PartyRole.supplier, PartyRole.buyer):
            after.endpoint = None
    assert again == doc

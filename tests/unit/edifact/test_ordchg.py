"""ORDCHG: Peppol OrderChange (T114) and OrderCancellation (T115) in EDIFACT D.96A and D.01B, both ways.

UBL -> ORDCHG -> UBL keeps what the Peppol rules require: the rendered EDIFACT passes the hub's own
structure validation, and the UBL rendered back has 0 fatal with the independent validator's Peppol rules.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.domain.documents import Document, OrderCancellation, OrderChange, PurchaseOrder
from hub.rendering import Identity, render
from mappings.codelists import CodeListError
from mappings.edifact import registry
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.outbound_validation import validate_interchange
from mappings.edifact.profile import PartnerProfile
from mappings.ubl import parse_ubl, render_ubl
from mappings.ubl.outbound_validation import validate_document
from tests.support.conformance import oracle_fatal, oracle_module

PEPPOL = Path(__file__).resolve().parents[3] / "fixtures" / "ubl" / "peppol"
DIRECTORIES = ("D96A", "D01B")
IDENTITY = Identity("5412345000013", "14", "5498765000017", "14")


@pytest.fixture(scope="module")
def peppol_oracle() -> Any:
    return oracle_module().Validator(peppol=True)


def _order() -> PurchaseOrder:
    order = parse_ubl((PEPPOL / "Order_Example.xml").read_bytes())
    assert isinstance(order, PurchaseOrder)
    return order


def _change() -> OrderChange:
    order = _order()
    change = OrderChange(**{f.name: getattr(order, f.name) for f in fields(order)}, order_number="34",
                         sequence="2")
    change.number, change.profile = "34-C2", {}
    for line in change.lines:
        line.status = "3"  # UNCL 1229: changed
    change.lines[-1].status = "1"  # added
    return change


def _through_edifact(doc: Document, directory: str) -> tuple[bytes, Document]:
    """The document rendered as an ORDCHG interchange (which must pass the hub's validation) and read back."""
    profile = PartnerProfile(directory=directory)
    rendered = render(doc, "edifact", profile=profile, identity=IDENTITY, control_ref="C1")
    assert rendered.message_type == f"ORDCHG:{directory}"
    assert [p for p in validate_interchange(rendered.data).problems if p.severity == "error"] == []
    message = parse_interchange(rendered.data).messages[0]
    back = registry.lookup(message.type, message.directory, registry.INBOUND).parse(message, profile)
    back.profile = {}
    return rendered.data, back


@pytest.mark.parametrize("directory", DIRECTORIES)
def test_order_change_keeps_every_peppol_field_through_ordchg(directory: str, peppol_oracle: Any,
                                                              tmp_path: Path) -> None:
    change = _change()
    data, back = _through_edifact(change, directory)
    assert b"BGM+230+34-C2+4'" in data and b"RFF+ON:34'" in data and b"RFF+PP:2'" in data
    assert isinstance(back, OrderChange)
    assert (back.order_number, back.sequence, back.function) == ("34", "2", "original")
    assert back.allowances_charges == change.allowances_charges
    assert back.totals == change.totals
    assert (back.delivery_date, back.delivery_end, back.validity_end) == (
        change.delivery_date, change.delivery_end, change.validity_end)
    assert [(ln.number, ln.status, ln.notes) for ln in back.lines] == [
        (ln.number, ln.status, ln.notes) for ln in change.lines]
    ubl = render_ubl(back)
    assert oracle_fatal(peppol_oracle, ubl, tmp_path, "change.xml") == []
    assert [p for p in validate_document(ubl).problems if p.severity == "error"] == []


@pytest.mark.parametrize("directory", DIRECTORIES)
def test_order_cancellation_is_ordchg_with_message_function_1(directory: str, peppol_oracle: Any,
                                                              tmp_path: Path) -> None:
    doc = parse_ubl((PEPPOL / "OrderCancellation_Example.xml").read_bytes())
    assert isinstance(doc, OrderCancellation)
    doc = replace(doc, parties=_order().parties, profile={})  # the example's own GLNs are invalid
    data, back = _through_edifact(doc, directory)
    assert b"BGM+230+" + doc.number.encode() + b"+1'" in data
    assert b"FTX+ACD+++With reference to phone call'" in data
    assert isinstance(back, OrderCancellation)
    assert (back.order_number, back.reason, back.function) == ("34", "With reference to phone call", "cancel")
    assert back.notes == doc.notes and back.lines == []
    assert oracle_fatal(peppol_oracle, render_ubl(back), tmp_path, "cancel.xml") == []


def test_the_official_change_example_loses_nothing_but_its_own_defects(peppol_oracle: Any,
                                                                       tmp_path: Path) -> None:
    doc = parse_ubl((PEPPOL / "OrderChange_Example.xml").read_bytes())
    doc.profile = {}
    _, back = _through_edifact(doc, "D96A")
    findings = oracle_fatal(peppol_oracle, render_ubl(back), tmp_path, "example.xml")
    # as when written straight back as UBL (test_peppol_ordering): an invalid Swedish organisation
    # number, and lines that carry no action code in the example itself
    assert {f.split()[0] for f in findings} == {"PEPPOL-COMMON-R049", "PEPPOL-T114-B23102"}


def test_ordchg_is_registered_both_ways() -> None:
    for direction in (registry.INBOUND, registry.OUTBOUND):
        for directory in (*DIRECTORIES, "D24A"):
            assert registry.lookup("ORDCHG", directory, direction).name == "mappings.edifact.ordchg"
    assert "ORDCHG" in registry.supported()


def test_a_line_action_with_no_1229_code_is_refused_naming_lin() -> None:
    change = _change()
    change.lines[0].status = "moved"
    with pytest.raises(CodeListError) as caught:
        render(change, "edifact", profile=PartnerProfile(), identity=IDENTITY, control_ref="C1")
    problem = caught.value.problems[0]
    assert (problem.code, problem.segment_tag, problem.element) == ("CODE_LIST", "LIN", "1229")


_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,-/+:'?"  # separators too
_TEXT = st.text(alphabet=st.sampled_from(_CHARS), min_size=1, max_size=80).map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=st.one_of(st.none(), st.integers(1, 999_999).map(str)),
       statuses=st.lists(st.sampled_from(["1", "2", "3"]), min_size=2, max_size=2),
       validity=st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2099, 12, 31))),
       notes=st.lists(_TEXT, max_size=3), reason=st.one_of(st.none(), _TEXT),
       directory=st.sampled_from(DIRECTORIES))
def test_any_change_or_cancellation_survives_ordchg(sequence: str | None, statuses: list[str],
                                                    validity: date | None, notes: list[str],
                                                    reason: str | None, directory: str) -> None:
    change = _change()
    change.sequence, change.validity_end, change.notes = sequence, validity, notes
    for line, status in zip(change.lines, statuses, strict=True):
        line.status = status
    _, back = _through_edifact(change, directory)
    assert isinstance(back, OrderChange)
    assert (back.sequence, back.validity_end, back.notes) == (sequence, validity, notes)
    assert [ln.status for ln in back.lines] == statuses
    cancel = OrderCancellation(number="X-1", issued=change.issued, parties=change.parties, notes=notes,
                               order_number="34", reason=reason, function="cancel")
    _, back = _through_edifact(cancel, directory)
    assert isinstance(back, OrderCancellation)
    assert (back.order_number, back.reason, back.notes) == ("34", reason, notes)


@pytest.mark.parametrize("name", ["OrderChange_Example.xml", "OrderCancellation_Example.xml"])
@pytest.mark.parametrize("directory", DIRECTORIES)
def test_the_official_examples_as_they_are_render_as_valid_ordchg(name: str, directory: str) -> None:
    doc = parse_ubl((PEPPOL / name).read_bytes())
    doc.profile = {}
    _, back = _through_edifact(doc, directory)  # the hub's own envelope and structure validation
    assert (type(back), back.number) == (type(doc), doc.number)

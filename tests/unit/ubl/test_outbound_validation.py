"""The checks on a UBL file the hub sends: the schema, EN 16931, and the OpenPeppol rules it claims,
agreeing with the tests' own, independent copy of the official validator."""

from __future__ import annotations

from pathlib import Path

import pytest

from mappings.ubl.outbound_validation import validate_document
from tests.support.conformance import oracle_fatal, oracle_module

UBL = Path(__file__).resolve().parents[3] / "fixtures" / "ubl"
FIXTURE = (UBL / "ponte_order_peppol.xml").read_bytes()
SELLER_TAX = b"""<cac:PartyTaxScheme>
        <cbc:CompanyID>DK12345678</cbc:CompanyID>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:PartyTaxScheme>
      """
BUYER_TAX_END = b"""</cac:PartyTaxScheme>
    </cac:Party>
  </cac:BuyerCustomerParty>"""
# The fixture as the Peppol ordering data model wants it: no UBLVersionID, the buyer's legal entity
# given, no tax scheme on the seller.
ORDER = (FIXTURE.replace(b"<cbc:UBLVersionID>2.1</cbc:UBLVersionID>", b"")
         .replace(SELLER_TAX, b"")
         .replace(BUYER_TAX_END, BUYER_TAX_END.replace(
             b"</cac:PartyTaxScheme>", b"</cac:PartyTaxScheme><cac:PartyLegalEntity><cbc:"
             b"RegistrationName>Buyer Foods A/S</cbc:RegistrationName></cac:PartyLegalEntity>", 1)))
INVOICE = (UBL / "ponte_creditnote_peppol.xml").read_bytes()


@pytest.fixture(scope="module")
def oracle():  # type: ignore[no-untyped-def]
    return oracle_module().Validator(peppol=True)


def _fatal_ids(oracle, data: bytes, tmp_path: Path) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.split()[0] for f in oracle_fatal(oracle, data, tmp_path, "doc.xml")}


def test_a_valid_peppol_order_passes_the_t01_rules(oracle, tmp_path):
    checked = validate_document(ORDER)
    assert checked.rules == ["UBL 2.1 XSD", "OpenPeppol 2026.5 T01"]
    assert checked.fatal == [] and _fatal_ids(oracle, ORDER, tmp_path) == set()


def test_an_order_breaking_a_t01_rule_is_fatal_and_named_like_the_official_validator(oracle, tmp_path):
    # UBLVersionID is not part of the Peppol ordering data model (rule T01-B00110)
    broken = ORDER.replace(b"<cbc:CustomizationID>",
                           b"<cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:CustomizationID>", 1)
    checked = validate_document(broken)
    found = {p.code for p in checked.fatal}
    assert found == {"PEPPOL-T01-B00110"} == _fatal_ids(oracle, broken, tmp_path)
    (rule,) = checked.fatal
    assert rule.element == "/Order[1]/UBLVersionID[1]" and rule.message_ref == "PO-4711"
    assert rule.message.startswith("[PEPPOL-T01-B00110]")


def test_an_order_claiming_no_peppol_transaction_gets_only_the_schema():
    plain = ORDER.replace(b"urn:fdc:peppol.eu:poacc:trns:order:3", b"urn:example:order", 1)
    assert validate_document(plain).rules == ["UBL 2.1 XSD"]


def test_an_unknown_peppol_transaction_is_refused_rather_than_sent_unchecked():
    claimed = ORDER.replace(b"urn:fdc:peppol.eu:poacc:trns:order:3",
                            b"urn:fdc:peppol.eu:poacc:trns:nothing:3", 1)
    assert [p.code for p in validate_document(claimed).fatal] == ["PEPPOL_UNKNOWN_TRANSACTION"]


def test_a_credit_note_runs_en16931_and_the_peppol_billing_rules(oracle, tmp_path):
    checked = validate_document(INVOICE)
    assert checked.rules == ["UBL 2.1 XSD", "EN16931 1.3.16", "OpenPeppol 2026.5 BIS Billing 3"]
    assert {p.code for p in checked.fatal} == _fatal_ids(oracle, INVOICE, tmp_path) == set()


def test_a_schema_invalid_document_stops_at_the_schema():
    broken = ORDER.replace(b"<cbc:ID>", b"<cbc:Nonsense/><cbc:ID>", 1)
    checked = validate_document(broken)
    assert checked.rules == ["UBL 2.1 XSD"] and {p.code for p in checked.fatal} == {"XML_SCHEMA"}


def test_a_file_that_is_not_xml_is_fatal():
    checked = validate_document(b"not xml at all")
    assert checked.fatal and checked.fatal[0].code.startswith("XML")

"""Identifier equivalence across schemes, and the sending party's facts taken from a document."""

from __future__ import annotations

import pytest

from hub.domain.documents import (
    Identifier,
    IdScheme,
    Invoice,
    Party,
    PartyRole,
    PaymentTerms,
    PurchaseOrder,
    RemittanceAdvice,
)
from hub.domain.identifiers import key_of, key_of_registered, key_of_unb, parse_key, same_party
from hub.domain.records import DocumentRecord, record_of
from hub.domain.senders import describe, location, sender_ids

GLN = "5790000435975"


def test_a_gln_is_one_gln_whatever_scheme_code_it_came_with() -> None:
    unb = key_of_unb(GLN, "14")
    edifact = key_of(Identifier(GLN, IdScheme.gln, "9"))  # C082/3055 agency 9
    ubl = key_of(Identifier(f" {GLN} ", IdScheme.gln, "0088"))  # schemeID / ICD 0088
    registered = key_of_registered("gln", GLN)
    assert unb == edifact == ubl == registered == ("gln", GLN)
    assert key_of_registered("edi", GLN, "14") == registered


def test_vat_and_cnpj_compare_by_their_characters_not_their_punctuation() -> None:
    assert key_of(Identifier("dk 12.34.56.78", IdScheme.vat)) == key_of_registered("vat", "DK12345678")
    assert key_of(Identifier("12.345.678/0001-95", IdScheme.cnpj)) == ("cnpj", "12345678000195")
    assert key_of(Identifier("12345678000195", IdScheme.cnpj)) != key_of(
        Identifier("12345678000195", IdScheme.vat))  # same digits, another numbering


def test_an_unscoped_edi_id_matches_by_value_and_a_scoped_one_only_its_own_family() -> None:
    unscoped = key_of_registered("edi", GLN, "ZZ")
    assert same_party(unscoped, ("gln", GLN)) and same_party(("vat", GLN), unscoped)
    assert not same_party(("gln", GLN), ("duns", GLN))
    assert not same_party(("gln", GLN), ("gln", "5790000435982"))


def test_identifiers_that_only_mean_something_between_two_parties_have_no_key() -> None:
    for scheme in (IdScheme.buyer_assigned, IdScheme.supplier_assigned, IdScheme.mutually_defined,
                   IdScheme.other):
        assert key_of(Identifier("12345", scheme)) is None
    assert key_of(Identifier("  ", IdScheme.gln)) is None


@pytest.mark.parametrize("text", ["gln", "gln:", "edi:123", "foo:1", ":123"])
def test_a_posts_for_entry_must_be_a_known_scheme_and_a_value(text: str) -> None:
    with pytest.raises(ValueError, match="scheme"):
        parse_key(text)
    assert parse_key("vat:dk 1234") == ("vat", "DK1234")


def _seller(raw_role: str) -> Party:
    return Party(PartyRole.supplier, ids=[Identifier(GLN, IdScheme.gln, "0088"),
                                         Identifier("S-1", IdScheme.buyer_assigned)],
                 tax_ids=[Identifier("DK12345678", IdScheme.vat, "VAT")],
                 endpoint=Identifier(GLN, IdScheme.gln, "0088"), raw_role=raw_role)


def test_the_sending_party_of_each_document_type() -> None:
    buyer = Party(PartyRole.buyer, ids=[Identifier("5412345000013", IdScheme.gln)], raw_role="BY")
    payer = Party(PartyRole.payer, ids=[Identifier("5412345000020", IdScheme.gln)], raw_role="PR")
    invoice = Invoice("I-1", parties=[buyer, _seller("SU")])
    assert [(s.family, s.value, s.field) for s in sender_ids(invoice)] == [
        ("gln", GLN, "endpoint"), ("gln", GLN, "id"), ("vat", "DK12345678", "tax")]
    assert [s.value for s in sender_ids(PurchaseOrder("P-1", parties=[_seller("SU"), buyer]))] == [
        "5412345000013"]
    assert [s.value for s in sender_ids(RemittanceAdvice("R-1", parties=[buyer, payer]))] == [
        "5412345000020"]
    assert [s.value for s in sender_ids(RemittanceAdvice("R-2", parties=[buyer]))] == ["5412345000013"]
    assert sender_ids(Invoice("I-2", parties=[buyer])) == []


def test_where_a_sender_id_stands_is_an_xpath_in_ubl_and_a_segment_in_edifact() -> None:
    endpoint, gln, vat = sender_ids(Invoice("I-1", parties=[_seller("AccountingSupplierParty")]))
    assert location(endpoint, "Invoice") == (
        "", "/Invoice/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID")
    assert location(vat, "CreditNote") == (
        "", "/CreditNote/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID")
    endpoint, gln, vat = sender_ids(Invoice("I-1", parties=[_seller("SU")]))
    assert location(gln, None) == ("NAD", "C082/3039") and location(vat, None) == ("RFF", "C506/1154")
    assert describe(gln, None) == f"seller party NAD+SU {GLN} (GLN)"
    assert describe(vat, None) == "seller party RFF under NAD+SU DK12345678 (VAT)"


def test_records_carry_the_sender_facts_and_payee_accounts_between_processes() -> None:
    invoice = Invoice("I-1", parties=[_seller("SU")], payment_terms=[
        PaymentTerms(account_id="NL91ABNA0417164300"), PaymentTerms(account_id="NL91ABNA0417164300"),
        PaymentTerms(description="30 days")])
    record = record_of(1, "M1", "INVOIC:D:96A:UN", invoice, keep_document=False)
    assert record.payee_accounts == ["NL91ABNA0417164300"]
    rebuilt = DocumentRecord(*record.values())
    assert rebuilt.sender_ids() == record.sender_ids() and len(rebuilt.sender_ids()) == 3

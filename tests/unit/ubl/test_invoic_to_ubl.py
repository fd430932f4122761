"""What an EDIFACT INVOIC in the EN 16931 binding carries reaches the UBL invoice in the place UBL and
EN 16931 give it, so that the UBL is schema-valid: item classifications, the payee's account with its
means of payment, the exemption reason, the party billed, several line notes."""

from __future__ import annotations

from decimal import Decimal

from hub.domain.documents import Identifier, IdScheme, Invoice, PartyRole
from hub.xmlsafe import parse_xml
from mappings.edifact import invoic
from mappings.edifact.model import Message, Segment
from mappings.ubl import parse_ubl, render_ubl
from mappings.ubl.common import NS
from mappings.ubl.schema import schema_problems


def _message(*raw: str) -> Message:
    """An INVOIC D.96A message from segment texts (no release characters needed here)."""
    segs = [Segment("UNH", [["1"], ["INVOIC", "D", "96A", "UN"]])]
    for text in raw:
        tag, *els = text.split("+")
        segs.append(Segment(tag, [e.split(":") for e in els]))
    segs.append(Segment("UNT", [[str(len(segs) + 1)], ["1"]]))
    return Message("1", "INVOIC", "D", "96A", "UN", None, segs)


HEADER = ("BGM+380+INV-9+9", "DTM+137:20240301:102", "FTX+AGM+++Exempt new means of transport")
SELLER = ("NAD+SU+5790000435975::9++Ponte Supplies", "FII+RB+DK5000400440116243", "RFF+VA:DK12345678")
BUYER = ("NAD+BY+5798000416604::9++Buyer A/S",)
TERMS = ("CUX+2:EUR:4", "PAT+1", "DTM+13:20240331:102", "PAT+1", "PAI+::31")
LINE = ("LIN+1++5790000400010:SRV", "PIA+1+12344321:ZZZ", "PIA+1+65434568:STI", "IMD+F++:::Laptop",
        "QTY+47:1:PCE", "MOA+203:100.00", "PRI+AAA:100.00", "TAX+7+VAT+++:::0+E",
        "FTX+AAI+++Scratch on box", "FTX+AAI+++Color black")
TOTALS = ("UNS+S", "MOA+79:100.00", "MOA+125:100.00", "MOA+176:0.00", "MOA+86:100.00", "MOA+9:100.00",
          "TAX+7+VAT+++:::0+E", "MOA+125:100.00", "MOA+124:0.00")


def _invoice(*parties: str) -> Invoice:
    return invoic.parse(_message(*HEADER, *parties, *TERMS, *LINE, *TOTALS))


def _valid_ubl(doc: Invoice) -> bytes:
    data = render_ubl(doc)
    assert schema_problems(parse_xml(data), "Invoice", ref=doc.number) == []
    return data


def test_item_identifiers_other_than_the_gtin_are_item_classifications_with_their_7143_code() -> None:
    doc = _invoice(*SELLER, *BUYER)
    item = parse_xml(_valid_ubl(doc)).find("cac:InvoiceLine/cac:Item", NS)
    assert item is not None
    assert [e.text for e in item.findall("cac:StandardItemIdentification/cbc:ID", NS)] == ["5790000400010"]
    assert [(e.text, e.get("listID")) for e in item.findall(
        "cac:CommodityClassification/cbc:ItemClassificationCode", NS)] == [("12344321", "ZZZ"),
                                                                            ("65434568", "STI")]
    again = parse_ubl(_valid_ubl(doc)).lines[0].item
    assert (again.gtin, again.other_ids) == ("5790000400010", [
        Identifier("12344321", IdScheme.other, "ZZZ"), Identifier("65434568", IdScheme.other, "STI")])


def test_the_payees_account_goes_with_the_means_of_payment_given_in_another_terms_group() -> None:
    doc = _invoice(*SELLER, *BUYER)
    paid = [t for t in doc.payment_terms if t.means_code]
    assert [(t.means_code, t.account_id) for t in paid] == [("31", "DK5000400440116243")]
    means = parse_xml(_valid_ubl(doc)).find("cac:PaymentMeans", NS)
    assert means is not None
    assert means.findtext("cbc:PaymentMeansCode", namespaces=NS) == "31"
    assert means.findtext("cac:PayeeFinancialAccount/cbc:ID", namespaces=NS) == "DK5000400440116243"


def test_ftx_agm_is_the_exemption_reason_of_the_exempt_breakdown() -> None:
    doc = _invoice(*SELLER, *BUYER)
    assert [(t.category, t.exemption_reason) for t in doc.tax_subtotals] == [
        ("E", "Exempt new means of transport")]
    assert doc.notes == []
    category = parse_xml(_valid_ubl(doc)).find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert category is not None
    assert category.findtext("cbc:TaxExemptionReason", namespaces=NS) == "Exempt new means of transport"


def test_with_no_buyer_the_invoicee_is_the_accounting_customer() -> None:
    doc = _invoice(*SELLER, "NAD+IV+5798000416604::9++Billing dept")
    assert doc.party(PartyRole.buyer) is None
    customer = parse_xml(_valid_ubl(doc)).find("cac:AccountingCustomerParty/cac:Party", NS)
    assert customer is not None
    assert customer.findtext("cac:PartyName/cbc:Name", namespaces=NS) == "Billing dept"
    buyer = parse_ubl(_valid_ubl(doc)).party(PartyRole.buyer)
    assert buyer is not None and buyer.ids[0].value == "5798000416604"


def test_several_line_notes_are_the_lines_of_the_one_line_note_en_16931_has() -> None:
    doc = _invoice(*SELLER, *BUYER)
    assert doc.lines[0].notes == ["Scratch on box", "Color black"]
    line = parse_xml(_valid_ubl(doc)).find("cac:InvoiceLine", NS)
    assert line is not None
    assert [n.text for n in line.findall("cbc:Note", NS)] == ["Scratch on box\nColor black"]
    assert doc.totals is not None and doc.totals.payable == Decimal("100.00")

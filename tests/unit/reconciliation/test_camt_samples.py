"""camt cases found by reading public sample files (Credit Suisse, genkgo/camt, European party ids),
rebuilt here from our own fixtures: amounts in another currency than the account's, batches without
per-transaction amounts, 11- and 14-digit ids that are not Brazilian, and the statement's day."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hub.domain.errors import ValidationError
from hub.reconciliation.statements import read
from hub.reconciliation.statements.csv_profiles import load_profiles
from hub.reconciliation.statements.domain import ParsedEntry, ParsedStatement, brazilian_tax_id

BANK = Path(__file__).resolve().parents[3] / "fixtures" / "bank"
PROFILES = load_profiles()
STMT = "/Document/BkToCstmrStmt/Stmt[1]"
# entry 4 of ponte_camt053_eur.xml: a batch of 610.00 and 320.00 EUR booked as 930.00
BATCH_A = '<AmtDtls><TxAmt><Amt Ccy="EUR">610.00</Amt></TxAmt></AmtDtls>'
BATCH_B = '<AmtDtls><TxAmt><Amt Ccy="EUR">320.00</Amt></TxAmt></AmtDtls>'
HOLZ_ID = "<Id>DE 129 273 398</Id><SchmeNm><Cd>TXID</Cd></SchmeNm>"  # entry 3's payer


def camt053(*replacements: tuple[str, str]) -> str:
    text = (BANK / "ponte_camt053_eur.xml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


def statement(text: str) -> ParsedStatement:
    [only] = read(text.encode(), None, None, PROFILES)[1]
    return only


def refused(text: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        read(text.encode(), None, None, PROFILES)
    return info.value


def balances(parsed: ParsedStatement) -> bool:
    assert parsed.opening_balance is not None and parsed.closing_balance is not None
    return parsed.opening_balance + sum(e.amount for e in parsed.entries) == parsed.closing_balance


def by_ref(parsed: ParsedStatement) -> dict[str | None, ParsedEntry]:
    return {e.details.get("entry_reference"): e for e in parsed.entries}


def test_an_entry_with_one_transaction_keeps_the_amount_booked_on_the_account() -> None:
    """Credit Suisse books a EUR transfer as CHF with the EUR amount in TxDtls: the entry is the CHF
    booked (the statement still balances), the EUR amount noted in its details."""
    refs = "<Refs>\n              <EndToEndId>DR-PAY-2026-7781</EndToEndId>\n            </Refs>"
    parsed = statement(camt053((refs, refs + '<Amt Ccy="USD">1990.00</Amt>'
                                '<AmtDtls><TxAmt><Amt Ccy="USD">1990.00</Amt></TxAmt></AmtDtls>')))
    entry = parsed.entries[0]
    assert (entry.amount, entry.currency) == (Decimal("1815.00"), "EUR")
    assert entry.details["transaction_amount"] == {
        "amount": "1990.00", "currency": "USD", "xpath": f"{STMT}/Ntry[1]/NtryDtls/TxDtls/AmtDtls/TxAmt/Amt"}
    assert balances(parsed)
    # a transaction amount of 0 in another currency (genkgo's camt053.v8) changes nothing either
    wire = (BANK / "ponte_camt054_usd.xml").read_text(encoding="utf-8").replace(
        "</Refs>", '</Refs><Amt Ccy="SEK">0</Amt>', 1)
    notified = read(wire.encode(), None, None, PROFILES)[1][0].entries[0]
    assert (notified.amount, notified.currency) == (Decimal("4975.00"), "USD")
    assert notified.fees == Decimal("25.00")
    assert notified.details["transaction_amount"]["currency"] == "SEK"


def test_a_batch_takes_a_transactions_amount_only_in_the_entrys_currency() -> None:
    in_usd = '<AmtDtls><TxAmt><Amt Ccy="USD">350.00</Amt></TxAmt>'
    countervalue = statement(camt053((BATCH_B, in_usd + '<CntrValAmt><Amt Ccy="EUR">320.00</Amt></CntrValAmt>'
                                      "</AmtDtls>")))
    batch = [e for e in countervalue.entries if e.details.get("entry_reference") == "4"]
    assert [(e.amount, e.currency) for e in batch] == [(Decimal("610.00"), "EUR"), (Decimal("320.00"), "EUR")]
    assert batch[1].details["transaction_amount"]["amount"] == "350.00" and balances(countervalue)
    error = refused(camt053((BATCH_B, in_usd + "</AmtDtls>")))
    assert error.problems[0].element == f"{STMT}/Ntry[4]/NtryDtls/TxDtls[2]/AmtDtls/TxAmt/Amt/@Ccy"
    assert "in USD, its entry is booked in EUR" in error.message


def test_a_batch_without_amounts_of_its_own_is_one_entry_of_the_amount_booked() -> None:
    """camt .001.02 lets a batch's transactions give no amount (genkgo's camt054.v2): one entry of the
    booked 930.00, the transactions' references and texts kept."""
    parsed = statement(camt053((BATCH_A, ""), (BATCH_B, "")))
    [batch] = [e for e in parsed.entries if e.details.get("entry_reference") == "4"]
    assert (batch.amount, batch.entry_key) == (Decimal("930.00"), "ref:2026120100020")
    assert batch.end_to_end_id is None, "the transactions' end-to-end ids differ"
    assert batch.remittance_info == "Factura INV-2026-00106; RF46INV2026000107"
    assert [t["end_to_end_id"] for t in batch.details["transactions"]] == ["LOG-8841-A", "LOG-8841-B"]
    assert batch.counterparty_iban == "ES9121000418450200051332", "both transactions name the same payer"
    assert len(parsed.entries) == 7 and balances(parsed)
    half = refused(camt053((BATCH_A, "")))
    assert half.problems[0].element == f"{STMT}/Ntry[4]/NtryDtls/TxDtls[1]/AmtDtls/TxAmt/Amt"
    assert "has no amount" in half.message


@pytest.mark.parametrize("party_id", ["IT01234567897", "73282932000074", "01234567897"],
                         ids=["italian-vat", "french-siret", "eleven-digits"])
def test_european_ids_of_11_or_14_digits_are_kept_as_given(party_id: str) -> None:
    parsed = statement(camt053((HOLZ_ID, f"<Id>{party_id}</Id>")))
    assert by_ref(parsed)["3"].counterparty_id == party_id


def test_a_cnpj_or_cpf_is_checked_when_it_can_be_brazilian() -> None:
    where = f"{STMT}/Ntry[3]/NtryDtls/TxDtls/RltdPties/Dbtr/Id/OrgId/Othr/Id"
    in_reais = (('Ccy="EUR"', 'Ccy="BRL"'), ("<Ccy>EUR</Ccy>", "<Ccy>BRL</Ccy>"))
    error = refused(camt053(*in_reais, (HOLZ_ID, "<Id>73282932000074</Id>")))
    assert error.problems[0].element == where and "not a valid CNPJ" in error.message
    valid = statement(camt053(*in_reais, (HOLZ_ID, "<Id>11222333000181</Id>")))
    assert by_ref(valid)["3"].counterparty_id == "11222333000181"
    written_so = refused(camt053((HOLZ_ID, "<Id>11.222.333/0001-82</Id>")))
    assert written_so.problems[0].element == where
    by_scheme = refused(camt053((HOLZ_ID, "<Id>01234567897</Id><SchmeNm><Prtry>CPF</Prtry></SchmeNm>")))
    assert "not a valid CPF" in by_scheme.message
    formatted = statement(camt053((HOLZ_ID, "<Id>529.982.247-25</Id>")))
    assert by_ref(formatted)["3"].counterparty_id == "52998224725"


def test_which_ids_can_be_brazilian() -> None:
    assert brazilian_tax_id("11.222.333/0001-81") and brazilian_tax_id("529.982.247-25")
    assert brazilian_tax_id("12345", scheme="BR-CNPJ") and brazilian_tax_id("52998224725", currency="BRL")
    assert not brazilian_tax_id("52998224725") and not brazilian_tax_id("IT01234567897", scheme="TXID")
    assert not brazilian_tax_id("DE 129 273 398", currency="BRL") and not brazilian_tax_id(None)


def test_a_statement_is_dated_by_its_period_then_its_closing_balance_then_its_creation() -> None:
    """ponte_camt053_eur.xml covers 1 December and was written on the 2nd."""
    period = "<FrToDt>\n        <FrDtTm>2026-12-01T00:00:00+01:00</FrDtTm>\n" \
             "        <ToDtTm>2026-12-01T23:59:59+01:00</ToDtTm>\n      </FrToDt>"
    assert str(statement(camt053()).statement_date) == "2026-12-01"
    assert str(statement(camt053((period, ""))).statement_date) == "2026-12-01", "the closing balance's day"
    undated = camt053((period, ""), ("<Dt><Dt>2026-12-01</Dt></Dt>", ""))
    assert str(statement(undated).statement_date) == "2026-12-02", "Stmt/CreDtTm"
    header_only = undated.replace("<CreDtTm>2026-12-02T06:15:00+01:00</CreDtTm>",
                                  "<CreDtTm>2026-12-03T06:15:00+01:00</CreDtTm>", 1)
    header_only = header_only.replace("      <CreDtTm>2026-12-02T06:15:00+01:00</CreDtTm>\n", "")
    assert str(statement(header_only).statement_date) == "2026-12-03", "GrpHdr/CreDtTm"
    bad = refused(camt053(("<ToDtTm>2026-12-01T23:59:59+01:00", "<ToDtTm>01.12.2026")))
    assert bad.problems[0].element == f"{STMT}/FrToDt/ToDtTm"

"""Bank statement parsers: each fixture read to its golden file, and what a reader notices."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from hub.domain.errors import ValidationError
from hub.reconciliation.statements import UnknownFormat, read, sniff
from hub.reconciliation.statements.csv_profiles import load_profiles, profile_from
from hub.reconciliation.statements.domain import ParsedStatement, StatementError, as_dict, rf_valid

BANK = Path(__file__).resolve().parents[3] / "fixtures" / "bank"
FIXTURES = sorted(p for p in BANK.iterdir() if not p.name.endswith(".json"))
PROFILES = load_profiles()


def parsed(name: str, **kwargs: str) -> list[ParsedStatement]:
    return read((BANK / name).read_bytes(), kwargs.get("fmt"), kwargs.get("profile"), PROFILES)[1]


def test_every_format_has_a_fixture() -> None:
    assert {read(p.read_bytes(), None, None, PROFILES)[1][0].source_format for p in FIXTURES} == {
        "camt.053", "camt.052", "camt.054", "mt940", "mt942", "csv:generic", "csv:pix"}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_matches_its_golden_file(path: Path) -> None:
    fmt, statements = read(path.read_bytes(), None, None, PROFILES)
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    assert {"format": fmt, "statements": [as_dict(s) for s in statements]} == expected


def test_a_batch_entry_gives_one_entry_per_transaction_with_its_own_key() -> None:
    entries = parsed("ponte_camt053_eur.xml")[0].entries
    batch = [e for e in entries if e.details.get("entry_reference") == "4"]
    assert [e.amount for e in batch] == [Decimal("610.00"), Decimal("320.00")]
    assert len({e.entry_key for e in batch}) == 2
    assert [e.end_to_end_id for e in batch] == ["LOG-8841-A", "LOG-8841-B"]


def test_transactions_a_bank_gives_one_reference_keep_an_entry_each() -> None:
    """PostFinance gives each transaction of a batch the entry's AcctSvcrRef: both are kept, the second
    keyed `#2`, the same on every reading (an import would otherwise take it for one already held)."""
    data = (BANK / "ponte_camt053_eur.xml").read_bytes()
    for tx in (b"LOG-8841-A", b"LOG-8841-B"):
        data = data.replace(b"<Refs><EndToEndId>" + tx,
                            b"<Refs><AcctSvcrRef>PF-BATCH-7</AcctSvcrRef><EndToEndId>" + tx)
    entries = read(data, None, None, PROFILES)[1][0].entries
    batch = [e for e in entries if e.details.get("entry_reference") == "4"]
    assert [e.entry_key for e in batch] == ["ref:PF-BATCH-7", "ref:PF-BATCH-7#2"]
    assert [e.amount for e in batch] == [Decimal("610.00"), Decimal("320.00")]
    again = read(data, None, None, PROFILES)[1][0].entries
    assert [e.entry_key for e in again] == [e.entry_key for e in entries]


def test_camt_reversal_fees_references_and_pending_entries() -> None:
    statement = parsed("ponte_camt053_eur.xml")[0]
    by_ref = {e.details["entry_reference"]: e for e in statement.entries}
    assert by_ref["6"].reversal and by_ref["6"].amount == Decimal("-75.00")
    assert by_ref["2"].fees == Decimal("2.50") and by_ref["2"].structured_reference == "RF29INV2026000104"
    assert by_ref["2"].end_to_end_id is None, "NOTPROVIDED is no end-to-end id"
    near_miss = next(e for e in statement.entries if e.details.get("batch_position") == 2)
    assert near_miss.structured_reference is None, "an RF reference whose check digits fail is not kept"
    assert near_miss.details["invalid_rf"]["value"] == "RF46INV2026000107"
    assert statement.not_booked == 1 and len(statement.entries) == 8
    assert statement.opening_balance == Decimal("10000.00")
    assert statement.closing_balance == Decimal("14380.10")
    assert statement.opening_balance + sum(e.amount for e in statement.entries) == statement.closing_balance


def test_camt054_of_a_later_version_with_charges_total() -> None:
    notification = parsed("ponte_camt054_usd.xml")[0]
    wire = notification.entries[0]
    assert (wire.amount, wire.fees, wire.currency) == (Decimal("4975.00"), Decimal("25.00"), "USD")
    assert wire.counterparty_name == "Globex Corporation" and wire.booking_date.isoformat() == "2026-12-02"


@pytest.mark.parametrize("version", ["09", "10", "11", "12", "13"])
def test_later_camt_versions_read_as_the_2019_one(version: str) -> None:
    """camt.053/.054 .001.09 to .001.13 keep the paths read (Pty, Sts/Cd, Refs, RmtInf): the same entries
    as the fixtures' own versions; a version the reader does not know is refused naming it."""
    for name, kind, own in (("ponte_camt054_usd.xml", "camt.054", "08"),
                            ("ponte_camt053_eur.xml", "camt.053", "02")):
        data = (BANK / name).read_bytes()
        later = data.replace(f"{kind}.001.{own}".encode(), f"{kind}.001.{version}".encode())
        assert later != data
        assert [as_dict(s) for s in read(later, None, None, PROFILES)[1]] == \
            [as_dict(s) for s in read(data, None, None, PROFILES)[1]]
    unknown = (BANK / "ponte_camt054_usd.xml").read_bytes().replace(b"camt.054.001.08", b"camt.054.001.14")
    with pytest.raises((UnknownFormat, ValidationError)) as caught:
        read(unknown, "camt", None, PROFILES)
    assert "camt.054.001.14" in str(caught.value)


def test_mt940_structured_details_reversal_and_charges() -> None:
    first, second = parsed("ponte_mt940_eur.sta")
    credit, charged, reversal, fee = first.entries
    assert credit.end_to_end_id == "ACME-2026-11-0042"
    assert credit.remittance_info == "INV-2026-000201 INV-2026-000202"
    assert credit.counterparty_name == "Acme Handel GmbH"
    assert credit.counterparty_iban == "DE44500105175407324931"
    assert charged.fees == Decimal("4.50") and charged.structured_reference == "RF72INV2026000203"
    assert reversal.reversal and reversal.amount == Decimal("-120.00") and reversal.line == 10
    assert fee.amount == Decimal("-35.20")
    assert first.statement_ref != second.statement_ref, ":20: STARTUMS every day: :28C: tells them apart"
    assert first.opening_balance is not None
    assert first.closing_balance == first.opening_balance + sum(e.amount for e in first.entries)


def test_pix_export_amounts_ids_and_refund() -> None:
    entries = parsed("ponte_pix_export.csv")[0].entries
    assert entries[0].amount == Decimal("12450.00") and entries[0].counterparty_id == "11222333000181"
    assert entries[2].counterparty_id == "52998224725"  # a CPF
    assert entries[3].reversal and entries[3].amount == Decimal("-3000.00")
    assert entries[4].structured_reference == "34191790010104351004791020150008291070026000"
    static_qr = (BANK / "ponte_pix_export.csv").read_bytes().replace(b"NFE2026000405PONTE0001", b"***")
    assert read(static_qr, None, None, PROFILES)[1][0].entries[2].pix_txid is None


def test_formats_are_sniffed() -> None:
    assert [sniff((BANK / n).read_bytes()) for n in (
        "ponte_camt053_eur.xml", "ponte_mt940_eur.sta", "ponte_pix_export.csv")] == ["camt", "mt940", "csv"]
    assert sniff(b"%PDF-1.7\x00\x01") is None
    with pytest.raises(UnknownFormat):
        read(b"%PDF-1.7\x00\x01binary", None, None, PROFILES)


def test_rf_creditor_reference_check_digits() -> None:
    assert rf_valid("RF18 5390 0754 7034") and rf_valid("RF29INV2026000104")
    assert not rf_valid("RF19539007547034") and not rf_valid("RF29INV2026000105")


def _error(data: bytes, fmt: str | None = None, profile: str | None = None) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        read(data, fmt, profile, PROFILES)
    return info.value


def test_camt_errors_name_the_xpath_and_field() -> None:
    text = (BANK / "ponte_camt053_eur.xml").read_text(encoding="utf-8")
    bad = text.replace("<Amt Ccy=\"EUR\">1250.00</Amt>", "<Amt Ccy=\"EUR\">12,50.00</Amt>")
    error = _error(bad.encode())
    assert error.problems[0].element == "/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt"
    assert "'12,50.00' is not an amount" in error.message
    other = text.replace("camt.053.001.02", "camt.055.001.02")
    assert "is not camt.052, camt.053 or camt.054" in _error(other.encode()).message
    assert _error(b"<Document><unclosed></Document>").problems[0].code == "XML_SYNTAX"


def test_mt940_errors_name_the_line_and_tag() -> None:
    text = (BANK / "ponte_mt940_eur.sta").read_text()
    error = _error(text.replace(":61:2612011201C865,00", ":61:26X2011201C865,00").encode())
    assert error.problems[0].segment_position == 7 and error.problems[0].element == ":61:"
    no_closing = _error(b":20:X\n:25:NL91ABNA0417164300\n:28C:1\n:60F:C261130EUR1,00\n")
    assert no_closing.problems[0].element == ":62F:"


def test_mt940_text_naming_a_file_is_never_read_from_disk(tmp_path: Path) -> None:
    target = tmp_path / "secret.sta"
    target.write_text((BANK / "ponte_mt940_eur.sta").read_text())
    with pytest.raises(StatementError):
        read(str(target).encode(), "mt940", None, PROFILES)


def test_csv_errors_name_each_line_and_column() -> None:
    text = (BANK / "ponte_pix_export.csv").read_text(encoding="utf-8")
    text = text.replace("11.222.333/0001-81;0001", "11.222.333/0001-82;0001", 1)
    text = text.replace("E18236120202612011945Qw7Er8Ty9Ui", "E1823612020261201", 1)
    text = text.replace("3.000,00;0,99", "3.000,0x;0,99", 1)
    error = _error(text.encode())
    assert [(p.segment_position, p.element) for p in error.problems] == [
        (2, "CPF/CNPJ Pagador"), (3, "Valor"), (4, "EndToEndId")]
    assert "not a valid CNPJ" in error.problems[0].message
    missing = _error(b"Foo,Bar\n1,2\n", "csv", "generic")
    assert {p.element for p in missing.problems} == {"Booking date", "Amount", "Account", "Currency"}
    assert "fits no CSV profile" in _error(b"Foo,Bar\n1,2\n").message


def test_a_user_profile_is_data_and_is_checked(tmp_path: Path) -> None:
    (tmp_path / "mybank.json").write_text(json.dumps({
        "name": "mybank", "delimiter": "|", "decimal_mark": ",", "date_format": "%d.%m.%Y",
        "account": "DE89370400440532013000", "currency": "EUR",
        "columns": {"booking_date": "Datum", "amount": "Betrag", "remittance_info": "Zweck"}}))
    profiles = load_profiles(tmp_path)
    _, statements = read(b"Datum|Betrag|Zweck\n01.12.2026|1234,50|INV-2026-000101\n",
                         None, None, profiles)
    assert statements[0].entries[0].amount == Decimal("1234.50")
    assert statements[0].account == "DE89370400440532013000"
    with pytest.raises(StatementError, match=r"columns\.amount is required"):
        profile_from({"name": "x", "columns": {"booking_date": "D"}, "currency": "EUR", "account": "A"},
                     "x.json")


def test_mt940_in_swift_fin_blocks_with_crlf_reads_the_same() -> None:
    text = (BANK / "ponte_mt940_eur.sta").read_text()
    header = "{1:F01ABNANL2AXXXX0000000000}{2:O9401200261201ABNANL2AXXXX00000000002612011200N}{4:\n"
    wrapped = "".join(header + block + "-}\n" for block in text.split("-\n") if block.strip())
    def essence(statements: list[ParsedStatement]) -> list[tuple[object, ...]]:
        return [(s.statement_ref, s.closing_balance, e.entry_key, e.amount, e.fees, e.remittance_info,
                 e.counterparty_iban) for s in statements for e in s.entries]
    crlf = wrapped.replace("\n", "\r\n").encode()
    assert essence(read(crlf, None, None, PROFILES)[1]) == essence(parsed("ponte_mt940_eur.sta"))
    assert read(crlf, None, None, PROFILES)[1][0].entries[0].line == 6, "lines still count from the top"


def test_profiles_with_credit_and_debit_columns_or_a_direction_column() -> None:
    split = profile_from({"name": "split", "account": "DE89370400440532013000", "currency": "EUR",
                          "columns": {"booking_date": "Date", "credit": "In", "debit": "Out"}},
                         "split.json")
    rows = read(b"Date,In,Out\n2026-12-01,100.00,\n2026-12-01,,2.50\n", "csv", "split", {"split": split})[1]
    assert [e.amount for e in rows[0].entries] == [Decimal("100.00"), Decimal("-2.50")]
    with pytest.raises(StatementError) as info:
        read(b"Date,In,Out\n2026-12-01,1.00,2.00\n", "csv", "split", {"split": split})
    assert info.value.problems[0].element == "In/Out" and info.value.problems[0].segment_position == 2
    marked = profile_from({"name": "dc", "account": "X1", "currency": "USD", "debit_values": ["Dr"],
                           "columns": {"booking_date": "Date", "amount": "Amount", "direction": "DC"}},
                          "dc.json")
    export = b"Date,Amount,DC\n2026-12-01,5.00,Dr\n2026-12-01,7.00,Cr\n"
    statements = read(export, "csv", "dc", {"dc": marked})[1]
    assert [e.amount for e in statements[0].entries] == [Decimal("-5.00"), Decimal("7.00")]


def test_camt052_takes_booked_entries_and_counts_pending_and_information_only() -> None:
    [report] = parsed("ponte_camt052_eur.xml")
    assert report.source_format == "camt.052" and report.statement_ref == "2026-231-I3"
    assert [(e.entry_key, e.amount) for e in report.entries] == [
        ("ref:2026120100019", Decimal("1250.00")), ("ref:2026120100023", Decimal("-12.40"))]
    assert report.not_booked == 2, "the PDNG and INFO entries are not payments"
    assert report.closing_balance == Decimal("11237.60"), "the interim booked balance (ITBD)"
    [evening] = parsed("ponte_camt053_eur.xml")
    same = {e.entry_key: e for e in evening.entries}
    for entry in report.entries:  # the evening's statement carries them under the same keys
        assert same[entry.entry_key].amount == entry.amount


def test_camt052_errors_name_the_xpath_and_field() -> None:
    text = (BANK / "ponte_camt052_eur.xml").read_text(encoding="utf-8")
    error = _error(text.replace("<CdtDbtInd>DBIT</CdtDbtInd>", "<CdtDbtInd>DEBIT</CdtDbtInd>").encode())
    assert error.problems[0].element == "/Document/BkToCstmrAcctRpt/Rpt[1]/Ntry[2]/CdtDbtInd"
    no_id = _error(text.replace("<Id>2026-231-I3</Id>", "").encode())
    assert no_id.problems[0].element == "/Document/BkToCstmrAcctRpt/Rpt[1]/Id"


def test_mt942_is_an_interim_report_keyed_like_the_evenings_mt940() -> None:
    [report] = parsed("ponte_mt942_eur.sta")
    assert report.source_format == "mt942" and str(report.statement_date) == "2026-12-02"
    assert report.opening_balance is None and report.closing_balance is None
    [entry] = report.entries
    assert (entry.entry_key, entry.amount, entry.line) == ("ref:0000000000000460", Decimal("300.00"), 6)
    evening = [e.entry_key for s in parsed("ponte_mt940_eur.sta") for e in s.entries]
    assert entry.entry_key in evening


def test_mt942_errors_name_the_line_and_tag() -> None:
    text = (BANK / "ponte_mt942_eur.sta").read_text()
    wrong_sum = _error(text.replace(":90C:1EUR300,00", ":90C:1EUR310,00").encode())
    assert (wrong_sum.problems[0].segment_position, wrong_sum.problems[0].element) == (9, ":90C:")
    assert "holds 1 of 300.00" in wrong_sum.message
    wrong_count = _error(text.replace(":90C:1EUR300,00", ":90C:2EUR300,00").encode())
    assert wrong_count.problems[0].element == ":90C:"
    bad_line = _error(text.replace(":61:2612021202C300,00", ":61:26X2021202C300,00").encode())
    assert (bad_line.problems[0].segment_position, bad_line.problems[0].element) == (6, ":61:")

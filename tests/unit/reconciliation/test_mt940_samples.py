"""MT940/MT942 shapes seen in banks' real files (multi-part statements, wrapped tags, debits in an
MT942, fragments), each rebuilt here from our own fixture so no third-party file is kept."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hub.reconciliation.statements import read, sniff
from hub.reconciliation.statements.csv_profiles import load_profiles
from hub.reconciliation.statements.domain import ParsedStatement, StatementError, as_dict

BANK = Path(__file__).resolve().parents[3] / "fixtures" / "bank"
MT940 = (BANK / "ponte_mt940_eur.sta").read_text()
MT942 = (BANK / "ponte_mt942_eur.sta").read_text()
FIRST = MT940.split("-\n")[0]  # the fixture's first statement: four entries, 5230.75 to 8390.55
PROFILES = load_profiles()

BREAK = ":\n"  # a tag's colon alone on its line, its name on the next (a wrapped tag)


def statements(text: str) -> list[ParsedStatement]:
    return read(text.encode(), None, None, PROFILES)[1]


def refused(text: str) -> StatementError:
    with pytest.raises(StatementError) as info:
        read(text.encode(), None, None, PROFILES)
    return info.value


def two_parts(first_balance: str = ":62M:C261201EUR8545,75") -> str:
    """The first statement sent as two parts: the first closes with an intermediate balance (after
    its two credits, 5230.75 + 2450.00 + 865.00), the second opens with it."""
    head, tail = FIRST.split(":61:2612011201RC120,00")
    return (f"{head}{first_balance}\n-\n"
            f":20:STARTUMS\n:25:NL91ABNA0417164300\n:28C:00241/2\n:60M:C261201EUR8545,75\n"
            f":61:2612011201RC120,00{tail}-\n")


def test_a_multi_part_statement_reads_each_part_with_its_intermediate_balances() -> None:
    first, second = statements(two_parts())
    assert (first.opening_balance, first.closing_balance) == (Decimal("5230.75"), Decimal("8545.75"))
    assert (second.opening_balance, second.closing_balance) == (Decimal("8545.75"), Decimal("8390.55"))
    for part in (first, second):
        assert part.opening_balance is not None
        assert part.closing_balance == part.opening_balance + sum(e.amount for e in part.entries)
    whole = statements(MT940)[0]
    assert [e.entry_key for e in first.entries + second.entries] == [e.entry_key for e in whole.entries]


def test_parts_the_bank_gives_one_reference_are_told_apart_the_same_way_every_time() -> None:
    first, second = statements(two_parts())  # :20:STARTUMS and :28C:00241 on both parts
    assert (first.statement_ref, second.statement_ref) == ("STARTUMS/00241", "STARTUMS/00241#2")
    assert [s.statement_ref for s in statements(two_parts())] == ["STARTUMS/00241", "STARTUMS/00241#2"]
    days = statements(MT940)  # the same :20: on other days stays as it was
    assert [s.statement_ref for s in days] == ["STARTUMS/00241", "STARTUMS/00242"]


def test_an_mt942_with_debits_is_checked_against_the_sum_it_writes() -> None:
    debit = ":61:2612021202D12,40NCHGNONREF//0000000000000461\n:86:/REMI/Kontofuehrung/\n"
    text = MT942.replace(":90D:0EUR0,", f"{debit}:90D:1EUR12,40")
    [report] = statements(text)
    assert [e.amount for e in report.entries] == [Decimal("300.00"), Decimal("-12.40")]
    wrong = refused(text.replace(":90D:1EUR12,40", ":90D:1EUR12,50"))
    assert wrong.problems[0].element == ":90D:"
    assert "says 1 entries of 12.50, the report holds 1 of 12.40" in wrong.message


def test_tags_wrapped_over_two_lines_lose_no_entry() -> None:
    wrapped = FIRST.replace("\n:61:2612011201C865,00", "\n" + BREAK + "61:2612011201C865,00")
    wrapped = wrapped.replace("\n:86:/EREF/ACME", "\n" + BREAK + "86:/EREF/ACME") + "-\n"
    [statement] = statements(wrapped)
    [whole] = statements(FIRST + "-\n")
    assert [(e.entry_key, e.amount) for e in statement.entries] == [
        (e.entry_key, e.amount) for e in whole.entries]
    assert [e.line for e in statement.entries] == [5, 7, 11, 14], "a wrapped tag is on its colon's line"
    assert statement.entries[2].remittance_info == "STORNO INV-2026-000188"
    split_20 = statements(MT940.replace("-\n:20:STARTUMS", "-\n" + BREAK + "20:STARTUMS"))
    assert [s.statement_ref for s in split_20] == ["STARTUMS/00241", "STARTUMS/00242"]


def test_a_value_the_library_cannot_read_is_placed_on_its_tag_even_when_its_error_names_none() -> None:
    november_31 = refused(MT940.replace(":62F:C261201EUR8390,55", ":62F:C261131EUR8390,55"))
    assert (november_31.problems[0].segment_position, november_31.problems[0].element) == (14, ":62F:")
    assert "day is out of range for month" in november_31.message
    assert "'C261131EUR8390,55'" in november_31.message, "the value is named"
    month_13 = refused(MT940.replace(":60F:C261201EUR8390,55", ":\n60F:C261301EUR8390,55"))
    assert (month_13.problems[0].segment_position, month_13.problems[0].element) == (19, ":60F:")
    assert "'C261301EUR8390,55'" in month_13.message


def test_a_balance_without_a_currency_is_refused_naming_its_tag() -> None:
    error = refused(two_parts(first_balance=":62M:C261201854575,00"))  # EUR left out: '854' is read
    assert (error.problems[0].segment_position, error.problems[0].element) == (10, ":62M:")
    assert "'854' is not an ISO 4217 currency code" in error.message
    opening = refused(MT940.replace(":60F:C261130EUR5230,75", ":60F:C261130eu5230,75"))
    assert opening.problems[0].element == ":60F:" and opening.problems[0].segment_position == 4


def test_a_tag_after_the_end_of_a_statement_is_refused_not_added_to_it() -> None:
    stray = ":61:2612031203C119,00NMSCNONREF//0000000000000470\n:86:/REMI/Paiement/\n"
    error = refused(MT940 + stray)
    assert (error.problems[0].segment_position, error.problems[0].element) == (24, ":61:")
    assert "after the end of the statement ('-' on line 23)" in error.message
    headed = MT940.replace("-\n:20:", "-\nABNANL2A\n940\nABNANL2A\n:20:")  # a bank's header lines
    assert [len(s.entries) for s in statements(headed)] == [4, 1]


def test_a_piece_of_an_mt940_is_read_as_one_and_told_what_it_lacks() -> None:
    assert sniff(b"\n:20:TELEREPORTING\n") == "mt940"
    assert refused("\n:20:TELEREPORTING\n").problems[0].element == ":25:"
    lone_balance = refused(":60F:C261130EUR5230,75\n:60F:C261130EUR5230,7\n")
    assert "no MT940 statement" in lone_balance.message and lone_balance.problems[0].element == ":20:"
    assert sniff(b":\n61:2612011201C2450,00NTRFNONREF\n") == "mt940"
    assert sniff(b"Date;Amount\n2026-12-01;12:30:00\n") == "csv"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-32"])
def test_camt_in_utf16_or_utf32_is_sniffed_as_camt(codec: str) -> None:
    text = (BANK / "ponte_camt053_eur.xml").read_text(encoding="utf-8")
    wide = text.replace('encoding="UTF-8"', f'encoding="{codec.upper()}"').encode(codec)
    assert sniff(wide) == "camt"
    assert [as_dict(s) for s in read(wide, None, None, PROFILES)[1]] == [
        as_dict(s) for s in read(text.encode(), None, None, PROFILES)[1]]
    assert sniff("Date,Amount\n2026-12-01,1.00\n".encode("utf-16")) is None

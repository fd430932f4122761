"""Mutated statement files: the parsers answer with statements or the hub's own error, nothing else."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hub.domain.errors import HubError
from hub.reconciliation.statements import read
from hub.reconciliation.statements.csv_profiles import load_profiles

BANK = Path(__file__).resolve().parents[3] / "fixtures" / "bank"
FILES = {p.name: p.read_bytes() for p in sorted(BANK.iterdir()) if not p.name.endswith(".json")}
PROFILES = load_profiles()
# what breaks parsers: separators, signs, digits, markup, tags, quotes, high bytes
PIECES = [b":", b"?", b"/", b"+", b"-", b",", b".", b";", b"\n", b"<", b">", b"\"", b"0", b"9", b"C", b"D",
          b"RC", b":61:", b":20:", b":86:", b"</Ntry>", b"<Amt>", b"&amp;", b"\xff", b"\xc3", b"", b" "]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, str | None]:
    name = draw(st.sampled_from(sorted(FILES)))
    data = bytearray(FILES[name])
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(data)))
        end = min(len(data), start + draw(st.integers(0, 12)))
        data[start:end] = draw(st.sampled_from(PIECES))
    return bytes(data), draw(st.sampled_from([None, "camt", "mt940", "csv"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_give_statements_or_a_hub_error(case: tuple[bytes, str | None]) -> None:
    data, fmt = case
    try:
        read(data, fmt, None, PROFILES)
    except HubError as error:
        assert error.message and error.problems, "every refusal says what and where"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([None, "camt", "mt940", "csv"]))
@example(b"\r\xc2\x80", "csv")  # a lone carriage return in the header: csv.Error escaped
def test_arbitrary_bytes_give_a_hub_error(data: bytes, fmt: str | None) -> None:
    try:
        read(data, fmt, None, PROFILES)
    except HubError as error:
        assert error.message

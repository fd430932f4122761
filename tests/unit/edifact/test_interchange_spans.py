"""Where each interchange of a file starts: at a UNA or UNB that begins a segment, never inside
data, whatever separators each interchange declares."""

from __future__ import annotations

from hub.exchanges.sniff import sniff
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.interchanges import holds_several, interchange_spans
from tests.support.interchanges import orders_interchange

PLAIN = b"UNB+UNOA:3+S+R+240311:0930+P1'UNH+1+ORDERS:D:96A:UN'BGM+220+N1+9'UNT+3+1'UNZ+1+P1'"
OTHER_SEPARATORS = (b"UNA|~.\\ !UNB~UNOC|3~S~R~240311|0930~P2!UNH~1~ORDERS|D|96A|UN!"
                    b"BGM~220~N2~9!UNT~3~1!UNZ~1~P2!")


def cut(data: bytes) -> list[bytes]:
    return [data[start:end] for start, end in interchange_spans(data)]


def test_one_interchange_is_one_span_whatever_surrounds_it():
    single = orders_interchange("S1", ["PO-1", "PO-2"])
    assert cut(single) == [single]
    assert cut(b"\xef\xbb\xbf\r\n" + PLAIN) == [b"\xef\xbb\xbf\r\n" + PLAIN]
    assert not holds_several(single) and cut(b"not edifact UNB+") == [b"not edifact UNB+"]


def test_interchanges_are_cut_with_or_without_line_breaks_and_each_reads_alone():
    first, second = orders_interchange("S1", ["PO-1"]), orders_interchange("S2", ["PO-2"])
    assert cut(first + second) == [first, second]
    assert cut(first + b"\r\n" + PLAIN) == [first + b"\r\n", PLAIN]
    parts = cut(PLAIN + OTHER_SEPARATORS + PLAIN)
    assert parts == [PLAIN, OTHER_SEPARATORS, PLAIN]
    assert [parse_interchange(p).control_ref for p in parts] == ["P1", "P2", "P1"]
    assert not [p for part in parts for p in parse_interchange(part).problems]


def test_a_unb_inside_data_or_after_a_released_terminator_does_not_cut():
    inside = PLAIN.replace(b"BGM+220+N1+9'", b"BGM+220+N1+9'FTX+AAI+++see ?'UNB+here'")
    assert cut(inside) == [inside]
    words = PLAIN.replace(b"BGM+220+N1+9'", b"BGM+220+N1+9'FTX+AAI+++UNB+UNA'")
    assert cut(words) == [words]
    # a released release character before the terminator: the terminator is real
    doubled = PLAIN.replace(b"+N1+9'", b"+N1??'") + PLAIN
    assert cut(doubled) == [PLAIN.replace(b"+N1+9'", b"+N1??'"), PLAIN]


def test_a_file_of_several_interchanges_has_no_control_reference_to_be_a_duplicate_by():
    single = sniff(PLAIN)
    assert single.dedup_ref and not single.several
    several = sniff(PLAIN + OTHER_SEPARATORS)
    assert several.several and several.dedup_ref is None and several.control_ref == "P1"

"""Hostile EDIFACT and XML files of a given size, quick to generate (one repeated piece each)."""

from __future__ import annotations

from collections.abc import Callable

_UNB = b"UNB+UNOC:3+5412345000013:14+4012345000009:14+250322:1200+HOSTILE1'"
_UNH = b"UNH+1+ORDERS:D:96A:UN'"


def _fill(head: bytes, piece: bytes, size: int, tail: bytes = b"") -> bytes:
    """`head`, then `piece` repeated up to about `size` bytes in all, then `tail`."""
    return head + piece * max(1, (size - len(head) - len(tail)) // len(piece)) + tail


def tiny_segments(size: int) -> bytes:
    """One message of millions of two-byte segments (`A'`)."""
    return _fill(_UNB + _UNH, b"A'", size)


def empty_segments(size: int) -> bytes:
    """An interchange of nothing but empty segments (two terminators in a row)."""
    return _fill(_UNB, b"'", size)


def empty_segments_in_message(size: int) -> bytes:
    """Empty segments inside a message, then its UNT and UNZ."""
    return _fill(_UNB + _UNH, b"'", size, b"UNT+2+1'UNZ+1+HOSTILE1'")


def element_flood(size: int) -> bytes:
    """One segment of millions of empty elements (`+`)."""
    return _fill(_UNB + _UNH + b"FTX", b"+", size, b"'UNT+3+1'UNZ+1+HOSTILE1'")


def component_flood(size: int) -> bytes:
    """One element of millions of empty components (`:`)."""
    return _fill(_UNB + _UNH + b"FTX+AAA+++", b":", size, b"'UNT+3+1'UNZ+1+HOSTILE1'")


def huge_segment(size: int) -> bytes:
    """One segment whose one element is the whole file."""
    return _fill(_UNB + _UNH + b"FTX+AAA+++", b"x", size, b"'UNT+3+1'UNZ+1+HOSTILE1'")


def huge_plain_segment(size: int) -> bytes:
    """`huge_segment` after a small FTX: a segment of a known tag, left whole by the envelope
    reader, split only where the message is mapped (in a worker process for a big file)."""
    return _fill(_UNB + _UNH + b"FTX+AAA'FTX+AAA+++", b"x", size, b"'UNT+4+1'UNZ+1+HOSTILE1'")


def many_messages(size: int) -> bytes:
    """Hundreds of thousands of messages, each a lone UNH."""
    return _fill(_UNB, _UNH, size)


def tiny_xml_elements(size: int) -> bytes:
    """Millions of empty XML elements in one root."""
    return _fill(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">', b"<a/>",
                 size, b"</Invoice>")


def deep_xml(size: int) -> bytes:
    """XML elements nested as deep as the file allows."""
    count = max(1, size // 7)
    return b"<a>" * count + b"</a>" * count


SHAPES: dict[str, Callable[[int], bytes]] = {f.__name__: f for f in (
    tiny_segments, empty_segments, empty_segments_in_message, element_flood, component_flood,
    huge_segment, huge_plain_segment, many_messages, tiny_xml_elements, deep_xml)}

"""EDIFACT character sets: the UNB syntax identifier (S001/0001) chosen before decoding, strict decoding.

UNA and UNB are ASCII whatever the interchange's charset, so the header is read from the raw bytes first.
Decoding is strict: a byte the declared charset does not allow is a Problem naming its byte offset, the
segment it falls in and the charset. Two leniencies, both reported as warnings, because real partners
(and the shared corpus) send such files: characters outside the UNOA/UNOB repertoire but inside ASCII
(lower case in UNOA), and UTF-8 text in an interchange declared UNOA/UNOB.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.domain.errors import Problem, ValidationError
from mappings.edifact.model import Separators

# S001/0001 -> Python codec. UNOA/UNOB are ISO 646 subsets; UNOW/UNOY are ISO 10646 sent as UTF-8.
CODECS: dict[str, str] = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "latin-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOG": "iso8859-3",
    "UNOH": "iso8859-4",
    "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9",
    "UNOW": "utf-8",
    "UNOY": "utf-8",
}

# Level A: upper case, digits, space and . , - ( ) / = ' + : ? ! " % & * ; < >
_LEVEL_A = r"A-Z0-9 .,\-()/='+:?!\"%&*;<>"
# Level B: the ISO 646 basic table without its national positions (# $ @ [ \ ] ^ ` { | } ~)
_LEVEL_B = _LEVEL_A + r"a-z_"
_OUTSIDE = {
    "UNOA": re.compile(f"[^{_LEVEL_A}\r\n]"),
    "UNOB": re.compile(f"[^{_LEVEL_B}\r\n\x1c\x1d\x1f]"),  # IS4/GS/IS1 are level B's default separators
}
# Control characters are outside every repertoire; CR, LF and TAB are tolerated (line breaks, padding).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Header:
    """What the raw bytes say before decoding: UNA separators (if any), S001 syntax id and version."""

    syntax_id: str
    syntax_version: str
    separators: Separators | None  # None when there is no UNA
    offset: int  # byte offset of UNA or UNB (after a BOM and whitespace)


def _fail(code: str, message: str, **where: object) -> ValidationError:
    problem = Problem(code=code, message=message, **where)  # type: ignore[arg-type]
    return ValidationError(message, problems=[problem])


def _skip_start(data: bytes) -> int:
    offset = len(_BOM) if data.startswith(_BOM) else 0
    while offset < len(data) and data[offset] in b" \t\r\n":
        offset += 1
    return offset


def _una_separators(data: bytes, offset: int) -> Separators:
    chars = data[offset + 3: offset + 9]
    if len(chars) != 6 or any(b > 0x7E or b < 0x20 for b in chars):
        raise _fail("UNA_INVALID", "UNA must be followed by six printable ASCII service characters",
                    segment_tag="UNA", element="UNA")
    c = chars.decode("ascii")
    return Separators(component=c[0], element=c[1], decimal=c[2], release=c[3], repetition=c[4],
                      segment=c[5])


def read_header(data: bytes) -> Header:
    """Find UNA/UNB at the start of `data` and read S001 (syntax identifier and version) from UNB.

    Raises `ValidationError`: EMPTY for no content, NOT_EDIFACT when the data doesn't start with UNA or
    UNB, UNB_INVALID when S001 cannot be read.
    """
    start = _skip_start(data)
    if start >= len(data):
        raise _fail("EMPTY", "the file is empty")
    seps: Separators | None = None
    unb = start
    if data.startswith(b"UNA", start):
        seps = _una_separators(data, start)
        unb = start + 9
        while unb < len(data) and data[unb] in b" \r\n":
            unb += 1
    if not data.startswith(b"UNB", unb):
        raise _fail("NOT_EDIFACT", "not an EDIFACT interchange: the data does not start with UNA or UNB",
                    segment_position=1)
    used = seps or Separators()
    element, component = used.element.encode("ascii"), used.component.encode("ascii")
    if data[unb + 3: unb + 4] != element:
        raise _fail("UNB_INVALID", "UNB is not followed by an element separator",
                    segment_position=1, segment_tag="UNB", element="S001")
    s001 = data[unb + 4: unb + 40].split(element, 1)[0].split(used.segment.encode("ascii"), 1)[0]
    parts = s001.split(component)
    syntax_id = parts[0].decode("ascii", "replace")
    version = parts[1].decode("ascii", "replace") if len(parts) > 1 else ""
    if not re.fullmatch(r"[A-Z]{4}", syntax_id):
        raise _fail("UNB_INVALID", f"UNB syntax identifier {syntax_id!r} is not four letters",
                    segment_position=1, segment_tag="UNB", element="S001/0001")
    return Header(syntax_id=syntax_id, syntax_version=version, separators=seps, offset=start)


def locate(text: str, separators: Separators) -> tuple[int, str | None]:
    """The 1-based position (UNA not counted) and tag of the segment that the end of `text` falls in."""
    term = re.escape(separators.segment)
    if separators.release != " ":
        rel = re.escape(separators.release)
        ends = re.findall(f"(?<!{rel})(?:{rel}{rel})*{term}", text)
    else:
        ends = re.findall(term, text)
    count = len(ends)
    stripped = text.lstrip(" \r\n\ufeff")
    if stripped.startswith("UNA"):
        count -= 1  # UNA's own terminator character
    last = re.split(f"{term}", text)[-1].lstrip(" \r\n")
    tag = last[:3] if len(last) >= 3 and last[:3].isalnum() else None
    return max(count, 0) + 1, tag


def _where(data: bytes, offset: int, separators: Separators) -> tuple[int, str | None]:
    return locate(data[:offset].decode("latin-1"), separators)


def _problem(code: str, message: str, data: bytes, offset: int, seps: Separators,
             severity: str = "error") -> Problem:
    position, tag = _where(data, offset, seps)
    return Problem(code=code, message=message, segment_position=position, segment_tag=tag,
                   severity=severity)


def _decode_error(data: bytes, codec: str, syntax_id: str, seps: Separators,
                  problems: list[Problem]) -> tuple[str, str]:
    """Decode after a strict failure: UTF-8 in an ASCII charset is a warning, anything else an error."""
    try:
        data.decode(codec)
    except UnicodeDecodeError as exc:
        bad = exc.start
    if codec == "ascii":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            problems.append(_problem(
                "CHARSET_MISMATCH", f"byte 0x{data[bad]:02X} at offset {bad} is not {syntax_id} "
                f"(ASCII); the data is UTF-8 and was read as such", data, bad, seps, "warning"))
            return text, "utf-8"
    problems.append(_problem(
        "INVALID_CHARACTER", f"byte 0x{data[bad]:02X} at offset {bad} is not allowed in charset "
        f"{syntax_id} ({codec})", data, bad, seps))
    # latin-1 keeps one character per byte, so every later offset and segment stays where it was
    return data.decode("latin-1"), "latin-1"


# Byte-level fast checks: deleting every allowed byte leaves nothing when the text is clean, which is much
# quicker than a regex scan. Valid for one-byte codecs (ISO 8859 keeps C0/C1 controls at their byte values)
# and for pure-ASCII UTF-8; anything left over goes through the exact regex path.
_NOT_CONTROL = bytes(b for b in range(256) if not (b <= 0x08 or b in (0x0B, 0x0C) or 0x0E <= b <= 0x1F
                                                  or 0x7F <= b <= 0x9F))
_IN_REPERTOIRE = {
    "UNOA": bytes(b for b in range(128) if not _OUTSIDE["UNOA"].match(chr(b))),
    "UNOB": bytes(b for b in range(128) if not _OUTSIDE["UNOB"].match(chr(b))),
}


def _clean(data: bytes, codec: str, allowed: bytes) -> bool:
    """Whether `data` certainly has only `allowed` bytes (False means: look closer)."""
    if codec == "utf-8" and not data.isascii():
        return False
    return not data.translate(None, allowed)


def _check_repertoire(text: str, data: bytes, codec: str, syntax_id: str, seps: Separators,
                      problems: list[Problem]) -> None:
    checks = [("INVALID_CHARACTER", _CONTROL, "error", _NOT_CONTROL)]
    if syntax_id in _OUTSIDE and codec == "ascii":
        checks.append(("REPERTOIRE", _OUTSIDE[syntax_id], "warning", _IN_REPERTOIRE[syntax_id]))
    for code, pattern, severity, allowed in checks:
        if _clean(data, codec, allowed):
            continue
        found = pattern.search(text)
        if found is None or (code == "INVALID_CHARACTER" and found.group() in _separator_set(seps)):
            continue
        offset = len(text[: found.start()].encode(codec, "replace"))
        problems.append(_problem(
            code, f"character {found.group()!r} at byte offset {offset} is outside the {syntax_id} "
            f"repertoire", data, offset, seps, severity))


def _separator_set(seps: Separators) -> set[str]:
    return {seps.component, seps.element, seps.release, seps.repetition, seps.segment}


def decode(data: bytes, syntax_id: str, separators: Separators,
           problems: list[Problem]) -> tuple[str, str]:
    """Decode `data` by its syntax identifier; returns (text, codec) and appends charset Problems."""
    codec = CODECS.get(syntax_id)
    if codec is None:
        problems.append(Problem(code="UNSUPPORTED_SYNTAX", segment_position=1, segment_tag="UNB",
                                element="S001/0001",
                                message=f"syntax identifier {syntax_id!r} is not supported; "
                                        f"known: {', '.join(sorted(CODECS))}"))
        return data.decode("latin-1"), "latin-1"
    if data.startswith(_BOM) and codec == "utf-8":
        data = data[len(_BOM):]
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        text, codec = _decode_error(data, codec, syntax_id, separators, problems)
    _check_repertoire(text, data, codec, syntax_id, separators, problems)
    return text, codec


def encode(text: str, syntax_id: str) -> bytes:
    """Encode rendered text by its syntax identifier; raises `ValidationError` for an unknown charset
    or a character the charset cannot carry."""
    codec = CODECS.get(syntax_id)
    if codec is None:
        raise _fail("UNSUPPORTED_SYNTAX", f"syntax identifier {syntax_id!r} is not supported")
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        raise _fail("INVALID_CHARACTER", f"character {exc.object[exc.start]!r} at offset {exc.start} "
                    f"cannot be written in {syntax_id} ({codec})") from exc

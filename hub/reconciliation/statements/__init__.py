"""Bank statement parsers, one pure module per format, all giving `domain.ParsedStatement`s:
`camt` (ISO 20022 camt.053 and camt.054), `mt940` (SWIFT MT940), `csv_profiles` (CSV exports,
Pix included, laid out by profiles kept as data)."""

from __future__ import annotations

from hub.domain.errors import Problem
from hub.reconciliation.statements import camt, csv_profiles, mt940
from hub.reconciliation.statements.domain import (
    ParsedStatement,
    StatementError,
    distinct_keys,
    distinct_refs,
)
from hub.xmlsafe import wide_encoding

FORMATS = ("camt", "mt940", "csv")


class UnknownFormat(StatementError):
    """The bytes are none of the statement formats the hub reads (nothing is stored)."""

    code = "UNSUPPORTED_CONTENT"
    http_status = 415


class UnknownProfile(StatementError):
    """A CSV profile was named that the hub does not have (nothing is stored)."""

    code = "BAD_PARAMETER"
    http_status = 400


def check_profile(name: str | None, profiles: dict[str, csv_profiles.CsvProfile]) -> None:
    """UnknownProfile naming the known ones when `name` is not one of them."""
    if name is not None and name not in profiles:
        raise UnknownProfile(f"no CSV profile {name!r}; known: {', '.join(sorted(profiles))}",
                             problems=[Problem(code="STATEMENT_PROFILE", element="profile",
                                               message=f"unknown profile {name!r}")])


def sniff(data: bytes) -> str | None:
    """camt, mt940 or csv by the file's first bytes; None for anything else (binary, empty). XML in
    UTF-16 or UTF-32 (a byte order mark, or `<?` written wide) is camt, which `camt.parse` reads;
    other wide text is none of them."""
    codec = wide_encoding(data)
    if codec is not None:
        wide = data[:4096].decode(codec, errors="ignore").lstrip("\ufeff \t\r\n")
        return "camt" if wide.startswith("<") else None
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "camt"
    if b"\x00" in head or not head:
        return None
    text = mt940.decode(head)
    if mt940.looks_like(text):
        return "mt940"
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return "csv" if printable >= 0.95 * len(text) and "\n" in text else None


def choose_format(data: bytes, fmt: str | None) -> str:
    """The format asked for, or sniffed; UnknownFormat (415) when neither gives one."""
    chosen = fmt or sniff(data)
    if chosen not in FORMATS:
        message = (f"format {fmt!r} is not one of {', '.join(FORMATS)}" if fmt else
                   "the file is neither camt.052/053/054 XML, MT940/MT942 nor a CSV export; "
                   "nothing was stored")
        raise UnknownFormat(message, problems=[Problem(code="UNSUPPORTED_CONTENT", element="format",
                                                       message=message)])
    return chosen


def read(data: bytes, fmt: str | None, profile: str | None,
         profiles: dict[str, csv_profiles.CsvProfile]) -> tuple[str, list[ParsedStatement]]:
    """(the format read, its statements); StatementError naming line (or XPath) and field."""
    chosen = choose_format(data, fmt)
    if chosen == "camt":
        statements = camt.parse(data)
    elif chosen == "mt940":
        statements = mt940.parse(data)
    else:
        statements = csv_profiles.parse(data, _profile(data, profile, profiles))
    return chosen, [distinct_keys(s) for s in distinct_refs(statements)]


def _profile(data: bytes, name: str | None, profiles: dict[str, csv_profiles.CsvProfile]
             ) -> csv_profiles.CsvProfile:
    if name:
        check_profile(name, profiles)
        return profiles[name]
    found = csv_profiles.matching_profile(data, profiles)
    if found is None:
        raise StatementError(
            "line 1: the header fits no CSV profile; name one with profile "
            f"(known: {', '.join(sorted(profiles))})",
            problems=[Problem(code="STATEMENT_PROFILE", segment_position=1, element="header",
                              message="fits no CSV profile")])
    return found


__all__ = ["FORMATS", "ParsedStatement", "StatementError", "UnknownFormat", "UnknownProfile",
           "check_profile", "choose_format", "read", "sniff"]

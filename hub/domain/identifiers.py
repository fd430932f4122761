"""When two identifiers name the same party, whatever scheme code they came with.

A GLN is the same GLN as a UNB sender with qualifier 14, in an EDIFACT C082 with agency 9 (3055)
or ICD 0088 (1131), and as a UBL schemeID or EAS 0088; a VAT number is the same with or without
spaces and dots, whether it came as RFF+VA, a PartyTaxScheme or a Peppol EAS 99xx; a CNPJ or CPF
compares by its digits. Every lookup of a party by identifier compares these keys.

An identifier is keyed as (family, value): the family names the numbering (gln, duns, vat, cnpj,
cpf) and the value is normalised for it. A partner's EDI id whose UNB qualifier names no numbering
(ZZ, ZZZ, none) is "unscoped": it matches an identifier of any family with the same value, as the
hub always matched it. Identifiers that only mean something between two parties (buyer- or
supplier-assigned numbers, mutually defined codes) have no key: they identify no one hub-wide.
"""

from __future__ import annotations

import re

from hub.domain.documents import Identifier, IdScheme

Key = tuple[str, str]  # (family, normalised value); family "" is an unscoped EDI id

FAMILIES = ("gln", "duns", "vat", "cnpj", "cpf")
UNSCOPED = ""

_FAMILY_OF_SCHEME = {IdScheme.gln: "gln", IdScheme.duns: "duns", IdScheme.vat: "vat",
                     IdScheme.cnpj: "cnpj", IdScheme.cpf: "cpf"}
# UNB S002/S003 0007 codes that name a numbering
_FAMILY_OF_UNB_QUALIFIER = {"14": "gln", "1": "duns"}
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
_NOT_DIGIT = re.compile(r"[^0-9]")


def normalise(family: str, value: str) -> str:
    """The value as the family compares it: digits for CNPJ/CPF, upper-case letters and digits for
    VAT, the trimmed text otherwise."""
    if family in ("cnpj", "cpf"):
        return _NOT_DIGIT.sub("", value)
    if family == "vat":
        return _NOT_ALNUM.sub("", value).upper()
    return value.strip()


def key_of(ident: Identifier) -> Key | None:
    """The key of an identifier found on a document, or None when it identifies no one hub-wide."""
    family = _FAMILY_OF_SCHEME.get(ident.scheme)
    if family is None or not ident.value.strip():
        return None
    return family, normalise(family, ident.value)


def key_of_unb(value: str, qualifier: str | None) -> Key:
    """The key of a UNB sender or recipient (S002/S003: 0004 with its qualifier 0007)."""
    family = _FAMILY_OF_UNB_QUALIFIER.get(qualifier or "", UNSCOPED)
    return family, normalise(family, value)


def key_of_registered(scheme: str, value: str, qualifier: str = "") -> Key:
    """The key of a partner's registered identifier (scheme edi, gln, cnpj, vat, ...)."""
    if scheme == "edi":
        return key_of_unb(value, qualifier)
    return scheme, normalise(scheme, value)


def parse_key(text: str) -> Key:
    """'scheme:value' (e.g. gln:5790000000005) as a key; ValueError naming what is wrong."""
    family, sep, value = text.partition(":")
    if not sep or not value.strip():
        raise ValueError(f"{text!r} is not scheme:value")
    if family not in FAMILIES:
        raise ValueError(f"{text!r}: the scheme must be one of {', '.join(FAMILIES)}")
    return family, normalise(family, value)


def same_party(one: Key, other: Key) -> bool:
    """Whether two keys name the same party: same value, same family or one of them unscoped."""
    return one[1] == other[1] and (one[0] == other[0] or UNSCOPED in (one[0], other[0]))

"""Segment builders shared by the message modules' `render`: header, parties, lines, allowances, taxes.

The order of segments follows the D96A/D01B message structures (which EANCOM subsets keep), and
everything written here is read back by `reader.py` to the same canonical values.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from hub.domain.documents import (
    Address,
    AllowanceCharge,
    Document,
    Identifier,
    Line,
    Party,
    PaymentTerms,
    Price,
    Reference,
)
from hub.domain.errors import MappingError, Problem
from mappings import codelists
from mappings.edifact import common as c
from mappings.edifact.common import fmt_number, seg, split35
from mappings.edifact.model import Segment
from mappings.edifact.profile import PartnerProfile
from mappings.edifact.structures.versions import SEGMENT_OVERLAYS


class Writer:
    """Accumulates the body segments of one message for a partner profile."""

    def __init__(self, profile: PartnerProfile) -> None:
        self.profile = profile
        self.dm = profile.decimal_mark
        self.out: list[Segment] = []
        # where a line's FTX goes: after its MOA (ORDERS, ORDRSP, DESADV) or before it (INVOIC's SG26)
        self.line_notes_first = False

    def add(self, tag: str, *elements: str | list[str]) -> None:
        """Append one segment."""
        self.out.append(seg(tag, *elements))

    def num(self, value: Decimal) -> str:
        """A number with the partner's decimal mark."""
        return fmt_number(value, self.dm)

    def bgm(self, doc: Document, default_type: str, function: str | None = None,
            response: str | None = None) -> None:
        """BGM: document type (1001), number (1004), function (1225) and response type (4343)."""
        name = codelists.load("uncl1001").code(doc.type_code or default_type, segment="BGM",
                                               element="C002/1001")
        code = function or codelists.load("edifact_1225").code(doc.function, segment="BGM", element="1225")
        if response:
            response = codelists.load("edifact_4343").code(response, segment="BGM", element="4343")
        self.add("BGM", name, document_number(doc.number), code, response or "")

    def dtm(self, qualifier: str, value: date | datetime | None) -> None:
        """DTM when there is a value."""
        if value is not None:
            self.out.append(c.dtm_seg(qualifier, value, self.profile.render_datetime_format))

    def moa(self, qualifier: str, amount: Decimal | None) -> None:
        """MOA when there is an amount."""
        if amount is not None:
            self.add("MOA", [qualifier, self.num(amount)])

    def notes(self, notes: list[str], qualifier: str = "AAI") -> None:
        """One FTX per note, the text in up to five components of 4440's length in the directory
        (70 in D.96A, 512 later); a note longer than five components goes on in further FTX."""
        size = text_length(self.profile.directory)
        for note in notes:
            chunks = split35(note, size)
            for start in range(0, len(chunks), 5):
                self.add("FTX", qualifier, "", "", chunks[start:start + 5])

    def references(self, refs: list[Reference]) -> None:
        """RFF (+ DTM 171) for each reference, except package labels (written with their package)."""
        qualifiers = codelists.load("edifact_1153")
        for ref in refs:
            if ref.kind == "sscc":
                continue
            raw = ref.raw_kind
            keep_raw = raw is not None and qualifiers.is_code(raw) \
                and self.profile.reference_kind(raw) == ref.kind
            qualifier = raw if raw is not None and keep_raw else self.profile.reference_kind_out(ref.kind)
            self.add("RFF", [qualifier, ref.number, ref.line or ""])
            self.dtm("171", ref.issued)

    def currency(self, currency: str | None) -> None:
        """CUX+2:currency:9."""
        if currency:
            self.add("CUX", ["2", currency, "9"])

    def parties(self, parties: list[Party], account: str | None = None,
                accounting_cost: str | None = None) -> None:
        """NAD groups; `account` (an IBAN) goes under the payee, else the supplier, as FII+RB; the
        buyer's accounting reference as RFF+AOU under the buyer (else the last party), as EN 16931 binds
        BT-19."""
        holder = next((p for p in parties if p.role.value == "payee"), None) or next(
            (p for p in parties if p.role.value == "supplier"), None)
        cost_holder = next((p for p in parties if p.role.value == "buyer"), parties[-1] if parties else None)
        for party in parties:
            self.party(party)
            if account and party is holder:
                self.add("FII", "RB", account)
                account = None
            self.party_refs(party, accounting_cost if party is cost_holder else None)
        if account:
            self.add("FII", "RB", account)

    def party(self, party: Party) -> None:
        """NAD: role, identifier with its agency, name, street, city, region, postcode, country."""
        raw = party.raw_role
        keep_raw = raw is not None and codelists.load("edifact_3035").is_code(raw) \
            and self.profile.role(raw) == party.role.value
        qualifier = raw if raw is not None and keep_raw else self.profile.role_out(party.role.value)
        ident = self._main_id(party.ids)
        c082: list[str] = [""]
        if ident is not None:
            c082 = [ident.value, *self._agency(ident)]
        addr = party.address
        name = split35(party.name)[:5] if party.name else [""]
        if addr is None:
            self.add("NAD", qualifier, c082, "", name)
            return
        street, c819 = self._address(addr)
        self.add("NAD", qualifier, c082, "", name, street, addr.city or "", c819,
                 addr.postcode or "", addr.country or "")

    def party_refs(self, party: Party, accounting_cost: str | None = None) -> None:
        """RFF for tax identifiers, the legal registration, extra identifiers and the accounting reference,
        CTA/COM for the contact."""
        for tax in party.tax_ids:
            qualifier = self.profile.ref_scheme_out(tax.scheme.value) or tax.raw_scheme or "VA"
            self.add("RFF", [qualifier, tax.value])
        if party.legal_id is not None:
            raw = party.legal_id.raw_scheme
            keep = raw is not None and self.profile.ref_scheme(raw) == c.LEGAL
            self.add("RFF", [raw if raw and keep else self._field_qualifier(c.LEGAL), party.legal_id.value])
        main = self._main_id(party.ids)
        for ident in party.ids:
            if ident is not main and ident.raw_scheme and ident.raw_scheme.startswith("RFF:"):
                self.add("RFF", [ident.raw_scheme[4:], ident.value])
        if accounting_cost:
            self.add("RFF", [self._field_qualifier(c.ACCOUNTING_COST), accounting_cost])
        if party.contact is not None:
            self.add("CTA", "IC", ["", party.contact.name or ""])
            if party.contact.phone:
                self.add("COM", [party.contact.phone, "TE"])
            if party.contact.email:
                self.add("COM", [party.contact.email, "EM"])

    def _field_qualifier(self, field_name: str) -> str:
        """The 1153 qualifier of an RFF that carries a party's or line's field (GN, AOU, ...)."""
        return self.profile.ref_scheme_out(field_name) or codelists.load("edifact_1153_fields").code(
            field_name, segment="RFF", element="C506/1153")

    def _main_id(self, ids: list[Identifier]) -> Identifier | None:
        nad_ids = [i for i in ids if not (i.raw_scheme or "").startswith("RFF:")]
        for scheme in self.profile.render_party_schemes:
            found = next((i for i in nad_ids if i.scheme.value == scheme), None)
            if found is not None:
                return found
        return nad_ids[0] if nad_ids else None

    def _address(self, addr: Address) -> tuple[list[str], list[str]]:
        """(C059 street lines, 3229 or C819): D.01B on gives a longer region C819/3228; D.96A's 3229 is
        an..9, so there a longer region is written as the last street line, refused when C059 is full."""
        street, region = addr.street[:4] or [""], addr.region or ""
        if len(region) <= 9:
            return street, [region]
        if self.profile.directory.upper() != "D96A":
            return street, ["", "", "", region]
        if len(addr.street) < 4:
            return [*addr.street, region], [""]
        message = f"region {region!r} is longer than the 9 characters D.96A NAD 3229 allows, and C059 is full"
        raise MappingError(message, problems=[Problem(code="TOO_LONG", message=message,
                                                      segment_tag="NAD", element="3229")])

    def _agency(self, ident: Identifier) -> list[str]:
        """C082 1131/3055: the 3055 agency of the scheme (9 for a GLN), else an ICD in 1131."""
        raw = ident.raw_scheme
        icd = raw is not None and len(raw) == 4 and raw.isdigit()
        if raw and not icd and self.profile.agency_scheme(raw) == ident.scheme.value:
            return ["", raw]  # the agency the partner sent, when it means the same scheme
        agency = self.profile.agency_out(ident.scheme.value)
        if agency:
            return ["", agency]
        if raw and icd:
            return [raw]  # an ISO 6523 ICD the 3055 list has no agency for goes in 1131 (EN 16931-3-3)
        if raw and codelists.load("edifact_3055").is_code(raw):
            return ["", raw]
        return []

    def allowance(self, alc: AllowanceCharge) -> None:
        """ALC group: ALC, PCD, MOA (amount, basis), TAX."""
        self.add("ALC", "C" if alc.is_charge else "A", "", "", "",
                 [alc.reason_code or "", "", "", alc.reason or ""])
        if alc.percent is not None:
            self.add("PCD", ["2" if alc.is_charge else "1", self.num(alc.percent)])
        self.moa("23" if alc.is_charge else "204", alc.amount)
        self.moa("25", alc.base_amount)
        self.tax(alc.tax_category, alc.tax_rate)

    def tax(self, category: str | None, rate: Decimal | None, scheme: str = "VAT") -> None:
        """TAX+7+scheme+++:::rate+category, when there is a category or rate (no rate: E, O, ...).

        5153 is an..3: a longer scheme (ICMS, COFINS) goes out as OTH with its name in C241/5152.
        """
        if category is None and rate is None:
            return
        if category is not None:
            category = codelists.load("uncl5305").code(category, segment="TAX", element="5305")
        type_code = [scheme] if len(scheme) <= 3 else ["OTH", "", "", scheme]
        self.add("TAX", "7", type_code, "", "", ["", "", "", self.num(rate) if rate is not None else ""],
                 category or "")

    def lines(self, lines: list[Line], with_status: bool = False) -> None:
        """One LIN group per line."""
        for line in lines:
            self.line(line, with_status)

    def line(self, line: Line, with_status: bool = False) -> None:
        """LIN, PIA, IMD, QTY, DTM, MOA, FTX, PRI, RFF, TAX, ALC of one line."""
        item = line.item
        self.lin(line, with_status)
        self.description(item.description)
        where = f"line {line.number}"
        for q in line.quantities:
            kind = codelists.load("edifact_6063").code(q.kind, segment="QTY", element="C186/6063",
                                                       where=where)
            self.add("QTY", [kind, self.num(q.value), self.unit(q.unit, "QTY", "C186/6411", where)])
        self.dtm("2", line.delivery_date)
        if self.line_notes_first:
            self.notes(line.notes)
        self.moa("203", line.line_amount)
        if not self.line_notes_first:
            self.notes(line.notes)
        for price in line.prices:
            self.price(price, where)
        self.references(line.references)
        if line.accounting_cost:
            self.add("RFF", [self._field_qualifier(c.ACCOUNTING_COST), line.accounting_cost])
        self.tax(line.tax_category, line.tax_rate)
        for alc in line.allowances_charges:
            self.allowance(alc)

    def lin(self, line: Line, with_status: bool = False) -> None:
        """LIN (number, action when asked for, GTIN) and PIA (the supplier's, the buyer's, other numbers)."""
        item, p = line.item, self.profile
        status = self._status(line) if with_status and line.status else ""
        self.add("LIN", line.number, status, [item.gtin, p.item_type_out("gtin")] if item.gtin else [""])
        pia = [[v, p.item_type_out(f)] for f, v in (("supplier", item.supplier_number),
                                                    ("buyer", item.buyer_number)) if v]
        pia += [[i.value, _item_type(i)] for i in item.other_ids]
        if pia:
            self.add("PIA", "1", *pia)

    def description(self, description: str | None) -> None:
        """IMD+F: one segment, so it reads back as one description: 2 x 35 characters, longer texts in
        the 2 x 256 that D01B and later allow; D.96A's 7008 is an..35, so there a longer text goes on in
        further IMD segments (read back as line notes: moved, never cut)."""
        if not description:
            return
        d96a = self.profile.directory.upper() == "D96A"
        size = 35 if len(description) <= 70 or d96a else 256
        chunks = split35(description, size)
        for start in range(0, len(chunks), 2):
            self.add("IMD", "F", "", ["", "", "", *chunks[start:start + 2]])

    def price(self, price: Price, where: str) -> None:
        """PRI: price qualifier (5125), amount, unit price basis and its unit."""
        base = self.num(price.base_quantity) if price.base_quantity != 1 or price.unit else ""
        self.add("PRI", [c.PRICE_KINDS_OUT.get(price.kind, price.kind), self.num(price.amount), "", "",
                         base, self.unit(price.unit, "PRI", "C509/6411", where) if price.unit else ""])

    def pai(self, means_code: str) -> None:
        """PAI with the UNCL 4461 payment means."""
        means = codelists.load("uncl4461").code(means_code, segment="PAI", element="C534/4461")
        self.add("PAI", ["", "", means])

    def unit(self, unit: str, segment: str, element: str, where: str) -> str:
        """The partner's unit code (its profile first, then UN/ECE Rec 20), fitting the directory's 6411."""
        code = self.profile.unit_out(unit)
        rec20 = codelists.load("rec20")
        if not (self.profile.knows_unit(code) or rec20.is_code(code)):
            raise rec20.error(code, segment=segment, element=element, where=where)
        limit = unit_length(self.profile.directory)
        if len(code) > limit:
            raise rec20.error(code, segment=segment, element=element, where=where,
                              reason=f"unit {code!r} is longer than the {limit} characters "
                                     f"{self.profile.directory} allows in {segment} {element}")
        return code

    def _status(self, line: Line) -> str:
        status = line.status or ""
        code = c.LINE_STATUS_OUT.get(status)
        if code is None and not status.isdigit():
            raise codelists.CodeListError(f"line status {status!r} has no code in UN/EDIFACT 1229 "
                                          f"(line {line.number})", problems=[Problem(
                                              code="CODE_LIST", segment_tag="LIN", element="1229",
                                              message=f"{status!r} has no code in UN/EDIFACT 1229 "
                                                      f"(line {line.number})")])
        return code or status

    def packages(self, lines: list[Line], with_status: bool = False, notes: list[str] | None = None) -> None:
        """CPS/PAC/GIN groups: one consignment level, then one package per SSCC with its lines.

        DESADV has no FTX at header level: the document's notes go under the consignment level's CPS.
        """
        self.add("CPS", "1")
        self.notes(notes or [])
        loose = [ln for ln in lines if _sscc(ln) is None]
        self.lines(loose, with_status)
        seen: dict[str, list[Line]] = {}
        for ln in lines:
            code = _sscc(ln)
            if code is not None:
                seen.setdefault(code, []).append(ln)
        for n, (code, group) in enumerate(seen.items(), 2):
            self.add("CPS", str(n), "1")
            self.add("PAC", "1", "", "PK")
            self.add("PCI", "33E")
            self.add("GIN", "BJ", code)
            self.lines(group, with_status)

    def payment_terms(self, terms: list[PaymentTerms]) -> None:
        """PAT groups; the first term's means and account are written at header/party level."""
        for n, term in enumerate(terms):
            kind = "22" if term.discount_days is not None else "1"
            long_first = not n and term.description and len(term.description) > 70  # in FTX+AAB
            desc = split35(term.description)[:2] if term.description and not long_first else []
            # C112: 2475 is mandatory; 5 = the invoice date, 3 = after it, D = days
            c112 = ["5", "3", "D", str(term.discount_days)] if term.discount_days is not None else [""]
            self.add("PAT", kind, ["", "", "", *desc] if desc else [""], c112)
            self.dtm("13", term.due_date)
            if term.discount_percent is not None:
                self.add("PCD", ["12", self.num(term.discount_percent)])
            if n and term.means_code:
                self.pai(term.means_code)
            if n and term.account_id and term.means_code not in ("49", "59") and not term.instruction:
                self.add("FII", "RB", term.account_id)  # a payee's account (a Pix key is in its payload)


def _item_type(ident: Identifier) -> str:
    """C212/7143 of another item number: the partner's type code as sent, else ZZZ (mutually defined):
    a UBL schemeID (an ICD such as 0088) is no 7143 code and does not fit its 3 characters."""
    raw = ident.raw_scheme or ""
    return raw if raw and len(raw) <= 3 else "ZZZ"


def unit_length(directory: str) -> int:
    """The length of 6411 in a directory (an..3 in D.96A, an..8 from D.01B on)."""
    overlay = SEGMENT_OVERLAYS.get(directory.upper(), {}).get("elements", {})
    return int(overlay.get("6411", ["an", 8])[1])


def text_length(directory: str) -> int:
    """The length of FTX 4440 in a directory (an..70 in D.96A, an..512 from D.01B on)."""
    overlay = SEGMENT_OVERLAYS.get(directory.upper(), {}).get("elements", {})
    return int(overlay.get("4440", ["an", 512])[1])


def document_number(number: str) -> str:
    """BGM 1004 (an..35): a longer UUID is written without its hyphens (32 characters); any other
    number longer than 35 characters cannot be written and is an error naming BGM 1004."""
    if len(number) <= MAX_1004:
        return number
    try:
        return uuid.UUID(number).hex
    except ValueError:
        pass
    message = f"document number {number!r} is longer than the {MAX_1004} characters BGM 1004 allows"
    raise MappingError(message, problems=[Problem(code="TOO_LONG", message=message, segment_tag="BGM",
                                                  element="1004")])


MAX_1004 = 35


def _sscc(line: Line) -> str | None:
    return next((r.number for r in line.references if r.kind == "sscc"), None)

"""Segment builders shared by the message modules' `render`: header, parties, lines, allowances, taxes.

The order of segments follows the D96A/D01B message structures (which EANCOM subsets keep), and
everything written here is read back by `reader.py` to the same canonical values.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from hub.domain.documents import AllowanceCharge, Document, Identifier, Line, Party, PaymentTerms, Reference
from mappings.edifact import common as c
from mappings.edifact.common import fmt_number, seg, split35
from mappings.edifact.model import Segment
from mappings.edifact.profile import PartnerProfile


class Writer:
    """Accumulates the body segments of one message for a partner profile."""

    def __init__(self, profile: PartnerProfile) -> None:
        self.profile = profile
        self.dm = profile.decimal_mark
        self.out: list[Segment] = []

    def add(self, tag: str, *elements: str | list[str]) -> None:
        """Append one segment."""
        self.out.append(seg(tag, *elements))

    def num(self, value: Decimal) -> str:
        """A number with the partner's decimal mark."""
        return fmt_number(value, self.dm)

    def bgm(self, doc: Document, default_type: str, function: str | None = None,
            response: str | None = None) -> None:
        """BGM: document type, number, function (1225) and response type (4343)."""
        code = function or c.FUNCTIONS_OUT.get(doc.function, doc.function)
        self.add("BGM", doc.type_code or default_type, doc.number, code, response or "")

    def dtm(self, qualifier: str, value: date | datetime | None) -> None:
        """DTM when there is a value."""
        if value is not None:
            self.out.append(c.dtm_seg(qualifier, value, self.profile.render_datetime_format))

    def moa(self, qualifier: str, amount: Decimal | None) -> None:
        """MOA when there is an amount."""
        if amount is not None:
            self.add("MOA", [qualifier, self.num(amount)])

    def notes(self, notes: list[str], qualifier: str = "AAI") -> None:
        """One FTX per note, the text in up to five 512-character components."""
        for note in notes:
            self.add("FTX", qualifier, "", "", split35(note, 512)[:5])

    def references(self, refs: list[Reference]) -> None:
        """RFF (+ DTM 171) for each reference, except package labels (written with their package)."""
        for ref in refs:
            if ref.kind == "sscc":
                continue
            qualifier = ref.raw_kind or self.profile.reference_kind_out(ref.kind)
            if self.profile.reference_kind(qualifier) != ref.kind:
                qualifier = self.profile.reference_kind_out(ref.kind)
            self.add("RFF", [qualifier, ref.number, ref.line or ""])
            self.dtm("171", ref.issued)

    def currency(self, currency: str | None) -> None:
        """CUX+2:currency:9."""
        if currency:
            self.add("CUX", ["2", currency, "9"])

    def parties(self, parties: list[Party], account: str | None = None) -> None:
        """NAD groups; `account` (an IBAN) goes under the payee, else the supplier, as FII+RB."""
        holder = next((p for p in parties if p.role.value == "payee"), None) or next(
            (p for p in parties if p.role.value == "supplier"), None)
        for party in parties:
            self.party(party)
            if account and party is holder:
                self.add("FII", "RB", account)
                account = None
            self.party_refs(party)
        if account:
            self.add("FII", "RB", account)

    def party(self, party: Party) -> None:
        """NAD: role, identifier with its agency, name, street, city, region, postcode, country."""
        raw = party.raw_role
        keep_raw = raw is not None and self.profile.role(raw) == party.role.value
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
        region = addr.region or ""
        c819 = [region] if len(region) <= 9 else ["", "", "", region]
        self.add("NAD", qualifier, c082, "", name, addr.street[:4] or [""], addr.city or "", c819,
                 addr.postcode or "", addr.country or "")

    def party_refs(self, party: Party) -> None:
        """RFF for tax identifiers and extra identifiers, CTA/COM for the contact."""
        for tax in party.tax_ids:
            qualifier = self.profile.ref_scheme_out(tax.scheme.value) or tax.raw_scheme or "VA"
            self.add("RFF", [qualifier, tax.value])
        main = self._main_id(party.ids)
        for ident in party.ids:
            if ident is not main and ident.raw_scheme and ident.raw_scheme.startswith("RFF:"):
                self.add("RFF", [ident.raw_scheme[4:], ident.value])
        if party.contact is not None:
            self.add("CTA", "IC", ["", party.contact.name or ""])
            if party.contact.phone:
                self.add("COM", [party.contact.phone, "TE"])
            if party.contact.email:
                self.add("COM", [party.contact.email, "EM"])

    def _main_id(self, ids: list[Identifier]) -> Identifier | None:
        nad_ids = [i for i in ids if not (i.raw_scheme or "").startswith("RFF:")]
        for scheme in self.profile.render_party_schemes:
            found = next((i for i in nad_ids if i.scheme.value == scheme), None)
            if found is not None:
                return found
        return nad_ids[0] if nad_ids else None

    def _agency(self, ident: Identifier) -> list[str]:
        raw = ident.raw_scheme
        if raw and self.profile.agency_scheme(raw) == ident.scheme.value:
            return ["", raw] if not (len(raw) == 4 and raw.isdigit()) else [raw]  # ICD goes in 1131
        agency = self.profile.agency_out(ident.scheme.value)
        return ["", agency] if agency else []

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
        """TAX+7+scheme+++:::rate+category, when there is a category or rate.

        5153 is an..3: a longer scheme (ICMS, COFINS) goes out as OTH with its name in C241/5152.
        """
        if category is None and rate is None:
            return
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
        p = self.profile
        status = c.LINE_STATUS_OUT.get(line.status, line.status) if with_status and line.status else ""
        c212 = [item.gtin, p.item_type_out("gtin")] if item.gtin else [""]
        self.add("LIN", line.number, status or "", c212)
        pia = [[v, p.item_type_out(f)] for f, v in (("supplier", item.supplier_number),
                                                    ("buyer", item.buyer_number)) if v]
        pia += [[i.value, i.raw_scheme or ""] for i in item.other_ids]
        if pia:
            self.add("PIA", "1", *pia)
        if item.description:
            # one IMD, so it reads back as one description: 2 x 35 characters, longer texts in
            # the 2 x 256 that D01B and later allow
            size = 35 if len(item.description) <= 70 else 256
            self.add("IMD", "F", "", ["", "", "", *split35(item.description, size)[:2]])
        for q in line.quantities:
            self.add("QTY", [c.QUANTITY_KINDS_OUT.get(q.kind, q.kind), self.num(q.value), p.unit_out(q.unit)])
        self.dtm("2", line.delivery_date)
        self.moa("203", line.line_amount)
        self.notes(line.notes)
        for price in line.prices:
            base = self.num(price.base_quantity) if price.base_quantity != 1 or price.unit else ""
            self.add("PRI", [c.PRICE_KINDS_OUT.get(price.kind, price.kind), self.num(price.amount), "", "",
                             base, p.unit_out(price.unit) if price.unit else ""])
        self.references(line.references)
        self.tax(line.tax_category, line.tax_rate)
        for alc in line.allowances_charges:
            self.allowance(alc)

    def packages(self, lines: list[Line], with_status: bool = False) -> None:
        """CPS/PAC/GIN groups: one consignment level, then one package per SSCC with its lines."""
        self.add("CPS", "1")
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
            desc = split35(term.description)[:2] if term.description else []
            c112 = ["", "", "D", str(term.discount_days)] if term.discount_days is not None else [""]
            self.add("PAT", kind, ["", "", "", *desc] if desc else [""], c112)
            self.dtm("13", term.due_date)
            if term.discount_percent is not None:
                self.add("PCD", ["12", self.num(term.discount_percent)])
            if n and term.means_code:
                self.add("PAI", ["", "", term.means_code])
            if n and term.account_id:
                self.add("FII", "RB", term.account_id)


def _sscc(line: Line) -> str | None:
    return next((r.number for r in line.references if r.kind == "sscc"), None)

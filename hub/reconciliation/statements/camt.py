"""ISO 20022 camt.053 (BkToCstmrStmt), camt.052 (BkToCstmrAcctRpt, the intraday account report) and
camt.054 (BkToCstmrDbtCdtNtfctn), versions .001.02 to .001.13 (the namespace is matched by its prefix),
read with the hub's safe XML parser. Pure.

An entry with several transaction details (NtryDtls/TxDtls, a batch booked as one amount) gives one
entry per TxDtls, each with its own key: keying them by the entry's reference alone imported the
batch once and lost the rest, or imported it twice (OCA bank-statement-import PR 475).
An entry's amount is what was booked on the account: an entry with one transaction keeps `Ntry/Amt`
(the transaction's own amount, often in another currency, is noted in its details); a batch's
transactions take their own amounts only in the entry's currency, else their counter value
(`AmtDtls/CntrValAmt`) in it, else the file is refused. A batch whose transactions give no amount at
all (.001.02 allows it) is one entry of the booked amount, their references and texts kept.
A party's identifier is checked as a CNPJ/CPF only when it can be Brazilian (written so, a scheme
naming it, or a statement in BRL); elsewhere an 11- or 14-digit id is an Italian VAT number or a
French SIRET as often, kept as given.
A statement is dated by the end of its period (`FrToDt/ToDtTm`), else its closing balance's day,
else its creation (`CreDtTm`): part of how it is known (account, Id, day).
`RvslInd` true is a reversal; `Chrgs` are the fees; only booked entries (status BOOK, or none) are
taken, pending and information-only ones are counted as `not_booked`.

A camt.052 report is read as a statement of its own kind (`camt.052`): its booked entries are payments
like a camt.053's, keyed the same way (AcctSvcrRef, else EndToEndId), so the end-of-day camt.053 (or
MT940) that carries them again finds them already held and does not double them; its entries with
status PDNG (pending) or INFO (information only) are not payments yet and are only counted. Its
interim booked balance (ITBD) stands for the closing one.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from hub.reconciliation.statements.domain import (
    ParsedEntry,
    ParsedStatement,
    StatementError,
    amount,
    brazilian_tax_id,
    clip,
    currency,
    entry_key,
    fail,
    iban,
    rf_in_text,
    structured,
    tax_id,
)
from hub.xmlsafe import parse_xml

NAMESPACES = {"camt.053": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.",
              "camt.052": "urn:iso:std:iso:20022:tech:xsd:camt.052.001.",
              "camt.054": "urn:iso:std:iso:20022:tech:xsd:camt.054.001."}
# .001.08 onwards (ISO 20022's 2019 messages and later: SEPA, CBPR+, Swiss SPS) name a party under Pty
# and an entry's status under Sts/Cd; both shapes are read
VERSIONS = {f"{n:02d}" for n in range(2, 14)}
CONTAINERS = {"camt.053": ("BkToCstmrStmt", "Stmt"), "camt.052": ("BkToCstmrAcctRpt", "Rpt"),
              "camt.054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn")}
# A booked entry with its details is 20 to 40 elements: the hub's default XML budget (500,000) would
# refuse statements past about 15,000 entries; this one reads about 60,000 (a few hundred MB at most).
MAX_ELEMENTS = 2_000_000
# opening: the booked opening (or the previous closing); closing: the closing booked, or a camt.052's
# interim booked balance
BALANCES = {"OPBD": "opening", "PRCD": "opening", "CLBD": "closing", "ITBD": "closing"}


def message_kind(root: etree._Element) -> str | None:
    """camt.053, camt.052 or camt.054 when the root's namespace is one of the versions read, else None."""
    namespace = etree.QName(root).namespace or ""
    for kind, prefix in NAMESPACES.items():
        if namespace.startswith(prefix) and namespace[len(prefix):] in VERSIONS:
            return kind
    return None


def parse(data: bytes) -> list[ParsedStatement]:
    """The statements (or reports, or notifications) of a camt.053, camt.052 or camt.054 file."""
    root = parse_xml(data, max_elements=MAX_ELEMENTS)
    kind = message_kind(root)
    if kind is None:
        raise fail("/*", "namespace", f"{etree.QName(root).namespace!r} is not camt.052, camt.053 or "
                   "camt.054 (versions 001.02 to 001.13)")
    reader = _Reader(etree.QName(root).namespace or "")
    envelope, block = CONTAINERS[kind]
    container = reader.first(root, envelope)
    if container is None:
        raise fail("/Document", envelope, "is missing")
    created = reader.text(container, "GrpHdr/CreDtTm")
    statements = [reader.statement(kind, node, f"/Document/{envelope}/{block}[{i}]", created)
                  for i, node in enumerate(reader.all(container, block), start=1)]
    if not statements:
        raise fail(f"/Document/{envelope}", block, "the file holds no statement")
    return statements


class _Reader:
    """XPath helpers bound to the file's namespace, and the readers of each part."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.paths: dict[str, str] = {}

    def _path(self, path: str) -> str:
        # Clark notation, built once per path: a prefix mapping makes lxml compile it on every call
        found = self.paths.get(path)
        if found is None:
            found = self.paths[path] = "/".join(f"{{{self.namespace}}}{step}" for step in path.split("/"))
        return found

    def first(self, node: etree._Element, path: str) -> etree._Element | None:
        return node.find(self._path(path))

    def all(self, node: etree._Element, path: str) -> list[etree._Element]:
        return list(node.findall(self._path(path)))

    def text(self, node: etree._Element, *paths: str) -> str | None:
        for path in paths:
            found = self.first(node, path)
            if found is not None and (found.text or "").strip():
                return (found.text or "").strip()
        return None

    def day(self, node: etree._Element, where: str, *paths: str) -> date | None:
        raw = self.text(node, *paths)
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            raise fail(where, paths[0], f"{raw!r} is not an ISO 8601 date") from None

    def money(self, node: etree._Element, path: str, where: str) -> tuple[Decimal, str] | None:
        found = self.first(node, path)
        if found is None:
            return None
        value = amount(found.text, where, path)
        return value, currency(found.get("Ccy"), where, f"{path}/@Ccy")

    def statement(self, kind: str, node: etree._Element, where: str, created: str | None
                  ) -> ParsedStatement:
        ref = self.text(node, "Id")
        if not ref:
            raise fail(where, "Id", "the statement has no Id")
        account = iban(self.text(node, "Acct/Id/IBAN", "Acct/Id/Othr/Id"))
        if not account:
            raise fail(where, "Acct/Id", "the account has neither IBAN nor Othr/Id")
        balances = self.balances(node, where)
        when = self.statement_day(node, where, balances.get("closing_at"), created)
        kept = self.text(node, "Acct/Ccy") or balances.get("currency")
        entries, not_booked = self.entries(node, where, account, when, kept)
        return ParsedStatement(
            source_format=kind, account=account, statement_ref=ref[:64], statement_date=when,
            currency=kept, entries=tuple(entries), opening_balance=balances.get("opening"),
            closing_balance=balances.get("closing"), not_booked=not_booked)

    def statement_day(self, node: etree._Element, where: str,
                      closing_at: tuple[etree._Element, str] | None, created: str | None) -> date:
        """The day a statement is of (part of how it is known: account, Id, day): the end of the period
        it covers, else its closing balance's day, else the day it was written (Stmt/CreDtTm, then the
        group header's). The file is often written the next morning: dating it by CreDtTm put a
        statement of 1 December on the 2nd."""
        when = self.day(node, where, "FrToDt/ToDtTm")
        if when is None and closing_at is not None:
            when = self.day(*closing_at, "Dt/Dt", "Dt/DtTm")
        when = when or self.day(node, where, "CreDtTm")
        if when is None and created and _iso_day(created):
            when = date.fromisoformat(created[:10])
        if when is None:
            raise fail(where, "FrToDt/ToDtTm", "the statement has no period, closing balance date nor "
                       "creation date (CreDtTm)")
        return when

    def balances(self, node: etree._Element, where: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for index, bal in enumerate(self.all(node, "Bal"), start=1):
            code = self.text(bal, "Tp/CdOrPrtry/Cd")
            slot = BALANCES.get(code or "")
            place = f"{where}/Bal[{index}]"
            found = self.money(bal, "Amt", place)
            if slot is None or found is None or slot in out:
                continue
            sign = -1 if self.text(bal, "CdtDbtInd") == "DBIT" else 1
            out[slot], out["currency"] = sign * found[0], found[1]
            if slot == "closing":  # its day dates a statement that gives no period
                out["closing_at"] = (bal, place)
        return out

    def entries(self, node: etree._Element, where: str, account: str, when: date, kept: str | None
                ) -> tuple[list[ParsedEntry], int]:
        out: list[ParsedEntry] = []
        not_booked = 0
        seen: Counter[tuple[object, ...]] = Counter()
        for index, ntry in enumerate(self.all(node, "Ntry"), start=1):
            status = self.text(ntry, "Sts/Cd", "Sts")
            if status not in (None, "BOOK"):
                not_booked += 1
                continue
            out += self.entry(ntry, f"{where}/Ntry[{index}]", account, when, kept, seen)
        return out, not_booked

    def entry(self, ntry: etree._Element, where: str, account: str, when: date, kept: str | None,
              seen: Counter[tuple[object, ...]]) -> list[ParsedEntry]:
        """The entry's payments: one for an entry with at most one transaction, its amount the one
        booked on the account (Ntry/Amt) whatever the transaction's own (often in another currency);
        one per transaction of a batch, each with its own amount in the entry's currency."""
        total = self.money(ntry, "Amt", where)
        if total is None:
            raise fail(where, "Amt", "the entry has no amount")
        indicator = self.text(ntry, "CdtDbtInd")
        if indicator not in ("CRDT", "DBIT"):
            raise fail(where, "CdtDbtInd", f"{indicator!r} is neither CRDT nor DBIT")
        booked = self.day(ntry, where, "BookgDt/Dt", "BookgDt/DtTm") or \
            self.day(ntry, where, "ValDt/Dt", "ValDt/DtTm") or when
        common = {
            "booking_date": booked, "value_date": self.day(ntry, where, "ValDt/Dt", "ValDt/DtTm"),
            "reversal": (self.text(ntry, "RvslInd") or "").lower() in ("true", "1"),
            "indicator": indicator, "currency": total[1], "entry_ref": self.text(ntry, "NtryRef"),
            "bank_reference": self.text(ntry, "AcctSvcrRef"), "fees": self.fees(ntry, where),
            "code": self.text(ntry, "BkTxCd/Domn/Cd", "BkTxCd/Prtry/Cd"),
            "account": account, "brl": (kept or total[1]) == "BRL"}
        details = self.all(ntry, "NtryDtls/TxDtls")
        if len(details) <= 1:
            tx = details[0] if details else None
            tx_where = f"{where}/NtryDtls/TxDtls" if details else where
            own = self.own_amount(tx, tx_where) if tx is not None else None
            noted = {} if own is None or own[1:] == (total[0], total[1]) else {"transaction_amount": {
                "amount": str(own[1]), "currency": own[2], "xpath": f"{tx_where}/{own[0]}"}}
            return [self.transaction(tx, tx_where, ntry, total[0], common, 0, seen, noted)]
        places = [f"{where}/NtryDtls/TxDtls[{n}]" for n in range(1, len(details) + 1)]
        amounts = [self.batch_amount(tx, place, total[1]) for tx, place in zip(details, places, strict=True)]
        if all(found is None for found in amounts):
            return [self.batch_as_one(details, places, where, ntry, total[0], common, seen)]
        missing = next((place for place, found in zip(places, amounts, strict=True) if found is None), None)
        if missing is not None:
            raise fail(missing, "AmtDtls/TxAmt/Amt", "a transaction of a batch entry has no amount, "
                       "while others of the entry have one")
        return [self.transaction(tx, place, ntry, found[0], common, n, seen, found[1])
                for n, (tx, place, found) in enumerate(zip(details, places, amounts, strict=True), start=1)
                if found is not None]

    def own_amount(self, tx: etree._Element, where: str) -> tuple[str, Decimal, str] | None:
        """A transaction's own amount (path, value, currency): AmtDtls/TxAmt/Amt, else Amt."""
        for path in ("AmtDtls/TxAmt/Amt", "Amt"):
            found = self.money(tx, path, where)
            if found is not None:
                return path, found[0], found[1]
        return None

    def batch_amount(self, tx: etree._Element, where: str, booked_in: str
                     ) -> tuple[Decimal, dict[str, Any]] | None:
        """A batch transaction's amount in the entry's currency, with what to note in its details;
        None when the transaction gives no amount. Its own amount (AmtDtls/TxAmt/Amt, else Amt) when
        in that currency, else its counter value (AmtDtls/CntrValAmt/Amt) in that currency: an amount
        in another currency is never stored as the account's."""
        found = [(path, money) for path in ("AmtDtls/TxAmt/Amt", "Amt", "AmtDtls/CntrValAmt/Amt")
                 if (money := self.money(tx, path, where)) is not None]
        if not found:
            return None
        own_path, (own_value, own_ccy) = found[0]
        for _, (value, ccy) in found:
            if ccy == booked_in:
                return value, {} if own_ccy == booked_in else {"transaction_amount": {
                    "amount": str(own_value), "currency": own_ccy, "xpath": f"{where}/{own_path}"}}
        raise fail(where, f"{own_path}/@Ccy", f"the transaction's amount is in {own_ccy}, its entry is "
                   f"booked in {booked_in}, and no AmtDtls/CntrValAmt/Amt gives it in {booked_in}")

    def fees(self, node: etree._Element, where: str) -> Decimal:
        """Charges: the total when given (.04 on), else the sum of the records (or of .02's Amt)."""
        total = Decimal(0)
        for index, charges in enumerate(self.all(node, "Chrgs"), start=1):
            place = f"{where}/Chrgs[{index}]"
            found = self.money(charges, "TtlChrgsAndTaxAmt", place)
            if found is None:
                records = [self.money(r, "Amt", f"{place}/Rcrd") for r in self.all(charges, "Rcrd")]
                own = self.money(charges, "Amt", place)
                total += sum((r[0] for r in records if r), Decimal(0)) + (own[0] if own else 0)
            else:
                total += found[0]
        return total

    def transaction(self, tx: etree._Element | None, where: str, ntry: etree._Element, value: Decimal,
                    common: dict[str, Any], number: int, seen: Counter[tuple[object, ...]],
                    noted: dict[str, Any]) -> ParsedEntry:
        """One payment: the entry itself (number 0, its transaction's details if any) or the number-th
        transaction of a batch (its own direction and charges)."""
        indicator, fees = common["indicator"], common["fees"] if number <= 1 else Decimal(0)
        if tx is not None and number:
            indicator = self.text(tx, "CdtDbtInd") or indicator
            fees = self.fees(tx, where) or fees
        party = self.party(tx, where, "Dbtr" if indicator == "CRDT" else "Cdtr", common["brl"])
        info: dict[str, Any] = {"xpath": where, **noted}
        remittance = self.remittance(tx, info, where)
        if not remittance[0]:  # no RmtInf: the bank's own words about the transaction or the entry
            extra_text = (self.text(tx, "AddtlTxInf") if tx is not None else None) or \
                self.text(ntry, "AddtlNtryInf")
            remittance = (extra_text, remittance[1] or rf_in_text(extra_text, info, where))
        e2e = self.text(tx, "Refs/EndToEndId") if tx is not None else None
        tx_ref = self.text(tx, "Refs/AcctSvcrRef") if tx is not None else None
        bank_ref = tx_ref or (f"{common['bank_reference']}/{number}" if number and common["bank_reference"]
                              else None if number else common["bank_reference"])
        return self.built(tx if tx is not None else ntry, where, common, value if indicator == "CRDT"
                          else -value, fees, bank_ref, e2e, remittance, party, info, number, seen)

    def batch_as_one(self, details: list[etree._Element], places: list[str], where: str,
                     ntry: etree._Element, value: Decimal, common: dict[str, Any],
                     seen: Counter[tuple[object, ...]]) -> ParsedEntry:
        """A batch whose transactions give no amount of their own (camt .001.02 allows it): one payment
        of the amount booked, the transactions' references and texts kept in its details and text,
        their payer named only when they all name the same one."""
        role = "Dbtr" if common["indicator"] == "CRDT" else "Cdtr"
        parts: list[dict[str, Any]] = []
        for tx, place in zip(details, places, strict=True):
            info: dict[str, Any] = {}
            text, reference = self.remittance(tx, info, place)
            party = self.party(tx, place, role, common["brl"])
            parts.append({k: v for k, v in (
                ("xpath", place), ("end_to_end_id", _provided(self.text(tx, "Refs/EndToEndId"))),
                ("bank_reference", self.text(tx, "Refs/AcctSvcrRef")),
                ("remittance_info", text or self.text(tx, "AddtlTxInf")), ("structured_reference", reference),
                ("counterparty_name", party.get("name")), ("counterparty_iban", party.get("iban")),
                ("counterparty_id", party.get("id")), *info.items()) if v})
        words = [_with(part.get("remittance_info"), self.text(tx, "RmtInf/Strd/CdtrRefInf/Ref"))
                 for part, tx in zip(parts, details, strict=True)]
        text = "; ".join(w for w in words if w) or self.text(ntry, "AddtlNtryInf")
        party = {name: _same(parts, f"counterparty_{name}") for name in ("name", "iban", "id")}
        e2e = _same(parts, "end_to_end_id")
        signed = value if common["indicator"] == "CRDT" else -value
        return self.built(ntry, where, common, signed, common["fees"], common["bank_reference"], e2e,
                          (text, _same(parts, "structured_reference")), party,
                          {"xpath": where, "transactions": parts}, 0, seen)

    def built(self, node: etree._Element, where: str, common: dict[str, Any], signed: Decimal, fees: Decimal,
              bank_ref: str | None, e2e: str | None, remittance: tuple[str | None, str | None],
              party: dict[str, Any], info: dict[str, Any], number: int, seen: Counter[tuple[object, ...]]
              ) -> ParsedEntry:
        """The entry as stored, keyed by the bank's reference, else the end-to-end id, else a digest."""
        base = (common["booking_date"], signed, common["currency"], party.get("iban"), remittance[0])
        seen[base] += 1
        key = entry_key(bank_reference=bank_ref, end_to_end_id=e2e, pix_txid=None,
                        fallback=(common["account"], *base, common["entry_ref"], seen[base]))
        extra = {k: v for k, v in (("entry_reference", common["entry_ref"]),
                                   ("bank_transaction_code", common["code"]),
                                   ("batch_position", number or None)) if v}
        return ParsedEntry(
            line=node.sourceline or 0, where=where, entry_key=key,
            booking_date=common["booking_date"], value_date=common["value_date"], amount=signed,
            currency=common["currency"], fees=fees, reversal=common["reversal"],
            bank_reference=clip(bank_ref, 64),
            end_to_end_id=clip(e2e, 64) if e2e and e2e.upper() != "NOTPROVIDED" else None,
            structured_reference=remittance[1], remittance_info=clip(remittance[0], 500),
            counterparty_name=clip(party.get("name"), 200), counterparty_iban=party.get("iban"),
            counterparty_id=party.get("id"), details={**info, **extra})

    def party(self, tx: etree._Element | None, where: str, role: str, brl: bool) -> dict[str, Any]:
        """The payer (or payee): name, account and identifier. The identifier is checked as a CNPJ/CPF
        only when it can be Brazilian (see `brazilian_tax_id`), else kept as given, letters and digits."""
        if tx is None:
            return {}
        base = f"RltdPties/{role}"
        raw_id, path, scheme = None, f"{base}/Id/OrgId/Othr/Id", None
        for kind in ("Id/OrgId", "Pty/Id/OrgId", "Id/PrvtId", "Pty/Id/PrvtId"):
            other = next((o for o in self.all(tx, f"{base}/{kind}/Othr") if self.text(o, "Id")), None)
            if other is not None:
                raw_id, path = self.text(other, "Id"), f"{base}/{kind}/Othr/Id"
                scheme = self.text(other, "SchmeNm/Cd", "SchmeNm/Prtry")
                break
        if brazilian_tax_id(raw_id, scheme=scheme, currency="BRL" if brl else None):
            party_id = tax_id(raw_id, where, path)
        else:
            party_id = clip("".join(ch for ch in raw_id or "" if ch.isalnum()).upper(), 40)
        return {"name": self.text(tx, f"{base}/Nm", f"{base}/Pty/Nm"),
                "iban": iban(self.text(tx, f"RltdPties/{role}Acct/Id/IBAN",
                                       f"RltdPties/{role}Acct/Id/Othr/Id")),
                "id": party_id}

    def remittance(self, tx: etree._Element | None, info: dict[str, Any], where: str
                   ) -> tuple[str | None, str | None]:
        if tx is None:
            return None, None
        text = " ".join(n.text.strip() for n in self.all(tx, "RmtInf/Ustrd") if n.text and n.text.strip())
        reference = self.text(tx, "RmtInf/Strd/CdtrRefInf/Ref")
        found = structured(reference, f"{where}/RmtInf/Strd/CdtrRefInf/Ref", info) if reference \
            else rf_in_text(text, info, f"{where}/RmtInf/Ustrd")
        return text or None, found


def _provided(reference: str | None) -> str | None:
    """A reference, None for the NOTPROVIDED a bank writes when it has none."""
    return None if reference is None or reference.upper() == "NOTPROVIDED" else reference


def _with(text: str | None, reference: str | None) -> str | None:
    """A transaction's words: its text, and its reference as written when the text does not hold it."""
    if reference and reference not in (text or ""):
        return f"{text} {reference}" if text else reference
    return text


def _same(parts: list[dict[str, Any]], name: str) -> Any:
    """The value every part gives under `name`, else None (some differ, or some give none)."""
    values = [part.get(name) for part in parts]
    return values[0] if values and values[0] and all(v == values[0] for v in values) else None


def _iso_day(text: str) -> bool:
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


__all__ = ["StatementError", "message_kind", "parse"]

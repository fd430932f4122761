"""REMADV <-> RemittanceAdvice: one DOC group per invoice paid, with MOA amounts and AJT adjustments. A
DOC line naming a credit note (UNCL 1001 381 and the other credit-note codes) deducts it: its amounts
are read negative whether or not the sender signed them, and a negative line is written as DOC+381."""

from __future__ import annotations

from datetime import datetime

from hub.domain.documents import RemittanceAdvice
from hub.domain.errors import Problem
from mappings.edifact.model import Message, Segment
from mappings.edifact.profile import GENERIC, PartnerProfile
from mappings.edifact.reader import read
from mappings.edifact.writer import Writer

MESSAGE_TYPE = "REMADV"
PAYMENT_DATES = ("209", "202", "140", "171")
TOTAL_PAID = ("12", "9", "128", "60")


def parse(message: Message, profile: PartnerProfile = GENERIC, *, decimal_mark: str = ".",
          warnings: list[Problem] | None = None) -> RemittanceAdvice:
    """A REMADV message as a RemittanceAdvice."""
    r = read(message, profile, decimal_mark, warnings)
    doc = RemittanceAdvice(number=r.number or "")
    r.fill(doc)
    paid = r.first_date(PAYMENT_DATES)
    doc.payment_date = paid.date() if isinstance(paid, datetime) else paid
    doc.total_paid = r.first_amount(TOTAL_PAID)
    doc.remittances = r.remittances
    for remit in doc.remittances:
        if id(remit) not in r.remit_paid:
            r.ctx.warn(None, "C516/5004", f"no amount remitted for document {remit.invoice_number}",
                       "REMIT_NO_AMOUNT")
        if id(remit) in r.credit_remits:  # a credit note deducted: EANCOM signs it, some senders do not
            remit.paid = -abs(remit.paid)
            if remit.invoice_amount is not None:
                remit.invoice_amount = -abs(remit.invoice_amount)
    return doc


def render(doc: RemittanceAdvice, profile: PartnerProfile = GENERIC) -> list[Segment]:
    """The REMADV body for a RemittanceAdvice."""
    w = Writer(profile)
    w.bgm(doc, "481")
    w.dtm("137", doc.issued)
    w.dtm("209", doc.payment_date)
    w.references(doc.references)  # REMADV's RFF stand before its FTX (no reference group)
    w.notes(doc.notes)
    w.parties(doc.parties)
    w.currency(doc.currency)
    for remit in doc.remittances:
        w.add("DOC", "381" if remit.paid < 0 else "380", remit.invoice_number)  # a deduction: a credit note
        w.moa("12", remit.paid)
        w.moa("39", remit.invoice_amount)
        w.dtm("137", remit.invoice_date)
        if remit.adjustment_reason:
            w.add("AJT", remit.adjustment_reason)
        w.moa("165", remit.adjustment)
    w.add("UNS", "S")
    w.moa("12", doc.total_paid)
    return w.out

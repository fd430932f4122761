"""Retention rules, pure: the policy per class of stored data, the legal minimum for invoices, and
the verdict on one candidate (purge it, or why it is kept)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hub.domain.states import ExchangeState

# raw: the bytes partners sent; rendered: what the hub sent (outbound files, pushed and polled
# payloads); documents: the canonical documents with their lines
CLASSES = ("raw", "rendered", "documents")
LEGAL_MINIMUM_YEARS = 5  # invoices and credit notes, issued or received (Brazil, most of the EU)
INVOICE_DOC_TYPES = ("invoice", "credit_note")
INVOICE_EXCHANGE_TYPES = ("INVOIC", "Invoice", "CreditNote")
FINAL_INBOUND = (ExchangeState.processed, ExchangeState.failed)
FINAL_OUTBOUND = (ExchangeState.sent,)
UNPAID_INVOICE_STATES = ("issued", "sent", "acknowledged", "partially_paid", "overdue")

_AGE = re.compile(r"^\s*(\d{1,6})\s*([dwy])\s*$")
_UNIT_DAYS = {"d": 1, "w": 7, "y": 365}


class RetentionSettingError(ValueError):
    """A retention setting that cannot be used; the message names the setting and the fix."""


def parse_age(text: str) -> timedelta:
    """`90d`, `12w` or `2y` (a year counts 365 days) as a duration of at least one day."""
    match = _AGE.match(text or "")
    if not match or int(match.group(1)) == 0:
        raise RetentionSettingError(f"{text!r} is not an age: write a number of days, weeks or "
                                    "years, e.g. 90d, 12w or 2y")
    return timedelta(days=int(match.group(1)) * _UNIT_DAYS[match.group(2)])


def years_before(at: datetime, years: int) -> datetime:
    """The same moment `years` calendar years earlier (29 February becomes the 28th)."""
    try:
        return at.replace(year=at.year - years)
    except ValueError:
        return at.replace(year=at.year - years, day=28)


@dataclass(frozen=True)
class RetentionPolicy:
    """Days each class is kept (0: for ever) and the years invoices are kept whatever the policy."""

    raw_days: int = 0  # HUB_RETENTION_RAW_DAYS
    rendered_days: int = 0  # HUB_RETENTION_RENDERED_DAYS
    documents_days: int = 0  # HUB_RETENTION_DOCUMENTS_DAYS
    invoice_min_years: int = LEGAL_MINIMUM_YEARS  # HUB_RETENTION_INVOICE_MIN_YEARS, 5 or more

    def __post_init__(self) -> None:
        if self.invoice_min_years < LEGAL_MINIMUM_YEARS:
            raise RetentionSettingError(
                f"HUB_RETENTION_INVOICE_MIN_YEARS={self.invoice_min_years} is below the legal "
                f"minimum of {LEGAL_MINIMUM_YEARS} years: set {LEGAL_MINIMUM_YEARS} or more")
        for klass in CLASSES:
            if self.days(klass) < 0:
                raise RetentionSettingError(f"HUB_RETENTION_{klass.upper()}_DAYS must be 0 (keep for "
                                            "ever) or a number of days")

    @classmethod
    def from_env(cls, env: dict[str, str]) -> RetentionPolicy:
        """Read the HUB_RETENTION_* settings; a value that is not a whole number is named."""
        values = {}
        for name, default in (("raw_days", 0), ("rendered_days", 0), ("documents_days", 0),
                              ("invoice_min_years", LEGAL_MINIMUM_YEARS)):
            key = f"HUB_RETENTION_{name.upper()}"
            raw = env.get(key, "").strip() or str(default)
            if not raw.isdigit():
                raise RetentionSettingError(f"{key}={raw!r} is not a whole number")
            values[name] = int(raw)
        return cls(**values)

    def days(self, klass: str) -> int:
        return int(getattr(self, f"{klass}_days"))

    def ages(self) -> dict[str, timedelta]:
        """The age past which each class with a policy is purged (classes kept for ever left out)."""
        return {k: timedelta(days=self.days(k)) for k in CLASSES if self.days(k) > 0}


@dataclass(frozen=True)
class Candidate:
    """One stored item older than its class's age, with what decides whether it may go."""

    id: str
    at: datetime
    final: bool  # its exchange reached a final state (processed, failed; sent)
    busy: bool  # a delivery or a polling ERP still waits for it, or it is held for a release
    unpaid: bool  # it carries an issued invoice not yet paid, credited or rejected
    invoice: bool  # it carries an invoice or credit note, issued or received
    size: int = 0


class Verdict(StrEnum):
    """What retention decides for one candidate: purge it, or why it is kept."""

    purge = "purge"
    not_final = "not_final"
    pending = "pending"
    unpaid = "unpaid"
    legal_minimum = "legal_minimum"


KEPT = (Verdict.not_final, Verdict.pending, Verdict.unpaid, Verdict.legal_minimum)


def verdict(candidate: Candidate, invoice_cutoff: datetime) -> Verdict:
    """`purge`, or why the item is kept: `not_final`, `pending`, `unpaid` or `legal_minimum`."""
    if not candidate.final:
        return Verdict.not_final
    if candidate.busy:
        return Verdict.pending
    if candidate.unpaid:
        return Verdict.unpaid
    if candidate.invoice and candidate.at >= invoice_cutoff:
        return Verdict.legal_minimum
    return Verdict.purge

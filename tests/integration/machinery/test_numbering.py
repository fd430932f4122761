"""Numbering series: strictly sequential, no gap after a rollback, no duplicate under concurrency."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from hub.db import new_session
from hub.numbering.service import DuplicateNumber, SeriesFormat, claim, issued_numbers, take_next
from tests.conftest import ON_POSTGRES

INVOICES = "invoice:acme:2026"
FMT = SeriesFormat(prefix="INV-2026-", padding=6)


def _take(app: Flask, key: str = INVOICES, *, commit: bool = True, fmt: SeriesFormat = FMT) -> str:
    with new_session(app) as session:
        number = take_next(session, key, object_type="invoice", object_id="x", fmt=fmt).number
        if commit:
            session.commit()
        else:
            session.rollback()
        return number


def test_numbers_follow_each_other_in_their_format(app: Flask) -> None:
    assert [_take(app) for _ in range(3)] == ["INV-2026-000001", "INV-2026-000002", "INV-2026-000003"]
    assert _take(app, "po:acme", fmt=SeriesFormat()) == "1", "another series starts at 1 in its own format"


def test_a_rolled_back_transaction_gives_its_number_back(app: Flask) -> None:
    first = _take(app)
    _take(app, commit=False)  # e.g. the invoice failed validation: everything is rolled back
    assert _take(app) == "INV-2026-000002"
    with new_session(app) as session:
        assert issued_numbers(session, INVOICES) == [first, "INV-2026-000002"]


def test_a_number_an_erp_brought_is_kept_once_per_series(app: Flask) -> None:
    with new_session(app) as session:
        claim(session, "nfe:acme", "000123", object_type="invoice", object_id="a")
        with pytest.raises(DuplicateNumber, match="000123"):
            claim(session, "nfe:acme", "000123", object_type="invoice", object_id="b")
        claim(session, "nfe:other", "000123", object_type="invoice", object_id="c")
        session.commit()
        assert issued_numbers(session, "nfe:acme") == ["000123"]


def test_concurrent_takers_get_every_number_once_without_gaps(app: Flask) -> None:
    threads, per_thread = 8, 25 if ON_POSTGRES else 10
    taken: list[str] = []
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            for n in range(per_thread):
                taken.append(_take(app, commit=(index + n) % 7 != 0))  # some fail and roll back
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    with new_session(app) as session:
        kept = issued_numbers(session, INVOICES)
    values = sorted(int(n.removeprefix("INV-2026-")) for n in kept)
    assert values == list(range(1, len(values) + 1)), "strictly sequential: no gap, no duplicate"
    assert len(kept) == sum(1 for i in range(threads) for n in range(per_thread) if (i + n) % 7 != 0)

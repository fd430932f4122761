"""The same statement imported twice at the same moment: stored once, the other import says so."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask

from hub.db import new_session
from hub.reconciliation.imports import Source, import_in_transaction
from hub.reconciliation.statements.csv_profiles import load_profiles
from tests.integration.reconciliation.conftest import bank_file, stored

CAMT = bank_file("ponte_camt053_eur.xml")


def _both_at_once(app: Flask, files: list[bytes]) -> list[Any]:
    barrier, results, errors = threading.Barrier(len(files)), [], []

    def run(data: bytes) -> None:
        try:
            with app.app_context(), new_session(app) as session:
                barrier.wait(timeout=30)
                outcome = import_in_transaction(session, data, source=Source("test"),
                                                profiles=load_profiles())
                results.append((outcome.repeat, outcome.counts()["entries_imported"]))
        except Exception as exc:  # a thread's failure is reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(data,)) for data in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return sorted(results)


def test_the_same_statement_in_two_files_at_once_is_stored_once(app: Flask) -> None:
    results = _both_at_once(app, [CAMT, CAMT.replace(b"\n      <Ntry>", b"\n<Ntry>")])
    assert results == [(False, 8), (True, 0)]
    statements, entries = stored(app)
    assert len(statements) == 1 and len(entries) == 8


def test_the_same_file_twice_at_once_is_one_exchange(app: Flask) -> None:
    assert _both_at_once(app, [CAMT, CAMT]) == [(False, 8), (True, 0)]
    assert len(stored(app)[1]) == 8

"""The file connector: atomic writes named by document id, and an inbox that is archived once read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from connectors.base import ConnectorSettings
from connectors.file import FileConnector
from hub.domain.errors import ConnectorError
from tests.support.documents import make_delivery


@pytest.fixture
def connector(tmp_path: Path) -> FileConnector:
    return FileConnector(ConnectorSettings(endpoint=str(tmp_path / "out")))


def test_a_document_is_written_under_its_id(connector: FileConnector) -> None:
    delivery = make_delivery("doc-file-1")

    result = connector.send(delivery)

    path = connector.outbox / "doc-file-1.json"
    assert json.loads(path.read_text(encoding="utf-8")) == delivery.document
    assert result.remote_reference == "doc-file-1.json"
    assert result.duplicate is False


def test_a_resend_overwrites_and_never_duplicates(connector: FileConnector) -> None:
    connector.send(make_delivery("doc-file-2"))
    again = connector.send(make_delivery("doc-file-2"))

    assert again.duplicate is True
    assert sorted(p.name for p in connector.outbox.iterdir()) == ["doc-file-2.json"]


def test_rendered_bytes_are_written_as_is(connector: FileConnector) -> None:
    edifact = b"UNA:+.? 'UNB+UNOC:3+A+B+250301:1200+1'"
    connector.send(make_delivery("doc-file-3", rendered=edifact, content_type="application/edifact"))

    assert (connector.outbox / "doc-file-3.edi").read_bytes() == edifact


def test_a_failed_write_leaves_the_previous_file_whole_and_no_temp_file(
    connector: FileConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    connector.send(make_delivery("doc-file-4"))
    before = (connector.outbox / "doc-file-4.json").read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    changed = make_delivery("doc-file-4", document={"doc_type": "invoice", "number": "CHANGED"})
    with pytest.raises(ConnectorError) as info:
        connector.send(changed)

    assert info.value.retryable is True
    assert (connector.outbox / "doc-file-4.json").read_bytes() == before
    assert sorted(p.name for p in connector.outbox.iterdir()) == ["doc-file-4.json"]


def test_a_document_id_that_is_not_a_plain_name_is_refused(connector: FileConnector) -> None:
    with pytest.raises(ConnectorError) as info:
        connector.send(make_delivery("../../etc/cron.d/evil"))
    assert info.value.retryable is False


def test_fetch_reads_the_inbox_and_archives_what_it_read(connector: FileConnector) -> None:
    inbox = connector.inbox / "stock_levels"
    inbox.mkdir(parents=True)
    (inbox / "001.json").write_text('[{"item": "A", "quantity": 1.50}, {"item": "B", "quantity": 2}]')
    (inbox / "002.json").write_text('{"item": "C", "quantity": "3"}')

    records = connector.fetch("stock_levels", None)

    assert records == [
        {"item": "A", "quantity": "1.50"},  # decimals stay exact
        {"item": "B", "quantity": 2},
        {"item": "C", "quantity": "3"},
    ]
    assert list(inbox.iterdir()) == []
    assert sorted(p.name for p in (connector.archive / "stock_levels").iterdir()) == ["001.json", "002.json"]
    assert connector.fetch("stock_levels", None) == []


def test_a_broken_inbound_file_is_set_aside_with_its_error(connector: FileConnector) -> None:
    inbox = connector.inbox / "payments"
    inbox.mkdir(parents=True)
    (inbox / "bad.json").write_text("{not json")
    (inbox / "good.json").write_text('{"invoice": "INV-1", "amount": "10.00"}')

    records = connector.fetch("payments", None)

    assert records == [{"invoice": "INV-1", "amount": "10.00"}]
    rejected = connector.archive / "rejected"
    assert (rejected / "bad.json").read_text() == "{not json"
    assert "payments" in (rejected / "bad.json.error.txt").read_text()


def test_health(connector: FileConnector, tmp_path: Path) -> None:
    assert connector.health().ok is True
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    assert FileConnector(ConnectorSettings(endpoint=str(blocked / "out"))).health().ok is False

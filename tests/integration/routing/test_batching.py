"""Outbound batching: a partner's routed documents go out as ONE interchange of several messages,
validated whole, that the hub reads back as those messages; the scheduled job closes a batch when
its window ends, once per slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from bench.edifact_parse import generate
from hub.db import new_session
from hub.domain.errors import ValidationError
from hub.exchanges.outbound import validate_outbound
from hub.jobruns.models import JobRun
from hub.jobruns.service import claim_slot
from hub.models import Exchange, Partner
from hub.partners import service as partners
from hub.routing.batching import close, close_due
from hub.routing.jobs import JOB, close_batches
from hub.routing.models import BatchMessage, OutboundBatch
from mappings.edifact.envelope import parse_interchange
from tests.support.exchanges import post, process

BUYER, SUPPLIER = "5412345000013", "4012345000009"


def _batching(app: Flask, partner_id: int, **settings: Any) -> None:
    with app.app_context(), new_session() as session:
        partner = session.get(Partner, partner_id)
        assert partner is not None
        partners.update_profile(session, partner, settings, actor="test")
        session.commit()


def _pair(app: Flask, make_partner: Any, **settings: Any) -> tuple[Any, Any]:
    """A buyer, and a supplier of the hub with these batching settings."""
    buyer = make_partner("buyer", edi_id=BUYER)
    supplier = make_partner("supplier", edi_id=SUPPLIER, roles=("supplier",))
    _batching(app, supplier.id, **settings)
    return buyer, supplier


def _sent_to(app: Flask, partner_id: int) -> list[Exchange]:
    with app.app_context(), new_session() as session:
        return list(session.scalars(select(Exchange).where(
            Exchange.partner_id == partner_id, Exchange.direction == "outbound")
            .options(undefer(Exchange.raw)).order_by(Exchange.id)))


def test_a_full_batch_is_one_interchange_of_several_messages_the_hub_reads_back(
        app, client, make_partner) -> None:
    buyer = make_partner("buyer", edi_id=BUYER)
    supplier = make_partner("supplier", edi_id=SUPPLIER, roles=("supplier",))
    _batching(app, supplier.id, batch_max_messages=4)  # no window: each routing closes its batch
    post(client, buyer, generate(10, 2))
    process(app)

    files = _sent_to(app, supplier.id)
    assert [f.result["batch"]["messages"] for f in files] == [4, 4, 2]  # not ten interchanges
    for f in files:
        assert f.state == "pending" and f.doc_type == "ORDERS:D96A"
        assert not validate_outbound(f.raw, "edifact").fatal  # the hub's own checks, whole
        interchange = parse_interchange(f.raw)
        assert not [p for p in interchange.problems if p.severity == "error"]
        assert interchange.control_ref == f.control_ref
        assert len(interchange.messages) == f.result["batch"]["messages"]
        assert f.raw.rstrip().endswith(f"UNZ+{len(interchange.messages)}+{f.control_ref}'".encode())
    refs = [m.reference for f in files for m in parse_interchange(f.raw).messages]
    assert len(set(refs)) == 10  # every message its own UNH reference
    # the partner takes one file from its mailbox for four orders
    listed = client.get("/api/v1/mailbox", headers=supplier.headers).json["items"]
    assert [i["id"] for i in listed] == [f.id for f in files]
    with app.app_context(), new_session() as session:
        batches = session.scalars(select(OutboundBatch).order_by(OutboundBatch.opened_at)).all()
        assert {b.state for b in batches} == {"closed"}
        assert {b.exchange_id for b in batches} == {f.id for f in files}
        assert session.scalar(select(func.count(BatchMessage.document_id.distinct()))) == 10


def test_a_big_interchange_fills_batches_across_its_parts_and_sends_the_rest_at_its_end(
        app, client, make_partner) -> None:
    """The issue's file of 15,514 orders went out as 15,518 interchanges: the hub persists and
    routes 250 messages at a time, and the batch spans those parts."""
    buyer, supplier = _pair(app, make_partner, batch_max_messages=400)
    post(client, buyer, generate(700, 1))
    process(app)
    files = _sent_to(app, supplier.id)
    assert [len(parse_interchange(f.raw).messages) for f in files] == [400, 300]
    assert all(not validate_outbound(f.raw, "edifact").fatal for f in files)


def test_the_scheduled_job_closes_a_batch_when_its_window_ends_once_per_slot(
        app, client, make_partner, make_user) -> None:
    buyer, supplier = _pair(app, make_partner, batch_window_seconds=60)
    start = datetime(2026, 12, 2, 10, 0, 5, tzinfo=UTC)
    with freeze_time(start):
        post(client, buyer, generate(2, 1))
        process(app)
    with freeze_time(start + timedelta(seconds=20)):
        post(client, buyer, generate(3, 1).replace(b"BENCH1", b"BENCH2").replace(b"PO0", b"PX0"))
        process(app)
        assert close_batches(lambda: new_session(app), _settings(app)) == 0  # the window is still open
    assert _sent_to(app, supplier.id) == []
    batch = client.get("/api/v1/routing/batches?state=open",
                       headers=make_user("root", "admin")).json["items"]
    assert len(batch) == 1 and batch[0]["messages"] == 5

    due = start + timedelta(seconds=61)
    with freeze_time(due):
        assert close_batches(lambda: new_session(app), _settings(app)) == 1
        # nothing left, and the slot is run
        assert close_batches(lambda: new_session(app), _settings(app)) == 0
    files = _sent_to(app, supplier.id)
    assert len(files) == 1 and len(parse_interchange(files[0].raw).messages) == 5
    admin = make_user("boss", "admin")
    doc = client.get("/api/v1/documents?type=purchase_order", headers=admin).json["items"][0]
    shown = client.get(doc["links"]["self"], headers=admin).json["batches"]
    assert [(b["state"], b["exchange_id"]) for b in shown] == [("closed", files[0].id)]
    with app.app_context(), new_session() as session:
        runs = session.scalars(select(JobRun).where(JobRun.job == JOB)).all()
        assert [r.slot for r in runs] == ["2026-12-02T10:01:00+00:00"]
        assert runs[0].details["closed"][0]["exchange_id"] == files[0].id


def test_a_slot_run_elsewhere_already_closes_nothing_the_next_slot_does(
        app, client, make_partner) -> None:
    buyer, supplier = _pair(app, make_partner, batch_window_seconds=30)
    at = datetime(2026, 12, 2, 11, 0, 0, tzinfo=UTC)
    with freeze_time(at):
        post(client, buyer, generate(1, 1))
        process(app)
    with app.app_context(), new_session() as session:  # another scheduler took 11:00:30's slot
        assert claim_slot(session, JOB, "2026-12-02T11:00:30+00:00") is not None
        session.commit()
    with freeze_time(at + timedelta(seconds=31)):
        assert close_batches(lambda: new_session(app), _settings(app)) == 0
    assert _sent_to(app, supplier.id) == []
    with freeze_time(at + timedelta(seconds=46)):
        assert close_batches(lambda: new_session(app), _settings(app)) == 1
    assert len(_sent_to(app, supplier.id)) == 1


@pytest.mark.parametrize("settings, named", [
    ({"batch_window_seconds": -1}, "batch_window_seconds"),
    ({"batch_max_messages": 0}, "batch_max_messages"),
    ({"batch_max_messages": "ten"}, "batch_max_messages"),
    ({"batch_window_seconds": 86_401}, "batch_window_seconds")])
def test_bad_batching_settings_are_refused_naming_the_setting(app, make_partner, settings,
                                                               named) -> None:
    supplier = make_partner("supplier", edi_id=SUPPLIER)
    with pytest.raises(ValidationError, match=named):
        _batching(app, supplier.id, **settings)


def test_a_batch_closed_elsewhere_meanwhile_is_not_sent_twice(app, client, make_partner) -> None:
    buyer, supplier = _pair(app, make_partner, batch_window_seconds=30)
    post(client, buyer, generate(2, 1))
    process(app)
    with app.app_context(), new_session() as first, new_session() as second:
        stale = first.scalars(select(OutboundBatch)).one()  # read before the other closes it
        second.commit()
        assert len(close_due(second, datetime.now(UTC) + timedelta(seconds=31),
                             settings=app.config["HUB_SETTINGS"])) == 1
        second.commit()
        assert close(first, stale, actor="test", settings=app.config["HUB_SETTINGS"]) == []
        first.commit()
    assert len(_sent_to(app, supplier.id)) == 1


def test_an_aperak_naming_a_batched_order_is_recorded_on_the_batch_file(app, client,
                                                                          make_partner) -> None:
    buyer, supplier = _pair(app, make_partner, batch_max_messages=5)
    post(client, buyer, generate(3, 1))
    process(app)
    (batch_file,) = _sent_to(app, supplier.id)
    aperak = ("UNB+UNOC:3+4012345000009:14+PONTEHUB+20261122:1300+APK1'UNH+1+APERAK:D:96A:UN'"
              "BGM+313+APK-77+9+RE'RFF+ON:PO00000002'ERC+UNKITEM::ZZZ'UNT+5+1'UNZ+1+APK1'")
    answer = post(client, supplier, aperak.encode())
    process(app)
    got = client.get(f"/api/v1/exchanges/{answer}", headers=supplier.headers).json
    assert got["result"]["acknowledges"] == [
        {"number": "APK-77", "status": "rejected", "exchange_id": batch_file.id}]
    (report,) = _sent_to(app, supplier.id)[0].result["application_acks"]
    assert report["references"] == [{"qualifier": "ON", "number": "PO00000002"}]


def _settings(app):  # type: ignore[no-untyped-def]
    return app.config["HUB_SETTINGS"]

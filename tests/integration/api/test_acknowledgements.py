"""A partner's CONTRL or APERAK answering what the hub sent it: recorded on that outbound exchange,
listable by status, audited; faulty or unmatched ones are kept with named errors or warnings."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bench.edifact_parse import generate
from hub.db import new_session
from hub.models import AuditEvent, Exchange
from mappings.edifact.envelope import parse_interchange
from tests.conftest import ON_POSTGRES
from tests.support.exchanges import post, process, raw_interchange, shown

ACKS = Path(__file__).resolve().parents[3] / "fixtures" / "edifact" / "acks"
HUB = "PONTEHUB"
SUPPLIER = "4012345000009"


def outbound(client: FlaskClient, partner, query: str = "") -> list[dict]:
    resp = client.get(f"/api/v1/exchanges?direction=outbound{query}", headers=partner.headers)
    assert resp.status_code == 200, resp.json
    return sorted(resp.json["items"], key=lambda x: x["control_ref"])


def contrl(body: str, *, ref: str = "CTL1", sender: str = SUPPLIER, ack_request: bool = False
           ) -> bytes:
    """A CONTRL interchange from the supplier to the hub; `body` holds UCI ... (no UNH/UNT)."""
    segments = [s for s in body.split("'") if s]
    unb = f"UNB+UNOC:3+{sender}:14+{HUB}+20261122:1200+{ref}{'++++1' if ack_request else ''}'"
    return (f"{unb}UNH+1+CONTRL:D:3:UN'{''.join(s + chr(39) for s in segments)}"
            f"UNT+{len(segments) + 2}+1'UNZ+1+{ref}'").encode("latin-1")


def routed_to_supplier(app, client, make_partner, runner=None):  # type: ignore[no-untyped-def]
    """Two orders from a buyer, routed by the hub to the supplier as H00000001 and H00000002
    (with `runner`, the supplier's profile first gets request_contrl: the hub asks for CONTRL)."""
    buyer = make_partner("bench", edi_id="5412345000013")
    supplier = make_partner("supplier", edi_id=SUPPLIER)
    if runner is not None:
        out = runner.invoke(args=["hub", "partner-profile", "supplier", "--set",
                                  "request_contrl=true"])
        assert out.exit_code == 0, out.output
    post(client, buyer, generate(2, 1))
    process(app)
    assert [x["control_ref"] for x in outbound(client, supplier)] == ["H00000001", "H00000002"]
    return buyer, supplier


def test_a_positive_contrl_marks_the_interchange_accepted(app, client, runner, make_partner):
    _, supplier = routed_to_supplier(app, client, make_partner, runner)
    first = outbound(client, supplier)[0]
    sent = parse_interchange(client.get(first["links"]["raw"], headers=supplier.headers).data)
    assert sent.ack_requested and sent.control_ref == "H00000001"  # the profile asks for CONTRL
    assert [x["ack_status"] for x in outbound(client, supplier, "&ack=awaiting")] == [
        "awaiting", "awaiting"]
    exchange_id = post(client, supplier, contrl(f"UCI+H00000001+{HUB}+{SUPPLIER}:14+7'",
                                                ack_request=True))
    process(app)
    got = shown(client, supplier, exchange_id)
    assert got["state"] == "processed", got["error"]
    assert got["result"]["acknowledges"] == [
        {"control_ref": "H00000001", "status": "accepted", "exchange_id": first["id"]}]
    assert got["warnings"] == []
    acked, other = outbound(client, supplier)
    assert (acked["ack_status"], other["ack_status"]) == ("accepted", "awaiting")
    (report,) = acked["result"]["acknowledgements"]
    assert report["status"] == "accepted" and report["contrl_exchange_id"] == exchange_id
    # a CONTRL is never answered with a CONTRL, even when its UNB asks for one
    assert [x["type"] for x in outbound(client, supplier)] == ["ORDERS:D96A"] * 2
    with app.app_context(), new_session() as session:
        (event,) = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "exchange.acknowledged")).all()
        assert event.object_id == first["id"] and event.details["status"] == "accepted"
        assert event.details["previous"] == "awaiting"


def test_a_negative_contrl_names_the_errors_and_the_rejection_is_listable(
        app, client, make_partner, make_user):
    _, supplier = routed_to_supplier(app, client, make_partner)
    sent = parse_interchange(client.get(outbound(client, supplier)[1]["links"]["raw"],
                                        headers=supplier.headers).data)
    assert not sent.ack_requested  # by default the hub does not ask for CONTRL
    body = (f"UCI+H00000002+{HUB}+{SUPPLIER}:14+4'"
            "UCM+1+ORDERS:D:96A:UN:EAN008+4'UCS+5+13'UCS+9'UCD+12+2:1'")
    exchange_id = post(client, supplier, contrl(body))
    process(app)
    assert shown(client, supplier, exchange_id)["state"] == "processed"
    rejected = outbound(client, supplier, "&ack=rejected")
    assert [x["control_ref"] for x in rejected] == ["H00000002"]
    (report,) = rejected[0]["result"]["acknowledgements"]
    (message,) = report["messages"]
    assert (message["reference"], message["type"], message["status"]) == (
        "1", "ORDERS:D:96A:UN:EAN008", "rejected")
    assert message["errors"] == [
        {"code": "13", "segment_position": 5, "description": "missing"},
        {"code": "12", "segment_position": 9, "element_position": 2, "component_position": 1,
         "description": "invalid value"}]
    # the interchanges without any CONTRL yet, for an operator chasing acknowledgements
    admin = make_user()
    waiting = client.get("/api/v1/exchanges?ack=none", headers=admin).json["items"]
    assert [x["control_ref"] for x in waiting] == ["H00000001"]
    assert client.get("/api/v1/exchanges?ack=maybe", headers=admin).status_code == 400


def test_receipt_then_rejection_keeps_both_reports_and_the_latest_status(
        app, client, make_partner):
    _, supplier = routed_to_supplier(app, client, make_partner)
    post(client, supplier, contrl(f"UCI+H00000001+{HUB}+{SUPPLIER}:14+8'", ref="CTL1"))
    process(app)
    assert outbound(client, supplier)[0]["ack_status"] == "received"
    post(client, supplier, contrl(f"UCI+H00000001+{HUB}+{SUPPLIER}:14+7'UCM+1+ORDERS:D:96A:UN+4'",
                                  ref="CTL2"))
    process(app)
    first = outbound(client, supplier)[0]
    assert first["ack_status"] == "partly_rejected"  # interchange accepted, its message not
    assert [r["status"] for r in first["result"]["acknowledgements"]] == [
        "received", "partly_rejected"]


def test_a_contrl_for_an_interchange_never_sent_is_kept_with_a_warning(app, client, make_partner):
    _, supplier = routed_to_supplier(app, client, make_partner)
    other = make_partner("other", edi_id="5790000000005")
    # another partner cannot acknowledge the supplier's interchange: for it, H00000001 is unknown
    exchange_id = post(client, other, contrl(f"UCI+H00000001+{HUB}+5790000000005:14+4'",
                                             sender="5790000000005"))
    process(app)
    got = shown(client, other, exchange_id)
    assert got["state"] == "processed"
    assert got["result"]["acknowledges"][0]["exchange_id"] is None
    (warning,) = got["warnings"]
    assert (warning["code"], warning["segment_tag"], warning["element"]) == (
        "ACK_UNMATCHED", "UCI", "0020")
    assert [x["ack_status"] for x in outbound(client, supplier)] == [None, None]


def test_a_faulty_contrl_fails_with_named_errors_and_changes_nothing(app, client, make_partner):
    _, supplier = routed_to_supplier(app, client, make_partner)
    exchange_id = post(client, supplier, contrl(f"UCI+H00000001+{HUB}+{SUPPLIER}:14+9'"))
    process(app)
    got = shown(client, supplier, exchange_id)
    assert got["state"] == "failed"
    (problem,) = got["error"]["problems"]
    assert (problem["code"], problem["segment_tag"], problem["element"],
            problem["segment_position"]) == ("INVALID_CODE", "UCI", "0083", 3)
    assert [x["ack_status"] for x in outbound(client, supplier)] == [None, None]
    assert [x["type"] for x in outbound(client, supplier)] == ["ORDERS:D96A"] * 2  # no CONTRL back


def test_a_contrl_mixed_with_an_order_is_rejected_naming_the_order(app, client, make_partner):
    _, supplier = routed_to_supplier(app, client, make_partner)
    order = parse_interchange(generate(1, 1)).messages[0]
    text = contrl(f"UCI+H00000001+{HUB}+{SUPPLIER}:14+7'").decode("latin-1")
    order_text = "".join(
        f"{s.tag}+{'+'.join(':'.join(e) for e in s.elements)}'" for s in order.segments)
    mixed = text.replace("UNZ+1+", f"{order_text.replace('UNH+1+', 'UNH+2+')}UNZ+2+")
    mixed = mixed.replace(f"UNT+{len(order.segments)}+1'", f"UNT+{len(order.segments)}+2'")
    exchange_id = post(client, supplier, mixed.encode("latin-1"))
    process(app)
    got = shown(client, supplier, exchange_id)
    assert got["state"] == "failed"
    codes = [(p["code"], p.get("message_ref")) for p in got["error"]["problems"]]
    assert ("MIXED_CONTRL", "2") in codes
    with app.app_context(), new_session() as session:
        assert session.scalar(select(Exchange.ack_status).where(
            Exchange.control_ref == "H00000001")) is None


def aperak(body: str, *, ref: str = "APK1", ack_request: bool = False) -> bytes:
    """An APERAK D:96A interchange from the supplier to the hub; `body` holds BGM ... (no UNH/UNT)."""
    segments = [s for s in body.split("'") if s]
    unb = f"UNB+UNOC:3+{SUPPLIER}:14+{HUB}+20261122:1300+{ref}{'++++1' if ack_request else ''}'"
    return (f"{unb}UNH+1+APERAK:D:96A:UN'{''.join(s + chr(39) for s in segments)}"
            f"UNT+{len(segments) + 2}+1'UNZ+1+{ref}'").encode("latin-1")


def test_an_aperak_rejecting_a_sent_order_is_recorded_on_it(app, client, make_partner):
    _, supplier = routed_to_supplier(app, client, make_partner)
    first, second = outbound(client, supplier)
    assert second["result"]["document"] == {"type": "purchase_order", "number": "PO00000002",
                                            "message_ref": "2"}
    body = ("BGM+313+APK-77+9+RE'DTM+137:202611221300:203'RFF+ON:PO00000002'"
            "ERC+UNKITEM::ZZZ'FTX+AAO+++Item 4012345000016 is not in our catalogue'"
            "ERC+PRICE::ZZZ'")
    exchange_id = post(client, supplier, aperak(body))
    process(app)
    got = shown(client, supplier, exchange_id)
    assert got["state"] == "processed", got["error"]
    assert got["result"]["acknowledges"] == [
        {"number": "APK-77", "status": "rejected", "exchange_id": second["id"]}]
    assert got["result"]["acknowledgements"] == []  # no CONTRL asked for, none sent
    first, second = outbound(client, supplier)
    assert "application_acks" not in first["result"]
    (report,) = second["result"]["application_acks"]
    assert (report["number"], report["status"], report["response"]) == ("APK-77", "rejected", "RE")
    assert report["references"] == [{"qualifier": "ON", "number": "PO00000002"}]
    assert report["errors"] == [
        {"code": "UNKITEM", "agency": "ZZZ", "text": "Item 4012345000016 is not in our catalogue"},
        {"code": "PRICE", "agency": "ZZZ"}]
    assert second["ack_status"] is None  # the CONTRL status (syntax) is a different thing
    with app.app_context(), new_session() as session:
        (event,) = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "exchange.application_acknowledged")).all()
        assert event.object_id == second["id"] and event.details["errors"] == ["UNKITEM", "PRICE"]


def test_an_aperak_naming_the_interchange_gets_the_contrl_it_asks_for(app, client, make_partner):
    _, supplier = routed_to_supplier(app, client, make_partner)
    exchange_id = post(client, supplier, aperak("BGM+313+APK-78+9+AP'RFF+ACW:H00000001'",
                                                ack_request=True))
    process(app)
    got = shown(client, supplier, exchange_id)
    assert got["state"] == "processed", got["error"]
    assert got["result"]["acknowledges"][0]["status"] == "accepted"
    (first,) = [x for x in outbound(client, supplier) if x["control_ref"] == "H00000001"]
    assert first["result"]["application_acks"][0]["status"] == "accepted"
    (contrl_id,) = got["result"]["acknowledgements"]
    sent = raw_interchange(client, supplier, contrl_id)
    uci = sent.messages[0].segments[1]
    assert sent.messages[0].type == "CONTRL" and (uci.get(0), uci.get(3)) == ("APK1", "7")


def test_routed_messages_get_the_partners_own_message_numbers_which_an_aperak_can_name(
        app, client, make_partner):
    _, supplier = routed_to_supplier(app, client, make_partner)
    refs = [parse_interchange(client.get(x["links"]["raw"], headers=supplier.headers).data)
            .messages[0].reference for x in outbound(client, supplier)]
    assert refs == ["1", "2"]  # UNH 0062 numbered per partner, like the interchanges
    exchange_id = post(client, supplier, aperak("BGM+313+APK-80+9+RE'RFF+ACW:2'ERC+X::ZZZ'"))
    process(app)
    got = shown(client, supplier, exchange_id)
    second = outbound(client, supplier)[1]
    assert got["result"]["acknowledges"][0]["exchange_id"] == second["id"]
    # a CONTRL the hub sends continues the partner's message numbers
    post(client, supplier, aperak("BGM+313+APK-81+9+AP'RFF+ACW:1'", ref="APK2", ack_request=True))
    process(app)
    (contrl,) = [x for x in outbound(client, supplier) if x["type"] == "CONTRL"]
    sent = parse_interchange(client.get(contrl["links"]["raw"], headers=supplier.headers).data)
    assert sent.messages[0].reference == "3"


def test_an_aperak_about_nothing_the_hub_sent_is_kept_with_a_warning(app, client, make_partner):
    _, supplier = routed_to_supplier(app, client, make_partner)
    exchange_id = post(client, supplier, aperak("BGM+313+APK-79+9+RE'RFF+ON:PO-UNKNOWN'ERC+X::ZZZ'"))
    process(app)
    got = shown(client, supplier, exchange_id)
    assert got["state"] == "processed"
    (warning,) = got["warnings"]
    assert warning["code"] == "ACK_UNMATCHED" and "PO-UNKNOWN" in warning["message"]
    assert all("application_acks" not in x["result"] for x in outbound(client, supplier))


@pytest.mark.parametrize("name", sorted(p.name for p in ACKS.glob("*.edi")))
def test_the_acknowledgement_fixtures_are_read(app, client, make_partner, name):
    partner = make_partner("demo", edi_id="5412345000013")
    exchange_id = post(client, partner, (ACKS / name).read_bytes())
    process(app)
    got = shown(client, partner, exchange_id)
    assert got["state"] == "processed", got["error"]
    (answer,) = got["result"]["acknowledges"]
    assert answer["status"] == "rejected" and answer["exchange_id"] is None  # sent nothing yet
    assert [w["code"] for w in got["warnings"]] == ["ACK_UNMATCHED"]


def test_a_huge_contrl_is_streamed_and_its_report_kept_bounded(app, client, make_partner):
    _, supplier = routed_to_supplier(app, client, make_partner)
    ucms = "".join(f"UCM+{n}+ORDERS:D:96A:UN+{'4' if n == 4000 else '7'}'UCS+{n}+13'"
                   for n in range(1, 4001))
    exchange_id = post(client, supplier, contrl(f"UCI+H00000001+{HUB}+{SUPPLIER}:14+7'{ucms}"))
    process(app)
    assert shown(client, supplier, exchange_id)["state"] == "processed"
    (report,) = outbound(client, supplier)[0]["result"]["acknowledgements"]
    assert report["status"] == "partly_rejected" and report["parts_total"] == 4000
    assert len(report["messages"]) == 1000
    # and one with thousands of defects fails naming the first ones and counting them all
    bad = "".join(f"UCM+{n}+ORDERS:D:96A:UN+7'UCS+x{n}'" for n in range(1, 3001))
    exchange_id = post(client, supplier, contrl(f"UCI+H00000002+{HUB}+{SUPPLIER}:14+7'{bad}",
                                                ref="CTL2"))
    process(app)
    error = shown(client, supplier, exchange_id)["error"]
    assert len(error["problems"]) == 200 and error["problems_total"] >= 3000
    assert error["problems"][0]["segment_tag"] == "UCS"


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks: SQLite has one writer at a time anyway")
def test_two_contrls_for_one_interchange_at_once_both_keep_their_report(app, client, make_partner):
    import threading

    from hub.domain.acknowledgements import AckStatus, InterchangeAck
    from hub.exchanges.acknowledgements import record_contrl
    from hub.models import Partner

    _, supplier = routed_to_supplier(app, client, make_partner)

    def ack(status: AckStatus) -> InterchangeAck:
        return InterchangeAck("H00000001", HUB, SUPPLIER, status, "7", "1")

    with app.app_context(), new_session() as first:
        partner = first.get(Partner, supplier.id)
        # any exchange stands for the CONTRL's; the outbound one itself is the hardest case: the
        # second session then holds the row before it asks for the lock
        contrl_exchange = first.scalars(select(Exchange).where(
            Exchange.control_ref == "H00000001")).one()
        record_contrl(first, contrl_exchange, partner, ack(AckStatus.received), actor="test")
        done = threading.Event()

        def second_writer() -> None:
            with app.app_context(), new_session() as second:
                other = second.get(Partner, supplier.id)
                source = second.get(Exchange, contrl_exchange.id)
                record_contrl(second, source, other, ack(AckStatus.accepted), actor="test")
                second.commit()
                done.set()

        thread = threading.Thread(target=second_writer)
        thread.start()
        assert not done.wait(1.0)  # it waits for the first one's row lock
        first.commit()
        thread.join(10)
    first_sent = outbound(client, supplier)[0]
    assert [r["status"] for r in first_sent["result"]["acknowledgements"]] == [
        "received", "accepted"]
    assert first_sent["ack_status"] == "accepted"


def test_a_faulty_aperak_gets_the_negative_contrl_it_asks_for(app, client, make_partner):
    _, supplier = routed_to_supplier(app, client, make_partner)
    body = "BGM+313+APK-90+9+RE'RFF+ON:PO00000001'ERC+X::ZZZ'UNS+S'"  # UNS has no place here
    exchange_id = post(client, supplier, aperak(body, ack_request=True))
    process(app)
    got = shown(client, supplier, exchange_id)
    assert got["state"] == "failed"
    assert {p["segment_tag"] for p in got["error"]["problems"]} == {"UNS"}
    (contrl_id,) = got["error"]["acknowledgements"]
    sent = raw_interchange(client, supplier, contrl_id)
    assert sent.messages[0].segments[1].get(3) == "4"  # UCI: rejected
    assert all("application_acks" not in x["result"] for x in outbound(client, supplier))


UBL_ACKS = ACKS.parents[1] / "ubl" / "acks"


def test_a_peppol_message_level_response_is_recorded_on_the_ubl_order_it_rejects(
        app, client, make_partner, make_user):
    from hub.models import Partner

    demo = make_partner("demo", edi_id="5412345000013")
    ubl_supplier = make_partner("ubl-supplier", edi_id="5498765000017")
    with app.app_context(), new_session() as session:
        session.get(Partner, ubl_supplier.id).syntax = "ubl"
        session.commit()
    post(client, demo, (ACKS.parent / "demo_orders_d96a_basic.edi").read_bytes())
    process(app)
    # read as staff: until the UBL renderer meets the Peppol rules the order may be held invalid
    staff = SimpleNamespace(headers=make_user("ops", "admin"))
    (order,) = outbound(client, staff, f"&partner_id={ubl_supplier.id}")
    assert (order["type"], order["result"]["document"]["number"]) == ("Order", "PO-2024-0042")
    exchange_id = post(client, ubl_supplier,
                       (UBL_ACKS / "mlr_rejecting_po-2024-0042.xml").read_bytes())
    process(app)
    got = shown(client, ubl_supplier, exchange_id)
    assert got["state"] == "processed", got["error"]
    assert got["result"]["acknowledges"] == [
        {"number": "MLR-0001", "status": "rejected", "exchange_id": order["id"]}]
    (order,) = outbound(client, staff, f"&partner_id={ubl_supplier.id}")
    (report,) = order["result"]["application_acks"]
    assert (report["source"], report["response"]) == ("ApplicationResponse", "RE")
    assert report["errors"] == [{"code": "BV", "text": "at /Order/cac:OrderLine[1]/cac:LineItem"
                                                       "/cbc:Quantity; The ordered quantity must "
                                                       "be a multiple of 6"}]
    # the same response from a partner the order was not sent to answers nothing
    other = make_partner("other", edi_id="5790000000005")
    body = (UBL_ACKS / "mlr_rejecting_po-2024-0042.xml").read_bytes().replace(b"MLR-0001",
                                                                               b"MLR-0002")
    exchange_id = post(client, other, body)
    process(app)
    got = shown(client, other, exchange_id)
    assert got["state"] == "processed"
    (warning,) = got["warnings"]
    assert warning["code"] == "ACK_UNMATCHED" and warning["element"].endswith("DocumentReference/cbc:ID")


def test_an_application_response_that_breaks_the_schema_fails_naming_where(
        app, client, make_partner):
    partner = make_partner("ubl-supplier", edi_id="5498765000017")
    body = (UBL_ACKS / "mlr_rejecting_po-2024-0042.xml").read_bytes().replace(
        b"<cbc:IssueDate>2026-11-22</cbc:IssueDate>", b"")
    exchange_id = post(client, partner, body)
    process(app)
    got = shown(client, partner, exchange_id)
    assert got["state"] == "failed"
    assert any("IssueDate" in p["message"] for p in got["error"]["problems"])

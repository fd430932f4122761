"""A file of several EDIFACT interchanges, as Bots and many VANs send them: each interchange is
cut into an exchange of its own, checked, acknowledged and de-duplicated alone."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskCliRunner

from tests.support.exchanges import post, process, raw_interchange, shown
from tests.support.interchanges import orders_interchange

FAULTY_QTY = ("QTY+21:500:PCE", "QTY+21:5X0:PCE")  # a numeric element with a letter


def documents(client: Any, partner: Any) -> list[str]:
    items = client.get("/api/v1/documents?per_page=100", headers=partner.headers).json["items"]
    return sorted(item["number"] for item in items)


def contrl_verdict(client: Any, partner: Any, exchange_id: str) -> str:
    """The action (0083) of the CONTRL answering an exchange: 7 accepted, 4 rejected."""
    ex = shown(client, partner, exchange_id)
    answers = (ex["result"] or {}).get("acknowledgements") or ex["error"]["acknowledgements"]
    (contrl,) = [a for a in answers if shown(client, partner, a)["type"] == "CONTRL"]
    uci = next(s for s in raw_interchange(client, partner, contrl).messages[0].segments
               if s.tag == "UCI")
    return uci.get(3)


def test_a_good_and_a_faulty_interchange_in_one_file_are_judged_apart(
        app, client, runner: FlaskCliRunner, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    assert runner.invoke(args=["hub", "partner-profile", "demo", "--set", "ack_contrl=true"]
                         ).exit_code == 0
    good = orders_interchange("F0001", ["PO-GOOD-1", "PO-GOOD-2"])
    faulty = orders_interchange("F0002", ["PO-BAD-1", "PO-BAD-2"], replace={2: FAULTY_QTY})
    file_id = post(client, demo, good + faulty)  # 202: the whole file is committed
    process(app)  # the file is cut into its interchanges
    process(app)  # each is processed on its own
    file = shown(client, demo, file_id)
    assert file["state"] == "processed", file["error"]
    first, second = file["result"]["interchanges"]
    assert (first["position"], first["control_ref"], second["position"],
            second["control_ref"]) == (1, "F0001", 2, "F0002")
    part1, part2 = shown(client, demo, first["exchange_id"]), shown(client, demo,
                                                                    second["exchange_id"])
    assert part1["part_of"] == {"exchange_id": file_id, "position": 1}
    assert part2["part_of"] == {"exchange_id": file_id, "position": 2}
    assert part1["state"] == "processed" and part1["result"]["documents_total"] == 2
    assert part2["state"] == "failed"
    assert {(p["message_ref"], p["segment_tag"]) for p in part2["error"]["problems"]} == {
        ("2", "QTY")}
    # each interchange has its own CONTRL: the good one accepted, the faulty one rejected
    assert contrl_verdict(client, demo, part1["id"]) == "7"
    assert contrl_verdict(client, demo, part2["id"]) == "4"
    assert documents(client, demo) == ["PO-GOOD-1", "PO-GOOD-2"]
    # the parts are the interchanges' own bytes, as sent
    assert client.get(f"/api/v1/exchanges/{part2['id']}/raw", headers=demo.headers).data == faulty


def test_a_duplicate_interchange_in_a_file_is_named_while_the_new_one_is_processed(
        app, client, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    earlier = orders_interchange("D0001", ["PO-1"])
    earlier_id = post(client, demo, earlier)
    process(app)
    # the same interchange (its control reference) again, with a new one after it: the file's
    # first reference is known, yet the file is taken (202), not answered as a duplicate
    again = earlier.replace(b"20240311:0930", b"20240312:1015")
    newer = orders_interchange("D0002", ["PO-2"])
    file_id = post(client, demo, again + b"\r\n" + newer + newer)
    process(app)
    process(app)
    file = shown(client, demo, file_id)
    assert file["state"] == "processed"
    assert file["result"]["interchanges_total"] == 3 and file["result"]["duplicates_total"] == 2
    dup, new, dup_in_file = file["result"]["interchanges"]
    assert (dup["duplicate_of"], dup["reason"]) == (earlier_id, "same_interchange")
    assert (dup_in_file["duplicate_of"], dup_in_file["reason"]) == (new["exchange_id"],
                                                                    "same_bytes")
    warnings = [w for w in file["warnings"] if w["code"] == "DUPLICATE_INTERCHANGE"]
    assert len(warnings) == 2 and earlier_id in warnings[0]["message"]
    assert "D0001" in warnings[0]["message"]
    assert shown(client, demo, new["exchange_id"])["state"] == "processed"
    assert documents(client, demo) == ["PO-1", "PO-2"]
    # the same file posted again is the same file (same bytes): nothing new is stored
    resp = client.post("/api/v1/exchanges", data=again + b"\r\n" + newer + newer,
                       headers=demo.headers)
    assert resp.status_code == 200 and resp.json["id"] == file_id

"""Junk and mutated partner files through the whole hub: never a 500, never a crash in processing."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.db import new_session
from hub.exchanges.processing import process_pending
from hub.exchanges.sniff import sniff

ROOT = Path(__file__).resolve().parents[3]
SEEDS = [p.read_bytes() for p in sorted((ROOT / "fixtures" / "edifact").glob("*.edi"))] + \
    [p.read_bytes() for p in sorted((ROOT / "fixtures" / "edifact" / "acks").glob("*.edi"))] + \
    [p.read_bytes() for p in sorted((ROOT / "fixtures" / "ubl").glob("*.xml"))] + \
    [p.read_bytes() for p in sorted((ROOT / "fixtures" / "ubl" / "acks").glob("*.xml"))]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from([b"'", b"+", b":", b"?", b"UNA:+.? '", b"<", b"&x;",
                                                b"\x00", b"\xff\xfe", b"UNH+9+ORDERS:D:96A:UN'"]))
        else:
            del data[at:at + draw(st.integers(1, 40))]
    return bytes(data)  # may be empty after a cut: the API must answer 400 then


@settings(max_examples=int(os.environ.get("HUB_FUZZ_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.one_of(mutated(), st.binary(min_size=1, max_size=400)))
def test_junk_never_gives_a_500_or_a_stuck_exchange(app, client, make_partner, body):
    partner = getattr(app, "_fuzz_partner", None)
    if partner is None:  # one partner for all examples; its EDI id is the fixtures' usual sender
        partner = app._fuzz_partner = make_partner("fuzz", edi_id="5412345000013")
    resp = client.post("/api/v1/exchanges", data=body, headers=partner.headers)
    if not body:
        assert resp.status_code == 400
        return
    if resp.status_code == 415:  # neither EDIFACT nor XML: refused at once, nothing stored
        assert resp.json["error"]["code"] == "UNSUPPORTED_CONTENT"
        assert sniff(body).syntax == "unknown"
        return
    assert resp.status_code in (200, 202), resp.json
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    shown = client.get(resp.headers["Location"], headers=partner.headers)
    assert shown.status_code == 200
    ex = shown.json
    assert ex["state"] in ("processed", "failed")
    if ex["state"] == "failed":
        assert ex["error"]["code"] != "INTERNAL_ERROR", ex["error"]
        assert ex["error"]["message"]


def test_a_nul_in_the_unb_recipient_is_a_refusal_not_an_internal_error(app, client, make_partner):
    """Found by the fuzz test above on PostgreSQL (which refuses NUL in a text parameter): the
    recipient's lookup failed with INTERNAL_ERROR."""
    partner = make_partner("acme", edi_id="5498765000017")
    body = (ROOT / "fixtures" / "edifact" / "acme_desadv_d96a_sscc.edi").read_bytes().replace(
        b"+5412345000013:14+", b"+\x00412345000013:14+", 1)
    resp = client.post("/api/v1/exchanges", data=body, headers=partner.headers)
    assert resp.status_code == 202, resp.json
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    ex = client.get(resp.headers["Location"], headers=partner.headers).json
    assert ex["state"] in ("processed", "failed")
    assert (ex["error"] or {}).get("code") != "INTERNAL_ERROR", ex["error"]

"""Pix copy-and-paste payloads (BR Code): encoded, decoded and CRC-checked against the Banco Central's
published examples.

Sources of the example payloads, quoted with their CRC as published:
- "Manual de Padrões para Iniciação do Pix" (Banco Central do Brasil), section 2.6.3: a static QR code
  with a random key and no amount, CRC 1D3D (also quoted by brazilian-utils' `pix_payload::is_valid`
  doc test and several open-source generators' tests);
- the same manual, section 2.7.2: a dynamic QR code (a PSP URL in 26/25 instead of a key), CRC 64E4;
- "Manual do BR Code" (Banco Central), section 2.2: a payload of 270 characters with a card scheme,
  Pix and another arrangement, amount 123.45 and txid RP12345678-2019, CRC AD38.
The CRC16-CCITT-FALSE check value of "123456789" is 29B1 (the catalogue of parametrised CRC algorithms).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.invoicing.pix import PixCharge, PixError, crc16, decode, encode, txid_for

STATIC = ("00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
          "5913Fulano de Tal6008BRASILIA62070503***63041D3D")
DYNAMIC = ("00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
           "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4")
BR_CODE = ("00020104141234567890123426580014BR.GOV.BCB.PIX0136123e4567-e12b-12d1-a456-426655440000"
           "27300012BR.COM.OUTRO011001234567895204000053039865406123.455802BR5917NOME DO RECEBEDOR"
           "6008BRASILIA"
           "61087007490062190515RP12345678-201980390012BR.COM.OUTRO01190123.ABCD.3456.WXYZ6304AD38")
KEY = "123e4567-e12b-12d1-a456-426655440000"


def test_crc16_ccitt_false_check_value():
    assert crc16("123456789") == "29B1"


@pytest.mark.parametrize(("payload", "crc"), [(STATIC, "1D3D"), (DYNAMIC, "64E4"), (BR_CODE, "AD38")])
def test_the_crc_of_each_published_example_is_reproduced(payload: str, crc: str):
    assert payload.endswith("6304" + crc) and crc16(payload[:-4]) == crc
    assert decode(payload).crc == crc


def test_the_static_example_is_encoded_byte_for_byte():
    assert encode(PixCharge(KEY, "Fulano de Tal", "BRASILIA")) == STATIC


def test_the_published_examples_decode_into_their_tags():
    static = decode(STATIC)
    assert (static.key, static.amount, static.txid, static.merchant_name, static.merchant_city) == \
        (KEY, None, "***", "Fulano de Tal", "BRASILIA")
    assert static.tags["52"] == "0000" and static.tags["53"] == "986" and static.tags["58"] == "BR"
    dynamic = decode(DYNAMIC)
    assert dynamic.tags["01"] == "12" and dynamic.key is None
    assert dynamic.sub("26", "25") == "pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
    full = decode(BR_CODE)
    assert len(BR_CODE) == 270
    assert (full.key, full.amount, full.txid) == (KEY, Decimal("123.45"), "RP12345678-2019")
    assert full.sub("27", "00") == "BR.COM.OUTRO"


def test_an_invoice_charge_carries_amount_and_txid_and_decodes_back():
    payload = encode(PixCharge("+5561912345678", "Ponte Comércio e Indústria de Peças Ltda",
                               "São José dos Campos", Decimal("1234.5"), txid_for("INV-2026-000042")))
    code = decode(payload)
    assert (code.key, code.amount, code.txid) == ("+5561912345678", Decimal("1234.50"), "INV2026000042")
    # names are cut to the standard's limits and written in the common character set
    assert (code.merchant_name, code.merchant_city) == ("Ponte Comercio e Industri", "Sao Jose dos Ca")
    assert "5407" + "1234.50" in payload


@pytest.mark.parametrize(("payload", "where"), [
    (STATIC.replace("Fulano", "Fulana"), "tag 63 at position"),
    (STATIC[:-8], "ends with tag 63"),
    ("0002015802BR6304" + crc16("0002015802BR6304")[:-1], "position 12"),
    ("000202" + STATIC[6:], "starts with tag 00 = 01"),
    ("00020126990014br.gov", "tag 26 at position 6: length 99 runs past the end"),
    ("0002015X02BR", "position 6: expected a 2-digit tag"),
    ("000201\u00b2\u00b2\u00b2\u00b2", "position 6: expected a 2-digit tag"),  # digits, but not 0-9
])
def test_a_damaged_payload_is_refused_naming_the_tag_and_position(payload: str, where: str):
    with pytest.raises(PixError, match=where):
        decode(payload)


@pytest.mark.parametrize(("charge", "tag"), [
    (PixCharge("", "A", "B"), "26"), (PixCharge(KEY, "  ", "B"), "59"), (PixCharge(KEY, "A", ""), "60"),
    (PixCharge(KEY, "A", "B", txid="INV-1"), "62"), (PixCharge(KEY, "A", "B", txid="A" * 26), "62"),
    (PixCharge(KEY, "A", "B", Decimal("-1")), "54"),
])
def test_a_charge_that_cannot_be_encoded_names_its_tag(charge: PixCharge, tag: str):
    with pytest.raises(PixError) as refused:
        encode(charge)
    assert refused.value.tag == tag


@given(key=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=70),
       cents=st.integers(1, 10**12), name=st.text(min_size=1, max_size=40),
       txid=st.from_regex(r"[A-Za-z0-9]{1,25}", fullmatch=True))
def test_every_encoded_charge_decodes_back_with_a_good_crc(key: str, cents: int, name: str, txid: str):
    if not any(ch.isascii() and ch.isalnum() for ch in name):
        name = "Seller"
    amount = Decimal(cents) / 100
    code = decode(encode(PixCharge(key, name, "Recife", amount, txid)))
    assert (code.key, code.amount, code.txid, code.merchant_city) == (key, amount, txid, "Recife")


@given(st.one_of(st.text(max_size=300), st.builds(lambda cut, tail: STATIC[:cut] + tail,
                                                  st.integers(0, len(STATIC)), st.text(max_size=20))))
def test_any_text_either_decodes_or_is_refused_with_a_pix_error(text: str):
    try:
        code = decode(text)
    except PixError as refused:
        assert str(refused)
    else:
        assert crc16(text.strip()[:-4]) == code.crc

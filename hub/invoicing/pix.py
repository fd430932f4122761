"""Brazilian Pix "copy and paste" payloads (BR Code): EMV Merchant Presented Mode tag-length-value text
with a CRC16-CCITT-FALSE, as the Banco Central's "Manual de Padrões para Iniciação do Pix" sets it out.

`encode` builds the static payload of one charge (the key, an amount, a txid that reconciliation
matches); `decode` reads any payload back into its tags and checks its CRC, naming the tag and the
position of what is wrong. Pure: no framework imports.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

PIX_GUI = "br.gov.bcb.pix"
TXID_MAX = 25
NAME_MAX, CITY_MAX = 25, 15
TEMPLATES = {"26", "62", "80"} | {str(n) for n in range(27, 52)}  # tags whose value is itself TLV
TXID = re.compile(r"[A-Za-z0-9]{1,25}")


class PixError(ValueError):
    """A payload that cannot be built or read; the message names the tag and position."""

    def __init__(self, message: str, *, tag: str | None = None, position: int | None = None) -> None:
        super().__init__(message)
        self.tag, self.position = tag, position


def crc16(text: str) -> str:
    """CRC16-CCITT-FALSE (polynomial 0x1021, start 0xFFFF) of the UTF-8 text, as 4 uppercase hex digits."""
    crc = 0xFFFF
    for byte in text.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def plain(text: str, limit: int) -> str:
    """Text as the EMV common character set holds it: accents dropped, spaces squeezed, cut to `limit`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(ascii_text.split())[:limit].rstrip()


def txid_for(reference: str) -> str:
    """A txid (letters and digits, at most 25) from an invoice number: INV-2026-000001 -> INV2026000001."""
    txid = re.sub(r"[^A-Za-z0-9]", "", reference)[-TXID_MAX:]
    return txid or "***"


@dataclass(frozen=True)
class PixCharge:
    """What one static BR Code asks for."""

    key: str
    merchant_name: str
    merchant_city: str
    amount: Decimal | None = None
    txid: str = "***"
    mcc: str = "0000"


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise PixError(f"tag {tag}: {len(value)} characters, at most 99", tag=tag)
    return f"{tag}{len(value):02d}{value}"


def encode(charge: PixCharge) -> str:
    """The copy-and-paste payload of a charge, CRC included."""
    name, city = plain(charge.merchant_name, NAME_MAX), plain(charge.merchant_city, CITY_MAX)
    if not charge.key.strip():
        raise PixError("tag 26/01: the Pix key is empty", tag="26")
    if not name or not city:
        raise PixError(f"tag {'59' if not name else '60'}: merchant name and city are required",
                       tag="59" if not name else "60")
    if charge.txid != "***" and not TXID.fullmatch(charge.txid):
        raise PixError(f"tag 62/05: txid {charge.txid!r} must be 1 to 25 letters or digits", tag="62")
    parts = [_tlv("00", "01"), _tlv("26", _tlv("00", PIX_GUI) + _tlv("01", charge.key.strip())),
             _tlv("52", charge.mcc), _tlv("53", "986")]
    if charge.amount is not None:
        if charge.amount <= 0:
            raise PixError("tag 54: the amount must be positive", tag="54")
        parts.append(_tlv("54", f"{charge.amount.quantize(Decimal('0.01'))}"))
    parts += [_tlv("58", "BR"), _tlv("59", name), _tlv("60", city), _tlv("62", _tlv("05", charge.txid))]
    body = "".join(parts) + "6304"
    return body + crc16(body)


@dataclass
class BrCode:
    """A decoded payload: every tag in order (templates as nested dicts) and the Pix fields."""

    tags: dict[str, str | dict[str, str]] = field(default_factory=dict)
    crc: str = ""

    def sub(self, tag: str, inner: str) -> str | None:
        value = self.tags.get(tag)
        return value.get(inner) if isinstance(value, dict) else None

    @property
    def key(self) -> str | None:
        """The Pix key of the first merchant account template with the Pix GUI (any case)."""
        for value in self.tags.values():
            if isinstance(value, dict) and (value.get("00") or "").lower() == PIX_GUI:
                return value.get("01")
        return None

    @property
    def amount(self) -> Decimal | None:
        value = self.tags.get("54")
        return Decimal(value) if isinstance(value, str) else None

    @property
    def txid(self) -> str | None:
        return self.sub("62", "05")

    @property
    def merchant_name(self) -> str | None:
        value = self.tags.get("59")
        return value if isinstance(value, str) else None

    @property
    def merchant_city(self) -> str | None:
        value = self.tags.get("60")
        return value if isinstance(value, str) else None


def _split(text: str, offset: int) -> list[tuple[str, str, int]]:
    """(tag, value, position) of each TLV field; position is 0-based in the whole payload."""
    out, i = [], 0
    while i < len(text):
        head = text[i:i + 4]
        if not re.fullmatch(r"[0-9]{4}", head):
            raise PixError(f"position {offset + i}: expected a 2-digit tag and a 2-digit length, "
                           f"found {head!r}", position=offset + i)
        tag, size = head[:2], int(head[2:])
        value = text[i + 4:i + 4 + size]
        if len(value) < size:
            raise PixError(f"tag {tag} at position {offset + i}: length {size} runs past the end",
                           tag=tag, position=offset + i)
        out.append((tag, value, offset + i))
        i += 4 + size
    return out


def decode(payload: str) -> BrCode:
    """Read a payload into its tags and check it: format indicator first, CRC last and right."""
    text = payload.strip()
    fields = _split(text, 0)
    if not fields or fields[0][:2] != ("00", "01"):
        raise PixError("position 0: a BR Code starts with tag 00 = 01", tag="00", position=0)
    tag, value, position = fields[-1]
    if tag != "63" or len(value) != 4:
        raise PixError(f"position {position}: a BR Code ends with tag 63, its 4-digit CRC", tag="63",
                       position=position)
    expected = crc16(text[:position + 4])
    if value.upper() != expected:
        raise PixError(f"tag 63 at position {position}: CRC {value} does not match {expected}", tag="63",
                       position=position)
    code = BrCode(crc=value.upper())
    for tag, value, position in fields[:-1]:
        code.tags[tag] = {t: v for t, v, _ in _split(value, position + 4)} if tag in TEMPLATES else value
    amount = code.tags.get("54")
    if amount is not None and not (isinstance(amount, str) and re.fullmatch(r"\d{1,13}(\.\d{1,2})?", amount)):
        raise PixError(f"tag 54: {amount!r} is not an amount", tag="54")
    return code

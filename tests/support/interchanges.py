"""EDIFACT interchanges of several demo orders, built from the demo fixture, for the tests of
files of several interchanges and of per-message business rejections."""

from __future__ import annotations

from pathlib import Path

DEMO = (Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
        / "demo_orders_d96a_basic.edi").read_text(encoding="latin-1")
DEMO_NUMBER = "PO-2024-0042"  # BGM 1004 of the demo order
DEMO_REF = "ORD0001"  # UNB 0020 of the demo interchange


def orders_interchange(control_ref: str, numbers: list[str], *,
                       replace: dict[int, tuple[str, str]] | None = None) -> bytes:
    """One interchange (UNB `control_ref`) of one demo order per number, UNH references 1, 2, ...;
    `replace` maps a message's position to a text to change in it (e.g. a faulty QTY)."""
    head = DEMO[:DEMO.index("UNH+")].replace(f"+{DEMO_REF}'", f"+{control_ref}'")
    message = DEMO[DEMO.index("UNH+"):DEMO.index("UNZ+")]
    body = []
    for position, number in enumerate(numbers, 1):
        text = message.replace("UNH+1+", f"UNH+{position}+").replace(DEMO_NUMBER, number)
        trailer = text.rindex("UNT+")
        text = text[:trailer] + text[trailer:].replace("+1'", f"+{position}'")
        if replace and position in replace:
            text = text.replace(*replace[position])
        body.append(text)
    return (head + "".join(body) + f"UNZ+{len(numbers)}+{control_ref}'\n").encode("latin-1")

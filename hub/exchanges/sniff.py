"""A quick look at received bytes: which syntax, which control reference, who sent it.

Runs before the answer to the partner, so it must be cheap and must never fail: anything it
cannot read is left for processing to reject with a proper error.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from lxml import etree

from hub.xmlsafe import parser_input, wide_encoding
from mappings.edifact.interchanges import holds_several

_BOMS = (b"\xef\xbb\xbf",)


@dataclass(frozen=True)
class Sniffed:
    syntax: str  # edifact | xml | unknown
    doc_type: str | None = None  # first UNH message type, or the XML root element's local name
    control_ref: str | None = None  # UNB 0020, or the XML document's cbc:ID
    sender: str | None = None
    sender_qualifier: str | None = None
    recipient: str | None = None
    several: bool = False  # EDIFACT: the file holds more than one interchange

    @property
    def dedup_ref(self) -> str | None:
        """What makes two files the same interchange, whatever their timestamps. A file of several
        interchanges has none: each is de-duplicated on its own when the file is split."""
        if not self.control_ref or self.several:
            return None
        if self.syntax == "edifact":
            ref = f"edifact:{self.sender}:{self.sender_qualifier or ''}:{self.control_ref}"
        else:
            ref = f"xml:{self.doc_type}:{self.control_ref}"
        # long references are hashed, not cut: two different ones must never collide
        return ref if len(ref) <= 200 else "sha256:" + hashlib.sha256(ref.encode()).hexdigest()


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean(value: str | None, limit: int) -> str | None:
    """A value read from partner bytes, fit for a column: no control characters, bounded length."""
    if value is None:
        return None
    return _CONTROL.sub("", value)[:limit] or None


def sniff(data: bytes) -> Sniffed:
    """Recognise the syntax and pull out the interchange control reference when there is one."""
    if wide_encoding(data) is not None:  # UTF-16 or UTF-32: only XML is written so
        return _sniff_xml(data)
    head = data.lstrip()
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):].lstrip()
    if head[:3] in (b"UNA", b"UNB"):
        return _sniff_edifact(head, data)
    if head[:1] == b"<":
        return _sniff_xml(data)
    return Sniffed(syntax="unknown")


def _sniff_edifact(head: bytes, whole: bytes) -> Sniffed:
    text = head[:4096].decode("latin-1")
    comp, elem, release, term = ":", "+", "?", "'"
    if text.startswith("UNA") and len(text) >= 9:
        comp, elem, release, term = text[3], text[4], text[6], text[8]
        text = text[9:].lstrip("\r\n")
    unb = _first_segment(text, term, release)
    if not unb.startswith("UNB"):
        return Sniffed(syntax="edifact")
    elements = [e.split(comp) for e in unb.split(elem)]

    def get(i: int, j: int = 0) -> str | None:
        try:
            return elements[i][j].strip() or None
        except IndexError:
            return None

    unh = text.find(f"UNH{elem}")
    doc_type = None
    if unh >= 0:
        unh_elems = _first_segment(text[unh:], term, release).split(elem)
        doc_type = unh_elems[2].split(comp)[0] if len(unh_elems) > 2 else None
    return Sniffed(syntax="edifact", doc_type=clean(doc_type, 40), control_ref=clean(get(5), 100),
                   sender=clean(get(2), 100), sender_qualifier=clean(get(2, 1), 10),
                   recipient=clean(get(3), 100), several=holds_several(whole))


def _first_segment(text: str, term: str, release: str) -> str:
    i = 0
    while True:
        j = text.find(term, i)
        if j < 0:
            return text
        if j > 0 and text[j - 1] == release:
            i = j + 1
            continue
        return text[:j]


def _sniff_xml(data: bytes) -> Sniffed:
    # Entities, DTDs and the network stay off even for a peek (lxml >= 6.1, see PITFALLS.md).
    events = etree.iterparse(io.BytesIO(parser_input(data)), events=("start",), resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False)
    root: str | None = None
    envelope = _Envelope()
    try:
        for count, (_event, el) in enumerate(events):
            name = _local_name(el.tag)
            if root is None:
                root = name
            elif root == SBDH_ROOT:
                if envelope.see(el, name):
                    return Sniffed(syntax="xml", doc_type=clean(envelope.kind, 40),
                                   control_ref=clean(envelope.instance, 100))
            elif name == "ID" and el.getparent() is not None and el.getparent().getparent() is None:
                return Sniffed(syntax="xml", doc_type=clean(root, 40),
                               control_ref=clean(_element_text(el), 100))
            if count > 200:
                break
    except (etree.XMLSyntaxError, ValueError):  # lxml raises ValueError for some broken names
        pass
    return Sniffed(syntax="xml", doc_type=clean(root, 40))


SBDH_ROOT = "StandardBusinessDocument"


class _Envelope:
    """A Peppol SBDH seen element by element: the document's kind is the root's child after the
    header, the control reference the header's DocumentIdentification/InstanceIdentifier."""

    def __init__(self) -> None:
        self.kind: str | None = None
        self.instance: str | None = None

    def see(self, el: etree._Element, name: str) -> bool:
        """Take what `el` tells; True once the kind is known (the header, read first, is done)."""
        parent = el.getparent()
        if parent is None:
            return False
        if name == "InstanceIdentifier" and _local_name(parent.tag) == "DocumentIdentification":
            self.instance = _element_text(el)
        elif parent.getparent() is None and name != "StandardBusinessDocumentHeader":
            self.kind = name
        return self.kind is not None


def _local_name(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _element_text(el: etree._Element) -> str | None:
    # At a "start" event the text may not be read yet; cbc:ID is short and comes in one piece.
    return (el.text or "").strip() or None

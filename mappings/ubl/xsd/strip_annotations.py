"""Copy the UBL 2.1 (or 2.3) schemas the hub needs, without their xsd:annotation documentation.

Usage: python mappings/ubl/xsd/strip_annotations.py SOURCE_XSD_DIR [DEST_DIR]
SOURCE_XSD_DIR is the OASIS `xsd` folder (with `common/` and `maindoc/`) of UBL 2.1 or 2.3 (told apart by
its common files); DEST_DIR defaults to the folder of this script for 2.1 and its `2.3/` folder for 2.3.
The folder layout is kept so the relative schemaLocation imports still resolve.
Annotations hold only documentation (CommonAggregateComponents shrinks from 2.4 MB to about 0.24 MB).
"""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree

XSD_NS = "http://www.w3.org/2001/XMLSchema"
MAINDOCS = (
    "Order", "OrderResponse", "OrderResponseSimple", "DespatchAdvice", "Invoice", "CreditNote",
    "ApplicationResponse", "OrderChange", "OrderCancellation", "Catalogue", "InventoryReport",
    "RemittanceAdvice",
)
# The Peppol advanced ordering documents (T114, T115) are UBL 2.3.
MAINDOCS_23 = ("OrderChange", "OrderCancellation")


def strip(src: Path, dest: Path) -> int:
    """Write src without xsd:annotation elements (and comments) to dest; return the new size."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                             remove_blank_text=True)
    tree = etree.parse(str(src), parser)
    for ann in tree.getroot().findall(f".//{{{XSD_NS}}}annotation"):
        ann.getparent().remove(ann)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Serializing the root (not the tree) also drops the xmldsig schema's internal DTD subset, which
    # declares nothing the schema uses; the packaged schemas then load with DTDs refused.
    data = etree.tostring(tree.getroot(), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    dest.write_bytes(data)
    return len(data)


def main(argv: list[str]) -> int:
    src_root = Path(argv[1])
    v23 = (src_root / "common" / "UBL-CommonAggregateComponents-2.3.xsd").is_file()
    default = Path(__file__).parent / "2.3" if v23 else Path(__file__).parent
    dest_root = Path(argv[2]) if len(argv) > 2 else default
    files = sorted((src_root / "common").glob("*.xsd"))
    files += [src_root / "maindoc" / f"UBL-{name}-{'2.3' if v23 else '2.1'}.xsd"
              for name in (MAINDOCS_23 if v23 else MAINDOCS)]
    for src in files:
        size = strip(src, dest_root / src.relative_to(src_root))
        print(f"{src.relative_to(src_root)}: {src.stat().st_size} -> {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Refresh this folder from the team's shared conformance material (run by hand, never by the suite).

Usage: python tests/conformance/vendor.py [SHARED_DIR]
SHARED_DIR is the folder holding `corpus/` and `oracles/` (by default `shared/` beside the repository).
The corpus files and the validator (`validate.py`, the EN 16931 and OpenPeppol XSLT) are copied byte for
byte; the OASIS UBL 2.1 and 2.3 schemas are copied without their `xsd:annotation` documentation (and the
xmldsig schema's internal DTD subset), which keeps each file under 1 MiB and changes nothing they
validate. This copy is the tests' own: the product's schemas and rules under `mappings/` are separate.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
XSD_NS = "http://www.w3.org/2001/XMLSchema"
COPIED_AS_IS = ("validate.py", "README.md", "en16931", "peppol-2026.5")


def strip_annotations(src: Path, dest: Path) -> None:
    """Write the schema src to dest without its documentation annotations."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=False)
    tree = etree.parse(str(src), parser)
    for annotation in tree.getroot().findall(f".//{{{XSD_NS}}}annotation"):
        annotation.getparent().remove(annotation)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(etree.tostring(tree.getroot(), xml_declaration=True, encoding="UTF-8"))


def copy_tree(src: Path, dest: Path) -> None:
    """Replace dest with a copy of src (a file or a folder)."""
    if dest.is_dir():
        shutil.rmtree(dest)
    if src.is_dir():
        shutil.copytree(src, dest)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else HERE.parents[2] / "shared"
    copy_tree(shared / "corpus", HERE / "corpus")
    for name in COPIED_AS_IS:
        copy_tree(shared / "oracles" / name, HERE / "oracles" / name)
    for version in ("ubl-2.1", "ubl-2.3"):
        target = HERE / "oracles" / version
        if target.is_dir():
            shutil.rmtree(target)
        for xsd in sorted((shared / "oracles" / version).rglob("*.xsd")):
            strip_annotations(xsd, target / xsd.relative_to(shared / "oracles" / version))
    for path in HERE.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    print(f"copied from {shared} into {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

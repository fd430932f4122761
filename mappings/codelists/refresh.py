"""Regenerate the `codes` of every stored code list from the official sources; the hub's own `in`/`out`
tables in each file are kept as they are.

    python -m mappings.codelists.refresh PATH/TO/d24a

UN/EDIFACT lists come from the D.24A directory's codes.xml (the UNECE UNTDID, as XML); UN/ECE Rec 20,
ISO 6523 ICD, the Peppol EAS and UNCL 7143 as an item classification's listID from the EN 16931
validation artefacts the hub ships (mappings/ubl/en16931, rules BR-CL-23, BR-CL-10, BR-CL-25, BR-CL-13).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from hub.xmlsafe import parse_xml
from mappings.codelists import DATA

EN16931 = Path(__file__).resolve().parents[1] / "ubl" / "en16931" / "EN16931-UBL-validation.xslt"
EDIFACT_ELEMENTS = {"edifact_1153": "1153", "edifact_1153_fields": "1153", "edifact_3035": "3035",
                    "edifact_3055": "3055",
                    "edifact_1225": "1225", "edifact_4343": "4343", "edifact_6063": "6063",
                    "uncl1001": "1001", "uncl4461": "4461", "uncl5305": "5305"}
EN16931_RULES = {"rec20": "BR-CL-23", "icd": "BR-CL-10", "eas": "BR-CL-25", "uncl7143": "BR-CL-13"}


def edifact_codes(d24a: Path) -> dict[str, list[str]]:
    """Element id -> its codes, from a directory's codes.xml."""
    root = parse_xml((d24a / "codes.xml").read_bytes(), max_bytes=8_000_000, max_elements=200_000)
    return {el.get("id", ""): [c.get("id", "") for c in el] for el in root}


def rule_codes(rule: str) -> list[str]:
    """The codes an EN 16931 BR-CL rule's test lists (the space-separated string it `contains`)."""
    text = EN16931.read_text(encoding="utf-8")
    at = text.index(f"[{rule}]")
    test = text[text.rfind('test="', 0, at):at]
    found = re.search(r"contains\(\s*'([^']+)'", test)
    if found is None:
        raise SystemExit(f"no code string in the test of {rule}")
    return found.group(1).split()


def main(argv: list[str]) -> None:
    """Rewrite the `codes` of each list from the sources."""
    edifact = edifact_codes(Path(argv[0]))
    fresh = {key: edifact[element] for key, element in EDIFACT_ELEMENTS.items()}
    fresh.update({key: rule_codes(rule) for key, rule in EN16931_RULES.items()})
    for key, codes in fresh.items():
        path = DATA / f"{key}.json"
        table = json.loads(path.read_text(encoding="utf-8"))
        table["codes"] = sorted(set(codes))
        path.write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Regenerate `d24a_codes.json`: the D.24A code lists of the coded elements the hub writes.

Run: `python -m mappings.edifact.codelists.generate [DIRECTORIES]` where DIRECTORIES is the shared
`directories/` folder (default `../shared/directories`; its README names the source: the UN/EDIFACT D.24A
directory as kept by pydifact, MIT). Only code values are kept, no titles, and only for `ELEMENTS`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lxml import etree

HERE = Path(__file__).parent
SOURCE = ("UN/EDIFACT D.24A code lists (codes.xml of nerdocs/pydifact commit "
          "fd117631b3928a6661e18765f242b24b693669d2, pydifact/syntax/d24a/data/, MIT), code values only, "
          "for the coded elements the hub writes; regenerate with mappings/edifact/codelists/generate.py")
# Coded elements in the segments the hub's EDIFACT writers emit (BGM, DTM, RFF, NAD, CTA, COM, FII, CUX,
# FTX, PAT, PAI, TAX, MOA, ALC, PCD, LIN, PIA, IMD, QTY, PRI, CNT, PAC, GIN, DOC, AJT, ERC). Elements whose
# D.24A list stands for an external one (6411 units: UN/ECE Rec 20; 6345 ISO 4217; 3207 ISO 3166) are left
# out: D.24A lists only a few of their values.
ELEMENTS = ("1001", "1225", "4343", "2005", "2379", "1153", "3035", "3055", "3139", "3155", "4451",
            "6347", "6343", "4279", "2475", "2009", "2151", "4461", "5283", "5153", "5305", "5025",
            "5463", "7161", "5245", "5249", "7143", "1229", "4347", "7077", "6063", "5125", "5375",
            "5387", "6069", "7065", "7405", "4465", "9321", "1131", "4441", "4453", "1373", "4405")


def main(argv: list[str]) -> None:
    """Read codes.xml from the shared directories folder and write d24a_codes.json."""
    source = Path(argv[0]) if argv else HERE.parents[2].parent / "shared" / "directories"
    root = etree.parse(str(source / "d24a" / "codes.xml")).getroot()
    lists = {de.get("id"): sorted(c.get("id") for c in de) for de in root
             if de.get("id") in ELEMENTS and len(de)}
    out = {"_comment": SOURCE, "directory": "D24A",
           "codes": {k: lists[k] for k in sorted(lists)}}
    (HERE / "d24a_codes.json").write_text(json.dumps(out, separators=(",", ":")) + "\n",
                                          encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Hand-written sources for the directories that are not available as XML here.

Structures are in an indented notation, one item a line: `TAG M|C max` for a segment, `SGn M|C max` for
a group whose children follow, indented. D.96A ORDERS and INVOIC follow the UN D.96A directory as
published (segment order and repeats cross-checked against the EdiFabric D96A templates); DESADV,
ORDRSP, REMADV and APERAK D.96A are written from the UN D.96A directory from memory and should be
checked against the published text when one is at hand. D.01B is derived from D.24A (see `d01b_from_d24a`
in generate.py) because the two are close for these messages except for payment terms (PAT in D.01B,
PYT in D.24A). The EANCOM 1997 subsets (EAN008) drop the UN segments and groups EANCOM does not use.
"""

from __future__ import annotations

from typing import Any

D24A_MESSAGES = ["ORDERS", "ORDRSP", "DESADV", "INVOIC", "REMADV", "APERAK"]

_PAT = [["4279", "M", "an", 3, 1],
        ["C110", "C", 1, [["4277", "C", "an", 17], ["1131", "C", "an", 17], ["3055", "C", "an", 3],
                          ["4276", "C", "an", 35], ["4276", "C", "an", 35]]],
        ["C112", "C", 1, [["2475", "M", "an", 3], ["2009", "C", "an", 3], ["2151", "C", "an", 3],
                          ["2152", "C", "n", 3]]]]

# Element types and lengths by element id, and whole segments, where a directory differs from D.24A.
# Only differences known for certain are listed; elsewhere D.24A's (longer) lengths apply.
SEGMENT_OVERLAYS: dict[str, dict[str, Any]] = {
    "D96A": {
        "comment": "UN/EDIFACT D.96A, as differences from D.24A: element lengths and types that changed "
                   "since (6060 Quantity was n..15, 5004 Monetary amount n..18, ...), segments laid out "
                   "differently (NAD had 3229 where D.24A has C819; COM C076 did not repeat) and PAT, "
                   "withdrawn since. Written from the D.96A directory.",
        "elements": {"6060": ["n", 15], "5004": ["n", 18], "1004": ["an", 35], "1154": ["an", 35],
                     "3036": ["an", 35], "3042": ["an", 35], "7008": ["an", 35], "4440": ["an", 70],
                     "3251": ["an", 9], "6411": ["an", 3], "6314": ["n", 18], "1050": ["an", 6]},
        "segments": {
            "PAT": _PAT,
            "NAD": [["3035", "M", "an", 3, 1],
                    ["C082", "C", 1, [["3039", "M", "an", 35], ["1131", "C", "an", 17],
                                      ["3055", "C", "an", 3]]],
                    ["C058", "C", 1, [["3124", "M", "an", 35]] + [["3124", "C", "an", 35]] * 4],
                    ["C080", "C", 1, [["3036", "M", "an", 35]] + [["3036", "C", "an", 35]] * 4
                     + [["3045", "C", "an", 3]]],
                    ["C059", "C", 1, [["3042", "M", "an", 35]] + [["3042", "C", "an", 35]] * 3],
                    ["3164", "C", "an", 35, 1], ["3229", "C", "an", 9, 1], ["3251", "C", "an", 9, 1],
                    ["3207", "C", "an", 3, 1]],
            "COM": [["C076", "M", 1, [["3148", "M", "an", 512], ["3155", "M", "an", 3]]]],
            "FTX": [["4451", "M", "an", 3, 1], ["4453", "C", "an", 3, 1],
                    ["C107", "C", 1, [["4441", "M", "an", 3], ["1131", "C", "an", 17],
                                      ["3055", "C", "an", 3]]],
                    ["C108", "C", 1, [["4440", "M", "an", 70]] + [["4440", "C", "an", 70]] * 4],
                    ["3453", "C", "an", 3, 1]],
            "RFF": [["C506", "M", 1, [["1153", "M", "an", 3], ["1154", "C", "an", 35], ["1156", "C", "an", 6],
                                      ["4000", "C", "an", 35], ["1060", "C", "an", 6]]]],
        },
    },
    "D01B": {
        "comment": "UN/EDIFACT D.01B, as differences from D.24A: 6060 Quantity was n..15; PAT (payment "
                   "terms basis) still existed. Written from the D.01B directory.",
        "elements": {"6060": ["n", 15]},
        "segments": {"PAT": _PAT},
    },
}

ORDERS_D96A = """
UNH M 1
BGM M 1
DTM M 35
PAI C 1
ALI C 5
IMD C 1
FTX C 99
SG1 C 10
  RFF M 1
  DTM C 5
SG2 C 99
  NAD M 1
  LOC C 25
  FII C 5
  SG3 C 10
    RFF M 1
    DTM C 5
  SG4 C 5
    DOC M 1
    DTM C 5
  SG5 C 5
    CTA M 1
    COM C 5
SG6 C 5
  TAX M 1
  MOA C 1
  LOC C 5
SG7 C 5
  CUX M 1
  PCD C 5
  DTM C 5
SG8 C 10
  PAT M 1
  DTM C 5
  PCD C 1
  MOA C 1
SG9 C 10
  TDT M 1
  SG10 C 10
    LOC M 1
    DTM C 5
SG11 C 5
  TOD M 1
  LOC C 2
SG12 C 10
  PAC M 1
  MEA C 5
  SG13 C 5
    PCI M 1
    RFF C 1
    DTM C 5
    GIN C 10
SG14 C 10
  EQD M 1
  HAN C 5
  MEA C 5
  FTX C 5
SG15 C 10
  SCC M 1
  FTX C 5
  RFF C 5
  SG16 C 10
    QTY M 1
    DTM C 5
SG17 C 25
  APR M 1
  DTM C 5
  RNG C 1
SG18 C 15
  ALC M 1
  ALI C 5
  DTM C 5
  SG19 C 1
    QTY M 1
    RNG C 1
  SG20 C 1
    PCD M 1
    RNG C 1
  SG21 C 2
    MOA M 1
    RNG C 1
  SG22 C 1
    RTE M 1
    RNG C 1
  SG23 C 5
    TAX M 1
    MOA C 1
SG24 C 100
  RCS M 1
  RFF C 5
  DTM C 5
  FTX C 5
SG25 C 200000
  LIN M 1
  PIA C 25
  IMD C 99
  MEA C 5
  QTY C 10
  PCD C 5
  ALI C 5
  DTM C 35
  MOA C 10
  GIN C 1000
  GIR C 1000
  QVR C 1
  DOC C 5
  PAI C 1
  FTX C 99
  SG26 C 999
    CCI M 1
    CAV C 10
    MEA C 10
  SG27 C 10
    PAT M 1
    DTM C 5
    PCD C 1
    MOA C 1
  SG28 C 25
    PRI M 1
    CUX C 1
    APR C 1
    RNG C 1
    DTM C 5
  SG29 C 10
    RFF M 1
    DTM C 5
  SG30 C 10
    PAC M 1
    MEA C 5
    QTY C 5
    DTM C 5
    SG31 C 1
      RFF M 1
      DTM C 5
    SG32 C 5
      PCI M 1
      RFF C 1
      DTM C 5
      GIN C 10
  SG33 C 9999
    LOC M 1
    QTY C 1
    DTM C 5
  SG34 C 10
    TAX M 1
    MOA C 1
    LOC C 5
  SG35 C 99
    NAD M 1
    LOC C 5
    SG36 C 5
      RFF M 1
      DTM C 5
    SG37 C 5
      DOC M 1
      DTM C 5
    SG38 C 5
      CTA M 1
      COM C 5
  SG39 C 99
    ALC M 1
    ALI C 5
    DTM C 5
    SG40 C 1
      QTY M 1
      RNG C 1
    SG41 C 1
      PCD M 1
      RNG C 1
    SG42 C 2
      MOA M 1
      RNG C 1
    SG43 C 1
      RTE M 1
      RNG C 1
    SG44 C 5
      TAX M 1
      MOA C 1
  SG45 C 10
    TDT M 1
    SG46 C 10
      LOC M 1
      DTM C 5
  SG47 C 5
    TOD M 1
    LOC C 2
  SG48 C 10
    EQD M 1
    HAN C 5
    MEA C 5
    FTX C 5
  SG49 C 100
    SCC M 1
    FTX C 5
    RFF C 5
    SG50 C 10
      QTY M 1
      DTM C 5
  SG51 C 100
    RCS M 1
    RFF C 5
    DTM C 5
    FTX C 5
  SG52 C 10
    STG M 1
    SG53 C 3
      QTY M 1
      MOA C 1
UNS M 1
MOA C 12
CNT C 10
SG54 C 10
  ALC M 1
  ALI C 1
  MOA M 2
UNT M 1
"""

INVOIC_D96A = """
UNH M 1
BGM M 1
DTM M 35
PAI C 1
ALI C 5
IMD C 1
FTX C 10
SG1 C 99
  RFF M 1
  DTM C 5
SG2 C 99
  NAD M 1
  LOC C 25
  FII C 5
  SG3 C 9999
    RFF M 1
    DTM C 5
  SG4 C 5
    DOC M 1
    DTM C 5
  SG5 C 5
    CTA M 1
    COM C 5
SG6 C 5
  TAX M 1
  MOA C 1
  LOC C 5
SG7 C 5
  CUX M 1
  DTM C 5
SG8 C 10
  PAT M 1
  DTM C 5
  PCD C 1
  MOA C 1
  PAI C 1
  FII C 1
SG9 C 10
  TDT M 1
  SG10 C 10
    LOC M 1
    DTM C 5
  SG11 C 9999
    RFF M 1
    DTM C 5
SG12 C 5
  TOD M 1
  LOC C 2
SG13 C 1000
  PAC M 1
  MEA C 5
  SG14 C 5
    PCI M 1
    RFF C 1
    DTM C 5
    GIN C 5
SG15 C 9999
  ALC M 1
  ALI C 5
  SG16 C 5
    RFF M 1
    DTM C 5
  SG17 C 1
    QTY M 1
    RNG C 1
  SG18 C 1
    PCD M 1
    RNG C 1
  SG19 C 2
    MOA M 1
    RNG C 1
  SG20 C 1
    RTE M 1
    RNG C 1
  SG21 C 5
    TAX M 1
    MOA C 1
SG22 C 100
  RCS M 1
  RFF C 5
  DTM C 5
  FTX C 5
SG23 C 1
  AJT M 1
  FTX C 5
SG24 C 1
  INP M 1
  FTX C 5
SG25 C 9999999
  LIN M 1
  PIA C 25
  IMD C 10
  MEA C 5
  QTY C 5
  PCD C 1
  ALI C 5
  DTM C 35
  GIN C 1000
  GIR C 1000
  QVR C 1
  EQD C 1
  FTX C 5
  SG26 C 5
    MOA M 1
    CUX C 1
  SG27 C 10
    PAT M 1
    DTM C 5
    PCD C 1
    MOA C 1
  SG28 C 25
    PRI M 1
    APR C 1
    RNG C 1
    DTM C 5
  SG29 C 10
    RFF M 1
    DTM C 5
  SG30 C 10
    PAC M 1
    MEA C 5
    SG31 C 5
      PCI M 1
      RFF C 1
      DTM C 5
      GIN C 5
  SG32 C 9999
    LOC M 1
    QTY C 100
    DTM C 5
  SG33 C 99
    TAX M 1
    MOA C 1
    LOC C 5
  SG34 C 20
    NAD M 1
    LOC C 5
    SG35 C 5
      RFF M 1
      DTM C 5
    SG36 C 5
      DOC M 1
      DTM C 5
    SG37 C 5
      CTA M 1
      COM C 5
  SG38 C 15
    ALC M 1
    ALI C 5
    DTM C 5
    SG39 C 1
      QTY M 1
      RNG C 1
    SG40 C 1
      PCD M 1
      RNG C 1
    SG41 C 2
      MOA M 1
      RNG C 1
    SG42 C 1
      RTE M 1
      RNG C 1
    SG43 C 5
      TAX M 1
      MOA C 1
  SG44 C 10
    TDT M 1
    SG45 C 10
      LOC M 1
      DTM C 5
  SG46 C 5
    TOD M 1
    LOC C 2
  SG47 C 100
    RCS M 1
    RFF C 5
    DTM C 5
    FTX C 5
UNS M 1
CNT C 10
SG48 M 100
  MOA M 1
  SG49 C 1
    RFF M 1
    DTM C 5
SG50 C 10
  TAX M 1
  MOA C 2
SG51 C 15
  ALC M 1
  ALI C 1
  MOA C 2
UNT M 1
"""

DESADV_D96A = """
UNH M 1
BGM M 1
DTM C 10
ALI C 5
MEA C 5
MOA C 5
SG1 C 10
  RFF M 1
  DTM C 1
SG2 C 99
  NAD M 1
  LOC C 10
  SG3 C 10
    RFF M 1
    DTM C 1
  SG4 C 10
    CTA M 1
    COM C 5
SG5 C 10
  TOD M 1
  LOC C 5
  FTX C 5
SG6 C 10
  TDT M 1
  PCD C 10
  SG7 C 10
    LOC M 1
    DTM C 10
SG8 C 10
  EQD M 1
  MEA C 5
  SEL C 25
  EQA C 5
  SG9 C 10
    HAN M 1
    FTX C 10
SG10 C 9999
  CPS M 1
  FTX C 5
  SG11 C 9999
    PAC M 1
    MEA C 10
    QTY C 10
    SG12 C 10
      HAN M 1
      FTX C 10
    SG13 C 1000
      PCI M 1
      RFF C 1
      DTM C 5
      GIR C 99
      SG14 C 99
        GIN M 1
        DLM C 10
  SG15 C 9999
    LIN M 1
    PIA C 10
    IMD C 25
    MEA C 10
    QTY C 10
    ALI C 10
    GIN C 100
    GIR C 100
    DLM C 100
    DTM C 5
    FTX C 5
    MOA C 5
    SG16 C 10
      RFF M 1
      DTM C 1
    SG17 C 10
      DGS M 1
      QTY C 1
      FTX C 5
    SG18 C 100
      LOC M 1
      NAD C 1
      DTM C 1
      QTY C 10
    SG19 C 1000
      SGP M 1
      QTY C 10
    SG20 C 9999
      PCI M 1
      DTM C 5
      MEA C 10
      QTY C 1
      SG21 C 10
        GIN M 1
        DLM C 100
      SG22 C 10
        HAN M 1
        FTX C 5
        GIN C 1000
    SG23 C 10
      QVR M 1
      DTM C 5
CNT C 5
UNT M 1
"""

REMADV_D96A = """
UNH M 1
BGM M 1
DTM M 1
RFF C 1
FII C 5
PAI C 1
FTX C 5
SG1 C 6
  NAD M 1
  CTA C 5
  COM C 5
SG2 C 5
  CUX M 1
  DTM C 1
SG3 C 9999
  DOC M 1
  MOA M 5
  DTM C 5
  RFF C 5
  NAD C 2
  SG4 C 5
    CUX M 1
    DTM C 1
  SG5 C 100
    AJT M 1
    MOA C 1
    RFF C 1
    FTX C 5
  SG6 C 9999
    DLI M 1
    MOA C 5
    PIA C 5
    DTM C 5
    SG7 C 5
      CUX M 1
      DTM C 1
    SG8 C 10
      AJT M 1
      MOA C 1
      RFF C 1
      FTX C 5
UNS M 1
MOA M 1
SG9 C 99
  ALC M 1
  MOA C 1
UNT M 1
"""

APERAK_D96A = """
UNH M 1
BGM M 1
DTM C 9
FTX C 9
CNT C 9
SG1 C 99
  DOC M 1
  DTM C 99
SG2 C 9
  RFF M 1
  DTM C 9
SG3 C 9
  NAD M 1
  CTA C 9
  COM C 9
SG4 C 99999
  ERC M 1
  FTX C 1
  SG5 C 9
    RFF M 1
    FTX C 9
UNT M 1
"""

# ORDRSP D.96A has the same shape as ORDERS D.96A, less the header scheduling and stage groups.
ORDRSP_D96A = ORDERS_D96A

CONTRL = """
UNH M 1
UCI M 1
SG1 C 999999
  UCM M 1
  SG2 C 999
    UCS M 1
    UCD C 99
SG3 C 999999
  UCF M 1
  SG4 C 999999
    UCM M 1
    SG5 C 999
      UCS M 1
      UCD C 99
UNT M 1
"""

_D96A = "UN/EDIFACT D.96A {m}, written out from the published D.96A directory (see versions.py)."
STRUCTURES: dict[tuple[str, str, str | None], tuple[str, str]] = {
    ("ORDERS", "D96A", None): (_D96A.format(m="ORDERS"), ORDERS_D96A),
    ("ORDRSP", "D96A", None): (_D96A.format(m="ORDRSP") + " Written as ORDERS D.96A: same shape.",
                               ORDRSP_D96A),
    ("INVOIC", "D96A", None): (_D96A.format(m="INVOIC"), INVOIC_D96A),
    ("DESADV", "D96A", None): (_D96A.format(m="DESADV") + " Repeats written from memory.", DESADV_D96A),
    ("REMADV", "D96A", None): (_D96A.format(m="REMADV") + " Repeats written from memory.", REMADV_D96A),
    ("APERAK", "D96A", None): (_D96A.format(m="APERAK"), APERAK_D96A),
    ("CONTRL", "D3", None): ("CONTRL, syntax version 3 and 4 (ISO 9735; the same segment groups in "
                             "both).", CONTRL),
}

# EANCOM 1997 subsets of D.96A: the UN structure less what EANCOM does not use (paths of dropped items).
EANCOM_DROPS: dict[tuple[str, str, str], tuple[str, list[str]]] = {
    ("ORDERS", "D96A", "EAN008"): (
        "EANCOM 1997 ORDERS (EAN008), subset of UN D.96A ORDERS: the segments and groups EANCOM leaves "
        "out are dropped (written from the EANCOM 1997 manual).",
        ["IMD", "SG2/SG4", "SG17", "SG24", "SG25/GIR", "SG25/DOC", "SG25/PAI", "SG25/SG26",
         "SG25/SG35/SG37", "SG25/SG51", "SG25/SG52", "SG54"]),
    ("INVOIC", "D96A", "EAN008"): (
        "EANCOM 1997 INVOIC (EAN008), subset of UN D.96A INVOIC: the segments and groups EANCOM leaves "
        "out are dropped (written from the EANCOM 1997 manual).",
        ["IMD", "SG2/SG4", "SG22", "SG23", "SG24", "SG25/EQD", "SG25/SG34/SG36", "SG25/SG47"]),
}

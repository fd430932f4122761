"""Regenerate the JSON structure and segment files in this folder.

Run: `python -m mappings.edifact.structures.generate [DIRECTORIES]` where DIRECTORIES is the shared
`directories/` folder (default `../shared/directories`). D.24A comes from its XML; D.96A, D.01B and the
EANCOM subsets are written out in `versions.py` beside this script (as indented text, one per message,
converted from the bots-edi grammars named there), because no copy of those directories is kept here.
The JSON files are what the validator reads; this script is only needed when the sources change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lxml import etree

from mappings.edifact.structures import versions

HERE = Path(__file__).parent
Item = dict[str, Any]

# Service segments used inside messages, syntax version 4 (ISO 9735-1:2002 / -2); their composites
# are not described in the shared XML, so they are written out here.
SERVICE_SEGMENTS: dict[str, list[Any]] = {
    "UNH": [
        ["0062", "M", "an", 14, 1],
        ["S009", "M", 1, [["0065", "M", "an", 6], ["0052", "M", "an", 3], ["0054", "M", "an", 3],
                          ["0051", "M", "an", 3], ["0057", "C", "an", 6], ["0110", "C", "an", 6],
                          ["0113", "C", "an", 6]]],
        ["0068", "C", "an", 35, 1],
        ["S010", "C", 1, [["0070", "M", "n", 2], ["0073", "C", "a", 1]]],
        ["S016", "C", 1, [["0115", "M", "an", 14], ["0116", "C", "an", 3], ["0118", "C", "an", 3],
                          ["0051", "C", "an", 3]]],
        ["S017", "C", 1, [["0121", "M", "an", 14], ["0122", "C", "an", 3], ["0124", "C", "an", 3],
                          ["0051", "C", "an", 3]]],
        ["S018", "C", 1, [["0127", "M", "an", 14], ["0128", "C", "an", 3], ["0130", "C", "an", 3],
                          ["0051", "C", "an", 3]]],
    ],
    "UNT": [["0074", "M", "n", 10, 1], ["0062", "M", "an", 14, 1]],
    "UNS": [["0081", "M", "a", 1, 1]],
    # CONTRL (syntax 3 and 4 share these positions; syntax 4 adds trailing ones, all conditional)
    "UCI": [
        ["0020", "M", "an", 14, 1],
        ["S002", "M", 1, [["0004", "M", "an", 35], ["0007", "C", "an", 4], ["0008", "C", "an", 35],
                          ["0042", "C", "an", 35]]],
        ["S003", "M", 1, [["0010", "M", "an", 35], ["0007", "C", "an", 4], ["0014", "C", "an", 35],
                          ["0046", "C", "an", 35]]],
        ["0083", "M", "an", 3, 1], ["0085", "C", "an", 3, 1], ["0013", "C", "an", 3, 1],
        ["S011", "C", 1, [["0098", "M", "n", 3], ["0104", "C", "n", 3], ["0136", "C", "n", 6]]],
        ["0534", "C", "an", 35, 1], ["0138", "C", "n", 3, 1],
    ],
    "UCM": [
        ["0062", "M", "an", 14, 1],
        ["S009", "M", 1, [["0065", "M", "an", 6], ["0052", "M", "an", 3], ["0054", "M", "an", 3],
                          ["0051", "M", "an", 3], ["0057", "C", "an", 6], ["0110", "C", "an", 6],
                          ["0113", "C", "an", 6]]],
        ["0083", "M", "an", 3, 1], ["0085", "C", "an", 3, 1], ["0135", "C", "an", 3, 1],
        ["S011", "C", 1, [["0098", "M", "n", 3], ["0104", "C", "n", 3], ["0136", "C", "n", 6]]],
        ["0534", "C", "an", 35, 1], ["0800", "C", "an", 35, 1],
    ],
    "UCS": [["0096", "M", "n", 6, 1], ["0085", "C", "an", 3, 1]],
    "UCD": [["0085", "M", "an", 3, 1],
            ["S011", "M", 1, [["0098", "M", "n", 3], ["0104", "C", "n", 3], ["0136", "C", "n", 6]]]],
    "UCF": [
        ["0048", "M", "an", 14, 1],
        ["S006", "C", 1, [["0040", "M", "an", 35], ["0007", "C", "an", 4]]],
        ["S007", "C", 1, [["0044", "M", "an", 35], ["0007", "C", "an", 4]]],
        ["0083", "M", "an", 3, 1], ["0085", "C", "an", 3, 1], ["0135", "C", "an", 3, 1],
        ["S011", "C", 1, [["0098", "M", "n", 3], ["0104", "C", "n", 3], ["0136", "C", "n", 6]]],
        ["0534", "C", "an", 35, 1],
    ],
}

SEGMENTS_HEADER = (
    "Segment specs: tag -> positions in order. A simple element is [id, M|C, type, maxlength, repeat]; "
    "a composite is [id, M|C, repeat, [[component id, M|C, type, maxlength], ...]]. Types: a, n, an. "
)


def _usage(node: etree._Element) -> str:
    return "M" if node.get("required") == "true" else "C"


def d24a_segments(directories: Path) -> dict[str, list[Any]]:
    """Every D.24A segment's positions, read from segments.xml, plus the service segments."""
    tree = etree.parse(str(directories / "d24a" / "segments.xml"),
                       etree.XMLParser(resolve_entities=False, no_network=True))
    out: dict[str, list[Any]] = {}
    for seg in tree.getroot().iter("segment"):
        positions: list[Any] = []
        for child in seg:
            repeat = int(child.get("repeat") or 1)
            if child.tag == "data_element":
                positions.append([child.get("id"), _usage(child), child.get("type"),
                                  int(child.get("maxlength") or 0), repeat])
            elif child.tag == "composite_data_element":
                comps = [[c.get("id"), _usage(c), c.get("type"), int(c.get("maxlength") or 0)]
                         for c in child if c.tag == "data_element"]
                positions.append([child.get("id"), _usage(child), repeat, comps])
        out[seg.get("id") or ""] = positions
    out.update(SERVICE_SEGMENTS)
    return dict(sorted(out.items()))


def _xml_items(node: etree._Element) -> list[Item]:
    items: list[Item] = []
    for child in node:
        if child.tag == "segment":
            items.append({"tag": child.get("id"), "required": child.get("required") == "true",
                          "max": int(child.get("maxrepeat") or 1)})
        elif child.tag == "group":
            items.append({"group": child.get("id"), "required": child.get("required") == "true",
                          "max": int(child.get("maxrepeat") or 1), "items": _xml_items(child)})
    return items


def d24a_structure(directories: Path, message: str) -> list[Item]:
    """The D.24A structure of one message, read from messages/<type>.xml."""
    tree = etree.parse(str(directories / "d24a" / "messages" / f"{message.lower()}.xml"),
                       etree.XMLParser(resolve_entities=False, no_network=True))
    return _xml_items(tree.getroot())


def parse_text(text: str) -> list[Item]:
    """Parse the indented notation of versions.py: `TAG M|C max` or `SGn M|C max` with children indented."""
    root: list[Item] = []
    stack: list[tuple[int, list[Item]]] = [(-1, root)]
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        name, usage, maximum = line.split()
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        item: Item
        if name[:2] == "SG" and name[2:].isdigit():
            item = {"group": name, "required": usage == "M", "max": int(maximum), "items": []}
            parent.append(item)
            stack.append((indent, item["items"]))
        else:
            parent.append({"tag": name, "required": usage == "M", "max": int(maximum)})
    return root


def drop_paths(items: list[Item], paths: list[str], prefix: str = "") -> list[Item]:
    """The items less those whose path (group names and tag joined by '/', e.g. SG25/GIR) is listed."""
    out: list[Item] = []
    for item in items:
        path = prefix + (item.get("group") or item["tag"])
        if path in paths:
            continue
        if "group" in item:
            item = {**item, "items": drop_paths(item["items"], paths, path + "/")}
        out.append(item)
    return out


def _compact(value: Any, indent: str = "") -> str:
    """JSON with one segment per line, so that the files read like the directory's structure tables."""
    if isinstance(value, dict) and "items" in value:
        head = ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in value.items() if k != "items")
        inner = ",\n".join(indent + "  " + _compact(v, indent + "  ") for v in value["items"])
        return "{" + head + ', "items": [\n' + inner + "\n" + indent + "]}"
    if isinstance(value, dict) and indent == "":
        body = ",\n".join(f" {json.dumps(k)}: {_compact(v, ' ')}" for k, v in value.items())
        return "{\n" + body + "\n}"
    if isinstance(value, list) and value and isinstance(value[0], dict):
        inner = ",\n".join(indent + "  " + _compact(v, indent + "  ") for v in value)
        return "[\n" + inner + "\n" + indent + "]"
    if isinstance(value, dict) and value and isinstance(next(iter(value.values())), list) and indent:
        return "{\n" + ",\n".join(f"{indent} {json.dumps(k)}: {json.dumps(v)}" for k, v in value.items()) \
            + "\n" + indent + "}"
    return json.dumps(value, ensure_ascii=False)


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(_compact(data) + "\n", encoding="utf-8")


def main(argv: list[str]) -> None:
    """Write segments_*.json and <message>_<version>.json."""
    directories = Path(argv[1] if len(argv) > 1 else HERE.parents[2] / ".." / "shared" / "directories")
    write_json(HERE / "segments_d24a.json", {
        "_comment": SEGMENTS_HEADER + "Source: UN/EDIFACT D.24A segments.xml (shared/directories, from "
                    "pydifact's repository); service segments from ISO 9735 syntax 4.",
        "directory": "D24A", "segments": d24a_segments(directories)})
    for directory, overlay in versions.SEGMENT_OVERLAYS.items():
        write_json(HERE / f"segments_{directory.lower()}.json", {
            "_comment": overlay["comment"], "directory": directory, "base": "D24A",
            "elements": overlay["elements"], "segments": overlay["segments"]})
    for message in versions.D24A_MESSAGES:
        items = d24a_structure(directories, message)
        write_json(HERE / f"{message.lower()}_d24a.json", {
            "_comment": f"{message} D.24A, generated from shared/directories/d24a/messages/"
                        f"{message.lower()}.xml (pydifact's copy of the UN directory).",
            "message": message, "directory": "D24A", "association": None, "items": items})
    for (message, directory, association), (comment, text) in versions.STRUCTURES.items():
        name = f"{message}_{directory}" + (f"_{association}" if association else "")
        write_json(HERE / f"{name.lower()}.json", {
            "_comment": comment, "message": message, "directory": directory,
            "association": association, "items": parse_text(text)})
    for (message, directory, association), (comment, drops) in versions.EANCOM_DROPS.items():
        base = dict(versions.STRUCTURES)[(message, directory, None)][1]
        write_json(HERE / f"{message}_{directory}_{association}.json".lower(), {
            "_comment": comment, "message": message, "directory": directory,
            "association": association, "items": drop_paths(parse_text(base), drops)})


if __name__ == "__main__":
    main(sys.argv)

"""Segment and element definitions per directory, loaded from `structures/segments_<dir>.json`.

D.24A is complete; an older directory's file holds only its differences from D.24A (element types and
lengths that changed, segments laid out differently or withdrawn since), applied here on load.
Each segment compiles once into tuples so that checking an element is a few comparisons.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

STRUCTURES = Path(__file__).parent / "structures"


@dataclass(frozen=True, slots=True)
class Component:
    """One component of a composite, or the single value of a simple element."""

    id: str
    required: bool
    type: str  # "a", "n" or "an"
    max_length: int


@dataclass(frozen=True, slots=True)
class Position:
    """One element position of a segment: a simple element (one component) or a composite."""

    id: str
    required: bool
    repeat: int
    composite: bool
    components: tuple[Component, ...]


SegmentSpec = tuple[Position, ...]


def _position(raw: list[Any]) -> Position:
    if isinstance(raw[3], list):  # composite: [id, usage, repeat, [[id, usage, type, max], ...]]
        comps = tuple(Component(c[0], c[1] == "M", c[2], int(c[3])) for c in raw[3])
        return Position(raw[0], raw[1] == "M", int(raw[2]), True, comps)
    # simple: [id, usage, type, max, repeat]
    return Position(raw[0], raw[1] == "M", int(raw[4]), False,
                    (Component(raw[0], True, raw[2], int(raw[3])),))


def _retype(position: Position, elements: dict[str, list[Any]]) -> Position:
    """Apply an overlay's element type/length changes (by element id) to one position."""
    comps = tuple(
        Component(c.id, c.required, elements[c.id][0], int(elements[c.id][1])) if c.id in elements else c
        for c in position.components)
    return Position(position.id, position.required, position.repeat, position.composite, comps)


def _read(directory: str) -> dict[str, Any]:
    path = STRUCTURES / f"segments_{directory.lower()}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def segment_specs(directory: str) -> dict[str, SegmentSpec]:
    """Every segment's positions in `directory` (e.g. "D96A"), tag -> tuple of positions."""
    data = _read(directory)
    base = data.get("base")
    specs: dict[str, SegmentSpec] = dict(segment_specs(base)) if base else {}
    elements: dict[str, list[Any]] = data.get("elements", {})
    if elements:
        specs = {tag: tuple(_retype(p, elements) for p in spec) for tag, spec in specs.items()}
    for tag, raw in data["segments"].items():
        if raw is None:  # not in this directory
            specs.pop(tag, None)
        else:
            specs[tag] = tuple(_position(p) for p in raw)
    return specs


@cache
def known_directories() -> tuple[str, ...]:
    """Directories that have a segments file, e.g. ("D01B", "D24A", "D96A")."""
    return tuple(sorted(p.stem.split("_", 1)[1].upper() for p in STRUCTURES.glob("segments_*.json")))

"""Shared by the mapping tests: parse a file's messages with the registry and the partner's profile."""

from __future__ import annotations

from pathlib import Path

from hub.domain.documents import Document
from hub.domain.errors import Problem
from mappings.edifact import registry
from mappings.edifact.profile import PartnerProfile
from tests.unit.edifact._adapter import load


def parse_file(path: Path, profile: PartnerProfile,
               warnings: list[Problem] | None = None) -> list[Document]:
    """Every message of the interchange in `path`, mapped to its canonical document."""
    interchange = load(path)
    docs = []
    for message in interchange.messages:
        mapping = registry.lookup(message.type, message.directory, registry.INBOUND, profile.partner_id)
        docs.append(mapping.parse(message, profile, decimal_mark=interchange.separators.decimal,
                                  warnings=warnings))
    return docs

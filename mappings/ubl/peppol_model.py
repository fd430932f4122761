"""The data model of a Peppol ordering transaction, read from its vendored rules, and a rendered document
fitted to it.

The OpenPeppol ordering rules list every element a transaction allows (one template per path) and refuse
anything else below an element they describe ("MUST NOT contain elements not part of the data model").
The hub's renderers write what the canonical document holds; `fit_peppol` then places party names where
the transaction wants them (a registered name when it has no trade name) and leaves out what the
transaction has no place for (a tax scheme on an order response party, say).
"""

from __future__ import annotations

import re
from functools import cache

from lxml import etree

from mappings.ubl.common import CAC, CBC, text
from mappings.ubl.peppol_rules import rules_file

_MATCH = re.compile(r'match="(/ubl:[A-Za-z]+(?:/(?:cac|cbc):[A-Za-z]+)*)(/\*)?"')
_PREFIX = re.compile(r"\b(?:ubl|cac|cbc):")


class DataModel:
    """Paths (local names joined by '/', from the root) the transaction allows, and the elements whose
    children it restricts."""

    def __init__(self, allowed: frozenset[str], restricted: frozenset[str]) -> None:
        self.allowed = allowed
        self.restricted = restricted

    def refuses(self, path: str) -> bool:
        """Whether an element at path is outside the data model."""
        parent = path.rpartition("/")[0]
        return parent in self.restricted and path not in self.allowed


@cache
def data_model(customization_id: str) -> DataModel | None:
    """The data model of the Peppol transaction a CustomizationID names (None for billing or unknown)."""
    path = rules_file(customization_id)
    if path is None or not path.name.startswith("PEPPOLBIS-T"):
        return None
    allowed: set[str] = set()
    restricted: set[str] = set()
    for match in _MATCH.finditer(path.read_text(encoding="utf-8")):
        local = _PREFIX.sub("", match.group(1)).lstrip("/")
        (restricted if match.group(2) else allowed).add(local)
    return DataModel(frozenset(allowed), frozenset(restricted))


def fit_peppol(root: etree._Element) -> None:
    """Fit a rendered ordering document to its transaction's data model (in place)."""
    model = data_model(text(root, "cbc:CustomizationID") or "")
    if model is None:
        return
    name = etree.QName(root).localname
    for party in root.iter(f"{{{CAC}}}Party"):
        _place_names(party, _path_of(party, name), model)
    _prune(root, name, model)


def _path_of(el: etree._Element, root_name: str) -> str:
    steps = [etree.QName(a).localname for a in reversed(list(el.iterancestors()))][1:]
    return "/".join([root_name, *steps, etree.QName(el).localname])


def _place_names(party: etree._Element, path: str, model: DataModel) -> None:
    """Give the registered name the party's name when the transaction wants a legal entity and none
    was written (a trade name alone is all EDIFACT's NAD has)."""
    legal_path = f"{path}/PartyLegalEntity/RegistrationName"
    name = text(party, "cac:PartyName/cbc:Name")
    has_legal_name = text(party, "cac:PartyLegalEntity/cbc:RegistrationName") is not None
    if name is None or legal_path not in model.allowed or has_legal_name:
        return
    legal = party.find(f"{{{CAC}}}PartyLegalEntity")
    if legal is None:
        legal = etree.SubElement(party, f"{{{CAC}}}PartyLegalEntity")
    registration = etree.Element(f"{{{CBC}}}RegistrationName")
    registration.text = name
    legal.insert(0, registration)


def _prune(el: etree._Element, path: str, model: DataModel) -> None:
    for child in list(el):
        if not isinstance(child.tag, str):
            continue
        child_path = f"{path}/{etree.QName(child).localname}"
        if model.refuses(child_path):
            el.remove(child)
        else:
            _prune(child, child_path, model)

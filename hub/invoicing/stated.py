"""The figures an ERP states on an invoice it posts, held against the ones the hub computes (EN 16931).

An ERP has its own arithmetic; when it disagrees with the standard's, the invoice is refused with each
figure named and both values (`totals.payable: stated 121.00, computed 100.00`), never issued with one
or the other silently. Stated figures are optional: what the ERP leaves out is not compared. Pure Python.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hub.domain.errors import Problem
from hub.invoicing.arithmetic import Figures, rate_key
from hub.invoicing.domain import decimal_or_none

TOTALS = ("line_total", "allowance_total", "charge_total", "tax_exclusive", "tax_total", "tax_inclusive",
          "prepaid", "payable")


def disagreements(request: dict[str, Any], figures: Figures, where: str = "") -> list[Problem]:
    """Every stated figure of `request` (lines[i].line_amount, taxes[j], totals.*) that differs from
    `figures`, named under `where` (e.g. `invoices[2].`)."""
    problems: list[Problem] = []
    lines = request.get("lines")
    lines = lines if isinstance(lines, list) else []
    for i, (line, computed) in enumerate(zip(lines, figures.line_amounts, strict=False)):
        if isinstance(line, dict):
            _compare(problems, f"{where}lines[{i}].line_amount", line.get("line_amount"), computed)
    totals = request.get("totals")
    if isinstance(totals, dict):
        for name in TOTALS:
            _compare(problems, f"{where}totals.{name}", totals.get(name),
                     getattr(figures.totals, name) or Decimal(0))
    taxes = request.get("taxes")
    if isinstance(taxes, list):
        problems += _taxes(taxes, figures, f"{where}taxes")
    return problems


def _taxes(taxes: list[Any], figures: Figures, where: str) -> list[Problem]:
    computed = {rate_key(s.category, s.rate): s for s in figures.subtotals}
    problems: list[Problem] = []
    seen = set()
    for j, tax in enumerate(taxes):
        if not isinstance(tax, dict):
            problems.append(_problem(f"{where}[{j}]", "a tax subtotal is an object"))
            continue
        rate = decimal_or_none(tax.get("rate"))
        key = rate_key(str(tax.get("category") or "").upper(), rate)
        subtotal = computed.get(key)
        if subtotal is None:
            problems.append(_problem(f"{where}[{j}]", f"no line or allowance/charge is in category "
                                                      f"{key[0]} at rate {tax.get('rate')}"))
            continue
        seen.add(key)
        _compare(problems, f"{where}[{j}].taxable_amount", tax.get("taxable_amount"), subtotal.taxable_amount)
        _compare(problems, f"{where}[{j}].tax_amount", tax.get("tax_amount"), subtotal.tax_amount)
    for key, subtotal in computed.items():
        if key not in seen:
            problems.append(_problem(where, f"the subtotal of category {subtotal.category} at rate "
                                            f"{subtotal.rate} (taxable {subtotal.taxable_amount}, tax "
                                            f"{subtotal.tax_amount}) is not stated"))
    return problems


def _compare(problems: list[Problem], element: str, stated: Any, computed: Decimal) -> None:
    if stated is None or stated == "":
        return
    value = decimal_or_none(stated)
    if value is None:
        problems.append(_problem(element, f"{stated!r} is not a number"))
    elif value != computed:
        problems.append(_problem(element, f"stated {stated}, computed {computed}"))



def _problem(element: str, message: str) -> Problem:
    return Problem(code="FIGURES_DISAGREE", message=f"{element}: {message}", element=element)

"""Invoice arithmetic per EN 16931, all Decimal: line net amounts, allowances and charges, one tax subtotal
per category and rate, and totals that add up exactly (BR-CO-10 to BR-CO-16) by construction.

Rounding happens only where the standard fixes a two-decimal amount (each line net amount BT-131, each
allowance or charge amount, each category's tax amount BT-117); every total is then a plain sum of rounded
figures, so the renderers never recompute anything and the validators' sums agree to the cent.
Pure: no framework imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from hub.domain.documents import AllowanceCharge, TaxSubtotal, Totals
from hub.domain.errors import Problem, ValidationError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
# UNCL 5305 categories the hub issues; O is "not subject to VAT" and carries no rate at all.
ZERO_RATED = ("Z", "E", "AE", "K", "G")
CATEGORIES = ("S", *ZERO_RATED, "O")
# Categories whose subtotal needs an exemption reason (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10),
# with the VATEX code and text used when the caller names none.
EXEMPTIONS: dict[str, tuple[str | None, str]] = {
    "E": (None, "Exempt from VAT"),
    "AE": ("VATEX-EU-AE", "Reverse charge"),
    "K": ("VATEX-EU-IC", "Intra-community supply"),
    "G": ("VATEX-EU-G", "Export outside the EU"),
    "O": ("VATEX-EU-O", "Not subject to VAT"),
}


def money(value: Decimal) -> Decimal:
    """value rounded to the cent, halves away from zero (as the EN 16931 rules round)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rate_key(category: str, rate: Decimal | None) -> tuple[str, Decimal | None]:
    """The (category, rate) a subtotal groups by; 19, 19.0 and 19.00 are one rate, O has none."""
    if category == "O":
        return category, None
    if category in ZERO_RATED or not rate:
        return category, Decimal(0) if category in ZERO_RATED else rate
    return category, rate.quantize(CENT).normalize()


@dataclass(frozen=True)
class Adjustment:
    """An allowance or charge as asked: a fixed amount, or a percent of a base amount.

    On a line it follows the line's tax category; on the document it names its own."""

    is_charge: bool
    amount: Decimal | None = None
    percent: Decimal | None = None
    base: Decimal | None = None
    reason: str | None = None
    reason_code: str | None = None
    category: str | None = None
    rate: Decimal | None = None


@dataclass(frozen=True)
class LineInput:
    """What an invoice line's figures follow from: quantity, net price per base quantity, tax, adjustments."""

    quantity: Decimal
    price: Decimal
    category: str
    rate: Decimal | None
    base_quantity: Decimal = Decimal(1)
    adjustments: Sequence[Adjustment] = ()


@dataclass(frozen=True)
class Exemption:
    """The exemption reason of one category (VATEX code and/or text)."""

    code: str | None = None
    text: str | None = None


@dataclass
class Figures:
    """Every amount an invoice carries, computed once; the renderers copy them."""

    line_amounts: list[Decimal]
    line_adjustments: list[list[AllowanceCharge]]
    adjustments: list[AllowanceCharge]
    subtotals: list[TaxSubtotal]
    totals: Totals
    problems: list[Problem] = field(default_factory=list)


def compute(lines: Sequence[LineInput], adjustments: Sequence[Adjustment] = (), *,
            prepaid: Decimal | None = None, exemptions: dict[str, Exemption] | None = None) -> Figures:
    """The invoice's figures; raises ValidationError naming each field (lines[2].price) that is wrong."""
    problems = check(lines, adjustments, prepaid)
    if problems:
        raise ValidationError("the invoice's figures are not consistent", problems=problems)
    with localcontext() as ctx:
        ctx.prec = 40  # exact enough for quantity x price / base quantity before rounding
        amounts, line_acs = zip(*(_line(ln) for ln in lines), strict=True) if lines else ((), ())
        line_total = sum(amounts, ZERO)
        doc_acs = [_resolve(a, _category_base(a, lines, list(amounts)), with_tax=True) for a in adjustments]
        subtotals = _subtotals(lines, list(amounts), adjustments, doc_acs, exemptions or {})
    allowances = [ac.amount for ac in doc_acs if not ac.is_charge]
    charges = [ac.amount for ac in doc_acs if ac.is_charge]
    allowance_total = sum(allowances, ZERO) if allowances else None
    charge_total = sum(charges, ZERO) if charges else None
    tax_exclusive = line_total - (allowance_total or ZERO) + (charge_total or ZERO)
    tax_total = sum((s.tax_amount for s in subtotals), ZERO)
    tax_inclusive = tax_exclusive + tax_total
    totals = Totals(line_total=line_total, allowance_total=allowance_total, charge_total=charge_total,
                    tax_exclusive=tax_exclusive, tax_total=tax_total, tax_inclusive=tax_inclusive,
                    prepaid=money(prepaid) if prepaid else None,
                    payable=tax_inclusive - (money(prepaid) if prepaid else ZERO))
    return Figures(list(amounts), list(line_acs), doc_acs, subtotals, totals)


def _line(line: LineInput) -> tuple[Decimal, list[AllowanceCharge]]:
    gross = money(line.quantity * line.price / line.base_quantity)
    acs = [_resolve(a, gross, with_tax=False) for a in line.adjustments]
    net = gross + sum((ac.amount if ac.is_charge else -ac.amount for ac in acs), ZERO)
    return net, acs


def _resolve(adj: Adjustment, default_base: Decimal, *, with_tax: bool) -> AllowanceCharge:
    """An adjustment with its amount fixed to the cent (a percent of its base: BR-DEC, PEPPOL-R040)."""
    base = money(adj.base) if adj.base is not None else (default_base if adj.percent is not None else None)
    amount = money(adj.amount) if adj.amount is not None else money(
        (base or ZERO) * (adj.percent or ZERO) / HUNDRED)
    category, rate = rate_key(adj.category, adj.rate) if with_tax and adj.category else (None, None)
    return AllowanceCharge(is_charge=adj.is_charge, amount=amount, reason=adj.reason,
                           reason_code=adj.reason_code, base_amount=base,
                           percent=adj.percent if adj.percent is not None else None,
                           tax_category=category, tax_rate=rate)


def _category_base(adj: Adjustment, lines: Sequence[LineInput], amounts: list[Decimal]) -> Decimal:
    """A document percent with no base applies to the lines of its own category and rate."""
    key = rate_key(adj.category or "", adj.rate)
    return sum((a for ln, a in zip(lines, amounts, strict=True) if rate_key(ln.category, ln.rate) == key),
               ZERO)


def _subtotals(lines: Sequence[LineInput], amounts: list[Decimal], adjustments: Sequence[Adjustment],
               resolved: list[AllowanceCharge], exemptions: dict[str, Exemption]) -> list[TaxSubtotal]:
    taxable: dict[tuple[str, Decimal | None], Decimal] = {}
    for line, amount in zip(lines, amounts, strict=True):
        key = rate_key(line.category, line.rate)
        taxable[key] = taxable.get(key, ZERO) + amount
    for adj, ac in zip(adjustments, resolved, strict=True):
        key = rate_key(adj.category or "", adj.rate)
        taxable[key] = taxable.get(key, ZERO) + (ac.amount if ac.is_charge else -ac.amount)
    out = []
    for (category, rate), base in taxable.items():
        code, text = _exemption(category, exemptions)
        tax = money(base * rate / HUNDRED) if rate else ZERO
        out.append(TaxSubtotal(category=category, rate=rate, taxable_amount=base, tax_amount=tax,
                               exemption_reason=text, exemption_reason_code=code))
    return out


def _exemption(category: str, exemptions: dict[str, Exemption]) -> tuple[str | None, str | None]:
    if category not in EXEMPTIONS:
        return None, None  # S and Z must carry no exemption reason (BR-S-10, BR-Z-10)
    given = exemptions.get(category)
    if given is not None and (given.code or given.text):
        return given.code, given.text
    return EXEMPTIONS[category]


def check(lines: Sequence[LineInput], adjustments: Sequence[Adjustment],
          prepaid: Decimal | None = None) -> list[Problem]:
    """Every input defect, each naming its field: lines[i].price, allowances_charges[j].percent, ..."""
    problems: list[Problem] = []
    if not lines:
        problems.append(_problem("lines", "an invoice has at least one line (BR-16)"))
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        if line.quantity == 0:
            problems.append(_problem(f"{where}.quantity", "must not be zero"))
        if line.price < 0:
            problems.append(_problem(f"{where}.price", "a net price is never negative (BR-27)"))
        if line.base_quantity <= 0:
            problems.append(_problem(f"{where}.base_quantity", "must be positive (PEPPOL-EN16931-R121)"))
        problems += _tax_problems(where, line.category, line.rate)
        for j, adj in enumerate(line.adjustments):
            problems += _adjustment_problems(f"{where}.allowances_charges[{j}]", adj, with_tax=False)
    for j, adj in enumerate(adjustments):
        problems += _adjustment_problems(f"allowances_charges[{j}]", adj, with_tax=True)
    categories = {ln.category for ln in lines} | {a.category for a in adjustments if a.category}
    if "O" in categories and len(categories) > 1:
        problems.append(_problem("lines", "an invoice not subject to VAT (O) has no other tax category "
                                          "(BR-O-11 to BR-O-14)"))
    if prepaid is not None and prepaid < 0:
        problems.append(_problem("prepaid", "must not be negative"))
    return problems


def _tax_problems(where: str, category: str, rate: Decimal | None) -> list[Problem]:
    if category not in CATEGORIES:
        return [_problem(f"{where}.tax_category", f"must be one of {', '.join(CATEGORIES)}")]
    if category == "S" and (rate is None or rate <= 0):
        return [_problem(f"{where}.tax_rate", "standard rate (S) needs a rate above zero (BR-S-05)")]
    if category in ZERO_RATED and rate not in (None, 0):
        return [_problem(f"{where}.tax_rate", f"category {category} is taxed at 0 (BR-{category}-05)")]
    if category == "O" and rate not in (None, 0):
        return [_problem(f"{where}.tax_rate", "not subject to VAT (O) has no rate (BR-O-05)")]
    return []


def _adjustment_problems(where: str, adj: Adjustment, *, with_tax: bool) -> list[Problem]:
    problems = []
    if adj.amount is None and adj.percent is None:
        problems.append(_problem(f"{where}.amount", "an amount or a percent is needed"))
    if adj.amount is not None and adj.amount < 0:
        problems.append(_problem(f"{where}.amount", "must not be negative"))
    if adj.amount is not None and adj.percent is not None and (
            adj.base is None or money(adj.base * adj.percent / HUNDRED) != money(adj.amount)):
        problems.append(_problem(f"{where}.amount", "an amount and a percent must agree with a base amount "
                                                    "(PEPPOL-EN16931-R040): give one of them"))
    if adj.percent is not None and not 0 <= adj.percent <= 100:
        problems.append(_problem(f"{where}.percent", "must be between 0 and 100"))
    if not (adj.reason or adj.reason_code):
        problems.append(_problem(f"{where}.reason", "a reason or a reason code is needed (BR-33, BR-38)"))
    if with_tax:
        problems += _tax_problems(where, adj.category or "", adj.rate)
    return problems


def _problem(element: str, message: str) -> Problem:
    return Problem(code="INVOICE_FIGURES", message=f"{element}: {message}", element=element)

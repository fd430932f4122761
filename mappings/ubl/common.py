"""Helpers every UBL mapping shares: namespaces, reading and writing values, parties, addresses, schemes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from lxml import etree

from hub.domain.documents import (
    Address,
    AllowanceCharge,
    Contact,
    Identifier,
    IdScheme,
    Item,
    Party,
    PartyRole,
    Price,
    Quantity,
    Reference,
)
from hub.domain.errors import Problem, ValidationError
from mappings import codelists

UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
CAC = UBL + "CommonAggregateComponents-2"
CBC = UBL + "CommonBasicComponents-2"
NS = {"cac": CAC, "cbc": CBC}

# Peppol ICD (ISO 6523) and EAS codes that name a scheme the canonical model knows.
_VAT_EAS = {"9906", "9910", "9914", "9920", "9957"} | {str(c) for c in range(9925, 9954)}
_SCHEME_BY_CODE = {
    "0088": IdScheme.gln, "GLN": IdScheme.gln, "0060": IdScheme.duns, "DUNS": IdScheme.duns,
    "0160": IdScheme.gtin, "GTIN": IdScheme.gtin, "VAT": IdScheme.vat, "CNPJ": IdScheme.cnpj,
    "BR:CNPJ": IdScheme.cnpj, "CPF": IdScheme.cpf, "BR:CPF": IdScheme.cpf, "ZZZ": IdScheme.mutually_defined,
    **dict.fromkeys(_VAT_EAS, IdScheme.vat),
}
_ICD_BY_SCHEME = {IdScheme.gln: "0088", IdScheme.duns: "0060", IdScheme.gtin: "0160"}
_NAMED_SCHEME = {IdScheme.cnpj: "BR:CNPJ", IdScheme.cpf: "BR:CPF"}
_TAX_SCHEME_NAME = {IdScheme.vat: "VAT", IdScheme.cnpj: "CNPJ", IdScheme.cpf: "CPF"}


# Elements of UBL PartyType (the others, like AccountingSupplierParty, hold a cac:Party).
_PARTY_TYPE_ELEMENTS = {"Party", "DeliveryParty", "PayeeParty", "TaxRepresentativeParty", "OriginatorParty",
                        "CarrierParty", "SenderParty", "ReceiverParty", "ProviderParty",
                        "InventoryReportingParty"}


class MissingValue(ValidationError):
    """A value the canonical document needs is absent from the UBL."""


# ---------------------------------------------------------------------------------------------- reading


@cache
def clark(path: str) -> str:
    """'cac:A/cbc:B' in Clark notation (cached), so find() needs no prefix map."""
    parts = []
    for step in path.split("/"):
        prefix, sep, local = step.partition(":")
        parts.append(f"{{{NS[prefix]}}}{local}" if sep and prefix in NS else step)
    return "/".join(parts)


def text(el: etree._Element | None, path: str) -> str | None:
    """Stripped text at path below el (None when absent or empty)."""
    if el is None:
        return None
    found = el.find(clark(path))
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def texts(el: etree._Element, path: str) -> list[str]:
    """Every non-empty stripped text at path below el."""
    return [f.text.strip() for f in el.findall(clark(path)) if f.text and f.text.strip()]


def decimal(el: etree._Element | None, path: str) -> Decimal | None:
    """Decimal at path (the schema has already checked the lexical form)."""
    value = text(el, path)
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"{path} is not a number: {value!r}", problems=[
            Problem(code="NOT_NUMERIC", message=f"{value!r} is not a number", element=path)]) from None


def day(el: etree._Element | None, path: str) -> date | None:
    """A date at path (UBL dates are YYYY-MM-DD, sometimes with a zone we drop)."""
    value = text(el, path)
    return _iso_date(value, path) if value else None


def issued(el: etree._Element, date_path: str, time_path: str) -> date | datetime | None:
    """Issue date, as an aware datetime when the time carries a zone (naive times are dropped)."""
    d, t = text(el, date_path), text(el, time_path)
    if d is None:
        return None
    if t:
        try:
            stamp = datetime.fromisoformat(f"{d[:10]}T{t.replace('Z', '+00:00')}")
        except ValueError:  # xsd:time allows 24:00:00, Python does not
            raise _bad_date(f"{d} {t}", time_path) from None
        if stamp.tzinfo is not None:
            return stamp
    return _iso_date(d, date_path)


def _iso_date(value: str, path: str) -> date:
    """xsd:date accepts years Python cannot hold (12024, -2024): those are refused by name."""
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise _bad_date(value, path) from None


def _bad_date(value: str, path: str) -> ValidationError:
    return ValidationError(f"{path} is not a usable date: {value!r}", problems=[
        Problem(code="BAD_DATE", message=f"{value!r} is not a usable date", element=path)])


def scheme_of(code: str | None) -> IdScheme:
    """The canonical scheme of an ICD/EAS code or a scheme name."""
    return _SCHEME_BY_CODE.get((code or "").upper(), IdScheme.other) if code else IdScheme.other


def identifier(el: etree._Element | None) -> Identifier | None:
    """An Identifier from an element with an optional schemeID."""
    if el is None or not (el.text or "").strip():
        return None
    raw = el.get("schemeID")
    return Identifier(value=(el.text or "").strip(), scheme=scheme_of(raw), raw_scheme=raw)


def parse_address(el: etree._Element | None) -> Address | None:
    """A postal address (street lines: StreetName, AdditionalStreetName, AddressLine/Line)."""
    if el is None:
        return None
    street = [s for s in (text(el, "cbc:StreetName"), text(el, "cbc:AdditionalStreetName")) if s]
    street += texts(el, "cac:AddressLine/cbc:Line")
    return Address(street=street, city=text(el, "cbc:CityName"), postcode=text(el, "cbc:PostalZone"),
                   region=text(el, "cbc:CountrySubentity"),
                   country=text(el, "cac:Country/cbc:IdentificationCode"))


def parse_party(el: etree._Element | None, role: PartyRole, raw_role: str) -> Party | None:
    """A cac:Party (or an element holding one) as a canonical Party."""
    if el is None:
        return None
    inner = el.find("cac:Party", NS)
    if inner is not None:
        el = inner
    elif etree.QName(el).localname not in _PARTY_TYPE_ELEMENTS:
        return None
    legal = el.find("cac:PartyLegalEntity", NS)
    name = text(el, "cac:PartyName/cbc:Name")
    legal_name = text(legal, "cbc:RegistrationName") or text(el, "cac:PartyTaxScheme/cbc:RegistrationName")
    legal_only = name is None and legal_name is not None
    if name is None:
        name, legal_name = legal_name, None
    contact = el.find("cac:Contact", NS)
    return Party(
        role=role,
        raw_role=raw_role,
        ids=[i for i in map(identifier, el.findall("cac:PartyIdentification/cbc:ID", NS)) if i],
        name=name,
        legal_name=legal_name if legal_name != name else None,
        legal_id=identifier(legal.find("cbc:CompanyID", NS)) if legal is not None else None,
        address=parse_address(el.find("cac:PostalAddress", NS)),
        tax_ids=[_tax_id(t) for t in el.findall("cac:PartyTaxScheme", NS) if text(t, "cbc:CompanyID")],
        contact=Contact(name=text(contact, "cbc:Name"), phone=text(contact, "cbc:Telephone"),
                        email=text(contact, "cbc:ElectronicMail")) if contact is not None else None,
        endpoint=identifier(el.find("cbc:EndpointID", NS)),
        legal_only=legal_only,
    )


def _tax_id(el: etree._Element) -> Identifier:
    tax_scheme = text(el, "cac:TaxScheme/cbc:ID") or "VAT"
    scheme = scheme_of(tax_scheme) if tax_scheme.upper() in ("VAT", "CNPJ", "CPF") else IdScheme.other
    return Identifier(value=text(el, "cbc:CompanyID") or "", scheme=scheme, raw_scheme=tax_scheme)


def parse_allowance_charge(el: etree._Element) -> AllowanceCharge:
    """A cac:AllowanceCharge (document or line level)."""
    return AllowanceCharge(
        is_charge=text(el, "cbc:ChargeIndicator") == "true",
        amount=decimal(el, "cbc:Amount") or Decimal(0),
        reason=text(el, "cbc:AllowanceChargeReason"),
        reason_code=text(el, "cbc:AllowanceChargeReasonCode"),
        base_amount=decimal(el, "cbc:BaseAmount"),
        percent=decimal(el, "cbc:MultiplierFactorNumeric"),
        tax_category=text(el, "cac:TaxCategory/cbc:ID"),
        tax_rate=decimal(el, "cac:TaxCategory/cbc:Percent"),
    )


def parse_prices(el: etree._Element | None, kind_if_net: str = "net") -> list[Price]:
    """The net price of a cac:Price, and the gross price when a price discount is given (BT-148)."""
    if el is None or text(el, "cbc:PriceAmount") is None:
        return []
    base = el.find("cbc:BaseQuantity", NS)
    base_qty = Decimal(base.text.strip()) if base is not None and base.text else Decimal(1)
    unit = base.get("unitCode") if base is not None else None
    net = Price(amount=decimal(el, "cbc:PriceAmount") or Decimal(0), base_quantity=base_qty, unit=unit,
                kind=kind_if_net)
    gross = decimal(el, "cac:AllowanceCharge/cbc:BaseAmount")
    if gross is None:
        return [net]
    return [net, Price(amount=gross, base_quantity=base_qty, unit=unit, kind="gross")]


def parse_doc_reference(el: etree._Element, kind: str) -> Reference:
    """A *DocumentReference (ID, IssueDate, DocumentTypeCode) as a Reference."""
    return Reference(kind=kind, number=text(el, "cbc:ID") or "", issued=day(el, "cbc:IssueDate"),
                     raw_kind=text(el, "cbc:DocumentTypeCode"))


def header_fields(root: etree._Element, what: str) -> dict[str, Any]:
    """Number (required), issue date and time, currency and notes of a main document, as keyword
    arguments for its canonical document; `what` names the number in the error when it is missing."""
    name = etree.QName(root).localname
    return {"number": require(text(root, "cbc:ID"), what, f"/{name}/cbc:ID"),
            "issued": issued(root, "cbc:IssueDate", "cbc:IssueTime"),
            "currency": text(root, "cbc:DocumentCurrencyCode"), "notes": texts(root, "cbc:Note")}


def require(value: str | None, what: str, path: str) -> str:
    """The value, or a ValidationError naming the missing element."""
    if value is None:
        raise MissingValue(f"{what} is missing", problems=[
            Problem(code="MISSING_VALUE", message=f"{what} ({path}) is missing", element=path)])
    return value


# ---------------------------------------------------------------------------------------------- writing


def sub(parent: etree._Element, name: str, value: object = None, **attrs: str | None) -> etree._Element:
    """Append a prefixed child (cac:X / cbc:X) with optional text and attributes (None ones left out)."""
    prefix, local = name.split(":")
    child = etree.SubElement(parent, f"{{{NS[prefix]}}}{local}")
    if value is not None:
        child.text = _lexical(value)
    for key, val in attrs.items():
        if val is not None:
            child.set(key, val)
    return child


def opt(parent: etree._Element, name: str, value: object, **attrs: str | None) -> etree._Element | None:
    """Append the child only when value is not None/empty."""
    if value is None or value == "":
        return None
    return sub(parent, name, value, **attrs)


def _lexical(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def new_root(doc_name: str) -> etree._Element:
    """An empty UBL main document with the usual prefixes."""
    nsmap = {None: f"{UBL}{doc_name}-2", "cac": CAC, "cbc": CBC}
    return etree.Element(f"{{{UBL}{doc_name}-2}}{doc_name}", nsmap=nsmap)


def header(root: etree._Element, customization: str, profile: str, number: str,
           when: date | datetime | None, *, version: str | None = "2.1") -> None:
    """UBLVersionID (unless None: the Peppol ordering data model has none), CustomizationID, ProfileID, ID,
    IssueDate (and IssueTime for aware datetimes)."""
    opt(root, "cbc:UBLVersionID", version)
    sub(root, "cbc:CustomizationID", customization)
    sub(root, "cbc:ProfileID", profile)
    sub(root, "cbc:ID", number)
    sub(root, "cbc:IssueDate", when or date.today())
    if isinstance(when, datetime):
        sub(root, "cbc:IssueTime", when.timetz().isoformat())


def scheme_code(ident: Identifier, *, icd_only: bool) -> str | None:
    """The schemeID to write: the partner's ICD/EAS code, else the code of the canonical scheme."""
    raw = ident.raw_scheme
    if raw and raw.isdigit() and len(raw) == 4 and (codelists.load("icd").is_code(raw)
                                                    or codelists.load("eas").is_code(raw)):
        return raw
    code = _ICD_BY_SCHEME.get(ident.scheme)
    if code or icd_only:
        return code
    return raw or _NAMED_SCHEME.get(ident.scheme)


def endpoint_scheme(ident: Identifier) -> str | None:
    """The EAS code of an endpoint: raw when it is one, else by scheme (GLN 0088) or VAT country."""
    if ident.raw_scheme in _EAS_LETTER_CODES:
        return ident.raw_scheme
    code = scheme_code(ident, icd_only=True)
    if code is None and ident.scheme == IdScheme.vat and ident.value[:2].isalpha():
        code = _VAT_EAS_BY_COUNTRY.get(ident.value[:2].upper())
    return code


_EAS_LETTER_CODES = {"EM", "AN", "AQ", "AS", "AU"}  # EAS codes that are not ICDs (EM: e-mail)
_VAT_EAS_BY_COUNTRY = {
    "IT": "9906", "HU": "9910", "AT": "9914", "ES": "9920", "FR": "9957", "BE": "9925", "BG": "9926",
    "CH": "9927", "CY": "9928", "CZ": "9929", "DE": "9930", "EE": "9931", "GB": "9932", "GR": "9933",
    "HR": "9934", "IE": "9935", "LI": "9936", "LT": "9937", "LU": "9938", "LV": "9939", "MC": "9940",
    "ME": "9941", "MK": "9942", "MT": "9943", "NL": "9944", "PL": "9945", "PT": "9946", "RO": "9947",
    "RS": "9948", "SI": "9949", "SK": "9950", "SM": "9951", "TR": "9952", "VA": "9953",
}


def render_address(parent: etree._Element, name: str, address: Address | None) -> None:
    """Append a cac address element (PostalAddress, Address) when there is one."""
    if address is None:
        return
    el = sub(parent, name)
    street = list(address.street)
    opt(el, "cbc:StreetName", street[0] if street else None)
    opt(el, "cbc:AdditionalStreetName", street[1] if len(street) > 1 else None)
    opt(el, "cbc:CityName", address.city)
    opt(el, "cbc:PostalZone", address.postcode)
    opt(el, "cbc:CountrySubentity", address.region)
    for line in street[2:]:
        sub(sub(el, "cac:AddressLine"), "cbc:Line", line)
    if address.country:
        sub(sub(el, "cac:Country"), "cbc:IdentificationCode", address.country)


def render_party(parent: etree._Element, party: Party, *, invoice: bool = False,
                 legal: bool | None = None) -> etree._Element:
    """Append a cac:Party; invoices use ICD schemes only, `legal` forces a legal name (BT-27/BT-44)."""
    return fill_party(sub(parent, "cac:Party"), party, invoice=invoice, legal=legal)


def fill_party(el: etree._Element, party: Party, *, invoice: bool = False,
               legal: bool | None = None) -> etree._Element:
    """Fill an element of UBL PartyType (cac:Party, cac:DeliveryParty, ...) with party."""
    legal = invoice if legal is None else legal
    if party.endpoint is not None:
        scheme = endpoint_scheme(party.endpoint) if invoice else (
            endpoint_scheme(party.endpoint) or party.endpoint.raw_scheme)
        if scheme or not invoice:
            sub(el, "cbc:EndpointID", party.endpoint.value, schemeID=scheme)
    for ident in party.ids:
        sub(sub(el, "cac:PartyIdentification"), "cbc:ID", ident.value,
            schemeID=scheme_code(ident, icd_only=invoice))
    if party.name and not party.legal_only:
        sub(sub(el, "cac:PartyName"), "cbc:Name", party.name)
    render_address(el, "cac:PostalAddress", party.address)
    for tax in party.tax_ids:
        pts = sub(el, "cac:PartyTaxScheme")
        sub(pts, "cbc:CompanyID", tax.value)
        # EDIFACT's "VA" and the like are VAT too; UBL names the scheme "VAT".
        sub(sub(pts, "cac:TaxScheme"), "cbc:ID",
            _TAX_SCHEME_NAME.get(tax.scheme) or tax.raw_scheme or "VAT")
    if party.legal_name or party.legal_id or party.legal_only or legal:
        legal = sub(el, "cac:PartyLegalEntity")
        # a payee's legal entity is its registration id only (EN 16931 BT-61; UBL-CR-275)
        if not (invoice and party.role == PartyRole.payee):
            opt(legal, "cbc:RegistrationName", party.legal_name or party.name)
        if party.legal_id:
            # an ICD or nothing (BT-30-1; the Peppol ordering rules check it against the ICD list): an
            # EDIFACT legal registration's RFF qualifier (GN, XA) is no scheme
            sub(legal, "cbc:CompanyID", party.legal_id.value,
                schemeID=scheme_code(party.legal_id, icd_only=True))
    contact = party.contact
    if contact and (contact.name or contact.phone or contact.email):
        c = sub(el, "cac:Contact")
        opt(c, "cbc:Name", contact.name)
        opt(c, "cbc:Telephone", contact.phone)
        opt(c, "cbc:ElectronicMail", contact.email)
    return el


def render_allowance_charge(parent: etree._Element, ac: AllowanceCharge, currency: str,
                            *, with_tax: bool) -> None:
    """Append a cac:AllowanceCharge (with its tax category at document level)."""
    el = sub(parent, "cac:AllowanceCharge")
    sub(el, "cbc:ChargeIndicator", ac.is_charge)
    opt(el, "cbc:AllowanceChargeReasonCode", ac.reason_code)
    opt(el, "cbc:AllowanceChargeReason", ac.reason)
    opt(el, "cbc:MultiplierFactorNumeric", ac.percent)
    sub(el, "cbc:Amount", ac.amount, currencyID=currency)
    opt(el, "cbc:BaseAmount", ac.base_amount, currencyID=currency)
    if with_tax and ac.tax_category:
        tax_category(el, "cac:TaxCategory", ac.tax_category, ac.tax_rate)


def tax_category(parent: etree._Element, name: str, category: str, rate: Decimal | None,
                 reason_code: str | None = None, reason: str | None = None, scheme: str = "VAT") -> None:
    """Append a TaxCategory / ClassifiedTaxCategory (the rate as EN 16931 wants it: see `ubl_rate`)."""
    el = sub(parent, name)
    sub(el, "cbc:ID", codelists.load("uncl5305").code(category, element=f"{name}/cbc:ID"))
    opt(el, "cbc:Percent", ubl_rate(category, rate))
    opt(el, "cbc:TaxExemptionReasonCode", reason_code)
    opt(el, "cbc:TaxExemptionReason", reason)
    sub(sub(el, "cac:TaxScheme"), "cbc:ID", scheme)


_ZERO_RATED = frozenset({"E", "Z", "AE", "K", "G"})  # EN 16931 BR-E/Z/AE/IC/G-05..09: rate 0
# The VATEX code a category with no other exemption reason has (BR-O-10, BR-AE-10, BR-IC-10, BR-G-10);
# an exempt (E) breakdown has no single one: its reason must come with the document (BR-E-10).
DEFAULT_EXEMPTION = {"O": "VATEX-EU-O", "AE": "VATEX-EU-AE", "K": "VATEX-EU-IC", "G": "VATEX-EU-G"}


def unit_code(unit: str, where: str) -> str:
    """A unitCode: UN/ECE Rec 20, else CodeListError naming the unit and where it was to be written."""
    return codelists.load("rec20").code(unit, element=where)


def document_code(code: str, where: str) -> str:
    """A document type code of UNCL 1001, else CodeListError naming it."""
    return codelists.load("uncl1001").code(code, element=where)


def ubl_rate(category: str, rate: Decimal | None) -> Decimal | None:
    """The cbc:Percent to write: none for O (not subject to VAT, BR-O-05), 0 for the exempt and
    zero-rated categories when the document gives no rate, else the rate."""
    if category == "O":
        return None
    if rate is None and category in _ZERO_RATED:
        return Decimal(0)
    return rate


def render_price(parent: etree._Element, prices: list[Price], currency: str) -> None:
    """Append cac:Price: the net price, with the gross price as a price discount when both are known."""
    net = next((p for p in prices if p.kind != "gross"), None)
    gross = next((p for p in prices if p.kind == "gross"), None)
    if net is None and gross is None:
        return
    main = net or gross
    assert main is not None
    el = sub(parent, "cac:Price")
    sub(el, "cbc:PriceAmount", main.amount, currencyID=currency)
    if main.base_quantity != 1 or main.unit:
        sub(el, "cbc:BaseQuantity", main.base_quantity,
            unitCode=unit_code(main.unit, "cac:Price/cbc:BaseQuantity/@unitCode") if main.unit else None)
    if net is not None and gross is not None:
        ac = sub(el, "cac:AllowanceCharge")
        sub(ac, "cbc:ChargeIndicator", False)
        sub(ac, "cbc:Amount", gross.amount - net.amount, currencyID=currency)
        sub(ac, "cbc:BaseAmount", gross.amount, currencyID=currency)


def serialize(root: etree._Element) -> bytes:
    """Put every element in its schema order, then serialize as UTF-8 with a declaration."""
    order_children(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --------------------------------------------------------------------------------- schema element order


@cache
def _sequences() -> dict[str, dict[str, int]]:
    """Child order of each UBL aggregate element, read from the packaged schemas (element -> child -> i)."""
    from mappings.ubl.schema import UBL23_DOCS, XSD_DIR, schema_path  # late: keeps module import cheap

    xs = "{http://www.w3.org/2001/XMLSchema}"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    out: dict[str, dict[str, int]] = {}
    # 2.3 aggregates first, so the 2.1 ones (what most documents are) win where both define an element
    paths = [XSD_DIR / "2.3" / "common" / "UBL-CommonAggregateComponents-2.3.xsd",
             XSD_DIR / "common" / "UBL-CommonAggregateComponents-2.1.xsd",
             *sorted((XSD_DIR / "maindoc").glob("*.xsd")), *(schema_path(d) for d in UBL23_DOCS)]
    for path in paths:
        schema = etree.parse(str(path), parser).getroot()
        types = {ct.get("name"): [e.get("ref", "").split(":")[-1] for e in ct.iter(f"{xs}element")]
                 for ct in schema.iter(f"{xs}complexType")}
        for el in schema.findall(f"{xs}element"):
            children = types.get(el.get("type", "").split(":")[-1])
            if children is not None:
                out[el.get("name", "")] = {name: i for i, name in enumerate(children)}
    return out


def order_children(el: etree._Element) -> None:
    """Sort children of el (recursively) into the sequence its UBL type defines; unknown ones stay last."""
    order = _sequences().get(etree.QName(el).localname)
    children = list(el)
    if order and len(children) > 1:
        ranked = sorted(children, key=lambda c: order.get(etree.QName(c).localname, len(order)))
        if ranked != children:
            for child in children:
                el.remove(child)
            el.extend(ranked)
    for child in children:
        order_children(child)


def each(el: etree._Element, path: str) -> Iterable[etree._Element]:
    """Shorthand for el.findall(path, NS)."""
    return el.findall(clark(path))


def parse_item(el: etree._Element | None) -> Item:
    """A cac:Item: Name is the description unless both Name and Description are given."""
    if el is None:
        return Item()
    name, description = text(el, "cbc:Name"), text(el, "cbc:Description")
    if description is None:
        name, description = None, name
    gtin, others = None, []
    for std in each(el, "cac:StandardItemIdentification/cbc:ID"):
        ident = identifier(std)
        if ident is None:
            continue
        if ident.scheme == IdScheme.gtin and gtin is None:
            gtin = ident.value
        else:
            others.append(ident)
    for code in each(el, "cac:CommodityClassification/cbc:ItemClassificationCode"):
        if code.text and code.text.strip() and code.get("listID"):
            others.append(Identifier(code.text.strip(), IdScheme.other, code.get("listID")))
    return Item(gtin=gtin, name=name, description=description, other_ids=others,
                buyer_number=text(el, "cac:BuyersItemIdentification/cbc:ID"),
                supplier_number=text(el, "cac:SellersItemIdentification/cbc:ID"))


def render_item(parent: etree._Element, item: Item, *, icd_only: bool) -> etree._Element:
    """Append a cac:Item (Name always: the name, else the description, else an item number)."""
    el = sub(parent, "cac:Item")
    if item.name:
        opt(el, "cbc:Description", item.description)
    name = item.name or item.description
    if name is None and icd_only:  # an invoice line needs an item name (BR-25): fall back on a number
        name = item.supplier_number or item.buyer_number or item.gtin
    opt(el, "cbc:Name", name)
    if item.buyer_number:
        sub(sub(el, "cac:BuyersItemIdentification"), "cbc:ID", item.buyer_number)
    if item.supplier_number:
        sub(sub(el, "cac:SellersItemIdentification"), "cbc:ID", item.supplier_number)
    classified, standard = _split_item_ids(item.other_ids)
    if item.gtin:
        sub(sub(el, "cac:StandardItemIdentification"), "cbc:ID", item.gtin, schemeID="0160")
    elif standard:
        sub(sub(el, "cac:StandardItemIdentification"), "cbc:ID", standard[0].value,
            schemeID=scheme_code(standard[0], icd_only=icd_only))
    for other in classified:
        sub(sub(el, "cac:CommodityClassification"), "cbc:ItemClassificationCode", other.value,
            listID=other.raw_scheme)
    return el


def _split_item_ids(ids: list[Identifier]) -> tuple[list[Identifier], list[Identifier]]:
    """An item's other identifiers as (classifications, standard identifiers). An identifier typed by a
    UNCL 7143 code (EDIFACT PIA/LIN C212/7143, a UBL listID) is an item classification (EN 16931 BT-158:
    cac:CommodityClassification with that code as listID, as the EN 16931 EDIFACT binding has it).
    UBL 2.1 has one StandardItemIdentification: the GTIN, else the first other identifier (one whose
    scheme is no ICD is refused by the rules that need one, BR-64); further ones are not written."""
    classes = codelists.load("uncl7143")
    classified = [i for i in ids if i.raw_scheme and classes.is_code(i.raw_scheme)]
    return classified, [i for i in ids if i not in classified]


def parse_delivery_party(delivery: etree._Element | None) -> Party | None:
    """The delivery party of a cac:Delivery: location id and address, and the delivery party's details."""
    if delivery is None:
        return None
    location = delivery.find("cac:DeliveryLocation", NS)
    party = parse_party(delivery.find("cac:DeliveryParty", NS), PartyRole.delivery, "Delivery")
    if party is None and location is None:
        return None
    party = party or Party(role=PartyRole.delivery, raw_role="Delivery")
    if location is not None:
        loc_id = identifier(location.find("cbc:ID", NS))
        party.ids = ([loc_id] if loc_id else []) + party.ids
        party.address = parse_address(location.find("cac:Address", NS)) or party.address
    return party


def render_delivery_party(delivery: etree._Element, party: Party, *, invoice: bool) -> None:
    """Fill a cac:Delivery with the delivery party (first id and address as the delivery location)."""
    if party.ids or party.address:
        location = sub(delivery, "cac:DeliveryLocation")
        if party.ids:
            sub(location, "cbc:ID", party.ids[0].value, schemeID=scheme_code(party.ids[0], icd_only=invoice))
        render_address(location, "cac:Address", party.address)
    if invoice:
        if party.name:
            sub(sub(sub(delivery, "cac:DeliveryParty"), "cac:PartyName"), "cbc:Name", party.name)
        return
    rest = Party(role=party.role, ids=party.ids[1:], name=party.name, tax_ids=party.tax_ids,
                 contact=party.contact, endpoint=party.endpoint, legal_name=party.legal_name,
                 legal_id=party.legal_id)
    if rest.ids or rest.name or rest.tax_ids or rest.contact or rest.endpoint or rest.legal_id:
        fill_party(sub(delivery, "cac:DeliveryParty"), rest)


def quantity(el: etree._Element | None, path: str, kind: str) -> list[Quantity]:
    """A one-element list with the quantity at path (unitCode as Rec. 20 unit), or an empty list."""
    found = el.find(path, NS) if el is not None else None
    if found is None or not (found.text or "").strip():
        return []
    value = Decimal((found.text or "").strip())
    return [Quantity(value=value, unit=found.get("unitCode") or "C62", kind=kind)]


def period_date(el: etree._Element | None, path: str) -> date | datetime | None:
    """The start (else end) date of a cac:*Period at path, with its time when that carries a zone."""
    if el is None:
        return None
    return issued(el, f"{path}/cbc:StartDate", f"{path}/cbc:StartTime") or day(el, f"{path}/cbc:EndDate")


def period_end(el: etree._Element | None, path: str) -> date | datetime | None:
    """The end of a cac:*Period at path when it also has a start (a lone end date is read as the date)."""
    if el is None or text(el, f"{path}/cbc:StartDate") is None:
        return None
    return issued(el, f"{path}/cbc:EndDate", f"{path}/cbc:EndTime")


def render_period(parent: etree._Element, name: str, when: date | datetime | None,
                  end: date | datetime | None = None) -> None:
    """Append a period from `when` to `end` (times written for aware datetimes)."""
    if when is None and end is None:
        return
    el = sub(parent, name)
    for value, day_name, time_name in ((when, "cbc:StartDate", "cbc:StartTime"),
                                       (end, "cbc:EndDate", "cbc:EndTime")):
        if value is not None:
            sub(el, day_name, value)
            if isinstance(value, datetime):
                sub(el, time_name, value.timetz().isoformat())


def peppol_endpoint(party: Party) -> Identifier | None:
    """The party's Peppol electronic address: the one it gave, else one derived from its GLN, legal
    registration or VAT number where the EAS list has a scheme for it (None when there is none)."""
    if party.endpoint is not None:
        return party.endpoint
    candidates = [*party.ids, *([party.legal_id] if party.legal_id else []), *party.tax_ids]
    for ident in candidates:
        scheme = endpoint_scheme(ident)
        if scheme and codelists.load("eas").is_code(scheme):
            return Identifier(value=ident.value, scheme=ident.scheme, raw_scheme=scheme)
    return None

"""What each partner profile setting means, with an example: shown beside the setting on the admin
pages (and checked against the settings `validate_profile` knows, so a new setting needs its line)."""

from __future__ import annotations

PROFILE_HELP: dict[str, tuple[str, str]] = {
    "partner_id": ("the name the mappings know the partner by (set by the hub; rarely changed)", '"acme"'),
    "unit_codes": ("the partner's unit codes -> UN/ECE Rec 20, applied before the generic table",
                   '{"PCS": "C62"}'),
    "party_roles": ("the partner's NAD 3035 party qualifiers -> the hub's party roles",
                    '{"SF": "ship_from"}'),
    "party_agencies": ("C082 3055 / 1131 agency codes -> identifier schemes", '{"ZZZ": "gln"}'),
    "party_ref_schemes": ("RFF 1153 qualifiers under a NAD -> identifier schemes", '{"VA": "vat"}'),
    "item_types": ("C212 7143 item number types -> gtin, buyer or supplier", '{"BP": "buyer"}'),
    "reference_kinds": ("RFF 1153 document reference qualifiers -> the hub's reference kinds",
                        '{"ZZZ": "contract"}'),
    "item_xref": ("the partner's item numbers -> our item numbers", '{"A-100": "SKU-1"}'),
    "render_party_schemes": ("identifier schemes written in NAD, in order of preference",
                             '["gln", "buyer_assigned"]'),
    "render_gtin_type": ("7143 written for a GTIN: EN (EANCOM, older directories) or SRV (D.01B on)",
                         '"SRV"'),
    "render_datetime_format": ("2379 format of dates with a time: 203 (minutes) or 204 (seconds)", '"204"'),
    "decimal_mark": ("decimal mark of what the hub writes (its UNA)", '","'),
    "syntax": ("the syntax the partner receives: edifact or ubl", '"ubl"'),
    "syntax_id": ("UNB 0001 syntax identifier written: UNOA, UNOB, UNOC, ...", '"UNOC"'),
    "directory": ("the EDIFACT directory of what the hub sends the partner", '"D01B"'),
    "association": ("UNH 0057 association code, e.g. EAN008 for EANCOM partners", '"EAN008"'),
    "tolerate_count_mismatch": ("accept wrong UNT/UNE/UNZ/CNT counts with a warning", "true"),
    "ack_contrl": ("send a CONTRL even when UNB 0031 does not ask for one", "true"),
    "request_contrl": ("ask for a CONTRL on what the hub sends (its UNB 0031 = 1)", "true"),
    "ack_aperak": ("send an APERAK on business rejections", "false"),
    "aperak_error_codes": ("hub problem codes -> the partner's APERAK ERC 9321 codes", '{"DUPLICATE": "12"}'),
    "default_currency": ("currency assumed when a document names none", '"BRL"'),
    "extra": ("further switches: require_known_items, require_known_parties",
              '{"require_known_items": true}'),
    "posts_for": ("parties a service provider may send documents for", '["gln:5790000435975"]'),
    "bank_accounts": ("the supplier's registered payee accounts (IBAN or account numbers)",
                      '["NL91ABNA0417164300"]'),
    "hold_on_payee_change": ("hold an invoice to an account not in bank_accounts until released", "true"),
    "require_known_sender": ("reject a sending party that is unknown or has no identifier", "true"),
    "ack_deadline_hours": ("hours the partner has to acknowledge what the hub sends it before the dashboard "
                           "shows the file as overdue (default HUB_ACK_DEADLINE_HOURS, 24)", "4"),
    "address": ("the partner's legal name and postal address, for the Peppol documents it is sent",
                '{"legal_name": "Acme BV", "street": "Main 1", "city": "Utrecht", "postcode": "3511", '
                '"country": "NL"}'),
}


def help_for(key: str) -> tuple[str, str]:
    """(meaning, example) of a profile setting; a setting without a line shows none."""
    return PROFILE_HELP.get(key, ("", ""))

"""The pages' message catalogue: what the templates and the admin modules ask to translate, the
Portuguese catalogue kept beside them, and its compiled form that Flask-Babel reads.

`python -m hub.admin.i18n_catalog` extracts the messages, adds new ones to `pt` (empty, to translate),
drops the ones no longer asked for, and compiles the catalogue; a test fails when a message has no
translation or the compiled file is stale."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from hub.admin.i18n import TRANSLATIONS

ADMIN = Path(__file__).parent
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "mark": None, "add": (1,)}  # add: the menu's labels
LOCALES = ("pt",)


def extract() -> Catalog:
    catalog = Catalog(project="Ponte EDI hub")
    for filename, lineno, message, comments, context in extract_from_dir(
            ADMIN, METHODS, keywords=KEYWORDS, comment_tags=("NOTE",)):
        if isinstance(message, str) and message.strip():
            catalog.add(message, locations=[(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read(locale: str) -> Catalog:
    with po_path(locale).open("rb") as f:
        return read_po(f, locale=locale)


def compiled(locale: str) -> bytes:
    out = BytesIO()
    write_mo(out, read(locale), use_fuzzy=False)
    return out.getvalue()


def compiled_messages(locale: str) -> dict[str, str]:
    """The translations the compiled file holds (for the staleness check)."""
    with (po_path(locale).with_suffix(".mo")).open("rb") as f:
        catalog = read_mo(f)
    return {str(m.id): str(m.string) for m in catalog if m.id}


def update() -> None:
    template = extract()
    for locale in LOCALES:
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = read(locale) if path.exists() else Catalog(locale=locale, project="Ponte EDI hub")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        with path.open("wb") as f:
            write_po(f, catalog, width=110, omit_header=False, sort_output=True)
        path.with_suffix(".mo").write_bytes(compiled(locale))


if __name__ == "__main__":
    update()

"""The pages' Portuguese catalogue: every message the templates and admin modules ask for is
translated, keeps its placeholders, and the compiled file Flask-Babel reads is the catalogue's own."""

from __future__ import annotations

import re

from hub.admin import i18n_catalog

PLACEHOLDER = re.compile(r"%\(\w+\)s")


def test_every_message_the_pages_use_has_a_portuguese_translation() -> None:
    asked = {m.id for m in i18n_catalog.extract() if m.id}
    translated = {m.id: m.string for m in i18n_catalog.read("pt") if m.id}
    missing = sorted(str(m) for m in asked if not translated.get(m))
    assert not missing, f"run `python -m hub.admin.i18n_catalog` and translate: {missing}"
    assert len(asked) > 150


def test_translations_keep_their_placeholders() -> None:
    for message in i18n_catalog.read("pt"):
        if message.id and message.string:
            asked, given = PLACEHOLDER.findall(str(message.id)), PLACEHOLDER.findall(str(message.string))
            assert sorted(asked) == sorted(given), message.id


def test_the_compiled_catalogue_is_the_current_one() -> None:
    written = {str(m.id): str(m.string) for m in i18n_catalog.read("pt") if m.id and m.string}
    assert i18n_catalog.compiled_messages("pt") == written, "run `python -m hub.admin.i18n_catalog`"


def test_every_profile_setting_has_its_meaning_shown_beside_it() -> None:
    from hub.partners.domain import known_settings
    from hub.partners.profile_help import PROFILE_HELP

    assert sorted(PROFILE_HELP) == known_settings()
    assert all(meaning and example for _default, meaning, example in PROFILE_HELP.values())

"""The one line the CLI prints for each kind of expected failure, whichever database said it."""

from __future__ import annotations

import click
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from hub.cli.errors import describe
from hub.domain.errors import NotFound, Problem, ValidationError


class _Orig(Exception):
    pass


def test_a_duplicate_names_the_columns_and_values_on_postgresql_and_sqlite() -> None:
    pg = IntegrityError("INSERT", {}, _Orig(
        'duplicate key value violates unique constraint "partners_name_key"\n'
        "DETAIL:  Key (name)=(acme) already exists."))
    assert describe(pg, "partner-add") == "name = acme exists already: use another value"
    lite = IntegrityError("INSERT", {}, _Orig("UNIQUE constraint failed: partners.name"))
    assert describe(lite, "partner-add") == "partners.name exists already with this value: use another value"


def test_database_trouble_says_what_to_do() -> None:
    missing = OperationalError("SELECT", {}, _Orig("no such table: partners"))
    assert "run flask hub init" in (describe(missing, "partner-list") or "")
    undefined = ProgrammingError("SELECT", {}, _Orig('relation "partners" does not exist'))
    assert "run flask hub init" in (describe(undefined, "partner-list") or "")
    assert describe(ProgrammingError("SELECT", {}, _Orig("syntax error at or near")), "x") is None  # a bug


def test_hub_errors_and_usage_errors_are_one_line() -> None:
    assert describe(NotFound("no partner 'x'"), "key-add") == "no partner 'x'"
    problems = [Problem("F", "iban: not an IBAN", element="iban"),
                Problem("F", "is required", element="name")]
    assert describe(ValidationError("not valid", problems=problems), "company-add") == \
        "not valid: iban: not an IBAN; element name: is required"
    usage = describe(click.BadParameter("use SCHEME:VALUE", param_hint="--id"), "partner-add")
    assert usage == "Invalid value for --id: use SCHEME:VALUE (see flask hub partner-add --help)"
    assert describe(RuntimeError("a bug"), "x") is None

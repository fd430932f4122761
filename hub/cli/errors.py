"""One place where every `flask hub` command's expected failures become one line and exit status 2:
a bad argument or option, a HubError (a duplicate, an unknown partner, a bad value), a row that
exists already, a database that is missing, has no schema or cannot be reached. Anything else is
a bug and keeps its traceback."""

from __future__ import annotations

import re
import sys
from typing import Any, NoReturn

import click
from flask.cli import AppGroup, NoAppException, ScriptInfo
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, InterfaceError, OperationalError, ProgrammingError

from hub.domain.errors import HubError

EXIT_REFUSED = 2
_PG_KEY = re.compile(r"Key \((?P<cols>[^)]*)\)=\((?P<vals>[^)]*)\) already exists")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<cols>[\w., ]+)")


def table(header: tuple[str, ...], rows: list[str]) -> None:
    """A listing: its header row, then one tab-separated line per row (read whole before printing,
    so a failure prints no half table)."""
    click.echo("\t".join(header))
    for row in rows:
        click.echo(row)


def fail(message: str) -> NoReturn:
    """Print one line on stderr and stop with exit status 2."""
    click.echo("error: " + " ".join(message.split()), err=True)
    sys.exit(EXIT_REFUSED)


def describe(exc: BaseException, command: str | None) -> str | None:
    """The one line for an expected failure, or None for an unexpected one."""
    if isinstance(exc, click.UsageError):
        return f"{exc.format_message()} (see flask hub {command + ' ' if command else ''}--help)"
    if isinstance(exc, HubError):
        problems = "; ".join(p.message if p.element and p.message.startswith(p.element) else str(p)
                             for p in exc.problems[:5] if p.message not in exc.message)
        return f"{exc.message}: {problems}" if problems else exc.message
    if isinstance(exc, IntegrityError):
        return _duplicate(str(exc.orig))
    if isinstance(exc, OperationalError | InterfaceError) or (
            isinstance(exc, ProgrammingError) and "does not exist" in str(exc.orig)):
        return _database(str(exc.orig))
    return None


def _duplicate(text: str) -> str:
    pg = _PG_KEY.search(text)
    if pg:
        return f"{pg['cols']} = {pg['vals']} exists already: use another value"
    lite = _SQLITE_UNIQUE.search(text)
    if lite:
        return f"{lite['cols'].strip()} exists already with this value: use another value"
    return f"refused by the database: {text.splitlines()[0]}"


def _database(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "no answer"
    url = _url()
    if "no such table" in first or ("relation" in first and "does not exist" in first):
        return f"the database {url} has no schema yet ({first}): run flask hub init"
    if "does not exist" in first and "database" in first:
        return f"{first}: create it (createdb) or set DATABASE_URL to an existing database"
    return (f"cannot use the database {url} ({first}): check that it runs and that DATABASE_URL "
            "is right, then run flask hub init")


def _url() -> str:
    info = click.get_current_context(silent=True)
    script = info.find_object(ScriptInfo) if info is not None else None
    try:
        url = script.load_app().config["HUB_SETTINGS"].database_url if script is not None else ""
        return make_url(url).render_as_string(hide_password=True) if url else "(DATABASE_URL)"
    except (KeyError, ArgumentError, NoAppException):  # an unparsable URL: say less
        return "(DATABASE_URL)"


class StartupError(click.ClickException):
    """A setting the hub cannot start with (a missing audit key, a retention policy below the legal
    minimum): `flask hub ...` shows it as one line with exit status 2, gunicorn with its message."""

    exit_code = EXIT_REFUSED

    def show(self, file: Any = None) -> None:
        click.echo("error: " + " ".join(self.format_message().split()), err=True)


class HubGroup(AppGroup):
    """`flask hub`: resolving, parsing and running a command in one place, so no command needs its
    own try/except and a new command is covered as soon as it is added."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.exceptions.NoArgsIsHelpError):
            raise
        except Exception as exc:
            line = describe(exc, ctx.invoked_subcommand)
            if line is None:
                raise
            fail(line)

"""`flask hub` gathers every capability's commands (hub/cli/ and the capability packages): its help
lists the same commands, with the same one-line summaries, as before the commands were split into
one module per capability."""

from __future__ import annotations

from flask.testing import FlaskCliRunner

# `flask hub --help` before hub/cli.py and hub/cli_outbox.py became the hub/cli/ package
COMMANDS_BEFORE = """\
  audit-verify         Seal pending audit events, check the chain with...
  batches-close        Send every partner batch whose window has ended...
  check-identifiers    Report the partners' identifiers and payee...
  company-add          Register a company that issues invoices...
  company-list         The companies with their identifiers.
  connector-add        Register an ERP connector.
  connector-list       List connectors (secrets shown only as env...
  connector-token      Issue a token the ERP uses to poll and post; it is...
  deliver              Deliver every due document now (what the scheduler...
  deliveries           List push deliveries, newest first, with their...
  demo                 Make sure the demo partner and its key exist...
  import               Import items, supplier terms or reorder rules from...
  init                 Create the database or upgrade it to the latest...
  key-add              Issue an API key for PARTNER (name or id); the key...
  key-list             List keys and tokens (prefix only), with their state.
  key-revoke           Revoke a key or token by id or prefix (see key-list).
  partner-add          Register a trading partner.
  partner-id-add       Register one more identifier (gln:..., vat:...,...
  partner-list         List partners with their identifiers.
  partner-profile      Show or change a partner's profile (code...
  process              Process every received exchange now (what the...
  purge                Purge stored content past its age (invoices are...
  reconcile            Match every pending payment to the open invoices...
  reconcile-rule       Configure a matching rule.
  reconcile-tolerance  Set a currency's tolerance (CURRENCY, or * for...
  redeliver            Put a dead delivery back in the queue.
  replenish            Run replenishment now: rules at or below their...
  reprocess            Send a failed exchange through processing again.
  route-add            Add a routing rule (the first matching rule...
  route-list           The routing rules in the order they are tried.
  route-remove         Remove a routing rule.
  statement-import     Import a bank statement file (camt.053/054, MT940,...
  token-add            Issue a personal API token for USER (name or id);...
  user-add             Create an admin user with a role (admin, operator,...
  user-enrol           Issue a new enrolment link for USER (a lost...
"""


def test_flask_hub_help_lists_the_same_commands_as_before(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["hub", "--help"])
    assert result.exit_code == 0, result.output
    now = _summaries(result.output[result.output.index("Commands:\n") + len("Commands:\n"):])
    before = _summaries(COMMANDS_BEFORE)
    assert list(now) == list(before)
    for name, summary in before.items():  # cut to the terminal's width: compare what both show
        assert now[name].startswith(summary.removesuffix("...")) or summary.startswith(
            now[name].removesuffix("...")), name


def _summaries(listing: str) -> dict[str, str]:
    pairs = (line.split(None, 1) for line in listing.splitlines() if line.strip())
    return {pair[0]: pair[1] if len(pair) > 1 else "" for pair in pairs}


def test_each_core_module_brings_its_commands(runner: FlaskCliRunner) -> None:
    from hub.cli import admin, audit, erp, exchanges, partners, setup

    by_module = {m.__name__.rsplit(".", 1)[1]: sorted(m.commands.commands)
                 for m in (setup, partners, admin, audit, exchanges, erp)}
    assert by_module == {
        "setup": ["demo", "init"],
        "partners": ["check-identifiers", "key-add", "key-list", "key-revoke", "partner-add",
                     "partner-id-add", "partner-list", "partner-profile", "token-add"],
        "admin": ["user-add", "user-enrol"],
        "audit": ["audit-verify"],
        "exchanges": ["process", "reprocess"],
        "erp": ["connector-add", "connector-list", "connector-token", "deliver", "deliveries", "redeliver"],
    }
    for name in ("partner-list", "connector-list", "key-list"):  # run through the gathered group
        assert runner.invoke(args=["hub", name]).exit_code == 0

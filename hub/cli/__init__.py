"""`flask hub ...`: one group gathering every capability's commands.

The core commands live here, one module per capability: setup.py (init, demo), partners.py
(partners, identifiers, profiles, keys and tokens), admin.py (admin users), audit.py
(audit-verify), exchanges.py (process, reprocess), erp.py (connectors and deliveries). The
capabilities with a package of their own bring theirs (hub/procurement/cli.py, hub/invoicing/cli.py,
...). errors.py turns every command's expected failures into one line; actor.py names the user in
the audit trail.
"""

from __future__ import annotations

from flask import Flask

from hub.cli.errors import HubGroup

hub_cli = HubGroup("hub", help="Administer the EDI hub.")


def register_cli(app: Flask) -> None:
    """Gather every capability's commands under `flask hub` and attach the group to the app."""
    from hub.cli import admin, audit, erp, exchanges, partners, setup
    from hub.invoicing.cli import register_invoicing_commands
    from hub.procurement.cli import register_procurement_commands
    from hub.reconciliation.cli import register_statement_commands
    from hub.reconciliation.match_cli import register_matching_commands
    from hub.retention.cli import register_retention_commands
    from hub.routing.cli import register_routing_commands

    for module in (setup, partners, admin, audit, exchanges, erp):
        for command in module.commands.commands.values():
            hub_cli.add_command(command)
    for register in (register_procurement_commands, register_invoicing_commands,
                     register_retention_commands, register_routing_commands,
                     register_matching_commands, register_statement_commands):
        register(hub_cli)
    app.cli.add_command(hub_cli)

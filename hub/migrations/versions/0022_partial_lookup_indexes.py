"""The lookup indexes of columns most rows leave empty hold only the rows that have a value: a statement
entry's end-to-end id, Pix txid, structured reference, counterparty IBAN and id, and partner; an issued
invoice's RF reference, Pix txid and boleto number.

On PostgreSQL an UPDATE that changes an indexed column (an entry's status, an invoice's state) adds an
entry to every index of the table, NULLs included: a matching run updating 100,000 entries and 80,000
invoices paid for ten and eight indexes a row. The queries that use these indexes look a value up
(`col = :value`, which implies NOT NULL), so the partial index serves them as before.

Revision ID: 0022_partial_lookup_indexes
Revises: 0021_remittance_state
Create Date: 2026-12-03 10:40:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0022_partial_lookup_indexes'
down_revision = '0021_remittance_state'
branch_labels = None
depends_on = None

PARTIAL = {
    'statement_entries': ('end_to_end_id', 'pix_txid', 'structured_reference', 'counterparty_iban',
                          'counterparty_id', 'partner_id'),
    'issued_invoices': ('payment_reference', 'pix_txid', 'boleto_number'),
}


def _recreate(partial: bool) -> None:
    for table, columns in PARTIAL.items():
        for column in columns:
            name = f'ix_{table}_{column}'
            where = sa.text(f'{column} IS NOT NULL') if partial else None
            op.drop_index(name, table_name=table)
            op.create_index(name, table, [column], unique=False, postgresql_where=where, sqlite_where=where)


def upgrade() -> None:
    _recreate(partial=True)


def downgrade() -> None:
    _recreate(partial=False)

"""The lookup indexes of columns most rows leave empty hold only the rows that have a value: a statement
entry's end-to-end id, Pix txid, structured reference, counterparty IBAN and id, and partner; an issued
invoice's RF reference, Pix txid and boleto number.

On PostgreSQL an UPDATE that changes an indexed column (an entry's status, an invoice's state) adds an
entry to every index of the table, NULLs included: a matching run updating 100,000 entries and 80,000
invoices paid for ten and eight indexes a row. The queries that use these indexes look a value up
(`col = :value`, which implies NOT NULL), so the partial index serves them as before. On PostgreSQL
the entries' status index and the invoices' state index also leave out the common final state (below).
A document's hold is indexed where there is one (the held are looked for, never the others); the
indexes of a document's exchange and of a delivery's document go: the unique constraints that start
with those columns serve the same lookups, and a run writing 80,000 of each paid for both.

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


# on PostgreSQL the status and state indexes leave out the rows' common final state: most entries end
# matched and most invoices paid, and a run moving 75,000 of each there paid an index entry for every
# one; the queries by status or state that use them (the pending entries, the exceptions queue, open
# or overdue invoices, a list of a rare state) name other values. SQLite keeps them whole: its UPDATE
# touches only the indexes of the columns it changes, and its planner would not see that `status IN
# ('unmatched', 'suggested')` implies `status <> 'matched'`.
BUT_FINAL = (('statement_entries', 'ix_statement_entries_status_currency', ['status', 'currency'],
              "status <> 'matched'"),
             ('issued_invoices', 'ix_issued_invoices_state_due', ['state', 'due_date'], "state <> 'paid'"))


def _recreate_status(partial: bool) -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table, name, columns, where in BUT_FINAL:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False,
                        postgresql_where=sa.text(where) if partial else None)


# indexes of a column that leads a unique constraint of the same table, which serves its lookups:
# a document's exchange (exchange_id, position), a delivery's document (document_id, connector_id)
REDUNDANT = (('documents', 'ix_documents_exchange_id', 'exchange_id'),
             ('deliveries', 'ix_deliveries_document_id', 'document_id'))


def upgrade() -> None:
    _recreate(partial=True)
    _recreate_status(partial=True)
    for table, name, _ in REDUNDANT:
        op.drop_index(name, table_name=table)
    where = sa.text('held IS NOT NULL')
    op.drop_index('ix_documents_held', table_name='documents')
    op.create_index('ix_documents_held', 'documents', ['held'], unique=False, postgresql_where=where,
                    sqlite_where=where)


def downgrade() -> None:
    op.drop_index('ix_documents_held', table_name='documents')
    op.create_index('ix_documents_held', 'documents', ['held'], unique=False)
    for table, name, column in REDUNDANT:
        op.create_index(name, table, [column], unique=False)
    _recreate_status(partial=False)
    _recreate(partial=False)

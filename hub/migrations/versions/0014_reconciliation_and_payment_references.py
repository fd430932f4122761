"""Reconciliation: imported bank statements and their entries, partners' remittance advices; issued
invoices get the references a payer quotes (RF creditor reference, Pix txid, boleto number).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 09:25:43
"""
import sqlalchemy as sa
from alembic import op

import hub.db


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bank_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exchange_id', sa.String(length=36), nullable=True),
    sa.Column('source_format', sa.String(length=40), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('statement_ref', sa.String(length=64), nullable=False),
    sa.Column('statement_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('opening_balance', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('closing_balance', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchanges.id'], name=op.f('fk_bank_statements_exchange_id_exchanges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statements')),
    sa.UniqueConstraint('account', 'statement_ref', 'statement_date', 'fingerprint', name=op.f('uq_bank_statements_account_statement_ref_statement_date_fingerprint'))
    )
    with op.batch_alter_table('bank_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_statements_exchange_id'), ['exchange_id'], unique=False)

    op.create_table('statement_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('entry_key', sa.String(length=128), nullable=False),
    sa.Column('line', sa.Integer(), nullable=True),
    sa.Column('booking_date', sa.Date(), nullable=False),
    sa.Column('value_date', sa.Date(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('fees', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('reversal', sa.Boolean(), nullable=False),
    sa.Column('bank_reference', sa.String(length=64), nullable=True),
    sa.Column('end_to_end_id', sa.String(length=64), nullable=True),
    sa.Column('pix_txid', sa.String(length=64), nullable=True),
    sa.Column('structured_reference', sa.String(length=64), nullable=True),
    sa.Column('remittance_info', sa.String(length=500), nullable=True),
    sa.Column('counterparty_name', sa.String(length=200), nullable=True),
    sa.Column('counterparty_iban', sa.String(length=34), nullable=True),
    sa.Column('counterparty_id', sa.String(length=40), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('open_amount', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_statement_entries_partner_id_partners')),
    sa.ForeignKeyConstraint(['statement_id'], ['bank_statements.id'], name=op.f('fk_statement_entries_statement_id_bank_statements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_entries')),
    sa.UniqueConstraint('account', 'entry_key', name=op.f('uq_statement_entries_account_entry_key'))
    )
    with op.batch_alter_table('statement_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_entries_counterparty_iban'), ['counterparty_iban'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_entries_counterparty_id'), ['counterparty_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_entries_end_to_end_id'), ['end_to_end_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_entries_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_entries_pix_txid'), ['pix_txid'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_entries_statement_id'), ['statement_id'], unique=False)
        batch_op.create_index('ix_statement_entries_status_currency', ['status', 'currency'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_entries_structured_reference'), ['structured_reference'], unique=False)

    op.create_table('remittance_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exchange_id', sa.String(length=36), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('payment_date', sa.Date(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('total', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['statement_entries.id'], name=op.f('fk_remittance_records_entry_id_statement_entries')),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchanges.id'], name=op.f('fk_remittance_records_exchange_id_exchanges')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_remittance_records_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remittance_records')),
    sa.UniqueConstraint('partner_id', 'number', name=op.f('uq_remittance_records_partner_id_number'))
    )
    with op.batch_alter_table('remittance_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remittance_records_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remittance_records_exchange_id'), ['exchange_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remittance_records_partner_id'), ['partner_id'], unique=False)

    with op.batch_alter_table('issued_invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_reference', sa.String(length=35), nullable=True))
        batch_op.add_column(sa.Column('pix_txid', sa.String(length=35), nullable=True))
        batch_op.add_column(sa.Column('boleto_number', sa.String(length=60), nullable=True))
        batch_op.create_index(batch_op.f('ix_issued_invoices_boleto_number'), ['boleto_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_invoices_payment_reference'), ['payment_reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_invoices_pix_txid'), ['pix_txid'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('issued_invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_invoices_pix_txid'))
        batch_op.drop_index(batch_op.f('ix_issued_invoices_payment_reference'))
        batch_op.drop_index(batch_op.f('ix_issued_invoices_boleto_number'))
        batch_op.drop_column('boleto_number')
        batch_op.drop_column('pix_txid')
        batch_op.drop_column('payment_reference')

    with op.batch_alter_table('remittance_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remittance_records_partner_id'))
        batch_op.drop_index(batch_op.f('ix_remittance_records_exchange_id'))
        batch_op.drop_index(batch_op.f('ix_remittance_records_entry_id'))

    op.drop_table('remittance_records')
    with op.batch_alter_table('statement_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_entries_structured_reference'))
        batch_op.drop_index('ix_statement_entries_status_currency')
        batch_op.drop_index(batch_op.f('ix_statement_entries_statement_id'))
        batch_op.drop_index(batch_op.f('ix_statement_entries_pix_txid'))
        batch_op.drop_index(batch_op.f('ix_statement_entries_partner_id'))
        batch_op.drop_index(batch_op.f('ix_statement_entries_end_to_end_id'))
        batch_op.drop_index(batch_op.f('ix_statement_entries_counterparty_id'))
        batch_op.drop_index(batch_op.f('ix_statement_entries_counterparty_iban'))

    op.drop_table('statement_entries')
    with op.batch_alter_table('bank_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_statements_exchange_id'))

    op.drop_table('bank_statements')

"""Invoicing: the companies that issue invoices, and the invoices and credit notes they issued.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 05:03:40
"""
import sqlalchemy as sa
from alembic import op

import hub.db

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('companies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('postal_code', sa.String(length=20), nullable=True),
    sa.Column('identifiers', sa.JSON(), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('bic', sa.String(length=11), nullable=True),
    sa.Column('pix_key', sa.String(length=77), nullable=True),
    sa.Column('payment_days', sa.Integer(), nullable=False),
    sa.Column('invoice_prefix', sa.String(length=20), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies')),
    sa.UniqueConstraint('name', name=op.f('uq_companies_name'))
    )
    op.create_table('issued_invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('is_credit_note', sa.Boolean(), nullable=False),
    sa.Column('credit_of_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('issued', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('payable', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('paid', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('syntax', sa.String(length=20), nullable=False),
    sa.Column('exchange_id', sa.String(length=36), nullable=True),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('request', sa.JSON(), nullable=False),
    sa.Column('canonical', sa.JSON(), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['partners.id'], name=op.f('fk_issued_invoices_buyer_id_partners')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'],
                            name=op.f('fk_issued_invoices_company_id_companies')),
    sa.ForeignKeyConstraint(['credit_of_id'], ['issued_invoices.id'],
                            name=op.f('fk_issued_invoices_credit_of_id_issued_invoices')),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchanges.id'],
                            name=op.f('fk_issued_invoices_exchange_id_exchanges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_invoices')),
    sa.UniqueConstraint('company_id', 'number', name=op.f('uq_issued_invoices_company_id_number')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_issued_invoices_source_external_id'))
    )
    with op.batch_alter_table('issued_invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_invoices_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index('ix_issued_invoices_state_due', ['state', 'due_date'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('issued_invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_issued_invoices_state_due')
        batch_op.drop_index(batch_op.f('ix_issued_invoices_buyer_id'))

    op.drop_table('issued_invoices')
    op.drop_table('companies')

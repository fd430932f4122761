"""Reconciliation's matching: matches with their evidence and allocations, write-offs, partners' credit,
payer names and accounts learnt from confirmed matches, and the configurable rules and tolerances.

Revision ID: 0020_reconciliation_matching
Revises: 0019_procurement_edi
Create Date: 2026-12-02 09:37:20
"""
import sqlalchemy as sa
from alembic import op

import hub.db


revision = '0020_reconciliation_matching'
down_revision = '0019_procurement_edi'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('matching_rules',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_matching_rules'))
    )
    op.create_table('matching_tolerances',
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('absolute', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('percent', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('account', sa.String(length=60), nullable=False),
    sa.PrimaryKeyConstraint('currency', name=op.f('pk_matching_tolerances'))
    )
    op.create_table('payment_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('signals', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('allocations', sa.JSON(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('credit', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('decided_by', sa.String(length=120), nullable=True),
    sa.Column('decided_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['statement_entries.id'], name=op.f('fk_payment_matches_entry_id_statement_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_matches'))
    )
    with op.batch_alter_table('payment_matches', schema=None) as batch_op:
        batch_op.create_index('ix_payment_matches_entry_state', ['entry_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_matches_run_id'), ['run_id'], unique=False)

    op.create_table('partner_credits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['statement_entries.id'], name=op.f('fk_partner_credits_entry_id_statement_entries')),
    sa.ForeignKeyConstraint(['match_id'], ['payment_matches.id'], name=op.f('fk_partner_credits_match_id_payment_matches')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_credits_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_credits'))
    )
    with op.batch_alter_table('partner_credits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_credits_match_id'), ['match_id'], unique=False)
        batch_op.create_index('ix_partner_credits_partner_currency', ['partner_id', 'currency'], unique=False)

    op.create_table('payer_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['match_id'], ['payment_matches.id'], name=op.f('fk_payer_mappings_match_id_payment_matches')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_payer_mappings_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payer_mappings')),
    sa.UniqueConstraint('kind', 'value', name=op.f('uq_payer_mappings_kind_value'))
    )
    with op.batch_alter_table('payer_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payer_mappings_partner_id'), ['partner_id'], unique=False)

    op.create_table('payment_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('write_off', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['issued_invoices.id'], name=op.f('fk_payment_allocations_invoice_id_issued_invoices')),
    sa.ForeignKeyConstraint(['match_id'], ['payment_matches.id'], name=op.f('fk_payment_allocations_match_id_payment_matches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_allocations'))
    )
    with op.batch_alter_table('payment_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_allocations_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_allocations_match_id'), ['match_id'], unique=False)

    op.create_table('payment_write_offs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('account', sa.String(length=60), nullable=False),
    sa.Column('amount', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['statement_entries.id'], name=op.f('fk_payment_write_offs_entry_id_statement_entries')),
    sa.ForeignKeyConstraint(['invoice_id'], ['issued_invoices.id'], name=op.f('fk_payment_write_offs_invoice_id_issued_invoices')),
    sa.ForeignKeyConstraint(['match_id'], ['payment_matches.id'], name=op.f('fk_payment_write_offs_match_id_payment_matches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_write_offs'))
    )
    with op.batch_alter_table('payment_write_offs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_write_offs_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_write_offs_match_id'), ['match_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payment_write_offs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_write_offs_match_id'))
        batch_op.drop_index(batch_op.f('ix_payment_write_offs_entry_id'))

    op.drop_table('payment_write_offs')
    with op.batch_alter_table('payment_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_allocations_match_id'))
        batch_op.drop_index(batch_op.f('ix_payment_allocations_invoice_id'))

    op.drop_table('payment_allocations')
    with op.batch_alter_table('payer_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payer_mappings_partner_id'))

    op.drop_table('payer_mappings')
    with op.batch_alter_table('partner_credits', schema=None) as batch_op:
        batch_op.drop_index('ix_partner_credits_partner_currency')
        batch_op.drop_index(batch_op.f('ix_partner_credits_match_id'))

    op.drop_table('partner_credits')
    with op.batch_alter_table('payment_matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_matches_run_id'))
        batch_op.drop_index('ix_payment_matches_entry_state')

    op.drop_table('payment_matches')
    op.drop_table('matching_tolerances')
    op.drop_table('matching_rules')

"""Procurement by EDI: stock levels keep their source (erp:<connector>, partner:<name>); on SQLite a
replenishment run stages its lines (replenishment_staged_lines) under a lease (replenishment_leases).

Revision ID: 0019_procurement_edi
Revises: 0018_exchange_company
Create Date: 2026-12-02 09:50:00
"""
import sqlalchemy as sa
from alembic import op

import hub.db

revision = '0019_procurement_edi'
down_revision = '0018_exchange_company'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=80), nullable=True))

    op.create_table('replenishment_staged_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=36), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=60), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('supplier_sku', sa.String(length=60), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replenishment_staged_lines'))
    )
    with op.batch_alter_table('replenishment_staged_lines', schema=None) as batch_op:
        batch_op.create_index('ix_replenishment_staged_lines_token_group', ['token', 'supplier_id', 'currency'],
                              unique=False)

    op.create_table('replenishment_leases',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('token', sa.String(length=36), nullable=False),
    sa.Column('since', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_replenishment_leases'))
    )


def downgrade() -> None:
    op.drop_table('replenishment_leases')
    with op.batch_alter_table('replenishment_staged_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_replenishment_staged_lines_token_group')

    op.drop_table('replenishment_staged_lines')
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.drop_column('source')

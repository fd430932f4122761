"""Procurement: items, supplier terms, reorder rules, purchase orders and their lines; reserved stock.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

QTY = sa.Numeric(20, 6)
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reserved', QTY, server_default='0', nullable=False))
    op.create_table(
        'items',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('sku', sa.String(60), nullable=False, unique=True),
        sa.Column('gtin', sa.String(14), nullable=True),
        sa.Column('description', sa.String(200), nullable=False),
        sa.Column('unit', sa.String(8), nullable=False),
        sa.Column('updated_at', TIME, nullable=False),
    )
    op.create_table(
        'supplier_terms',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('item_id', sa.Integer(), sa.ForeignKey('items.id'), nullable=False),
        sa.Column('supplier_id', sa.Integer(), sa.ForeignKey('partners.id'), nullable=False),
        sa.Column('supplier_sku', sa.String(60), nullable=False),
        sa.Column('price', QTY, nullable=False),
        sa.Column('currency', sa.String(3), nullable=False),
        sa.Column('min_qty', QTY, nullable=False),
        sa.Column('multiple', QTY, nullable=False),
        sa.Column('lead_time_days', sa.Integer(), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=True),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('price_breaks', sa.JSON(), nullable=False),
        sa.Column('updated_at', TIME, nullable=False),
        sa.UniqueConstraint('item_id', 'supplier_id'),
    )
    op.create_table(
        'reorder_rules',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('item_id', sa.Integer(), sa.ForeignKey('items.id'), nullable=False),
        sa.Column('location', sa.String(60), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('minimum', QTY, nullable=False),
        sa.Column('maximum', QTY, nullable=False),
        sa.Column('paused', sa.Boolean(), nullable=False),
        sa.Column('snoozed_until', sa.Date(), nullable=True),
        sa.Column('updated_at', TIME, nullable=False),
        sa.UniqueConstraint('item_id', 'location'),
    )
    op.create_table(
        'purchase_orders',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('number', sa.String(35), nullable=True, unique=True),
        sa.Column('supplier_id', sa.Integer(), sa.ForeignKey('partners.id'), nullable=False),
        sa.Column('state', sa.String(20), nullable=False),
        sa.Column('currency', sa.String(3), nullable=False),
        sa.Column('total', sa.Numeric(20, 2), nullable=False),
        sa.Column('run_id', sa.Integer(), sa.ForeignKey('job_runs.id'), nullable=True),
        sa.Column('exchange_id', sa.String(36), nullable=True),
        sa.Column('reason', sa.String(500), nullable=True),
        sa.Column('history', sa.JSON(), nullable=False),
        sa.Column('created_at', TIME, nullable=False),
        sa.Column('updated_at', TIME, nullable=False),
    )
    op.create_index('ix_purchase_orders_state', 'purchase_orders', ['state'])
    op.create_index('ix_purchase_orders_supplier_state', 'purchase_orders', ['supplier_id', 'state'])
    op.create_table(
        'purchase_order_lines',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('order_id', sa.Integer(), sa.ForeignKey('purchase_orders.id'), nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), sa.ForeignKey('items.id'), nullable=False),
        sa.Column('location', sa.String(60), nullable=False),
        sa.Column('quantity', QTY, nullable=False),
        sa.Column('confirmed_quantity', QTY, nullable=True),
        sa.Column('shipped_quantity', QTY, nullable=False),
        sa.Column('received_quantity', QTY, nullable=False),
        sa.Column('unit', sa.String(8), nullable=False),
        sa.Column('unit_price', QTY, nullable=False),
        sa.Column('supplier_sku', sa.String(60), nullable=False),
        sa.Column('state', sa.String(20), nullable=False),
        sa.Column('explanation', sa.JSON(), nullable=False),
    )
    op.create_index('ix_purchase_order_lines_order_id', 'purchase_order_lines', ['order_id'])
    op.create_index('ix_po_lines_item_location', 'purchase_order_lines', ['item_id', 'location'])


def downgrade() -> None:
    op.drop_table('purchase_order_lines')
    op.drop_table('purchase_orders')
    op.drop_table('reorder_rules')
    op.drop_table('supplier_terms')
    op.drop_table('items')
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.drop_column('reserved')

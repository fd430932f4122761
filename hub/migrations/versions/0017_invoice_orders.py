"""Invoicing received orders: what each invoice took of each order line, so an order is never invoiced
beyond its quantities.

Revision ID: 0017_invoice_orders
Revises: 0016_routing_rules
Create Date: 2026-12-02 09:44:55
"""
import sqlalchemy as sa
from alembic import op

import hub.db


revision = '0017_invoice_orders'
down_revision = '0016_routing_rules'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invoiced_order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_document_id', sa.String(length=36), nullable=False),
    sa.Column('order_line', sa.String(length=20), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['issued_invoices.id'], name=op.f('fk_invoiced_order_lines_invoice_id_issued_invoices')),
    sa.ForeignKeyConstraint(['order_document_id'], ['documents.id'], name=op.f('fk_invoiced_order_lines_order_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoiced_order_lines'))
    )
    with op.batch_alter_table('invoiced_order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoiced_order_lines_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index('ix_invoiced_order_lines_order', ['order_document_id', 'order_line'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('invoiced_order_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_invoiced_order_lines_order')
        batch_op.drop_index(batch_op.f('ix_invoiced_order_lines_invoice_id'))

    op.drop_table('invoiced_order_lines')

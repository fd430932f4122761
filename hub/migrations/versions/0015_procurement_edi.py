"""Procurement by EDI: stock levels keep their source (erp:<connector>, partner:<name>).

Revision ID: 0015_procurement_edi
Revises: 0014
Create Date: 2026-12-02 09:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_procurement_edi'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.drop_column('source')

"""The company an inbound exchange was addressed to (its UNB recipient or receiving EndpointID).

Revision ID: 0018_exchange_company
Revises: 0017_invoice_orders
Create Date: 2026-12-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018_exchange_company'
down_revision = '0017_invoice_orders'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.drop_column('company_id')

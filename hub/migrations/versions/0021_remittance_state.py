"""Remittance advices a partner cancels (REMADV BGM 1225 = 1) are kept, marked cancelled.

Revision ID: 0021_remittance_state
Revises: 0020_reconciliation_matching
Create Date: 2026-12-02 15:40:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0021_remittance_state'
down_revision = '0020_reconciliation_matching'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('remittance_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=20), server_default='active', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('remittance_records', schema=None) as batch_op:
        batch_op.drop_column('state')

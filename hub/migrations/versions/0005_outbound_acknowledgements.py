"""Outbound exchanges record the partner's CONTRL: its status, findable by control reference.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 17:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ack_status', sa.String(length=20), nullable=True))
        batch_op.create_index('ix_exchanges_partner_direction_control_ref',
                              ['partner_id', 'direction', 'control_ref'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.drop_index('ix_exchanges_partner_direction_control_ref')
        batch_op.drop_column('ack_status')

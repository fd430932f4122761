"""An exchange may be one interchange of a file of several: the file's exchange and its position.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('part_of', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('part_number', sa.Integer(), nullable=True))
        batch_op.create_index('ix_exchanges_part_of', ['part_of'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.drop_index('ix_exchanges_part_of')
        batch_op.drop_column('part_number')
        batch_op.drop_column('part_of')

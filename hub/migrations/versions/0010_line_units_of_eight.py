"""A line's unit holds the 8 characters UN/EDIFACT 6411 allows from D.01B on (GBND, ...), not 3.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 04:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('document_lines', schema=None) as batch_op:
        batch_op.alter_column('unit', existing_type=sa.String(3), type_=sa.String(8),
                              existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('document_lines', schema=None) as batch_op:
        batch_op.alter_column('unit', existing_type=sa.String(8), type_=sa.String(3),
                              existing_nullable=True)

"""Documents carry what the business rules flagged (a changed payee account) and whether they are
held for confirmation.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flags', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('held', sa.String(length=40), nullable=True))
        batch_op.create_index('ix_documents_held', ['held'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_held')
        batch_op.drop_column('held')
        batch_op.drop_column('flags')

"""Retention: the time an exchange's raw bytes, or a document's canonical JSON, were purged.

Revision ID: 0015_retention
Revises: 0014
Create Date: 2026-12-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

import hub.db

revision = '0015_retention'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', hub.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', hub.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.drop_column('purged_at')

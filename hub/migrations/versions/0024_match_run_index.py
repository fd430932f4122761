"""A match's job run is no longer indexed: nothing looks matches up by run (the run id is only shown
with a match), and a matching run writing 97,000 match rows paid an index entry for each (0.16 to
0.28 s of PostgreSQL's CPU, COPY of the bench's rows with and without the index).

Revision ID: 0024_match_run_index
Revises: 0023_audit_partial_uniques
Create Date: 2026-12-03 17:40:00
"""
from alembic import op


revision = '0024_match_run_index'
down_revision = '0023_audit_partial_uniques'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_payment_matches_run_id', table_name='payment_matches')


def downgrade() -> None:
    op.create_index('ix_payment_matches_run_id', 'payment_matches', ['run_id'], unique=False)

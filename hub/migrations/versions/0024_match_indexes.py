"""Indexes of matches that serve what is done with them: a match's job run is no longer indexed, a
payer mapping's match is.

Nothing looks matches up by run (the run id is only shown with a match), and a matching run writing
97,000 match rows paid an index entry for each (0.16 to 0.28 s of PostgreSQL's CPU, COPY of the
bench's rows with and without the index).

Every run deletes the earlier run's suggestions, and deleting a match checks that no payer mapping
points at it (the foreign key): without an index, a scan of payer_mappings per deleted match. With
10,000 mappings, deleting 22,000 suggestions took 20 to 23 s of PostgreSQL's CPU; with the index,
0.7 to 0.8 s.

Revision ID: 0024_match_indexes
Revises: 0023_audit_partial_uniques
Create Date: 2026-12-03 17:40:00
"""
from alembic import op


revision = '0024_match_indexes'
down_revision = '0023_audit_partial_uniques'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_payment_matches_run_id', table_name='payment_matches')
    op.create_index('ix_payer_mappings_match_id', 'payer_mappings', ['match_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_payer_mappings_match_id', table_name='payer_mappings')
    op.create_index('ix_payment_matches_run_id', 'payment_matches', ['run_id'], unique=False)

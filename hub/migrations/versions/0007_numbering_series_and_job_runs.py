"""Numbering series (gap-free numbers per series) and job runs (one run per job and time slot).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 04:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'number_series',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('key', sa.String(100), nullable=False, unique=True),
        sa.Column('prefix', sa.String(30), nullable=False),
        sa.Column('padding', sa.Integer(), nullable=False),
        sa.Column('next_value', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        'issued_numbers',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('series_id', sa.Integer(), sa.ForeignKey('number_series.id'), nullable=False),
        sa.Column('number', sa.String(60), nullable=False),
        sa.Column('value', sa.Integer(), nullable=True),
        sa.Column('object_type', sa.String(40), nullable=False),
        sa.Column('object_id', sa.String(64), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('series_id', 'number'),
    )
    op.create_table(
        'job_runs',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('job', sa.String(60), nullable=False),
        sa.Column('slot', sa.String(64), nullable=False),
        sa.Column('trigger', sa.String(20), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(20), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.UniqueConstraint('job', 'slot'),
    )


def downgrade() -> None:
    op.drop_table('job_runs')
    op.drop_table('issued_numbers')
    op.drop_table('number_series')

"""Admin pages: users get a password, a TOTP second factor, recovery codes and a one-time enrolment
link; failed sign-in attempts are kept to throttle them. Indexes for the pages' list (newest first),
search (control reference, document number) and overdue acknowledgements.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 05:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_hash', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recovery_codes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('enrolment_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('enrolment_expires_at', TIME, nullable=True))
        batch_op.add_column(sa.Column('enrolled_at', TIME, nullable=True))
        batch_op.create_unique_constraint('uq_users_enrolment_token_hash', ['enrolment_token_hash'])
    op.create_table(
        'sign_in_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('at', TIME, nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sign_in_failures_key_at', 'sign_in_failures', ['key', 'at'], unique=False)
    op.create_index('ix_exchanges_control_ref', 'exchanges', ['control_ref'], unique=False)
    op.create_index('ix_exchanges_received_at', 'exchanges', ['received_at'], unique=False)
    op.create_index('ix_exchanges_ack_status_received_at', 'exchanges', ['ack_status', 'received_at'],
                    unique=False)
    op.create_index('ix_documents_number', 'documents', ['number'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_documents_number', table_name='documents')
    op.drop_index('ix_exchanges_ack_status_received_at', table_name='exchanges')
    op.drop_index('ix_exchanges_control_ref', table_name='exchanges')
    op.drop_index('ix_exchanges_received_at', table_name='exchanges')
    op.drop_index('ix_sign_in_failures_key_at', table_name='sign_in_failures')
    op.drop_table('sign_in_failures')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_enrolment_token_hash', type_='unique')
        for column in ('enrolled_at', 'enrolment_expires_at', 'enrolment_token_hash', 'recovery_codes',
                       'totp_last_step', 'totp_secret', 'password_hash'):
            batch_op.drop_column(column)

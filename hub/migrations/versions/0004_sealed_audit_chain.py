"""Sealed audit chain: events are inserted unchained, then sealed in order by a single sealer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Row trigger: nothing may change an event, except sealing it once (hashes and position set while
# every recorded field stays as it was). Statement trigger: no TRUNCATE.
GUARD = """
CREATE OR REPLACE FUNCTION hub_audit_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL AND NEW.seq IS NOT NULL
       AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor = OLD.actor
       AND NEW.action = OLD.action AND NEW.object_type = OLD.object_type
       AND NEW.object_id = OLD.object_id
       AND NEW.partner_id IS NOT DISTINCT FROM OLD.partner_id
       AND NEW.details::text = OLD.details::text THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION hub_audit_events_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: TRUNCATE is not allowed'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events;
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION hub_audit_events_no_truncate();
"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:  # the backfill below is an UPDATE the old trigger would refuse
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_seq'), ['seq'])
    op.execute("UPDATE audit_events SET seq = id")  # events chained so far keep their order
    if postgres:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete")
        op.execute(GUARD)


def downgrade() -> None:
    # Only possible once every event is sealed (run `flask hub audit-verify` first).
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_seq'), type_='unique')
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('seq')

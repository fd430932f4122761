"""Routing rules as data, outbound batches of a partner's EDIFACT messages, and the routing decision
kept on each document (`documents.route`).

Revision ID: 0016_routing_rules
Revises: 0015_retention
Create Date: 2026-12-02 09:34:35
"""
import sqlalchemy as sa
from alembic import op

import hub.db


revision = '0016_routing_rules'
down_revision = '0015_retention'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('routing_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source_partner_id', sa.Integer(), nullable=True),
    sa.Column('recipient_partner_id', sa.Integer(), nullable=True),
    sa.Column('to_hub', sa.Boolean(), nullable=False),
    sa.Column('doc_type', sa.String(length=40), nullable=True),
    sa.Column('test', sa.Boolean(), nullable=True),
    sa.Column('connector_ids', sa.JSON(), nullable=False),
    sa.Column('partner_ids', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['recipient_partner_id'], ['partners.id'], name=op.f('fk_routing_rules_recipient_partner_id_partners')),
    sa.ForeignKeyConstraint(['source_partner_id'], ['partners.id'], name=op.f('fk_routing_rules_source_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rules'))
    )
    with op.batch_alter_table('routing_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_rules_position'), ['position'], unique=False)

    op.create_table('outbound_batches',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('message_type', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.Column('opened_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('exchange_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchanges.id'], name=op.f('fk_outbound_batches_exchange_id_exchanges')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_outbound_batches_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_batches'))
    )
    with op.batch_alter_table('outbound_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbound_batches_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index('ix_outbound_batches_state_due', ['state', 'due_at'], unique=False)

    op.create_table('outbound_batch_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.Column('document_id', sa.String(length=36), nullable=True),
    sa.Column('doc_type', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('message_ref', sa.String(length=20), nullable=False),
    sa.Column('rendered', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['outbound_batches.id'], name=op.f('fk_outbound_batch_messages_batch_id_outbound_batches')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_outbound_batch_messages_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_batch_messages'))
    )
    with op.batch_alter_table('outbound_batch_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbound_batch_messages_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_batch_messages_document_id'), ['document_id'], unique=False)

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('route', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('route')

    with op.batch_alter_table('outbound_batch_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_batch_messages_document_id'))
        batch_op.drop_index(batch_op.f('ix_outbound_batch_messages_batch_id'))

    op.drop_table('outbound_batch_messages')
    with op.batch_alter_table('outbound_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_batches_state_due')
        batch_op.drop_index(batch_op.f('ix_outbound_batches_partner_id'))

    op.drop_table('outbound_batches')
    with op.batch_alter_table('routing_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_rules_position'))

    op.drop_table('routing_rules')

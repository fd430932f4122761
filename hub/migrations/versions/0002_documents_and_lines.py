"""documents and lines

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 13:38:14.979435
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('documents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('exchange_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('message_ref', sa.String(length=100), nullable=True),
    sa.Column('message_type', sa.String(length=40), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('doc_type', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('issued', sa.String(length=40), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('total', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('canonical', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchanges.id'], name=op.f('fk_documents_exchange_id_exchanges')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_documents_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('exchange_id', 'position', name=op.f('uq_documents_exchange_id_position'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_exchange_id'), ['exchange_id'], unique=False)
        batch_op.create_index('ix_documents_partner_type_number', ['partner_id', 'doc_type', 'number'], unique=False)

    op.create_table('document_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.String(length=36), nullable=False),
    sa.Column('line_number', sa.String(length=20), nullable=False),
    sa.Column('gtin', sa.String(length=20), nullable=True),
    sa.Column('buyer_item', sa.String(length=60), nullable=True),
    sa.Column('supplier_item', sa.String(length=60), nullable=True),
    sa.Column('our_item', sa.String(length=60), nullable=True),
    sa.Column('description', sa.String(length=350), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6), nullable=True),
    sa.Column('unit', sa.String(length=3), nullable=True),
    sa.Column('price', sa.Numeric(precision=20, scale=6), nullable=True),
    sa.Column('amount', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_lines_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_lines'))
    )
    with op.batch_alter_table('document_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_lines_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_lines_gtin'), ['gtin'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('document_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_lines_gtin'))
        batch_op.drop_index(batch_op.f('ix_document_lines_document_id'))

    op.drop_table('document_lines')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_partner_type_number')
        batch_op.drop_index(batch_op.f('ix_documents_exchange_id'))

    op.drop_table('documents')

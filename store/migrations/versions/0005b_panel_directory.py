"""office panel: directory (freshness campaign, import previews, the table's order)

Revision ID: 0005b
Revises: 0005a
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005b'
down_revision: str | None = '0005a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'freshnesscampaign',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('started_by', sa.Integer(), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('months', sa.Integer(), nullable=False),
        sa.Column('cutoff', sa.Date(), nullable=False),
        sa.Column('asked', sa.Integer(), nullable=False),
        sa.Column('unreachable', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['started_by'], ['person.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'freshnessrequest',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('platform', _text(length=20), nullable=False),
        sa.Column('answer', _text(length=12), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['freshnesscampaign.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('campaign_id', 'person_id'),
    )
    op.create_index('ix_freshnessrequest_campaign_answer', 'freshnessrequest',
                    ['campaign_id', 'answer'])
    op.create_index(op.f('ix_freshnessrequest_person_id'), 'freshnessrequest', ['person_id'])
    op.create_table(
        'directoryupload',
        sa.Column('token_hash', _text(length=64), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('filename', _text(length=200), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index(op.f('ix_directoryupload_person_id'), 'directoryupload', ['person_id'])
    # The panel's directory table is ordered by name and paged: 35,000 people are walked in
    # this index instead of sorted for every page.
    op.create_index('ix_person_name', 'person', ['name', 'id'])


def downgrade() -> None:
    op.drop_index('ix_person_name', table_name='person')
    op.drop_index(op.f('ix_directoryupload_person_id'), table_name='directoryupload')
    op.drop_table('directoryupload')
    op.drop_index(op.f('ix_freshnessrequest_person_id'), table_name='freshnessrequest')
    op.drop_index('ix_freshnessrequest_campaign_answer', table_name='freshnessrequest')
    op.drop_table('freshnessrequest')
    op.drop_table('freshnesscampaign')

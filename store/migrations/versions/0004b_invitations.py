"""invitations by e-mail, opt-out and digest bookkeeping

Revision ID: 0004b
Revises: 0003f
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004b'
down_revision: str | None = '0003f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('email', _text(length=254), nullable=False),
        sa.Column('code_hash', _text(length=64), nullable=False),
        sa.Column('state', _text(length=12), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reminders', sa.Integer(), nullable=False),
        sa.Column('attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', _text(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('person_id'),
    )
    op.create_table(
        'emailpreference',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('token', _text(length=64), nullable=False),
        sa.Column('opted_out_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('digest_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('digest_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id'),
        sa.UniqueConstraint('token'),
    )


def downgrade() -> None:
    op.drop_table('emailpreference')
    op.drop_table('invitation')

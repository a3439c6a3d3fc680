"""the bot finishes what it asks (Day one): pending prompts; announcement numbers

Revision ID: 0003c
Revises: 0003b
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003c'
down_revision: str | None = '0003b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pendingprompt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_key', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('user_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('command', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('args', sa.Text(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('style', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_key', 'user_key')
    )
    with op.batch_alter_table('pendingprompt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pendingprompt_expires_at'), ['expires_at'],
                              unique=False)
    # Announcement numbers: given when an announcement is sent, so a cancelled preview uses
    # none. Those sent before keep the number they were shown with (their id).
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_announcement_number'), ['number'], unique=True)
    op.execute("UPDATE announcement SET number = id WHERE state = 'sent'")


def downgrade() -> None:
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_number'))
        batch_op.drop_column('number')
    with op.batch_alter_table('pendingprompt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pendingprompt_expires_at'))
    op.drop_table('pendingprompt')

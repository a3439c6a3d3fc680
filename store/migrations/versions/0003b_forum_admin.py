"""forum administration (Day one): archived forums

Revision ID: 0003b
Revises: 0003a
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0003b'
down_revision: str | None = '0003a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('forumarchive',
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['archived_by'], ['person.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('forum_id')
    )


def downgrade() -> None:
    op.drop_table('forumarchive')

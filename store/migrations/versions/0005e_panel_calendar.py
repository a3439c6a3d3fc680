"""office panel: calendar — .ics files kept between an import's preview and its confirm

Revision ID: 0005e
Revises: 0005c
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005e'
down_revision: str | None = '0005c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'calendarupload',
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('session_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('default_forum_id', sa.Integer(), nullable=True),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('preview', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index(op.f('ix_calendarupload_person_id'), 'calendarupload', ['person_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_calendarupload_person_id'), table_name='calendarupload')
    op.drop_table('calendarupload')

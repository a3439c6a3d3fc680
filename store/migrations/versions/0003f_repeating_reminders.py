"""repeating personal reminders

Revision ID: 0003f
Revises: 0003d
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003f'
down_revision: str | None = '0003d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing reminders are one-off: an empty rule and no start of a series.
    with op.batch_alter_table('personalreminder') as batch:
        batch.add_column(sa.Column('rrule', sqlmodel.sql.sqltypes.AutoString(length=200),
                                   nullable=False, server_default=''))
        batch.add_column(sa.Column('repeat_from', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('personalreminder') as batch:
        batch.drop_column('repeat_from')
        batch.drop_column('rrule')

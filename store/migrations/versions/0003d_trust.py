"""inbound records and security (Trust)

Revision ID: 0003d
Revises: 0003c
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003d'
down_revision: str | None = '0003c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Deliveries recorded before this revision were handled to the end.
    op.add_column('processedevent', sa.Column('done', sa.Boolean(), nullable=False,
                                              server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('processedevent') as batch:
        batch.drop_column('done')

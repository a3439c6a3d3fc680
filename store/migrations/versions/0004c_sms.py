"""urgent notices by SMS: person.mobile (E.164) and the provider's delivery reports

Revision ID: 0004c
Revises: 0004b
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004c'
down_revision: str | None = '0004b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A mobile number is asked for apart from the directory's phone: it is used only for
    # urgent notices, never shown to colleagues.
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mobile', sqlmodel.sql.sqltypes.AutoString(length=20),
                                      nullable=False, server_default=''))
    op.create_table('smsreport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('status_name', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id')
    )


def downgrade() -> None:
    op.drop_table('smsreport')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('mobile')

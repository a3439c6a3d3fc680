"""demo data marks, import baselines (Day one)

Revision ID: 0003a
Revises: 0002c
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0003a'
down_revision: str | None = '0002c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MARKED = ('person', 'gmina', 'forum')


def upgrade() -> None:
    for table in _MARKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('demo', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Before this revision the demo was marked by person.source = 'sample' only. A database
    # still holding sample people is still in its demo: then its forums (which only the demo
    # could create) and the gminy no real person belongs to are the demo's too. A database
    # that already had a real import keeps its forums: real questions may live in them.
    op.execute("UPDATE person SET demo = true WHERE source = 'sample'")
    op.execute("UPDATE forum SET demo = true WHERE EXISTS "
               "(SELECT 1 FROM person WHERE person.demo)")
    op.execute("UPDATE gmina SET demo = true WHERE EXISTS "
               "(SELECT 1 FROM person WHERE person.demo) AND NOT EXISTS "
               "(SELECT 1 FROM person WHERE person.gmina_id = gmina.id AND NOT person.demo)")


def downgrade() -> None:
    for table in reversed(_MARKED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('demo')

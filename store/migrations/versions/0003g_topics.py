"""topic thesaurus links (Polish as people write it)

Revision ID: 0003g
Revises: 0003f
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401 - used once the revision holds operations
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision: str = '0003g'
down_revision: str | None = '0003f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

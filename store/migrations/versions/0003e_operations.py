"""operations and RODO (retention, erasure)

Revision ID: 0003e
Revises: 0003d
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401 - used once the revision holds operations
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision: str = '0003e'
down_revision: str | None = '0003d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

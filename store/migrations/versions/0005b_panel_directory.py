"""office panel: directory (freshness campaign)

Revision ID: 0005b
Revises: 0005a
"""

from collections.abc import Sequence

revision: str = '0005b'
down_revision: str | None = '0005a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""office panel: announcements

Revision ID: 0005d
Revises: 0005c
"""

from collections.abc import Sequence

revision: str = '0005d'
down_revision: str | None = '0005c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

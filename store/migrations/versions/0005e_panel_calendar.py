"""office panel: calendar

Revision ID: 0005e
Revises: 0005d
"""

from collections.abc import Sequence

revision: str = '0005e'
down_revision: str | None = '0005d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

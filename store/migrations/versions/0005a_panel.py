"""office panel: sign-in links and sessions

Revision ID: 0005a
Revises: 0004c
"""

from collections.abc import Sequence

revision: str = '0005a'
down_revision: str | None = '0004c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""office panel: forums (FAQ curation)

Revision ID: 0005c
Revises: 0005b
"""

from collections.abc import Sequence

revision: str = '0005c'
down_revision: str | None = '0005b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

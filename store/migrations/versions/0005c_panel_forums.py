"""office panel: forums (FAQ curation)

The public wording of an FAQ question (and of its answer) a moderator curates in the panel,
the lemmas it is searched by, and an index for each forum's unanswered questions by age.

Revision ID: 0005c
Revises: 0005b
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005c'
down_revision: str | None = '0005b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('question', sa.Column('public_text', sa.Text(), nullable=True))
    op.add_column('question', sa.Column('public_answer', sa.Text(), nullable=True))
    op.add_column('question', sa.Column('public_terms', sa.Text(), nullable=False,
                                        server_default=''))
    op.create_index('ix_question_forum_state_created', 'question',
                    ['forum_id', 'state', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_question_forum_state_created', table_name='question')
    with op.batch_alter_table('question') as batch:
        batch.drop_column('public_terms')
        batch.drop_column('public_answer')
        batch.drop_column('public_text')

"""office panel: forums (FAQ curation)

The public wording of an FAQ question (and of its answer) a moderator curates in the panel,
the lemmas it is searched by, and when a question was first answered by someone other than
its asker (filled in from the answers stored so far), with the indexes of each forum's
unanswered questions by age and of its FAQ candidates.

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
    op.add_column('question', sa.Column('answered_at', sa.DateTime(timezone=True),
                                        nullable=True))
    op.execute(
        "UPDATE question SET answered_at = (SELECT min(answer.created_at) FROM answer "
        "WHERE answer.question_id = question.id AND NOT answer.deleted "
        "AND (question.asker_id IS NULL OR answer.author_id IS NULL "
        "OR answer.author_id <> question.asker_id))")
    op.create_index('ix_question_unanswered', 'question',
                    ['forum_id', 'state', 'answered_at', 'created_at'])
    op.create_index('ix_question_forum_faq', 'question', ['forum_id', 'faq', 'answered_at'])


def downgrade() -> None:
    op.drop_index('ix_question_forum_faq', table_name='question')
    op.drop_index('ix_question_unanswered', table_name='question')
    with op.batch_alter_table('question') as batch:
        batch.drop_column('answered_at')
        batch.drop_column('public_terms')
        batch.drop_column('public_answer')
        batch.drop_column('public_text')

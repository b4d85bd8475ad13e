"""A review stage between thumbnail and upload; backlogs that refill themselves.

channels.backlog_low_mark and backlog_refill: below the mark, topic ideas refill the
backlog.

Every video gets a ``review`` stage at position 5; ``upload`` moves to 6. A video whose
upload is still to come (queued) will be reviewed; for the rest (uploaded, running,
stopped) the review is recorded as done, so nothing already published is held back.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("backlog_low_mark", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("backlog_refill", sa.Integer(), nullable=False, server_default="10")
        )
    op.execute("UPDATE stages SET position = 6 WHERE name = 'upload'")
    # PostgreSQL types the literal as text, which a json column takes only by a cast.
    json_cast = "::json" if op.get_bind().dialect.name == "postgresql" else ""
    made_before = '{"data": {"verdict": "pass", "note": "made before reviews"}}'
    op.execute(
        f"""
        INSERT INTO stages (video_id, name, position, status, resource_class, attempts, progress,
                            result)
        SELECT u.video_id, 'review', 5,
               CASE WHEN u.status = 'queued' THEN 'queued' ELSE 'succeeded' END,
               'cpu', 0,
               CASE WHEN u.status = 'queued' THEN 0.0 ELSE 1.0 END,
               CASE WHEN u.status = 'queued' THEN NULL
                    ELSE '{made_before}'{json_cast} END
        FROM stages u
        WHERE u.name = 'upload'
          AND NOT EXISTS (
              SELECT 1 FROM stages r WHERE r.video_id = u.video_id AND r.name = 'review')
        """
    )


def downgrade() -> None:
    op.execute("DELETE FROM stages WHERE name = 'review'")
    op.execute("UPDATE stages SET position = 5 WHERE name = 'upload'")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("backlog_refill")
        batch.drop_column("backlog_low_mark")

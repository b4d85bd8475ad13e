"""Indexes for analytics: videos by creation time (one owner's or everyone's), and
the stage columns that durations are read from, so that read never touches the table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_videos_owner_id_created_at", "videos", ["owner_id", "created_at"])
    op.create_index("ix_videos_created_at", "videos", ["created_at"])
    op.create_index(
        "ix_stages_video_durations",
        "stages",
        ["video_id", "status", "name", "started_at", "finished_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_stages_video_durations", table_name="stages")
    op.drop_index("ix_videos_created_at", table_name="videos")
    op.drop_index("ix_videos_owner_id_created_at", table_name="videos")

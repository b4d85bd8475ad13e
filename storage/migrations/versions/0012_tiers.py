"""Storage tiers that move: where each video's files are now, and the journal of moves
in flight (so a crash mid-move is finished or undone at the next run).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("videos") as batch:
        batch.add_column(
            sa.Column("files_tier", sa.String(8), nullable=False, server_default="hot")
        )
        batch.add_column(sa.Column("files_moved_at", UTCDateTime(), nullable=True))
        batch.create_index("ix_videos_files_tier", ["files_tier", "files_moved_at"])
    op.create_table(
        "tier_moves",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("video_id", sa.Integer(), nullable=False, unique=True),
        sa.Column("from_tier", sa.String(8), nullable=False),
        sa.Column("to_tier", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("copies", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tier_moves")
    with op.batch_alter_table("videos") as batch:
        batch.drop_index("ix_videos_files_tier")
        batch.drop_column("files_moved_at")
        batch.drop_column("files_tier")

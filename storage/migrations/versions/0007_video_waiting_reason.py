"""Videos say why they wait; one owner's queue is counted from an index.

- videos.waiting_reason: why a video in status ``waiting`` does not go on now (a retry's
  time, a full hot tier, no free slot), in words; NULL otherwise.
- ix_videos_owner_id_status: ``GET /system/queue`` counts a user's videos by status
  (and finds their oldest queued one) without reading every row of theirs.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("videos") as batch:
        batch.add_column(sa.Column("waiting_reason", sa.Text(), nullable=True))
    op.create_index("ix_videos_owner_id_status", "videos", ["owner_id", "status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_videos_owner_id_status", table_name="videos")
    with op.batch_alter_table("videos") as batch:
        batch.drop_column("waiting_reason")

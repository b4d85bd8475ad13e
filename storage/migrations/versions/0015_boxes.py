"""Several boxes on one database: the boxes, which box holds each video and until when,
and the last run of each periodic job that one box runs for all of them.

Also widens ``stages.resource_class`` to hold ``gpu_or_cpu``, which SQLite kept in a
VARCHAR(8) without a word and PostgreSQL refuses.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "boxes",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("boot_id", sa.String(64), nullable=False),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("draining", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_boxes"),
    )
    op.create_table(
        "periodic_runs",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("box_id", sa.String(64), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_periodic_runs"),
    )
    with op.batch_alter_table("videos") as batch:
        batch.add_column(sa.Column("box_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("box_lease_until", UTCDateTime(), nullable=True))
        batch.create_index("ix_videos_box_id", ["box_id", "status"])
        # What a box claims next: unheld videos in queue order, read in index order.
        unheld = sa.text("box_id IS NULL")
        batch.create_index(
            "ix_videos_unheld",
            [sa.text("priority DESC"), "created_at", "id"],
            sqlite_where=unheld,
            postgresql_where=unheld,
        )
        # Claims that ran out, among unfinished videos.
        unfinished = sa.text("status IN ('queued', 'running', 'waiting')")
        batch.create_index(
            "ix_videos_lapsed",
            ["box_lease_until"],
            sqlite_where=unfinished,
            postgresql_where=unfinished,
        )
    with op.batch_alter_table("stages") as batch:
        batch.alter_column(
            "resource_class", type_=sa.String(16), existing_type=sa.String(8), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stages") as batch:
        batch.alter_column(
            "resource_class", type_=sa.String(8), existing_type=sa.String(16), nullable=False
        )
    with op.batch_alter_table("videos") as batch:
        batch.drop_index("ix_videos_lapsed")
        batch.drop_index("ix_videos_unheld")
        batch.drop_index("ix_videos_box_id")
        batch.drop_column("box_lease_until")
        batch.drop_column("box_id")
    op.drop_table("periodic_runs")
    op.drop_table("boxes")

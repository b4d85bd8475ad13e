"""Publishing to YouTube: API projects, connections, the quota ledger, uploads.

- youtube_projects: Google Cloud OAuth clients (secret sealed), where quota lives.
- youtube_connections: a YouTube channel authorized through a project (token sealed),
  with its state, health score and upload cap.
- youtube_quota: calls and units per project, Pacific-time day and method.
- youtube_uploads: each video's resumable session, YouTube id and steps done.
- youtube_oauth_states: started connects (one-use state, PKCE verifier).
- channels: the YouTube channel, playlist, category and made-for-kids of its uploads.
- videos: youtube_video_id and youtube_url.
- backlog_topics, schedule_slots, channels.schedule_timezone: publishing schedules.
- youtube_stats: published videos' views, likes and comments.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "youtube_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("client_secret_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("client_secret_fingerprint", sa.String(16), nullable=False),
        sa.Column("audited", sa.Boolean(), nullable=False),
        sa.Column("quota_buckets", sa.JSON(), nullable=False),
        sa.Column("exhausted_until", UTCDateTime(), nullable=True),
        sa.Column("warned_day", sa.String(10), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_youtube_projects_owner_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_youtube_projects"),
        sa.UniqueConstraint("owner_id", "client_id", name="uq_youtube_projects_owner_id"),
    )
    op.create_index("ix_youtube_projects_owner_id", "youtube_projects", ["owner_id"])
    op.create_table(
        "youtube_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("youtube_channel_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("token_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("health", sa.Float(), nullable=False),
        sa.Column("capped_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_youtube_connections_owner_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["youtube_projects.id"],
            name="fk_youtube_connections_project_id_youtube_projects",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_youtube_connections"),
        sa.UniqueConstraint(
            "project_id", "youtube_channel_id", name="uq_youtube_connections_project_id"
        ),
    )
    op.create_index("ix_youtube_connections_owner_id", "youtube_connections", ["owner_id"])
    op.create_index("ix_youtube_connections_project_id", "youtube_connections", ["project_id"])
    op.create_index(
        "ix_youtube_connections_youtube_channel_id", "youtube_connections", ["youtube_channel_id"]
    )
    op.create_table(
        "youtube_quota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("bucket", sa.String(32), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["youtube_projects.id"],
            name="fk_youtube_quota_project_id_youtube_projects",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_youtube_quota"),
        sa.UniqueConstraint("project_id", "day", "method", name="uq_youtube_quota_project_id"),
    )
    op.create_index("ix_youtube_quota_project_id", "youtube_quota", ["project_id"])
    op.create_table(
        "youtube_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("video_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("session_url", sa.Text(), nullable=True),
        sa.Column("youtube_video_id", sa.String(64), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("privacy", sa.String(16), nullable=True),
        sa.Column("publish_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name="fk_youtube_uploads_video_id_videos",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["youtube_connections.id"],
            name="fk_youtube_uploads_connection_id_youtube_connections",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["youtube_projects.id"],
            name="fk_youtube_uploads_project_id_youtube_projects",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_youtube_uploads"),
        sa.UniqueConstraint("video_id", name="uq_youtube_uploads_video_id"),
    )
    op.create_table(
        "youtube_oauth_states",
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("code_verifier", sa.String(128), nullable=True),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name="fk_youtube_oauth_states_owner_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["youtube_projects.id"],
            name="fk_youtube_oauth_states_project_id_youtube_projects",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("state", name="pk_youtube_oauth_states"),
    )
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("youtube_channel_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("youtube_playlist_id", sa.String(64), nullable=True))
        batch.add_column(
            sa.Column("youtube_category_id", sa.String(8), nullable=False, server_default="22")
        )
        batch.add_column(
            sa.Column("made_for_kids", sa.Boolean(), nullable=False, server_default="0")
        )
    op.create_index("ix_channels_youtube_channel_id", "channels", ["youtube_channel_id"])
    with op.batch_alter_table("videos") as batch:
        batch.add_column(sa.Column("youtube_video_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("youtube_url", sa.Text(), nullable=True))
    with op.batch_alter_table("channels") as batch:
        batch.add_column(
            sa.Column("schedule_timezone", sa.String(64), nullable=False, server_default="UTC")
        )
    op.create_table(
        "backlog_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_backlog_topics_owner_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name="fk_backlog_topics_channel_id_channels",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_backlog_topics"),
    )
    op.create_index(
        "ix_backlog_topics_channel_id_position", "backlog_topics", ["channel_id", "position"]
    )
    op.create_table(
        "schedule_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("slot_at", UTCDateTime(), nullable=False),
        sa.Column("video_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name="fk_schedule_slots_channel_id_channels",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name="fk_schedule_slots_video_id_videos",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_schedule_slots"),
        sa.UniqueConstraint("channel_id", "slot_at", name="uq_schedule_slots_channel_id"),
    )
    op.create_table(
        "youtube_stats",
        sa.Column("video_id", sa.Integer(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        sa.Column("comments", sa.Integer(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name="fk_youtube_stats_video_id_videos", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("video_id", name="pk_youtube_stats"),
    )


def downgrade() -> None:
    op.drop_table("youtube_stats")
    op.drop_table("schedule_slots")
    op.drop_index("ix_backlog_topics_channel_id_position", table_name="backlog_topics")
    op.drop_table("backlog_topics")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("schedule_timezone")
    with op.batch_alter_table("videos") as batch:
        batch.drop_column("youtube_url")
        batch.drop_column("youtube_video_id")
    op.drop_index("ix_channels_youtube_channel_id", table_name="channels")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("made_for_kids")
        batch.drop_column("youtube_category_id")
        batch.drop_column("youtube_playlist_id")
        batch.drop_column("youtube_channel_id")
    op.drop_table("youtube_oauth_states")
    op.drop_table("youtube_uploads")
    op.drop_index("ix_youtube_quota_project_id", table_name="youtube_quota")
    op.drop_table("youtube_quota")
    op.drop_index("ix_youtube_connections_youtube_channel_id", table_name="youtube_connections")
    op.drop_index("ix_youtube_connections_project_id", table_name="youtube_connections")
    op.drop_index("ix_youtube_connections_owner_id", table_name="youtube_connections")
    op.drop_table("youtube_connections")
    op.drop_index("ix_youtube_projects_owner_id", table_name="youtube_projects")
    op.drop_table("youtube_projects")

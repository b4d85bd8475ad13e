"""The cost ledger outlives its video; budgets get a downgrade point; stages name their
provider; credentials entered through the API are kept (encrypted).

- cost_entries: owner and channel columns (filled from the video), video_id nullable
  with ON DELETE SET NULL, so a deleted video's spend stays in the books; unit prices
  may be fractional micro-dollars (0.15 µ$ per token); a detail column.
- videos, channels: downgrade_micro_usd (the budget guard's first threshold).
- stages: provider, the provider that made the stage's output.
- credentials: one encrypted secret per owner and provider name.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOWNGRADE_DEFAULT = "2500000"


def upgrade() -> None:
    with op.batch_alter_table("cost_entries", recreate="always") as batch:
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("channel_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("detail", sa.JSON(), nullable=True))
        batch.alter_column("video_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("unit_price_micro_usd", existing_type=sa.Integer(), type_=sa.Float())
        batch.drop_constraint("fk_cost_entries_video_id_videos", type_="foreignkey")
        batch.create_foreign_key(
            "fk_cost_entries_video_id_videos", "videos", ["video_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_foreign_key("fk_cost_entries_owner_id_users", "users", ["owner_id"], ["id"])
        batch.create_foreign_key(
            "fk_cost_entries_channel_id_channels",
            "channels",
            ["channel_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE cost_entries SET "
        "owner_id = (SELECT owner_id FROM videos WHERE videos.id = cost_entries.video_id), "
        "channel_id = (SELECT channel_id FROM videos WHERE videos.id = cost_entries.video_id)"
    )
    op.create_index("ix_cost_entries_owner_id_at", "cost_entries", ["owner_id", "at"])
    op.create_index("ix_cost_entries_provider_at", "cost_entries", ["provider", "at"])
    op.create_index(op.f("ix_cost_entries_channel_id"), "cost_entries", ["channel_id"])

    for table in ("videos", "channels"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "downgrade_micro_usd",
                    sa.Integer(),
                    nullable=False,
                    server_default=DOWNGRADE_DEFAULT,
                )
            )
    with op.batch_alter_table("stages") as batch:
        batch.add_column(sa.Column("provider", sa.String(length=200), nullable=True))

    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_credentials_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_credentials_owner_id")),
    )


def downgrade() -> None:
    op.drop_table("credentials")
    with op.batch_alter_table("stages") as batch:
        batch.drop_column("provider")
    for table in ("channels", "videos"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("downgrade_micro_usd")
    op.drop_index(op.f("ix_cost_entries_channel_id"), table_name="cost_entries")
    op.drop_index("ix_cost_entries_provider_at", table_name="cost_entries")
    op.drop_index("ix_cost_entries_owner_id_at", table_name="cost_entries")
    # Entries of deleted videos have nowhere to go in the old schema.
    op.execute("DELETE FROM cost_entries WHERE video_id IS NULL")
    with op.batch_alter_table("cost_entries", recreate="always") as batch:
        batch.drop_constraint("fk_cost_entries_channel_id_channels", type_="foreignkey")
        batch.drop_constraint("fk_cost_entries_owner_id_users", type_="foreignkey")
        batch.drop_constraint("fk_cost_entries_video_id_videos", type_="foreignkey")
        batch.create_foreign_key(
            "fk_cost_entries_video_id_videos", "videos", ["video_id"], ["id"], ondelete="CASCADE"
        )
        batch.alter_column("unit_price_micro_usd", existing_type=sa.Float(), type_=sa.Integer())
        batch.alter_column("video_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("detail")
        batch.drop_column("channel_id")
        batch.drop_column("owner_id")

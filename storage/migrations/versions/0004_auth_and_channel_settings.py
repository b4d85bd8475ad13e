"""Refresh tokens, API keys, token invalidation on users; channel settings as columns.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("display_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("tokens_valid_after", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("last_login_at", UTCDateTime(), nullable=True))

    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_refresh_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    op.create_index(op.f("ix_refresh_tokens_user_id"), "refresh_tokens", ["user_id"])
    op.create_index(op.f("ix_refresh_tokens_family_id"), "refresh_tokens", ["family_id"])

    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_api_keys_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
    )
    op.create_index(op.f("ix_api_keys_owner_id"), "api_keys", ["owner_id"])

    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("voice", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("style", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("schedule", sa.String(length=100), nullable=True))
        batch.add_column(
            sa.Column("providers", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch.add_column(
            sa.Column("budget_micro_usd", sa.Integer(), nullable=False, server_default="3000000")
        )
        batch.add_column(
            sa.Column("privacy", sa.String(length=16), nullable=False, server_default="private")
        )
    # The voice used to live in the options blob.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE channels SET voice = options->>'voice', "
            "options = (options::jsonb - 'voice')::json WHERE options->>'voice' IS NOT NULL"
        )
        return
    op.execute(
        "UPDATE channels SET voice = json_extract(options, '$.voice') "
        "WHERE json_extract(options, '$.voice') IS NOT NULL"
    )
    op.execute("UPDATE channels SET options = json_remove(options, '$.voice')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE channels SET options = jsonb_set(options::jsonb, '{voice}', "
            "to_jsonb(voice))::json WHERE voice IS NOT NULL"
        )
    else:
        op.execute(
            "UPDATE channels SET options = json_set(options, '$.voice', voice) "
            "WHERE voice IS NOT NULL"
        )
    with op.batch_alter_table("channels") as batch:
        for column in ("privacy", "budget_micro_usd", "providers", "schedule", "style", "voice"):
            batch.drop_column(column)
    op.drop_index(op.f("ix_api_keys_owner_id"), table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_index(op.f("ix_refresh_tokens_family_id"), table_name="refresh_tokens")
    op.drop_index(op.f("ix_refresh_tokens_user_id"), table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    with op.batch_alter_table("users") as batch:
        for column in ("last_login_at", "tokens_valid_after", "display_name"):
            batch.drop_column(column)

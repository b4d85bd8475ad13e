"""users.must_change_password: a password someone else chose (the first admin's printed
one, or one an admin set) must be replaced at the first console sign-in.

ix_events_kind_at: the console's dashboard reads today's warnings by kind.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.create_index("ix_events_kind_at", "events", ["kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_events_kind_at", table_name="events")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")

"""Who may see which rows: every owned resource is its owner's, admins see all.

Someone else's row is ``NotFound`` with the same text as a missing one, so ids
cannot be probed. Lists are keyset pages, newest (highest id) first: the cursor is
the last id seen, so a page stays right while rows are added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from appliance.domain.errors import NotFound
from storage.models import ApiKey, Base, Channel, Video, YouTubeConnection, YouTubeProject

# SQLite integers are signed 64-bit: a larger id can name no row.
SQLITE_INT_MAX = 2**63 - 1

Owned = TypeVar("Owned", Channel, Video, ApiKey, YouTubeProject, YouTubeConnection)
R = TypeVar("R", bound=Base)


class Actor(Protocol):
    """Whoever asks: a person or an integration's key, by user id and whether an admin."""

    @property
    def id(self) -> int: ...

    @property
    def is_admin(self) -> bool: ...


@dataclass(frozen=True)
class Owner:
    """An actor from plain values (the CLI and the scheduler act as one user)."""

    id: int
    is_admin: bool = False


def owned(session: Session, actor: Actor, model: type[Owned], row_id: int) -> Owned:
    """The row if it is the actor's (or the actor is an admin); otherwise NotFound."""
    row = session.get(model, row_id) if 1 <= row_id <= SQLITE_INT_MAX else None
    if row is None or (row.owner_id != actor.id and not actor.is_admin):
        raise NotFound(f"{model.__tablename__[:-1]} {row_id} not found")
    return row


def scoped(statement: Select[Any], actor: Actor, model: type[Owned]) -> Select[Any]:
    """``statement`` limited to the actor's rows (all rows for an admin)."""
    return statement if actor.is_admin else statement.where(model.owner_id == actor.id)


def keyset_page(
    session: Session,
    statement: Select[Any],
    model: type[R],
    limit: int,
    cursor: str | None,
    *,
    entities: bool = True,
) -> tuple[list[Any], str | None]:
    """One page of ``statement``'s rows, newest first, and the next cursor (None: last).

    ORM entities by default; ``entities=False`` reads plain rows on the session's
    connection (for a statement over a table, where building entities costs more)."""
    statement = statement.order_by(model.id.desc()).limit(limit + 1)
    if cursor:
        statement = statement.where(model.id < int(cursor))
    if entities:
        rows = list(session.scalars(statement).all())
    else:
        rows = list(session.connection().execute(statement).all())
    page = rows[:limit]
    return page, str(page[-1].id) if len(rows) > limit else None


def owned_page(
    session: Session, actor: Actor, model: type[Owned], limit: int, cursor: str | None
) -> tuple[list[Owned], str | None]:
    """One page of the actor's rows of ``model`` (everyone's for an admin), newest first."""
    return keyset_page(session, scoped(select(model), actor, model), model, limit, cursor)

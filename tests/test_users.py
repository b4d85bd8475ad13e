from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from appliance.domain.users import UserError, create_user, ensure_admin, verify_password
from storage import migrate
from storage.db import Database
from storage.models import Event, User


@pytest.fixture
async def db(tmp_path: Path):
    path = tmp_path / "y.db"
    migrate.upgrade(path)
    database = Database(path)
    yield database
    await database.close()


async def test_create_user_hashes_with_argon2id_and_records_an_event(db: Database) -> None:
    user = await create_user(db, "  Ops@Example.COM ", "correct horse battery", "operator")
    assert user.email == "ops@example.com"
    assert user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in user.password_hash
    assert verify_password(user.password_hash, "correct horse battery")
    assert not verify_password(user.password_hash, "wrong password")
    assert not verify_password("not-a-hash", "anything")
    async with db.read() as session:
        events = (await session.scalars(select(Event))).all()
    assert [(e.kind, e.owner_id, e.data) for e in events] == [
        ("user.created", user.id, {"role": "operator"})
    ]


@pytest.mark.parametrize(
    ("email", "password", "role", "field"),
    [
        ("not-an-email", "longenough", "operator", "email"),
        ("a@b.c", "short", "operator", "password"),
        ("a@b.c", "x" * 2000, "operator", "password"),
        ("a@b.c", "longenough", "superuser", "role"),
    ],
)
async def test_bad_input_names_the_field(
    db: Database, email: str, password: str, role: str, field: str
) -> None:
    with pytest.raises(UserError) as error:
        await create_user(db, email, password, role)
    assert error.value.field == field


async def test_duplicate_email_is_refused_and_nothing_is_written(db: Database) -> None:
    await create_user(db, "a@b.c", "longenough")
    with pytest.raises(UserError, match="already exists"):
        await create_user(db, "A@B.C", "otherpassword")
    async with db.read() as session:
        assert len((await session.scalars(select(User))).all()) == 1


async def test_first_admin_is_created_once(db: Database) -> None:
    admin = await ensure_admin(db, "root@box.local")
    assert admin is not None and len(admin.password) >= 20
    async with db.read() as session:
        stored = await session.scalar(select(User))
    assert stored.role == "admin" and verify_password(stored.password_hash, admin.password)
    assert await ensure_admin(db, "root@box.local") is None

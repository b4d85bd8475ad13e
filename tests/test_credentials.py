"""Provider credentials: validation, sealing, storage and resolution (no HTTP)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from appliance.config.secret_key import load_or_create
from appliance.config.settings import Settings
from appliance.domain.credentials import (
    CREDENTIAL_NAMES,
    CredentialError,
    CredentialVault,
    UnknownCredential,
    Unreadable,
    list_credentials,
    put_credential,
    remove_credential,
    resolve_secrets,
    settings_secrets,
    validate,
)
from appliance.domain.users import create_user
from storage import migrate
from storage.db import Database
from storage.models import Credential, Event
from tests.conftest import make_settings

BOX_KEY = bytes(range(32))
OTHER_BOX_KEY = bytes(range(1, 33))
TOKEN = "sk-test-0123456789abcdef"
PRIVATE_KEY = (
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
)


def service_account(**changes: object) -> dict[str, object]:
    account: dict[str, object] = {
        "type": "service_account",
        "project_id": "ytempire-test",
        "private_key_id": "abc123",
        "private_key": PRIVATE_KEY,
        "client_email": "tts@ytempire-test.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    account.update(changes)
    return {k: v for k, v in account.items() if v is not None}


@pytest.fixture
async def db(tmp_path: Path):
    path = tmp_path / "y.db"
    migrate.upgrade(path)
    database = Database(path)
    yield database
    await database.close()


@pytest.fixture
def vault() -> CredentialVault:
    return CredentialVault(BOX_KEY)


async def user_id(db: Database, email: str = "ops@example.com") -> int:
    return (await create_user(db, email, "correct horse battery", "operator")).id


def test_the_names_are_the_providers() -> None:
    assert CREDENTIAL_NAMES == ("openai", "local-llm", "google-tts", "pexels", "pixabay")


# --- sealing ---------------------------------------------------------------------------


def test_a_sealed_value_opens_for_its_owner_and_name_only(vault: CredentialVault) -> None:
    blob = vault.encrypt(7, "openai", TOKEN)
    assert TOKEN.encode() not in blob
    assert vault.decrypt(7, "openai", blob) == TOKEN
    for owner, name in ((8, "openai"), (7, "pexels"), (70, "openai")):
        with pytest.raises(Unreadable):
            vault.decrypt(owner, name, blob)


def test_every_write_has_a_fresh_nonce(vault: CredentialVault) -> None:
    first, second = vault.encrypt(1, "openai", TOKEN), vault.encrypt(1, "openai", TOKEN)
    assert first != second
    assert first[1:13] != second[1:13]  # the 96-bit nonce, after the format byte
    assert len(first) == 1 + 12 + len(TOKEN) + 16


def test_a_damaged_or_foreign_ciphertext_is_unreadable(vault: CredentialVault) -> None:
    blob = vault.encrypt(1, "openai", TOKEN)
    damaged = blob[:-1] + bytes([blob[-1] ^ 1])
    for bad in (damaged, b"", b"\x01short", b"\x02" + blob[1:]):
        with pytest.raises(Unreadable) as caught:
            vault.decrypt(1, "openai", bad)
        assert TOKEN not in str(caught.value)


def test_a_replaced_box_key_cannot_open_old_entries(vault: CredentialVault) -> None:
    blob = vault.encrypt(1, "openai", TOKEN)
    with pytest.raises(Unreadable):
        CredentialVault(OTHER_BOX_KEY).decrypt(1, "openai", blob)


def test_fingerprints_tell_keys_apart_and_reveal_nothing(vault: CredentialVault) -> None:
    print_ = vault.fingerprint(TOKEN)
    assert len(print_) == 12 and int(print_, 16) >= 0
    assert print_ == vault.fingerprint(TOKEN)
    assert print_ != vault.fingerprint(TOKEN + "x")
    assert print_ not in TOKEN and TOKEN[:6] not in print_
    # Keyed: another box gives another fingerprint for the same key.
    assert CredentialVault(OTHER_BOX_KEY).fingerprint(TOKEN) != print_
    assert "keys hidden" in repr(vault)


def test_the_vault_of_a_key_file_is_the_boxs(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    made = CredentialVault.from_key_file(path)
    assert (
        CredentialVault(load_or_create(path)).decrypt(3, "pexels", made.encrypt(3, "pexels", TOKEN))
        == TOKEN
    )


# --- validation ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["openai", "local-llm", "pexels", "pixabay"])
def test_a_token_is_one_printable_word(name: str) -> None:
    assert validate(name, TOKEN) == TOKEN
    assert validate(name, f"  {TOKEN}\n") == TOKEN  # pasted with a newline
    assert validate(name, "x" * 8) == "x" * 8
    assert validate(name, "x" * 512) == "x" * 512


@pytest.mark.parametrize("name", ["openai", "local-llm", "pexels", "pixabay"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("short", "8 to 512"),
        ("x" * 513, "8 to 512"),
        ("", "8 to 512"),
        ("sk-has space-inside", "single token"),
        ("sk-tab\tinside-x", "single token"),
        ("sk-ünïcode-key", "single token"),
        ("sk-control\x00-key", "single token"),
        ({"key": "sk-in-an-object"}, "a string"),
    ],
)
def test_a_bad_token_names_the_field_not_the_value(name: str, value, message: str) -> None:
    with pytest.raises(CredentialError) as caught:
        validate(name, value)
    assert caught.value.field == "value" and message in caught.value.message
    text = value if isinstance(value, str) else json.dumps(value)
    if len(text) >= 3:
        assert text not in str(caught.value)


def test_a_service_account_is_accepted_as_text_or_object() -> None:
    as_text = json.dumps(service_account(), indent=2)
    assert validate("google-tts", as_text) == as_text
    assert json.loads(validate("google-tts", service_account())) == service_account()


@pytest.mark.parametrize(
    ("value", "field", "message"),
    [
        ("not json at all", "value", "not valid JSON"),
        ('{"type": "service_account", ', "value", "not valid JSON"),
        ("[1, 2]", "value", "JSON object"),
        ('"a string"', "value", "JSON object"),
        (json.dumps(service_account(type="authorized_user")), "value.type", "service_account"),
        (json.dumps(service_account(type=None)), "value.type", "service_account"),
        (json.dumps(service_account(client_email=None)), "value.client_email", "required"),
        (json.dumps(service_account(private_key="")), "value.private_key", "required"),
        (json.dumps(service_account(token_uri=5)), "value.token_uri", "required"),
        (json.dumps(service_account(padding="x" * 21_000)), "value", "20480 bytes"),
        (["not", "an", "object"], "value", "JSON object"),
        ("[" * 100_000, "value", "20480 bytes"),
    ],
)
def test_a_bad_service_account_names_the_field(value, field: str, message: str) -> None:
    with pytest.raises(CredentialError) as caught:
        validate("google-tts", value)
    assert (caught.value.field, message in caught.value.message) == (field, True)
    assert PRIVATE_KEY not in str(caught.value) and "BEGIN PRIVATE" not in str(caught.value)


def test_deeply_nested_json_is_refused_not_crashed() -> None:
    with pytest.raises(CredentialError) as caught:
        validate("google-tts", "[" * 10_000)
    assert caught.value.field == "value"


def test_an_unknown_name_is_refused() -> None:
    with pytest.raises(UnknownCredential):
        validate("stripe", TOKEN)


# --- storage ---------------------------------------------------------------------------


async def test_put_seals_replaces_and_records_only_the_fingerprint(
    db: Database, vault: CredentialVault, settings: Settings
) -> None:
    owner = await user_id(db)
    async with db.write() as session:
        first = await put_credential(session, vault, owner, "openai", TOKEN)
    async with db.write() as session:
        second = await put_credential(session, vault, owner, "openai", TOKEN + "-new")
    assert first.id == second.id and second.updated_at >= first.updated_at
    async with db.read() as session:
        rows = (await session.scalars(select(Credential))).all()
        events = (await session.scalars(select(Event).where(Event.kind.like("credential.%")))).all()
    assert len(rows) == 1 and TOKEN.encode() not in rows[0].ciphertext
    assert vault.decrypt(owner, "openai", rows[0].ciphertext) == TOKEN + "-new"
    assert rows[0].fingerprint == vault.fingerprint(TOKEN + "-new")
    assert [(e.kind, e.owner_id, e.data) for e in events] == [
        ("credential.set", owner, {"name": "openai", "fingerprint": vault.fingerprint(TOKEN)}),
        (
            "credential.set",
            owner,
            {"name": "openai", "fingerprint": vault.fingerprint(TOKEN + "-new")},
        ),
    ]
    async with db.write() as session:
        assert await remove_credential(session, owner, "openai") is True
    async with db.write() as session:
        assert await remove_credential(session, owner, "openai") is False
    async with db.read() as session:
        assert (await session.scalars(select(Credential))).all() == []
        kinds = (await session.scalars(select(Event.kind).order_by(Event.id.desc()))).first()
    assert kinds == "credential.removed"


async def test_a_row_copied_to_another_owner_does_not_open(
    db: Database, vault: CredentialVault, settings: Settings
) -> None:
    one, two = await user_id(db, "one@example.com"), await user_id(db, "two@example.com")
    async with db.write() as session:
        row = await put_credential(session, vault, one, "pexels", TOKEN)
        session.add(
            Credential(
                owner_id=two, name="pexels", ciphertext=row.ciphertext, fingerprint=row.fingerprint
            )
        )
        session.add(
            Credential(
                owner_id=one, name="pixabay", ciphertext=row.ciphertext, fingerprint=row.fingerprint
            )
        )
    async with db.read() as session:
        states = {s.name: s for s in await db.query(list_credentials, vault, settings, two)}
        mine = {s.name: s for s in await db.query(list_credentials, vault, settings, one)}
        assert await db.query(resolve_secrets, vault, settings, two) == {}
        resolved = await db.query(resolve_secrets, vault, settings, one)
    assert states["pexels"].status == "unreadable"
    assert (mine["pexels"].status, mine["pixabay"].status) == ("ok", "unreadable")
    assert {k: v.get_secret_value() for k, v in resolved.items()} == {"pexels": TOKEN}


async def test_after_a_key_rotation_entries_are_unreadable_not_errors(
    db: Database, vault: CredentialVault, tmp_path: Path, caplog
) -> None:
    owner = await user_id(db)
    async with db.write() as session:
        await put_credential(session, vault, owner, "openai", TOKEN)
    rotated = CredentialVault(OTHER_BOX_KEY)
    settings = make_settings(tmp_path / "data", OPENAI_API_KEY="sk-from-settings-123")
    async with db.read() as session:
        states = await db.query(list_credentials, rotated, settings, owner)
        resolved = await db.query(resolve_secrets, rotated, settings, owner)
    openai = next(s for s in states if s.name == "openai")
    assert (openai.configured, openai.source, openai.status) == (True, "api", "unreadable")
    assert openai.fingerprint == vault.fingerprint(TOKEN)  # the stored one still tells it apart
    # The stage falls back to the box's own key, and the log says why.
    assert resolved["openai"].get_secret_value() == "sk-from-settings-123"
    assert "cannot be decrypted" in caplog.text and TOKEN not in caplog.text


# --- resolution ------------------------------------------------------------------------


def test_settings_secrets_reads_keys_and_the_service_account_file(tmp_path: Path) -> None:
    account_file = tmp_path / "sa.json"
    account_file.write_text(json.dumps(service_account()))
    settings = make_settings(
        tmp_path / "data",
        OPENAI_API_KEY="sk-openai-settings",
        PEXELS_API_KEY="pexels-settings",
        GOOGLE_APPLICATION_CREDENTIALS=str(account_file),
    )
    found = settings_secrets(settings)
    assert sorted(found) == ["google-tts", "openai", "pexels"]
    assert all(isinstance(v, SecretStr) for v in found.values())
    assert json.loads(found["google-tts"].get_secret_value()) == service_account()
    assert found["openai"].get_secret_value() == "sk-openai-settings"
    assert settings_secrets(make_settings(tmp_path / "empty")) == {}


def test_a_missing_service_account_file_is_simply_not_configured(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path / "data", GOOGLE_APPLICATION_CREDENTIALS=str(tmp_path / "nowhere.json")
    )
    assert settings_secrets(settings) == {}
    folder = make_settings(tmp_path / "data", GOOGLE_APPLICATION_CREDENTIALS=str(tmp_path))
    assert settings_secrets(folder) == {}


async def test_the_api_entry_wins_over_settings_per_owner(
    db: Database, vault: CredentialVault, tmp_path: Path
) -> None:
    account_file = tmp_path / "sa.json"
    account_file.write_text(json.dumps(service_account(client_email="box@x.iam")))
    settings = make_settings(
        tmp_path / "data",
        OPENAI_API_KEY="sk-openai-settings",
        GOOGLE_APPLICATION_CREDENTIALS=str(account_file),
    )
    one, two = await user_id(db, "one@example.com"), await user_id(db, "two@example.com")
    mine = service_account(client_email="mine@x.iam")
    async with db.write() as session:
        await put_credential(session, vault, one, "openai", TOKEN)
        await put_credential(session, vault, one, "google-tts", mine)
        await put_credential(session, vault, one, "pixabay", "pixabay-0123")
    async with db.read() as session:
        first = await db.query(resolve_secrets, vault, settings, one)
        second = await db.query(resolve_secrets, vault, settings, two)
        states = {s.name: s for s in await db.query(list_credentials, vault, settings, two)}
    plain = {k: v.get_secret_value() for k, v in first.items()}
    assert list(plain) == ["openai", "google-tts", "pixabay"]  # in CREDENTIAL_NAMES order
    assert plain["openai"] == TOKEN and plain["pixabay"] == "pixabay-0123"
    assert json.loads(plain["google-tts"])["client_email"] == "mine@x.iam"
    other = {k: v.get_secret_value() for k, v in second.items()}
    assert other["openai"] == "sk-openai-settings"
    assert json.loads(other["google-tts"])["client_email"] == "box@x.iam"
    assert "pixabay" not in other
    assert (states["openai"].source, states["openai"].fingerprint) == (
        "settings",
        vault.fingerprint("sk-openai-settings"),
    )
    assert (states["pixabay"].configured, states["pixabay"].source) == (False, None)

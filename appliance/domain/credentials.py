"""Provider credentials: entered through the API per user, encrypted at rest, never shown back.

A credential comes from one of two places. Settings (the config file or the
environment: ``providers.openai.api_key``, ``GOOGLE_APPLICATION_CREDENTIALS``, ...)
give the box's own; a user may enter their own through the API, and theirs wins
for their videos.

Entered credentials are sealed with AES-256-GCM under a key derived from the box
key (``appliance.config.secret_key``). Every write has a fresh 96-bit nonce, stored in
front of the ciphertext, and the associated data names the owner and the
credential, so a row copied to another user or name does not open. A ciphertext
that does not open (the box key was replaced) is ``unreadable``: reported as such,
never an error, and resolution falls back to the settings.

The fingerprint is the first 12 hex digits of an HMAC-SHA256 under a second
derived key: it tells two keys apart and says nothing about either.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, get_args

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from appliance.config.secret_key import derive, load_or_create
from appliance.config.settings import Settings
from appliance.domain.events import record_event
from storage.db import Database
from storage.models import Credential, utcnow

logger = logging.getLogger("ytempire.credentials")

CredentialName = Literal["openai", "local-llm", "google-tts", "pexels", "pixabay"]
# Every credential the box knows, in the order lists show them.
CREDENTIAL_NAMES: tuple[str, ...] = get_args(CredentialName)

TOKEN_MIN_CHARS = 8
TOKEN_MAX_CHARS = 512
SERVICE_ACCOUNT_MAX_BYTES = 20 * 1024
SERVICE_ACCOUNT_FIELDS = ("client_email", "private_key", "token_uri")
_TOKEN = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no space

ENCRYPTION_PURPOSE = "provider-credentials"
FINGERPRINT_PURPOSE = "provider-credential-fingerprints"
FINGERPRINT_HEX = 12
_FORMAT_V1 = b"\x01"
_NONCE_BYTES = 12

Source = Literal["api", "settings"]
Status = Literal["ok", "unreadable"]


class CredentialError(ValueError):
    """A submitted credential that is not acceptable; the message never holds the value."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownCredential(CredentialError):
    def __init__(self, name: str):
        super().__init__("name", f"unknown credential; one of {', '.join(CREDENTIAL_NAMES)}")
        self.name = name


class Unreadable(Exception):
    """A ciphertext that does not open with this box's key, owner and name."""


def check_name(name: str) -> str:
    if name not in CREDENTIAL_NAMES:
        raise UnknownCredential(name)
    return name


def validate(name: str, value: str | dict[str, Any]) -> str:
    """The text to keep for ``name``, or CredentialError naming the field (never the value).

    ``google-tts`` takes a service-account JSON (as text or as an object); the
    others one token of printable ASCII without spaces (surrounding whitespace,
    as from a copy and paste, is dropped).
    """
    check_name(name)
    if name == "google-tts":
        return _validate_service_account(value)
    if not isinstance(value, str):
        raise CredentialError("value", "must be a string")
    token = value.strip()
    if not TOKEN_MIN_CHARS <= len(token) <= TOKEN_MAX_CHARS:
        raise CredentialError(
            "value", f"must be {TOKEN_MIN_CHARS} to {TOKEN_MAX_CHARS} characters long"
        )
    if not _TOKEN.match(token):
        raise CredentialError(
            "value", "must be a single token of printable ASCII characters, without spaces"
        )
    return token


def _validate_service_account(value: str | dict[str, Any]) -> str:
    if isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
        parsed: Any = value
    elif isinstance(value, str):
        text = value.strip()
        parsed = None
    else:
        raise CredentialError("value", "must be a service-account JSON object")
    if len(text.encode()) > SERVICE_ACCOUNT_MAX_BYTES:
        raise CredentialError(
            "value", f"a service-account JSON is at most {SERVICE_ACCOUNT_MAX_BYTES} bytes"
        )
    if parsed is None:
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            # The position only: the error's own text quotes no input, but stay sure.
            raise CredentialError(
                "value", f"is not valid JSON (line {exc.lineno}, column {exc.colno})"
            ) from None
        except RecursionError:
            raise CredentialError("value", "is not valid JSON (nested too deeply)") from None
    if not isinstance(parsed, dict):
        raise CredentialError("value", "must be a service-account JSON object")
    if parsed.get("type") != "service_account":
        raise CredentialError("value.type", "must be 'service_account'")
    for field in SERVICE_ACCOUNT_FIELDS:
        present = parsed.get(field)
        if not isinstance(present, str) or not present.strip():
            raise CredentialError(f"value.{field}", "is required in a service-account JSON")
    return text


class CredentialVault:
    """Seals and opens credentials with keys derived from the box key."""

    def __init__(self, box_key: bytes):
        self._aead = AESGCM(derive(box_key, ENCRYPTION_PURPOSE))
        self._fingerprint_key = derive(box_key, FINGERPRINT_PURPOSE)

    @classmethod
    def from_key_file(cls, path: Path) -> CredentialVault:
        """The vault of the box key in ``path`` (made there first if there is none)."""
        return cls(load_or_create(path))

    def __repr__(self) -> str:
        return "CredentialVault(<keys hidden>)"

    @staticmethod
    def _associated_data(owner_id: int, name: str) -> bytes:
        return f"ytempire/credential/v1\x00{owner_id}\x00{name}".encode()

    def encrypt(self, owner_id: int, name: str, value: str) -> bytes:
        """Version byte, fresh nonce, ciphertext and tag, bound to the owner and name."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, value.encode(), self._associated_data(owner_id, name))
        return _FORMAT_V1 + nonce + sealed

    def decrypt(self, owner_id: int, name: str, blob: bytes) -> str:
        """The value, or ``Unreadable`` (another box key, owner or name; damaged)."""
        if len(blob) < 1 + _NONCE_BYTES + 16 or blob[:1] != _FORMAT_V1:
            raise Unreadable(f"credential {name} of user {owner_id} is not in a known format")
        nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        try:
            plain = self._aead.decrypt(nonce, sealed, self._associated_data(owner_id, name))
        except InvalidTag:
            raise Unreadable(
                f"credential {name} of user {owner_id} does not decrypt with this box's key"
            ) from None
        return plain.decode()

    def fingerprint(self, value: str) -> str:
        digest = hmac.new(self._fingerprint_key, value.encode(), hashlib.sha256).hexdigest()
        return digest[:FINGERPRINT_HEX]


@dataclass(frozen=True)
class CredentialState:
    """What a user may know about one credential: never its value."""

    name: str
    configured: bool
    source: Source | None
    fingerprint: str | None
    updated_at: datetime | None
    status: Status | None


def _settings_value(settings: Settings, name: str) -> SecretStr | None:
    providers = settings.providers
    if name == "google-tts":
        path = providers.google_tts.credentials_file
        if path is None:
            return None
        try:
            text = Path(path).expanduser().read_text()
        except (OSError, UnicodeDecodeError):
            return None  # missing or unreadable: simply not configured
        return SecretStr(text) if text.strip() else None
    value = {
        "openai": providers.openai.api_key,
        "local-llm": providers.local_llm.api_key,
        "pexels": providers.stock.pexels_api_key,
        "pixabay": providers.stock.pixabay_api_key,
    }[name]
    if value is None or not value.get_secret_value().strip():
        return None
    return value


def settings_secrets(settings: Settings) -> dict[str, SecretStr]:
    """The credentials settings and environment give, by name (no database needed).

    ``google-tts`` is the text of ``providers.google_tts.credentials_file`` when
    that file can be read; names with nothing configured are left out.
    """
    found: dict[str, SecretStr] = {}
    for name in CREDENTIAL_NAMES:
        value = _settings_value(settings, name)
        if value is not None:
            found[name] = value
    return found


async def _rows(session: AsyncSession, owner_id: int) -> dict[str, Credential]:
    return await session.run_sync(_rows_sync, owner_id)


def _rows_sync(session: Session, owner_id: int) -> dict[str, Credential]:
    rows = session.scalars(select(Credential).where(Credential.owner_id == owner_id))
    return {row.name: row for row in rows}


def resolve_secrets(
    session: Session, vault: CredentialVault, settings: Settings, owner_id: int
) -> dict[str, SecretStr]:
    """For each name: the owner's own entry if it opens, else the settings' value.

    Names with neither are left out. What a stage of ``owner_id``'s video may use.
    """
    resolved = settings_secrets(settings)
    for name, row in _rows_sync(session, owner_id).items():
        if name not in CREDENTIAL_NAMES:
            continue
        try:
            resolved[name] = SecretStr(vault.decrypt(owner_id, name, row.ciphertext))
        except Unreadable:
            logger.warning(
                "credential %s of user %s cannot be decrypted (was the box key replaced?); "
                "using the settings' value, if any",
                name,
                owner_id,
                extra={"fields": {"credential": name, "owner_id": owner_id}},
            )
    return {name: resolved[name] for name in CREDENTIAL_NAMES if name in resolved}


def state_of(vault: CredentialVault, row: Credential) -> CredentialState:
    """The state of the owner's own entry: ``unreadable`` if it does not open."""
    try:
        vault.decrypt(row.owner_id, row.name, row.ciphertext)
        status: Status = "ok"
    except Unreadable:
        status = "unreadable"
    return CredentialState(row.name, True, "api", row.fingerprint, row.updated_at, status)


def list_credentials(
    session: Session, vault: CredentialVault, settings: Settings, owner_id: int
) -> list[CredentialState]:
    """Every known name as ``owner_id`` sees it: their own entry, else the settings'.

    A settings value's fingerprint is computed here, with the same key (it is never
    stored), so the same key entered both ways shows the same fingerprint.
    """
    rows = _rows_sync(session, owner_id)
    from_settings = settings_secrets(settings)
    states = []
    for name in CREDENTIAL_NAMES:
        row = rows.get(name)
        if row is not None:
            states.append(state_of(vault, row))
        elif name in from_settings:
            fingerprint = vault.fingerprint(from_settings[name].get_secret_value())
            states.append(CredentialState(name, True, "settings", fingerprint, None, "ok"))
        else:
            states.append(CredentialState(name, False, None, None, None, None))
    return states


async def put(
    db: Database, vault: CredentialVault, owner_id: int, name: str, value: str | dict[str, Any]
) -> CredentialState:
    """``put_credential`` in its own transaction; the state the owner now sees."""
    validate(name, value)  # before taking the write lock
    async with db.write() as session:
        return state_of(vault, await put_credential(session, vault, owner_id, name, value))


async def remove(db: Database, owner_id: int, name: str) -> bool:
    async with db.write() as session:
        return await remove_credential(session, owner_id, name)


async def put_credential(
    session: AsyncSession,
    vault: CredentialVault,
    owner_id: int,
    name: str,
    value: str | dict[str, Any],
) -> Credential:
    """Validate, seal and keep ``owner_id``'s ``name`` (replacing theirs); records
    ``credential.set`` with the name and fingerprint only. Call in a write transaction."""
    text = validate(name, value)
    ciphertext = vault.encrypt(owner_id, name, text)
    fingerprint = vault.fingerprint(text)
    row = (await _rows(session, owner_id)).get(name)
    now = utcnow()
    if row is None:
        row = Credential(
            owner_id=owner_id,
            name=name,
            ciphertext=ciphertext,
            fingerprint=fingerprint,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
    else:
        row.ciphertext = ciphertext
        row.fingerprint = fingerprint
        row.updated_at = now
    await session.flush()
    await record_event(
        session, "credential.set", owner_id=owner_id, name=name, fingerprint=fingerprint
    )
    return row


async def remove_credential(session: AsyncSession, owner_id: int, name: str) -> bool:
    """Forget ``owner_id``'s ``name``; False if they had none. Records ``credential.removed``."""
    check_name(name)
    row = (await _rows(session, owner_id)).get(name)
    if row is None:
        return False
    fingerprint = row.fingerprint
    await session.delete(row)
    await session.flush()
    await record_event(
        session, "credential.removed", owner_id=owner_id, name=name, fingerprint=fingerprint
    )
    return True

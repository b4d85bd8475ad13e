"""Request and response shapes of sign-in, users and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from appliance.domain.users import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from web.api_schemas import BodyModel

Role = Literal["admin", "operator", "viewer"]
Scope = Literal["read", "write", "admin"]
Email = Field(min_length=3, max_length=254, description="The user's email address.")


class _In(BodyModel):
    # A password is compared or hashed, never shown: any character may be in it.
    free_text: ClassVar[frozenset[str]] = frozenset(
        {"password", "current_password", "new_password"}
    )


class LoginIn(_In):
    email: str = Email
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class RefreshIn(_In):
    refresh_token: str = Field(min_length=1, max_length=200)


class LogoutIn(_In):
    refresh_token: str | None = Field(
        None,
        max_length=200,
        description="The session to end; without it, the session of the access token used.",
    )


class TokenPair(BaseModel):
    access_token: str = Field(description="Send as 'Authorization: Bearer <token>'.")
    refresh_token: str = Field(description="Trade for a new pair at /auth/refresh; single use.")
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")


class UserOut(BaseModel):
    id: int
    email: str
    role: Role
    display_name: str | None
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


class UserIn(_In):
    email: str = Email
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    role: Role = "operator"
    display_name: str | None = Field(None, max_length=100)


class UserPatch(_In):
    role: Role | None = None
    is_active: bool | None = Field(
        None, description="false disables the user and ends their sessions."
    )
    display_name: str | None = Field(None, max_length=100)


class ProfilePatch(_In):
    display_name: str | None = Field(None, max_length=100)


class PasswordChange(_In):
    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    new_password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)


class ApiKeyIn(_In):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(
        default_factory=lambda: ["read", "write"], min_length=1, max_length=3
    )
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class ApiKeyOut(BaseModel):
    id: int
    owner_id: int
    name: str
    prefix: str = Field(description="The public part of the key, to tell keys apart.")
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself. It is shown this once and never again.")


class ApiKeyPage(BaseModel):
    items: list[ApiKeyOut]
    next_cursor: str | None

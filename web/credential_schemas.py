"""Request and response shapes of provider credentials (the value is never in a response)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field

from appliance.domain.credentials import CredentialName
from web.api_schemas import BodyModel

# Room for a service-account JSON and more; what each name accepts is checked after (422).
MAX_VALUE_CHARS = 65_536


class CredentialIn(BodyModel):
    # A service-account JSON carries its private key's newlines; the value is sealed,
    # never shown, and checked per credential after.
    free_text: ClassVar[frozenset[str]] = frozenset({"value"})

    value: Annotated[str, Field(max_length=MAX_VALUE_CHARS)] | dict[str, Any] = Field(
        description="The secret. openai, local-llm, pexels, pixabay: the API key, one token "
        "of 8 to 512 printable ASCII characters. google-tts: the service-account JSON (as "
        "text or as an object; at most 20 KB). Never shown back.",
        json_schema_extra={"writeOnly": True},
    )


class CredentialOut(BaseModel):
    name: CredentialName
    configured: bool = Field(description="Whether a stage of your videos has this credential.")
    source: Literal["api", "settings"] | None = Field(
        description="api: the one you entered (it wins); settings: the box's own, from its "
        "settings or environment; null: none."
    )
    fingerprint: str | None = Field(
        description="12 hex digits that tell two keys apart without revealing either."
    )
    updated_at: datetime | None = Field(description="When you last set it (api only).")
    status: Literal["ok", "unreadable"] | None = Field(
        description="unreadable: the entry does not decrypt with this box's key (the key "
        "was replaced); set it again. Stages then use the settings' value, if any."
    )


class CredentialList(BaseModel):
    items: list[CredentialOut]

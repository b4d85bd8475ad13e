"""The official YouTube client, built from the discovery document the package ships.

The document's ``rootUrl`` is replaced by ``youtube.api_root``, so the very same client
talks to Google or to a loopback fake (``client_options={"api_endpoint": ...}`` would
send media uploads to https:// and fail). Credentials are an authorized-user record
(client id and secret, refresh token, token URI): google-auth refreshes the access
token through ``token_uri`` as needed.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

import google_auth_httplib2
import httplib2
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import Resource, build_from_document

SCOPES = (
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.readonly",
)


@cache
def _shipped_document() -> dict[str, Any]:
    text = (
        resources.files("googleapiclient")
        .joinpath("discovery_cache/documents/youtube.v3.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


def discovery_document(api_root: str) -> dict[str, Any]:
    document = copy.deepcopy(_shipped_document())
    document["rootUrl"] = api_root
    document["mtlsRootUrl"] = api_root
    return document


def credentials(authorized_user: dict[str, Any], token_uri: str) -> Credentials:
    """Credentials from an authorized-user record (client id and secret, refresh token).

    google-auth always sets Google's token URI on these (a record cannot send a refresh
    token elsewhere); the box's ``youtube.oauth_token_uri`` is put back on explicitly.
    """
    creds = Credentials.from_authorized_user_info(authorized_user, scopes=list(SCOPES))
    return creds.with_token_uri(token_uri)


def authorized_http(creds: Credentials, timeout_s: float) -> google_auth_httplib2.AuthorizedHttp:
    http = httplib2.Http(timeout=timeout_s)
    # 308 is "Resume Incomplete" in resumable uploads, not a redirect to follow.
    http.redirect_codes = http.redirect_codes - {308}
    return google_auth_httplib2.AuthorizedHttp(creds, http=http)


def youtube(http: Any, api_root: str) -> Resource:
    """The ``youtube`` v3 resource over ``http`` (an authorized one)."""
    return build_from_document(discovery_document(api_root), http=http)

"""Console tests' common ground: a browser-like client (its own cookie jar) that signs in
through the sign-in form and sends the page's CSRF token with every form, as a browser
would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from quart.typing import TestClientProtocol as Client

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ORIGIN = "http://localhost"


@dataclass
class Page:
    status: int
    text: str
    headers: Any

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def csrf(self) -> str:
        found = CSRF.search(self.text)
        assert found, f"no CSRF field on the page: {self.text[:300]}"
        return found.group(1)


class Browser:
    def __init__(self, client: Client):
        self.client = client
        self.token = ""
        self.at = "/"  # the page the next form is sent from, as a browser's Referer says

    async def get(self, path: str) -> Page:
        path = path.split("#", 1)[0]  # a browser keeps the fragment to itself
        response = await self.client.get(path)
        self.at = path
        page = Page(response.status_code, await response.get_data(as_text=True), response.headers)
        if CSRF.search(page.text):
            self.token = page.csrf()
        return page

    async def post(
        self, path: str, form: dict[str, Any] | None = None, *, csrf: str | None = None, **kw: Any
    ) -> Page:
        data = {"csrf_token": self.token if csrf is None else csrf, **(form or {})}
        if not data["csrf_token"]:
            del data["csrf_token"]
        headers = {"Origin": ORIGIN, "Referer": ORIGIN + self.at, **kw.pop("headers", {})}
        response = await self.client.post(path, form=data, headers=headers, **kw)
        return Page(response.status_code, await response.get_data(as_text=True), response.headers)

    async def sign_in(self, email: str, password: str) -> Page:
        await self.get("/sign-in")
        return await self.post("/sign-in", {"email": email, "password": password, "next": "/"})

    async def follow(self, page: Page) -> Page:
        """The page a redirect leads to (a browser follows it at once)."""
        while page.status in (302, 303):
            page = await self.get(page.location)
        assert page.status < 500, page.text[:500]
        return page

"""The console's YouTube page against the loopback Google/YouTube fake: a project added,
a channel connected by Google's redirect (the callback brings the browser back to the
console) and by pasting the address, quota bars and health, reconnect and disconnect."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from appliance.config.settings import Settings
from appliance.domain.users import create_user
from tests import test_api_youtube
from tests.api_support import PASSWORD
from tests.console_support import Browser
from tests.fakes.youtube_server import FakeYouTube
from tests.test_api_youtube import CHANNEL, SECRET, consent, youtube_settings
from web.app import create_app
from web.context import EXTENSION_KEY

# The API tests' fake: a project and a channel that consents as "Deep Facts".
fake = test_api_youtube.fake


@pytest.fixture
async def browser(
    tmp_path: Path, fake: FakeYouTube, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Browser]:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    settings: Settings = youtube_settings(tmp_path / "data", fake)
    app = create_app(settings)
    async with app.test_app() as test_app:
        await create_user(app.extensions[EXTENSION_KEY].db, "op@example.com", PASSWORD)
        browser = Browser(test_app.test_client())
        await browser.sign_in("op@example.com", PASSWORD)
        await browser.get("/youtube")
        yield browser


async def add_project(browser: Browser) -> None:
    added = await browser.post(
        "/youtube/projects",
        {
            "name": "Main project",
            "client_id": "client-1.apps.googleusercontent.com",
            "client_secret": SECRET,
        },
    )
    page = await browser.follow(added)
    assert "Project Main project added" in page.text
    assert SECRET not in page.text  # sealed, never shown
    assert 'class="meter"' in page.text and "uploads" in page.text


async def test_connect_by_googles_redirect_comes_back_to_the_console(
    browser: Browser, fake: FakeYouTube
) -> None:
    await add_project(browser)
    started = await browser.post("/youtube/projects/1/connect")
    assert started.status == 303 and started.location.startswith(fake.url)
    landed = urlsplit(consent(started.location))
    # Google sends the browser (which asks for HTML) to the API's callback...
    response = await browser.client.get(
        f"{landed.path}?{landed.query}", headers={"Accept": "text/html,*/*;q=0.8"}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/youtube"
    page = await browser.get("/youtube")
    # ... which returns it here, connected, with the connection's health.
    assert "Connected Deep Facts." in page.text and CHANNEL in page.text
    assert "connected" in page.text and "1.00" in page.text
    # Refused consent: back here with the reason, nothing connected twice.
    again = await browser.post("/youtube/projects/1/connect")
    state = httpx.URL(again.location).params["state"]
    refused = await browser.client.get(
        f"/api/v1/youtube/oauth/callback?error=access_denied&state={state}",
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 303
    assert "Not connected: Google answered access_denied" in (await browser.get("/youtube")).text


async def test_connect_by_pasting_then_reconnect_and_disconnect(
    browser: Browser, fake: FakeYouTube
) -> None:
    await add_project(browser)
    started = await browser.post("/youtube/projects/1/connect")
    pasted = await browser.post("/youtube/paste", {"url": consent(started.location)})
    page = await browser.follow(pasted)
    assert "Connected Deep Facts." in page.text
    again = await browser.post("/youtube/connections/1/reconnect")
    assert again.status == 303 and again.location.startswith(fake.url)
    wrong = await browser.post("/youtube/paste", {"url": "http://localhost/?code=x&state=nope"})
    refused = (await browser.follow(wrong)).text
    assert 'class="flash error"' in refused and "state" in refused.split("flash error", 1)[1]
    gone = await browser.post("/youtube/connections/1/disconnect")
    page = await browser.follow(gone)
    assert "Disconnected." in page.text and CHANNEL not in page.text

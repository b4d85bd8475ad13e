"""The console in-process: sign-in and its cookie, the forced password change, CSRF, roles,
tenancy, every page, and each action through the same domain calls as the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from quart import Quart

from appliance.config.settings import Settings
from appliance.domain.users import create_user, ensure_admin
from tests.api_support import PASSWORD, Api
from tests.console_support import CSRF, Browser
from web.app import create_app
from web.context import EXTENSION_KEY
from web.services import Services

CHANNEL_FORM = {
    "name": "Deep Facts",
    "niche": "general",
    "language": "en",
    "format": "720p",
    "budget_usd": "3.00",
    "downgrade_usd": "2.50",
    "privacy": "private",
    "schedule_timezone": "UTC",
    "backlog_refill": "10",
}


@dataclass
class Console:
    app: Quart
    test_app: Any

    @property
    def services(self) -> Services:
        return self.app.extensions[EXTENSION_KEY]

    def browser(self) -> Browser:
        return Browser(self.test_app.test_client())

    async def user(self, role: str = "operator", email: str | None = None) -> Browser:
        email = email or f"{role}-{id(object())}@example.com"
        await create_user(self.services.db, email, PASSWORD, role=role)
        browser = self.browser()
        signed = await browser.sign_in(email, PASSWORD)
        assert signed.status == 303 and signed.location == "/", signed.text[:300]
        await browser.get("/")  # a new session has a new CSRF token
        browser.email = email  # type: ignore[attr-defined]
        return browser

    async def channel(self, browser: Browser, **fields: str) -> int:
        await browser.get("/channels/new")
        made = await browser.post("/channels/new", {**CHANNEL_FORM, **fields})
        assert made.status == 303, made.text[:2000]
        return int(made.location.rsplit("/", 1)[1])


@pytest.fixture
async def console(settings: Settings) -> AsyncIterator[Console]:
    app = create_app(settings)
    async with app.test_app() as test_app:
        yield Console(app, test_app)


async def test_signed_out_pages_go_to_sign_in_and_the_cookie_is_locked_down(
    console: Console,
) -> None:
    browser = console.browser()
    for path in ("/", "/channels", "/videos/1", "/admin", "/parts/dashboard"):
        page = await browser.get(path)
        assert page.status == 303 and page.location.startswith("/sign-in?next="), path
    await create_user(console.services.db, "op@example.com", PASSWORD)
    signed = await browser.sign_in("op@example.com", PASSWORD)
    cookie = signed.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "ytempire_session=" in cookie
    dashboard = await browser.get("/")
    assert dashboard.status == 200 and "Made today" in dashboard.text
    assert "op@example.com" in dashboard.text
    assert "default-src 'self'" in dashboard.headers["Content-Security-Policy"]
    # Over TLS the cookie is Secure.
    secure = console.test_app.test_client()
    form = await (await secure.get("/sign-in", scheme="https")).get_data(as_text=True)
    response = await secure.post(
        "/sign-in",
        form={"email": "op@example.com", "password": PASSWORD, "csrf_token": CSRF.search(form)[1]},
        headers={"Origin": "https://localhost"},
        scheme="https",
    )
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


async def test_wrong_password_is_a_message_and_failures_are_shared_with_the_api(
    console: Console, settings: Settings
) -> None:
    await create_user(console.services.db, "op@example.com", PASSWORD)
    browser = console.browser()
    wrong = await browser.sign_in("op@example.com", "not-the-password")
    assert wrong.status == 401 and "wrong email or password" in wrong.text
    assert "Traceback" not in wrong.text
    client = console.test_app.test_client()
    for _ in range(settings.auth.login_max_failures_per_account - 1):
        api = await client.post(
            "/api/v1/auth/login", json={"email": "op@example.com", "password": "nope-nope"}
        )
        assert api.status_code == 401
    # The limit counts the console's failure and the API's together: now even the right
    # password is refused, at both doors.
    refused = await browser.sign_in("op@example.com", PASSWORD)
    assert refused.status == 429 and "too many failed sign-ins" in refused.text
    api = await client.post(
        "/api/v1/auth/login", json={"email": "op@example.com", "password": PASSWORD}
    )
    assert api.status_code == 429


async def test_first_sign_in_with_the_printed_password_forces_a_change(console: Console) -> None:
    db = console.services.db
    admin = await ensure_admin(db, "admin@example.com")
    assert admin is not None
    browser = console.browser()
    signed = await browser.sign_in(admin.email, admin.password)
    assert signed.status == 303 and signed.location == "/account/password"
    for path in ("/", "/channels", "/admin"):
        page = await browser.get(path)
        assert page.status == 303 and page.location == "/account/password", path
    form = await browser.get("/account/password")
    assert "chosen for you" in form.text
    mismatch = await browser.post(
        "/account/password",
        {
            "current_password": admin.password,
            "new_password": "a-new-pass-1",
            "confirm_password": "x",
        },
    )
    assert mismatch.status == 303
    assert "does not match" in (await browser.follow(mismatch)).text
    changed = await browser.post(
        "/account/password",
        {
            "current_password": admin.password,
            "new_password": "my-own-password-1",
            "confirm_password": "my-own-password-1",
        },
    )
    assert changed.status == 303 and changed.location == "/"
    assert (await browser.get("/admin")).status == 200
    # The printed password is gone; the new one works at the API too.
    old = await console.browser().sign_in(admin.email, admin.password)
    assert old.status == 401
    api = await console.test_app.test_client().post(
        "/api/v1/auth/login", json={"email": admin.email, "password": "my-own-password-1"}
    )
    assert api.status_code == 200


async def test_csrf_is_refused_without_the_token_or_from_another_site(console: Console) -> None:
    browser = await console.user()
    other = await console.user()
    no_token = await browser.post("/channels/new", CHANNEL_FORM, csrf="")
    assert no_token.status == 403 and "reload and retry" in no_token.text
    someone_elses = await browser.post("/channels/new", CHANNEL_FORM, csrf=other.token)
    assert someone_elses.status == 403
    not_ascii = await browser.post("/channels/new", CHANNEL_FORM, csrf="jeton-falsifié-ü")
    assert not_ascii.status == 403
    cross_site = await browser.post(
        "/channels/new", CHANNEL_FORM, headers={"Origin": "https://evil.example"}
    )
    assert cross_site.status == 403 and "another site" in cross_site.text
    listed = await browser.get("/channels")
    assert "Deep Facts" not in listed.text  # nothing was made
    # The cookie opens the API for reading only: a change there needs a token or key.
    api = await browser.client.post(
        "/api/v1/channels", json={"name": "Sneaky"}, headers={"Origin": "http://localhost"}
    )
    assert api.status_code == 401
    assert (await browser.client.get("/api/v1/channels")).status_code == 200


async def test_an_operator_runs_channels_backlog_and_videos(console: Console) -> None:
    browser = await console.user()
    bad = await browser.post("/channels/new", {**CHANNEL_FORM, "budget_usd": "1.00"})
    assert bad.status == 400, bad.text[-3000:]
    assert "cheaper providers past: cannot be more than" in bad.text and "Traceback" not in bad.text
    assert 'value="Deep Facts"' in bad.text  # the form comes back as it was sent
    channel_id = await console.channel(browser, schedule="0 9 * * *")
    page = await browser.get(f"/channels/{channel_id}")
    assert page.status == 200 and "Next slots" in page.text and page.text.count("<li><time") == 5
    assert "empty backlog" in (await browser.get("/")).text  # a schedule with nothing to say

    added = await browser.post(
        f"/channels/{channel_id}/backlog", {"topics": "first topic\n\nsecond topic\nthird topic"}
    )
    assert "3 topics added" in (await browser.follow(added)).text
    backlog = await console.services.db.query(_backlog, channel_id)
    assert [t for _, t in backlog] == ["first topic", "second topic", "third topic"]
    await browser.post(f"/channels/{channel_id}/backlog/{backlog[2][0]}/move", {"to": "up"})
    await browser.post(f"/channels/{channel_id}/backlog/{backlog[0][0]}/remove")
    assert [t for _, t in await console.services.db.query(_backlog, channel_id)] == [
        "third topic",
        "second topic",
    ]
    ideas = await browser.post(f"/channels/{channel_id}/backlog/ideas", {"count": "3"})
    assert "new topics from" in (await browser.follow(ideas)).text

    saved = await browser.post(
        f"/channels/{channel_id}",
        {**CHANNEL_FORM, "name": "Deeper Facts", "providers.script": "template", "schedule": ""},
    )
    assert (await browser.follow(saved)).status == 200
    status, body = await Api(console.app, browser.client).call(
        None, "GET", f"/api/v1/channels/{channel_id}"
    )
    assert status == 200 and body["name"] == "Deeper Facts"
    assert body["providers"] == {"script": ["template"]} and body["schedule"] is None

    queued = await browser.post(
        "/videos", {"channel_id": str(channel_id), "topics": "one\ntwo\nthree", "seconds": "60"}
    )
    listing = await browser.follow(queued)
    assert "3 videos queued" in listing.text and listing.text.count("badge queued") == 3
    refused = await browser.post(
        "/videos", {"channel_id": str(channel_id), "topics": "ok\n" + "x" * 300, "seconds": "60"}
    )
    assert "line 2: topic:" in (await browser.follow(refused)).text
    assert (await browser.get("/videos?status=queued")).text.count("badge queued") == 3
    assert "No video matches" in (await browser.get("/videos?status=failed")).text

    video_page = await browser.get("/videos/1")
    assert video_page.status == 200 and "Stages" in video_page.text and "Cancel" in video_page.text
    cancelled = await browser.post("/videos/1/cancel")
    assert "Cancelled." in (await browser.follow(cancelled)).text
    retried = await browser.post("/videos/1/retry")
    assert "Queued again." in (await browser.follow(retried)).text
    refused = await browser.post("/videos/1/approve")  # nothing held
    assert (await browser.follow(refused)).status == 200
    await browser.post("/videos/2/cancel")
    deleted = await browser.post("/videos/2/delete")
    assert deleted.location == "/videos"
    assert (await browser.get("/videos/2")).status == 404
    for path in (
        "/costs",
        "/costs?days=7",
        "/youtube",
        "/keys",
        "/webhooks",
        "/account",
        "/parts/dashboard",
        "/parts/videos/1",
    ):
        assert (await browser.get(path)).status == 200, path
    assert (await browser.get("/costs?days=3")).status == 400


def _backlog(session, channel_id: int) -> list[tuple[int, str]]:
    from appliance.domain.access import Owner
    from appliance.domain.backlog import topics

    return [(t.id, t.topic) for t in topics(session, Owner(0, is_admin=True), channel_id)]


async def test_api_keys_are_shown_once_and_revoked(console: Console) -> None:
    browser = await console.user("viewer")
    made = await browser.post("/keys", {"name": "dashboard", "scopes": "read"})
    assert made.status == 200
    key = made.text.split('id="new-key" class="secret">', 1)[1].split("<", 1)[0]
    assert key.startswith("yte_")
    client = console.test_app.test_client()
    assert (await client.get("/api/v1/channels", headers={"X-API-Key": key})).status_code == 200
    listing = await browser.get("/keys")
    assert key not in listing.text and "dashboard" in listing.text
    key_id = listing.text.split("/keys/", 1)[1].split("/revoke", 1)[0]
    revoked = await browser.post(f"/keys/{key_id}/revoke")
    assert "Key revoked" in (await browser.follow(revoked)).text
    assert (await client.get("/api/v1/channels", headers={"X-API-Key": key})).status_code == 401
    beyond = await browser.post("/keys", {"name": "too much", "scopes": "write"})
    assert beyond.status == 303  # back to the form with the reason
    assert "cannot grant" in (await browser.follow(beyond)).text


async def test_a_second_user_sees_none_of_the_first_users_things(console: Console) -> None:
    first = await console.user()
    channel_id = await console.channel(first, name="Secret Channel")
    await first.post("/videos", {"channel_id": str(channel_id), "topics": "private topic"})
    second = await console.user()
    assert (await second.get(f"/channels/{channel_id}")).status == 404
    assert (await second.get("/videos/1")).status == 404
    assert (await second.get("/parts/videos/1")).status == 404
    for path in ("/channels", "/videos", "/", "/costs"):
        page = await second.get(path)
        assert "Secret Channel" not in page.text and "private topic" not in page.text, path
    stolen = await second.post("/videos/1/cancel")
    assert "not found" in (await second.follow(stolen)).text
    queued = await second.post("/videos", {"channel_id": str(channel_id), "topics": "x"})
    assert "not found" in (await second.follow(queued)).text
    # The first user's video is untouched.
    assert "badge queued" in (await first.get("/videos/1")).text


async def test_a_viewer_cannot_change_anything(console: Console) -> None:
    owner = await console.user("admin")
    channel_id = await console.channel(owner)
    viewer = await console.user("viewer")
    page = await viewer.get("/channels")
    assert "New channel" not in page.text
    for path, form in (
        ("/channels/new", CHANNEL_FORM),
        (f"/channels/{channel_id}", CHANNEL_FORM),
        (f"/channels/{channel_id}/backlog", {"topics": "x"}),
        ("/videos", {"channel_id": str(channel_id), "topics": "x"}),
        ("/youtube/projects", {"name": "p", "client_id": "abc", "client_secret": "secret1"}),
        ("/admin/backups", {}),
    ):
        refused = await viewer.post(path, form)
        assert refused.status == 303, path
        assert "cannot do this" in (await viewer.follow(refused)).text, path
    assert (await viewer.get("/admin")).status == 403


async def test_admin_manages_users_backups_and_sees_settings_and_health(
    console: Console, settings: Settings
) -> None:
    admin = await console.user("admin")
    page = await admin.get("/admin")
    assert page.status == 200
    assert "storage.hot" in page.text and "scheduler.cpu_slots" in page.text
    assert "********" in page.text or "secret" not in page.text.lower()
    made = await admin.post(
        "/admin/users", {"email": "new@example.com", "password": "first-pass-1", "role": "viewer"}
    )
    assert "User new@example.com created" in (await admin.follow(made)).text
    newcomer = console.browser()
    assert (
        await newcomer.sign_in("new@example.com", "first-pass-1")
    ).location == "/account/password"
    user_id = page.text.count("<tr>")  # any id will do for the checks below
    assert user_id
    disabled = await admin.post("/admin/users/2", {"active": "no"})
    assert (await admin.follow(disabled)).status == 200
    backed = await admin.post("/admin/backups")
    after = await admin.follow(backed)
    assert "Backup written" in after.text and ".db</code>" in after.text
    assert list((settings.tier_root("cold") / "backups").glob("*.db"))


async def test_signing_out_ends_the_session_everywhere(console: Console) -> None:
    browser = await console.user()
    cookie_jar = browser.client.cookie_jar
    saved = list(cookie_jar) if cookie_jar is not None else []
    out = await browser.post("/sign-out")
    assert out.status == 303 and out.location == "/sign-in"
    thief = console.browser()
    for cookie in saved:
        thief.client.cookie_jar.set_cookie(cookie)
    assert (await thief.get("/")).status == 303


async def test_the_voice_preview_plays_a_piper_voice(console: Console) -> None:
    browser = await console.user()
    form = await browser.get("/channels/new")
    assert "en_US-joe-medium" in form.text and "Preview" in form.text
    response = await browser.client.get("/voices/preview?voice=en_US-joe-medium")
    audio = await response.get_data()
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    assert audio[:4] == b"RIFF" and audio[8:12] == b"WAVE" and len(audio) > 20_000
    missing = await browser.get("/voices/preview?voice=en_US-nobody-medium")
    assert missing.status == 400 and "no voice named" in missing.text


@pytest.mark.parametrize("hops", [0, 1])
async def test_behind_a_tls_proxy_the_cookie_is_secure_only_when_the_proxy_is_trusted(
    tmp_path, hops: int
) -> None:
    import httpx

    from tests.conftest import make_settings
    from web.app import behind_proxies

    settings = make_settings(tmp_path / "data", YTEMPIRE_SERVER_PROXY_HOPS=str(hops))
    app = create_app(settings)
    async with app.test_app():
        await create_user(app.extensions[EXTENSION_KEY].db, "op@example.com", PASSWORD)
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        transport = httpx.ASGITransport(app=behind_proxies(app, settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://box") as client:
            first = await client.get("/sign-in", headers=forwarded)
            # The browser (at https) sends the cookie back; this client, at http, would not.
            cookie = first.headers["set-cookie"].split(";", 1)[0]
            signed = await client.post(
                "/sign-in",
                data={
                    "email": "op@example.com",
                    "password": PASSWORD,
                    "csrf_token": CSRF.search(first.text)[1],
                },
                headers={**forwarded, "Cookie": cookie},
            )
            client.cookies.clear()
    assert signed.status_code == 303, signed.text[:500]
    assert ("Secure" in signed.headers["set-cookie"]) is bool(hops)

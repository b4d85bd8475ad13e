"""The console in a real browser: Debian's headless Chromium, driven by Playwright, against
a real ``ytempire serve`` that makes real videos offline.

Each test is one thing an operator does. They share one box (a fresh data folder) and one
browser; each person has a browser context of their own (their own cookies). Screenshots
of every page at desktop and phone size are written to ``$YTEMPIRE_CONSOLE_SCREENSHOTS``
(docs/console/ when refreshing the checked-in ones), else to a temporary folder.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.serving import Served, base_env, start_serve

CHROMIUM = "/usr/bin/chromium"
# As the machine notes say: without these, Chromium keeps calling home on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "an-admins-own-pass-1"
VIDEO_DONE_S = 240_000  # ms: one 15 s 720p video made offline on two cores


@dataclass
class Box:
    served: Served
    url: str
    admin_email: str
    admin_password: str
    shots: Path
    facts: dict = field(default_factory=dict)


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Box]:
    root = tmp_path_factory.mktemp("console-box")
    env = base_env(
        root / "data",
        YTEMPIRE_SCHEDULER_TICK_S="0.2",
        YTEMPIRE_SCHEDULER_CPU_SLOTS="1",
        YTEMPIRE_SCHEDULER_IO_SLOTS="2",
        YTEMPIRE_SCHEDULER_RETRY_BASE_DELAY_S="0.5",
        YTEMPIRE_SCHEDULER_MAX_ATTEMPTS="1",
    )
    served = start_serve(root, env=env)
    try:
        url = served.wait_serving()
        printed = "\n".join(served.lines())
        email = re.search(r"email:\s+(\S+)", printed)[1]
        password = re.search(r"password:\s+(\S+)", printed)[1]
        shots = Path(os.environ.get("YTEMPIRE_CONSOLE_SCREENSHOTS") or root / "shots")
        shots.mkdir(parents=True, exist_ok=True)
        yield Box(served, url, email, password, shots)
    finally:
        served.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def person(browser: Browser, box: Box, viewport: dict = DESKTOP) -> BrowserContext:
    context = browser.new_context(base_url=box.url, viewport=viewport)
    context.set_default_timeout(20_000)
    return context


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def first_sign_in(page: Page, email: str, given: str, own: str, box: Box | None = None) -> None:
    """Sign in with a password someone else chose and replace it, as the console insists."""
    sign_in(page, email, given)
    expect(page).to_have_url(re.compile(r"/account/password$"))
    if box is not None:
        shoot(page, box, "password")
    page.get_by_label("Current password").fill(given)
    page.get_by_label("New password", exact=True).fill(own)
    page.get_by_label("New password again").fill(own)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".flash.ok")).to_contain_text("Password changed")


def shoot(page: Page, box: Box, name: str) -> None:
    """The page at desktop size, then at phone size, as PNGs."""
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(box.shots / f"{name}-{size}.png"), full_page=False)
    page.set_viewport_size(DESKTOP)


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def admin_page(browser: Browser, box: Box) -> Page:
    context = person(browser, box)
    if "admin_state" in box.facts:
        context.close()
        context = browser.new_context(
            base_url=box.url, viewport=DESKTOP, storage_state=box.facts["admin_state"]
        )
        context.set_default_timeout(20_000)
    return context.new_page()


def make_user(page: Page, email: str, password: str, role: str) -> None:
    page.goto("/admin#users")
    form = page.locator("form", has=page.get_by_role("button", name="Create user"))
    form.get_by_label("Email").fill(email)
    form.get_by_label("First password").fill(password)
    form.get_by_label("Role").select_option(role)
    form.get_by_role("button", name="Create user").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"User {email} created")


def test_first_sign_in_with_the_printed_password_forces_a_change(
    browser: Browser, box: Box
) -> None:
    context = person(browser, box)
    page = context.new_page()
    page.goto("/")
    shoot(page, box, "sign-in")
    first_sign_in(page, box.admin_email, box.admin_password, NEW_PASSWORD, box)
    expect(page).to_have_url(box.url + "/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    box.facts["admin_state"] = context.storage_state()
    context.close()
    # The printed password no longer opens anything.
    again = person(browser, box).new_page()
    sign_in(again, box.admin_email, box.admin_password)
    expect(again.locator(".flash.error")).to_contain_text("wrong email or password")
    again.context.close()


def test_an_operator_creates_a_channel_pastes_topics_and_watches_a_video_finish(
    browser: Browser, box: Box
) -> None:
    admin = admin_page(browser, box)
    make_user(admin, "op@example.com", "first-pass-op-1", "operator")
    admin.context.close()
    page = person(browser, box).new_page()
    first_sign_in(page, "op@example.com", "first-pass-op-1", "the-operators-pass-1")

    page.get_by_role("link", name="Channels").click()
    page.get_by_role("link", name="New channel").click()
    page.get_by_label("Name").fill("Deep Facts")
    page.get_by_label("Format").select_option("720p")
    shoot(page, box, "channel-new")
    page.get_by_role("button", name="Create channel").click()
    expect(page.locator(".flash.ok")).to_contain_text("Channel Deep Facts created")
    box.facts["channel_url"] = page.url

    page.get_by_role("link", name="Videos", exact=True).click()
    page.get_by_label("Length (s)").fill("15")
    page.get_by_label("Topics: one, or a pasted list").fill(
        "how deep is the ocean\nwhy leaves fall\nblack holes"
    )
    page.get_by_role("button", name="Queue").click()
    expect(page.locator(".flash.ok")).to_contain_text("3 videos queued")
    expect(page.locator("tbody tr")).to_have_count(3)

    page.get_by_role("link", name="how deep is the ocean").click()
    # A mark on the page itself: a reload would wipe it.
    page.evaluate("window.notReloaded = true")
    expect(page.locator("#live")).to_have_class("live-dot on")  # the event socket is up
    percents = set()
    progress = page.locator("#video-progress")
    for _ in range(VIDEO_DONE_S // 500):
        percents.add(progress.inner_text().strip())
        if page.locator("#video-status").inner_text().strip() in ("succeeded", "failed"):
            break
        page.wait_for_timeout(500)
    expect(page.locator("#video-status")).to_have_text("succeeded", timeout=5_000)
    assert page.evaluate("window.notReloaded") is True
    assert progress.inner_text().strip() == "100%"
    assert len(percents) >= 3, percents  # it moved on the page, stage by stage
    box.facts["video_url"] = page.url

    # The player appears by itself and plays the finished video (Range requests, with
    # this origin's cookie).
    player = page.locator("video#player")
    expect(player).to_be_visible()
    expect(page.locator("img.thumb")).to_be_visible()
    expect(page.get_by_role("heading", name="On YouTube as")).to_be_visible()
    played = page.evaluate(
        """async () => {
            const v = document.querySelector('video#player');
            v.muted = true;
            await v.play();
            await new Promise(r => setTimeout(r, 1200));
            return {time: v.currentTime, duration: v.duration, width: v.videoWidth};
        }"""
    )
    assert played["time"] > 0.3 and 14 < played["duration"] < 17 and played["width"] == 1280
    captions = page.request.get(page.locator("video#player track").get_attribute("src"))
    assert captions.ok and captions.text().startswith("WEBVTT")
    assert " --> " in captions.text() and "," not in captions.text().split("\n")[2]
    assert page.evaluate("window.notReloaded") is True
    shoot(page, box, "video")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#made-today")).to_have_text(re.compile(r"[1-9]"))
    shoot(page, box, "dashboard")
    page.goto(box.facts["channel_url"])
    shoot(page, box, "channel")
    page.goto("/videos")
    shoot(page, box, "videos")
    page.goto("/costs")
    expect(page.locator("svg.chart").first).to_be_visible()
    shoot(page, box, "costs")
    page.context.close()


def test_a_failed_video_is_retried(browser: Browser, box: Box) -> None:
    page = person(browser, box).new_page()
    sign_in(page, "op@example.com", "the-operators-pass-1")
    page.goto("/channels/new")
    page.get_by_label("Name").fill("Lost Voice")
    # A Piper voice that is not in the voices folder (removed since): the voice stage fails.
    page.locator("input#voice").fill("en_US-nobody-medium")
    page.get_by_role("button", name="Create channel").click()
    page.get_by_role("link", name="Its videos").click()
    page.get_by_label("Length (s)").fill("15")
    page.get_by_label("Topics: one, or a pasted list").fill("a voice that cannot speak")
    page.get_by_role("button", name="Queue").click()
    expect(page.locator(".flash.ok")).to_contain_text("Video queued")
    expect(page.locator("#video-status")).to_have_text("failed", timeout=VIDEO_DONE_S)
    expect(page.locator("#video-live .flash.error")).to_contain_text("en_US-nobody-medium")
    page.get_by_role("button", name="Retry").click()
    expect(page.locator(".flash.ok")).to_contain_text("Queued again.")
    # Back in the queue (the events say so), and on through its stages from there.
    expect(page.locator(".events li", has_text="video.queued")).to_have_count(2)
    expect(page.locator(".events li", has_text="video.queued (retry)")).to_have_count(1)
    page.context.close()


def test_api_keys_are_made_shown_once_and_revoked(browser: Browser, box: Box) -> None:
    page = person(browser, box).new_page()
    sign_in(page, "op@example.com", "the-operators-pass-1")
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("n8n")
    page.get_by_role("button", name="Make key").click()
    key = page.locator("#new-key").inner_text().strip()
    assert key.startswith("yte_")
    shoot(page, box, "keys")
    seen = page.request.get("/api/v1/channels", headers={"X-API-Key": key})
    assert seen.status == 200 and "Deep Facts" in seen.text()
    page.goto("/keys")
    expect(page.locator("#new-key")).to_have_count(0)  # shown once
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator(".flash.ok")).to_contain_text("Key revoked")
    assert page.request.get("/api/v1/channels", headers={"X-API-Key": key}).status == 401
    page.context.close()


def test_csrf_is_refused_without_the_token(browser: Browser, box: Box) -> None:
    page = person(browser, box).new_page()
    sign_in(page, "op@example.com", "the-operators-pass-1")
    page.goto("/channels")
    # The browser's own cookie, a form without the token: refused, nothing made.
    forged = page.request.post("/channels/new", form={"name": "Forged"})
    assert forged.status == 403 and "did not come from this console" in forged.text()
    page.reload()
    expect(page.get_by_text("Forged")).to_have_count(0)
    page.context.close()


def test_a_second_user_sees_none_of_the_first_users_things(browser: Browser, box: Box) -> None:
    admin = admin_page(browser, box)
    make_user(admin, "other@example.com", "first-pass-other-1", "operator")
    admin.context.close()
    page = person(browser, box).new_page()
    first_sign_in(page, "other@example.com", "first-pass-other-1", "the-others-pass-1")
    for path in ("/", "/channels", "/videos", "/costs"):
        page.goto(path)
        expect(page.get_by_text("Deep Facts")).to_have_count(0)
        expect(page.get_by_text("how deep is the ocean")).to_have_count(0)
    page.goto(box.facts["video_url"])
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    page.goto(box.facts["channel_url"])
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    page.context.close()


def test_a_viewer_cannot_change_anything(browser: Browser, box: Box) -> None:
    admin = admin_page(browser, box)
    make_user(admin, "viewer@example.com", "first-pass-viewer-1", "viewer")
    # The admin's other pages, while we are here.
    admin.goto("/youtube")
    admin.get_by_label("Name").fill("Main project")
    admin.get_by_label("Client id").fill("1234-example.apps.googleusercontent.com")
    admin.get_by_label("Client secret").fill("not-a-real-secret")
    admin.get_by_role("button", name="Add project").click()
    expect(admin.locator(".flash.ok")).to_contain_text("Project Main project added")
    expect(admin.locator("svg.meter").first).to_be_visible()
    shoot(admin, box, "youtube")
    admin.goto("/admin")
    admin.get_by_role("button", name="Back up now").click()
    expect(admin.locator(".flash.ok")).to_contain_text("Backup written")
    shoot(admin, box, "admin")
    admin.context.close()

    page = person(browser, box).new_page()
    first_sign_in(page, "viewer@example.com", "first-pass-viewer-1", "the-viewers-pass-1")
    page.goto("/channels")
    expect(page.get_by_role("link", name="New channel")).to_have_count(0)
    page.goto("/videos")
    expect(page.get_by_role("button", name="Queue")).to_have_count(0)
    page.goto("/admin")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    # Even a hand-made form with the viewer's own token is refused.
    page.goto("/keys")
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    refused = page.request.post(
        "/channels/new",
        form={"name": "Viewer's", "csrf_token": token},
        headers={"Origin": box.url, "Referer": box.url + "/channels"},
    )
    assert refused.ok and "cannot do this" in refused.text()
    page.goto("/channels")
    expect(page.get_by_text("Viewer's")).to_have_count(0)
    page.context.close()


def test_screenshots_of_every_page_at_desktop_and_phone_size(box: Box) -> None:
    pages = (
        "sign-in",
        "dashboard",
        "channel-new",
        "channel",
        "videos",
        "video",
        "costs",
        "keys",
        "youtube",
        "admin",
    )
    for name in pages:
        assert png_size(box.shots / f"{name}-desktop.png") == (1280, 800), name
        assert png_size(box.shots / f"{name}-phone.png") == (390, 844), name

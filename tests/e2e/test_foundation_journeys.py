"""The first journeys through the application in a real browser, asserting what a person sees."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Page, expect

from pmo.models import Organization
from tests.e2e.conftest import PageWatch, login
from tests.factories import OrganizationFactory, member

DEMO_PASSWORD = "pmo-demo-2026"
FACTORY_PASSWORD = "correct-horse-battery"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def demo() -> Organization:
    call_command("seed_demo", quiet_logins=True)
    return Organization.objects.get(slug="demo")


def nav_text(page: Page) -> str:
    return page.locator("nav.mainnav ul").inner_text()


def switch_language(page: Page, label: str) -> None:
    with page.expect_navigation():
        page.locator("form.lang-switch").get_by_role("button", name=label).click()


def nav_is_translated() -> bool:
    with translation.override("zh-hans"):
        return translation.gettext("Projects") != "Projects"


def test_demo_user_lands_on_the_organisation_and_switches_language(
    page: Page, demo: Organization, screenshot: Callable[..., Path]
) -> None:
    login(page, "pm", DEMO_PASSWORD)

    expect(page).to_have_url(re.compile(r"/o/demo/$"))
    expect(page.locator("main h1")).to_have_text(demo.name)
    expect(page.locator("header .org-switcher summary")).to_contain_text(demo.name)
    # pm's profile language is Chinese; signing in makes it the page language.
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    nav_chinese = nav_text(page)

    switch_language(page, "English")
    expect(page).to_have_url(re.compile(r"/o/demo/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("form.lang-switch button[value=en]")).to_have_attribute("aria-pressed", "true")
    nav_english = nav_text(page)
    assert "Projects" in nav_english
    assert "Dashboard" in nav_english
    expect(page.locator("main h1")).to_have_text(demo.name)
    screenshot(page, "-en")

    switch_language(page, "中文")
    expect(page).to_have_url(re.compile(r"/o/demo/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("form.lang-switch button[value=zh-hans]")).to_have_attribute("aria-pressed", "true")
    assert nav_text(page) == nav_chinese
    if nav_is_translated():
        assert nav_chinese != nav_english
        assert "Projects" not in nav_chinese

    # The choice is remembered on the next page too.
    page.goto("/o/demo/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    screenshot(page)


def test_swagger_ui_renders_offline(page: Page, demo: Organization, screenshot: Callable[..., Path]) -> None:
    login(page, "pm", DEMO_PASSWORD)

    page.goto("/api/v1/docs/")
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("PMO API")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    expect(page.locator('#swagger-ui .opblock-summary-path[data-path="/api/v1/me/"]').first).to_be_visible()
    assert page.locator("#swagger-ui .opblock").count() > 5
    screenshot(page)


def test_redoc_renders_offline(page: Page, demo: Organization, screenshot: Callable[..., Path]) -> None:
    login(page, "pm", DEMO_PASSWORD)

    page.goto("/api/v1/redoc/")
    # ReDoc parses the whole schema in the browser before it draws anything: give it time. With the
    # resources app the schema has some 60 more operations; beside another test worker on two CPUs the
    # parse took over 30 s once (alone: a few seconds), so the budget follows the schema's size.
    expect(page.get_by_role("heading", name=re.compile(r"PMO API"), level=1)).to_be_visible(timeout=90_000)
    expect(page.get_by_text("/api/v1/me/").first).to_be_attached()
    screenshot(page, full_page=False)  # the whole reference is some 14,000 pixels tall


def test_member_of_another_organisation_gets_not_found(
    page: Page, page_watch: PageWatch, demo: Organization, screenshot: Callable[..., Path]
) -> None:
    beta = OrganizationFactory(name="Beta Works", slug="beta")
    outsider = member(beta, username="outsider").user
    page_watch.expect_status("/o/demo/", 404)
    page_watch.expect_status("/o/demo/members/", 404)

    login(page, outsider.username, FACTORY_PASSWORD)
    expect(page).to_have_url(re.compile(r"/o/beta/$"))
    expect(page.locator("main h1")).to_have_text("Beta Works")

    for path in ("/o/demo/", "/o/demo/members/"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 404, path
        expect(page.locator("main h1")).to_have_text("Not found")
        expect(page.locator("main")).not_to_contain_text(demo.name)
        expect(page.locator("nav.mainnav")).to_have_count(0)
    screenshot(page)


def test_repeated_wrong_passwords_lock_the_account(page: Page, screenshot: Callable[..., Path]) -> None:
    organization = OrganizationFactory(name="Lock Works", slug="lock")
    user = member(organization, username="locked").user

    for _attempt in range(5):
        response = login(page, user.username, "not-the-password")
        assert response is not None
        assert response.status == 200
        expect(page).to_have_url(re.compile(r"/accounts/login/"))
        expect(page.locator(".form-errors")).to_be_visible()
        expect(page.locator(".form-errors")).not_to_contain_text("Too many failed sign-in attempts")

    login(page, user.username, FACTORY_PASSWORD)

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".form-errors")).to_contain_text("Too many failed sign-in attempts")
    expect(page.locator('main input[name="username"]')).to_be_visible()
    expect(page.locator("header .user-menu")).to_have_count(0)
    screenshot(page)


def test_organisation_home_fits_a_phone(
    new_page: Callable[..., Page], demo: Organization, screenshot: Callable[..., Path]
) -> None:
    page = new_page(**PHONE)
    login(page, "pm", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/o/demo/$"))
    expect(page.locator("main h1")).to_have_text(demo.name)

    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["client"] == 390
    assert widths["scroll"] <= widths["client"], f"horizontal scrolling on a phone: {widths}"

    path = screenshot(page)
    assert path.is_file()
    assert path.stat().st_size > 0

"""A photo and a signed PDF attached to a change request in the browser: thumbnail, download, delete.

Also in Chinese and at a phone's width (390 px), and another organisation's member gets 404
for the download.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from pmo.models import Attachment, OrgRole
from tests.e2e.conftest import login
from tests.factories import ChangeRequestFactory, OrganizationFactory, member
from tests.pmo.attachments.samples import PDF, image_bytes

PASSWORD = "correct-horse-battery"


def _files(tmp_path: Path) -> list[Path]:
    photo = tmp_path / "crack-east-pier.jpg"
    photo.write_bytes(image_bytes(size=(1200, 900), fmt="JPEG"))
    document = tmp_path / "signed-variation.pdf"
    document.write_bytes(PDF)
    return [photo, document]


def test_attach_see_the_thumbnail_download_and_delete(
    new_page: Callable[..., Page], screenshot: Callable[..., Path], page_watch: Any, tmp_path: Path
) -> None:
    organization = OrganizationFactory(name="Acme Build", slug="acme")
    change_request = ChangeRequestFactory(
        project__organization=organization, organization=organization, title="Strengthen the east pier"
    )
    member(organization, OrgRole.PMO, username="pmo-li")
    url = f"/o/acme/projects/{change_request.project_id}/change-requests/{change_request.pk}/"

    page = new_page()
    login(page, "pmo-li", PASSWORD)
    page.goto(url)
    page.locator("input[name=files]").set_input_files([str(path) for path in _files(tmp_path)])
    expect(page.locator(".attachment-chosen")).to_contain_text("crack-east-pier.jpg")
    page.get_by_role("button", name="Attach", exact=True).click()

    expect(page.locator(".message-success")).to_contain_text("2 files attached.")
    thumbnail = page.locator(".attachment-preview img")
    expect(thumbnail).to_have_count(1)
    expect(thumbnail).to_be_visible()
    # The thumbnail is loaded and is the 320 px JPEG the server made, not a broken image.
    page.wait_for_function(
        "() => { const image = document.querySelector('.attachment-preview img');"
        " return image && image.complete && image.naturalWidth === 320; }"
    )
    expect(page.locator(".attachment-type")).to_have_text("PDF")
    screenshot(page, "-en-1280")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="signed-variation.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "signed-variation.pdf"
    assert Path(download.path()).read_bytes() == PDF

    phone = new_page(viewport={"width": 390, "height": 844})
    login(phone, "pmo-li", PASSWORD)
    phone.goto(url)
    expect(phone.locator(".attachment")).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "-en-390")
    phone.locator(".lang-switch button[value=zh-hans]").click()
    expect(phone.locator(".attachments h2")).to_contain_text("文件")
    expect(phone.get_by_text("拍照")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "-zh-390")
    page.goto(url)
    screenshot(page, "-zh-1280")

    phone.locator(".attachment", has_text="signed-variation.pdf").locator("summary").click()
    phone.get_by_role("button", name="删除“signed-variation.pdf”").click()
    expect(phone.locator(".message-success")).to_contain_text("已删除")
    expect(phone.locator(".attachment")).to_have_count(1)
    assert list(Attachment.objects.for_organization(organization).values_list("name", flat=True)) == [
        "crack-east-pier.jpg"
    ]

    outsider_org = OrganizationFactory(name="Other Works", slug="other")
    member(outsider_org, OrgRole.ADMIN, username="outsider")
    outsider = new_page()
    photo = Attachment.objects.for_organization(organization).get()
    page_watch.expect_status(f"/o/acme/attachments/{photo.pk}/download/", 404)
    login(outsider, "outsider", PASSWORD)
    response = outsider.goto(f"/o/acme/attachments/{photo.pk}/download/")
    assert response is not None
    assert response.status == 404

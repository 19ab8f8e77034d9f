"""A member starts an import that takes several seconds from a page and watches its progress bar move in
the browser while a worker (a thread of the test, in place of Celery) runs it; then downloads its log.
A second import with bad cells ends with the table of them. On a phone (390 px), in Chinese too."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pmo.jobs import job_kinds
from pmo.models import Job, JobStatus, OrgRole
from tests.e2e.conftest import login
from tests.e2e.jobs_urls import SLOW_IMPORT, SLOW_IMPORT_KIND
from tests.factories import OrganizationFactory, member

PASSWORD = "correct-horse-battery"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}

pytestmark = pytest.mark.urls("tests.e2e.jobs_urls")


@pytest.fixture
def worker(job_worker: list[threading.Thread]) -> Iterator[list[threading.Thread]]:
    """The worker thread of ``job_worker``, with the test's slow kind registered."""
    job_kinds.register(SLOW_IMPORT_KIND)
    yield job_worker
    job_kinds.unregister(SLOW_IMPORT)


def fits_the_phone(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= 390"))


def bar_value(page: Page) -> int:
    return int(
        page.evaluate("() => { const bar = document.getElementById('job-progress'); return bar ? bar.value : -1; }")
    )


def test_a_slow_import_shows_a_moving_progress_bar_then_its_result(
    new_page: Callable[..., Page], screenshot: Callable[..., Path], worker: list[threading.Thread], tmp_path: Path
) -> None:
    organization = OrganizationFactory(name="Acme Build", slug="acme")
    member(organization, OrgRole.PROJECT_MANAGER, username="pm-mei", language="en")
    rows = tmp_path / "tasks.csv"
    rows.write_text("\n".join(f"task {number}" for number in range(1, 101)))

    page = new_page()
    login(page, "pm-mei", PASSWORD)
    page.goto("/o/acme/test/slow-import/")
    page.locator("input[name=file]").set_input_files(str(rows))
    page.get_by_role("button", name="Import").click()

    # The request answered at once with the job's page; the worker is still at it.
    expect(page.locator("h1")).to_contain_text("Slow import")
    job = Job.objects.for_organization(organization).get()
    assert page.url.endswith(f"/o/acme/jobs/{job.pk}/")
    page.wait_for_function(
        "() => { const bar = document.getElementById('job-progress'); return bar && bar.value >= 10; }"
    )
    first = bar_value(page)
    assert 10 <= first < 90
    screenshot(page, "-en-1280-running")
    page.wait_for_function(
        f"() => {{ const bar = document.getElementById('job-progress'); return bar && bar.value > {first + 20}; }}"
    )
    second = bar_value(page)
    assert first < second
    assert Job.objects.for_organization(organization).get().status in {JobStatus.RUNNING, JobStatus.DONE}

    # Done: the page shows itself again with the result and the report.
    result = page.locator("#job-result")
    expect(result).to_have_text("Download import-log.txt", timeout=20_000)
    expect(page.locator(".job-status")).to_have_text("Done")
    assert bar_value(page) == 100
    expect(page.locator("#job-report")).to_contain_text("Every row was imported.")
    expect(page.locator("#job-report")).to_contain_text("100")
    screenshot(page, "-en-1280-done")
    with page.expect_download() as download_info:
        result.click()
    download = download_info.value
    assert download.suggested_filename == "import-log.txt"
    assert Path(download.path()).read_text() == "100 rows imported\n"

    page.goto("/o/acme/jobs/")
    expect(page.locator(f"#job-{job.pk}")).to_contain_text("Slow import")
    expect(page.locator(f"#job-{job.pk}")).to_contain_text("import-log.txt")

    phone = new_page(**PHONE)
    login(phone, "pm-mei", PASSWORD)
    phone.goto("/o/acme/jobs/")
    assert fits_the_phone(phone)
    screenshot(phone, "-en-390-list")
    phone.locator(".lang-switch button[value=zh-hans]").click()
    expect(phone.locator("h1")).to_have_text("我的任务")
    phone.goto(f"/o/acme/jobs/{job.pk}/")
    expect(phone.locator(".job-status")).to_have_text("已完成")
    assert fits_the_phone(phone)
    screenshot(phone, "-zh-390-done")


def test_a_slow_import_with_bad_cells_ends_with_the_table_of_them(
    new_page: Callable[..., Page], screenshot: Callable[..., Path], worker: list[threading.Thread], tmp_path: Path
) -> None:
    organization = OrganizationFactory(name="Acme Build", slug="acme")
    member(organization, OrgRole.PROJECT_MANAGER, username="pm-mei", language="en")
    rows = tmp_path / "tasks.csv"
    rows.write_text("\n".join("bad" if number in {7, 30} else f"task {number}" for number in range(1, 41)))

    page = new_page(**PHONE)
    login(page, "pm-mei", PASSWORD)
    page.goto("/o/acme/test/slow-import/")
    page.locator("input[name=file]").set_input_files(str(rows))
    page.get_by_role("button", name="Import").click()

    failure = page.locator("#job-error")
    expect(failure).to_contain_text("2 cells are wrong; nothing was imported.", timeout=20_000)
    expect(failure.locator("tbody tr")).to_have_count(2)
    expect(failure.locator("tbody tr").first).to_contain_text("Tasks!B7")
    expect(failure.locator("tbody tr").first).to_contain_text("Not a date.")
    expect(page.locator(".job-status")).to_have_text("Failed")
    assert fits_the_phone(page)
    screenshot(page, "-en-390-failed")

"""A project manager imports a 1,500-task MS Project file into an empty project from its page. The
file is over PMO_JOB_INLINE_BYTES, so the import is a job run by a worker (a thread of the test, in
place of Celery): the page goes to the job's page, whose bar is seen part of the way, then the
result with the link to the imported plan."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from playwright.sync_api import Page, expect

from pmo.models import Job, JobStatus, OrgRole
from projects.models import WbsElement
from resources import mspdi_jobs
from tests.e2e.conftest import login
from tests.factories import OrganizationFactory, ProjectFactory, ProjectMemberFactory, member

PASSWORD = "correct-horse-battery"
TASKS = 1500


def big_mspdi(count: int) -> bytes:
    """A plan of ``count`` two-day tasks, nine in ten linked to the one before."""
    tasks = []
    for uid in range(1, count + 1):
        link = (
            f"<PredecessorLink><PredecessorUID>{uid - 1}</PredecessorUID><Type>1</Type></PredecessorLink>"
            if uid > 1 and uid % 10
            else ""
        )
        tasks.append(
            f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>Task {uid}</Name><OutlineLevel>1</OutlineLevel>"
            f"<Duration>PT16H0M0S</Duration>{link}</Task>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="http://schemas.microsoft.com/project">'
        "<Name>Tower</Name><StartDate>2026-03-02T08:00:00</StartDate><MinutesPerDay>480</MinutesPerDay>"
        f"<Tasks>{''.join(tasks)}</Tasks></Project>"
    ).encode()


def bar_value(page: Page) -> int:
    return int(
        page.evaluate("() => { const bar = document.getElementById('job-progress'); return bar ? bar.value : -1; }")
    )


def test_a_big_ms_project_file_is_imported_by_a_job_whose_bar_moves_then_links_to_the_plan(
    new_page: Callable[..., Page], screenshot: Callable[..., Path], job_worker: list[threading.Thread], tmp_path: Path
) -> None:
    organization = OrganizationFactory(name="Acme Build", slug="acme")
    manager = member(organization, OrgRole.PROJECT_MANAGER, username="pm-mei", language="en").user
    project = ProjectFactory(organization=organization, code="TWR", name="Tower", manager=manager)
    ProjectMemberFactory(project=project, user=manager, role="manager")
    content = big_mspdi(TASKS)
    assert len(content) > settings.PMO_JOB_INLINE_BYTES  # a worker's job, not the request's
    upload = tmp_path / "tower.xml"
    upload.write_bytes(content)

    page = new_page()
    login(page, "pm-mei", PASSWORD)
    page.goto(f"/o/acme/projects/{project.pk}/resources/ms-project/")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.locator("#import button[type=submit]").click()

    # The request answered at once with the job's page; the worker is at it.
    expect(page.locator("#job-progress")).to_be_visible()
    job = Job.objects.for_organization(organization).get(kind=mspdi_jobs.IMPORT)
    assert urlsplit(page.url).path == f"/o/acme/jobs/{job.pk}/"
    page.wait_for_function(
        "() => { const bar = document.getElementById('job-progress');"
        " return bar && bar.value > 0 && bar.value < 100; }",
        timeout=60_000,
    )
    part = bar_value(page)
    assert 0 < part < 100
    screenshot(page, "-en-1280-running")

    # Done: the page shows itself again with the report and the link to the imported plan.
    result = page.locator("#job-link")
    expect(result).to_be_visible(timeout=90_000)
    expect(page.locator(".job-status")).to_have_text("Done")
    assert bar_value(page) == 100
    expect(page.locator("#job-report")).to_contain_text(str(TASKS))
    screenshot(page, "-en-1280-done")
    # The link leads to the imported plan (1,500 rows: not opened here, its page is not this journey's).
    expect(result).to_have_attribute("href", f"/o/acme/projects/{project.pk}/wbs/")
    assert Job.objects.for_organization(organization).get(pk=job.pk).status == JobStatus.DONE
    assert WbsElement.objects.for_organization(organization).filter(project=project).count() == TASKS

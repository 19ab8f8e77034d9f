"""A project manager asks for a leveling proposal of a plan over the (lowered) PMO_LEVELING_JOB_ABOVE from
the project's leveling page. A job computes it on a worker (a thread of the test, in place of Celery): the
page goes to the job's page, whose bar is seen part of the way, then done with the link to the proposal,
which shows the tasks moved. The engine is slowed in the test so that a twelve-task plan takes
long enough for the bar to be seen moving."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from pmo.models import Job, JobStatus, OrgRole
from resources import leveling_jobs
from resources.models import LevelingRun
from resources.services import leveling as leveling_services
from tests.e2e.conftest import login
from tests.factories import OrganizationFactory, member
from tests.resources.leveling_support import assign, build, person

PASSWORD = "correct-horse-battery"
TASKS = 12


def bar_value(page: Page) -> int:
    return int(
        page.evaluate("() => { const bar = document.getElementById('job-progress'); return bar ? bar.value : -1; }")
    )


@pytest.fixture
def slow_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine as it is, waiting half a second at each report of its progress (a dozen here)."""
    engine = leveling_services.level

    def level(problem: Any, progress: Any = None) -> Any:
        def slowed(done: int, total: int) -> None:
            time.sleep(0.5)
            if progress is not None:
                progress(done, total)

        return engine(problem, slowed)

    monkeypatch.setattr(leveling_services, "level", level)


def test_a_large_plan_is_leveled_by_a_job_whose_bar_moves_then_links_to_the_proposal(
    new_page: Callable[..., Page],
    screenshot: Callable[..., Path],
    job_worker: list[threading.Thread],
    slow_engine: None,
    settings: Any,
) -> None:
    settings.PMO_LEVELING_JOB_ABOVE = 5
    organization = OrganizationFactory(name="Acme Build", slug="acme")
    pm = member(organization, OrgRole.PROJECT_MANAGER, username="pm-mei", language="en")
    # Twelve five-day tasks side by side, each needing the same person all day.
    plan = build(organization, pm, {f"Task {number}": 5 for number in range(1, TASKS + 1)}, code="TWR", name="Tower")
    crane_operator = person(organization)
    for task in plan.tasks.values():
        assign(task, crane_operator)
    project = plan.project

    page = new_page()
    login(page, "pm-mei", PASSWORD)
    page.goto(f"/o/acme/projects/{project.pk}/resources/leveling/")
    expect(page.locator("#lvl-job-note")).to_contain_text("more than 5 tasks")
    form = page.locator("main form[method=post]")
    form.locator("input[name=start]").fill("2026-03-02")
    form.locator("input[name=finish]").fill("2026-06-30")
    form.locator("input[name=allow_beyond_float]").check()
    form.locator("button[type=submit]").click()

    # The request answered at once with the job's page; the worker is at it.
    expect(page.locator("#job-progress")).to_be_visible()
    job = Job.objects.for_organization(organization).get(kind=leveling_jobs.COMPUTE)
    assert urlsplit(page.url).path == f"/o/acme/jobs/{job.pk}/"
    expect(page.locator("h1")).to_contain_text("Resource leveling proposal")
    page.wait_for_function(
        "() => { const bar = document.getElementById('job-progress');"
        " return bar && bar.value > 0 && bar.value < 100; }",
        timeout=60_000,
    )
    assert 0 < bar_value(page) < 100
    screenshot(page, "-en-1280-running")

    # Done: the page shows itself again with the figures and the link to the proposal.
    link = page.locator("#job-link")
    expect(link).to_be_visible(timeout=90_000)
    expect(page.locator(".job-status")).to_have_text("Done")
    assert bar_value(page) == 100
    expect(page.locator("#job-report")).to_contain_text("Tasks delayed")
    screenshot(page, "-en-1280-done")
    run = LevelingRun.objects.for_organization(organization).get()
    assert Job.objects.for_organization(organization).get(pk=job.pk).status == JobStatus.DONE

    link.click()
    expect(page).to_have_url(re.compile(rf"/o/acme/projects/{project.pk}/resources/leveling/{run.pk}/$"))
    expect(page.locator("main table.lvl-moves tbody tr")).to_have_count(TASKS - 1)
    screenshot(page, "-en-1280-proposal")

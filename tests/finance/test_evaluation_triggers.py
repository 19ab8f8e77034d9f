"""Every change that moves a project's earned value evaluates it again once committed, so today's snapshot holds.

The dashboard reads today's snapshots (``dashboard.portfolio.selectors``); progress, costs, budgets and
change requests are covered in ``test_variance``. These are the plan's own changes: a baseline
made current, a task's percent-complete method, a baselined task deleted, a calendar changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from finance.models import EvmSnapshot
from pmo.models import Organization, WorkingCalendar
from pmo.services import calendar_update
from projects.models import PercentCompleteMethod
from projects.services.baselines import baseline_create, baseline_set_current
from projects.services.wbs import wbs_element_delete, wbs_element_update
from tests.finance.test_earned_value_support import Built, build_textbook

pytestmark = pytest.mark.django_db


def evaluated_today(built: Built) -> bool:
    return (
        EvmSnapshot.objects.for_organization(built.organization)
        .filter(project=built.project, date=built.organization.today())
        .exists()
    )


def make_a_new_baseline_current(built: Built) -> None:
    baseline_create(actor=built.admin.user, project=built.project, name="Re-plan", make_current=True)


def make_the_first_baseline_current_again(built: Built) -> None:
    assert built.baseline is not None
    baseline_create(actor=built.admin.user, project=built.project, name="Re-plan", make_current=True)
    EvmSnapshot.objects.for_organization(built.organization).delete()
    baseline_set_current(actor=built.admin.user, baseline=built.baseline)


def change_a_tasks_method(built: Built) -> None:
    wbs_element_update(
        actor=built.admin.user, element=built.tasks["B"], percent_complete_method=PercentCompleteMethod.FIFTY_FIFTY
    )


def delete_a_baselined_task(built: Built) -> None:
    wbs_element_delete(actor=built.admin.user, element=built.tasks["B"])


def change_the_calendar(built: Built) -> None:
    calendar = WorkingCalendar.objects.for_organization(built.organization).get(is_default=True)
    calendar_update(actor=built.admin.user, calendar=calendar, working_weekdays=[0, 1, 2, 3, 4, 5])


@pytest.mark.parametrize(
    "change",
    [
        make_a_new_baseline_current,
        make_the_first_baseline_current_again,
        change_a_tasks_method,
        delete_a_baselined_task,
        change_the_calendar,
    ],
)
def test_a_change_to_the_plan_evaluates_the_project_again(
    organization: Organization, change: Callable[[Built], None], django_capture_on_commit_callbacks: Any
) -> None:
    built = build_textbook(organization)
    EvmSnapshot.objects.for_organization(organization).delete()

    with django_capture_on_commit_callbacks(execute=True):
        change(built)

    assert evaluated_today(built)


def test_renaming_a_task_does_not_evaluate_the_project(
    organization: Organization, django_capture_on_commit_callbacks: Any
) -> None:
    built = build_textbook(organization)
    EvmSnapshot.objects.for_organization(organization).delete()

    with django_capture_on_commit_callbacks(execute=True):
        wbs_element_update(actor=built.admin.user, element=built.tasks["B"], name="Steel structure")

    assert not evaluated_today(built)

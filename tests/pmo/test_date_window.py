"""Every date a user enters stays within the organisation's window, and no schedule runs past it."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
from typing import Any

import django_filters
import pytest
from django import forms
from django.apps import apps

from finance.models import ActualCost
from pmo.forms import DateWindowFormMixin
from pmo.models import Organization, OrgRole, WorkingCalendar
from pmo.workdays import WorkCalendar
from projects.models import Project, WbsElement
from projects.scheduling import DependencyInput, ScheduleOutOfRangeError, TaskInput, compute_schedule
from projects.services.schedule import reschedule_calendar_projects
from tests.conftest import api_client_for, page_client_for
from tests.factories import ProjectFactory, member
from tests.finance.test_services_support import category
from tests.projects.helpers import add_task, make_project

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("pmo", "projects", "finance", "resources", "risks", "quality", "maintenance")
FORM_MODULES = (
    "forms",
    "control_forms",
    "alert_forms",
    "filters",
    "views",
    "control_views",
    "api.filters",
    "api.views",
)
FAR = "9999-12-31"


def _import_form_modules() -> None:
    for config in apps.get_app_configs():
        if config.name in PROJECT_APPS:
            for module in FORM_MODULES:
                with contextlib.suppress(ModuleNotFoundError):
                    importlib.import_module(f"{config.name}.{module}")


def _subclasses(root: type[Any]) -> list[type[Any]]:
    found, pending = [], [root]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_APPS:
            found.append(cls)
    return found


DATE_FIELDS = (forms.DateField, forms.DateTimeField)


def test_every_page_form_with_a_date_keeps_it_within_the_window() -> None:
    _import_form_modules()
    with_dates = [
        cls
        for cls in _subclasses(forms.BaseForm)
        if any(isinstance(field, DATE_FIELDS) for field in cls.base_fields.values())
    ]
    assert len(with_dates) >= 8, "the walk found too few forms with dates; it is broken"
    unbounded = sorted(cls.__qualname__ for cls in with_dates if not issubclass(cls, DateWindowFormMixin))
    assert unbounded == []


def test_every_filter_with_a_date_keeps_it_within_the_window() -> None:
    _import_form_modules()
    with_dates = [
        cls
        for cls in _subclasses(django_filters.FilterSet)
        if any(isinstance(f, django_filters.DateFilter) for f in cls.base_filters.values())
    ]
    assert with_dates, "the walk found no filter set with dates; it is broken"
    unbounded = sorted(cls.__qualname__ for cls in with_dates if not issubclass(cls._meta.form, DateWindowFormMixin))
    assert unbounded == []


# --- the API --------------------------------------------------------------------------


def _field_error(response: Any, field: str) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"], error
    assert error["code"] == "date_out_of_range", error


def test_a_project_starting_in_year_9999_is_refused_naming_the_field(organization: Organization) -> None:
    client = api_client_for(member(organization, OrgRole.ADMIN).user)

    response = client.post(
        f"/api/v1/orgs/{organization.slug}/projects/", {"code": "P-9", "name": "Far", "planned_start": FAR}
    )

    _field_error(response, "planned_start")
    assert not Project.objects.for_organization(organization).exists()


def test_the_dashboard_refuses_a_status_date_outside_the_window(organization: Organization) -> None:
    client = api_client_for(member(organization, OrgRole.ADMIN).user)

    response = client.get(f"/api/v1/orgs/{organization.slug}/dashboard/", {"as_of": FAR})

    _field_error(response, "as_of")


def test_a_cost_dated_year_9999_is_refused(organization: Organization) -> None:
    project = ProjectFactory(organization=organization)
    client = api_client_for(member(organization, OrgRole.ADMIN).user)

    response = client.post(
        f"/api/v1/orgs/{organization.slug}/projects/{project.pk}/costs/",
        {"date": FAR, "amount": "10.00", "category": category(organization, "labour").pk},
    )

    _field_error(response, "date")
    assert not ActualCost.objects.for_organization(organization).exists()


def test_a_status_report_period_outside_the_window_is_refused(organization: Organization) -> None:
    admin = member(organization, OrgRole.ADMIN)
    project = make_project(organization, actor=admin, manager=admin.user)
    client = api_client_for(admin.user)

    response = client.post(
        f"/api/v1/orgs/{organization.slug}/projects/{project.pk}/status-reports/", {"period_end": "1989-12-29"}
    )

    _field_error(response, "period_end")


def test_the_organisation_sets_its_window_and_dates_outside_it_are_refused(organization: Organization) -> None:
    client = api_client_for(member(organization, OrgRole.ADMIN).user)

    changed = client.patch(
        f"/api/v1/orgs/{organization.slug}/", {"earliest_date": "2020-01-01", "latest_date": "2040-12-31"}
    )
    refused = client.post(
        f"/api/v1/orgs/{organization.slug}/projects/", {"code": "P-1", "name": "Old", "planned_start": "2019-06-03"}
    )

    assert changed.status_code == 200, changed.content
    assert (changed.json()["earliest_date"], changed.json()["latest_date"]) == ("2020-01-01", "2040-12-31")
    _field_error(refused, "planned_start")
    assert "2020-01-01" in refused.json()["error"]["fields"]["planned_start"][0]


@pytest.mark.parametrize(
    ("window", "field"),
    [
        ({"earliest_date": "2030-01-01", "latest_date": "2020-01-01"}, "latest_date"),
        ({"latest_date": "9999-12-31"}, "latest_date"),
        ({"earliest_date": "0001-01-01"}, "earliest_date"),
    ],
)
def test_a_window_backwards_or_beyond_the_limits_is_refused(
    organization: Organization, window: dict[str, str], field: str
) -> None:
    client = api_client_for(member(organization, OrgRole.ADMIN).user)

    response = client.patch(f"/api/v1/orgs/{organization.slug}/", window)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    organization.refresh_from_db()
    assert (organization.earliest_date, organization.latest_date) == (dt.date(1990, 1, 1), dt.date(2100, 12, 31))


# --- pages ----------------------------------------------------------------------------


def test_the_project_page_shows_the_error_on_a_start_outside_the_window(organization: Organization) -> None:
    client = page_client_for(member(organization, OrgRole.ADMIN).user)

    response = client.post(
        f"/o/{organization.slug}/projects/new/",
        {"code": "P-9", "name": "Far", "planned_start": FAR, "priority": "medium", "currency": "CNY"},
    )

    assert response.status_code == 400
    assert "planned_start" in response.context["form"].errors
    assert "2100-12-31" in response.context["form"].errors["planned_start"][0]
    assert not Project.objects.for_organization(organization).exists()


def test_the_organisation_settings_page_edits_the_window(organization: Organization) -> None:
    client = page_client_for(member(organization, OrgRole.ADMIN).user)

    response = client.post(
        f"/o/{organization.slug}/settings/",
        {
            "name": organization.name,
            "default_currency": organization.default_currency,
            "time_zone": organization.time_zone,
            "earliest_date": "2000-01-01",
            "latest_date": "2060-12-31",
        },
    )

    assert response.status_code == 302, response.content
    organization.refresh_from_db()
    assert (organization.earliest_date, organization.latest_date) == (dt.date(2000, 1, 1), dt.date(2060, 12, 31))


# --- CSV imports ----------------------------------------------------------------------


def test_a_task_import_with_a_date_outside_the_window_names_the_row_and_imports_nothing(
    organization: Organization,
) -> None:
    admin = member(organization, OrgRole.ADMIN)
    project = make_project(organization, actor=admin, manager=admin.user)
    text = "wbs_code,name,kind,duration,actual_start\n1,Design,task,5,1900-01-02\n"

    response = api_client_for(admin.user).post(
        f"/api/v1/orgs/{organization.slug}/projects/{project.pk}/tasks/import/", text, content_type="text/csv"
    )

    assert response.status_code == 400, response.content
    assert "2" in response.json()["error"]["fields"]
    assert "actual_start" in " ".join(response.json()["error"]["fields"]["2"])
    assert not WbsElement.objects.for_organization(organization).exists()


def test_a_cost_import_with_a_date_outside_the_window_names_the_row_and_imports_nothing(
    organization: Organization,
) -> None:
    admin = member(organization, OrgRole.ADMIN)
    project = ProjectFactory(organization=organization)
    category(organization, "labour")
    text = "date,amount,category\n2026-03-02,10.00,labour\n9999-12-31,20.00,labour\n"

    response = api_client_for(admin.user).post(
        f"/api/v1/orgs/{organization.slug}/projects/{project.pk}/costs/import/", text, content_type="text/csv"
    )

    assert response.status_code == 400, response.content
    assert "date" in " ".join(response.json()["error"]["fields"]["3"])
    assert not ActualCost.objects.for_organization(organization).exists()


# --- schedules ------------------------------------------------------------------------


def test_a_schedule_running_past_the_window_is_refused_and_nothing_is_saved(organization: Organization) -> None:
    admin = member(organization, OrgRole.ADMIN)
    project = make_project(organization, actor=admin, manager=admin.user)
    first = add_task(project, "Design", actor=admin, duration=5)
    client = api_client_for(admin.user)

    response = client.post(
        f"/api/v1/orgs/{organization.slug}/projects/{project.pk}/wbs/", {"name": "Forever", "duration": 99999}
    )

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "schedule_out_of_range"
    assert "2100-12-31" in error["message"]
    assert list(WbsElement.objects.for_organization(organization).values_list("name", flat=True)) == ["Design"]
    first.refresh_from_db()
    assert first.planned_finish is not None


def test_a_network_running_past_year_9999_is_refused_before_any_date_is_counted() -> None:
    tasks = [TaskInput(id=n, duration=99999, name=f"T{n}") for n in range(40)]
    links = [DependencyInput(n, n + 1) for n in range(39)]

    with pytest.raises(ScheduleOutOfRangeError) as refused:
        compute_schedule(tasks, links, WorkCalendar(), dt.date(2026, 3, 2), latest=dt.date(2100, 12, 31))

    assert refused.value.task_ids[0] == 0
    assert refused.value.latest == dt.date(2100, 12, 31)


def test_the_nightly_reschedule_keeps_a_schedule_that_no_longer_fits_and_goes_on_with_the_others(
    organization: Organization,
) -> None:
    admin = member(organization, OrgRole.ADMIN)
    first = make_project(organization, actor=admin, code="P-1")
    second = make_project(organization, actor=admin, code="P-2")
    long_task = add_task(first, "Long", actor=admin, duration=600)
    add_task(second, "Short", actor=admin, duration=5)
    finish = long_task.planned_finish
    organization.latest_date = dt.date(2027, 1, 31)
    organization.save(update_fields=["latest_date"])
    calendar = WorkingCalendar.objects.for_organization(organization).get(is_default=True)

    count = reschedule_calendar_projects(organization_id=organization.pk, calendar_id=calendar.pk)

    assert count == 1
    long_task.refresh_from_db()
    assert long_task.planned_finish == finish

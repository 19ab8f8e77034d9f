"""Builders shared by the finance page tests, and tests of the small helpers behind the pages.

``build_books`` starts from the projects app's hand-worked plan (tests.projects.test_control_support:
A 1 000 and B 3 000 in the baseline "Original", A done, B 20 % on Friday 13 March 2026) and adds,
through the finance services, an approved budget v1 of 4 000 (labour 1 000 on A, materials 3 000
on B) and the people who work on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from finance.models import BudgetVersion, CostCategory
from finance.services import budgets, categories
from finance.views.earned_value import INDEX_AMBER_BELOW, INDEX_RED_BELOW, index_band, sign_band
from pmo.models import Membership, Organization, OrgRole
from projects.models import Project
from tests.conftest import page_client_for
from tests.factories import member
from tests.projects.test_control_support import Plan, build_plan, join

pytestmark = pytest.mark.django_db

D = Decimal


@dataclass
class Books:
    plan: Plan
    organization: Organization
    project: Project
    manager: Membership  # the project's manager (project role "manager")
    finance: Membership
    other_finance: Membership
    viewer: Membership
    categories: dict[str, CostCategory]
    v1: BudgetVersion

    def url(self, path: str = "") -> str:
        return f"/o/{self.organization.slug}/projects/{self.project.pk}/{path}"

    def client(self, who: Membership) -> Client:
        return page_client_for(who.user)


def approve(version: BudgetVersion, approver: Membership) -> BudgetVersion:
    return budgets.budget_version_approve(actor=approver.user, membership=approver, version=version)


def build_books(organization: Organization, *, approved: bool = True) -> Books:
    plan = build_plan(organization)
    manager = join(plan.project, plan.manager, "manager")
    finance = member(organization, OrgRole.FINANCE, username="chen")
    other_finance = member(organization, OrgRole.FINANCE, username="li")
    viewer = member(organization, OrgRole.VIEWER, username="vera")
    by_code = {category.code: category for category in categories.cost_categories(organization)}
    v1 = budgets.budget_version_create(actor=manager.user, project=plan.project, note="Initial budget")
    budgets.budget_line_add(
        actor=manager.user, version=v1, category=by_code["labour"], amount=D("1000.00"), wbs_element=plan.a
    )
    budgets.budget_line_add(
        actor=manager.user, version=v1, category=by_code["materials"], amount=D("3000.00"), wbs_element=plan.b
    )
    if approved:
        budgets.budget_version_submit(actor=manager.user, version=v1)
        v1 = approve(v1, finance)
    return Books(plan, organization, plan.project, manager, finance, other_finance, viewer, by_code, v1)


def submitted_version(books: Books, *, by: Membership | None = None, extra: str = "500.00") -> BudgetVersion:
    """v2: v1 with 500 more labour, submitted by ``by`` (the manager unless said)."""
    actor = (by or books.manager).user
    version = budgets.budget_version_create(actor=actor, project=books.project, note="More labour")
    budgets.budget_line_add(actor=actor, version=version, category=books.categories["labour"], amount=D(extra))
    return budgets.budget_version_submit(actor=actor, version=version)


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- the helpers behind the pages -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (None, "none"),
        (D("0.8999"), "red"),
        (INDEX_RED_BELOW, "amber"),
        (D("0.9499"), "amber"),
        (INDEX_AMBER_BELOW, "green"),
        (D("1.2000"), "green"),
    ],
)
def test_spi_and_cpi_bands_are_red_below_090_and_amber_below_095(value: Decimal | None, band: str) -> None:
    assert index_band(value) == band


def test_a_negative_variance_is_worse_and_an_undefined_one_is_neither() -> None:
    assert (sign_band(D("-0.01")), sign_band(D(0)), sign_band(None)) == ("worse", "better", "none")


def test_books_start_with_an_approved_budget_equal_to_the_baseline(organization: Organization) -> None:
    books = build_books(organization)
    assert books.v1.is_current
    assert books.v1.status == BudgetVersion.Status.APPROVED
    assert books.plan.baseline.is_current

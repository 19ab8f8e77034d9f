"""The plan's amounts (budgeted cost, a change's cost impact, the approval threshold) keep the money limit.

At most 999,999,999,999.99 either way (``pmo.money``): beyond it SQLite keeps the amount as a float
whose digits do not survive, and the WBS could no longer be read back.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, OrgRole
from pmo.money import money_limit_message
from projects.models import ChangeRequest, Project, WbsElement
from projects.services import plan
from tests.conftest import api_client_for
from tests.factories import member
from tests.projects.helpers import make_project

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"
LIMIT = "999999999999.99"


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return member(organization, OrgRole.PROJECT_MANAGER, username="pia")


@pytest.fixture
def project(organization: Organization, pm: Membership) -> Project:
    return make_project(organization, code="P-1", manager=pm.user)


def url(project: Project, path: str) -> str:
    return f"{BASE}/projects/{project.pk}/{path}"


def budgets(project: Project) -> list[Decimal]:
    return list(
        WbsElement.objects.for_organization(project.organization_id)
        .filter(project=project)
        .order_by("code")
        .values_list("budgeted_cost", flat=True)
    )


@pytest.mark.parametrize("amount", ["1000000000000.00", "99999999999999.99"])
def test_the_api_refuses_a_budgeted_cost_beyond_the_limit_on_create_and_update(
    project: Project, pm: Membership, amount: str
) -> None:
    client = api_client_for(pm.user)
    kept = client.post(url(project, "wbs/"), {"name": "Design", "budgeted_cost": "10.00"}, format="json").json()

    created = client.post(url(project, "wbs/"), {"name": "Build", "budgeted_cost": amount}, format="json")
    changed = client.patch(url(project, f"wbs/{kept['id']}/"), {"budgeted_cost": amount}, format="json")

    for response in (created, changed):
        assert response.status_code == 400, response.json()
        assert response.json()["error"]["fields"]["budgeted_cost"] == [money_limit_message()]
    assert budgets(project) == [Decimal("10.00")]
    assert client.get(url(project, "wbs/")).status_code == 200


def test_a_budgeted_cost_at_the_limit_is_saved_and_reads_back(project: Project, pm: Membership) -> None:
    client = api_client_for(pm.user)

    created = client.post(url(project, "wbs/"), {"name": "Build", "budgeted_cost": LIMIT}, format="json")

    assert created.status_code == 201, created.json()
    listed = client.get(url(project, "wbs/"))
    assert listed.status_code == 200
    assert budgets(project) == [Decimal(LIMIT)]


def test_the_service_refuses_a_budgeted_cost_beyond_the_limit(project: Project, pm: Membership) -> None:
    with pytest.raises(ApplicationError) as refused:
        plan.wbs_element_create(actor=pm.user, project=project, name="Build", budgeted_cost=Decimal("1e12"))

    assert refused.value.fields["budgeted_cost"] == [money_limit_message()]
    assert budgets(project) == []


def test_the_wbs_page_form_refuses_a_budgeted_cost_beyond_the_limit(project: Project, pm: Membership) -> None:
    client = Client()
    client.force_login(pm.user)
    data = {"name": "Build", "kind": "task", "duration": 4, "percent_complete_method": "physical"}

    refused = client.post(f"/o/acme/projects/{project.pk}/wbs/new/", {**data, "budgeted_cost": "1000000000000"})
    taken = client.post(f"/o/acme/projects/{project.pk}/wbs/new/", {**data, "budgeted_cost": LIMIT})

    assert refused.status_code == 400
    assert refused.context["form"].errors["budgeted_cost"] == [money_limit_message()]
    assert taken.status_code == 302
    assert budgets(project) == [Decimal(LIMIT)]


def test_a_plan_csv_refuses_a_budgeted_cost_beyond_the_limit(project: Project, pm: Membership) -> None:
    text = "wbs_code,name,duration,budgeted_cost\n1,Design,5,1000000000000.00\n2,Build,5,999999999999.99\n"
    upload = SimpleUploadedFile("plan.csv", text.encode(), content_type="text/csv")

    response = api_client_for(pm.user).post(url(project, "tasks/import/"), {"file": upload}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["2"] == [f"budgeted_cost: {money_limit_message()}"]
    assert budgets(project) == []


def test_a_change_requests_cost_impact_keeps_the_limit_either_way(project: Project, pm: Membership) -> None:
    client = api_client_for(pm.user)
    body = {"title": "Bridge", "kind": "scope", "description": "One more.", "reason": "Asked."}

    over = client.post(url(project, "change-requests/"), {**body, "impact_cost": "-1000000000000"}, format="json")
    at = client.post(url(project, "change-requests/"), {**body, "impact_cost": f"-{LIMIT}"}, format="json")

    assert over.status_code == 400
    assert over.json()["error"]["fields"]["impact_cost"] == [money_limit_message()]
    assert at.status_code == 201, at.json()
    assert ChangeRequest.objects.for_organization(project.organization_id).get().impact_cost == Decimal(f"-{LIMIT}")


def test_the_finance_approval_threshold_keeps_the_limit(organization: Organization) -> None:
    client = api_client_for(member(organization, OrgRole.ADMIN).user)

    over = client.patch(f"{BASE}/project-settings/", {"finance_approval_above": "1000000000000"}, format="json")
    at = client.patch(f"{BASE}/project-settings/", {"finance_approval_above": LIMIT}, format="json")

    assert over.status_code == 400
    assert over.json()["error"]["fields"]["finance_approval_above"] == [money_limit_message()]
    assert (at.status_code, at.json()["finance_approval_above"]) == (200, LIMIT)

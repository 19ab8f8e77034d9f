"""The printed weekly status report: from the page and the API, in the reader's language, for whoever
sees the report."""

from __future__ import annotations

import pytest

from pmo.models import Organization, OrgRole
from projects.models import StatusReport
from projects.services import control
from tests.conftest import api_client_for, page_client_for
from tests.factories import member
from tests.pdf_support import pdf_fonts, pdf_text
from tests.projects.test_control_support import FRIDAY, Plan, build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(organization: Organization) -> StatusReport:
    plan: Plan = build_plan(organization)
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    return control.status_report_update(
        actor=plan.manager.user, report=report, accomplishments="Poured the slab.", rag_cost="amber"
    )


def test_a_viewer_downloads_the_report_with_its_ratings_narrative_figures_and_milestones(
    report: StatusReport, organization: Organization
) -> None:
    viewer = member(organization, OrgRole.VIEWER, language="en").user
    response = page_client_for(viewer).get(f"/o/acme/projects/{report.project_id}/status-reports/{report.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="prj-1-status-2026-03-13.pdf"'
    text = pdf_text(response.content)
    assert "Status report PRJ-1, week ending 2026-03-13" in text
    assert "Poured the slab." in text
    assert "Amber" in text
    assert "55.00 %" in text  # planned percent complete
    assert "Handover" in text  # the milestone
    assert "Page 1 of" in text


def test_the_api_gives_the_same_report_in_the_readers_chinese_with_a_cjk_font(
    report: StatusReport, organization: Organization
) -> None:
    reader = member(organization, OrgRole.PMO, language="zh-hans").user
    response = api_client_for(reader).get(
        f"/api/v1/orgs/acme/projects/{report.project_id}/status-reports/{report.pk}/pdf/",
        HTTP_ACCEPT="application/pdf",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "评级" in pdf_text(response.content)
    assert "CJK" in pdf_fonts(response.content) or "WenQuanYi" in pdf_fonts(response.content)


def test_another_organisations_report_is_not_found(report: StatusReport, other_organization: Organization) -> None:
    stranger = member(other_organization, OrgRole.ADMIN).user
    page = f"/o/acme/projects/{report.project_id}/status-reports/{report.pk}/pdf/"
    api = f"/api/v1/orgs/acme/projects/{report.project_id}/status-reports/{report.pk}/pdf/"
    assert page_client_for(stranger).get(page).status_code == 404
    assert api_client_for(stranger).get(api).status_code == 404

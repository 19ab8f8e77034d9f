"""One risk's pages: detail, raise, edit, assess, review and status; who may do what; bad input changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from pmo.models import Organization, OrgRole
from risks.models import Risk, RiskAssessment
from tests.risks.pages_support import assess, make_project, page_queries, raise_risk, role_client, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk_manager(organization: Organization):
    return role_client(organization, OrgRole.RISK, username="rita")


@pytest.fixture
def project(organization: Organization, risk_manager):
    return make_project(organization, risk_manager[1])


@pytest.fixture
def owner(organization: Organization):
    return role_client(organization, OrgRole.MEMBER, username="olga")


@pytest.fixture
def risk(organization, project, risk_manager, owner):
    return raise_risk(
        organization, risk_manager[1], project, title="Transformer arrives late", owner=owner[1], cause="Long lead time"
    )


def fresh(risk: Risk) -> Risk:
    return Risk.objects.for_organization(risk.organization_id).get(pk=risk.pk)


def url_of(risk: Risk, suffix: str = "") -> str:
    if risk.project_id is None:
        return f"/o/acme/risks/{risk.pk}/{suffix}"
    return f"/o/acme/projects/{risk.project_id}/risks/{risk.pk}/{suffix}"


ASSESSMENT = {
    "probability": "4",
    "impact_cost": "3",
    "impact_schedule": "5",
    "cost_min": "1000",
    "cost_likely": "2000",
    "cost_max": "6000",
    "days_min": "2",
    "days_likely": "5",
    "days_max": "10",
}


# --- reading -------------------------------------------------------------------------------------


def test_a_viewer_reads_a_risk_with_its_assessments_and_history(organization, risk, risk_manager) -> None:
    assess(risk, risk_manager[1], 4, 4)
    client, _viewer = role_client(organization, OrgRole.VIEWER)

    with translation.override("en"):
        response = client.get(url_of(risk), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Transformer arrives late" in text
    assert "Long lead time" in text
    assert "Inherent 4 4 16 High" in text
    assert "Current 4 4 16 High" in text
    assert "Raised" in text
    assert "Assessed" in text
    # A viewer gets no forms.
    assert 'name="op" value="review"' not in response.content.decode()
    assert 'name="op" value="status"' not in response.content.decode()


def test_the_risk_page_runs_a_fixed_number_of_queries_whatever_its_history(organization, risk, risk_manager) -> None:
    client, manager = risk_manager
    assess(risk, manager, 2, 2)
    few, _html = page_queries(client, url_of(risk))
    for number in range(12):
        assess(risk, manager, 1 + number % 5, 2, reason=f"Change {number}")
    many, _html = page_queries(client, url_of(risk))
    assert many == few


def test_an_organisation_level_risk_has_its_page_under_the_risks_section(organization, risk_manager) -> None:
    client, manager = risk_manager
    risk = raise_risk(organization, manager, None, title="Key supplier insolvency")
    assert client.get(f"/o/acme/risks/{risk.pk}/").status_code == 200


def test_a_project_risk_under_the_organisation_address_leads_to_its_project_page(
    organization, risk, risk_manager
) -> None:
    client, _manager = risk_manager
    for suffix in ("", "edit/", "assess/"):
        response = client.get(f"/o/acme/risks/{risk.pk}/{suffix}")
        assert response.status_code == 302
        assert response["Location"] == url_of(risk, suffix)
    # It is changed only on its project's pages, where project roles count.
    assert (
        client.post(f"/o/acme/risks/{risk.pk}/", {"op": "status", "status": "closed", "reason": "x"}).status_code == 404
    )
    assert client.post(f"/o/acme/risks/{risk.pk}/assess/", ASSESSMENT).status_code == 404
    assert fresh(risk).status == "identified"


def test_another_organisations_member_gets_404_for_every_page_of_a_risk(risk, other_organization) -> None:
    client, _outsider = role_client(other_organization, OrgRole.ADMIN)
    for suffix in ("", "edit/", "assess/"):
        assert client.get(url_of(risk, suffix)).status_code == 404
        assert client.post(url_of(risk, suffix), {"op": "review"}).status_code == 404


def test_a_risk_of_another_project_is_not_found_under_this_one(organization, risk, risk_manager) -> None:
    other = make_project(organization, risk_manager[1], code="P-2")
    assert risk_manager[0].get(f"/o/acme/projects/{other.pk}/risks/{risk.pk}/").status_code == 404


# --- raising and editing -------------------------------------------------------------------------


def test_a_risk_manager_raises_a_risk_and_is_sent_to_assess_it(organization, project, risk_manager) -> None:
    client, _manager = risk_manager
    url = f"/o/acme/projects/{project.pk}/risks/new/"
    assert client.get(url).status_code == 200
    category = client.get(url).context["form"].fields["category"].queryset.first()

    response = client.post(url, {"title": "Typhoon season", "category": category.pk, "kind": "threat"})

    risk = Risk.objects.for_organization(organization).get(title="Typhoon season")
    assert response.status_code == 302
    assert response["Location"] == url_of(risk, "assess/")
    assert risk.project_id == project.pk
    assert risk.code == "R-001"


def test_raising_without_a_title_says_so_and_creates_nothing(organization, project, risk_manager) -> None:
    client, _manager = risk_manager
    url = f"/o/acme/projects/{project.pk}/risks/new/"
    category = client.get(url).context["form"].fields["category"].queryset.first()

    with translation.override("en"):
        response = client.post(url, {"title": "", "category": category.pk, "kind": "threat"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Risk.objects.for_organization(organization).exists()


def test_an_owner_from_another_organisation_is_refused(organization, other_organization, project, risk_manager) -> None:
    client, _manager = risk_manager
    _c, stranger = role_client(other_organization, OrgRole.MEMBER)
    url = f"/o/acme/projects/{project.pk}/risks/new/"
    category = client.get(url).context["form"].fields["category"].queryset.first()

    response = client.post(url, {"title": "X", "category": category.pk, "kind": "threat", "owner": stranger.pk})

    assert response.status_code == 400
    assert not Risk.objects.for_organization(organization).exists()


def test_the_pmo_raises_an_organisation_level_risk(organization) -> None:
    client, _pmo = role_client(organization, OrgRole.PMO)
    category = client.get("/o/acme/risks/new/").context["form"].fields["category"].queryset.first()

    response = client.post(
        "/o/acme/risks/new/", {"title": "Regulation change", "category": category.pk, "kind": "threat"}
    )

    risk = Risk.objects.for_organization(organization).get(title="Regulation change")
    assert response.status_code == 302
    assert risk.project_id is None


@pytest.mark.parametrize("role", [OrgRole.VIEWER, OrgRole.MEMBER, OrgRole.FINANCE])
def test_who_does_not_manage_the_register_may_not_raise_or_edit(organization, project, risk, role) -> None:
    client, _user = role_client(organization, role)
    assert client.get(f"/o/acme/projects/{project.pk}/risks/new/").status_code == 403
    assert client.post(f"/o/acme/projects/{project.pk}/risks/new/", {"title": "X"}).status_code == 403
    assert client.get(url_of(risk, "edit/")).status_code == 403
    assert client.post(url_of(risk, "edit/"), {"title": "X"}).status_code == 403
    assert fresh(risk).title == "Transformer arrives late"


def test_editing_saves_the_description_and_a_stale_form_changes_nothing(organization, risk, risk_manager) -> None:
    client, _manager = risk_manager
    form = client.get(url_of(risk, "edit/")).context["form"]
    data = {
        **{name: value for name, value in form.initial.items() if value is not None and name != "wbs_elements"},
        "row_version": form.row_version,
    }
    data["title"] = "Transformer arrives six weeks late"

    assert client.post(url_of(risk, "edit/"), data).status_code == 302
    assert fresh(risk).title == "Transformer arrives six weeks late"

    data["title"] = "Stale edit"
    response = client.post(url_of(risk, "edit/"), data)  # the old version again
    assert response.status_code == 412
    assert fresh(risk).title == "Transformer arrives six weeks late"


# --- assessing, reviewing, status ------------------------------------------------------------


def test_the_owner_assesses_their_own_risk(organization, risk, owner) -> None:
    client, _owner = owner
    assert client.get(url_of(risk, "assess/")).status_code == 200

    response = client.post(url_of(risk, "assess/"), ASSESSMENT)

    assert response.status_code == 302
    assessed = fresh(risk)
    assert (assessed.probability, assessed.impact, assessed.score, assessed.level) == (4, 5, 20, "high")
    assert assessed.inherent_score == 20
    # 70 % of the PERT mean (1000 + 8000 + 6000) / 6 = 2500 → 1750.
    assert assessed.emv == Decimal("1750.00")
    assert assessed.status == "assessed"


def test_a_member_who_does_not_own_the_risk_may_not_assess_or_review_it(organization, risk) -> None:
    client, _other = role_client(organization, OrgRole.MEMBER)
    assert client.get(url_of(risk, "assess/")).status_code == 403
    assert client.post(url_of(risk, "assess/"), ASSESSMENT).status_code == 403
    assert client.post(url_of(risk), {"op": "review"}).status_code == 403
    assert fresh(risk).probability is None


def test_a_viewer_may_not_write_even_as_owner(organization, project, risk_manager) -> None:
    client, viewer = role_client(organization, OrgRole.VIEWER)
    risk = raise_risk(organization, risk_manager[1], project, owner=viewer)
    assert client.post(url_of(risk, "assess/"), ASSESSMENT).status_code == 403
    assert client.post(url_of(risk), {"op": "status", "status": "closed", "reason": "x"}).status_code == 403


def test_an_assessment_without_any_impact_is_refused_and_changes_nothing(organization, risk, risk_manager) -> None:
    client, _manager = risk_manager
    data = {key: value for key, value in ASSESSMENT.items() if not key.startswith("impact_")}

    with translation.override("en"):
        response = client.post(url_of(risk, "assess/"), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Rate the impact on at least one dimension." in response.content.decode()
    assert fresh(risk).probability is None
    assert not RiskAssessment.objects.for_organization(organization).filter(kind="assessed").exists()


def test_three_points_out_of_order_are_refused_beside_the_fields(organization, risk, risk_manager) -> None:
    client, _manager = risk_manager

    with translation.override("en"):
        response = client.post(url_of(risk, "assess/"), {**ASSESSMENT, "cost_min": "9000"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.context["form"].errors["cost_min"] == ["The minimum ≤ most likely ≤ maximum."]
    assert fresh(risk).probability is None


def test_a_reassessment_needs_a_reason(organization, risk, risk_manager) -> None:
    client, manager = risk_manager
    assess(risk, manager, 2, 2)

    response = client.post(url_of(risk, "assess/"), ASSESSMENT)
    assert response.status_code == 400
    assert fresh(risk).probability == 2

    response = client.post(url_of(risk, "assess/"), {**ASSESSMENT, "reason": "The supplier slipped"})
    assert response.status_code == 302
    assert fresh(risk).probability == 4
    assert fresh(risk).inherent_probability == 2


def test_a_probability_over_100_percent_is_refused(organization, risk, risk_manager) -> None:
    client, _manager = risk_manager
    response = client.post(url_of(risk, "assess/"), {**ASSESSMENT, "probability_percent": "140"})
    assert response.status_code == 400
    assert "probability_percent" in response.context["form"].errors
    assert fresh(risk).probability is None


def test_the_owner_records_a_review_and_the_next_review_moves(organization, risk, risk_manager, owner) -> None:
    assess(risk, risk_manager[1], 4, 4)
    client, _owner = owner
    page = client.get(url_of(risk))
    form = page.context["review_form"]

    response = client.post(
        url_of(risk), {"op": "review", "note": "Checked with the supplier", "row_version": form.row_version}
    )

    assert response.status_code == 302
    entry = RiskAssessment.objects.for_organization(organization).filter(risk=risk).order_by("-at", "-id").first()
    assert entry.kind == "reviewed"
    assert entry.reason == "Checked with the supplier"


def test_closing_a_risk_needs_a_reason_and_only_a_manager_may(organization, risk, risk_manager, owner) -> None:
    assess(risk, risk_manager[1], 3, 3)
    owner_client, _owner = owner
    assert owner_client.post(url_of(risk), {"op": "status", "status": "closed", "reason": "x"}).status_code == 403

    client, _manager = risk_manager
    response = client.post(url_of(risk), {"op": "status", "status": "closed", "reason": ""})
    assert response.status_code == 400
    assert fresh(risk).status == "assessed"

    response = client.post(url_of(risk), {"op": "status", "status": "closed", "reason": "Transformer delivered"})
    assert response.status_code == 302
    assert fresh(risk).status == "closed"


def test_a_status_the_lifecycle_does_not_allow_is_not_offered_and_refused(organization, risk, risk_manager) -> None:
    client, _manager = risk_manager  # the risk is identified: only closing is allowed
    choices = [value for value, _label in client.get(url_of(risk)).context["status_form"].fields["status"].choices]
    assert choices == ["closed"]
    assert client.post(url_of(risk), {"op": "status", "status": "monitoring"}).status_code == 400
    assert fresh(risk).status == "identified"


def test_an_unknown_operation_is_a_400(organization, risk, risk_manager) -> None:
    assert risk_manager[0].post(url_of(risk), {"op": "explode"}).status_code == 400


def test_the_top_risks_panel_lists_the_five_highest_open_risks_on_the_overview(
    organization, project, risk_manager
) -> None:
    client, manager = risk_manager
    for number, (p, i) in enumerate([(1, 1), (5, 5), (2, 3), (4, 4), (3, 3), (2, 2), (5, 4)]):
        assess(raise_risk(organization, manager, project, title=f"Risk {number}"), manager, p, i)

    html = client.get(f"/o/acme/projects/{project.pk}/").content.decode()

    panel = html[html.index('data-panel="top-risks"') :]
    panel = panel[: panel.index("</section>")]
    assert [title for title in ("Risk 1", "Risk 6", "Risk 3", "Risk 4", "Risk 2") if title in panel] == [
        "Risk 1",
        "Risk 6",
        "Risk 3",
        "Risk 4",
        "Risk 2",
    ]
    assert panel.index("Risk 1") < panel.index("Risk 6") < panel.index("Risk 3")
    assert "Risk 0" not in panel
    assert "Risk 5" not in panel

"""Computed gate checks: the registry, the organisation's choice per phase, and gates they block or record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from finance.models import BudgetVersion
from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Membership, Organization, OrgRole, User
from projects.gate_checks import GateCheck, gate_checks
from projects.models import GateCheckChoice, Phase, Project, StageGate
from projects.services import plan
from projects.services import projects as services
from projects.services.gate_checks import gate_check_selection, gate_check_selection_update
from tests.conftest import api_client_for, page_client_for
from tests.factories import BudgetVersionFactory, member
from tests.projects.helpers import add_task, make_project, without_quality_gate_checks

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"
SETTINGS_PAGE = "/o/acme/projects/gate-checks/"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _without_quality_checks() -> Iterator[None]:
    with without_quality_gate_checks():
        yield


@pytest.fixture
def pmo(organization: Organization) -> Membership:
    return member(organization, OrgRole.PMO, username="pmo")


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return member(organization, OrgRole.PROJECT_MANAGER, username="pia")


@pytest.fixture
def project(organization: Organization, pm: Membership) -> Project:
    return make_project(organization, manager=pm.user)


@pytest.fixture
def site_visit_check() -> Iterator[GateCheck]:
    """A check an app outside projects would register: here from the test, editing no app's code."""

    def evaluate(project: Project) -> tuple[bool, str]:
        if project.client:
            return True, f"Client on record: {project.client}."
        return False, "Name the client before the site visit."

    check = GateCheck(
        code="client_named",
        label="The client is named",
        explanation="A project leaves initiation only once it knows its client.",
        phases=frozenset({Phase.INITIATION}),
        default_phases=frozenset({Phase.INITIATION}),
        evaluate=evaluate,
        failure_code="client_required",
    )
    with gate_checks.registered(check):
        yield check


def advance(who: Membership, project: Project, to_phase: str) -> StageGate:
    project.refresh_from_db()
    criteria = [c.pk for c in services.gate_criteria(project.organization, project.phase)]
    return services.project_advance(
        actor=who.user,
        membership=who,
        project_role=None,
        project=project,
        to_phase=to_phase,
        passed_criteria=criteria,
    )


def in_planning(project: Project, pmo: Membership, pm: Membership, *, baseline: bool = True) -> Project:
    advance(pmo, project, Phase.PLANNING)
    add_task(project, "Design", actor=pm)
    if baseline:
        plan.baseline_create(actor=pm.user, project=project, name="Original")
    project.refresh_from_db()
    return project


def approved_budget(project: Project) -> None:
    BudgetVersionFactory(project=project, status=BudgetVersion.Status.APPROVED, is_current=True)


def require_budget(organization: Organization, pmo: Membership) -> None:
    gate_check_selection_update(
        actor=pmo.user,
        organization=organization,
        selection={"planning": ["baseline_current", "budget_approved"]},
    )


def english_api(user: User) -> APIClient:
    client = api_client_for(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def gate_url(project: Project) -> str:
    return f"/o/acme/projects/{project.pk}/gate/"


# --- the registry ---------------------------------------------------------------------


def test_projects_and_finance_register_their_checks_with_labels_phases_and_defaults() -> None:
    baseline, budget = gate_checks.get("baseline_current"), gate_checks.get("budget_approved")
    assert baseline is not None
    assert budget is not None
    assert baseline.phases == {Phase.PLANNING, Phase.EXECUTION}
    assert baseline.default_phases == {Phase.PLANNING}  # leaving planning has always needed a baseline
    assert budget.phases == {Phase.PLANNING, Phase.EXECUTION}
    assert budget.default_phases == frozenset()
    with translation.override("zh-hans"):
        assert str(baseline.label) == "已有当前基线"
        assert str(budget.label) == "已有批准的预算"
    for check in gate_checks:
        assert str(check.label)
        assert str(check.explanation)
        assert check.default_phases <= check.phases


def test_a_check_code_is_registered_once_and_only_for_open_phases(site_visit_check: GateCheck) -> None:
    with pytest.raises(ImproperlyConfigured):
        gate_checks.register(site_visit_check)
    with pytest.raises(ImproperlyConfigured):
        GateCheck(code="x", label="x", explanation="x", phases=frozenset({"closed"}), evaluate=lambda p: (True, ""))
    with pytest.raises(ImproperlyConfigured):
        GateCheck(
            code="x",
            label="x",
            explanation="x",
            phases=frozenset({Phase.PLANNING}),
            default_phases=frozenset({Phase.EXECUTION}),
            evaluate=lambda p: (True, ""),
        )
    with pytest.raises(ImproperlyConfigured):
        GateCheck(
            code="no spaces", label="x", explanation="x", phases=frozenset({"planning"}), evaluate=lambda p: (True, "")
        )


def test_a_check_registered_by_a_fixture_blocks_and_is_recorded_without_editing_projects(
    site_visit_check: GateCheck, project: Project, pmo: Membership
) -> None:
    assert [check.code for check in gate_checks.for_phase(Phase.INITIATION)] == ["client_named"]
    with pytest.raises(ApplicationError) as raised:
        advance(pmo, project, Phase.PLANNING)
    assert raised.value.code == "client_required"
    assert raised.value.message == "Name the client before the site visit."
    assert raised.value.fields == {"computed_checks": ["client_named: Name the client before the site visit."]}
    assert not StageGate.objects.for_organization(project.organization_id).exists()

    services.project_update(actor=pmo.user, project=project, client="City of Riverside")
    gate = advance(pmo, project, Phase.PLANNING)
    [record] = gate.computed_checks
    assert {key: record[key] for key in ("code", "label", "passed", "reason")} == {
        "code": "client_named",
        "label": "The client is named",
        "passed": True,
        "reason": "Client on record: City of Riverside.",
    }
    assert record["evaluated_at"]


def test_the_check_goes_away_with_its_registration(project: Project, pmo: Membership) -> None:
    assert gate_checks.get("client_named") is None
    assert advance(pmo, project, Phase.PLANNING).computed_checks == []


# --- which checks apply ----------------------------------------------------------------


def test_an_organisation_that_has_not_chosen_gets_each_checks_defaults(organization: Organization) -> None:
    assert gate_check_selection(organization) == {
        "initiation": [],
        "planning": ["baseline_current"],
        "execution": [],
        "closing": [],
        "operations": [],
    }


def test_leaving_planning_without_a_baseline_is_refused_as_before(
    project: Project, pm: Membership, pmo: Membership
) -> None:
    in_planning(project, pmo, pm, baseline=False)
    with pytest.raises(ApplicationError) as raised:
        advance(pmo, project, Phase.EXECUTION)
    assert raised.value.code == "baseline_required"
    assert raised.value.message == "Set a baseline before leaving planning: execution is measured against it."


def test_an_organisation_may_switch_the_baseline_check_off(
    organization: Organization, project: Project, pm: Membership, pmo: Membership
) -> None:
    gate_check_selection_update(actor=pmo.user, organization=organization, selection={"planning": []})
    in_planning(project, pmo, pm, baseline=False)
    gate = advance(pmo, project, Phase.EXECUTION)
    assert gate.computed_checks == []


def test_the_approved_budget_blocks_leaving_planning_where_chosen_and_both_are_recorded(
    organization: Organization, project: Project, pm: Membership, pmo: Membership
) -> None:
    require_budget(organization, pmo)
    in_planning(project, pmo, pm)
    BudgetVersionFactory(project=project)  # a draft is not approved
    with pytest.raises(ApplicationError) as raised:
        advance(pmo, project, Phase.EXECUTION)
    assert raised.value.code == "budget_required"
    assert raised.value.fields["computed_checks"] == [
        "budget_approved: The project has no approved budget: finance approves a submitted budget version."
    ]

    approved_budget(project)
    gate = advance(pmo, project, Phase.EXECUTION)
    assert [(r["code"], r["passed"]) for r in gate.computed_checks] == [
        ("baseline_current", True),
        ("budget_approved", True),
    ]
    assert gate.computed_checks[0]["reason"] == "Current baseline: Original."
    assert gate.computed_checks[1]["label"] == "An approved budget exists"


def test_every_failing_check_is_named_and_the_first_gives_the_code(
    organization: Organization, project: Project, pm: Membership, pmo: Membership
) -> None:
    require_budget(organization, pmo)
    in_planning(project, pmo, pm, baseline=False)
    with pytest.raises(ApplicationError) as raised:
        advance(pmo, project, Phase.EXECUTION)
    assert raised.value.code == "baseline_required"
    assert [item.split(":")[0] for item in raised.value.fields["computed_checks"]] == [
        "baseline_current",
        "budget_approved",
    ]
    assert "no approved budget" in raised.value.message


def test_the_ticked_checklist_is_still_asked_for_first(
    organization: Organization, project: Project, pmo: Membership, site_visit_check: GateCheck
) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.project_advance(
            actor=pmo.user, membership=pmo, project_role=None, project=project, to_phase="planning", passed_criteria=[]
        )
    assert raised.value.code == "checklist_incomplete"


def test_cancelling_evaluates_no_check(project: Project, pmo: Membership, site_visit_check: GateCheck) -> None:
    gate = services.project_advance(
        actor=pmo.user,
        membership=pmo,
        project_role=None,
        project=project,
        to_phase=Phase.CANCELLED,
        passed_criteria=[],
        comment="No funding",
    )
    assert gate.computed_checks == []


# --- the API ---------------------------------------------------------------------------


def test_the_api_lists_the_registered_checks_and_where_they_apply(organization: Organization, pm: Membership) -> None:
    body = english_api(pm.user).get(f"{BASE}/gate-checks/").json()
    by_code = {check["code"]: check for check in body}
    assert by_code["baseline_current"] == {
        "code": "baseline_current",
        "label": "A current baseline exists",
        "explanation": str(gate_checks.get("baseline_current").explanation),  # type: ignore[union-attr]
        "phases": ["planning", "execution"],
        "default_phases": ["planning"],
        "applies_when_leaving": ["planning"],
    }
    assert by_code["budget_approved"]["applies_when_leaving"] == []


def test_the_pmo_chooses_the_checks_of_a_phase_through_the_api_and_it_is_audited(
    organization: Organization, pmo: Membership
) -> None:
    client = english_api(pmo.user)
    response = client.patch(
        f"{BASE}/gate-checks/selection/", {"planning": ["baseline_current", "budget_approved"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["planning"] == ["baseline_current", "budget_approved"]
    assert client.get(f"{BASE}/gate-checks/selection/").json() == {
        "initiation": [],
        "planning": ["baseline_current", "budget_approved"],
        "execution": [],
        "closing": [],
        "operations": [],
    }
    event = AuditEvent.objects.for_organization(organization).get(action="gate_checks.updated")
    assert event.actor == pmo.user
    assert event.changes == {"planning": [["baseline_current"], ["baseline_current", "budget_approved"]]}

    # PUT sets every phase; a phase left out has none.
    response = client.put(f"{BASE}/gate-checks/selection/", {"execution": ["budget_approved"]}, format="json")
    assert response.json() == {
        "initiation": [],
        "planning": [],
        "execution": ["budget_approved"],
        "closing": [],
        "operations": [],
    }
    rows = GateCheckChoice.objects.for_organization(organization)
    assert set(rows.filter(applies=True).values_list("from_phase", "code")) == {("execution", "budget_approved")}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"planning": ["no_such_check"]}, "planning", "Unknown gate check: no_such_check."),
        ({"initiation": ["budget_approved"]}, "initiation", "The check budget_approved is not meant for leaving"),
    ],
)
def test_an_unknown_check_or_one_not_meant_for_the_phase_is_refused(
    organization: Organization, pmo: Membership, body: dict[str, list[str]], field: str, message: str
) -> None:
    response = english_api(pmo.user).patch(f"{BASE}/gate-checks/selection/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_gate_check"
    assert message in error["message"]
    assert error["fields"][field][0].startswith(message)
    assert not GateCheckChoice.objects.for_organization(organization).exists()


def test_a_phase_without_a_gate_is_refused(pmo: Membership) -> None:
    response = english_api(pmo.user).patch(f"{BASE}/gate-checks/selection/", {"closed": []}, format="json")
    assert response.status_code == 400
    assert "closed" in response.json()["error"]["fields"]


def test_a_selection_read_before_someone_else_changed_it_is_refused_with_412(
    organization: Organization, pmo: Membership
) -> None:
    client = english_api(pmo.user)
    url = f"{BASE}/gate-checks/selection/"
    tag = client.get(url)["ETag"]
    assert client.patch(url, {"planning": []}, format="json").status_code == 200

    stale = client.patch(url, {"planning": ["budget_approved"]}, format="json", HTTP_IF_MATCH=tag)

    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    assert gate_check_selection(organization)["planning"] == []
    fresh = client.get(url)
    assert fresh["ETag"] != tag
    saved = client.patch(url, {"planning": ["budget_approved"]}, format="json", HTTP_IF_MATCH=fresh["ETag"])
    assert saved.status_code == 200
    assert saved.json()["planning"] == ["budget_approved"]
    assert saved["ETag"] == client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=saved["ETag"]).status_code == 304


def test_only_the_pmo_office_changes_the_selection(organization: Organization, pm: Membership) -> None:
    client = english_api(pm.user)
    assert client.get(f"{BASE}/gate-checks/selection/").status_code == 200
    response = client.patch(f"{BASE}/gate-checks/selection/", {"planning": []}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not GateCheckChoice.objects.for_organization(organization).exists()


def test_another_organisations_member_gets_404(other_organization: Organization) -> None:
    outsider = member(other_organization, OrgRole.ADMIN)
    client = english_api(outsider.user)
    assert client.get(f"{BASE}/gate-checks/").status_code == 404
    assert client.get(f"{BASE}/gate-checks/selection/").status_code == 404
    assert client.patch(f"{BASE}/gate-checks/selection/", {"planning": []}, format="json").status_code == 404
    page = page_client_for(outsider.user)
    assert page.get(SETTINGS_PAGE).status_code == 404
    assert page.post(SETTINGS_PAGE, {"planning": []}).status_code == 404


def test_the_api_refuses_a_gate_with_the_failing_check_and_its_reason(
    organization: Organization, project: Project, pm: Membership, pmo: Membership
) -> None:
    require_budget(organization, pmo)
    in_planning(project, pmo, pm)
    client = english_api(pmo.user)
    checklist = client.get(f"{BASE}/projects/{project.pk}/gates/checklist/").json()
    assert [(c["code"], c["passed"]) for c in checklist["computed_checks"]] == [
        ("baseline_current", True),
        ("budget_approved", False),
    ]
    criteria = [c["id"] for c in checklist["criteria"]]
    response = client.post(
        f"{BASE}/projects/{project.pk}/gates/",
        {"to_phase": "execution", "passed_criteria": criteria},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "budget_required",
            "message": "The project has no approved budget: finance approves a submitted budget version.",
            "fields": {
                "computed_checks": [
                    "budget_approved: The project has no approved budget: finance approves a submitted budget version."
                ]
            },
        }
    }

    approved_budget(project)
    response = client.post(
        f"{BASE}/projects/{project.pk}/gates/",
        {"to_phase": "execution", "passed_criteria": criteria},
        format="json",
    )
    assert response.status_code == 201
    recorded = response.json()["computed_checks"]
    assert [(r["code"], r["label"], r["passed"]) for r in recorded] == [
        ("baseline_current", "A current baseline exists", True),
        ("budget_approved", "An approved budget exists", True),
    ]
    listed = client.get(f"{BASE}/projects/{project.pk}/gates/").json()["results"]
    assert [g["computed_checks"] for g in listed if g["from_phase"] == "planning"] == [recorded]


# --- the pages -------------------------------------------------------------------------


def test_the_gate_page_shows_why_the_gate_will_be_refused_before_anyone_clicks(
    organization: Organization, project: Project, pm: Membership, pmo: Membership
) -> None:
    require_budget(organization, pmo)
    in_planning(project, pmo, pm)
    client = page_client_for(pmo.user)
    page = client.get(gate_url(project))
    assert page.status_code == 200
    assert page.context["gate_blocked"] is True
    assert [(c["code"], c["passed"]) for c in page.context["computed_checks"]] == [
        ("baseline_current", True),
        ("budget_approved", False),
    ]
    html = page.content.decode()
    assert "The project has no approved budget" in html
    assert f'href="/o/acme/projects/{project.pk}/finance/"' in html

    criteria = [c.pk for c in services.gate_criteria(organization, Phase.PLANNING)]
    refused = client.post(gate_url(project), {"passed_criteria": criteria})
    assert refused.status_code == 400
    assert refused.context["gate_form"].non_field_errors() == [
        "The project has no approved budget: finance approves a submitted budget version."
    ]
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING

    approved_budget(project)
    assert client.post(gate_url(project), {"passed_criteria": criteria}).status_code == 302
    history = client.get(gate_url(project))
    [latest, _first] = history.context["history"]
    assert [c["label"] for c in latest["computed_checks"]] == ["A current baseline exists", "An approved budget exists"]
    assert "Approved budget: version" in history.content.decode()


def test_the_gate_page_shows_a_chinese_reason_to_a_chinese_reader(
    organization: Organization, project: Project, pm: Membership, pmo: Membership
) -> None:
    in_planning(project, pmo, pm, baseline=False)
    reader = member(organization, OrgRole.VIEWER, language="zh-hans")
    html = page_client_for(reader.user).get(gate_url(project)).content.decode()
    assert "已有当前基线" in html
    assert "离开规划阶段前请先设置基线" in html


def passed_with_both_checks(organization: Organization, project: Project, pm: Membership, pmo: Membership) -> None:
    require_budget(organization, pmo)
    in_planning(project, pmo, pm)
    BudgetVersionFactory(project=project, status=BudgetVersion.Status.APPROVED, is_current=True, number=2)


def recorded_via_api(project: Project, reader: User, language: str) -> dict[str, Any]:
    client = api_client_for(reader)
    client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    [gate] = [g for g in client.get(f"{BASE}/projects/{project.pk}/gates/").json()["results"] if g["computed_checks"]]
    return gate


ENGLISH_RECORD = [
    ("A current baseline exists", "Current baseline: Original."),
    ("An approved budget exists", "Approved budget: version 2."),
]
CHINESE_RECORD = [("已有当前基线", "当前基线：Original。"), ("已有批准的预算", "已批准的预算：第 2 版。")]


@pytest.mark.parametrize(
    ("approver_language", "reader_language", "seen", "unseen"),
    [("en", "zh-hans", CHINESE_RECORD, ENGLISH_RECORD), ("zh-hans", "en", ENGLISH_RECORD, CHINESE_RECORD)],
)
def test_a_passed_gate_reads_in_the_readers_language_on_the_page_and_in_the_api(
    organization: Organization,
    project: Project,
    pm: Membership,
    pmo: Membership,
    approver_language: str,
    reader_language: str,
    seen: list[tuple[str, str]],
    unseen: list[tuple[str, str]],
) -> None:
    passed_with_both_checks(organization, project, pm, pmo)
    with translation.override(approver_language):
        gate = advance(pmo, project, Phase.EXECUTION)
    assert (gate.computed_checks[0]["label"], gate.computed_checks[0]["reason"]) == unseen[0]

    reader = member(organization, OrgRole.VIEWER, language=reader_language)
    recorded = recorded_via_api(project, reader.user, reader_language)["computed_checks"]
    assert [(c["label"], c["reason"]) for c in recorded] == seen
    html = page_client_for(reader.user).get(gate_url(project)).content.decode()
    for label, reason in seen:
        assert f'{label} <span class="muted small">{reason}</span>' in html
    assert not [reason for _label, reason in unseen if reason in html]


def test_a_refused_gate_speaks_the_language_of_the_one_who_asked(
    organization: Organization, project: Project, pm: Membership, pmo: Membership
) -> None:
    require_budget(organization, pmo)
    in_planning(project, pmo, pm)
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as raised:
        advance(pmo, project, Phase.EXECUTION)
    assert raised.value.message == "项目没有已批准的预算：预算版本提交后由财务批准。"


def test_a_check_recorded_before_gates_kept_every_language_still_reads(
    organization: Organization, project: Project, pm: Membership, pmo: Membership
) -> None:
    in_planning(project, pmo, pm)
    StageGate.objects.create(
        organization=organization,
        project=project,
        from_phase=Phase.PLANNING,
        to_phase=Phase.EXECUTION,
        approved_by=pmo.user,
        computed_checks=[
            {
                "code": "baseline_current",
                "label": "A current baseline exists",
                "passed": True,
                "reason": "Current baseline: Original.",
                "evaluated_at": "2026-03-02T01:30:00+00:00",
            },
            {
                "code": "retired_check",
                "label": "A retired check",
                "passed": True,
                "reason": "It held then.",
                "evaluated_at": "2026-03-02T01:30:00+00:00",
            },
        ],
    )
    reader = member(organization, OrgRole.VIEWER, language="zh-hans")
    recorded = recorded_via_api(project, reader.user, "zh-hans")["computed_checks"]
    assert [(c["label"], c["reason"], c["evaluated_at"]) for c in recorded] == [
        ("已有当前基线", "Current baseline: Original.", "2026-03-02T09:30:00+08:00"),
        ("A retired check", "It held then.", "2026-03-02T09:30:00+08:00"),
    ]
    html = page_client_for(reader.user).get(gate_url(project)).content.decode()
    assert '已有当前基线 <span class="muted small">Current baseline: Original.</span>' in html
    assert 'A retired check <span class="muted small">It held then.</span>' in html


def test_a_recorded_check_is_timed_in_the_zone_of_the_approval(
    organization: Organization, project: Project, pm: Membership, pmo: Membership
) -> None:
    passed_with_both_checks(organization, project, pm, pmo)
    gate = advance(pmo, project, Phase.EXECUTION)
    listed = recorded_via_api(project, pmo.user, "en")
    offset = listed["approved_at"][-6:]
    assert offset == "+08:00"
    assert [c["evaluated_at"][-6:] for c in listed["computed_checks"]] == [offset, offset]
    evaluated_at = datetime.fromisoformat(listed["computed_checks"][0]["evaluated_at"])
    assert abs(evaluated_at - gate.approved_at) < timedelta(seconds=5)


def test_the_gate_page_reads_a_fixed_number_of_queries(
    organization: Organization, project: Project, pm: Membership, pmo: Membership, django_assert_num_queries
) -> None:
    require_budget(organization, pmo)
    in_planning(project, pmo, pm)
    client = page_client_for(pmo.user)
    client.get(gate_url(project))
    # Session, user, membership, project, role, tabs; checklist defaults and items; the choices, the
    # baseline and the budget; the gate history.
    with django_assert_num_queries(PINNED_GATE_PAGE_QUERIES):
        assert client.get(gate_url(project)).status_code == 200


PINNED_GATE_PAGE_QUERIES = 13


def test_the_settings_page_lists_the_checks_and_the_pmo_chooses(organization: Organization, pmo: Membership) -> None:
    client = page_client_for(pmo.user)
    page = client.get(SETTINGS_PAGE)
    assert page.status_code == 200
    assert page.context["may_manage"] is True
    assert [block["phase"] for block in page.context["phases"]] == [Phase.PLANNING, Phase.EXECUTION]
    html = page.content.decode()
    assert 'name="planning" value="baseline_current"' in html
    assert "Save gate checks" in html

    response = client.post(SETTINGS_PAGE, {"planning": ["baseline_current", "budget_approved"], "execution": []})
    assert response.status_code == 302
    assert gate_check_selection(organization)["planning"] == ["baseline_current", "budget_approved"]
    assert AuditEvent.objects.for_organization(organization).filter(action="gate_checks.updated").count() == 1

    refused = client.post(SETTINGS_PAGE, {"planning": ["no_such_check"]})
    assert refused.status_code == 400
    assert refused.context["form"].errors["planning"]
    assert gate_check_selection(organization)["planning"] == ["baseline_current", "budget_approved"]


def test_a_project_manager_reads_the_settings_page_but_may_not_change_it(
    organization: Organization, pm: Membership
) -> None:
    client = page_client_for(pm.user)
    page = client.get(SETTINGS_PAGE)
    assert page.status_code == 200
    assert page.context["may_manage"] is False
    assert "Save gate checks" not in page.content.decode()
    assert client.post(SETTINGS_PAGE, {"planning": []}).status_code == 403
    assert not GateCheckChoice.objects.for_organization(organization).exists()


def test_the_settings_page_in_chinese(organization: Organization) -> None:
    reader = member(organization, OrgRole.PMO, language="zh-hans")
    html = page_client_for(reader.user).get(SETTINGS_PAGE).content.decode()
    assert "已有批准的预算" in html
    assert "Gate checks" not in html


def test_the_settings_page_and_the_api_read_a_fixed_number_of_queries(
    organization: Organization, pmo: Membership, django_assert_num_queries
) -> None:
    require_budget(organization, pmo)
    client: Client = page_client_for(pmo.user)
    api: APIClient = english_api(pmo.user)
    client.get(SETTINGS_PAGE)
    with django_assert_num_queries(PINNED_SETTINGS_PAGE_QUERIES):
        assert client.get(SETTINGS_PAGE).status_code == 200
    with django_assert_num_queries(PINNED_API_QUERIES):
        assert api.get(f"{BASE}/gate-checks/").status_code == 200
    with django_assert_num_queries(PINNED_API_QUERIES):
        assert api.get(f"{BASE}/gate-checks/selection/").status_code == 200


PINNED_SETTINGS_PAGE_QUERIES = 6
PINNED_API_QUERIES = 2

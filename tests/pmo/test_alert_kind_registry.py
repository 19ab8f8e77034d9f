"""Alert kinds are registered by the apps: a new kind works end to end with no core change."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from finance.variance import variance_run_batch
from pmo.alerts.kinds import ABOVE, DAYS, AlertKindSpec, EvaluationBatch, alert_kinds, project_page
from pmo.alerts.services import Finding, alert_rule_update, alert_rules_ensure, project_evaluation_queue
from pmo.errors import ApplicationError
from pmo.models import Alert, AlertRule, Organization, OrgRole, Severity, User
from tests.alert_kinds import AlertKind, SubjectType
from tests.conftest import page_client_for
from tests.factories import AlertFactory, AlertRuleFactory, ProjectFactory, member

pytestmark = pytest.mark.django_db

SCRATCH = "scratch_idle"
SITE = "scratch_site"
BASE = "/api/v1/orgs/acme"


def idle_projects(batch: EvaluationBatch) -> dict[str, Iterable[Finding]]:
    """Every project of the batch has been idle for 12 days."""
    return {
        SCRATCH: [
            Finding(SITE, pk, f"{project.code} {project.name}", pk, Decimal(12), {"value": "12", "since": "2026-02-25"})
            for pk, project in batch.projects.items()
        ]
    }


@pytest.fixture
def scratch_kind() -> Iterator[AlertKindSpec]:
    alert_kinds.register_subject_type(SITE, "Site")
    spec = alert_kinds.register(
        AlertKindSpec(
            code=SCRATCH,
            label="Project idle",
            direction=ABOVE,
            unit=DAYS,
            threshold=Decimal("10"),
            red_threshold=Decimal("30"),
            severity=Severity.AMBER,
            org_roles=(OrgRole.PMO.value,),
            project_roles=("manager",),
            explanation="Days without any recorded progress, above the threshold.",
            message="%(subject)s has been idle for %(value)s days.",
            subject_types=(SITE,),
            position=55,
            link=project_page("project-overview"),
            figures=(("since", "Last progress"),),
        )
    )
    alert_kinds.evaluator(idle_projects, kinds=[SCRATCH])
    try:
        yield spec
    finally:
        alert_kinds.unregister(SCRATCH)
        alert_kinds.unregister_evaluator(idle_projects)
        alert_kinds.unregister_subject_type(SITE)


def test_the_kinds_of_finance_projects_and_risks_are_registered_in_todays_order() -> None:
    assert alert_kinds.values == list(AlertKind.values)
    assert [str(label) for _code, label in alert_kinds.choices] == [str(label) for label in AlertKind.labels]


def test_a_registered_kind_is_evaluated_raised_listed_and_filtered(
    scratch_kind: AlertKindSpec, organization: Organization, api: APIClient
) -> None:
    project = ProjectFactory(organization=organization, code="IDL", name="Idle works")

    variance_run_batch(organization=organization, project_ids=[project.pk], as_of=dt.date(2026, 3, 9))

    alert = Alert.objects.for_organization(organization).get(kind=SCRATCH)
    assert (alert.severity, alert.subject_id, alert.project_id) == (Severity.AMBER, project.pk, project.pk)
    assert alert.message == "IDL Idle works has been idle for 12 days."
    assert alert.get_kind_display() == "Project idle"
    assert (alert.subject_type, alert.get_subject_type_display()) == (SITE, "Site")
    rules = {rule["kind"]: rule for rule in api.get(f"{BASE}/alert-rules/").json()}
    assert list(rules) == [*AlertKind.values[:5], SCRATCH, *AlertKind.values[5:]]
    assert (rules[SCRATCH]["label"], rules[SCRATCH]["unit"], rules[SCRATCH]["threshold"]) == (
        "Project idle",
        "days",
        "10.0000",
    )
    listed = api.get(f"{BASE}/alerts/", {"rule": SCRATCH}).json()["results"]
    assert [(item["rule"], item["rule_label"], item["subject"]["type"]) for item in listed] == [
        (SCRATCH, "Project idle", SITE)
    ]
    assert api.get(f"{BASE}/alerts/", {"subject_type": SITE}).json()["count"] == 1
    client = page_client_for(member(organization, OrgRole.PMO).user)
    page = client.get("/o/acme/alerts/", {"rule": SCRATCH})
    assert "Project idle" in page.content.decode()
    assert "Site" in page.content.decode()
    detail = client.get(f"/o/acme/alerts/{alert.pk}/")
    assert [(str(label), value) for label, value in detail.context["figures"]] == [
        ("Measured value", "12"),
        ("Threshold crossed", "10"),
        ("Last progress", "2026-02-25"),
    ]
    assert f"/projects/{project.pk}/" in page.content.decode()


def test_the_schema_lists_the_registered_kinds(scratch_kind: AlertKindSpec) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["schemas"]["AlertKindEnum"]["enum"] == [
        *AlertKind.values[:5],
        SCRATCH,
        *AlertKind.values[5:],
    ]
    [rule] = [
        parameter
        for parameter in schema["paths"]["/api/v1/orgs/{org_slug}/alerts/"]["get"]["parameters"]
        if parameter["name"] == "rule"
    ]
    assert SCRATCH in rule["schema"]["enum"]
    assert f"* `{SCRATCH}` - Project idle" in rule["description"]
    assert schema["components"]["schemas"]["AlertSubjectTypeEnum"]["enum"] == [*SubjectType.values, SITE]


def test_adding_a_kind_and_a_subject_type_needs_no_migration(scratch_kind: AlertKindSpec) -> None:
    out = StringIO()
    call_command("makemigrations", "pmo", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_a_kind_needs_registered_subject_types() -> None:
    spec = AlertKindSpec(
        code=SCRATCH,
        label="Project idle",
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("10"),
        red_threshold=None,
        severity=Severity.AMBER,
        org_roles=(),
        project_roles=("manager",),
        explanation="",
        message="",
        subject_types=(SITE,),
        position=55,
    )
    with pytest.raises(ValueError, match=SITE):
        alert_kinds.register(spec)
    assert SCRATCH not in alert_kinds


def test_a_kind_nobody_registers_is_refused_by_the_filters_and_left_alone(
    organization: Organization, api: APIClient
) -> None:
    assert api.get(f"{BASE}/alerts/", {"rule": SCRATCH}).status_code == 400
    assert api.get(f"{BASE}/alerts/", {"subject_type": SITE}).status_code == 400
    stale = AlertRuleFactory(organization=organization, kind=SCRATCH)
    AlertFactory(project=ProjectFactory(organization=organization), rule=stale, subject_label="Old")

    assert SCRATCH not in alert_rules_ensure(organization)
    assert SCRATCH not in [rule["kind"] for rule in api.get(f"{BASE}/alert-rules/").json()]
    assert api.get(f"{BASE}/alert-rules/{stale.pk}/").status_code == 404
    with pytest.raises(ApplicationError):
        alert_rule_update(actor=member(organization, OrgRole.ADMIN).user, rule=stale, enabled=False)
    [listed] = api.get(f"{BASE}/alerts/").json()["results"]
    assert (listed["rule"], listed["rule_label"]) == (SCRATCH, SCRATCH)
    assert AlertRule.objects.for_organization(organization).filter(kind=SCRATCH).exists()


def test_the_core_names_no_alert_kind() -> None:
    root = Path(__file__).resolve().parents[2]
    sources = [
        path
        for folder in ("pmo", "templates/pmo")
        for path in (root / folder).rglob("*")
        if path.suffix in {".py", ".html"} and "migrations" not in path.parts
    ]
    pattern = re.compile("|".join(re.escape(code) for code in AlertKind.values))
    named = [str(path.relative_to(root)) for path in sources if pattern.search(path.read_text(encoding="utf-8"))]
    assert not named


def test_run_now_and_a_projects_change_queue_every_registered_run(
    organization: Organization, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    runs: list[tuple[int, Any]] = []

    def run(organization_id: int, as_of: str | None, started_by: User | None) -> None:
        runs.append((organization_id, as_of))
        assert started_by is not None
        assert started_by.username == "pmo-who-ran-it"

    def run_projects(organization_id: int, project_ids: list[int]) -> None:
        runs.append((organization_id, project_ids))

    alert_kinds.runner(run, projects=run_projects)
    try:
        project = ProjectFactory(organization=organization)
        with django_capture_on_commit_callbacks(execute=True):
            project_evaluation_queue(project)
        client = page_client_for(member(organization, OrgRole.PMO, username="pmo-who-ran-it").user)
        with django_capture_on_commit_callbacks(execute=False):
            assert client.post("/o/acme/alerts/rules/", {"op": "run_variance"}).status_code == 302
    finally:
        alert_kinds.unregister_runner(run, projects=run_projects)

    assert runs == [(organization.pk, [project.pk]), (organization.pk, None)]

"""Factories for every model. Each app's tests add theirs here or in tests/<app>/factories.py.

``FACTORIES`` maps a model to the factory that builds one instance in a given organisation;
the tenancy tests use it to fill URLs with real objects of the victim organisation.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from finance.models import (
    ActualCost,
    BudgetLine,
    BudgetVersion,
    Commitment,
    CostCategory,
    EvmSnapshot,
    ExchangeRate,
    FinanceSettings,
    ManualForecast,
)
from pmo.jobs import storage as job_storage
from pmo.models import (
    Alert,
    AlertRule,
    ApiToken,
    AuditEvent,
    CalendarException,
    CalendarFeed,
    DeliveryAttempt,
    Invitation,
    Job,
    JobStatus,
    Membership,
    Notification,
    Organization,
    OrgRole,
    OutboxMessage,
    Run,
    RunBatch,
    Severity,
    User,
    Webhook,
    WebhookEvent,
    WorkingCalendar,
)
from projects.models import (
    Baseline,
    BaselineTask,
    ChangeRequest,
    ChangeRequestElement,
    Dependency,
    GateCheckChoice,
    GateCriterion,
    Phase,
    Portfolio,
    ProgressUpdate,
    Project,
    ProjectMember,
    ProjectSettings,
    StageGate,
    StatusReport,
    WbsElement,
)
from tests.alert_kinds import AlertKind, SubjectType


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    display_name = factory.Faker("name")
    language = "en"
    password = factory.django.Password("correct-horse-battery")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")

    @factory.post_generation
    def calendar(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            WorkingCalendar.objects.for_organization(self).get_or_create(
                organization=self, is_default=True, defaults={"name": "Standard"}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrgRole.MEMBER


class WorkingCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingCalendar

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Calendar {n}")


class CalendarExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarException

    calendar = factory.SubFactory(WorkingCalendarFactory)
    organization = factory.SelfAttribute("calendar.organization")
    date = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))
    name = "Holiday"


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    organization = factory.SubFactory(OrganizationFactory)
    action = "test.event"
    target_type = "pmo.organization"
    target_id = factory.SelfAttribute("organization.pk")


class ApiTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = "test"
    prefix = factory.Sequence(lambda n: f"p{n:011d}")
    secret_hash = "0" * 64


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    role = OrgRole.MEMBER
    key = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    token_hash = factory.Sequence(lambda n: f"{n:064x}")


FACTORIES: dict[type, type[factory.django.DjangoModelFactory]] = {
    Membership: MembershipFactory,
    CalendarFeed: CalendarFeedFactory,
    Invitation: InvitationFactory,
    WorkingCalendar: WorkingCalendarFactory,
    CalendarException: CalendarExceptionFactory,
    AuditEvent: AuditEventFactory,
}


def member(organization: Organization, role: str = OrgRole.MEMBER, **user_fields: Any) -> Membership:
    """A user who belongs to ``organization`` with ``role``."""
    return MembershipFactory(organization=organization, role=role, user=UserFactory(**user_fields))


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Portfolio {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"PRJ-{n:04d}")
    name = factory.Sequence(lambda n: f"Project {n}")
    planned_start = dt.date(2026, 3, 2)
    currency = "CNY"


class ProjectMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMember

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    user = factory.SubFactory(UserFactory)
    role = "member"


class GateCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GateCriterion

    organization = factory.SubFactory(OrganizationFactory)
    from_phase = Phase.INITIATION
    text = factory.Sequence(lambda n: f"Criterion {n}")


class GateCheckChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GateCheckChoice
        django_get_or_create = ("organization", "from_phase", "code")

    organization = factory.SubFactory(OrganizationFactory)
    from_phase = Phase.PLANNING
    code = "baseline_current"
    applies = True


class StageGateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageGate

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    from_phase = Phase.INITIATION
    to_phase = Phase.PLANNING
    approved_by = factory.SubFactory(UserFactory)


class WbsElementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WbsElement

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    code = factory.Sequence(lambda n: str(n + 1))
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Task {n}")
    kind = WbsElement.Kind.TASK
    duration = 5


class DependencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dependency

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    predecessor = factory.SubFactory(WbsElementFactory, project=factory.SelfAttribute("..project"))
    successor = factory.SubFactory(WbsElementFactory, project=factory.SelfAttribute("..project"))


class BaselineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Baseline

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    name = factory.Sequence(lambda n: f"Baseline {n}")
    created_by = factory.SubFactory(UserFactory)


class BaselineTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BaselineTask

    baseline = factory.SubFactory(BaselineFactory)
    organization = factory.SelfAttribute("baseline.organization")
    code = "1"
    name = "Task"
    start = dt.date(2026, 3, 2)
    finish = dt.date(2026, 3, 6)
    duration = 5
    budgeted_cost = 1000


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    task = factory.SubFactory(WbsElementFactory)
    project = factory.SelfAttribute("task.project")
    organization = factory.SelfAttribute("task.organization")
    effective_date = dt.date(2026, 3, 4)
    percent_complete = 50
    previous_percent_complete = 0
    updated_by = factory.SubFactory(UserFactory)


class ProjectSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectSettings
        django_get_or_create = ("organization",)

    organization = factory.SubFactory(OrganizationFactory)


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChangeRequest

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    number = factory.Sequence(lambda n: n + 1)
    title = "Add a footbridge"
    kind = ChangeRequest.Kind.SCOPE
    description = "Scope grows by one footbridge."
    reason = "Client request."
    requested_by = factory.SubFactory(UserFactory)


class ChangeRequestElementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChangeRequestElement

    change_request = factory.SubFactory(ChangeRequestFactory)
    organization = factory.SelfAttribute("change_request.organization")
    element = factory.SubFactory(WbsElementFactory, project=factory.SelfAttribute("..change_request.project"))


class StatusReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusReport

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    period_end = factory.Sequence(lambda n: dt.date(2026, 3, 6) + dt.timedelta(weeks=n))
    author = factory.SubFactory(UserFactory)


FACTORIES.update(
    {
        Portfolio: PortfolioFactory,
        Project: ProjectFactory,
        ProjectMember: ProjectMemberFactory,
        GateCriterion: GateCriterionFactory,
        GateCheckChoice: GateCheckChoiceFactory,
        StageGate: StageGateFactory,
        WbsElement: WbsElementFactory,
        Dependency: DependencyFactory,
        Baseline: BaselineFactory,
        BaselineTask: BaselineTaskFactory,
        ProgressUpdate: ProgressUpdateFactory,
        ProjectSettings: ProjectSettingsFactory,
        ChangeRequest: ChangeRequestFactory,
        ChangeRequestElement: ChangeRequestElementFactory,
        StatusReport: StatusReportFactory,
    }
)


class _TenantGetOrCreateFactory(factory.django.DjangoModelFactory):
    """get_or_create looks up by the organisation itself; the tenant guard wants that said explicitly."""

    @classmethod
    def _get_manager(cls, model_class: Any) -> Any:
        return model_class.objects.unscoped()


class CostCategoryFactory(_TenantGetOrCreateFactory):
    class Meta:
        model = CostCategory
        django_get_or_create = ("organization", "code")

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"cat{n}")
    name = factory.Sequence(lambda n: f"Category {n}")


class FinanceSettingsFactory(_TenantGetOrCreateFactory):
    class Meta:
        model = FinanceSettings
        django_get_or_create = ("organization",)

    organization = factory.SubFactory(OrganizationFactory)


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    organization = factory.SubFactory(OrganizationFactory)
    currency = "USD"
    rate = Decimal("7.100000")
    valid_from = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))


class BudgetVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetVersion

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    number = factory.Sequence(lambda n: n + 1)
    created_by = factory.SubFactory(UserFactory)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    version = factory.SubFactory(BudgetVersionFactory)
    organization = factory.SelfAttribute("version.organization")
    category = factory.SubFactory(CostCategoryFactory, organization=factory.SelfAttribute("..organization"))
    amount = Decimal("1000.00")


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    supplier = "Supplier"
    reference = factory.Sequence(lambda n: f"PO-{n}")
    date = dt.date(2026, 3, 10)
    amount = Decimal("500.00")
    category = factory.SubFactory(CostCategoryFactory, organization=factory.SelfAttribute("..organization"))
    created_by = factory.SubFactory(UserFactory)


class ActualCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActualCost

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    date = dt.date(2026, 3, 10)
    amount = Decimal("250.00")
    category = factory.SubFactory(CostCategoryFactory, organization=factory.SelfAttribute("..organization"))
    created_by = factory.SubFactory(UserFactory)


class ManualForecastFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManualForecast

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    estimate_to_complete = Decimal("1000.00")
    justification = "Remaining work re-estimated."
    created_by = factory.SubFactory(UserFactory)


FACTORIES.update(
    {
        CostCategory: CostCategoryFactory,
        FinanceSettings: FinanceSettingsFactory,
        ExchangeRate: ExchangeRateFactory,
        BudgetVersion: BudgetVersionFactory,
        BudgetLine: BudgetLineFactory,
        Commitment: CommitmentFactory,
        ActualCost: ActualCostFactory,
        ManualForecast: ManualForecastFactory,
    }
)


class EvmSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvmSnapshot

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    date = factory.Sequence(lambda n: dt.date(2026, 3, 1) + dt.timedelta(days=n))
    currency = "CNY"
    bac = Decimal("10000.00")
    pv = Decimal("5000.00")
    ev = Decimal("4000.00")
    ac = Decimal("4500.00")
    sv = Decimal("-1000.00")
    cv = Decimal("-500.00")
    spi = Decimal("0.8000")
    cpi = Decimal("0.8889")


class AlertRuleFactory(_TenantGetOrCreateFactory):
    class Meta:
        model = AlertRule
        django_get_or_create = ("organization", "kind")

    organization = factory.SubFactory(OrganizationFactory)
    kind = AlertKind.CPI_LOW
    threshold = Decimal("0.95")
    red_threshold = Decimal("0.90")
    notify_org_roles = factory.LazyFunction(lambda: ["admin", "pmo"])
    notify_project_roles = factory.LazyFunction(lambda: ["manager"])


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    rule = factory.SubFactory(AlertRuleFactory, organization=factory.SelfAttribute("..organization"))
    kind = factory.SelfAttribute("rule.kind")
    severity = Severity.RED
    subject_type = SubjectType.PROJECT
    subject_id = factory.SelfAttribute("project.pk")
    subject_label = factory.LazyAttribute(lambda alert: f"{alert.project.code} {alert.project.name}")
    figures = factory.LazyFunction(lambda: {"value": "0.8000", "threshold": "0.9", "ev": "4000.00", "ac": "5000.00"})


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    alert = factory.SubFactory(AlertFactory)
    organization = factory.SelfAttribute("alert.organization")
    user = factory.SubFactory(UserFactory)
    revision = factory.Sequence(lambda n: n + 1)
    event = WebhookEvent.ALERT_OPENED


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webhook

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Receiver {n}")
    url = "https://hooks.example.com/pmo"
    secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    events = factory.LazyFunction(lambda: list(WebhookEvent.values))


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    webhook = factory.SubFactory(WebhookFactory)
    organization = factory.SelfAttribute("webhook.organization")
    channel = OutboxMessage.Channel.WEBHOOK
    event = WebhookEvent.ALERT_OPENED
    payload = factory.LazyFunction(lambda: {"event": "alert.opened"})
    key = factory.Sequence(lambda n: f"test:{n}")


class DeliveryAttemptFactory(factory.django.DjangoModelFactory):
    """A finished attempt: delivered on a 2xx status, else failed."""

    class Meta:
        model = DeliveryAttempt

    message = factory.SubFactory(OutboxMessageFactory)
    organization = factory.SelfAttribute("message.organization")
    channel = factory.SelfAttribute("message.channel")
    webhook = factory.SelfAttribute("message.webhook")
    event = WebhookEvent.ALERT_OPENED
    attempt = 1
    status_code = 204
    outcome = factory.LazyAttribute(
        lambda attempt: (
            DeliveryAttempt.Outcome.DELIVERED
            if DeliveryAttempt.status_ok(attempt.status_code)
            else DeliveryAttempt.Outcome.FAILED
        )
    )
    created_at = factory.LazyFunction(timezone.now)
    finished_at = factory.SelfAttribute("created_at")


FACTORIES.update(
    {
        EvmSnapshot: EvmSnapshotFactory,
        AlertRule: AlertRuleFactory,
        Alert: AlertFactory,
        Notification: NotificationFactory,
        Webhook: WebhookFactory,
        OutboxMessage: OutboxMessageFactory,
        DeliveryAttempt: DeliveryAttemptFactory,
    }
)


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A file on a change request of the same organisation, its bytes (and a thumbnail) stored."""

    class Meta:
        model = "pmo.Attachment"
        skip_postgeneration_save = True

    parent = factory.SubFactory(
        ChangeRequestFactory,
        project__organization=factory.SelfAttribute("...organization"),
        organization=factory.SelfAttribute("..organization"),
    )
    organization = factory.SubFactory(OrganizationFactory)
    name = "site-photo.jpg"
    storage_key = factory.LazyFunction(lambda: f"test/{secrets.token_hex(16)}")
    thumbnail_key = factory.LazyAttribute(lambda attachment: f"{attachment.storage_key}-thumb")
    size = 1024
    media_type = "image/jpeg"
    sha256 = "0" * 64

    @factory.post_generation
    def stored(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        from django.core.files.base import ContentFile
        from django.core.files.storage import storages

        if create:
            storages["attachments"].save(self.storage_key, ContentFile(b"\xff\xd8\xff" + b"\x00" * 1021))
            storages["attachments"].save(self.thumbnail_key, ContentFile(b"\xff\xd8\xff"))


FACTORIES[AttachmentFactory._meta.get_model_class()] = AttachmentFactory


class RunFactory(factory.django.DjangoModelFactory):
    """A variance run of one organisation with one batch there (``with_batch=False``: none)."""

    class Meta:
        model = Run
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    kind = "finance.variance"
    batch_count = 1

    @factory.post_generation
    def with_batch(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not False and self.organization is not None:
            RunBatchFactory(run=self, organization=self.organization, key="projects-00001")


class RunBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RunBatch

    organization = factory.SubFactory(OrganizationFactory)
    run = factory.SubFactory(RunFactory, organization=factory.SelfAttribute("..organization"), with_batch=False)
    key = factory.Sequence(lambda n: f"batch-{n:05d}")
    payload = factory.LazyFunction(lambda: {"as_of": "2026-03-09", "project_ids": [1, 2, 3]})


FACTORIES.update({Run: RunFactory, RunBatch: RunBatchFactory})


class JobFactory(factory.django.DjangoModelFactory):
    """A job that ended with a small result file (kept in the test run's ``jobs`` storage)."""

    class Meta:
        model = Job

    organization = factory.SubFactory(OrganizationFactory)
    kind = "tests.job"
    requested_by = factory.LazyAttribute(lambda job: member(job.organization).user)
    status = JobStatus.DONE
    percent = 100
    finished_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    result_name = "result.txt"
    result_type = "text/plain"
    result_key = factory.LazyAttribute(
        lambda job: job_storage.store_bytes(job_storage.new_key(job.organization.pk, "result"), b"result")
    )
    result_size = 6


FACTORIES[Job] = JobFactory


# risks


class RiskSettingsFactory(_TenantGetOrCreateFactory):
    class Meta:
        model = "risks.RiskSettings"
        django_get_or_create = ("organization",)

    organization = factory.SubFactory(OrganizationFactory)


class RiskCategoryFactory(_TenantGetOrCreateFactory):
    class Meta:
        model = "risks.RiskCategory"
        django_get_or_create = ("organization", "code")

    organization = factory.SubFactory(OrganizationFactory)
    code = "technical"
    name_zh = "技术"
    name_en = "Technical"


class RiskFactory(factory.django.DjangoModelFactory):
    """An identified, unassessed threat of the organisation; pass ``project`` for a project's risk.

    Organisation-level by default, so that the organisation's risk URLs (which write only its own risks)
    are walked with one; a project's URLs pass their project.
    """

    class Meta:
        model = "risks.Risk"

    organization = factory.SubFactory(OrganizationFactory)
    project = None
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Risk {n}")
    category = factory.LazyAttribute(lambda risk: RiskCategoryFactory(organization=risk.organization))
    raised_by = factory.SubFactory(UserFactory)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        # A risk given its project belongs to the project's organisation (and takes a category there).
        project = kwargs.get("project")
        if project is not None and kwargs["organization"].pk != project.organization_id:
            kwargs["organization"] = project.organization
            kwargs["category"] = RiskCategoryFactory(organization=project.organization)
        return kwargs


class RiskWbsLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.RiskWbsLink"

    organization = factory.SubFactory(OrganizationFactory)
    risk = factory.SubFactory(
        RiskFactory,
        organization=factory.SelfAttribute("..organization"),
        project=factory.SubFactory(ProjectFactory, organization=factory.SelfAttribute("..organization")),
    )
    element = factory.SubFactory(
        WbsElementFactory,
        project=factory.SelfAttribute("..risk.project"),
        organization=factory.SelfAttribute("..risk.organization"),
    )

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        # A link given its risk belongs to the risk's organisation.
        kwargs["organization"] = kwargs["risk"].organization
        return kwargs


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.RiskAssessment"

    risk = factory.SubFactory(RiskFactory)
    organization = factory.SelfAttribute("risk.organization")
    project = factory.SelfAttribute("risk.project")
    kind = "assessed"
    actor = factory.SubFactory(UserFactory)


class RiskResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.RiskResponse"

    risk = factory.SubFactory(RiskFactory)
    organization = factory.SelfAttribute("risk.organization")
    strategy = "mitigate"
    description = "Lower the probability."
    created_by = factory.SubFactory(UserFactory)


class ResponseActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.ResponseAction"

    response = factory.SubFactory(RiskResponseFactory)
    organization = factory.SelfAttribute("response.organization")
    risk = factory.SelfAttribute("response.risk")
    title = factory.Sequence(lambda n: f"Action {n}")


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.Issue"

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Issue {n}")
    raised_by = factory.SubFactory(UserFactory)


class TaskEstimateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.TaskEstimate"

    element = factory.SubFactory(WbsElementFactory)
    organization = factory.SelfAttribute("element.organization")
    project = factory.SelfAttribute("element.project")
    optimistic_days = 4
    likely_days = 5
    pessimistic_days = 7
    optimistic_cost = Decimal("900.00")
    likely_cost = Decimal("1000.00")
    pessimistic_cost = Decimal("1300.00")


class MonteCarloRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.MonteCarloRun"

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    status = "done"
    iterations = 1000
    seed = 42
    requested_by = factory.SubFactory(UserFactory)


for _factory in (
    RiskSettingsFactory,
    RiskCategoryFactory,
    RiskFactory,
    RiskWbsLinkFactory,
    RiskAssessmentFactory,
    RiskResponseFactory,
    ResponseActionFactory,
    IssueFactory,
    TaskEstimateFactory,
    MonteCarloRunFactory,
):
    FACTORIES[_factory._meta.get_model_class()] = _factory


# quality


class _ProjectChildFactory(factory.django.DjangoModelFactory):
    """A record of a project: in the organisation given, or in its project's organisation when the project is given."""

    organization = factory.SubFactory(OrganizationFactory)
    project = factory.SubFactory(ProjectFactory, organization=factory.SelfAttribute("..organization"))

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        project = kwargs.get("project")
        if project is not None:
            kwargs["organization"] = project.organization
        return kwargs


class QualitySettingsFactory(_TenantGetOrCreateFactory):
    class Meta:
        model = "quality.QualitySettings"
        django_get_or_create = ("organization",)

    organization = factory.SubFactory(OrganizationFactory)


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "quality.Standard"

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"GB 50{n:03d}-2015")
    title = "Code for acceptance of construction quality"
    clause = "5.1.2"


class InspectionTypeFactory(_TenantGetOrCreateFactory):
    class Meta:
        model = "quality.InspectionType"
        django_get_or_create = ("organization", "code")

    organization = factory.SubFactory(OrganizationFactory)
    code = "quality"
    name_zh = "质量检查"
    name_en = "Quality inspection"
    discipline = "quality"
    builtin = True


class ChecklistTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "quality.ChecklistTemplate"

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"T{n:03d}")
    name_en = factory.Sequence(lambda n: f"Checklist {n}")
    name_zh = factory.Sequence(lambda n: f"检查表 {n}")
    inspection_type = factory.LazyAttribute(lambda template: InspectionTypeFactory(organization=template.organization))


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    """A numeric check: pothole depth must stay ≤ 20 mm, a major defect otherwise."""

    class Meta:
        model = "quality.ChecklistItem"

    organization = factory.SubFactory(OrganizationFactory)
    template = factory.SubFactory(ChecklistTemplateFactory, organization=factory.SelfAttribute("..organization"))
    position = factory.Sequence(lambda n: n)
    text_en = "Pothole depth"
    text_zh = "坑槽深度"
    kind = "numeric"
    severity = "major"
    unit = "mm"
    comparator = "lte"
    limit_a = Decimal("20")

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["organization"] = kwargs["template"].organization
        return kwargs


class PlanEntryFactory(_ProjectChildFactory):
    class Meta:
        model = "quality.PlanEntry"

    template_code = factory.LazyAttribute(lambda entry: ChecklistTemplateFactory(organization=entry.organization).code)
    phase = "execution"


class InspectionFactory(_ProjectChildFactory):
    class Meta:
        model = "quality.Inspection"

    number = factory.Sequence(lambda n: n + 1)
    template = factory.LazyAttribute(lambda inspection: ChecklistTemplateFactory(organization=inspection.organization))
    inspection_type = factory.SelfAttribute("template.inspection_type")


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "quality.Reading"

    organization = factory.SubFactory(OrganizationFactory)
    inspection = factory.SubFactory(InspectionFactory, organization=factory.SelfAttribute("..organization"))
    item = factory.LazyAttribute(
        lambda reading: ChecklistItemFactory(organization=reading.organization, template=reading.inspection.template)
    )
    number = Decimal("12")
    passed = True
    judgement = "12 mm ≤ 20 mm: within limit"

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["organization"] = kwargs["inspection"].organization
        return kwargs


class NonConformanceFactory(_ProjectChildFactory):
    class Meta:
        model = "quality.NonConformance"

    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Non-conformance {n}")
    severity = "major"
    inspection_type = factory.LazyAttribute(lambda nc: InspectionTypeFactory(organization=nc.organization))
    due_date = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=7))
    raised_on = factory.LazyFunction(dt.date.today)
    raised_by = factory.SubFactory(UserFactory)


class _NcChildFactory(factory.django.DjangoModelFactory):
    organization = factory.SubFactory(OrganizationFactory)
    non_conformance = factory.SubFactory(NonConformanceFactory, organization=factory.SelfAttribute("..organization"))

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["organization"] = kwargs["non_conformance"].organization
        return kwargs


class CorrectiveActionFactory(_NcChildFactory):
    class Meta:
        model = "quality.CorrectiveAction"

    description = factory.Sequence(lambda n: f"Corrective action {n}")
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=5))


class NcEventFactory(_NcChildFactory):
    class Meta:
        model = "quality.NcEvent"

    to_status = "open"


class ReworkCostFactory(_NcChildFactory):
    class Meta:
        model = "quality.ReworkCost"

    actual_cost = factory.LazyAttribute(
        lambda rework: ActualCostFactory(
            organization=rework.organization, project=rework.non_conformance.project, amount=Decimal("500.00")
        )
    )


class DeliverableFactory(_ProjectChildFactory):
    class Meta:
        model = "quality.Deliverable"

    wbs_element = factory.LazyAttribute(
        lambda deliverable: WbsElementFactory(organization=deliverable.organization, project=deliverable.project)
    )
    criteria = "Built to the drawings; inspections passed."


class _DeliverableChildFactory(factory.django.DjangoModelFactory):
    organization = factory.SubFactory(OrganizationFactory)
    deliverable = factory.SubFactory(DeliverableFactory, organization=factory.SelfAttribute("..organization"))

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["organization"] = kwargs["deliverable"].organization
        return kwargs


class AcceptanceDecisionFactory(_DeliverableChildFactory):
    class Meta:
        model = "quality.AcceptanceDecision"

    status = "accepted"


class AcceptanceConditionFactory(_DeliverableChildFactory):
    class Meta:
        model = "quality.AcceptanceCondition"

    text = "Replace the cracked kerb stone at chainage 0+120."


class SatisfactionSurveyFactory(_ProjectChildFactory):
    class Meta:
        model = "quality.SatisfactionSurvey"

    quality = 4
    schedule = 3
    communication = 5
    service = 4


for _factory in (
    QualitySettingsFactory,
    StandardFactory,
    InspectionTypeFactory,
    ChecklistTemplateFactory,
    ChecklistItemFactory,
    PlanEntryFactory,
    InspectionFactory,
    ReadingFactory,
    NonConformanceFactory,
    CorrectiveActionFactory,
    NcEventFactory,
    ReworkCostFactory,
    DeliverableFactory,
    AcceptanceDecisionFactory,
    AcceptanceConditionFactory,
    SatisfactionSurveyFactory,
):
    FACTORIES[_factory._meta.get_model_class()] = _factory


# --- resources ---------------------------------------------------------------------------


class ResourceSettingsFactory(_TenantGetOrCreateFactory):
    class Meta:
        model = "resources.ResourceSettings"
        django_get_or_create = ("organization",)

    organization = factory.SubFactory(OrganizationFactory)


class ResourceRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "resources.ResourceRole"

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Role {n}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "resources.Skill"

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Skill {n}")


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "resources.Resource"

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"R{n:04d}")
    name = factory.Sequence(lambda n: f"Resource {n}")
    kind = "person"


class ResourceSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "resources.ResourceSkill"

    organization = factory.SubFactory(OrganizationFactory)
    resource = factory.SubFactory(ResourceFactory, organization=factory.SelfAttribute("..organization"))
    skill = factory.SubFactory(SkillFactory, organization=factory.SelfAttribute("..organization"))
    level = 3

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["organization"] = kwargs["resource"].organization
        return kwargs


class ResourceExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "resources.ResourceException"

    organization = factory.SubFactory(OrganizationFactory)
    resource = factory.SubFactory(ResourceFactory, organization=factory.SelfAttribute("..organization"))
    kind = "leave"
    start = dt.date(2026, 3, 2)
    finish = dt.date(2026, 3, 6)
    created_by = factory.SubFactory(UserFactory)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["organization"] = kwargs["resource"].organization
        return kwargs


class CostRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "resources.CostRate"

    organization = factory.SubFactory(OrganizationFactory)
    resource = factory.SubFactory(ResourceFactory, organization=factory.SelfAttribute("..organization"))
    effective_from = dt.date(2026, 1, 1)
    standard_rate = Decimal("100.00")
    created_by = factory.SubFactory(UserFactory)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["organization"] = kwargs["resource"].organization
        return kwargs


class ProjectResourcingFactory(_ProjectChildFactory):
    class Meta:
        model = "resources.ProjectResourcing"


class AssignmentFactory(_ProjectChildFactory):
    class Meta:
        model = "resources.Assignment"

    task = factory.LazyAttribute(lambda assignment: WbsElementFactory(project=assignment.project))
    resource = factory.LazyAttribute(lambda assignment: ResourceFactory(organization=assignment.organization))
    units = Decimal("100")
    created_by = factory.SubFactory(UserFactory)


class ResourceRequestFactory(_ProjectChildFactory):
    class Meta:
        model = "resources.ResourceRequest"

    number = factory.Sequence(lambda n: n + 1)
    task = factory.LazyAttribute(lambda request: WbsElementFactory(project=request.project))
    role = factory.LazyAttribute(lambda request: ResourceRoleFactory(organization=request.organization))
    hours = Decimal("40")
    start = dt.date(2026, 3, 2)
    finish = dt.date(2026, 3, 13)
    requested_by = factory.SubFactory(UserFactory)


class RequestProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "resources.RequestProposal"

    organization = factory.SubFactory(OrganizationFactory)
    request = factory.SubFactory(ResourceRequestFactory, organization=factory.SelfAttribute("..organization"))
    resource = factory.LazyAttribute(lambda proposal: ResourceFactory(organization=proposal.organization))
    hours = Decimal("40")
    created_by = factory.SubFactory(UserFactory)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["organization"] = kwargs["request"].organization
        return kwargs


class LevelingRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "resources.LevelingRun"

    organization = factory.SubFactory(OrganizationFactory)
    start = dt.date(2026, 3, 2)
    finish = dt.date(2026, 6, 26)
    fingerprint = "0" * 64
    created_by = factory.SubFactory(UserFactory)


class TimesheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "resources.Timesheet"

    organization = factory.SubFactory(OrganizationFactory)
    resource = factory.SubFactory(ResourceFactory, organization=factory.SelfAttribute("..organization"))
    week_start = dt.date(2026, 3, 2)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["organization"] = kwargs["resource"].organization
        return kwargs


class TimesheetLineFactory(factory.django.DjangoModelFactory):
    """A line of project work on a task of a project of the timesheet's organisation."""

    class Meta:
        model = "resources.TimesheetLine"

    organization = factory.SubFactory(OrganizationFactory)
    timesheet = factory.SubFactory(TimesheetFactory, organization=factory.SelfAttribute("..organization"))
    category = "project"
    task = factory.LazyAttribute(
        lambda line: WbsElementFactory(project=ProjectFactory(organization=line.timesheet.organization))
    )
    project = factory.LazyAttribute(lambda line: line.task.project if line.task is not None else None)
    hours_mon = Decimal("8")

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["organization"] = kwargs["timesheet"].organization
        return kwargs


class LabourCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "resources.LabourCost"

    organization = factory.SubFactory(OrganizationFactory)
    line = factory.SubFactory(TimesheetLineFactory, organization=factory.SelfAttribute("..organization"))
    cost = factory.LazyAttribute(
        lambda labour: ActualCostFactory(
            project=labour.line.project, wbs_element=labour.line.task, date=labour.date, amount=Decimal("800.00")
        )
    )
    date = dt.date(2026, 3, 2)
    hours = Decimal("8")
    rate = Decimal("100.00")

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["organization"] = kwargs["line"].organization
        return kwargs


class TimesheetReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "resources.TimesheetReminder"

    organization = factory.SubFactory(OrganizationFactory)
    resource = factory.SubFactory(ResourceFactory, organization=factory.SelfAttribute("..organization"))
    week_start = dt.date(2026, 3, 2)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["organization"] = kwargs["resource"].organization
        return kwargs


for _factory in (
    ResourceSettingsFactory,
    ResourceRoleFactory,
    SkillFactory,
    ResourceFactory,
    ResourceSkillFactory,
    ResourceExceptionFactory,
    CostRateFactory,
    ProjectResourcingFactory,
    AssignmentFactory,
    ResourceRequestFactory,
    RequestProposalFactory,
    LevelingRunFactory,
    TimesheetFactory,
    TimesheetLineFactory,
    LabourCostFactory,
    TimesheetReminderFactory,
):
    FACTORIES[_factory._meta.get_model_class()] = _factory


# maintenance


class _MaintenanceChildFactory(factory.django.DjangoModelFactory):
    """A row under a parent of the same organisation: ``_parent`` names the field it follows."""

    class Meta:
        abstract = True

    _parent = ""

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        parent = kwargs.get(cls._parent)
        if parent is not None:
            kwargs["organization"] = parent.organization
        return kwargs


class MaintenanceSettingsFactory(_TenantGetOrCreateFactory):
    class Meta:
        model = "maintenance.MaintenanceSettings"
        django_get_or_create = ("organization",)

    organization = factory.SubFactory(OrganizationFactory)


class SlaTargetFactory(_TenantGetOrCreateFactory):
    class Meta:
        model = "maintenance.SlaTarget"
        django_get_or_create = ("organization", "priority")

    organization = factory.SubFactory(OrganizationFactory)
    priority = "P3"
    response_hours = Decimal("16")
    resolution_hours = Decimal("80")


class HoldReasonFactory(_TenantGetOrCreateFactory):
    class Meta:
        model = "maintenance.HoldReason"
        django_get_or_create = ("organization", "code")

    organization = factory.SubFactory(OrganizationFactory)
    code = "waiting_client"
    name_zh = "等待业主"
    name_en = "Waiting for the client"
    pauses_clock = True


class InspectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "maintenance.Inspector"

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)


class ContractorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "maintenance.Contractor"

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Contractor {n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "maintenance.Site"

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"Site {n}")


class AreaFactory(_MaintenanceChildFactory):
    class Meta:
        model = "maintenance.Area"

    _parent = "site"
    organization = factory.SubFactory(OrganizationFactory)
    site = factory.SubFactory(SiteFactory, organization=factory.SelfAttribute("..organization"))
    name = factory.Sequence(lambda n: f"Area {n}")


class HandoverFactory(_MaintenanceChildFactory):
    class Meta:
        model = "maintenance.Handover"

    _parent = "project"
    organization = factory.SubFactory(OrganizationFactory)
    project = factory.SubFactory(ProjectFactory, organization=factory.SelfAttribute("..organization"))


class HandoverRowFactory(_MaintenanceChildFactory):
    class Meta:
        model = "maintenance.HandoverRow"

    _parent = "handover"
    organization = factory.SubFactory(OrganizationFactory)
    handover = factory.SubFactory(HandoverFactory, organization=factory.SelfAttribute("..organization"))
    name = factory.Sequence(lambda n: f"Handed-over asset {n}")


class AssetCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "maintenance.AssetCategory"

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"category-{n}")
    name_zh = factory.Sequence(lambda n: f"类别 {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class CriterionFactory(_MaintenanceChildFactory):
    """A criterion with its first version: "pothole depth > 20 mm is a defect" unless told otherwise.

    Pass ``version__defect_when``, ``version__limit``, ``version__kind``… to shape the rule.
    """

    class Meta:
        model = "maintenance.Criterion"
        skip_postgeneration_save = True

    _parent = "category"
    organization = factory.SubFactory(OrganizationFactory)
    category = factory.SubFactory(AssetCategoryFactory, organization=factory.SelfAttribute("..organization"))
    code = factory.Sequence(lambda n: f"criterion-{n}")

    @factory.post_generation
    def version(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is None:
            CriterionVersionFactory(criterion=self, **kwargs)


class CriterionVersionFactory(_MaintenanceChildFactory):
    class Meta:
        model = "maintenance.CriterionVersion"

    _parent = "criterion"
    organization = factory.SubFactory(OrganizationFactory)
    criterion = factory.SubFactory(
        CriterionFactory, organization=factory.SelfAttribute("..organization"), version=False
    )
    version = 1
    measure_zh = "坑槽深度"
    measure_en = "Pothole depth"
    unit = "mm"
    defect_when = "gt"
    limit = Decimal("20")
    priority = "P3"


class AssetFactory(_MaintenanceChildFactory):
    class Meta:
        model = "maintenance.Asset"

    _parent = "site"
    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"A-{n:05d}")
    name = factory.Sequence(lambda n: f"Asset {n}")
    site = factory.SubFactory(SiteFactory, organization=factory.SelfAttribute("..organization"))
    category = factory.SubFactory(AssetCategoryFactory, organization=factory.SelfAttribute("..organization"))


class InspectionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "maintenance.InspectionPlan"

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Inspection plan {n}")
    starts_on = dt.date(2026, 3, 2)


class RoundFactory(_MaintenanceChildFactory):
    class Meta:
        model = "maintenance.Round"

    _parent = "plan"
    organization = factory.SubFactory(OrganizationFactory)
    plan = factory.SubFactory(InspectionPlanFactory, organization=factory.SelfAttribute("..organization"))
    period_start = dt.date(2026, 3, 2)
    period_end = dt.date(2026, 3, 8)
    due_date = dt.date(2026, 3, 6)


class RoundStopFactory(_MaintenanceChildFactory):
    class Meta:
        model = "maintenance.RoundStop"

    _parent = "round"
    organization = factory.SubFactory(OrganizationFactory)
    round = factory.SubFactory(RoundFactory, organization=factory.SelfAttribute("..organization"))
    asset = factory.SubFactory(AssetFactory, organization=factory.SelfAttribute("..organization"))


class AssetReadingFactory(_MaintenanceChildFactory):
    """A passing reading of the asset's criterion on a round's stop."""

    class Meta:
        model = "maintenance.AssetReading"

    _parent = "stop"
    organization = factory.SubFactory(OrganizationFactory)
    stop = factory.SubFactory(RoundStopFactory, organization=factory.SelfAttribute("..organization"))
    round = factory.SelfAttribute("stop.round")
    asset = factory.SelfAttribute("stop.asset")
    criterion = factory.SubFactory(CriterionFactory, organization=factory.SelfAttribute("..organization"))
    criterion_version = factory.LazyAttribute(lambda reading: reading.criterion.versions.get(is_current=True))
    value = Decimal("10")
    entered_value = Decimal("10")
    passed = True


class DefectFactory(_MaintenanceChildFactory):
    class Meta:
        model = "maintenance.Defect"

    _parent = "asset"
    organization = factory.SubFactory(OrganizationFactory)
    asset = factory.SubFactory(AssetFactory, organization=factory.SelfAttribute("..organization"))
    criterion = factory.SubFactory(CriterionFactory, organization=factory.SelfAttribute("..organization"))
    criterion_version = factory.LazyAttribute(lambda defect: defect.criterion.versions.get(is_current=True))
    priority = "P3"


class WorkOrderFactory(_MaintenanceChildFactory):
    """An open request on an asset, due in 16 and 80 hours."""

    class Meta:
        model = "maintenance.WorkOrder"

    _parent = "asset"
    organization = factory.SubFactory(OrganizationFactory)
    number = factory.Sequence(lambda n: n + 1)
    kind = "request"
    title = factory.Sequence(lambda n: f"Work order {n}")
    asset = factory.SubFactory(AssetFactory, organization=factory.SelfAttribute("..organization"))
    site = factory.SelfAttribute("asset.site")
    response_due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=16))
    resolution_due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=80))


class WorkOrderEventFactory(_MaintenanceChildFactory):
    class Meta:
        model = "maintenance.WorkOrderEvent"

    _parent = "work_order"
    organization = factory.SubFactory(OrganizationFactory)
    work_order = factory.SubFactory(WorkOrderFactory, organization=factory.SelfAttribute("..organization"))
    to_status = "open"


class WorkOrderPauseFactory(_MaintenanceChildFactory):
    class Meta:
        model = "maintenance.WorkOrderPause"

    _parent = "work_order"
    organization = factory.SubFactory(OrganizationFactory)
    work_order = factory.SubFactory(WorkOrderFactory, organization=factory.SelfAttribute("..organization"))
    reason = factory.SubFactory(HoldReasonFactory, organization=factory.SelfAttribute("..organization"))
    started_at = factory.LazyFunction(timezone.now)


class MeterFactory(_MaintenanceChildFactory):
    class Meta:
        model = "maintenance.Meter"

    _parent = "asset"
    organization = factory.SubFactory(OrganizationFactory)
    asset = factory.SubFactory(AssetFactory, organization=factory.SelfAttribute("..organization"))
    code = "lamp-hours"
    name = "Lamp operating hours"


class MeterReadingFactory(_MaintenanceChildFactory):
    class Meta:
        model = "maintenance.MeterReading"

    _parent = "meter"
    organization = factory.SubFactory(OrganizationFactory)
    meter = factory.SubFactory(MeterFactory, organization=factory.SelfAttribute("..organization"))
    value = Decimal("100")


class PmPlanFactory(_MaintenanceChildFactory):
    """Monthly work on one asset from 2 March 2026, opened 7 days ahead."""

    class Meta:
        model = "maintenance.PmPlan"

    _parent = "asset"
    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Preventive plan {n}")
    asset = factory.SubFactory(AssetFactory, organization=factory.SelfAttribute("..organization"))
    trigger = "calendar"
    interval = 1
    interval_unit = "months"
    starts_on = dt.date(2026, 3, 2)


for _factory in (
    MaintenanceSettingsFactory,
    SlaTargetFactory,
    HoldReasonFactory,
    InspectorFactory,
    ContractorFactory,
    SiteFactory,
    AreaFactory,
    HandoverFactory,
    HandoverRowFactory,
    AssetCategoryFactory,
    CriterionFactory,
    CriterionVersionFactory,
    AssetFactory,
    InspectionPlanFactory,
    RoundFactory,
    RoundStopFactory,
    AssetReadingFactory,
    DefectFactory,
    WorkOrderFactory,
    WorkOrderEventFactory,
    WorkOrderPauseFactory,
    MeterFactory,
    MeterReadingFactory,
    PmPlanFactory,
):
    FACTORIES[_factory._meta.get_model_class()] = _factory

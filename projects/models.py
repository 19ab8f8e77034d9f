from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo.models import WorkingCalendar, currency_validator
from pmo.tenancy import TenantModel
from projects.querysets import ProjectManager, WbsElementManager


class Phase(models.TextChoices):
    INITIATION = "initiation", _("Initiation")
    PLANNING = "planning", _("Planning")
    EXECUTION = "execution", _("Execution")
    CLOSING = "closing", _("Closing")
    OPERATIONS = "operations", _("Operations")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_PHASES = (Phase.INITIATION, Phase.PLANNING, Phase.EXECUTION, Phase.CLOSING, Phase.OPERATIONS)
# The lifecycle moves one phase forward at a time; cancelling is possible from any open phase.
NEXT_PHASE = {
    Phase.INITIATION: Phase.PLANNING,
    Phase.PLANNING: Phase.EXECUTION,
    Phase.EXECUTION: Phase.CLOSING,
    Phase.CLOSING: Phase.OPERATIONS,
    Phase.OPERATIONS: Phase.CLOSED,
}


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class ProjectRole(models.TextChoices):
    MANAGER = "manager", _("Project manager")
    COORDINATOR = "coordinator", _("Coordinator")
    CONTROLLER = "controller", _("Project controller")
    MEMBER = "member", _("Team member")
    CLIENT = "client", _("Client representative")
    CONSULTANT = "consultant", _("Consultant")


class Rag(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class Portfolio(TenantModel):
    """A portfolio, or a programme inside one (``parent`` set)."""

    class Kind(models.TextChoices):
        PORTFOLIO = "portfolio", _("Portfolio")
        PROGRAMME = "programme", _("Programme")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.PORTFOLIO)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="programmes", verbose_name=_("portfolio")
    )
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("portfolio")
        verbose_name_plural = _("portfolios")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="portfolio_name_unique_in_org",
                violation_error_message=_("A portfolio with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Project(TenantModel):
    code = models.CharField(_("code"), max_length=32, help_text=_("Unique in the organisation, e.g. PRJ-2026-001."))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    objectives = models.TextField(
        _("objectives"), blank=True, help_text=_("Specific, measurable objectives, one per line.")
    )
    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, null=True, blank=True, related_name="projects", verbose_name=_("portfolio")
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sponsor"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project manager"),
    )
    client = models.CharField(_("client"), max_length=200, blank=True)
    priority = models.CharField(_("priority"), max_length=16, choices=Priority, default=Priority.MEDIUM)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", validators=[currency_validator])
    tags = models.JSONField(_("tags"), default=list, blank=True)
    planned_start = models.DateField(_("planned start"))
    planned_finish = models.DateField(_("planned finish"), null=True, blank=True)
    calendar = models.ForeignKey(
        WorkingCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("working calendar"),
        help_text=_("Empty: the organisation's default calendar."),
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase, default=Phase.INITIATION)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Written by the scheduler: the project's forecast dates from the critical path.
    scheduled_start = models.DateField(_("scheduled start"), null=True, blank=True, editable=False)
    scheduled_finish = models.DateField(_("scheduled finish"), null=True, blank=True, editable=False)

    objects = ProjectManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="project_code_unique_in_org",
                violation_error_message=_("Another project of the organisation already has this code."),
            ),
            models.CheckConstraint(
                condition=models.Q(planned_finish__isnull=True)
                | models.Q(planned_finish__gte=models.F("planned_start")),
                name="project_finish_after_start",
                violation_error_message=_("The planned finish cannot be before the planned start."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "phase"], name="project_org_phase")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_open(self) -> bool:
        return self.phase in OPEN_PHASES


class ProjectMember(TenantModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members", verbose_name=_("project"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships", verbose_name=_("user")
    )
    role = models.CharField(_("project role"), max_length=16, choices=ProjectRole, default=ProjectRole.MEMBER)
    created_at = models.DateTimeField(_("joined"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        ordering = ["project", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "project", "user"],
                name="project_member_once",
                violation_error_message=_("This person is already on the project."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class GateCriterion(TenantModel):
    """One line of the organisation's checklist for leaving a phase."""

    from_phase = models.CharField(_("leaving phase"), max_length=16, choices=Phase)
    text = models.CharField(_("criterion"), max_length=300)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("gate criterion")
        verbose_name_plural = _("gate criteria")
        ordering = ["from_phase", "order", "id"]

    def __str__(self) -> str:
        return self.text


class StageGate(TenantModel):
    """The record of one passage between phases: who approved it, against which checklist."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="gates", verbose_name=_("project"))
    from_phase = models.CharField(_("from"), max_length=16, choices=Phase)
    to_phase = models.CharField(_("to"), max_length=16, choices=Phase)
    checklist = models.JSONField(_("checklist"), default=list, help_text=_("[{criterion, passed}] as decided."))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("stage gate")
        verbose_name_plural = _("stage gates")
        ordering = ["project", "approved_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_phase} → {self.to_phase}"


class PercentCompleteMethod(models.TextChoices):
    PHYSICAL = "physical", _("Physical % complete")
    ZERO_HUNDRED = "zero_hundred", _("0/100")
    FIFTY_FIFTY = "fifty_fifty", _("50/50")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


def wbs_sort_key(code: str) -> str:
    """A key that sorts WBS codes in tree order as text: 1.2 before 1.10 (00001.00002 < 00001.00010)."""
    return ".".join(part.zfill(5) for part in code.split("."))


class WbsElement(TenantModel):
    """A node of the work breakdown structure: a summary element, a task or a milestone.

    Summary elements have children and roll up their dates, cost and progress; tasks and
    milestones are leaves. ``code`` (1, 1.2, 1.2.3) is generated from the tree order.
    """

    class Kind(models.TextChoices):
        SUMMARY = "summary", _("Summary")
        TASK = "task", _("Task")
        MILESTONE = "milestone", _("Milestone")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="wbs", verbose_name=_("project"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Order among its siblings."))
    code = models.CharField(_("WBS code"), max_length=64, editable=False)
    sort_key = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.TASK)
    duration = models.PositiveIntegerField(_("duration (working days)"), default=1)
    budgeted_cost = models.DecimalField(_("budgeted cost"), max_digits=16, decimal_places=2, default=Decimal("0.00"))
    percent_complete_method = models.CharField(
        _("% complete method"),
        max_length=16,
        choices=PercentCompleteMethod,
        default=PercentCompleteMethod.PHYSICAL,
    )
    percent_complete = models.DecimalField(
        _("% complete"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_finish = models.DateField(_("actual finish"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Written by the scheduler (critical-path method) and by the roll-up of summaries.
    planned_start = models.DateField(_("planned start"), null=True, blank=True, editable=False)
    planned_finish = models.DateField(_("planned finish"), null=True, blank=True, editable=False)
    late_start = models.DateField(_("late start"), null=True, blank=True, editable=False)
    late_finish = models.DateField(_("late finish"), null=True, blank=True, editable=False)
    total_float = models.IntegerField(_("total float"), null=True, blank=True, editable=False)
    free_float = models.IntegerField(_("free float"), null=True, blank=True, editable=False)
    is_critical = models.BooleanField(_("critical"), default=False, editable=False)

    objects = WbsElementManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("WBS element")
        verbose_name_plural = _("WBS elements")
        ordering = ["project", "sort_key"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="milestone") | models.Q(duration=0),
                name="wbs_milestone_has_no_duration",
                violation_error_message=_("A milestone has zero duration."),
            ),
            models.CheckConstraint(
                condition=models.Q(actual_finish__isnull=True)
                | (models.Q(actual_start__isnull=False) & models.Q(actual_finish__gte=models.F("actual_start"))),
                name="wbs_actual_finish_after_start",
                violation_error_message=_("An actual finish needs an actual start on or before it."),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "project", "sort_key"], name="wbs_org_project_order"),
            models.Index(fields=["organization", "project", "parent", "position"], name="wbs_org_tree"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_leaf(self) -> bool:
        return self.kind != self.Kind.SUMMARY

    @property
    def status(self) -> str:
        if self.actual_finish is not None or self.percent_complete >= 100:
            return TaskStatus.DONE
        if self.actual_start is not None or self.percent_complete > 0:
            return TaskStatus.IN_PROGRESS
        return TaskStatus.NOT_STARTED


class DependencyType(models.TextChoices):
    FS = "FS", _("Finish to start")
    SS = "SS", _("Start to start")
    FF = "FF", _("Finish to finish")
    SF = "SF", _("Start to finish")


class Dependency(TenantModel):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="dependencies", verbose_name=_("project")
    )
    predecessor = models.ForeignKey(
        WbsElement, on_delete=models.CASCADE, related_name="successor_links", verbose_name=_("predecessor")
    )
    successor = models.ForeignKey(
        WbsElement, on_delete=models.CASCADE, related_name="predecessor_links", verbose_name=_("successor")
    )
    type = models.CharField(_("type"), max_length=2, choices=DependencyType, default=DependencyType.FS)
    lag = models.IntegerField(_("lag (working days)"), default=0)

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "predecessor", "successor"],
                name="dependency_once_per_pair",
                violation_error_message=_("These two tasks are already linked."),
            ),
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("successor")),
                name="dependency_not_on_itself",
                violation_error_message=_("A task cannot depend on itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} {self.type}{self.lag:+d} {self.successor_id}"


class Baseline(TenantModel):
    """A frozen copy of the plan to measure against. Immutable once saved."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="baselines", verbose_name=_("project"))
    name = models.CharField(_("name"), max_length=120)
    is_current = models.BooleanField(_("current"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    change_request = models.ForeignKey(
        "projects.ChangeRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("change request"),
    )

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["project", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "project", "name"],
                name="baseline_name_unique_in_project",
                violation_error_message=_("The project already has a baseline with this name."),
            ),
            models.UniqueConstraint(
                fields=["organization", "project"],
                condition=models.Q(is_current=True),
                name="baseline_one_current_per_project",
                violation_error_message=_("The project already has a current baseline."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BaselineTask(TenantModel):
    """A task as it stood in a baseline. The task may since be renamed, moved or deleted."""

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("baseline"))
    task = models.ForeignKey(
        WbsElement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("task")
    )
    code = models.CharField(_("WBS code"), max_length=64)
    sort_key = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=255)
    is_milestone = models.BooleanField(_("milestone"), default=False)
    start = models.DateField(_("baseline start"))
    finish = models.DateField(_("baseline finish"))
    duration = models.PositiveIntegerField(_("baseline duration"))
    budgeted_cost = models.DecimalField(_("baseline cost"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("baseline task")
        verbose_name_plural = _("baseline tasks")
        ordering = ["baseline", "sort_key"]
        indexes = [models.Index(fields=["organization", "baseline", "task"], name="baselinetask_org_task")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and not kwargs.get("update_fields") == ["task"]:
            raise ValueError("Baselines are immutable once saved.")
        super().save(*args, **kwargs)


class ProgressUpdate(TenantModel):
    """One progress report on a task: who, when, effective which day, old → new."""

    task = models.ForeignKey(WbsElement, on_delete=models.CASCADE, related_name="progress_updates")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    effective_date = models.DateField(_("effective date"))
    percent_complete = models.DecimalField(_("% complete"), max_digits=5, decimal_places=2)
    previous_percent_complete = models.DecimalField(max_digits=5, decimal_places=2)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    previous_actual_start = models.DateField(null=True, blank=True)
    actual_finish = models.DateField(_("actual finish"), null=True, blank=True)
    previous_actual_finish = models.DateField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["task", "-effective_date", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "project", "effective_date"], name="progress_org_project_date"),
            models.Index(fields=["organization", "task", "effective_date"], name="progress_org_task_date"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.percent_complete}% @ {self.effective_date}"


class ProjectSettings(TenantModel):
    """Per-organisation rules for change approval."""

    finance_approval_above = models.DecimalField(
        _("cost impact needing finance approval"),
        max_digits=16,
        decimal_places=2,
        default=Decimal("100000.00"),
        help_text=_("A change request whose cost impact exceeds this needs a finance approver."),
    )
    pmo_approval_above_days = models.PositiveIntegerField(
        _("schedule impact needing PMO approval (working days)"),
        default=10,
        help_text=_("A change request that slips the schedule by more than this needs a PMO approver."),
    )

    class Meta:
        verbose_name = _("project settings")
        verbose_name_plural = _("project settings")
        constraints = [models.UniqueConstraint(fields=["organization"], name="project_settings_one_per_org")]

    def __str__(self) -> str:
        return f"settings of {self.organization_id}"


class ChangeRequest(TenantModel):
    class Kind(models.TextChoices):
        SCOPE = "scope", _("Scope")
        SCHEDULE = "schedule", _("Schedule")
        COST = "cost", _("Cost")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        IMPLEMENTED = "implemented", _("Implemented")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="change_requests", verbose_name=_("project")
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    description = models.TextField(_("description"))
    reason = models.TextField(_("reason"))
    impact_days = models.IntegerField(_("schedule impact (working days)"), default=0)
    impact_cost = models.DecimalField(_("cost impact"), max_digits=16, decimal_places=2, default=Decimal("0.00"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    implemented_at = models.DateTimeField(_("implemented at"), null=True, blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "project", "number"], name="change_request_number_once")
        ]

    def __str__(self) -> str:
        return f"CR-{self.number} {self.title}"


class ChangeRequestElement(TenantModel):
    """A WBS element affected by a change request."""

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="affected")
    element = models.ForeignKey(WbsElement, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("affected element")
        verbose_name_plural = _("affected elements")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "change_request", "element"], name="change_request_element_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.change_request_id} → {self.element_id}"


class StatusReport(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REVIEWED = "reviewed", _("Reviewed")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="status_reports", verbose_name=_("project")
    )
    period_end = models.DateField(_("week ending"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    rag_schedule = models.CharField(_("schedule"), max_length=8, choices=Rag, default=Rag.GREEN)
    rag_cost = models.CharField(_("cost"), max_length=8, choices=Rag, default=Rag.GREEN)
    rag_scope = models.CharField(_("scope"), max_length=8, choices=Rag, default=Rag.GREEN)
    rag_quality = models.CharField(_("quality"), max_length=8, choices=Rag, default=Rag.GREEN)
    rag_risk = models.CharField(_("risk"), max_length=8, choices=Rag, default=Rag.GREEN)
    rag_overall = models.CharField(_("overall"), max_length=8, choices=Rag, default=Rag.GREEN)
    accomplishments = models.TextField(_("accomplishments"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    issues = models.TextField(_("issues"), blank=True)
    decisions_needed = models.TextField(_("decisions needed"), blank=True)
    figures = models.JSONField(_("computed figures"), default=dict, blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    class Meta:
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        ordering = ["project", "-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "project", "period_end"],
                name="status_report_once_per_week",
                violation_error_message=_("The project already has a status report for this week."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.period_end}"

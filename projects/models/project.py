"""Portfolios and projects: phases, roles, the project team, stage gates and the project settings."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.models import WorkingCalendar, currency_validator
from pmo.money import validate_money
from pmo.tenancy import TenantModel
from projects.querysets import ProjectManager


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
    CRITICAL = "critical", pgettext_lazy("priority", "Critical")


class ProjectRole(models.TextChoices):
    MANAGER = "manager", _("Project manager")
    COORDINATOR = "coordinator", _("Coordinator")
    CONTROLLER = "controller", _("Project controller")
    MEMBER = "member", _("Team member")
    CLIENT = "client", _("Client representative")
    CONSULTANT = "consultant", _("Consultant")


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
    computed_checks = models.JSONField(
        _("computed checks"),
        default=list,
        blank=True,
        help_text=_("[{code, label, passed, reason, evaluated_at}]: the checks the system evaluated."),
    )

    class Meta:
        verbose_name = _("stage gate")
        verbose_name_plural = _("stage gates")
        ordering = ["project", "approved_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_phase} → {self.to_phase}"


class GateCheckChoice(TenantModel):
    """The organisation's choice whether a registered computed check applies when leaving a phase.

    Without a row, the check's own default applies (``projects.gate_checks``).
    """

    from_phase = models.CharField(_("leaving phase"), max_length=16, choices=Phase)
    code = models.CharField(_("check"), max_length=64, help_text=_("The code of a registered gate check."))
    applies = models.BooleanField(_("applies"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("gate check choice")
        verbose_name_plural = _("gate check choices")
        ordering = ["from_phase", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "from_phase", "code"],
                name="gate_check_choice_once",
                violation_error_message=_("This check is already chosen for this phase."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_phase} {self.code}: {self.applies}"


class ProjectSettings(TenantModel):
    """Per-organisation rules for change approval."""

    finance_approval_above = models.DecimalField(
        _("cost impact needing finance approval"),
        max_digits=16,
        decimal_places=2,
        default=Decimal("100000.00"),
        validators=[validate_money],
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

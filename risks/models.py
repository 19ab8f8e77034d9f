"""The risk register: settings and categories, risks with their assessment history, responses with
actions, the issues log, three-point estimates of tasks and Monte Carlo runs.

A risk's derived figures (overall impact, score, level, EMV, next review) are stored on the row by
the services (``risks.services``) through ``risks.scoring``, so that the register sorts and filters on
them in the database and its lists read them as values.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from pmo.money import validate_money
from pmo.tenancy import TenantModel
from risks import scoring
from risks.querysets import IssueManager, RiskManager

ZERO = Decimal("0.00")
ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]
PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def money(verbose_name: object, **options: object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        max_digits=16,
        decimal_places=2,
        validators=[validate_money, MinValueValidator(ZERO)],
        **options,  # type: ignore[arg-type]
    )


class ImpactRule(models.TextChoices):
    HIGHEST = scoring.HIGHEST, _("Highest dimension")
    AVERAGE = scoring.AVERAGE, _("Average of the rated dimensions")


class Level(models.TextChoices):
    LOW = scoring.LOW, pgettext_lazy("risk level", "Low")
    MEDIUM = scoring.MEDIUM, pgettext_lazy("risk level", "Medium")
    HIGH = scoring.HIGH, pgettext_lazy("risk level", "High")


class RiskSettings(TenantModel):
    """The organisation's rules for scoring and reviewing risks; one row, made on first read."""

    impact_rule = models.CharField(_("overall impact"), max_length=8, choices=ImpactRule, default=ImpactRule.HIGHEST)
    # matrix[probability - 1][impact - 1] is a Level.
    matrix = models.JSONField(_("probability-impact matrix"), default=scoring.default_matrix)
    appetite = models.PositiveSmallIntegerField(
        _("risk appetite (score)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(25)],
        help_text=_("Risks scoring above this line need a response; the heat map draws it."),
    )
    percent_1 = models.DecimalField(
        _("probability 1 (%)"), max_digits=5, decimal_places=2, default=Decimal("10"), validators=PERCENT
    )
    percent_2 = models.DecimalField(
        _("probability 2 (%)"), max_digits=5, decimal_places=2, default=Decimal("30"), validators=PERCENT
    )
    percent_3 = models.DecimalField(
        _("probability 3 (%)"), max_digits=5, decimal_places=2, default=Decimal("50"), validators=PERCENT
    )
    percent_4 = models.DecimalField(
        _("probability 4 (%)"), max_digits=5, decimal_places=2, default=Decimal("70"), validators=PERCENT
    )
    percent_5 = models.DecimalField(
        _("probability 5 (%)"), max_digits=5, decimal_places=2, default=Decimal("90"), validators=PERCENT
    )
    review_days_high = models.PositiveSmallIntegerField(
        _("review a high risk every (days)"), default=7, validators=[MinValueValidator(1)]
    )
    review_days_medium = models.PositiveSmallIntegerField(
        _("review a medium risk every (days)"), default=30, validators=[MinValueValidator(1)]
    )
    review_days_low = models.PositiveSmallIntegerField(
        _("review a low risk every (days)"), default=90, validators=[MinValueValidator(1)]
    )
    confidence = models.PositiveSmallIntegerField(
        _("confidence level (%)"),
        default=80,
        validators=[MinValueValidator(50), MaxValueValidator(99)],
        help_text=_("The percentile of a Monte Carlo run that is quoted as the date and cost to commit to."),
    )
    optimistic_percent = models.PositiveSmallIntegerField(
        _("default optimistic (percent shorter)"), default=10, validators=[MaxValueValidator(99)]
    )
    pessimistic_percent = models.PositiveSmallIntegerField(
        _("default pessimistic (percent longer)"), default=25, validators=[MaxValueValidator(1000)]
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("risk settings")
        verbose_name_plural = _("risk settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="risk_settings_one_per_org"),
            models.CheckConstraint(
                condition=models.Q(percent_1__lte=models.F("percent_2"))
                & models.Q(percent_2__lte=models.F("percent_3"))
                & models.Q(percent_3__lte=models.F("percent_4"))
                & models.Q(percent_4__lte=models.F("percent_5")),
                name="risk_settings_percent_rises",
                violation_error_message=_("Each probability band's percentage is at least the one below it."),
            ),
        ]

    def __str__(self) -> str:
        return f"risk settings of {self.organization_id}"

    def percent_of(self, probability: int) -> Decimal:
        return getattr(self, f"percent_{probability}")

    def review_days(self, level: str) -> int | None:
        return getattr(self, f"review_days_{level}", None) if level else None


class RiskCategory(TenantModel):
    """A node of the organisation's risk breakdown structure (RBS); switched off, never deleted."""

    code = models.SlugField(_("code"), max_length=32)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("risk category")
        verbose_name_plural = _("risk categories")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="risk_category_code_unique_in_org",
                violation_error_message=_("A risk category with this code already exists."),
            ),
            models.CheckConstraint(
                condition=~models.Q(name_zh="") | ~models.Q(name_en=""),
                name="risk_category_has_a_name",
                violation_error_message=_("Give the category a name in at least one language."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return category_label(self.name_zh, self.name_en)


def category_label(name_zh: str, name_en: str) -> str:
    """The name in the reader's language, else the other one."""
    if (get_language() or "").startswith("zh"):
        return name_zh or name_en
    return name_en or name_zh


class RiskStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    ASSESSED = "assessed", _("Assessed")
    RESPONDING = "responding", _("Responding")
    MONITORING = "monitoring", _("Monitoring")
    OCCURRED = "occurred", _("Occurred")
    CLOSED = "closed", pgettext_lazy("risk status", "Closed")


OPEN_STATUSES = frozenset({RiskStatus.IDENTIFIED, RiskStatus.ASSESSED, RiskStatus.RESPONDING, RiskStatus.MONITORING})


class RiskKind(models.TextChoices):
    THREAT = "threat", _("Threat")
    OPPORTUNITY = "opportunity", _("Opportunity")


class Risk(TenantModel):
    """A risk of one project, or of the organisation (``project`` empty, owned by the PMO).

    ``code`` is R-001, R-002… per project (per organisation for organisation-level risks).
    Three assessments sit on the row: inherent (before any response: the first assessment),
    current (the latest) and target (the residual aimed at once the responses work).
    """

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="risks",
        verbose_name=_("project"),
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("threat or opportunity"), max_length=12, choices=RiskKind, default=RiskKind.THREAT)
    category = models.ForeignKey(RiskCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    cause = models.TextField(_("cause"), blank=True)
    event = models.TextField(_("event"), blank=True)
    effect = models.TextField(_("effect"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    trigger = models.TextField(_("trigger / early-warning sign"), blank=True)
    proximity = models.DateField(_("proximity"), null=True, blank=True, help_text=_("When the risk could occur."))
    status = models.CharField(_("status"), max_length=12, choices=RiskStatus, default=RiskStatus.IDENTIFIED)

    # Current assessment.
    probability = models.PositiveSmallIntegerField(_("probability"), null=True, blank=True, validators=ONE_TO_FIVE)
    impact_schedule = models.PositiveSmallIntegerField(
        _("schedule impact"), null=True, blank=True, validators=ONE_TO_FIVE
    )
    impact_cost = models.PositiveSmallIntegerField(_("cost impact"), null=True, blank=True, validators=ONE_TO_FIVE)
    impact_quality = models.PositiveSmallIntegerField(
        _("quality impact"), null=True, blank=True, validators=ONE_TO_FIVE
    )
    impact_safety = models.PositiveSmallIntegerField(
        _("safety and environment impact"), null=True, blank=True, validators=ONE_TO_FIVE
    )
    impact_reputation = models.PositiveSmallIntegerField(
        _("reputation impact"), null=True, blank=True, validators=ONE_TO_FIVE
    )
    impact = models.PositiveSmallIntegerField(_("overall impact"), null=True, blank=True, editable=False)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True, editable=False)
    level = models.CharField(_("level"), max_length=8, choices=Level, blank=True, editable=False)
    probability_percent = models.DecimalField(
        _("probability (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    # The percentage is the organisation's default for the probability band (and follows it when it changes).
    percent_is_default = models.BooleanField(_("band's default percentage"), default=True)
    cost_min = money(_("cost impact, minimum"), default=ZERO)
    cost_likely = money(_("cost impact, most likely"), default=ZERO)
    cost_max = money(_("cost impact, maximum"), default=ZERO)
    days_min = models.PositiveIntegerField(_("schedule impact, minimum (working days)"), default=0)
    days_likely = models.PositiveIntegerField(_("schedule impact, most likely (working days)"), default=0)
    days_max = models.PositiveIntegerField(_("schedule impact, maximum (working days)"), default=0)
    # Signed: negative for an opportunity.
    emv = models.DecimalField(_("EMV"), max_digits=16, decimal_places=2, default=ZERO, editable=False)

    # Inherent (the first assessment, before responses) and target residual.
    inherent_probability = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    inherent_impact = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    inherent_score = models.PositiveSmallIntegerField(_("inherent score"), null=True, blank=True, editable=False)
    inherent_level = models.CharField(_("inherent level"), max_length=8, choices=Level, blank=True, editable=False)
    target_probability = models.PositiveSmallIntegerField(
        _("target probability"), null=True, blank=True, validators=ONE_TO_FIVE
    )
    target_impact = models.PositiveSmallIntegerField(_("target impact"), null=True, blank=True, validators=ONE_TO_FIVE)
    target_score = models.PositiveSmallIntegerField(_("target score"), null=True, blank=True, editable=False)
    target_level = models.CharField(_("target level"), max_length=8, choices=Level, blank=True, editable=False)

    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True, editable=False)
    next_review = models.DateField(_("next review"), null=True, blank=True, editable=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    objects = RiskManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "project", "number"],
                condition=models.Q(project__isnull=False),
                name="risk_number_once_per_project",
            ),
            models.UniqueConstraint(
                fields=["organization", "number"],
                condition=models.Q(project__isnull=True),
                name="risk_number_once_per_org",
            ),
            models.CheckConstraint(
                condition=models.Q(cost_min__lte=models.F("cost_likely"))
                & models.Q(cost_likely__lte=models.F("cost_max")),
                name="risk_cost_points_in_order",
                violation_error_message=_("The cost impact's minimum ≤ most likely ≤ maximum."),
            ),
            models.CheckConstraint(
                condition=models.Q(days_min__lte=models.F("days_likely"))
                & models.Q(days_likely__lte=models.F("days_max")),
                name="risk_days_points_in_order",
                violation_error_message=_("The schedule impact's minimum ≤ most likely ≤ maximum."),
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=25),
                name="risk_score_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "project", "status"], name="risk_org_project_status"),
            models.Index(fields=["organization", "level", "status"], name="risk_org_level_status"),
            models.Index(fields=["organization", "next_review"], name="risk_org_next_review"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return risk_code(self.number)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_opportunity(self) -> bool:
        return self.kind == RiskKind.OPPORTUNITY

    def get_absolute_url(self) -> str:
        if self.project_id is None:
            return reverse("org-risk", args=[self.organization.slug, self.pk])
        return reverse("project-risk", args=[self.organization.slug, self.project_id, self.pk])


def risk_code(number: int) -> str:
    return f"R-{number:03d}"


class RiskWbsLink(TenantModel):
    """A WBS element a risk bears on: where its schedule impact lands in a Monte Carlo run."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="wbs_links")
    element = models.ForeignKey(
        "projects.WbsElement", on_delete=models.CASCADE, related_name="+", verbose_name=_("WBS element")
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "risk", "element"], name="risk_wbs_link_once")]


class RiskAssessment(TenantModel):
    """One entry of a risk's history: who changed its assessment or status, when, why, old → new.

    ``emv`` and ``is_open`` are the risk's values after the change: the exposure trend sums, at each
    date, the latest entry of every risk of the project.
    """

    class Kind(models.TextChoices):
        RAISED = "raised", _("Raised")
        ASSESSED = "assessed", _("Assessed")
        REVIEWED = "reviewed", _("Reviewed, unchanged")
        STATUS = "status", _("Status changed")

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="history")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    # {"field": [old, new]} for every field that changed.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    level = models.CharField(_("level"), max_length=8, choices=Level, blank=True)
    emv = models.DecimalField(_("EMV"), max_digits=16, decimal_places=2, default=ZERO)
    is_open = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk history")
        ordering = ["risk", "-at", "-id"]
        indexes = [models.Index(fields=["organization", "project", "at"], name="risk_history_org_project_at")]


class ResponseStrategy(models.TextChoices):
    AVOID = "avoid", _("Avoid")
    MITIGATE = "mitigate", _("Mitigate")
    TRANSFER = "transfer", _("Transfer")
    ACCEPT = "accept", _("Accept")
    ESCALATE = "escalate", _("Escalate")
    EXPLOIT = "exploit", _("Exploit")
    ENHANCE = "enhance", _("Enhance")
    SHARE = "share", _("Share")


THREAT_STRATEGIES = frozenset(
    {
        ResponseStrategy.AVOID,
        ResponseStrategy.MITIGATE,
        ResponseStrategy.TRANSFER,
        ResponseStrategy.ACCEPT,
        ResponseStrategy.ESCALATE,
    }
)
OPPORTUNITY_STRATEGIES = frozenset(
    {
        ResponseStrategy.EXPLOIT,
        ResponseStrategy.ENHANCE,
        ResponseStrategy.SHARE,
        ResponseStrategy.ACCEPT,
        ResponseStrategy.ESCALATE,
    }
)


class RiskResponse(TenantModel):
    """A planned response to a risk: its strategy and what it does; its actions carry the work."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="responses")
    strategy = models.CharField(_("strategy"), max_length=12, choices=ResponseStrategy)
    description = models.TextField(_("description"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("risk response")
        verbose_name_plural = _("risk responses")
        ordering = ["risk", "id"]


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ResponseAction(TenantModel):
    response = models.ForeignKey(RiskResponse, on_delete=models.CASCADE, related_name="actions")
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus, default=ActionStatus.PLANNED)
    cost = money(_("cost"), default=ZERO)
    # The budget line this action's cost was added to (finance's budget service), once.
    budget_line = models.ForeignKey(
        "finance.BudgetLine", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("response action")
        verbose_name_plural = _("response actions")
        ordering = ["response", "due", "id"]
        indexes = [models.Index(fields=["organization", "status", "due"], name="risk_action_org_status_due")]


class IssueSeverity(models.TextChoices):
    LOW = "low", pgettext_lazy("issue severity", "Low")
    MEDIUM = "medium", pgettext_lazy("issue severity", "Medium")
    HIGH = "high", pgettext_lazy("issue severity", "High")
    CRITICAL = "critical", pgettext_lazy("issue severity", "Critical")


class IssueStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("issue status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("issue status", "In progress")
    RESOLVED = "resolved", pgettext_lazy("issue status", "Resolved")
    CLOSED = "closed", pgettext_lazy("issue status", "Closed")


class Issue(TenantModel):
    """An issue of a project: something that has happened and needs resolving (I-001…)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="issues")
    number = models.PositiveIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=IssueSeverity, default=IssueSeverity.MEDIUM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=IssueStatus, default=IssueStatus.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    risk = models.ForeignKey(
        Risk, on_delete=models.PROTECT, null=True, blank=True, related_name="issues", verbose_name=_("from risk")
    )
    change_request = models.ForeignKey(
        "projects.ChangeRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)

    objects = IssueManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "project", "number"], name="issue_number_once"),
            # An occurred risk turns into one issue.
            models.UniqueConstraint(
                fields=["organization", "risk"], condition=models.Q(risk__isnull=False), name="issue_one_per_risk"
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["resolved", "closed"]) | ~models.Q(resolution=""),
                name="issue_resolved_has_resolution",
                violation_error_message=_("A resolved issue says how it was resolved."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "project", "status"], name="issue_org_project_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return f"I-{self.number:03d}"

    def get_absolute_url(self) -> str:
        return reverse("project-issue", args=[self.organization.slug, self.project_id, self.pk])


class TaskEstimate(TenantModel):
    """A task's three-point estimates for Monte Carlo runs, where they differ from the defaults.

    Without a row, a run takes the planned duration and budgeted cost less the organisation's
    optimistic percentage and plus its pessimistic percentage.
    """

    element = models.ForeignKey("projects.WbsElement", on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    optimistic_days = models.PositiveIntegerField(_("optimistic duration"))
    likely_days = models.PositiveIntegerField(_("most likely duration"))
    pessimistic_days = models.PositiveIntegerField(_("pessimistic duration"))
    optimistic_cost = money(_("optimistic cost"))
    likely_cost = money(_("most likely cost"))
    pessimistic_cost = money(_("pessimistic cost"))

    class Meta:
        verbose_name = _("three-point estimate")
        verbose_name_plural = _("three-point estimates")
        constraints = [
            models.UniqueConstraint(fields=["organization", "element"], name="task_estimate_once_per_element"),
            models.CheckConstraint(
                condition=models.Q(optimistic_days__lte=models.F("likely_days"))
                & models.Q(likely_days__lte=models.F("pessimistic_days")),
                name="task_estimate_days_in_order",
                violation_error_message=_("Optimistic ≤ most likely ≤ pessimistic duration."),
            ),
            models.CheckConstraint(
                condition=models.Q(optimistic_cost__lte=models.F("likely_cost"))
                & models.Q(likely_cost__lte=models.F("pessimistic_cost")),
                name="task_estimate_cost_in_order",
                violation_error_message=_("Optimistic ≤ most likely ≤ pessimistic cost."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "project"], name="task_estimate_org_project")]


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MonteCarloRun(TenantModel):
    """A quantitative schedule and cost analysis of a project, with a snapshot of its inputs.

    ``results`` holds the distributions (percentiles, histogram, S-curve), the criticality index of
    each task and the tornado; the figures the register, alerts and dashboard read are columns.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="monte_carlo_runs")
    status = models.CharField(_("status"), max_length=8, choices=RunStatus, default=RunStatus.QUEUED)
    iterations = models.PositiveIntegerField(
        _("iterations"), default=5000, validators=[MinValueValidator(100), MaxValueValidator(100_000)]
    )
    seed = models.BigIntegerField(_("seed"), validators=[MinValueValidator(0), MaxValueValidator(2**63 - 1)])
    confidence = models.PositiveSmallIntegerField(_("confidence level (%)"), default=80)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)
    results = models.JSONField(_("results"), default=dict, blank=True)
    baseline_finish = models.DateField(_("baseline finish"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=16, decimal_places=2, null=True, blank=True)
    deterministic_finish = models.DateField(_("deterministic finish"), null=True, blank=True)
    p50_finish = models.DateField(_("P50 finish"), null=True, blank=True)
    confident_finish = models.DateField(_("finish at the confidence level"), null=True, blank=True)
    confident_cost = models.DecimalField(
        _("cost at the confidence level"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    finish_probability = models.DecimalField(
        _("probability of meeting the baseline finish (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    budget_probability = models.DecimalField(
        _("probability of meeting the budget (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("Monte Carlo run")
        verbose_name_plural = _("Monte Carlo runs")
        ordering = ["project", "-requested_at", "-id"]
        constraints = [
            # A second request while one is queued or running joins it.
            models.UniqueConstraint(
                fields=["organization", "project"],
                condition=models.Q(status__in=["queued", "running"]),
                name="monte_carlo_one_active_run",
            )
        ]
        indexes = [models.Index(fields=["organization", "project", "status"], name="monte_carlo_org_project")]

    def __str__(self) -> str:
        return f"Monte Carlo run {self.pk} of project {self.project_id}"

    @property
    def is_active(self) -> bool:
        return self.status in {RunStatus.QUEUED, RunStatus.RUNNING}

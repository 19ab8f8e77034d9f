"""Quality, safety and acceptance: the standards library, versioned checklist templates, each
project's inspection and test plan, inspections with their readings, non-conformances driven
through corrective action to verified closure, deliverables' acceptance and the customer survey.

A reading's verdict and an inspection's outcome are computed by ``quality.rules`` in the services
(``quality.services``) and stored on the rows, so that lists and figures read them as values.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from pmo.tenancy import TenantModel
from quality import rules

ZERO = Decimal("0.00")
ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


def _bilingual(name_zh: str, name_en: str) -> str:
    """The name in the active language, falling back to the other one."""
    if (get_language() or "").lower().startswith("zh"):
        return name_zh or name_en
    return name_en or name_zh


class Severity(models.TextChoices):
    MINOR = rules.MINOR, pgettext_lazy("quality severity", "Minor")
    MAJOR = rules.MAJOR, pgettext_lazy("quality severity", "Major")
    CRITICAL = rules.CRITICAL, pgettext_lazy("quality severity", "Critical")


class Discipline(models.TextChoices):
    """What an inspection type is about; the same engine serves all of them."""

    QUALITY = "quality", pgettext_lazy("inspection discipline", "Quality")
    SAFETY = "safety", pgettext_lazy("inspection discipline", "Safety")
    ENVIRONMENT = "environment", pgettext_lazy("inspection discipline", "Environment")
    AUDIT = "audit", pgettext_lazy("inspection discipline", "Audit")


#: Disciplines whose inspections the organisation may open to project roles besides the quality role.
FIELD_DISCIPLINES = frozenset({Discipline.SAFETY, Discipline.ENVIRONMENT})


class NcMode(models.TextChoices):
    PER_ITEM = "per_item", _("One non-conformance per failed item")
    PER_INSPECTION = "per_inspection", _("One non-conformance per failed inspection")


class QualitySettings(TenantModel):
    """The organisation's quality rules; one row, made on first read."""

    nc_mode = models.CharField(
        _("non-conformances from a failed inspection"), max_length=16, choices=NcMode, default=NcMode.PER_ITEM
    )
    due_days_critical = models.PositiveSmallIntegerField(
        _("a critical non-conformance is due in (days)"), default=2, validators=[MinValueValidator(1)]
    )
    due_days_major = models.PositiveSmallIntegerField(
        _("a major non-conformance is due in (days)"), default=7, validators=[MinValueValidator(1)]
    )
    due_days_minor = models.PositiveSmallIntegerField(
        _("a minor non-conformance is due in (days)"), default=14, validators=[MinValueValidator(1)]
    )
    #: Project roles (besides the quality role) that may carry out safety and environment inspections.
    field_inspector_roles = models.JSONField(
        _("project roles that may inspect safety and environment"), default=list, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("quality settings")
        verbose_name_plural = _("quality settings")
        constraints = [models.UniqueConstraint(fields=["organization"], name="quality_settings_one_per_org")]

    def __str__(self) -> str:
        return f"quality settings of {self.organization_id}"

    def due_days(self, severity: str) -> int:
        return {
            Severity.CRITICAL: self.due_days_critical,
            Severity.MAJOR: self.due_days_major,
        }.get(severity, self.due_days_minor)  # type: ignore[call-overload]


class Standard(TenantModel):
    """An entry of the organisation's standards library: a standard's clause an item may cite."""

    code = models.CharField(_("standard number"), max_length=64, help_text=_("For example GB 50204-2015."))
    title = models.CharField(_("title"), max_length=255)
    clause = models.CharField(_("clause"), max_length=64, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["code", "clause"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code", "clause"], name="quality_standard_unique_clause"),
            models.CheckConstraint(condition=~Q(code=""), name="quality_standard_code_present"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.clause}".strip()


class InspectionType(TenantModel):
    """Quality, safety, environment and audit come with every organisation; each may add more."""

    code = models.SlugField(_("code"), max_length=32)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    discipline = models.CharField(_("discipline"), max_length=16, choices=Discipline, default=Discipline.QUALITY)
    builtin = models.BooleanField(_("built in"), default=False, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("inspection type")
        verbose_name_plural = _("inspection types")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="quality_inspection_type_unique_code"),
            models.CheckConstraint(condition=~Q(name_zh="") | ~Q(name_en=""), name="quality_inspection_type_named"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _bilingual(self.name_zh, self.name_en)


class ChecklistTemplate(TenantModel):
    """One version of a checklist. ``code`` names the template across its versions; editing a
    version that inspections used makes the next one, and only one version is current."""

    code = models.CharField(_("code"), max_length=32)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    is_current = models.BooleanField(_("current version"), default=True, editable=False)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    inspection_type = models.ForeignKey(
        InspectionType, on_delete=models.PROTECT, related_name="templates", verbose_name=_("inspection type")
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code", "version"], name="quality_template_unique_version"),
            models.UniqueConstraint(
                fields=["organization", "code"], condition=Q(is_current=True), name="quality_template_one_current"
            ),
            models.CheckConstraint(condition=~Q(code=""), name="quality_template_code_present"),
            models.CheckConstraint(condition=~Q(name_zh="") | ~Q(name_en=""), name="quality_template_named"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def name(self) -> str:
        return _bilingual(self.name_zh, self.name_en)


class ItemKind(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Pass or fail")
    NUMERIC = "numeric", _("Numeric reading")
    COMPOUND = "compound", _("Two readings that must both breach")
    CHOICE = "choice", _("Choice from a list")
    TEXT = "text", _("Text")
    PHOTO = "photo", _("Photo required")


class Comparator(models.TextChoices):
    LTE = rules.LTE, "≤"
    LT = rules.LT, "<"
    GTE = rules.GTE, "≥"
    GT = rules.GT, ">"
    BETWEEN = rules.BETWEEN, _("between")
    TOLERANCE = rules.TOLERANCE, _("target ± tolerance")


def _limit_field(verbose_name: object) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=4, null=True, blank=True)  # type: ignore[arg-type]


class ChecklistItem(TenantModel):
    """One check of a template version. Numeric and compound items state their requirement
    (``quality.rules.Limit``); a choice item lists its options with which are acceptable."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("template")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    text_zh = models.CharField(_("check (Chinese)"), max_length=255, blank=True)
    text_en = models.CharField(_("check (English)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind, default=ItemKind.PASS_FAIL)
    severity = models.CharField(_("severity if it fails"), max_length=8, choices=Severity, default=Severity.MINOR)
    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("standard clause")
    )
    max_readings = models.PositiveSmallIntegerField(
        _("readings allowed"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    comparator = models.CharField(_("comparator"), max_length=16, choices=Comparator, blank=True)
    limit_a = _limit_field(_("limit (or lower limit, or target)"))
    limit_b = _limit_field(_("upper limit (or tolerance)"))
    second_label = models.CharField(_("second reading"), max_length=100, blank=True)
    second_unit = models.CharField(_("second unit"), max_length=16, blank=True)
    second_comparator = models.CharField(_("second comparator"), max_length=16, choices=Comparator, blank=True)
    second_limit_a = _limit_field(_("second limit (or lower limit, or target)"))
    second_limit_b = _limit_field(_("second upper limit (or tolerance)"))
    #: ``[{"key": "ok", "label": "完好 / Sound", "acceptable": true}, ...]``: readings store the key.
    options = models.JSONField(_("options"), default=list, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text_zh="") | ~Q(text_en=""), name="quality_item_worded"),
            models.CheckConstraint(
                condition=~Q(kind__in=[ItemKind.NUMERIC, ItemKind.COMPOUND])
                | (~Q(comparator="") & Q(limit_a__isnull=False)),
                name="quality_item_numeric_has_limit",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ItemKind.COMPOUND) | (~Q(second_comparator="") & Q(second_limit_a__isnull=False)),
                name="quality_item_compound_has_second_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _bilingual(self.text_zh, self.text_en)

    def limit(self) -> rules.Limit | None:
        if not self.comparator or self.limit_a is None:
            return None
        return rules.Limit(self.comparator, self.limit_a, self.limit_b, self.unit)

    def second_limit(self) -> rules.Limit | None:
        if not self.second_comparator or self.second_limit_a is None:
            return None
        return rules.Limit(self.second_comparator, self.second_limit_a, self.second_limit_b, self.second_unit)

    def requirement(self) -> str:
        """The rule shown next to the check: ``≤ 20 mm``; ``≥ 3 mm, ≤ 100 mm`` for a compound item."""
        first, second = self.limit(), self.second_limit()
        if first is None:
            return ""
        if second is None:
            return first.requirement()
        return f"{first.requirement()}; {self.second_label} {second.requirement()}".strip()


class PlanEntry(TenantModel):
    """A line of a project's inspection and test plan: which template applies where and when."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="quality_plan", verbose_name=_("project")
    )
    template_code = models.CharField(
        _("template"), max_length=32, help_text=_("The current version is used when the inspection is done.")
    )
    wbs_element = models.ForeignKey(
        "projects.WbsElement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("WBS element or milestone"),
    )
    phase = models.CharField(_("phase"), max_length=16, blank=True)
    planned_date = models.DateField(_("planned date"), null=True, blank=True)
    before_task_finish = models.BooleanField(_("before the task may finish"), default=False)
    inspector_role = models.CharField(_("inspector role"), max_length=32, blank=True)
    hold_point = models.BooleanField(
        _("hold point"),
        default=False,
        help_text=_("The task cannot be reported complete until this inspection has passed."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("inspection plan entry")
        verbose_name_plural = _("inspection plan entries")
        ordering = ["project", "planned_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(wbs_element__isnull=False) | ~Q(phase=""), name="quality_plan_entry_has_scope"
            ),
            models.CheckConstraint(
                condition=Q(hold_point=False) | Q(wbs_element__isnull=False), name="quality_hold_point_on_element"
            ),
            models.CheckConstraint(
                condition=Q(before_task_finish=False) | Q(wbs_element__isnull=False),
                name="quality_before_finish_on_element",
            ),
        ]
        indexes = [models.Index(fields=["organization", "wbs_element"], name="quality_plan_element_idx")]

    def __str__(self) -> str:
        return f"{self.template_code} @ {self.wbs_element_id or self.phase}"


class InspectionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    SIGNED = "signed", _("Signed off")
    CANCELLED = "cancelled", _("Cancelled")


class Outcome(models.TextChoices):
    PASSED = rules.PASSED, pgettext_lazy("inspection outcome", "Passed")
    PASSED_WITH_REMARKS = rules.PASSED_WITH_REMARKS, pgettext_lazy("inspection outcome", "Passed with remarks")
    FAILED = rules.FAILED, pgettext_lazy("inspection outcome", "Failed")


class Inspection(TenantModel):
    """An inspection of one template version, scheduled from the plan or ad hoc; I-001… per project."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="inspections", verbose_name=_("project")
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("template")
    )
    inspection_type = models.ForeignKey(
        InspectionType, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspection type")
    )
    plan_entry = models.ForeignKey(
        PlanEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("plan entry"),
    )
    reinspection_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reinspections",
        verbose_name=_("re-inspection of"),
    )
    wbs_element = models.ForeignKey(
        "projects.WbsElement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("WBS element"),
    )
    location = models.CharField(_("location"), max_length=255, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspector"),
    )
    scheduled_date = models.DateField(_("scheduled date"), null=True, blank=True)
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=InspectionStatus, default=InspectionStatus.SCHEDULED)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "project", "number"], name="quality_inspection_number"),
            models.CheckConstraint(
                condition=~Q(status=InspectionStatus.SIGNED) | (~Q(outcome="") & Q(signed_at__isnull=False)),
                name="quality_signed_inspection_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(status=InspectionStatus.SIGNED) | Q(outcome=""),
                name="quality_outcome_only_when_signed",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "project", "status"], name="quality_inspection_status_idx"),
            models.Index(fields=["organization", "status", "scheduled_date"], name="quality_inspection_due_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"I-{self.number:03d}"

    @property
    def is_open(self) -> bool:
        return self.status in (InspectionStatus.SCHEDULED, InspectionStatus.IN_PROGRESS)

    def get_absolute_url(self) -> str:
        return reverse(
            "quality-inspection",
            kwargs={"org_slug": self.organization.slug, "project_id": self.project_id, "inspection_id": self.pk},
        )


class Reading(TenantModel):
    """One reading of one item in an inspection, judged when it is recorded."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="readings", verbose_name=_("inspection")
    )
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    sequence = models.PositiveSmallIntegerField(_("reading number"), default=1)
    number = models.DecimalField(_("reading"), max_digits=14, decimal_places=4, null=True, blank=True)
    second_number = models.DecimalField(_("second reading"), max_digits=14, decimal_places=4, null=True, blank=True)
    passed_check = models.BooleanField(_("passes"), null=True, blank=True)
    choice = models.CharField(_("choice"), max_length=64, blank=True)
    text = models.TextField(_("text"), blank=True)
    #: The verdict: None for what is never judged (text).
    passed = models.BooleanField(_("passed"), null=True)
    judgement = models.CharField(_("judgement"), max_length=255, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["inspection", "item__position", "item_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "inspection", "item", "sequence"], name="quality_reading_unique_sequence"
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="quality_reading_sequence_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.item_id}#{self.sequence}"


class NcStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("non-conformance", "Open")
    ANALYSIS = "analysis", _("Root cause analysis")
    ACTION_PLAN = "action_plan", _("Action plan")
    IN_PROGRESS = "in_progress", _("Corrective work in progress")
    VERIFICATION = "verification", _("Awaiting verification")
    CLOSED = "closed", pgettext_lazy("non-conformance", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("non-conformance", "Cancelled")


OPEN_NC_STATUSES = (
    NcStatus.OPEN,
    NcStatus.ANALYSIS,
    NcStatus.ACTION_PLAN,
    NcStatus.IN_PROGRESS,
    NcStatus.VERIFICATION,
)


class PartyKind(models.TextChoices):
    MEMBER = "member", _("Member")
    CONTRACTOR = "contractor", _("Contractor")
    SUPPLIER = "supplier", _("Supplier")


class NonConformance(TenantModel):
    """A non-conformance (质量问题), raised from an inspection or directly; NC-001… per project."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="non_conformances", verbose_name=_("project")
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity, default=Severity.MINOR)
    inspection_type = models.ForeignKey(
        InspectionType, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspection type")
    )
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="non_conformances",
        verbose_name=_("inspection"),
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    reading = models.ForeignKey(
        Reading, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reading")
    )
    wbs_element = models.ForeignKey(
        "projects.WbsElement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("WBS element"),
    )
    location = models.CharField(_("location"), max_length=255, blank=True)
    responsible_kind = models.CharField(
        _("responsible party"), max_length=16, choices=PartyKind, default=PartyKind.MEMBER
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible member"),
    )
    responsible_name = models.CharField(_("responsible contractor or supplier"), max_length=200, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=NcStatus, default=NcStatus.OPEN)
    root_cause = models.TextField(_("root cause"), blank=True)
    verification_note = models.TextField(_("verification"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    rework_cost = models.DecimalField(_("rework cost"), max_digits=16, decimal_places=2, default=ZERO)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    raised_on = models.DateField(_("raised on"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    #: Calendar days from raised to closed, kept when it closes for the closure-time figures.
    days_to_close = models.PositiveIntegerField(_("days to close"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("non-conformance")
        verbose_name_plural = _("non-conformances")
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "project", "number"], name="quality_nc_number"),
            models.CheckConstraint(condition=~Q(title=""), name="quality_nc_titled"),
            models.CheckConstraint(condition=Q(rework_cost__gte=0), name="quality_nc_rework_not_negative"),
            models.CheckConstraint(
                condition=~Q(status=NcStatus.CLOSED) | (Q(closed_on__isnull=False) & ~Q(verification_note="")),
                name="quality_closed_nc_verified",
            ),
            models.CheckConstraint(
                condition=~Q(status=NcStatus.CANCELLED) | ~Q(cancel_reason=""), name="quality_cancelled_nc_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(responsible_kind=PartyKind.MEMBER) | ~Q(responsible_name=""),
                name="quality_nc_party_named",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "project", "status"], name="quality_nc_status_idx"),
            models.Index(fields=["organization", "status", "due_date"], name="quality_nc_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return f"NC-{self.number:03d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_NC_STATUSES

    def get_absolute_url(self) -> str:
        return reverse(
            "quality-nc",
            kwargs={"org_slug": self.organization.slug, "project_id": self.project_id, "nc_id": self.pk},
        )


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", _("Corrective")
    PREVENTIVE = "preventive", _("Preventive")


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("corrective action", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("corrective action", "In progress")
    DONE = "done", pgettext_lazy("corrective action", "Done")
    CANCELLED = "cancelled", pgettext_lazy("corrective action", "Cancelled")


ENDED_ACTION_STATUSES = (ActionStatus.DONE, ActionStatus.CANCELLED)


class CorrectiveAction(TenantModel):
    """A corrective or preventive action of a non-conformance's plan."""

    non_conformance = models.ForeignKey(
        NonConformance, on_delete=models.CASCADE, related_name="actions", verbose_name=_("non-conformance")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ActionKind, default=ActionKind.CORRECTIVE)
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=ActionStatus, default=ActionStatus.OPEN)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    completed_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["non_conformance", "due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="quality_action_described"),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DONE) | Q(completed_on__isnull=False), name="quality_done_action_dated"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]


class NcEvent(TenantModel):
    """The history of a non-conformance as its page shows it: each transition, who, when, why."""

    non_conformance = models.ForeignKey(
        NonConformance, on_delete=models.CASCADE, related_name="events", verbose_name=_("non-conformance")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=NcStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=NcStatus)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("non-conformance event")
        verbose_name_plural = _("non-conformance events")
        ordering = ["non_conformance", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ReworkCost(TenantModel):
    """Rework cost of a non-conformance, recorded as an actual cost of the project through finance."""

    non_conformance = models.ForeignKey(
        NonConformance, on_delete=models.CASCADE, related_name="rework_costs", verbose_name=_("non-conformance")
    )
    actual_cost = models.ForeignKey(
        "finance.ActualCost", on_delete=models.PROTECT, related_name="+", verbose_name=_("actual cost")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("rework cost")
        verbose_name_plural = _("rework costs")
        ordering = ["non_conformance", "recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "actual_cost"], name="quality_rework_cost_once"),
        ]

    def __str__(self) -> str:
        return f"rework of {self.non_conformance_id}"


class AcceptanceStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")
    CONDITIONAL = "conditional", _("Accepted with conditions")
    REJECTED = "rejected", _("Rejected")


ACCEPTED_STATUSES = (AcceptanceStatus.ACCEPTED, AcceptanceStatus.CONDITIONAL)


class Deliverable(TenantModel):
    """A WBS element the project manager flagged as a deliverable, with its acceptance record."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="deliverables", verbose_name=_("project")
    )
    wbs_element = models.ForeignKey(
        "projects.WbsElement", on_delete=models.CASCADE, related_name="+", verbose_name=_("WBS element")
    )
    criteria = models.TextField(_("acceptance criteria"), blank=True)
    inspections = models.ManyToManyField(
        Inspection, blank=True, related_name="deliverables", verbose_name=_("inspections it relies on")
    )
    status = models.CharField(
        _("acceptance"), max_length=16, choices=AcceptanceStatus, default=AcceptanceStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    decided_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    decision_note = models.TextField(_("reasons or remarks"), blank=True)
    non_conformance = models.ForeignKey(
        NonConformance,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("non-conformance of the rejection"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "wbs_element"], name="quality_deliverable_once"),
            models.CheckConstraint(
                condition=Q(status=AcceptanceStatus.PENDING) | Q(decided_at__isnull=False),
                name="quality_decided_deliverable_signed",
            ),
            models.CheckConstraint(
                condition=~Q(status=AcceptanceStatus.REJECTED) | ~Q(decision_note=""),
                name="quality_rejection_has_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"deliverable {self.wbs_element_id}"


class AcceptanceDecision(TenantModel):
    """Each sign-off of a deliverable, kept: a rejected deliverable may be offered and signed again."""

    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("deliverable")
    )
    status = models.CharField(_("decision"), max_length=16, choices=AcceptanceStatus)
    note = models.TextField(_("reasons or remarks"), blank=True)
    signer_role = models.CharField(_("signed as"), max_length=32, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        verbose_name = _("acceptance decision")
        verbose_name_plural = _("acceptance decisions")
        ordering = ["deliverable", "-signed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=AcceptanceStatus.PENDING), name="quality_decision_is_a_decision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deliverable_id}: {self.status}"


class AcceptanceCondition(TenantModel):
    """A condition of a conditional acceptance, tracked to closure."""

    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("deliverable")
    )
    text = models.TextField(_("condition"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closing_note = models.TextField(_("how it was met"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("acceptance condition")
        verbose_name_plural = _("acceptance conditions")
        ordering = ["deliverable", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="quality_condition_worded")]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class SatisfactionSurvey(TenantModel):
    """The customer's satisfaction at closing: one per project, 1 to 5 on four dimensions."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    quality = models.PositiveSmallIntegerField(_("quality"), validators=ONE_TO_FIVE)
    schedule = models.PositiveSmallIntegerField(_("schedule"), validators=ONE_TO_FIVE)
    communication = models.PositiveSmallIntegerField(_("communication"), validators=ONE_TO_FIVE)
    service = models.PositiveSmallIntegerField(_("service"), validators=ONE_TO_FIVE)
    comments = models.TextField(_("comments"), blank=True)
    respondent = models.CharField(_("respondent"), max_length=200, blank=True)
    on_behalf = models.BooleanField(_("entered on the client's behalf"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer satisfaction survey")
        verbose_name_plural = _("customer satisfaction surveys")
        constraints = [
            models.UniqueConstraint(fields=["organization", "project"], name="quality_survey_one_per_project"),
            models.CheckConstraint(
                condition=Q(quality__range=(1, 5))
                & Q(schedule__range=(1, 5))
                & Q(communication__range=(1, 5))
                & Q(service__range=(1, 5)),
                name="quality_survey_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"satisfaction of {self.project_id}"

    @property
    def average(self) -> Decimal:
        total = Decimal(self.quality + self.schedule + self.communication + self.service)
        return (total / 4).quantize(Decimal("0.01"))

"""Resources: the organisation's pool, capacity, dated cost rates, assignments to tasks, requests,
leveling proposals and weekly timesheets whose approved hours become labour cost in finance.

Load is never stored per day: an assignment keeps its work (or units) and is spread over its
task's working days when read (``resources.capacity``), so rescheduling a task moves its load with
it. Capacity comes from the resource's calendar (or the organisation's default), its hours per day
and maximum units, less part-time periods; leave and training are load, not lost capacity, so an
assignment on a day of leave shows as an over-allocation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.tenancy import TenantModel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ZERO = Decimal("0")
ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]
POSITIVE = [MinValueValidator(Decimal("0"))]


class ResourceKind(models.TextChoices):
    PERSON = "person", pgettext_lazy("resource kind", "Person")
    EQUIPMENT = "equipment", pgettext_lazy("resource kind", "Equipment")
    MATERIAL = "material", pgettext_lazy("resource kind", "Material")


#: Kinds whose work is counted in hours against a capacity; materials are counted in their unit.
TIMED_KINDS = frozenset({ResourceKind.PERSON, ResourceKind.EQUIPMENT})


class ResourceSettings(TenantModel):
    """The organisation's resource rules; one row, made on first read.

    The alert thresholds (utilisation above which an over-allocation alerts, days a timesheet line
    may wait for approval) are the alert rules' own, set on the alert rules page like every kind's.
    """

    default_hours_per_day = models.DecimalField(
        _("hours per working day"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("8"),
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
    )
    overallocation_weeks = models.PositiveSmallIntegerField(
        _("look ahead for over-allocations (weeks)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    #: Weekday (0 = Monday) and time by which last week's timesheet is due.
    timesheet_deadline_weekday = models.PositiveSmallIntegerField(
        _("last week's timesheet is due on"), default=0, validators=[MaxValueValidator(6)]
    )
    timesheet_deadline_time = models.TimeField(_("at"), default=dt.time(12, 0))
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("resource settings")
        verbose_name_plural = _("resource settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="resource_settings_one_per_org"),
        ]

    def __str__(self) -> str:
        return str(_("Resource settings"))


class ResourceRole(TenantModel):
    """A discipline or role a resource fills and a request asks for ("civil engineer", "excavator crew")."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind, default=ResourceKind.PERSON)

    class Meta:
        verbose_name = _("resource role")
        verbose_name_plural = _("resource roles")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="resource_role_name_unique_in_org",
                violation_error_message=_("A role with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Skill(TenantModel):
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="skill_name_unique_in_org",
                violation_error_message=_("A skill with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Resource(TenantModel):
    """A person, a piece or pool of equipment, or a material; a placeholder stands for a role."""

    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind, default=ResourceKind.PERSON)
    is_placeholder = models.BooleanField(
        _("placeholder"), default=False, help_text=_("Stands for a role until a named resource replaces it.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    role = models.ForeignKey(
        ResourceRole,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("role"),
    )
    department = models.CharField(_("department"), max_length=120, blank=True)
    calendar = models.ForeignKey(
        "pmo.WorkingCalendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("calendar"),
        help_text=_("Empty: the organisation's default calendar."),
    )
    hours_per_day = models.DecimalField(
        _("hours per working day"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("8"),
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
    )
    max_units = models.DecimalField(
        _("maximum units (%)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("10000"))],
        help_text=_("100 % is one full-time person or machine; a crew of three is 300 %."),
    )
    unit = models.CharField(
        _("unit of measure"), max_length=32, blank=True, help_text=_("Materials only, e.g. m³, t, piece.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("replaced by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["code"]
        indexes = [models.Index(fields=["organization", "kind", "department"], name="resource_org_kind_dept")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="resource_code_unique_in_org",
                violation_error_message=_("A resource with this code already exists."),
            ),
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=Q(user__isnull=False),
                name="resource_one_per_user_in_org",
                violation_error_message=_("This user is already a resource of the organisation."),
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=True) | Q(kind=ResourceKind.PERSON, is_placeholder=False),
                name="resource_user_only_for_named_people",
                violation_error_message=_("Only a named person can be linked to a user."),
            ),
            models.CheckConstraint(
                condition=Q(max_units__gt=0) & Q(hours_per_day__gt=0),
                name="resource_capacity_positive",
                violation_error_message=_("Hours per day and maximum units must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_timed(self) -> bool:
        return self.kind in TIMED_KINDS


class ResourceSkill(TenantModel):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="skills", verbose_name=_("resource"))
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="holders", verbose_name=_("skill"))
    level = models.PositiveSmallIntegerField(_("level (1 to 5)"), default=3, validators=ONE_TO_FIVE)

    class Meta:
        verbose_name = _("resource skill")
        verbose_name_plural = _("resource skills")
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "resource", "skill"],
                name="resource_skill_once",
                violation_error_message=_("The resource already has this skill."),
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="resource_skill_level_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.skill_id} {self.level}"


class ExceptionKind(models.TextChoices):
    LEAVE = "leave", pgettext_lazy("resource exception", "Leave")
    TRAINING = "training", pgettext_lazy("resource exception", "Training")
    PART_TIME = "part_time", pgettext_lazy("resource exception", "Part-time")
    OTHER = "other", pgettext_lazy("resource exception", "Other absence")


#: Exception kinds that count as load (the person is away) rather than as a smaller capacity.
ABSENCE_KINDS = frozenset({ExceptionKind.LEAVE, ExceptionKind.TRAINING, ExceptionKind.OTHER})


class ResourceException(TenantModel):
    """A personal period off the calendar: leave, training, another absence, or part-time hours."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="exceptions", verbose_name=_("resource")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ExceptionKind, default=ExceptionKind.LEAVE)
    start = models.DateField(_("from"))
    finish = models.DateField(_("to"))
    hours_per_day = models.DecimalField(
        _("hours per working day"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
        help_text=_("Part-time: the hours worked on each working day. Empty for a whole-day absence."),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("resource exception")
        verbose_name_plural = _("resource exceptions")
        ordering = ["resource", "start"]
        indexes = [models.Index(fields=["organization", "resource", "start"], name="resource_exception_org_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(finish__gte=models.F("start")),
                name="resource_exception_finish_after_start",
                violation_error_message=_("The period ends before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(kind=ExceptionKind.PART_TIME, hours_per_day__isnull=False)
                | (~Q(kind=ExceptionKind.PART_TIME) & Q(hours_per_day__isnull=True)),
                name="resource_exception_hours_only_part_time",
                violation_error_message=_("Give the hours per day for a part-time period, and only for one."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.start}..{self.finish}"


class CostRate(TenantModel):
    """A resource's rate from a date on; the one in force on the day the work is done is used."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="rates", verbose_name=_("resource"))
    effective_from = models.DateField(_("effective from"))
    standard_rate = models.DecimalField(
        _("standard rate"),
        max_digits=14,
        decimal_places=2,
        validators=POSITIVE,
        help_text=_("Per hour for people and equipment; per unit for materials."),
    )
    overtime_rate = models.DecimalField(
        _("overtime rate"), max_digits=14, decimal_places=2, null=True, blank=True, validators=POSITIVE
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("cost rate")
        verbose_name_plural = _("cost rates")
        ordering = ["resource", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "resource", "effective_from"],
                name="cost_rate_one_per_day",
                violation_error_message=_("The resource already has a rate from this date."),
            ),
            models.CheckConstraint(
                condition=Q(standard_rate__gte=0) & (Q(overtime_rate__isnull=True) | Q(overtime_rate__gte=0)),
                name="cost_rate_not_negative",
                violation_error_message=_("A rate cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from} {self.standard_rate}"


class ProjectResourcing(TenantModel):
    """A project's resource rules: whether its tasks' planned cost comes from their assignments."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    bottom_up_costing = models.BooleanField(
        _("planned cost from assignments"),
        default=False,
        help_text=_("Each task's planned cost is its assigned work times the rates in force (bottom-up costing)."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("project resourcing")
        verbose_name_plural = _("project resourcing")
        constraints = [
            models.UniqueConstraint(fields=["organization", "project"], name="project_resourcing_one_per_project"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.bottom_up_costing}"


class AssignmentMode(models.TextChoices):
    UNITS = "units", _("Units (%)")
    WORK = "work", _("Total work")


class Assignment(TenantModel):
    """A resource on a task; its work is spread evenly over the task's working days when read."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    task = models.ForeignKey("projects.WbsElement", on_delete=models.CASCADE, related_name="+", verbose_name=_("task"))
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("resource")
    )
    mode = models.CharField(_("given as"), max_length=8, choices=AssignmentMode, default=AssignmentMode.UNITS)
    #: Units in % of one full-time resource (given, or derived from the work).
    units = models.DecimalField(
        _("units (%)"), max_digits=8, decimal_places=2, default=Decimal("100"), validators=POSITIVE
    )
    #: Total work: hours for people and equipment, the material's unit for materials (given, or derived).
    work = models.DecimalField(_("work"), max_digits=14, decimal_places=2, default=ZERO, validators=POSITIVE)
    request = models.ForeignKey(
        "ResourceRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("request"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["project", "task", "resource"]
        indexes = [
            models.Index(fields=["organization", "resource"], name="assignment_org_resource"),
            models.Index(fields=["organization", "project", "task"], name="assignment_org_project_task"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "task", "resource"],
                name="assignment_once_per_task",
                violation_error_message=_("The resource is already assigned to this task."),
            ),
            models.CheckConstraint(
                condition=Q(units__gte=0) & Q(work__gte=0),
                name="assignment_not_negative",
                violation_error_message=_("Units and work cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} @ {self.task_id}"


class RequestStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("resource request", "Open")
    PROPOSED = "proposed", pgettext_lazy("resource request", "Proposed")
    FULFILLED = "fulfilled", pgettext_lazy("resource request", "Fulfilled")
    DECLINED = "declined", pgettext_lazy("resource request", "Declined")
    CANCELLED = "cancelled", pgettext_lazy("resource request", "Cancelled")


OPEN_REQUEST_STATUSES = frozenset({RequestStatus.OPEN, RequestStatus.PROPOSED})


class ResourceRequest(TenantModel):
    """A project manager's ask for a role or skill, hours and a period; RQ-001… per project."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    task = models.ForeignKey("projects.WbsElement", on_delete=models.CASCADE, related_name="+", verbose_name=_("task"))
    role = models.ForeignKey(
        ResourceRole, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("role")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("skill")
    )
    min_level = models.PositiveSmallIntegerField(_("at least level"), default=1, validators=ONE_TO_FIVE)
    hours = models.DecimalField(
        _("hours"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    start = models.DateField(_("from"))
    finish = models.DateField(_("to"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus, default=RequestStatus.OPEN)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("resource request")
        verbose_name_plural = _("resource requests")
        ordering = ["project", "-number"]
        indexes = [models.Index(fields=["organization", "status"], name="resource_request_org_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "project", "number"], name="resource_request_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(role__isnull=False) | Q(skill__isnull=False),
                name="resource_request_role_or_skill",
                violation_error_message=_("Ask for a role or a skill."),
            ),
            models.CheckConstraint(
                condition=Q(finish__gte=models.F("start")),
                name="resource_request_finish_after_start",
                violation_error_message=_("The period ends before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"RQ-{self.number:03d}"


class RequestProposal(TenantModel):
    """A named resource the resource manager proposes for a request, with the hours it would take on."""

    request = models.ForeignKey(
        ResourceRequest, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("request")
    )
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="+", verbose_name=_("resource"))
    hours = models.DecimalField(
        _("hours"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["request", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "request", "resource"],
                name="request_proposal_once",
                violation_error_message=_("This resource is already proposed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.hours}"


class LevelingStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("leveling", "Proposed")
    APPLIED = "applied", pgettext_lazy("leveling", "Applied")
    DISCARDED = "discarded", pgettext_lazy("leveling", "Discarded")
    STALE = "stale", pgettext_lazy("leveling", "Out of date")


class LevelingRun(TenantModel):
    """A leveling proposal over one or more projects, kept as computed until applied or discarded.

    ``result`` holds the moves (task, old and new start and finish, delay in working days), each
    project's old and new finish and the over-allocations left; ``fingerprint`` the plan it was
    computed from, so that a proposal whose plan changed since is refused at apply.
    """

    projects = models.JSONField(_("projects"), default=list)
    allow_beyond_float = models.BooleanField(_("delay beyond total float"), default=False)
    start = models.DateField(_("from"))
    finish = models.DateField(_("to"))
    status = models.CharField(_("status"), max_length=16, choices=LevelingStatus, default=LevelingStatus.PROPOSED)
    result = models.JSONField(_("result"), default=dict)
    fingerprint = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("leveling proposal")
        verbose_name_plural = _("leveling proposals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"


class TimesheetStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("timesheet", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("timesheet", "Submitted")
    RETURNED = "returned", pgettext_lazy("timesheet", "Returned")
    APPROVED = "approved", pgettext_lazy("timesheet", "Approved")


class Timesheet(TenantModel):
    """A person's week, Monday to Sunday; its status follows its lines."""

    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="timesheets", verbose_name=_("resource")
    )
    week_start = models.DateField(_("week of"))
    status = models.CharField(_("status"), max_length=16, choices=TimesheetStatus, default=TimesheetStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("timesheet")
        verbose_name_plural = _("timesheets")
        ordering = ["resource", "-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "resource", "week_start"],
                name="timesheet_one_per_week",
                violation_error_message=_("This person already has a timesheet for this week."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.week_start}"


class LineCategory(models.TextChoices):
    PROJECT = "project", pgettext_lazy("timesheet line", "Project work")
    LEAVE = "leave", pgettext_lazy("timesheet line", "Leave")
    TRAINING = "training", pgettext_lazy("timesheet line", "Training")
    ADMIN = "admin", pgettext_lazy("timesheet line", "Administration")


class LineStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("timesheet line", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("timesheet line", "Waiting for approval")
    APPROVED = "approved", pgettext_lazy("timesheet line", "Approved")
    REJECTED = "rejected", pgettext_lazy("timesheet line", "Rejected")
    REVERSED = "reversed", pgettext_lazy("timesheet line", "Reversed")


#: The seven day columns of a line, Monday first.
DAY_FIELDS = ("hours_mon", "hours_tue", "hours_wed", "hours_thu", "hours_fri", "hours_sat", "hours_sun")


def _day_hours(verbose_name: StrOrPromise) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(Decimal("-24")), MaxValueValidator(Decimal("24"))],
    )


class TimesheetLine(TenantModel):
    """Hours per day on one task (or a non-project category); approved lines are never edited.

    A correction of an approved line is a reversal (the same hours negated, ``reverses`` set,
    approved at once with the labour costs reversed in finance) plus a new line.
    """

    timesheet = models.ForeignKey(
        Timesheet, on_delete=models.CASCADE, related_name="lines", verbose_name=_("timesheet")
    )
    category = models.CharField(_("category"), max_length=16, choices=LineCategory, default=LineCategory.PROJECT)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    task = models.ForeignKey(
        "projects.WbsElement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("task"),
    )
    hours_mon = _day_hours(_("Mon"))
    hours_tue = _day_hours(_("Tue"))
    hours_wed = _day_hours(_("Wed"))
    hours_thu = _day_hours(_("Thu"))
    hours_fri = _day_hours(_("Fri"))
    hours_sat = _day_hours(_("Sat"))
    hours_sun = _day_hours(_("Sun"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=LineStatus, default=LineStatus.DRAFT)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason"), max_length=500, blank=True)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="reversals",
        verbose_name=_("reverses"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("timesheet line")
        verbose_name_plural = _("timesheet lines")
        ordering = ["timesheet", "id"]
        indexes = [
            models.Index(fields=["organization", "project", "status"], name="timesheet_line_org_project"),
            models.Index(fields=["organization", "task"], name="timesheet_line_org_task"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(category=LineCategory.PROJECT) & Q(project__isnull=False) & Q(task__isnull=False))
                | (~Q(category=LineCategory.PROJECT) & Q(project__isnull=True) & Q(task__isnull=True)),
                name="timesheet_line_task_only_for_project_work",
                violation_error_message=_("A project line names its task; other lines name none."),
            ),
            models.UniqueConstraint(
                fields=["organization", "reverses"],
                condition=Q(reverses__isnull=False),
                name="timesheet_line_reversed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.timesheet_id} {self.category} {self.task_id}"

    def day_hours(self) -> list[Decimal]:
        return [getattr(self, name) for name in DAY_FIELDS]

    @property
    def total_hours(self) -> Decimal:
        return sum(self.day_hours(), ZERO)


class LabourCost(TenantModel):
    """The link from an approved timesheet line's day to the labour actual cost it became in finance."""

    line = models.ForeignKey(TimesheetLine, on_delete=models.PROTECT, related_name="costs", verbose_name=_("line"))
    cost = models.ForeignKey(
        "finance.ActualCost", on_delete=models.PROTECT, related_name="+", verbose_name=_("actual cost")
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2)
    rate = models.DecimalField(_("rate"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("labour cost")
        verbose_name_plural = _("labour costs")
        ordering = ["line", "date"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "line", "date"], name="labour_cost_one_per_line_day"),
            models.UniqueConstraint(fields=["organization", "cost"], name="labour_cost_one_per_cost"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {self.date} {self.hours}"


class TimesheetReminder(TenantModel):
    """A reminder sent for a missing timesheet, so that each week's reminder goes out once."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+", verbose_name=_("resource"))
    week_start = models.DateField(_("week of"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("timesheet reminder")
        verbose_name_plural = _("timesheet reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "resource", "week_start"], name="timesheet_reminder_once_a_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.week_start}"

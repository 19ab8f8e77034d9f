"""A project's plan: the WBS, dependencies between tasks, baselines and progress updates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo.money import validate_money
from pmo.tenancy import TenantModel
from projects.models.project import Project
from projects.querysets import WbsElementManager


class PercentCompleteMethod(models.TextChoices):
    PHYSICAL = "physical", _("Physical percent complete")
    ZERO_HUNDRED = "zero_hundred", _("0/100")
    FIFTY_FIFTY = "fifty_fifty", _("50/50")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


def task_status(actual_start: Any, actual_finish: Any, percent_complete: Decimal) -> TaskStatus:
    """Done once finished or at 100 %, in progress once started or past 0 %, else not started."""
    if actual_finish is not None or percent_complete >= 100:
        return TaskStatus.DONE
    if actual_start is not None or percent_complete > 0:
        return TaskStatus.IN_PROGRESS
    return TaskStatus.NOT_STARTED


def wbs_sort_key(code: str) -> str:
    """A key that sorts WBS codes in tree order as text: 1.2 before 1.10 (00001.00002 < 00001.00010)."""
    return ".".join(part.zfill(5) for part in code.split("."))


class ConstraintType(models.TextChoices):
    """A date constraint on a task, as MS Project's: as soon as possible (none), or a date it holds to."""

    ASAP = "asap", _("As soon as possible")
    SNET = "snet", _("Start no earlier than")
    SNLT = "snlt", _("Start no later than")
    FNET = "fnet", _("Finish no earlier than")
    FNLT = "fnlt", _("Finish no later than")
    MSO = "mso", _("Must start on")
    MFO = "mfo", _("Must finish on")


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
    budgeted_cost = models.DecimalField(
        _("budgeted cost"), max_digits=16, decimal_places=2, default=Decimal("0.00"), validators=[validate_money]
    )
    percent_complete_method = models.CharField(
        _("percent-complete method"),
        max_length=16,
        choices=PercentCompleteMethod,
        default=PercentCompleteMethod.PHYSICAL,
    )
    percent_complete = models.DecimalField(
        _("percent complete"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_finish = models.DateField(_("actual finish"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    constraint_type = models.CharField(
        _("constraint"), max_length=8, choices=ConstraintType, default=ConstraintType.ASAP
    )
    constraint_date = models.DateField(_("constraint date"), null=True, blank=True)
    #: Working days resource leveling put before the task's start (applied through the schedule service).
    leveling_delay = models.PositiveIntegerField(_("leveling delay (working days)"), default=0, editable=False)
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
            models.CheckConstraint(
                condition=models.Q(constraint_type=ConstraintType.ASAP, constraint_date__isnull=True)
                | (~models.Q(constraint_type=ConstraintType.ASAP) & models.Q(constraint_date__isnull=False)),
                name="wbs_constraint_date_with_type",
                violation_error_message=_(
                    "A constraint other than “As soon as possible” needs a date, and “As soon as possible” has none."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="summary") | models.Q(constraint_type=ConstraintType.ASAP),
                name="wbs_summary_has_no_constraint",
                violation_error_message=_("A summary element has no constraint: constrain its tasks."),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "project", "sort_key"], name="wbs_org_project_order"),
            models.Index(fields=["organization", "project", "parent", "position"], name="wbs_org_tree"),
            # The unfinished milestones of a portfolio (the dashboard's milestone slips).
            models.Index(
                fields=["organization", "project"],
                condition=models.Q(kind="milestone", actual_finish__isnull=True),
                name="wbs_open_milestones",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_leaf(self) -> bool:
        return self.kind != self.Kind.SUMMARY

    @property
    def status(self) -> str:
        return task_status(self.actual_start, self.actual_finish, self.percent_complete)

    @property
    def constraint_text(self) -> str:
        """The constraint in words with its date ("Must finish on 2027-03-31"); empty for as soon as possible."""
        if self.constraint_type == ConstraintType.ASAP or self.constraint_date is None:
            return ""
        return f"{self.get_constraint_type_display()} {self.constraint_date.isoformat()}"


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
        indexes = [
            models.Index(fields=["organization", "baseline", "task"], name="baselinetask_org_task"),
            # The milestones of the current baselines (the dashboard's milestone slips).
            models.Index(
                fields=["organization", "baseline"],
                condition=models.Q(is_milestone=True),
                name="baselinetask_milestones",
            ),
        ]

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
    percent_complete = models.DecimalField(_("percent complete"), max_digits=5, decimal_places=2)
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

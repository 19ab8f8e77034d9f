"""Budgets in versions, commitments, actual costs, forecasts and exchange rates.

Money is ``Decimal`` everywhere (two places, in the project's currency unless said otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo.models import currency_validator
from pmo.money import validate_money
from pmo.tenancy import TenantModel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ZERO = Decimal("0.00")


def money(verbose_name: StrOrPromise, *, validators: Sequence[Any] = (), **options: Any) -> models.DecimalField:
    """An amount a user enters: two places, within the money limit (``pmo.money``) either way."""
    return models.DecimalField(
        verbose_name, max_digits=16, decimal_places=2, validators=[validate_money, *validators], **options
    )


class CostCategory(TenantModel):
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cost category")
        verbose_name_plural = _("cost categories")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="cost_category_code_unique_in_org",
                violation_error_message=_("A cost category with this code already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class FinanceSettings(TenantModel):
    class BudgetControl(models.TextChoices):
        WARN = "warn", _("Warn: save and flag")
        BLOCK = "block", _("Block: refuse")

    budget_control = models.CharField(
        _("budget control"),
        max_length=8,
        choices=BudgetControl,
        default=BudgetControl.WARN,
        help_text=_("What happens when a commitment or cost would take a category over its approved budget."),
    )
    #: The period lock: no cost (nor timesheet line) dated on or before this day is added, changed or reversed.
    locked_through = models.DateField(
        _("books closed through"),
        null=True,
        blank=True,
        help_text=_("No cost or timesheet hours dated on or before this day may be added, changed or reversed."),
    )

    class Meta:
        verbose_name = _("finance settings")
        verbose_name_plural = _("finance settings")
        constraints = [models.UniqueConstraint(fields=["organization"], name="finance_settings_one_per_org")]

    def __str__(self) -> str:
        return f"finance settings of {self.organization_id}"


class ExchangeRate(TenantModel):
    """How many units of the organisation's currency one unit of ``currency`` is worth, from a date."""

    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    rate = models.DecimalField(
        _("rate"), max_digits=18, decimal_places=6, validators=[MinValueValidator(Decimal("0.000001"))]
    )
    valid_from = models.DateField(_("valid from"))

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "currency", "valid_from"],
                name="exchange_rate_once_per_day",
                violation_error_message=_("A rate for this currency and date already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} from {self.valid_from}"


class BudgetVersion(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="budget_versions", verbose_name=_("project")
    )
    number = models.PositiveIntegerField(_("version"), editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    is_current = models.BooleanField(_("current"), default=False, editable=False)
    contingency_reserve = money(_("contingency reserve"), default=ZERO, validators=[MinValueValidator(ZERO)])
    management_reserve = money(_("management reserve"), default=ZERO, validators=[MinValueValidator(ZERO)])
    note = models.TextField(_("note"), blank=True)
    change_request = models.ForeignKey(
        "projects.ChangeRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("change request"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)

    class Meta:
        verbose_name = _("budget version")
        verbose_name_plural = _("budget versions")
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "project", "number"], name="budget_version_number_once"),
            models.UniqueConstraint(
                fields=["organization", "project"],
                condition=models.Q(is_current=True),
                name="budget_version_one_current",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="budget_version_org_status")]

    def __str__(self) -> str:
        return f"v{self.number}"


class BudgetLine(TenantModel):
    version = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="lines")
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    wbs_element = models.ForeignKey(
        "projects.WbsElement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("WBS element"),
    )
    # Negative only on the line that carries a change request's saving.
    amount = money(_("amount"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    change_request = models.ForeignKey(
        "projects.ChangeRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("change request"),
        help_text=_("The approved change whose cost impact this line carries."),
    )

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["version", "category__order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0) | models.Q(change_request__isnull=False),
                name="budget_line_negative_only_for_a_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_id}: {self.amount}"


class Commitment(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="commitments", verbose_name=_("project")
    )
    supplier = models.CharField(_("supplier"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100, help_text=_("Purchase order or contract number."))
    date = models.DateField(_("date"))
    amount = money(_("amount"), validators=[MinValueValidator(ZERO)])
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    wbs_element = models.ForeignKey(
        "projects.WbsElement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("WBS element"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    over_budget = models.BooleanField(_("over budget"), default=False, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["project", "-date", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.supplier}"


class ActualCost(TenantModel):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Manual")
        IMPORT = "import", _("Import")
        REVERSAL = "reversal", _("Reversal")
        TIMESHEET = "timesheet", _("Timesheet")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="actual_costs", verbose_name=_("project")
    )
    date = models.DateField(_("date"))
    amount = money(_("amount"))
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    wbs_element = models.ForeignKey(
        "projects.WbsElement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("WBS element or task"),
    )
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    reference = models.CharField(_("invoice or expense reference"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source, default=Source.MANUAL)
    over_budget = models.BooleanField(_("over budget"), default=False, editable=False)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="reversals",
        verbose_name=_("reverses"),
        help_text=_("The cost this entry cancels; its amount is the negative of that cost's."),
    )
    reversal_reason = models.CharField(_("reason for the reversal"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("actual cost")
        verbose_name_plural = _("actual costs")
        ordering = ["project", "-date", "-id"]
        indexes = [models.Index(fields=["organization", "project", "date"], name="actual_cost_org_project_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reverses"],
                condition=models.Q(reverses__isnull=False),
                name="actual_cost_reversed_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"


class ManualForecast(TenantModel):
    """The project manager's own estimate to complete, with why. The latest one counts."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="manual_forecasts", verbose_name=_("project")
    )
    estimate_to_complete = money(_("estimate to complete"), validators=[MinValueValidator(ZERO)])
    justification = models.TextField(_("justification"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("manual forecast")
        verbose_name_plural = _("manual forecasts")
        ordering = ["project", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"ETC {self.estimate_to_complete}"


# A snapshot's figures are sums and quotients of amounts: wider than an amount, and null when
# undefined (a divisor of zero) or too large even for these columns (see ``finance.variance``).
FIGURE_DIGITS = 24


def figure(verbose_name: StrOrPromise) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=FIGURE_DIGITS, decimal_places=2, null=True, blank=True)


def ratio(verbose_name: StrOrPromise) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=FIGURE_DIGITS, decimal_places=4, null=True, blank=True)


class EvmSnapshot(TenantModel):
    """A project's earned value as of one date, written by the variance run.

    One row per project and date: running again on the same day replaces it. A figure too large
    for its column is null: not measurable, shown as an undefined ratio is.
    """

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="evm_snapshots", verbose_name=_("project")
    )
    date = models.DateField(_("status date"))
    currency = models.CharField(_("currency"), max_length=3)
    bac = figure("BAC")
    pv = figure("PV")
    ev = figure("EV")
    ac = figure("AC")
    sv = figure("SV")
    cv = figure("CV")
    spi = ratio("SPI")
    cpi = ratio("CPI")
    eac = figure("EAC")
    etc = figure("ETC")
    vac = figure("VAC")
    tcpi = ratio("TCPI")
    # The current approved budget (its lines) on the run date, when there is one.
    approved_budget = figure(_("approved budget"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("earned-value snapshot")
        verbose_name_plural = _("earned-value snapshots")
        ordering = ["project", "date"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "project", "date"], name="evm_snapshot_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} @ {self.date}"

"""Asset categories and their maintenance standards: criteria with versioned limits.

A criterion states its *defect condition* as the seed's plan does ("pothole depth > 20 mm is a
defect"). Editing a criterion's rule makes a new version; a reading keeps the version it was
judged by, so a past verdict never changes.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenance.models.settings import Priority, bilingual
from pmo.tenancy import TenantModel


class AssetCategory(TenantModel):
    """A kind of asset (asphalt road, sculpture, heritage tree); the built-in ones come with every
    organisation, loaded from the seed's plan (``maintenance.standards``)."""

    code = models.SlugField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    builtin = models.BooleanField(_("built in"), default=False, editable=False)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("asset category")
        verbose_name_plural = _("asset categories")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="maintenance_category_unique_code"),
            models.CheckConstraint(condition=~Q(name_zh="") | ~Q(name_en=""), name="maintenance_category_named"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)


class CriterionKind(models.TextChoices):
    NUMERIC = "numeric", _("One reading against a limit")
    COMPOUND = "compound", _("Two readings that must both breach")
    PERCENTAGE = "percentage", _("A share of the asset's surface (m² or %)")


class DefectWhen(models.TextChoices):
    """The comparison that makes a reading a defect: ``gt`` 20 means a reading above 20 is one."""

    GT = "gt", ">"
    GTE = "gte", "≥"
    LT = "lt", "<"
    LTE = "lte", "≤"


class Criterion(TenantModel):
    """One measurable standard of a category; its rule lives in its versions."""

    category = models.ForeignKey(
        AssetCategory, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("category")
    )
    code = models.SlugField(_("code"), max_length=40)
    builtin = models.BooleanField(_("built in"), default=False, editable=False)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("maintenance criterion")
        verbose_name_plural = _("maintenance criteria")
        ordering = ["category", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "category", "code"], name="maintenance_criterion_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class CriterionVersion(TenantModel):
    """The rule of a criterion from one edit to the next; never changed once a reading used it."""

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="versions", verbose_name=_("criterion")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CriterionKind, default=CriterionKind.NUMERIC)
    measure_zh = models.CharField(_("measure (Chinese)"), max_length=120, blank=True)
    measure_en = models.CharField(_("measure (English)"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    defect_when = models.CharField(_("a defect when the reading is"), max_length=4, choices=DefectWhen)
    limit = models.DecimalField(_("limit"), max_digits=12, decimal_places=4)
    second_measure_zh = models.CharField(_("second measure (Chinese)"), max_length=120, blank=True)
    second_measure_en = models.CharField(_("second measure (English)"), max_length=120, blank=True)
    second_unit = models.CharField(_("second unit"), max_length=16, blank=True)
    second_defect_when = models.CharField(_("and the second reading is"), max_length=4, choices=DefectWhen, blank=True)
    second_limit = models.DecimalField(_("second limit"), max_digits=12, decimal_places=4, null=True, blank=True)
    priority = models.CharField(
        _("default priority of the defect"), max_length=2, choices=Priority, default=Priority.P3
    )
    notes_zh = models.TextField(_("guidance (Chinese)"), blank=True)
    notes_en = models.TextField(_("guidance (English)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("criterion version")
        verbose_name_plural = _("criterion versions")
        ordering = ["criterion", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "criterion", "version"], name="maintenance_criterion_unique_version"
            ),
            models.UniqueConstraint(
                fields=["organization", "criterion"],
                condition=Q(is_current=True),
                name="maintenance_criterion_one_current_version",
            ),
            models.CheckConstraint(
                condition=~Q(measure_zh="") | ~Q(measure_en=""), name="maintenance_criterion_measured"
            ),
            models.CheckConstraint(
                condition=~Q(kind=CriterionKind.COMPOUND) | (~Q(second_defect_when="") & Q(second_limit__isnull=False)),
                name="maintenance_criterion_compound_has_second",
            ),
            models.CheckConstraint(
                condition=~Q(kind=CriterionKind.PERCENTAGE) | Q(limit__gte=0, limit__lte=100),
                name="maintenance_criterion_percentage_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id} v{self.version}"

    @property
    def measure(self) -> str:
        return bilingual(self.measure_zh, self.measure_en)

    @property
    def second_measure(self) -> str:
        return bilingual(self.second_measure_zh, self.second_measure_en)

    @property
    def notes(self) -> str:
        return bilingual(self.notes_zh, self.notes_en)

    @property
    def percentage_unit(self) -> bool:
        return self.kind == CriterionKind.PERCENTAGE

    @property
    def limit_value(self) -> Decimal:
        return self.limit

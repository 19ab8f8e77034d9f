"""Where assets are (site → area), what they are, who built them and which project delivered them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.tenancy import TenantModel

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Unit(models.TextChoices):
    SQUARE_METRE = "m2", "m²"
    METRE = "m", "m"
    COUNT = "count", pgettext_lazy("unit of quantity", "count")
    SET = "set", pgettext_lazy("unit of quantity", "set")


class Contractor(TenantModel):
    """A firm that built or maintains assets; ``user`` is its login when it works in the system
    (a member who then sees only the work orders assigned to the firm)."""

    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(_("contact person"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("login"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("contractor")
        verbose_name_plural = _("contractors")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="maintenance_contractor_unique_name",
                violation_error_message=_("A contractor with this name already exists."),
            ),
            models.CheckConstraint(condition=~Q(name=""), name="maintenance_contractor_named"),
        ]

    def __str__(self) -> str:
        return self.name


class Site(TenantModel):
    """A place the organisation maintains (a park, a greenway); ``project`` delivered it, when known."""

    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("origin project"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="maintenance_site_unique_code",
                violation_error_message=_("A site with this code already exists."),
            ),
            models.CheckConstraint(condition=~Q(code="") & ~Q(name=""), name="maintenance_site_named"),
        ]

    def __str__(self) -> str:
        return self.name


class Area(TenantModel):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="areas", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["site", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "site", "name"],
                name="maintenance_area_unique_name",
                violation_error_message=_("The site already has an area with this name."),
            ),
            models.CheckConstraint(condition=~Q(name=""), name="maintenance_area_named"),
        ]

    def __str__(self) -> str:
        return self.name


class HandoverStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("handover status", "In preparation")
    COMPLETED = "completed", pgettext_lazy("handover status", "Completed")


class Handover(TenantModel):
    """A project's handover to maintenance: the assets proposed from its deliverables, confirmed by
    the O&M manager. The project may enter operations once it is completed (gate check)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers", verbose_name=_("site")
    )
    status = models.CharField(_("status"), max_length=16, choices=HandoverStatus, default=HandoverStatus.DRAFT)
    notes = models.TextField(_("notes"), blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "project"], name="maintenance_handover_one_per_project"),
            models.CheckConstraint(
                condition=~Q(status=HandoverStatus.COMPLETED) | Q(completed_at__isnull=False),
                name="maintenance_handover_completed_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"handover of project {self.project_id}"


class AssetStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("asset status", "In service")
    RETIRED = "retired", pgettext_lazy("asset status", "Retired")


class Asset(TenantModel):
    """A maintained thing: a path segment, a kerb run, a sculpture, a heritage tree.

    ``surface_area`` (m²) is what percentage criteria judge an area reading against; it is the
    quantity for assets counted in m² unless set otherwise.
    """

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        "maintenance.AssetCategory", on_delete=models.PROTECT, related_name="assets", verbose_name=_("category")
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="assets", verbose_name=_("site"))
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="assets", verbose_name=_("area")
    )
    location_text = models.CharField(_("location"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=Decimal("1"), validators=NON_NEGATIVE
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit, default=Unit.COUNT)
    surface_area = models.DecimalField(
        _("surface (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("What a percentage criterion judges an area against."),
    )
    install_date = models.DateField(_("installed on"), null=True, blank=True)
    warranty_end = models.DateField(
        _("warranty / defect liability ends"),
        null=True,
        blank=True,
        help_text=_("A defect found up to this day is a warranty claim against the contractor."),
    )
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, null=True, blank=True, related_name="assets", verbose_name=_("contractor")
    )
    origin_project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("origin project"),
    )
    origin_wbs_element = models.ForeignKey(
        "projects.WbsElement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("origin WBS element"),
    )
    handover = models.ForeignKey(
        Handover, on_delete=models.SET_NULL, null=True, blank=True, related_name="assets", verbose_name=_("handover")
    )
    route_order = models.PositiveIntegerField(
        _("route order"), default=0, help_text=_("Where the asset comes on an inspector's walk.")
    )
    status = models.CharField(_("status"), max_length=16, choices=AssetStatus, default=AssetStatus.ACTIVE)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    retired_reason = models.TextField(_("why retired"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["site", "route_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="maintenance_asset_unique_code",
                violation_error_message=_("An asset with this code already exists."),
            ),
            models.CheckConstraint(condition=~Q(code="") & ~Q(name=""), name="maintenance_asset_named"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="maintenance_asset_quantity_not_negative"),
            models.CheckConstraint(
                condition=Q(surface_area__isnull=True) | Q(surface_area__gt=0),
                name="maintenance_asset_surface_positive",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="maintenance_asset_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="maintenance_asset_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(status=AssetStatus.ACTIVE) | (Q(retired_on__isnull=False) & ~Q(retired_reason="")),
                name="maintenance_asset_retired_with_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "site", "status"], name="maint_asset_site_status"),
            models.Index(fields=["organization", "category", "status"], name="maint_asset_category_status"),
            models.Index(fields=["organization", "origin_project"], name="maint_asset_origin_project"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status == AssetStatus.ACTIVE

    def judged_surface(self) -> Decimal | None:
        """The surface a percentage criterion judges against (m²), or None when unknown."""
        if self.surface_area is not None:
            return self.surface_area
        if self.unit == Unit.SQUARE_METRE and self.quantity > 0:
            return self.quantity
        return None

    def under_warranty(self, day: object) -> bool:
        return self.warranty_end is not None and day <= self.warranty_end  # type: ignore[operator]


class HandoverRow(TenantModel):
    """One asset a handover proposes, from a deliverable's WBS element or added by hand, completed by
    the O&M manager; completing the handover writes it as an ``Asset`` (``asset``).

    Fields stay optional while the handover is prepared; ``maintenance.services.handover`` says what a
    row still lacks and refuses to complete the handover until no included row lacks anything.
    """

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="rows", verbose_name=_("handover"))
    wbs_element = models.ForeignKey(
        "projects.WbsElement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("WBS element"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    excluded = models.BooleanField(
        _("not an asset"), default=False, help_text=_("Left out of the handover (a report, a service).")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    area_name = models.CharField(_("area"), max_length=200, blank=True)
    code = models.CharField(_("code"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    category = models.ForeignKey(
        "maintenance.AssetCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    location_text = models.CharField(_("location"), max_length=255, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit, blank=True)
    surface_area = models.DecimalField(_("surface (m²)"), max_digits=12, decimal_places=2, null=True, blank=True)
    install_date = models.DateField(_("installed on"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty / defect liability ends"), null=True, blank=True)
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("contractor")
    )
    asset = models.ForeignKey(
        "maintenance.Asset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asset written"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("handover row")
        verbose_name_plural = _("handover rows")
        ordering = ["handover", "position", "id"]
        indexes = [models.Index(fields=["organization", "handover", "position"], name="maint_handover_row_pos")]

    def __str__(self) -> str:
        return self.code or self.name or f"row {self.pk}"

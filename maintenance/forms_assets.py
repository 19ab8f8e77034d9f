"""Forms of the asset register and the handover pages: the asset list's filters, assets, moves, retirements,
contractors, sites, areas, the CSV upload and the rows of a handover. The services validate; the forms
parse and offer the organisation's choices."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from maintenance.models import Area, Asset, AssetCategory, AssetStatus, Contractor, HandoverRow, Site, Unit
from pmo.forms import DateWindowForm, DateWindowFormMixin, QuickSelect
from pmo.models import Membership, Organization, User
from pmo.tenancy import active_organization, active_organization_id
from pmo.xlsx import XLSX_CONTENT_TYPE
from projects.models import Project

YES_NO = (("yes", _("Yes")), ("no", _("No")))
CATEGORY = pgettext_lazy("asset category", "Category")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DECIMAL_ATTRS = {"inputmode": "decimal"}


def _organization() -> Organization | int | None:
    return active_organization() or active_organization_id()


class NamedChoiceField(forms.ModelChoiceField):
    """Sites and categories by their name; contractors by name; projects by code and name."""

    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, Site):
            return f"{obj.code} · {obj.name}"
        if isinstance(obj, Project):
            return f"{obj.code} · {obj.name}"
        if isinstance(obj, Area):
            return f"{obj.site.code} · {obj.name}"
        return str(obj)


def categories(organization: Any, *, include: int | None = None) -> QuerySet[AssetCategory]:
    condition = Q(is_active=True)
    if include is not None:
        condition |= Q(pk=include)
    return AssetCategory.objects.for_organization(organization).filter(condition).order_by("position", "code")


def sites(organization: Any) -> QuerySet[Site]:
    return Site.objects.for_organization(organization).order_by("code")


def areas(organization: Any) -> QuerySet[Area]:
    return Area.objects.for_organization(organization).select_related("site").order_by("site__code", "position", "name")


def contractors(organization: Any, *, include: int | None = None) -> QuerySet[Contractor]:
    condition = Q(is_active=True)
    if include is not None:
        condition |= Q(pk=include)
    return Contractor.objects.for_organization(organization).filter(condition).order_by("name")


def origin_projects(organization: Any) -> QuerySet[Project]:
    return Project.objects.for_organization(organization).order_by("code").only("pk", "code", "name")


def _scoped(builder: Any) -> Any:
    def scoped(request: Any) -> Any:
        return builder(_organization())

    return scoped


class AssetFilter(django_filters.FilterSet):
    """Filters of the asset list (the API's too): search, site, area, category, status, contractor, origin
    project and under warranty."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    site = django_filters.ModelChoiceFilter(queryset=_scoped(sites), label=_("Site"), empty_label=_("Any site"))
    area = django_filters.ModelChoiceFilter(queryset=_scoped(areas), label=_("Area"), empty_label=_("Any area"))
    category = django_filters.ModelChoiceFilter(
        queryset=_scoped(categories), label=CATEGORY, empty_label=_("Any category")
    )
    status = django_filters.ChoiceFilter(choices=AssetStatus.choices, label=_("Status"), empty_label=_("Any status"))
    contractor = django_filters.ModelChoiceFilter(
        queryset=_scoped(lambda organization: Contractor.objects.for_organization(organization).order_by("name")),
        label=_("Contractor"),
        empty_label=_("Any contractor"),
    )
    origin_project = django_filters.ModelChoiceFilter(
        queryset=_scoped(origin_projects), label=_("Origin project"), empty_label=_("Any project"), widget=QuickSelect
    )
    under_warranty = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_warranty", label=_("Under warranty"), empty_label=_("Any")
    )

    class Meta:
        model = Asset
        fields = ["q", "site", "area", "category", "status", "contractor", "origin_project", "under_warranty"]
        form = DateWindowForm

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("site", "area", "origin_project"):
            self.filters[name].field_class = NamedChoiceField

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Words in the code, name or location."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(location_text__icontains=value))

    def filter_warranty(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        organization = _organization()
        if organization is None:
            return queryset
        if isinstance(organization, int):
            organization = Organization.objects.get(pk=organization)
        today = organization.today()
        if value == "yes":
            return queryset.filter(warranty_end__gte=today)
        if value == "no":
            return queryset.filter(Q(warranty_end__lt=today) | Q(warranty_end__isnull=True))
        return queryset


class _ServiceValidates:
    def _post_clean(self) -> None:
        """The service validates and saves."""


class AssetForm(DateWindowFormMixin, _ServiceValidates, forms.ModelForm):
    """What an asset is; on creation where it is too (a move changes it afterwards)."""

    class Meta:
        model = Asset
        fields = [
            "code",
            "name",
            "category",
            "site",
            "area",
            "location_text",
            "latitude",
            "longitude",
            "quantity",
            "unit",
            "surface_area",
            "install_date",
            "warranty_end",
            "contractor",
            "origin_project",
            "route_order",
            "notes",
        ]
        widgets = {
            "install_date": DATE,
            "warranty_end": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "latitude": forms.NumberInput(attrs={**DECIMAL_ATTRS, "step": "0.000001"}),
            "longitude": forms.NumberInput(attrs={**DECIMAL_ATTRS, "step": "0.000001"}),
            "quantity": forms.NumberInput(attrs={**DECIMAL_ATTRS, "step": "0.01", "min": "0"}),
            "surface_area": forms.NumberInput(attrs={**DECIMAL_ATTRS, "step": "0.01", "min": "0"}),
        }

    def __init__(self, *args: Any, organization: Organization, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["category"] = NamedChoiceField(
            categories(organization, include=instance.category_id), label=CATEGORY
        )
        self.fields["contractor"] = NamedChoiceField(
            contractors(organization, include=instance.contractor_id), label=_("Contractor"), required=False
        )
        self.fields["origin_project"] = NamedChoiceField(
            origin_projects(organization), label=_("Origin project"), required=False
        )
        if creating:
            self.fields["site"] = NamedChoiceField(sites(organization), label=_("Site"))
            self.fields["area"] = NamedChoiceField(areas(organization), label=_("Area"), required=False)
        else:
            for name in ("site", "area", "location_text", "latitude", "longitude"):
                del self.fields[name]
        for name in ("code", "name", "quantity", "unit"):
            self.fields[name].required = True


class MoveForm(DateWindowFormMixin, forms.Form):
    site = NamedChoiceField(Site.objects.none(), label=_("Site"))
    area = NamedChoiceField(Area.objects.none(), label=_("Area"), required=False)
    location_text = forms.CharField(label=_("Location"), max_length=255, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False, widget=forms.NumberInput(DECIMAL_ATTRS)
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, required=False, widget=forms.NumberInput(DECIMAL_ATTRS)
    )
    note = forms.CharField(label=_("Why it moves"), required=False, max_length=500)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites(organization)  # type: ignore[attr-defined]
        self.fields["area"].queryset = areas(organization)  # type: ignore[attr-defined]


class RetireForm(DateWindowFormMixin, forms.Form):
    retired_on = forms.DateField(label=_("Retired on"), widget=DATE)
    retired_reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ContractorForm(_ServiceValidates, forms.ModelForm):
    class Meta:
        model = Contractor
        fields = ["name", "contact", "phone", "email", "user"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = User.objects.filter(
            pk__in=Membership.objects.for_organization(organization).values("user_id"), is_active=True
        ).order_by("username")
        self.fields["user"] = forms.ModelChoiceField(
            members,
            label=_("Login"),
            required=False,
            help_text=_("A member who works for the firm sees the work orders assigned to it."),
        )


class SiteForm(_ServiceValidates, forms.ModelForm):
    class Meta:
        model = Site
        fields = ["code", "name", "project"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"] = NamedChoiceField(
            origin_projects(organization), label=_("Origin project"), required=False
        )


class AreaForm(_ServiceValidates, forms.ModelForm):
    class Meta:
        model = Area
        fields = ["name", "position"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file or Excel workbook"),
        help_text=_(
            "CSV: UTF-8, or GB18030 as Excel saves it; at most 2,000 rows. Excel (.xlsx): the sheet “Assets” of "
            "the template."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": f".csv,text/csv,.xlsx,{XLSX_CONTENT_TYPE}"}),
    )


class HandoverSiteForm(forms.Form):
    """Choose the handover's site, or create one (code and name)."""

    site = NamedChoiceField(Site.objects.none(), label=_("Site"), required=False, empty_label=_("A new site"))
    new_code = forms.CharField(label=_("New site's code"), max_length=32, required=False)
    new_name = forms.CharField(label=_("New site's name"), max_length=200, required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites(organization)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("site") is None and not (data.get("new_code") and data.get("new_name")):
            raise forms.ValidationError(_("Choose a site, or give the new site's code and name."))
        return data


class HandoverRowForm(DateWindowFormMixin, _ServiceValidates, forms.ModelForm):
    """One row of a handover, as the O&M manager completes it."""

    class Meta:
        model = HandoverRow
        fields = [
            "excluded",
            "code",
            "name",
            "category",
            "site",
            "area_name",
            "location_text",
            "latitude",
            "longitude",
            "quantity",
            "unit",
            "surface_area",
            "install_date",
            "warranty_end",
            "contractor",
            "notes",
        ]
        widgets = {
            "install_date": DATE,
            "warranty_end": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
            "latitude": forms.NumberInput(attrs={**DECIMAL_ATTRS, "step": "0.000001"}),
            "longitude": forms.NumberInput(attrs={**DECIMAL_ATTRS, "step": "0.000001"}),
            "quantity": forms.NumberInput(attrs={**DECIMAL_ATTRS, "step": "0.01", "min": "0"}),
            "surface_area": forms.NumberInput(attrs={**DECIMAL_ATTRS, "step": "0.01", "min": "0"}),
        }
        labels = {"site": pgettext_lazy("handover row", "Site (when not the handover's)")}

    def __init__(
        self,
        *args: Any,
        category_choices: list[AssetCategory],
        site_choices: list[Site],
        contractor_choices: list[Contractor],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = _ListChoiceField(category_choices, label=CATEGORY, required=False)
        self.fields["site"] = _ListChoiceField(
            site_choices, label=pgettext_lazy("handover row", "Site (when not the handover's)"), required=False
        )
        self.fields["contractor"] = _ListChoiceField(contractor_choices, label=_("Contractor"), required=False)
        self.fields["unit"].choices = [("", "—"), *Unit.choices]  # type: ignore[attr-defined]


class _ListChoiceField(forms.ChoiceField):
    """A choice among rows read once for every form of a page (no query per form)."""

    def __init__(self, rows: list[Any], **kwargs: Any) -> None:
        self.rows = {str(row.pk): row for row in rows}
        choices = [("", "—"), *((str(row.pk), NamedChoiceField.label_from_instance(None, row)) for row in rows)]  # type: ignore[arg-type]
        super().__init__(choices=choices, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return str(getattr(value, "pk", value) or "")

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return self.rows.get(str(value)) if value else None

"""Pages of the asset register: the asset list (filters, search, pages, CSV export and import), an asset's
page (its data, files, readings, defects, work orders and lifecycle cost; move, retire, restore), the
asset forms, the contractors and the sites with their areas."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from maintenance import jobs
from maintenance.forms_assets import (
    AreaForm,
    AssetFilter,
    AssetForm,
    ContractorForm,
    ImportForm,
    MoveForm,
    RetireForm,
    SiteForm,
)
from maintenance.models import (
    Area,
    Asset,
    AssetReading,
    AssetStatus,
    Contractor,
    Defect,
    Site,
    WorkOrder,
)
from maintenance.permissions import MaintenanceAction
from maintenance.selectors import lifecycle_cost
from maintenance.services import assets as services
from maintenance.services import assets_import, assets_xlsx
from maintenance.views.base import MaintenancePage
from pmo.errors import ApplicationError
from pmo.jobs import job_started_page_response
from pmo.views import paginate
from pmo.xlsx import error_rows, xlsx_response

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Query parameters that do not narrow the list.
NOT_FILTERS = frozenset({"page"})
MAIN_FILTERS = ("q", "site", "category", "status")
#: How many of an asset's readings, defects and work orders its page shows (the newest).
RECENT = 10
STATUS_BADGES: dict[str, str] = {AssetStatus.ACTIVE: "badge-green", AssetStatus.RETIRED: "badge-grey"}


class AssetsPage(MaintenancePage):
    section = "assets"
    write_action = MaintenanceAction.MANAGE

    def link(self, name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"org_slug": self.organization.slug, **kwargs})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_manage"] = self.can(MaintenanceAction.MANAGE)
        return context


def filtered_assets(organization: Any, data: Any) -> tuple[AssetFilter, QuerySet[Asset]]:
    """The asset list's filter set and the assets it leaves (none when a filter is invalid)."""
    queryset = (
        Asset.objects.for_organization(organization)
        .select_related("site", "area", "category", "contractor", "origin_project")
        .order_by("site__code", "route_order", "code")
    )
    filterset = AssetFilter(data, queryset=queryset)
    return filterset, (filterset.qs if filterset.is_valid() else queryset.none())


class AssetListView(AssetsPage):
    """Every asset of the organisation: filters, search, pages; a fixed number of queries."""

    template_name = "maintenance/assets.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filterset, assets = filtered_assets(self.organization, self.request.GET)
        page = paginate(self.request, assets)
        today = self.organization.today()
        rows = [
            {
                "asset": asset,
                "url": self.link("org-maintenance-asset", asset_id=asset.pk),
                "status_badge": STATUS_BADGES.get(asset.status, "badge-grey"),
                "under_warranty": asset.under_warranty(today),
            }
            for asset in page.object_list
        ]
        context.update(
            filter=filterset,
            main_filters=[field for field in filterset.form if field.name in MAIN_FILTERS],
            more_filters=[field for field in filterset.form if field.name not in MAIN_FILTERS],
            more_open=any(
                self.request.GET.get(field.name) for field in filterset.form if field.name not in MAIN_FILTERS
            ),
            page=page,
            rows=rows,
            filtered=any(value for key, value in self.request.GET.items() if key not in NOT_FILTERS),
            list_url=self.link("org-maintenance-assets"),
            export_query=self.request.GET.urlencode(),
        )
        return context


class AssetExportView(AssetsPage):
    """The filtered asset list as a CSV file in the import's columns."""

    is_download = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _filterset, assets = filtered_assets(self.organization, request.GET)
        body = "\ufeff" + assets_import.export_csv(assets.values(*assets_import.EXPORT_VALUES))
        response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="assets.csv"'
        return response


class AssetWorkbookExportView(AssetsPage):
    """The filtered asset list as an Excel workbook in the import's columns."""

    is_download = True

    def get(  # type: ignore[override]  # a download, or a redirect to the job that makes it
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        _filterset, assets = filtered_assets(self.organization, request.GET)
        if assets.count() > jobs.JOB_ROWS:
            return job_started_page_response(
                request,
                kind=jobs.EXPORT,
                organization=self.organization,
                requested_by=self.actor,
                payload={"query": request.GET.urlencode()},
            )
        return xlsx_response(assets_xlsx.assets_export_xlsx(assets), "assets.xlsx")


def row_errors(error: ApplicationError) -> list[dict[str, Any]]:
    """A refused import's problems as rows: the file's first, then each line's, column apart from the message."""

    def order(key: str) -> tuple[int, int]:
        return (1, int(key)) if key.isdigit() else (0, 0)

    found = []
    for key, problems in sorted(error.fields.items(), key=lambda item: order(str(item[0]))):
        line = int(key) if str(key).isdigit() else None
        for message in problems:
            column, separator, rest = str(message).partition(": ")
            if separator and column in assets_import.CSV_COLUMNS:
                found.append({"line": line, "column": column, "message": rest})
            else:
                found.append({"line": line, "column": "", "message": str(message)})
    return found


class AssetImportView(AssetsPage):
    """Upload a CSV file of assets: checked as a whole, each bad row listed, nothing written on error."""

    template_name = "maintenance/asset_import.html"
    read_action = MaintenanceAction.MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            form=kwargs.get("form") or ImportForm(),
            row_errors=kwargs.get("row_errors"),
            columns=assets_import.CSV_COLUMNS,
            required=assets_import.REQUIRED_COLUMNS,
            max_rows=assets_import.MAX_ROWS,
            sample=assets_import.template_csv().strip(),
            with_sheet=kwargs.get("with_sheet", False),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(status=400, form=form)
        upload = form.cleaned_data["file"]
        workbook = (upload.name or "").lower().endswith(".xlsx")
        limit = settings.PMO_EXCHANGE_MAX_BYTES if workbook else MAX_UPLOAD_BYTES
        if upload.size > limit:
            form.add_error("file", _("The file is larger than %(size)d MB.") % {"size": limit // (1024 * 1024)})
            return self.render_page(status=400, form=form)
        try:
            if workbook and upload.size > jobs.JOB_UPLOAD_BYTES:
                return job_started_page_response(
                    request,
                    kind=jobs.IMPORT,
                    organization=self.organization,
                    requested_by=self.actor,
                    upload=upload.read(),
                    upload_name=upload.name or "assets.xlsx",
                )
            if workbook:
                created = assets_xlsx.assets_import_xlsx(
                    actor=self.actor, organization=self.organization, content=upload.read()
                )
            else:
                created = assets_import.assets_import(
                    actor=self.actor, organization=self.organization, text=upload.read()
                )
        except ApplicationError as error:
            messages.error(request, error.message)
            if not error.fields:
                errors: list[dict[str, Any]] = []
            else:
                errors = error_rows(error.fields) if workbook else row_errors(error)
            return self.render_page(status=error.status_code, form=form, row_errors=errors, with_sheet=workbook)
        messages.success(request, _("%(count)d assets imported.") % {"count": len(created)})
        return HttpResponseRedirect(self.link("org-maintenance-assets"))


class AssetImportTemplateView(AssetsPage):
    """The import's columns with two example rows, as a CSV file."""

    is_download = True
    read_action = MaintenanceAction.MANAGE

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        body = "\ufeff" + assets_import.template_csv()
        response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="assets-template.csv"'
        return response


class AssetImportWorkbookTemplateView(AssetsPage):
    """The workbook to fill in: header, an example row and the sheet explaining each column."""

    is_download = True
    read_action = MaintenanceAction.MANAGE

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return xlsx_response(assets_xlsx.template_xlsx(), "assets-template.xlsx")


class AssetFormPage(AssetsPage):
    template_name = "maintenance/asset_form.html"
    read_action = MaintenanceAction.MANAGE
    asset: Asset | None = None

    def form(self, data: Any = None) -> AssetForm:
        return AssetForm(
            data,
            instance=self.asset,
            organization=self.organization,
            creating=self.asset is None,
            date_window=self.organization.date_window,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or self.form()
        if self.asset is not None:
            form = self.with_version(form, self.asset)
        context.update(form=form, asset=self.asset, list_url=self.link("org-maintenance-assets"))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form(request.POST)
        status = 400
        if form.is_valid():
            asset, status = self.attempt(lambda: self.save(form.cleaned_data), form, edited=self.asset)
            if asset is not None:
                messages.success(request, _("%(code)s saved.") % {"code": asset.code})
                return HttpResponseRedirect(self.link("org-maintenance-asset", asset_id=asset.pk))
        if self.asset is not None:
            form = self.with_version(form, self.asset)
        return self.render_page(status, form=form)

    def save(self, data: dict[str, Any]) -> Asset:
        raise NotImplementedError


class AssetCreateView(AssetFormPage):
    def save(self, data: dict[str, Any]) -> Asset:
        return services.asset_create(actor=self.actor, organization=self.organization, **data)


class AssetEditView(AssetFormPage):
    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.asset = get_object_or_404(Asset.objects.for_organization(self.organization), pk=url_kwargs["asset_id"])

    def save(self, data: dict[str, Any]) -> Asset:
        assert self.asset is not None
        return services.asset_update(actor=self.actor, asset=self.asset, **data)


class AssetDetailView(AssetsPage):
    """One asset: its data and files, its latest readings, defects and work orders, its lifecycle cost."""

    template_name = "maintenance/asset_detail.html"
    asset: Asset

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.asset = get_object_or_404(
            Asset.objects.for_organization(self.organization).select_related(
                "site", "area", "category", "contractor", "origin_project", "origin_wbs_element", "handover"
            ),
            pk=url_kwargs["asset_id"],
        )
        self.asset.organization = self.organization

    def move_form(self, data: Any = None) -> MoveForm:
        asset = self.asset
        initial = {
            "site": asset.site_id,
            "area": asset.area_id,
            "location_text": asset.location_text,
            "latitude": asset.latitude,
            "longitude": asset.longitude,
        }
        return MoveForm(data, initial=initial, organization=self.organization, prefix="move")

    def retire_form(self, data: Any = None) -> RetireForm:
        return RetireForm(
            data,
            initial={"retired_on": self.organization.today()},
            prefix="retire",
            date_window=self.organization.date_window,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        asset = self.asset
        organization = self.organization
        readings = list(
            AssetReading.objects.for_organization(organization)
            .filter(asset=asset)
            .select_related("criterion_version", "taken_by")
            .order_by("-taken_at")[:RECENT]
        )
        defects = list(
            Defect.objects.for_organization(organization)
            .filter(asset=asset)
            .select_related("criterion_version")
            .order_by("-found_at")[:RECENT]
        )
        work_orders = list(
            WorkOrder.objects.for_organization(organization).filter(asset=asset).order_by("-opened_at")[:RECENT]
        )
        context.update(
            asset=asset,
            status_badge=STATUS_BADGES.get(asset.status, "badge-grey"),
            under_warranty=asset.under_warranty(organization.today()),
            readings=readings,
            defects=defects,
            work_orders=work_orders,
            cost=lifecycle_cost(organization, asset=asset.pk),
            move_form=kwargs.get("move_form") or self.move_form(),
            retire_form=kwargs.get("retire_form") or self.retire_form(),
            edit_url=self.link("org-maintenance-asset-edit", asset_id=asset.pk),
            list_url=self.link("org-maintenance-assets"),
            handover_url=(
                reverse(
                    "project-maintenance-handover",
                    kwargs={"org_slug": organization.slug, "project_id": asset.origin_project_id},
                )
                if asset.handover_id and asset.origin_project_id
                else ""
            ),
            work_orders_url=self._optional_link("org-maintenance-work-orders"),
        )
        return context

    def _optional_link(self, name: str) -> str:
        try:
            return self.link(name)
        except NoReverseMatch:
            return ""  # a section not mounted yet has no link

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        op = request.POST.get("op", "")
        asset = self.asset
        here = self.link("org-maintenance-asset", asset_id=asset.pk)
        if op == "move":
            move = self.move_form(request.POST)
            if move.is_valid():
                data = move.cleaned_data
                _done, status = self.attempt(lambda: services.asset_move(actor=self.actor, asset=asset, **data), move)
                if status == 200:
                    messages.success(request, _("%(code)s moved.") % {"code": asset.code})
                    return HttpResponseRedirect(here)
                return self.render_page(status, move_form=move)
            return self.render_page(400, move_form=move)
        if op == "retire":
            retire = self.retire_form(request.POST)
            if retire.is_valid():
                data = retire.cleaned_data
                _done, status = self.attempt(
                    lambda: services.asset_retire(
                        actor=self.actor, asset=asset, retired_on=data["retired_on"], reason=data["retired_reason"]
                    ),
                    retire,
                )
                if status == 200:
                    messages.success(request, _("%(code)s retired.") % {"code": asset.code})
                    return HttpResponseRedirect(here)
                return self.render_page(status, retire_form=retire)
            return self.render_page(400, retire_form=retire)
        if op == "restore":
            _done, status = self.attempt(lambda: services.asset_restore(actor=self.actor, asset=asset))
            if status == 200:
                messages.success(request, _("%(code)s is back in service.") % {"code": asset.code})
            return HttpResponseRedirect(here)
        messages.error(request, _("Unknown action."))
        return self.render_page(400)


# Contractors


class ContractorListView(AssetsPage):
    """The organisation's contractors with their assets and open work orders; adding one."""

    template_name = "maintenance/contractors.html"
    section = "contractors"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contractors = (
            Contractor.objects.for_organization(self.organization)
            .select_related("user")
            .annotate(asset_count=Count("assets", distinct=True))
            .order_by("-is_active", "name")
        )
        page = paginate(self.request, contractors)
        context.update(
            page=page,
            rows=[
                {"contractor": row, "url": self.link("org-maintenance-contractor", contractor_id=row.pk)}
                for row in page.object_list
            ],
            form=kwargs.get("form") or ContractorForm(organization=self.organization),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ContractorForm(request.POST, organization=self.organization)
        status = 400
        if form.is_valid():
            contractor, status = self.attempt(
                lambda: services.contractor_create(
                    actor=self.actor, organization=self.organization, **form.cleaned_data
                ),
                form,
            )
            if contractor is not None:
                messages.success(request, _("%(name)s added.") % {"name": contractor.name})
                return HttpResponseRedirect(self.link("org-maintenance-contractors"))
        return self.render_page(status, form=form)


class ContractorEditView(AssetsPage):
    """One contractor: edit, deactivate or bring back."""

    template_name = "maintenance/contractor_form.html"
    section = "contractors"
    read_action = MaintenanceAction.MANAGE
    contractor: Contractor

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.contractor = get_object_or_404(
            Contractor.objects.for_organization(self.organization), pk=url_kwargs["contractor_id"]
        )
        self.contractor.organization = self.organization

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or ContractorForm(instance=self.contractor, organization=self.organization)
        context.update(
            contractor=self.contractor,
            form=self.with_version(form, self.contractor),
            list_url=self.link("org-maintenance-contractors"),
            assets_url=self.link("org-maintenance-assets") + f"?contractor={self.contractor.pk}",
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        back = self.link("org-maintenance-contractors")
        op = request.POST.get("op", "edit")
        if op in ("deactivate", "reactivate"):
            self.attempt(
                lambda: services.contractor_set_active(
                    actor=self.actor, contractor=self.contractor, active=op == "reactivate"
                )
            )
            return HttpResponseRedirect(back)
        form = ContractorForm(request.POST, instance=self.contractor, organization=self.organization)
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: services.contractor_update(actor=self.actor, contractor=self.contractor, **form.cleaned_data),
                form,
                edited=self.contractor,
            )
            if saved is not None:
                messages.success(request, _("%(name)s saved.") % {"name": saved.name})
                return HttpResponseRedirect(back)
        return self.render_page(status, form=form)


# Sites and areas


class SiteListView(AssetsPage):
    """The organisation's sites with their areas and assets; adding one."""

    template_name = "maintenance/asset_sites.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        sites = (
            Site.objects.for_organization(self.organization)
            .select_related("project")
            .annotate(area_count=Count("areas", distinct=True), asset_count=Count("assets", distinct=True))
            .order_by("code")
        )
        page = paginate(self.request, sites)
        context.update(
            page=page,
            rows=[
                {
                    "site": site,
                    "url": self.link("org-maintenance-site", site_id=site.pk),
                    "assets_url": self.link("org-maintenance-assets") + f"?site={site.pk}",
                }
                for site in page.object_list
            ],
            form=kwargs.get("form") or SiteForm(organization=self.organization),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = SiteForm(request.POST, organization=self.organization)
        status = 400
        if form.is_valid():
            site, status = self.attempt(
                lambda: services.site_create(actor=self.actor, organization=self.organization, **form.cleaned_data),
                form,
            )
            if site is not None:
                messages.success(request, _("%(name)s added.") % {"name": site.name})
                return HttpResponseRedirect(self.link("org-maintenance-site", site_id=site.pk))
        return self.render_page(status, form=form)


class SiteDetailView(AssetsPage):
    """One site: its data and its areas (add, rename, reorder)."""

    template_name = "maintenance/asset_site.html"
    site: Site

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.site = get_object_or_404(
            Site.objects.for_organization(self.organization).select_related("project"), pk=url_kwargs["site_id"]
        )
        self.site.organization = self.organization

    def areas(self) -> list[Area]:
        return list(
            Area.objects.for_organization(self.organization)
            .filter(site=self.site)
            .annotate(asset_count=Count("assets"))
            .order_by("position", "name")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or SiteForm(instance=self.site, organization=self.organization, prefix="site")
        assets_url = self.link("org-maintenance-assets")
        areas = self.areas()
        context.update(
            site=self.site,
            form=self.with_version(form, self.site) if self.can(MaintenanceAction.MANAGE) else form,
            area_form=kwargs.get("area_form") or AreaForm(prefix="area", initial={"position": len(areas)}),
            areas=[
                {
                    "area": area,
                    "form": AreaForm(instance=area, prefix=f"a{area.pk}"),
                    "assets_url": f"{assets_url}?site={self.site.pk}&area={area.pk}",
                }
                for area in areas
            ],
            list_url=self.link("org-maintenance-sites"),
            assets_url=f"{assets_url}?site={self.site.pk}",
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        here = self.link("org-maintenance-site", site_id=self.site.pk)
        op = request.POST.get("op", "")
        if op == "site":
            form = SiteForm(request.POST, instance=self.site, organization=self.organization, prefix="site")
            if form.is_valid():
                saved, status = self.attempt(
                    lambda: services.site_update(actor=self.actor, site=self.site, **form.cleaned_data),
                    form,
                    edited=self.site,
                )
                if saved is not None:
                    messages.success(request, _("%(name)s saved.") % {"name": saved.name})
                    return HttpResponseRedirect(here)
                return self.render_page(status, form=form)
            return self.render_page(400, form=form)
        if op == "area_add":
            area_form = AreaForm(request.POST, prefix="area")
            if area_form.is_valid():
                area, status = self.attempt(
                    lambda: services.area_create(actor=self.actor, site=self.site, **area_form.cleaned_data),
                    area_form,
                )
                if area is not None:
                    messages.success(request, _("%(name)s added.") % {"name": area.name})
                    return HttpResponseRedirect(here)
                return self.render_page(status, area_form=area_form)
            return self.render_page(400, area_form=area_form)
        if op == "area_update":
            area = get_object_or_404(
                Area.objects.for_organization(self.organization).filter(site=self.site),
                pk=request.POST.get("area", "0") if str(request.POST.get("area", "")).isdigit() else 0,
            )
            area.organization = self.organization
            area_edit = AreaForm(request.POST, instance=area, prefix=f"a{area.pk}")
            if area_edit.is_valid():
                self.attempt(lambda: services.area_update(actor=self.actor, area=area, **area_edit.cleaned_data))
            else:
                messages.error(request, _("Give the area a name and a position."))
            return HttpResponseRedirect(here)
        messages.error(request, _("Unknown action."))
        return self.render_page(400)

"""The asset register's large workbooks as jobs: an import or an export above ``JOB_ROWS`` rows runs on a worker
with progress (``pmo.jobs``); smaller ones answer in the request. ``MaintenanceConfig.ready()`` registers the kinds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maintenance.forms_assets import AssetFilter
from maintenance.models import Asset
from maintenance.services import assets_xlsx
from pmo.errors import ApplicationError
from pmo.jobs import JobKind, JobOutcome
from pmo.xlsx import XLSX_CONTENT_TYPE

if TYPE_CHECKING:
    from pmo.jobs.context import JobContext

IMPORT = "maintenance.assets_xlsx_import"
EXPORT = "maintenance.assets_xlsx_export"
#: Above this many rows (exported assets, or an upload's size at ~100 bytes a row) the work is a job.
JOB_ROWS = 5_000
JOB_UPLOAD_BYTES = 512 * 1024


def filtered(organization: Any, query: str) -> QuerySet[Asset]:
    """The assets the register's filters in ``query`` leave, in the list's order; refuses a bad filter."""
    queryset = Asset.objects.for_organization(organization).order_by("site__code", "route_order", "code")
    filterset = AssetFilter(QueryDict(query), queryset=queryset)
    if not filterset.is_valid():
        raise ApplicationError(
            _("A filter is not valid."),
            code="invalid_filter",
            fields={name: [str(message) for message in errors] for name, errors in filterset.errors.items()},
        )
    return filterset.qs


def import_assets(context: JobContext) -> JobOutcome:
    created = assets_xlsx.assets_import_xlsx(
        actor=context.requester(),
        organization=context.organization,
        content=context.upload(),
        progress=context.progress,
    )
    return JobOutcome(
        report={"counts": {_("Assets added"): len(created)}},
        link=reverse("org-maintenance-assets", kwargs={"org_slug": context.organization.slug}),
    )


def export_assets(context: JobContext) -> JobOutcome:
    assets = filtered(context.organization, context.payload.get("query", ""))
    content = assets_xlsx.assets_export_xlsx(assets, progress=context.progress)
    return JobOutcome(content=content, filename="assets.xlsx", content_type=XLSX_CONTENT_TYPE)


KINDS = (
    JobKind(IMPORT, gettext_lazy("Asset import (Excel)"), import_assets),
    JobKind(EXPORT, gettext_lazy("Asset export (Excel)"), export_assets),
)

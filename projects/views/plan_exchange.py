"""The plan in and out of files on the pages: import a CSV file or an Excel workbook, export both, the template."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from pmo.api.workbooks import xlsx_response
from pmo.errors import ApplicationError
from pmo.jobs import job_started_page_response
from pmo.models import User
from pmo.xlsx import error_rows
from projects import jobs
from projects.api.views.plan import _file_name
from projects.models import WbsElement
from projects.permissions import ProjectAction
from projects.services import csv_io, plan_xlsx
from projects.views.common import ProjectTabsMixin

#: The start of every .xlsx file (a zip archive); a CSV file never starts so.
ZIP_MAGIC = b"PK\x03\x04"


class PlanImportForm(forms.Form):
    file_name = ""
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "An Excel workbook (.xlsx) as exported or as the template filled in, or a CSV file (UTF-8 or GB18030)."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        self.file_name = str(upload.name or "")
        if upload.size > settings.PMO_EXCHANGE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB.") % {"size": settings.PMO_EXCHANGE_MAX_BYTES // (1024 * 1024)},
                code="too_large",
            )
        return bytes(upload.read())


def _csv_error_rows(fields: dict[str, list[str]]) -> list[dict[str, Any]]:
    """A refused CSV import's problems (by line of the file) as rows of the import page's table."""
    rows: list[dict[str, Any]] = []
    for key, found in sorted(fields.items(), key=lambda item: int(item[0]) if item[0].isdigit() else 0):
        for message in found:
            column, separator, text = message.partition(": ")
            known = separator and column in csv_io.COLUMNS
            rows.append(
                {
                    "line": int(key) if key.isdigit() else None,
                    "column": column if known else "",
                    "message": text if known else message,
                }
            )
    return rows


def _in_sheet_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A workbook's problems by sheet (the file's first), then by row (the sheet's own first)."""
    order = {sheet: index for index, sheet in enumerate(dict.fromkeys(row["sheet"] for row in rows))}
    return sorted(rows, key=lambda row: (bool(row["sheet"]), order[row["sheet"]], row["line"] or 0))


class PlanImportView(ProjectTabsMixin, TemplateView):
    """Upload a whole plan into a project whose plan is empty: checked as a whole, every problem listed."""

    template_name = "projects/plan_import.html"
    tab = "wbs"
    read_action = ProjectAction.PROJECT_MANAGE
    write_action = ProjectAction.PROJECT_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            form=kwargs.get("form") or PlanImportForm(),
            row_errors=kwargs.get("row_errors"),
            with_sheet=kwargs.get("with_sheet", False),
            plan_is_empty=not WbsElement.objects.for_organization(self.organization)
            .filter(project=self.project)
            .exists(),
            sheets=[{"title": sheet.title, "columns": sheet.columns} for sheet in plan_xlsx.SHEETS],
            max_megabytes=settings.PMO_EXCHANGE_MAX_BYTES // (1024 * 1024),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        form = PlanImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        content: bytes = form.cleaned_data["file"]
        is_workbook = content.startswith(ZIP_MAGIC) or form.file_name.lower().endswith(".xlsx")
        result: plan_xlsx.PlanWorkbookImport | csv_io.PlanImport
        try:
            if is_workbook and jobs.import_in_job(content):
                return job_started_page_response(
                    request,
                    kind=jobs.PLAN_XLSX_IMPORT,
                    organization=self.organization,
                    requested_by=self.actor,
                    payload={"project": self.project.pk},
                    upload=content,
                    upload_name=form.file_name,
                )
            if is_workbook:
                result = plan_xlsx.plan_import_xlsx(actor=self.actor, project=self.project, content=content)
            else:
                result = csv_io.plan_import_csv(actor=self.actor, project=self.project, content=content)
        except ApplicationError as error:
            messages.error(request, error.message)
            found = _in_sheet_order(error_rows(error.fields)) if is_workbook else _csv_error_rows(error.fields)
            return self.render_to_response(
                self.get_context_data(form=form, row_errors=found, with_sheet=is_workbook), status=error.status_code
            )
        messages.success(
            request,
            _("The plan was imported: %(elements)d elements and %(links)d links.")
            % {"elements": result.elements, "links": result.dependencies},
        )
        return HttpResponseRedirect(self.project_url("project-wbs"))

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)


class PlanWorkbookExportView(ProjectTabsMixin, View):
    """The plan and its current baseline as an Excel workbook."""

    is_download = True
    read_action = ProjectAction.PROJECT_VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if jobs.export_in_job(self.project):
            try:
                return job_started_page_response(
                    request,
                    kind=jobs.PLAN_XLSX_EXPORT,
                    organization=self.organization,
                    requested_by=cast(User, request.user),
                    payload={"project": self.project.pk},
                )
            except ApplicationError as error:
                messages.error(request, error.message)
                return HttpResponseRedirect(self.project_url("project-wbs"))
        return xlsx_response(plan_xlsx.plan_export_xlsx(self.project), f"{_file_name(self.project)}-plan.xlsx")


class PlanWorkbookTemplateView(ProjectTabsMixin, View):
    """The workbook to fill in: an example row per sheet and a sheet explaining every column."""

    is_download = True
    read_action = ProjectAction.PROJECT_VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return xlsx_response(plan_xlsx.plan_template_xlsx(), f"{_file_name(self.project)}-plan-template.xlsx")


class PlanCsvExportView(ProjectTabsMixin, View):
    """The plan as CSV (UTF-8 with a byte-order mark, as spreadsheets open it)."""

    is_download = True
    read_action = ProjectAction.PROJECT_VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        body = "\ufeff" + csv_io.plan_export_csv(self.project)
        response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_file_name(self.project)}-plan.csv"'
        return response

"""A project's risk register as CSV or Excel on its pages: import (check, import, every bad row or cell listed),
export, templates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.errors import ApplicationError
from pmo.xlsx import XLSX_CONTENT_TYPE, error_rows, workbook_name, xlsx_response
from risks import csv_io, xlsx_io
from risks.api.csv import csv_response, file_name
from risks.permissions import RiskAction
from risks.views.base import InProject, RiskPage

SAMPLE = (
    "title,category,owner,probability,impact_schedule,impact_cost,cost_min,cost_likely,cost_max,days_likely\n"
    "钢材交付延迟 Late steel delivery,supplier,pm,4,4,3,80000,150000,300000,10"
)


class RegisterImportForm(forms.Form):
    #: Whether the upload is a workbook (.xlsx) rather than a CSV file; known once the form is valid.
    workbook = False

    file = forms.FileField(
        label=gettext_lazy("CSV file or Excel workbook"),
        help_text=gettext_lazy(
            "A header row, then one risk a row; title and category are required. CSV: UTF-8 or GB18030 (as Excel "
            "saves it), at most 5 MB and 2,000 rows. Excel (.xlsx): the sheet “Risks” of the template."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": f".csv,text/csv,.xlsx,{XLSX_CONTENT_TYPE}"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Only check the file"),
        required=False,
        help_text=gettext_lazy("Every row is checked as the import would check it; nothing is written."),
    )

    def clean_file(self) -> bytes:
        """The file's bytes; the import reads and checks every row (a workbook: ``pmo.xlsx`` refuses one too large)."""
        upload = self.cleaned_data["file"]
        self.workbook = is_workbook(upload.name)
        if self.workbook:
            limit = settings.PMO_EXCHANGE_MAX_BYTES
            if upload.size > limit:
                raise forms.ValidationError(
                    _("The file is larger than %(size)d MB.") % {"size": limit // (1024 * 1024)}, code="too_large"
                )
        elif upload.size > csv_io.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."), code="too_large")
        return bytes(upload.read())


def is_workbook(name: str | None) -> bool:
    return (name or "").lower().endswith(".xlsx")


class ProjectRegisterImportView(InProject, RiskPage):
    """Upload a file of risks: checked as a whole, each bad row listed with its column, nothing written on error."""

    template_name = "risks/import.html"
    read_action = RiskAction.RISK_MANAGE
    write_action = RiskAction.RISK_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or RegisterImportForm()
        context["row_errors"] = kwargs.get("row_errors")
        context["result"] = kwargs.get("result")
        context["columns"] = [column for column in csv_io.COLUMNS if column not in csv_io.READ_ONLY_COLUMNS]
        context["required"] = csv_io.REQUIRED_COLUMNS
        context["sample"] = SAMPLE
        context["template_url"] = self.url("risks-import-template")
        context["export_url"] = self.url("risks-export")
        context["template_xlsx_url"] = self.url("risks-import-template-xlsx")
        context["export_xlsx_url"] = self.url("risks-export-xlsx")
        context["with_sheet"] = kwargs.get("with_sheet", False)
        context["max_rows"] = csv_io.MAX_ROWS
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = RegisterImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(status=400, form=form)
        dry_run = form.cleaned_data["dry_run"]
        workbook = form.workbook
        importer = xlsx_io.register_import_xlsx if workbook else csv_io.register_import_csv
        try:
            result = importer(
                actor=self.actor, project=self.project, content=form.cleaned_data["file"], dry_run=dry_run
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            if not error.fields:
                errors: list[Any] = []
            elif workbook:
                errors = error_rows(error.fields)
            else:
                errors = csv_io.row_errors(error)
            return self.render_page(status=error.status_code, form=form, row_errors=errors, with_sheet=workbook)
        if dry_run:
            return self.render_page(form=RegisterImportForm(), result=result)
        messages.success(
            request,
            _("%(count)d risks imported (%(codes)s).") % {"count": result.created, "codes": _span(result.codes)},
        )
        return HttpResponseRedirect(self.url("risks"))


def _span(codes: list[str]) -> str:
    if not codes:
        return "-"
    return codes[0] if len(codes) == 1 else f"{codes[0]} to {codes[-1]}"


class ProjectRegisterExportView(InProject, RiskPage):
    """The project's register as CSV, in the import's columns."""

    #: Answers a file to save, not a page (a browser downloads it).
    is_download = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return csv_response(csv_io.register_export_csv(self.project), file_name(self.project, "risks"))


class ProjectRegisterWorkbookExportView(InProject, RiskPage):
    """The project's register as an Excel workbook (typed cells, headers in the user's language)."""

    is_download = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return xlsx_response(xlsx_io.register_export_xlsx(self.project), workbook_name(self.project.code, "risks"))


class ProjectRegisterWorkbookTemplateView(InProject, RiskPage):
    """The workbook to fill in: header, an example row and the sheet explaining each column."""

    is_download = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return xlsx_response(xlsx_io.template_xlsx(), workbook_name(self.project.code, "risks-template"))


class ProjectRegisterTemplateView(InProject, RiskPage):
    """The header row of an import file."""

    is_download = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return csv_response(csv_io.template_csv(), file_name(self.project, "risks-template"))

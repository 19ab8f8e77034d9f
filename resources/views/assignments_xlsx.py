"""A project's assignments as an Excel workbook: the export, the template and the import page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from pmo.errors import ApplicationError
from pmo.forms import WorkbookUploadForm
from pmo.jobs import job_started_page_response
from pmo.xlsx import error_rows, file_stem, xlsx_response
from resources import jobs as resource_jobs
from resources.models import Assignment
from resources.permissions import ResourceAction
from resources.services import workbooks
from resources.views.base import InProject, ResourcesPage


class AssignmentsWorkbookView(InProject, ResourcesPage):
    """The project's assignments as a workbook (everyone who sees them)."""

    is_download = True
    section = "assignments"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rows = Assignment.objects.for_organization(self.organization).filter(project=self.project).count()
        if resource_jobs.in_job(rows=rows):
            return job_started_page_response(
                request,
                kind=resource_jobs.ASSIGNMENTS_EXPORT,
                organization=self.organization,
                requested_by=self.actor,
                payload={"project": self.project.pk},
            )
        name = f"{file_stem(self.project.code, f'project-{self.project.pk}')}-assignments.xlsx"
        return xlsx_response(workbooks.assignments_workbook(self.project), name)


class AssignmentsTemplateView(InProject, ResourcesPage):
    """The "Assignments" sheet with an example row and the sheet explaining its columns."""

    is_download = True
    section = "assignments"
    read_action = ResourceAction.ASSIGN

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return xlsx_response(workbooks.assignments_template(), "assignments-template.xlsx")


class AssignmentsImportView(InProject, ResourcesPage):
    """Upload a workbook of assignments: checked as a whole, each bad cell listed, nothing written on error."""

    template_name = "resources/assignments/import.html"
    section = "assignments"
    read_action = ResourceAction.ASSIGN
    write_action = ResourceAction.ASSIGN

    def list_url(self) -> str:
        return reverse("project-resources", args=[self.organization.slug, self.project.pk])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            form=kwargs.get("form") or WorkbookUploadForm(),
            row_errors=kwargs.get("row_errors"),
            with_sheet=True,
            list_url=self.list_url(),
            columns=workbooks.ASSIGNMENTS_SHEET.columns,
            is_open=self.project.is_open,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = WorkbookUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(400, form=form)
        data = form.cleaned_data["file"]
        try:
            if resource_jobs.in_job(size=len(data)):
                return job_started_page_response(
                    request,
                    kind=resource_jobs.ASSIGNMENTS_IMPORT,
                    organization=self.organization,
                    requested_by=self.actor,
                    payload={"project": self.project.pk},
                    upload=data,
                    upload_name="assignments.xlsx",
                )
            created = workbooks.assignments_import_xlsx(actor=self.actor, project=self.project, data=data)
        except ApplicationError as error:
            messages.error(request, error.message)
            return self.render_page(error.status_code, form=form, row_errors=error_rows(error.fields))
        messages.success(request, _("%(count)d assignments added.") % {"count": len(created)})
        return HttpResponseRedirect(self.list_url())

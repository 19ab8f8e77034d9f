"""Pages of MS Project XML exchange: a project's export and import (into an empty plan), and a new
project from a file. The import's refusal lists every problem; its result lists what the product
could not represent."""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from pmo.errors import ApplicationError
from pmo.jobs import job_page_response
from pmo.jobs.responses import job_error
from pmo.models import JobStatus
from projects.models import WbsElement
from projects.permissions import ProjectAction
from resources.api.mspdi import export_answer
from resources.exchange import mspdi_format
from resources.forms_exchange import MspdiImportForm, MspdiNewProjectForm
from resources.mspdi_jobs import inline_result, start_export, start_import
from resources.permissions import ResourceAction
from resources.views.base import InProject, ResourcesPage


def problems(error: ApplicationError) -> list[dict[str, str]]:
    """A refused import's problems as rows: where (the file, a task, a resource) and what."""
    rows: list[dict[str, str]] = []
    for where, messages in sorted(error.fields.items(), key=lambda item: (item[0] != "file", item[0])):
        label = _("File") if where == "file" else str(where)
        rows.extend({"where": label, "message": str(message)} for message in messages)
    return rows


class ExchangePage(ResourcesPage):
    section = "msproject"
    # Exchange is the plan's: the projects' actions guard it, not the pool's.
    read_action: ClassVar[str] = ProjectAction.PROJECT_VIEW  # type: ignore[assignment]

    def megabytes(self) -> str:
        return f"{mspdi_format.max_bytes() / (1024 * 1024):.1f}".removesuffix(".0")

    def pool_allowed(self) -> bool:
        return self.can(ResourceAction.POOL_MANAGE)

    def rates_allowed(self) -> bool:
        return self.can(ResourceAction.RATES_MANAGE)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["max_megabytes"] = self.megabytes()
        context["problems"] = kwargs.get("problems")
        context["result"] = kwargs.get("result")
        context["may_create"] = self.can(ProjectAction.PROJECT_CREATE)
        return context

    def run_import(self, form: Any, **target: Any) -> HttpResponseBase:
        """Import the form's file: a small one in the request (the result on this page), a bigger one
        on a worker (its job's page follows the progress, then links to the plan)."""
        upload = form.cleaned_data["file"]
        try:
            content = _read(upload)
        except ApplicationError as error:
            return self.render_page(status=error.status_code, form=form, problems=problems(error))
        job = start_import(
            user=self.actor,
            organization=self.organization,
            content=content,
            upload_name=upload.name or "",
            pool_allowed=self.pool_allowed(),
            rates_allowed=self.rates_allowed(),
            **target,
        )
        if job.status == JobStatus.FAILED:
            failure = job_error(job)
            return self.render_page(status=failure.status_code, form=form, problems=problems(failure))
        result = inline_result(job)
        if result is not None:
            return self.render_page(result=result, form=None)
        response = job_page_response(self.request, job)
        assert response is not None  # not failed
        return response


class ProjectExchangeView(InProject, ExchangePage):
    """The project's MS Project page: export, and import while the plan is empty."""

    template_name = "resources/exchange/project.html"
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        project = self.project
        context["plan_empty"] = (
            not WbsElement.objects.for_organization(self.organization).filter(project=project).exists()
        )
        context["may_import"] = self.can(ProjectAction.PROJECT_MANAGE) and project.is_open
        context["form"] = kwargs["form"] if "form" in kwargs else MspdiImportForm()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        form = MspdiImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(status=400, form=form)
        return self.run_import(form, project=self.project)


class ProjectExportView(InProject, ExchangePage):
    """The project as an MS Project XML file."""

    is_download = True
    read_action = ProjectAction.PROJECT_VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = start_export(project=self.project, user=self.actor, rates_visible=self.can(ResourceAction.RATES_VIEW))
        answer = export_answer(job)
        if answer is not None:
            return answer
        response = job_page_response(request, job)
        if not isinstance(response, HttpResponse):  # None: the export failed
            raise job_error(job)
        return response


class NewProjectView(ExchangePage):
    """A new project from an MS Project XML file."""

    template_name = "resources/exchange/new_project.html"
    read_action = ProjectAction.PROJECT_CREATE
    write_action = ProjectAction.PROJECT_CREATE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs["form"] if "form" in kwargs else MspdiNewProjectForm()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        form = MspdiNewProjectForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(status=400, form=form)
        return self.run_import(form, code=form.cleaned_data["code"], name=form.cleaned_data["name"])


def _read(upload: Any) -> bytes:
    """The upload's bytes, refused by its size before it is read."""
    from resources.exchange.mspdi_read import check_size

    check_size(upload.size or 0)
    content: bytes = upload.read()
    return content

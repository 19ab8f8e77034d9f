"""Pages of MS Project XML exchange: a project's export and import (into an empty plan), and a new
project from a file. The import's refusal lists every problem; its result lists what the product
could not represent."""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from pmo.errors import ApplicationError
from projects.models import WbsElement
from projects.permissions import ProjectAction
from resources.api.mspdi import export_response
from resources.exchange import mspdi_format
from resources.forms_exchange import MspdiImportForm, MspdiNewProjectForm
from resources.permissions import ResourceAction
from resources.services.mspdi import MspdiImport, project_create_from_mspdi, project_export_mspdi, project_import_mspdi
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

    def run_import(self, form: Any, call: Any) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            result: MspdiImport = call(upload)
        except ApplicationError as error:
            return self.render_page(status=error.status_code, form=form, problems=problems(error))
        return self.render_page(result=result, form=None)


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

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = MspdiImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(status=400, form=form)
        return self.run_import(
            form,
            lambda upload: project_import_mspdi(
                actor=self.actor,
                project=self.project,
                content=_read(upload),
                pool_allowed=self.pool_allowed(),
                rates_allowed=self.rates_allowed(),
            ),
        )


class ProjectExportView(InProject, ExchangePage):
    """The project as an MS Project XML file."""

    is_download = True
    read_action = ProjectAction.PROJECT_VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        project = self.project
        content = project_export_mspdi(project=project, rates_visible=self.can(ResourceAction.RATES_VIEW))
        return export_response(project, content)


class NewProjectView(ExchangePage):
    """A new project from an MS Project XML file."""

    template_name = "resources/exchange/new_project.html"
    read_action = ProjectAction.PROJECT_CREATE
    write_action = ProjectAction.PROJECT_CREATE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs["form"] if "form" in kwargs else MspdiNewProjectForm()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = MspdiNewProjectForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(status=400, form=form)
        return self.run_import(
            form,
            lambda upload: project_create_from_mspdi(
                actor=self.actor,
                organization=self.organization,
                content=_read(upload),
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                pool_allowed=self.pool_allowed(),
                rates_allowed=self.rates_allowed(),
            ),
        )


def _read(upload: Any) -> bytes:
    """The upload's bytes, refused by its size before it is read."""
    from resources.exchange.mspdi_read import check_size

    check_size(upload.size or 0)
    content: bytes = upload.read()
    return content

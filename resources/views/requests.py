"""Resource request pages: a project's requests and asking for one; every project's requests for the
resource office; one request's page with its candidates (free hours in its period), proposals and steps."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from pmo.views import paginate
from projects.models import Project, ProjectMember, WbsElement
from resources.forms_requests import (
    WAITING,
    CancelForm,
    DeclineForm,
    FulfilForm,
    ProposeForm,
    RequestForm,
    RequestListFilter,
)
from resources.models import (
    OPEN_REQUEST_STATUSES,
    RequestProposal,
    RequestStatus,
    ResourceRequest,
    ResourceRole,
    Skill,
)
from resources.permissions import ResourceAction
from resources.services import requests as services
from resources.views.base import InProject, ResourcesPage

REQUESTS_PER_PAGE = 25
STATUS_BADGES: dict[str, str] = {
    RequestStatus.OPEN: "badge-blue",
    RequestStatus.PROPOSED: "badge-amber",
    RequestStatus.FULFILLED: "badge-green",
    RequestStatus.DECLINED: "badge-red",
    RequestStatus.CANCELLED: "badge-grey",
}


def request_url(organization_slug: str, request: ResourceRequest, in_project: bool) -> str:
    if in_project:
        return reverse("project-resource-request", args=[organization_slug, request.project_id, request.pk])
    return reverse("org-resource-request", args=[organization_slug, request.pk])


class RequestListPage(ResourcesPage):
    """A list of requests: filters, pages; a fixed number of queries."""

    template_name = "resources/requests/list.html"
    section = "requests"

    def requests(self) -> QuerySet[ResourceRequest]:
        found = ResourceRequest.objects.for_organization(self.organization).select_related(
            "project", "task", "role", "skill", "requested_by"
        )
        if self.in_project():
            return found.filter(project=self.project).order_by("-number")  # type: ignore[attr-defined]
        return found.order_by("start", "project__code", "number")

    def list_url(self) -> str:
        if self.in_project():
            return reverse("project-resource-requests", args=[self.organization.slug, self.project.pk])  # type: ignore[attr-defined]
        return reverse("org-resource-requests", args=[self.organization.slug])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        roles = list(ResourceRole.objects.for_organization(self.organization).order_by("name"))
        projects = None
        if not self.in_project():
            projects = [
                (pk, f"{code} {name}")
                for pk, code, name in Project.objects.for_organization(self.organization)
                .order_by("code")
                .values_list("pk", "code", "name")
            ]
        data = self.request.GET.copy()
        if not self.in_project() and not data:
            data["status"] = WAITING  # the resource office's work: what still waits for a decision
        filters = RequestListFilter(data, roles=roles, projects=projects)
        found = self.requests()
        if filters.is_valid():
            status = filters.cleaned_data["status"]
            if status == WAITING:
                found = found.filter(status__in=OPEN_REQUEST_STATUSES)
            elif status:
                found = found.filter(status=status)
            if filters.cleaned_data["role"] is not None:
                found = found.filter(role_id=filters.cleaned_data["role"])
            if filters.cleaned_data.get("project") is not None:
                found = found.filter(project_id=filters.cleaned_data["project"])
        page = paginate(self.request, found, REQUESTS_PER_PAGE)
        rows = [
            {
                "request": item,
                "url": request_url(self.organization.slug, item, self.in_project()),
                "badge": STATUS_BADGES.get(item.status, "badge-grey"),
            }
            for item in page.object_list
        ]
        in_project = self.in_project()
        context.update(
            rows=rows,
            page=page,
            filters=filters,
            filtered=any(value for key, value in self.request.GET.items() if key != "page"),
            list_url=self.list_url(),
            may_ask=in_project and self.can(ResourceAction.REQUEST) and self.project.is_open,  # type: ignore[attr-defined]
            may_fulfil=self.can(ResourceAction.FULFIL),
        )
        return context


class ProjectRequestListView(InProject, RequestListPage):
    """A project's requests for resources."""


class OrganizationRequestListView(RequestListPage):
    """Every project's requests; by default those waiting for the resource office's decision."""


class RequestCreateView(InProject, ResourcesPage):
    """Ask for a role or a skill, hours and a period, on a task of the project."""

    template_name = "resources/requests/form.html"
    section = "requests"
    read_action = ResourceAction.REQUEST
    write_action = ResourceAction.REQUEST

    def form(self, data: Any = None) -> RequestForm:
        tasks = list(
            WbsElement.objects.for_organization(self.organization)
            .filter(project=self.project)
            .exclude(kind=WbsElement.Kind.SUMMARY)
            .order_by("sort_key")
        )
        initial: dict[str, Any] = {"min_level": 1}
        task_id = self.request.GET.get("task", "")
        chosen = next((task for task in tasks if str(task.pk) == task_id), None)
        if chosen is not None:
            initial.update(task=chosen.pk, start=chosen.planned_start, finish=chosen.planned_finish)
        return RequestForm(
            data,
            initial=initial,
            tasks=tasks,
            roles=list(ResourceRole.objects.for_organization(self.organization).order_by("name")),
            skills=list(Skill.objects.for_organization(self.organization).order_by("name")),
            date_window=self.organization.date_window,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            form=kwargs.get("form") or self.form(),
            list_url=reverse("project-resource-requests", args=[self.organization.slug, self.project.pk]),
            project_open=self.project.is_open,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form(request.POST)
        status = 400
        if form.is_valid():
            created, status = self.attempt(
                lambda: services.resource_request_create(actor=self.actor, project=self.project, **form.cleaned_data),
                form,
            )
            if created is not None:
                messages.success(request, _("%(code)s sent to the resource office.") % {"code": created.code})
                return redirect(request_url(self.organization.slug, created, in_project=True))
        return self.render_page(status, form=form)


class RequestDetailPage(ResourcesPage):
    """One request: its facts, proposals, candidates with their free hours, and the steps the user may take."""

    template_name = "resources/requests/detail.html"
    section = "requests"
    # Each step checks its own action (the resource office's, or the requester's cancel).
    write_action = ResourceAction.RESOURCES_VIEW
    asked: ResourceRequest
    operations: dict[str, str] = {
        "propose": "propose",
        "withdraw": "withdraw",
        "fulfil": "fulfil",
        "decline": "decline",
        "cancel": "cancel",
    }

    def found(self, pk: Any) -> ResourceRequest:
        requests = ResourceRequest.objects.for_organization(self.organization).select_related(
            "project", "task", "role", "skill", "requested_by", "decided_by"
        )
        if self.in_project():
            requests = requests.filter(project=self.project)  # type: ignore[attr-defined]
        asked = requests.filter(pk=pk).first()
        if asked is None:
            raise Http404
        return asked

    def role_on_project(self) -> str | None:
        if self.in_project():
            return self.project_role
        return (
            ProjectMember.objects.for_organization(self.organization)
            .filter(project_id=self.asked.project_id, user_id=self.membership.user_id)
            .order_by()
            .values_list("role", flat=True)
            .first()
        )

    def may_cancel(self) -> bool:
        return self.asked.status in OPEN_REQUEST_STATUSES and services.may_cancel(
            self.membership, self.role_on_project(), self.asked
        )

    def detail_url(self) -> str:
        return request_url(self.organization.slug, self.asked, self.in_project())

    def list_url(self) -> str:
        if self.in_project():
            return reverse("project-resource-requests", args=[self.organization.slug, self.asked.project_id])
        return reverse("org-resource-requests", args=[self.organization.slug])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        asked = self.asked
        is_open = asked.status in OPEN_REQUEST_STATUSES
        may_fulfil = self.can(ResourceAction.FULFIL) and is_open
        proposals = list(
            RequestProposal.objects.for_organization(self.organization)
            .filter(request=asked)
            .select_related("resource")
            .order_by("id")
        )
        candidates = services.request_candidates(self.organization, asked) if may_fulfil else []
        context.update(
            asked=asked,
            badge=STATUS_BADGES.get(asked.status, "badge-grey"),
            proposals=proposals,
            proposed_hours=sum((proposal.hours for proposal in proposals), Decimal("0")),
            candidates=[
                {
                    "candidate": candidate,
                    "low": candidate.free_hours is not None and candidate.free_hours < float(asked.hours),
                }
                for candidate in candidates
            ],
            may_fulfil=may_fulfil,
            may_cancel=self.may_cancel(),
            list_url=self.list_url(),
            detail_url=self.detail_url(),
            assignments_url=reverse("project-resources", args=[self.organization.slug, asked.project_id]),
            project_url=reverse("project-overview", args=[self.organization.slug, asked.project_id]),
            fulfil_form=kwargs.get("fulfil_form") or FulfilForm(),
            decline_form=kwargs.get("decline_form") or DeclineForm(),
            cancel_form=kwargs.get("cancel_form") or CancelForm(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = self.operations.get(request.POST.get("op", ""))
        if handler is None:
            messages.error(request, _("Unknown action."))
            return self.render_page(400)
        if handler == "cancel":
            if not services.may_cancel(self.membership, self.role_on_project(), self.asked):
                raise PermissionDenied
        elif not self.can(ResourceAction.FULFIL):
            raise PermissionDenied
        response: HttpResponse = getattr(self, handler)(request)
        return response

    def _done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return redirect(self.detail_url())

    def propose(self, request: HttpRequest) -> HttpResponse:
        form = ProposeForm(request.POST)
        resource_field: Any = form.fields["resource"]
        candidates = {c.resource.pk: c.resource for c in services.request_candidates(self.organization, self.asked)}
        resource_field.choices = [(pk, str(resource)) for pk, resource in candidates.items()]
        status = 400
        if form.is_valid():
            resource = candidates[form.cleaned_data["resource"]]
            proposal, status = self.attempt(
                lambda: services.resource_request_propose(
                    actor=self.actor, request=self.asked, resource=resource, hours=form.cleaned_data["hours"]
                )
            )
            if proposal is not None:
                return self._done(_("%(resource)s proposed.") % {"resource": resource})
        else:
            messages.error(request, _("Choose a candidate and the hours it would take on (at least 0.25)."))
        return self.render_page(status)

    def withdraw(self, request: HttpRequest) -> HttpResponse:
        proposal = (
            RequestProposal.objects.for_organization(self.organization)
            .filter(request=self.asked, pk=request.POST.get("proposal") or 0)
            .first()
            if (request.POST.get("proposal") or "").isdigit()
            else None
        )
        if proposal is None:
            messages.error(request, _("That proposal is not one of this request's."))
            return self.render_page(400)
        done, status = self.attempt(
            lambda: services.resource_request_withdraw_proposal(actor=self.actor, proposal=proposal)
        )
        if done is not None:
            return self._done(_("Proposal withdrawn."))
        return self.render_page(status)

    def fulfil(self, request: HttpRequest) -> HttpResponse:
        form = FulfilForm(request.POST)
        status = 400
        if form.is_valid():
            done, status = self.attempt(
                lambda: services.resource_request_fulfil(actor=self.actor, request=self.asked, **form.cleaned_data),
                form,
            )
            if done is not None:
                return self._done(
                    _("%(code)s fulfilled: the proposals are now assignments of the task.") % {"code": done.code}
                )
        return self.render_page(status, fulfil_form=form)

    def decline(self, request: HttpRequest) -> HttpResponse:
        form = DeclineForm(request.POST)
        status = 400
        if form.is_valid():
            done, status = self.attempt(
                lambda: services.resource_request_decline(actor=self.actor, request=self.asked, **form.cleaned_data),
                form,
            )
            if done is not None:
                return self._done(_("%(code)s declined.") % {"code": done.code})
        return self.render_page(status, decline_form=form)

    def cancel(self, request: HttpRequest) -> HttpResponse:
        form = CancelForm(request.POST)
        status = 400
        if form.is_valid():
            done, status = self.attempt(
                lambda: services.resource_request_cancel(actor=self.actor, request=self.asked, **form.cleaned_data),
                form,
            )
            if done is not None:
                return self._done(_("%(code)s cancelled.") % {"code": done.code})
        return self.render_page(status, cancel_form=form)


class OrganizationRequestDetailView(RequestDetailPage):
    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.asked = self.found(url_kwargs["resourcerequest_id"])


class ProjectRequestDetailView(InProject, RequestDetailPage):
    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.asked = self.found(url_kwargs["resourcerequest_id"])

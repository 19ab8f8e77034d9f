"""Acceptance pages of a project: its deliverables, one deliverable's acceptance record, the satisfaction survey."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from pmo.models import OrgRole
from projects.models import ProjectRole
from quality.forms_acceptance import ConditionCloseForm, DeliverableForm, FlagForm, SignForm, SurveyForm
from quality.models import (
    AcceptanceCondition,
    AcceptanceDecision,
    AcceptanceStatus,
    Deliverable,
    Inspection,
    SatisfactionSurvey,
)
from quality.permissions import QualityAction
from quality.services import acceptance as services
from quality.views.base import InProject, QualityPage

STATUS_BADGES: dict[str, str] = {
    AcceptanceStatus.PENDING: "badge-grey",
    AcceptanceStatus.ACCEPTED: "badge-green",
    AcceptanceStatus.CONDITIONAL: "badge-amber",
    AcceptanceStatus.REJECTED: "badge-red",
}
OUTCOME_BADGES: dict[str, str] = {
    "passed": "badge-green",
    "passed_with_remarks": "badge-amber",
    "failed": "badge-red",
}


def optional_url(name: str, **kwargs: Any) -> str:
    """The URL of another lane's page, or "" while it is not mounted."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


class AcceptancePage(InProject, QualityPage):
    section = "acceptance"

    def list_url(self) -> str:
        return reverse(
            "project-quality-deliverables", kwargs={"org_slug": self.organization.slug, "project_id": self.project.pk}
        )

    def deliverable_url(self, deliverable_id: int) -> str:
        return reverse(
            "project-quality-deliverable",
            kwargs={
                "org_slug": self.organization.slug,
                "project_id": self.project.pk,
                "deliverable_id": deliverable_id,
            },
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["status_badges"] = STATUS_BADGES
        context["satisfaction_url"] = reverse(
            "project-quality-satisfaction", kwargs={"org_slug": self.organization.slug, "project_id": self.project.pk}
        )
        context["deliverables_url"] = self.list_url()
        return context


class DeliverableListView(AcceptancePage):
    """The project's deliverables with their acceptance, and flagging another WBS element (project manager)."""

    template_name = "quality/deliverables.html"
    write_action = QualityAction.PLAN_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        deliverables = (
            Deliverable.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("wbs_element", "decided_by")
            .annotate(open_conditions=Count("conditions", filter=Q(conditions__closed_on__isnull=True)))
            .order_by("wbs_element__sort_key")
        )
        context["rows"] = [
            {
                "deliverable": deliverable,
                "url": self.deliverable_url(deliverable.pk),
                "badge": STATUS_BADGES.get(deliverable.status, "badge-grey"),
            }
            for deliverable in deliverables
        ]
        if self.can(QualityAction.PLAN_MANAGE) and self.project.is_open:
            context["flag_form"] = kwargs.get("flag_form") or FlagForm(project=self.project)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = FlagForm(request.POST, project=self.project)
        status = 400
        if form.is_valid():
            deliverable, status = self.attempt(
                lambda: services.deliverable_flag(actor=self.actor, project=self.project, **form.cleaned_data), form
            )
            if deliverable is not None:
                messages.success(
                    request, _("%(element)s is now a deliverable.") % {"element": form.cleaned_data["wbs_element"].name}
                )
                return redirect(self.deliverable_url(deliverable.pk))
        return self.render_page(status, flag_form=form)


class DeliverableDetailView(AcceptancePage):
    """One deliverable: its criteria, the inspections it relies on, the sign-off, its decisions and conditions.

    Every member may post; each operation checks its own rule (the project manager edits and unflags,
    the client representative or the quality role signs, they or the project managers close conditions).
    """

    template_name = "quality/deliverable.html"
    write_action = QualityAction.QUALITY_VIEW
    operations = {"save": "save", "unflag": "unflag", "sign": "sign", "close_condition": "close_condition"}
    deliverable: Deliverable

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.deliverable = get_object_or_404(
            Deliverable.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("wbs_element", "decided_by", "non_conformance"),
            pk=url_kwargs["deliverable_id"],
        )
        self.deliverable.project = self.project
        self.deliverable.organization = self.organization

    def _require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied

    def signer_id(self, decisions: list[AcceptanceDecision]) -> int | None:
        return next((d.signed_by_id for d in decisions if d.status == AcceptanceStatus.CONDITIONAL), None)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        deliverable = self.deliverable
        org_id = self.organization.pk
        inspections = list(
            Inspection.objects.for_organization(org_id)
            .filter(deliverables=deliverable)
            .select_related("template")
            .order_by("number")
        )
        for inspection in inspections:
            inspection.organization = self.organization
            inspection.project = self.project
        decisions = list(
            AcceptanceDecision.objects.for_organization(org_id)
            .filter(deliverable=deliverable)
            .select_related("signed_by")
            .order_by("-signed_at", "-id")
        )
        roles = {**dict(OrgRole.choices), **dict(ProjectRole.choices)}
        for decision in decisions:
            decision.signer_label = roles.get(decision.signer_role, decision.signer_role)
        conditions = list(
            AcceptanceCondition.objects.for_organization(org_id)
            .filter(deliverable=deliverable)
            .select_related("closed_by")
            .order_by("id")
        )
        is_open = self.project.is_open
        may_close = is_open and services.may_close_condition(
            self.membership, self.project_role, self.actor, self.signer_id(decisions)
        )
        plan = self.can(QualityAction.PLAN_MANAGE) and is_open
        nc = deliverable.non_conformance
        context.update(
            deliverable=deliverable,
            badge=STATUS_BADGES.get(deliverable.status, "badge-grey"),
            inspections=[
                {
                    "inspection": inspection,
                    "url": optional_url(
                        "quality-inspection",
                        org_slug=self.organization.slug,
                        project_id=self.project.pk,
                        inspection_id=inspection.pk,
                    ),
                    "badge": OUTCOME_BADGES.get(inspection.outcome, "badge-grey"),
                }
                for inspection in inspections
            ],
            decisions=decisions,
            conditions=[
                {
                    "condition": condition,
                    "form": (kwargs.get("close_forms") or {}).get(condition.pk)
                    or ConditionCloseForm(initial={"condition": condition.pk}, auto_id=f"id_c{condition.pk}_%s"),
                }
                for condition in conditions
            ],
            may_close=may_close,
            nc=nc,
            nc_url=optional_url("quality-nc", org_slug=self.organization.slug, project_id=self.project.pk, nc_id=nc.pk)
            if nc is not None
            else "",
        )
        decided = deliverable.status in (AcceptanceStatus.ACCEPTED, AcceptanceStatus.CONDITIONAL)
        if plan and not decided:
            context["form"] = kwargs.get("form") or self.with_version(
                DeliverableForm(
                    initial={"criteria": deliverable.criteria, "inspections": [i.pk for i in inspections]},
                    project=self.project,
                ),
                deliverable,
            )
        if plan and not decisions and deliverable.status == AcceptanceStatus.PENDING:
            context["may_unflag"] = True
        if (
            is_open
            and deliverable.status in services.SIGNABLE
            and self.can(QualityAction.ACCEPTANCE_SIGN)
            and services.signer_role_of(self.membership, self.project_role) is not None
        ):
            context["sign_form"] = kwargs.get("sign_form") or SignForm()
        # Nothing to fill in (a signed deliverable read by anyone but a signer): the record takes the full width.
        context["has_side"] = any(context.get(name) for name in ("sign_form", "form", "may_unflag"))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = self.operations.get(request.POST.get("op", ""))
        if handler is None:
            messages.error(request, _("Unknown action."))
            return self.render_page(400)
        response: HttpResponse = getattr(self, handler)(request)
        return response

    def _done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return redirect(self.deliverable_url(self.deliverable.pk))

    def save(self, request: HttpRequest) -> HttpResponse:
        self._require(self.can(QualityAction.PLAN_MANAGE))
        form = self.with_version(DeliverableForm(request.POST, project=self.project), self.deliverable)
        status = 400
        if form.is_valid():
            done, status = self.attempt(
                lambda: services.deliverable_update(
                    actor=self.actor,
                    deliverable=self.deliverable,
                    criteria=form.cleaned_data["criteria"],
                    inspections=list(form.cleaned_data["inspections"]),
                ),
                form,
                edited=self.deliverable,
            )
            if done is not None:
                return self._done(_("Acceptance record saved."))
        return self.render_page(status, form=form)

    def unflag(self, request: HttpRequest) -> HttpResponse:
        self._require(self.can(QualityAction.PLAN_MANAGE))
        _done, status = self.attempt(
            lambda: services.deliverable_unflag(actor=self.actor, deliverable=self.deliverable)
        )
        if status == 200:
            messages.success(request, _("The WBS element is no longer a deliverable."))
            return redirect(self.list_url())
        return self.render_page(status)

    def sign(self, request: HttpRequest) -> HttpResponse:
        self._require(self.can(QualityAction.ACCEPTANCE_SIGN))
        form = SignForm(request.POST)
        status = 400
        if form.is_valid():
            done, status = self.attempt(
                lambda: services.deliverable_sign(
                    actor=self.actor, deliverable=self.deliverable, **form.service_arguments()
                ),
                form,
            )
            if done is not None:
                if done.status == AcceptanceStatus.REJECTED and done.non_conformance is not None:
                    return self._done(_("Acceptance rejected; %(nc)s was opened.") % {"nc": done.non_conformance.code})
                return self._done(_("Acceptance signed: %(decision)s.") % {"decision": done.get_status_display()})
        return self.render_page(status, sign_form=form)

    def close_condition(self, request: HttpRequest) -> HttpResponse:
        form = ConditionCloseForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say how the condition was met."))
            return self.render_page(400)
        condition = get_object_or_404(
            AcceptanceCondition.objects.for_organization(self.organization).filter(deliverable=self.deliverable),
            pk=form.cleaned_data["condition"],
        )
        condition.deliverable = self.deliverable
        done, status = self.attempt(
            lambda: services.condition_close(actor=self.actor, condition=condition, note=form.cleaned_data["note"])
        )
        if done is not None:
            return self._done(_("Condition closed."))
        if status == 403:
            raise PermissionDenied
        return self.render_page(status, close_forms={condition.pk: form})


class SatisfactionView(AcceptancePage):
    """The customer's satisfaction survey: 1 to 5 on quality, schedule, communication and service."""

    template_name = "quality/satisfaction.html"
    write_action = QualityAction.SURVEY_ENTER

    def survey(self) -> SatisfactionSurvey | None:
        survey = (
            SatisfactionSurvey.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("entered_by")
            .first()
        )
        if survey is not None:
            survey.project = self.project
            survey.organization = self.organization
        return survey

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        survey = self.survey()
        context["survey"] = survey
        context["may_enter"] = self.can(QualityAction.SURVEY_ENTER) and self.project.is_open
        context["on_behalf"] = self.project_role != "client"
        if context["may_enter"]:
            initial: dict[str, Any] = {}
            if survey is not None:
                initial = {field: getattr(survey, field) for field in [*services.SCORES, "comments", "respondent"]}
            form = kwargs.get("form") or SurveyForm(initial=initial)
            context["form"] = self.with_version(form, survey) if survey is not None else form
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        survey = self.survey()
        form = SurveyForm(request.POST)
        if survey is not None:
            form = self.with_version(form, survey)
        status = 400
        if form.is_valid():
            done, status = self.attempt(
                lambda: services.survey_save(actor=self.actor, project=self.project, **form.cleaned_data),
                form,
                edited=survey,
            )
            if done is not None:
                messages.success(request, _("Satisfaction survey saved."))
                return redirect(request.path)
        return self.render_page(status, form=form)

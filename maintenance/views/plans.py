"""Inspection plan pages: the organisation's plans, and the form that makes or changes one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from maintenance.forms_rounds import PlanForm
from maintenance.models import InspectionPlan, Inspector, RoundStatus
from maintenance.permissions import MAINTENANCE_OFFICE, MaintenanceAction
from maintenance.services import plans as services
from maintenance.views.base import MaintenancePage
from pmo.models import Membership, User
from pmo.views import paginate

PLANS_PER_PAGE = 25


def inspectors(organization: Any) -> list[User]:
    """The members who may do rounds: the maintenance office and the named inspectors (two queries)."""
    office = Membership.objects.for_organization(organization).filter(role__in=list(MAINTENANCE_OFFICE))
    named = Inspector.objects.for_organization(organization).filter(is_active=True)
    ids = set(office.values_list("user_id", flat=True)) | set(named.values_list("user_id", flat=True))
    return list(User.objects.filter(pk__in=ids).order_by("username"))


class PlanListPage(MaintenancePage):
    """The organisation's inspection plans, each with its scope and open rounds; paginated."""

    template_name = "maintenance/plans.html"
    section = "plans"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plans = (
            InspectionPlan.objects.for_organization(self.organization)
            .select_related("inspector")
            .prefetch_related("sites", "areas", "categories", "criteria")
            .annotate(
                open_rounds=Count(
                    "rounds", filter=Q(rounds__status__in=[RoundStatus.SCHEDULED, RoundStatus.IN_PROGRESS])
                )
            )
            .order_by("-is_active", "name")
        )
        page = paginate(self.request, plans, PLANS_PER_PAGE)
        slug = self.organization.slug
        context.update(
            page=page,
            rows=[
                {
                    "plan": plan,
                    "url": reverse("org-maintenance-plan", args=[slug, plan.pk]),
                    "rounds_url": reverse("org-maintenance-rounds", args=[slug]) + f"?whose=all&plan={plan.pk}",
                    "sites": ", ".join(site.code for site in plan.sites.all()),
                    "areas": ", ".join(area.name for area in plan.areas.all()),
                    "categories": ", ".join(category.name for category in plan.categories.all()),
                    "criteria": len(plan.criteria.all()),
                }
                for plan in page.object_list
            ],
            may_manage=self.can(MaintenanceAction.MANAGE),
        )
        return context


class PlanFormPage(MaintenancePage):
    """``GET`` the form (empty, or the plan of the URL); ``POST`` ``op`` = save or delete."""

    template_name = "maintenance/plan_form.html"
    section = "plans"
    write_action = MaintenanceAction.MANAGE
    plan: InspectionPlan | None = None

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        plan_id = url_kwargs.get("inspection_plan_id")
        if plan_id is not None:
            plan = (
                InspectionPlan.objects.for_organization(self.organization)
                .select_related("inspector")
                .filter(pk=plan_id)
                .first()
            )
            if plan is None:
                raise Http404
            self.plan = plan

    def form(self, data: Any = None) -> PlanForm:
        initial = PlanForm.initial_of(self.plan) if self.plan is not None else {}
        return PlanForm(data, initial=initial, organization=self.organization, inspectors=inspectors(self.organization))

    def list_url(self) -> str:
        return reverse("org-maintenance-plans", args=[self.organization.slug])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        may_manage = self.can(MaintenanceAction.MANAGE)
        form = kwargs.get("form")
        if form is None and may_manage:
            form = self.form()
        context.update(plan=self.plan, form=form, may_manage=may_manage, list_url=self.list_url())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = self.plan
        if request.POST.get("op") == "delete" and plan is not None:
            _result, status = self.attempt(lambda: services.plan_delete(actor=self.actor, plan=plan))
            if status == 200:
                messages.success(request, _("The inspection plan was deleted."))
                return HttpResponseRedirect(self.list_url())
            return HttpResponseRedirect(request.path)
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_page(400, form=form)
        values = form.cleaned_data
        if plan is None:
            call: Any = lambda: services.plan_create(  # noqa: E731
                actor=self.actor, organization=self.organization, **values
            )
        else:
            call = lambda: services.plan_update(actor=self.actor, plan=plan, **values)  # noqa: E731
        saved, status = self.attempt(call, form)
        if status != 200:
            return self.render_page(status, form=form)
        messages.success(request, _("The inspection plan was saved: its rounds come with the next run."))
        return HttpResponseRedirect(reverse("org-maintenance-plan", args=[self.organization.slug, saved.pk]))

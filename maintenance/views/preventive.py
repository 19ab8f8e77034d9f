"""Pages of preventive maintenance: the plans with where each asset stands, a plan's work orders, the
meters of an asset and the reading form (made for a phone).

Everyone reads; the maintenance office and the PMO change plans and meters
(``MaintenanceAction.MANAGE``); anyone who carries out work records readings (``MaintenanceAction.WORK``).
Each write is one service call (``maintenance.services.preventive`` and ``.meters``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maintenance.forms_preventive import MeterForm, MeterReadingForm, PmPlanForm
from maintenance.models import Asset, Meter, MeterReading, PmPlan, PmSchedule, PmTrigger
from maintenance.permissions import MaintenanceAction
from maintenance.preventive import METER_KEY_PREFIX, DuePoint
from maintenance.services import meters as meter_services
from maintenance.services import preventive as services
from maintenance.services.preventive import PlanTarget
from maintenance.views.base import MaintenancePage
from maintenance.visibility import visible_work_orders
from pmo.views import paginate

PLANS_PER_PAGE = 25
TARGETS_PER_PAGE = 25
ORDERS_PER_PAGE = 10
READINGS_PER_PAGE = 20


def number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return number_format(value.normalize(), force_grouping=True)


def every_text(count: int, unit: str) -> str:
    """ "every 3 months", "every month" in the active language."""
    if unit == "days":
        return ngettext("every day", "every %(count)s days", count) % {"count": count}
    if unit == "weeks":
        return ngettext("every week", "every %(count)s weeks", count) % {"count": count}
    if unit == "months":
        return ngettext("every month", "every %(count)s months", count) % {"count": count}
    return ngettext("every year", "every %(count)s years", count) % {"count": count}


def describe(plan: PmPlan, unit: str = "") -> str:
    """The plan's schedule in a sentence of the active language."""
    if plan.trigger == PmTrigger.METER:
        values: dict[str, Any] = {
            "every": f"{number(plan.meter_interval)} {unit}".strip(),
            "lead": f"{number(plan.meter_lead)} {unit}".strip(),
            "code": plan.meter_code,
        }
        if plan.meter_lead:
            return _("Every %(every)s of meter %(code)s, opened %(lead)s ahead") % values
        return _("Every %(every)s of meter %(code)s") % values
    values = {
        "every": every_text(plan.interval or 1, plan.interval_unit),
        "start": date_format(plan.starts_on, "Y-m-d") if plan.starts_on else "—",
        "lead": plan.lead_days,
    }
    if plan.schedule == PmSchedule.FLOATING:
        text = _("Due %(every)s after the last completion (first due %(start)s)") % values
    else:
        text = _("Due %(every)s from %(start)s, on fixed dates") % values
    if plan.lead_days:
        text += ngettext("; opened %(lead)s day ahead", "; opened %(lead)s days ahead", plan.lead_days) % values
    return text


def due_key_text(key: str, unit: str = "") -> str:
    """A due key as people read it: ``meter:12000`` is "12,000 h", a date stays a date."""
    if key.startswith(METER_KEY_PREFIX):
        try:
            return f"{number(Decimal(key[len(METER_KEY_PREFIX) :]))} {unit}".strip()
        except ArithmeticError:
            return key
    return key


def point_text(point: DuePoint | None, unit: str = "") -> str:
    if point is None:
        return "—"
    if point.due_date is not None:
        return date_format(point.due_date, "Y-m-d")
    return f"{number(point.due_value)} {unit}".strip()


def opens_text(point: DuePoint | None, unit: str = "") -> str:
    if point is None:
        return ""
    if point.opens_on is not None:
        return _("appears on %(day)s") % {"day": date_format(point.opens_on, "Y-m-d")}
    return _("appears at %(value)s") % {"value": f"{number(point.opens_at)} {unit}".strip()}


def target_row(target: PlanTarget) -> dict[str, Any]:
    unit = target.meter.unit if target.meter else ""
    return {
        "asset": target.asset,
        "meter": target.meter,
        "missing_meter": target.missing_meter,
        "point": target.next_point,
        "due": point_text(target.next_point, unit),
        "opens": opens_text(target.next_point, unit),
        "now": f"{number(target.meter.total)} {unit}".strip() if target.meter else "",
        "last_done": target.last_done,
    }


def _soonest(targets: list[PlanTarget]) -> PlanTarget | None:
    """The asset whose next work order appears first: earliest date, or fewest units to go."""
    ready = [t for t in targets if t.next_point is not None]
    if not ready:
        return None

    def key(target: PlanTarget) -> Any:
        point = target.next_point
        assert point is not None
        if point.opens_on is not None:
            return (point.opens_on.toordinal(), 0)
        assert point.opens_at is not None
        assert target.meter is not None
        return (0, point.opens_at - target.meter.total)

    return min(ready, key=key)


class PreventivePage(MaintenancePage):
    section = "preventive"
    write_action = MaintenanceAction.MANAGE

    def link(self, name: str, *args: Any) -> str:
        return reverse(name, args=[self.organization.slug, *args])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_manage"] = self.can(MaintenanceAction.MANAGE)
        context["may_read_meters"] = self.can(MaintenanceAction.WORK)
        context["plans_url"] = self.link("org-maintenance-preventive")
        return context


def _plans(organization: Any) -> QuerySet[PmPlan]:
    return PmPlan.objects.for_organization(organization).select_related("asset", "category", "assignee", "contractor")


class PlanListView(PreventivePage):
    """The plans, each with its soonest next due point; ``?status=inactive`` or ``all``."""

    template_name = "maintenance/preventive.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "active")
        plans = _plans(self.organization).order_by("name", "pk")
        if status == "inactive":
            plans = plans.filter(is_active=False)
        elif status != "all":
            status = "active"
            plans = plans.filter(is_active=True)
        page = paginate(self.request, plans, PLANS_PER_PAGE)
        shown = list(page.object_list)
        targets = services.plan_targets(self.organization, shown, today=self.organization.today())
        by_plan: dict[int, list[PlanTarget]] = {}
        for target in targets:
            by_plan.setdefault(target.plan.pk, []).append(target)
        rows = []
        for plan in shown:
            mine = by_plan.get(plan.pk, [])
            soonest = _soonest(mine)
            unit = soonest.meter.unit if soonest and soonest.meter else ""
            rows.append(
                {
                    "plan": plan,
                    "url": self.link("org-maintenance-preventive-plan", plan.pk),
                    "schedule": describe(plan, unit),
                    "assets": len(mine),
                    "soonest": target_row(soonest) if soonest else None,
                    "missing_meters": sum(1 for t in mine if t.missing_meter),
                }
            )
        context.update(page=page, rows=rows, status=status, today=self.organization.today())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        result, _status = self.attempt(
            lambda: services.generate_preventive(organization=self.organization, actor=self.actor)
        )
        if result is not None:
            messages.success(
                request,
                ngettext("%(made)s preventive work order made.", "%(made)s preventive work orders made.", result.made)
                % {"made": result.made},
            )
        return HttpResponseRedirect(self.link("org-maintenance-preventive"))


class PlanCreateView(PreventivePage):
    template_name = "maintenance/preventive_form.html"
    read_action = MaintenanceAction.MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        initial = {"trigger": PmTrigger.CALENDAR, "starts_on": self.organization.today(), "interval_unit": "months"}
        asset_code = self.request.GET.get("asset", "")[:40]
        if asset_code:
            initial["asset_code"] = asset_code
        context["form"] = kwargs.get("form") or PmPlanForm(organization=self.organization, initial=initial)
        context["plan"] = None
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PmPlanForm(request.POST, organization=self.organization)
        status = 400
        if form.is_valid():
            plan, status = self.attempt(
                lambda: services.pm_plan_create(
                    actor=self.actor, organization=self.organization, **form.service_fields()
                ),
                form,
            )
            if plan is not None:
                messages.success(request, _("Preventive plan “%(name)s” added.") % {"name": plan.name})
                return HttpResponseRedirect(self.link("org-maintenance-preventive-plan", plan.pk))
        return self.render_page(status=status, form=form)


class PlanPage(PreventivePage):
    model = PmPlan

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.plan = get_object_or_404(_plans(self.organization), pk=url_kwargs["pk"])
        self.plan.organization = self.organization


class PlanDetailView(PlanPage):
    """A plan: its schedule, where each asset stands (paginated) and the work orders it made."""

    template_name = "maintenance/preventive_plan.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan = self.plan
        targets = services.plan_targets(self.organization, [plan], today=self.organization.today())
        target_page = paginate(self.request, targets, TARGETS_PER_PAGE)
        unit = next((t.meter.unit for t in targets if t.meter is not None), "")
        orders = (
            visible_work_orders(self.membership)
            .filter(pm_plan=plan)
            .select_related("asset")
            .order_by("-opened_at", "-number")
        )
        order_page = paginate_as(self.request, orders, ORDERS_PER_PAGE, "orders")
        context.update(
            plan=plan,
            schedule=describe(plan, unit),
            target_page=target_page,
            targets=[target_row(t) for t in target_page.object_list],
            order_page=order_page,
            orders=[
                {
                    "order": order,
                    "url": self.link("org-maintenance-work-order", order.pk),
                    "due": due_key_text(order.pm_due_key, unit),
                }
                for order in order_page.object_list
            ],
            edit_url=self.link("org-maintenance-preventive-edit", plan.pk),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        active = request.POST.get("op") == "activate"
        plan, _status = self.attempt(
            lambda: services.pm_plan_set_active(actor=self.actor, plan=self.plan, active=active)
        )
        if plan is not None:
            if active:
                messages.success(request, _("Plan “%(name)s” is active again.") % {"name": plan.name})
            else:
                messages.success(request, _("Plan “%(name)s” makes no more work orders.") % {"name": plan.name})
        return HttpResponseRedirect(self.link("org-maintenance-preventive-plan", self.plan.pk))


def paginate_as(request: HttpRequest, items: Any, per_page: int, param: str) -> Any:
    from django.core.paginator import Paginator

    page = Paginator(items, per_page).get_page(request.GET.get(param))
    page.param = param  # type: ignore[attr-defined]
    return page


class PlanEditView(PlanPage):
    template_name = "maintenance/preventive_form.html"
    read_action = MaintenanceAction.MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["plan"] = self.plan
        context["form"] = kwargs.get("form") or self.with_version(
            PmPlanForm(organization=self.organization, initial=PmPlanForm.initial_from(self.plan)), self.plan
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.with_version(PmPlanForm(request.POST, organization=self.organization), self.plan)
        status = 400
        if form.is_valid():
            plan, status = self.attempt(
                lambda: services.pm_plan_update(actor=self.actor, plan=self.plan, **form.service_fields()),
                form,
                edited=self.plan,
            )
            if plan is not None:
                messages.success(request, _("Preventive plan “%(name)s” saved.") % {"name": plan.name})
                return HttpResponseRedirect(self.link("org-maintenance-preventive-plan", plan.pk))
        return self.render_page(status=status, form=form)


# Meters


def meters_of(asset: Asset) -> list[Meter]:
    """An asset's meters, for ``templates/maintenance/_asset_meters.html`` (one query)."""
    return list(Meter.objects.for_organization(asset.organization_id).filter(asset=asset).order_by("code"))


class AssetMetersView(PreventivePage):
    """An asset's meters, with the form to add one (the maintenance office) and its meter plans."""

    template_name = "maintenance/meters.html"

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.asset = get_object_or_404(
            Asset.objects.for_organization(self.organization).select_related("site", "category"),
            pk=url_kwargs["asset_id"],
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plans = list(
            _plans(self.organization)
            .filter(Q(asset=self.asset) | Q(category_id=self.asset.category_id), is_active=True)
            .order_by("name")
        )
        targets = services.plan_targets(self.organization, plans, today=self.organization.today(), asset=self.asset)
        context.update(
            asset=self.asset,
            meters=meters_of(self.asset),
            plans=[
                {
                    **target_row(t),
                    "plan": t.plan,
                    "url": self.link("org-maintenance-preventive-plan", t.plan.pk),
                }
                for t in targets
            ],
            asset_url=_asset_url(self.organization.slug, self.asset.pk),
            new_plan_url=self.link("org-maintenance-preventive-new") + f"?asset={self.asset.code}",
        )
        if context["may_manage"] and self.asset.is_active:
            context["form"] = kwargs.get("form") or MeterForm()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = MeterForm(request.POST)
        status = 400
        if form.is_valid():
            meter, status = self.attempt(
                lambda: meter_services.meter_create(actor=self.actor, asset=self.asset, **form.cleaned_data), form
            )
            if meter is not None:
                messages.success(request, _("Meter “%(name)s” added.") % {"name": meter.name})
                return HttpResponseRedirect(self.link("org-maintenance-asset-meters", self.asset.pk))
        return self.render_page(status=status, form=form)


def _asset_url(org_slug: str, asset_id: int) -> str | None:
    from django.urls import NoReverseMatch

    try:
        return reverse("org-maintenance-asset", args=[org_slug, asset_id])
    except NoReverseMatch:
        return None


class MeterView(PreventivePage):
    """One meter: the reading form (for a phone), its readings, the plans that follow it."""

    template_name = "maintenance/meter.html"
    model = Meter
    write_action = MaintenanceAction.WORK

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.meter = get_object_or_404(
            Meter.objects.for_organization(self.organization).select_related("asset", "asset__site"),
            pk=url_kwargs["pk"],
        )
        self.meter.organization = self.organization

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        meter = self.meter
        readings = (
            MeterReading.objects.for_organization(self.organization)
            .filter(meter=meter)
            .select_related("read_by")
            .order_by("-read_at", "-pk")
        )
        plans = list(
            _plans(self.organization)
            .filter(Q(asset=meter.asset) | Q(category_id=meter.asset.category_id), is_active=True)
            .filter(trigger=PmTrigger.METER, meter_code=meter.code)
            .order_by("name")
        )
        targets = services.plan_targets(self.organization, plans, today=self.organization.today(), asset=meter.asset)
        context.update(
            meter=meter,
            asset=meter.asset,
            page=paginate(self.request, readings, READINGS_PER_PAGE),
            plans=[
                {**target_row(t), "plan": t.plan, "url": self.link("org-maintenance-preventive-plan", t.plan.pk)}
                for t in targets
            ],
            meters_url=self.link("org-maintenance-asset-meters", meter.asset_id),
            readable=meter.asset.is_active and context["may_read_meters"],
        )
        if context["readable"]:
            context["form"] = kwargs.get("form") or MeterReadingForm()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = MeterReadingForm(request.POST)
        status = 400
        if form.is_valid():
            recorded, status = self.attempt(
                lambda: meter_services.meter_reading_record(actor=self.actor, meter=self.meter, **form.cleaned_data),
                form,
            )
            if recorded is not None:
                made = recorded.generation.work_orders
                text = _("Reading %(value)s %(unit)s recorded.") % {
                    "value": number(recorded.reading.value),
                    "unit": self.meter.unit,
                }
                if made:
                    text += " " + ngettext(
                        "It brought %(count)s preventive work order due: %(refs)s.",
                        "It brought %(count)s preventive work orders due: %(refs)s.",
                        len(made),
                    ) % {"count": len(made), "refs": ", ".join(order.reference for order in made)}
                messages.success(request, text)
                return HttpResponseRedirect(self.link("org-maintenance-meter", self.meter.pk))
        return self.render_page(status=status, form=form)

"""Inspection round pages: the list (mine or everyone's, by status, overdue) and the round itself,
made for a phone: stop by stop in route order, each criterion with its rule, a reading or "not
applicable", a note and a photo, judged as soon as it is saved; stops not reached; completion."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from maintenance import judging
from maintenance.forms_rounds import EVERYONE, MINE, OPEN, CancelRoundForm, RoundListFilter, SkipForm
from maintenance.generation import criteria_by_category
from maintenance.models import (
    AssetReading,
    CriterionKind,
    CriterionVersion,
    EnteredAs,
    Round,
    RoundStatus,
    RoundStop,
    StopStatus,
    WorkOrder,
)
from maintenance.permissions import MaintenanceAction
from maintenance.services import rounds as services
from maintenance.views.base import MaintenancePage
from pmo.errors import ApplicationError
from pmo.models import Attachment
from pmo.views import paginate

ROUNDS_PER_PAGE = 25
OPEN_STATUSES = [RoundStatus.SCHEDULED, RoundStatus.IN_PROGRESS]
STATUS_BADGES: dict[str, str] = {
    RoundStatus.SCHEDULED: "badge-blue",
    RoundStatus.IN_PROGRESS: "badge-amber",
    RoundStatus.COMPLETED: "badge-green",
    RoundStatus.CANCELLED: "badge-grey",
}
STOP_BADGES: dict[str, str] = {
    StopStatus.PENDING: "badge-grey",
    StopStatus.DONE: "badge-green",
    StopStatus.SKIPPED: "badge-amber",
}


class RoundListPage(MaintenancePage):
    """Rounds by due date: the signed-in inspector's by default, open ones first; paginated."""

    template_name = "maintenance/rounds.html"
    section = "rounds"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        data = self.request.GET.copy()
        if "whose" not in data:
            data["whose"] = MINE if not self.can(MaintenanceAction.INSPECT) else EVERYONE
        if "status" not in data:
            data["status"] = OPEN
        filters = RoundListFilter(data)
        today = self.organization.today()
        found = (
            Round.objects.for_organization(self.organization)
            .select_related("plan", "inspector")
            .annotate(
                stop_count=Count("stops"),
                stops_left=Count("stops", filter=Q(stops__status=StopStatus.PENDING)),
            )
        )
        if filters.is_valid():
            values = filters.cleaned_data
            if values["whose"] == MINE:
                found = found.filter(inspector_id=self.request.user.pk)
            if values["status"] == OPEN:
                found = found.filter(status__in=OPEN_STATUSES)
            elif values["status"]:
                found = found.filter(status=values["status"])
            if values["overdue"]:
                found = found.filter(status__in=OPEN_STATUSES, due_date__lt=today)
        plan_id = self.request.GET.get("plan", "")
        if plan_id.isdigit():
            found = found.filter(plan_id=int(plan_id))
        found = found.order_by("due_date", "plan__name", "pk")
        page = paginate(self.request, found, ROUNDS_PER_PAGE)
        slug = self.organization.slug
        context.update(
            page=page,
            filters=filters,
            filtered=any(key != "page" for key in self.request.GET),
            list_url=reverse("org-maintenance-rounds", args=[slug]),
            rows=[
                {
                    "round": item,
                    "url": reverse("org-maintenance-round", args=[slug, item.pk]),
                    "badge": STATUS_BADGES.get(item.status, "badge-grey"),
                    "overdue": item.is_overdue(today),
                    "done": item.stop_count - item.stops_left,
                }
                for item in page.object_list
            ],
        )
        return context


def _decimal(raw: str, label: str) -> Decimal | None:
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ApplicationError(
            _("%(label)s: enter the reading as a number.") % {"label": label}, code="reading_invalid"
        ) from None
    if not number.is_finite():
        raise ApplicationError(
            _("%(label)s: enter the reading as a number.") % {"label": label}, code="reading_invalid"
        )
    return number


def verdict_of(reading: AssetReading, version: CriterionVersion, surface: Decimal | None) -> str:
    """The reading's verdict as it was judged ("23 mm > 20 mm: defect"); "not applicable" when so."""
    if reading.not_applicable or reading.entered_value is None:
        return _("Not applicable")
    try:
        return judging.judge(
            version,
            value=reading.entered_value,
            second_value=reading.second_value,
            entered_as=reading.entered_as,
            surface=surface,
        ).text
    except ApplicationError:
        return f"{reading.value} {version.unit}".strip()


class RoundPage(MaintenancePage):
    """``GET`` the round at a stop (``?stop=<id>``; the first one to do when none); ``POST`` ``op`` =
    readings (the stop's criteria), skip (not reached, with a note), reopen or complete."""

    template_name = "maintenance/round.html"
    section = "rounds"
    write_action = MaintenanceAction.INSPECT_NAMED
    round: Round

    @classmethod
    def unowned_action(cls, method: str, viewset_action: str | None = None) -> str | None:
        """For a member who is not the round's named inspector: doing it needs the maintenance office's action."""
        if method.lower() == "post":
            return MaintenanceAction.INSPECT
        return cls.required_action(method, viewset_action)

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        found = (
            Round.objects.for_organization(self.organization)
            .select_related("plan", "inspector")
            .filter(pk=url_kwargs["round_id"])
            .first()
        )
        if found is None:
            raise Http404
        self.round = found

    def may_do(self) -> bool:
        return self.round.is_open and services.may_do_round(self.membership, self.round)

    def page_url(self, stop: RoundStop | None = None) -> str:
        url = reverse("org-maintenance-round", args=[self.organization.slug, self.round.pk])
        return f"{url}?stop={stop.pk}" if stop is not None else url

    def stops(self) -> list[RoundStop]:
        return list(
            RoundStop.objects.for_organization(self.organization)
            .filter(round=self.round)
            .select_related("asset", "asset__area", "asset__site", "asset__category")
            .order_by("position", "pk")
        )

    def chosen(self, stops: list[RoundStop], raw: str | None) -> RoundStop | None:
        if raw and str(raw).isdigit():
            for stop in stops:
                if stop.pk == int(raw):
                    return stop
            raise Http404
        return next((stop for stop in stops if stop.status == StopStatus.PENDING), stops[0] if stops else None)

    def criteria(self, stop: RoundStop) -> list[CriterionVersion]:
        ids = criteria_by_category(self.round.plan, [stop.asset.category_id]).get(stop.asset.category_id, [])
        versions = {
            version.criterion_id: version
            for version in CriterionVersion.objects.for_organization(self.organization).filter(
                criterion_id__in=ids, is_current=True
            )
        }
        return [versions[pk] for pk in ids if pk in versions]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        round_ = self.round
        stops = self.stops()
        raw = self.request.POST.get("stop") if self.request.method == "POST" else self.request.GET.get("stop")
        stop = kwargs.get("stop") or self.chosen(stops, raw)
        today = self.organization.today()
        counts = {status: sum(1 for each in stops if each.status == status) for status in StopStatus.values}
        context.update(
            round=round_,
            plan=round_.plan,
            badge=STATUS_BADGES.get(round_.status, "badge-grey"),
            overdue=round_.is_overdue(today),
            stops=[
                {"stop": each, "url": self.page_url(each), "badge": STOP_BADGES[each.status], "current": each == stop}
                for each in stops
            ],
            counts=counts,
            total=len(stops),
            may_do=self.may_do(),
            list_url=reverse("org-maintenance-rounds", args=[self.organization.slug]),
            skip_form=kwargs.get("skip_form") or SkipForm(),
            may_cancel=round_.is_open and services.may_cancel_round(self.membership),
            cancel_form=kwargs.get("cancel_form") or CancelRoundForm(),
            cancel_open=kwargs.get("cancel_form") is not None,
            kinds=CriterionKind,
            entered=EnteredAs,
            reading_parent_type="maintenance.assetreading",
        )
        if stop is None:
            return context
        index = stops.index(stop)
        surface = stop.asset.judged_surface()
        versions = self.criteria(stop)
        readings = {
            reading.criterion_id: reading
            for reading in AssetReading.objects.for_organization(self.organization).filter(round=round_, stop=stop)
        }
        orders = {
            order.defect_id: order
            for order in WorkOrder.objects.for_organization(self.organization).filter(
                defect_id__in=[r.defect_id for r in readings.values() if r.defect_id]
            )
        }
        photos: dict[int, list[Attachment]] = defaultdict(list)
        if readings:
            for attachment in Attachment.objects.for_organization(self.organization).filter(
                content_type=ContentType.objects.get_for_model(AssetReading),
                object_id__in=[reading.pk for reading in readings.values()],
            ):
                photos[attachment.object_id].append(attachment)
        posted = kwargs.get("posted") or {}
        items = []
        for version in versions:
            reading = readings.get(version.criterion_id)
            order = orders.get(reading.defect_id) if reading is not None and reading.defect_id else None
            items.append(
                {
                    "version": version,
                    "key": version.criterion_id,
                    "rule": judging.rule_text(version),
                    "reading": reading,
                    "verdict": verdict_of(reading, version, surface) if reading is not None else "",
                    "work_order": order,
                    "photos": photos.get(reading.pk, []) if reading is not None else [],
                    "posted": {
                        "value": posted.get(f"value-{version.criterion_id}", ""),
                        "second": posted.get(f"second-{version.criterion_id}", ""),
                        "entered_as": posted.get(f"as-{version.criterion_id}", ""),
                        "na": posted.get(f"na-{version.criterion_id}") == "on",
                        "notes": posted.get(f"notes-{version.criterion_id}", ""),
                    },
                }
            )
        context.update(
            stop=stop,
            items=items,
            surface=surface,
            position=index + 1,
            previous_url=self.page_url(stops[index - 1]) if index > 0 else "",
            next_url=self.page_url(stops[index + 1]) if index + 1 < len(stops) else "",
            stop_url=self.page_url(stop),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("op") == "cancel":
            return self._cancel(request)
        if not self.may_do():
            if not services.may_do_round(self.membership, self.round):
                raise PermissionDenied
            messages.error(request, _("The round is closed: it takes no more changes."))
            return HttpResponseRedirect(self.page_url())
        op = request.POST.get("op")
        if op == "complete":
            _result, status = self.attempt(lambda: services.round_complete(actor=self.actor, round=self.round))
            if status == 200:
                messages.success(request, _("The round is completed."))
            return HttpResponseRedirect(self.page_url())
        stops = self.stops()
        stop = self.chosen(stops, request.POST.get("stop"))
        if stop is None:
            messages.error(request, _("The round has no assets to inspect."))
            return HttpResponseRedirect(self.page_url())
        if op == "skip":
            form = SkipForm(request.POST)
            if not form.is_valid():
                return self.render_page(400, stop=stop, skip_form=form)
            note = form.cleaned_data["note"]
            _result, status = self.attempt(
                lambda: services.round_stop_skip(actor=self.actor, stop=stop, note=note), form
            )
            if status != 200:
                return self.render_page(status, stop=stop, skip_form=form)
            return HttpResponseRedirect(self._next_url(stops, stop))
        if op == "reopen":
            self.attempt(lambda: services.round_stop_reopen(actor=self.actor, stop=stop))
            return HttpResponseRedirect(self.page_url(stop))
        return self._readings(request, stops, stop)

    def _cancel(self, request: HttpRequest) -> HttpResponse:
        if not services.may_cancel_round(self.membership):
            raise PermissionDenied
        form = CancelRoundForm(request.POST)
        if not form.is_valid():
            return self.render_page(400, cancel_form=form)
        reason = form.cleaned_data["reason"]
        _result, status = self.attempt(
            lambda: services.round_cancel(actor=self.actor, round=self.round, reason=reason), form
        )
        if status != 200:
            return self.render_page(status, cancel_form=form)
        messages.success(request, _("The round is cancelled."))
        return HttpResponseRedirect(self.page_url())

    def _next_url(self, stops: list[RoundStop], stop: RoundStop) -> str:
        index = stops.index(stop)
        later = [each for each in stops[index + 1 :] if each.status == StopStatus.PENDING]
        return self.page_url(later[0]) if later else self.page_url(stop)

    def _readings(self, request: HttpRequest, stops: list[RoundStop], stop: RoundStop) -> HttpResponse:
        try:
            readings = self._read_inputs(request, stop)
        except ApplicationError as error:
            messages.error(request, error.message)
            return self.render_page(400, stop=stop, posted=request.POST)
        if not readings:
            messages.error(request, _("Enter at least one reading, or mark a criterion not applicable."))
            return self.render_page(400, stop=stop, posted=request.POST)
        results, status = self.attempt(
            lambda: services.round_submit_readings(actor=self.actor, round=self.round, stop=stop, readings=readings)
        )
        if status != 200:
            return self.render_page(status, stop=stop, posted=request.POST)
        for result in results:
            if result.work_order is not None:
                messages.warning(
                    request,
                    _("%(verdict)s: work order %(reference)s.")
                    % {
                        "verdict": result.verdict.text if result.verdict else "",
                        "reference": result.work_order.reference,
                    },
                )
        stop.refresh_from_db(fields=["status"])
        if stop.status == StopStatus.DONE:
            messages.success(request, _("%(asset)s is done.") % {"asset": stop.asset.code})
            return HttpResponseRedirect(self._next_url(stops, stop) + "#stop")
        return HttpResponseRedirect(self.page_url(stop) + "#stop")

    def _read_inputs(self, request: HttpRequest, stop: RoundStop) -> list[services.ReadingInput]:
        readings = []
        for version in self.criteria(stop):
            key = version.criterion_id
            label = version.measure
            not_applicable = request.POST.get(f"na-{key}") == "on"
            value = _decimal(request.POST.get(f"value-{key}", ""), label)
            second = _decimal(request.POST.get(f"second-{key}", ""), version.second_measure or label)
            notes = request.POST.get(f"notes-{key}", "")
            if not not_applicable and value is None:
                continue  # left for later
            entered_as = request.POST.get(f"as-{key}", EnteredAs.VALUE)
            if version.kind == CriterionKind.PERCENTAGE and entered_as not in (EnteredAs.AREA, EnteredAs.PERCENT):
                entered_as = EnteredAs.PERCENT
            elif version.kind != CriterionKind.PERCENTAGE:
                entered_as = EnteredAs.VALUE
            readings.append(
                services.ReadingInput(
                    criterion_id=key,
                    stop_id=stop.pk,
                    value=None if not_applicable else value,
                    second_value=None if not_applicable else second,
                    entered_as=entered_as,
                    not_applicable=not_applicable,
                    notes=notes,
                )
            )
        return readings

"""Inspections: the project's list and the organisation's (filters, overdue), scheduling one, and the
inspection's own page, where the inspector records readings on a phone, signs off or cancels."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from pmo.models import Attachment
from pmo.pdf import pdf_response
from pmo.views import paginate
from quality import reports
from quality.inspection_filters import InspectionFilter, OrganizationInspectionFilter, is_overdue
from quality.inspection_forms import CancelForm, ReadingForm, ScheduleForm, SignForm
from quality.models import (
    ChecklistItem,
    Inspection,
    InspectionType,
    ItemKind,
    Outcome,
    PlanEntry,
    Reading,
)
from quality.permissions import QualityAction, may_inspect
from quality.services import inspections as services
from quality.services.settings import quality_settings_for
from quality.views.base import InProject, QualityPage
from quality.views.plan import OUTCOME_BADGES, STATUS_BADGES, may_schedule

#: Query parameters that do not narrow a list.
NOT_FILTERS = frozenset({"page"})


def inspection_url(org_slug: str, project_id: int, inspection_id: int) -> str:
    return reverse(
        "quality-inspection",
        kwargs={"org_slug": org_slug, "project_id": project_id, "inspection_id": inspection_id},
    )


class InspectionListPage(QualityPage):
    """The inspections of a project (with ``InProject``) or of the organisation, filtered and paginated."""

    template_name = "quality/inspections.html"
    section = "inspections"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = self.organization.today()
        inspections = Inspection.objects.for_organization(self.organization).select_related(
            "project", "template", "inspection_type", "wbs_element", "inspector"
        )
        if self.in_project():
            inspections = inspections.filter(project=self.project).order_by("-number")  # type: ignore[attr-defined]
            filterset: InspectionFilter = InspectionFilter(self.request.GET, queryset=inspections)
        else:
            inspections = inspections.order_by("project__code", "-number")
            filterset = OrganizationInspectionFilter(self.request.GET, queryset=inspections)
        page = paginate(self.request, filterset.qs if filterset.is_valid() else filterset.queryset.none())
        rows = []
        for inspection in page.object_list:
            inspection.organization = self.organization
            rows.append(
                {
                    "inspection": inspection,
                    "url": inspection_url(self.organization.slug, inspection.project_id, inspection.pk),
                    "overdue": is_overdue(inspection, today),
                    "status_badge": STATUS_BADGES.get(inspection.status, "badge-grey"),
                    "outcome_badge": OUTCOME_BADGES.get(inspection.outcome, "badge-grey"),
                }
            )
        context.update(
            filter=filterset,
            page=page,
            rows=rows,
            filtered=any(value for key, value in self.request.GET.items() if key not in NOT_FILTERS),
            may_schedule=may_schedule(self),
            list_url=self.request.path,
        )
        return context


class ProjectInspectionsView(InProject, InspectionListPage):
    pass


class OrganizationInspectionsView(InspectionListPage):
    pass


def _may_inspect(page: QualityPage, inspection_type: InspectionType) -> bool:
    return may_inspect(
        page.membership,
        page.project_role,
        inspection_type,
        quality_settings_for(page.organization),
    )


class InspectionCreateView(InProject, QualityPage):
    """Schedule an inspection: from a plan entry (``?plan_entry=``), ad hoc, or again after a failure
    (``?reinspection_of=``)."""

    template_name = "quality/inspection_create.html"
    section = "inspections"
    read_action = QualityAction.INSPECT_FIELD
    write_action = QualityAction.INSPECT_FIELD

    def entries(self) -> list[PlanEntry]:
        entries = list(
            PlanEntry.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("wbs_element")
            .order_by("planned_date", "id")
        )
        for entry in entries:
            where = f"{entry.wbs_element.code} {entry.wbs_element.name}" if entry.wbs_element else entry.phase
            date = entry.planned_date.isoformat() if entry.planned_date else ""
            entry.label = " · ".join(part for part in (entry.template_code, where, date) if part)
        return entries

    def form(self, data: Any = None) -> ScheduleForm:
        initial: dict[str, Any] = {}
        for key in ("plan_entry", "reinspection_of"):
            value = self.request.GET.get(key)
            if value and value.isdigit():
                initial[key] = int(value)
        return ScheduleForm(data, initial=initial, project=self.project, entries=self.entries())

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_schedule(self):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or self.form()
        reinspection_id = form["reinspection_of"].value()
        failed = None
        if reinspection_id:
            failed = (
                Inspection.objects.for_organization(self.organization)
                .filter(project=self.project, pk=reinspection_id)
                .select_related("template")
                .first()
            )
        context.update(form=form, reinspection=failed)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_schedule(self):
            raise PermissionDenied
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_page(400, form=form)
        values = dict(form.cleaned_data)
        inspection_type = self._type_of(values)
        if inspection_type is not None and not (
            self.can(QualityAction.PLAN_MANAGE) or _may_inspect(self, inspection_type)
        ):
            raise PermissionDenied
        inspection, status = self.attempt(
            lambda: services.inspection_schedule(actor=self.actor, project=self.project, **values), form
        )
        if inspection is None:
            return self.render_page(status, form=form)
        messages.success(request, _("Inspection %(code)s scheduled.") % {"code": inspection.code})
        return HttpResponseRedirect(inspection_url(self.organization.slug, self.project.pk, inspection.pk))

    def _type_of(self, values: dict[str, Any]) -> InspectionType | None:
        if values.get("template") is not None:
            return values["template"].inspection_type
        if values.get("reinspection_of") is not None:
            return values["reinspection_of"].inspection_type
        entry = values.get("plan_entry")
        if entry is not None:
            try:
                return services.current_template(self.organization.pk, entry.template_code).inspection_type
            except Exception:  # noqa: BLE001 - the service says what is wrong when it is called
                return None
        return None


class InspectionView(InProject, QualityPage):
    """One inspection: its header, one section per check with its readings and their verdicts, the record
    forms, the photos of each reading, sign-off with the outcome it would give, cancel and re-inspect."""

    template_name = "quality/inspection.html"
    section = "inspections"
    write_action = QualityAction.INSPECT_FIELD
    inspection: Inspection

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.inspection = get_object_or_404(
            Inspection.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related(
                "template", "inspection_type", "wbs_element", "inspector", "signed_by", "plan_entry", "reinspection_of"
            ),
            pk=url_kwargs["inspection_id"],
        )
        self.inspection.project = self.project
        self.inspection.organization = self.organization

    def page_url(self) -> str:
        return inspection_url(self.organization.slug, self.project.pk, self.inspection.pk)

    def may_record(self) -> bool:
        return self.inspection.is_open and self.project.is_open and _may_inspect(self, self.inspection.inspection_type)

    def may_plan(self) -> bool:
        return self.project.is_open and (
            self.can(QualityAction.PLAN_MANAGE) or _may_inspect(self, self.inspection.inspection_type)
        )

    def photos(self, readings: list[Reading]) -> dict[int, list[Attachment]]:
        by_reading: dict[int, list[Attachment]] = defaultdict(list)
        if not readings:
            return by_reading
        for attachment in Attachment.objects.for_organization(self.organization).filter(
            content_type=ContentType.objects.get_for_model(Reading),
            object_id__in=[reading.pk for reading in readings],
        ):
            by_reading[attachment.object_id].append(attachment)
        return by_reading

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        inspection = self.inspection
        items, readings, missing = services.item_results(inspection)
        every_reading = [reading for item in items for reading in readings[item.pk]]
        photos = self.photos(every_reading)
        may_record = self.may_record()
        error_item = kwargs.get("error_item")
        sections = []
        for index, item in enumerate(items, start=1):
            recorded = readings[item.pk]
            used = {reading.sequence for reading in recorded}
            free = [sequence for sequence in range(1, item.max_readings + 1) if sequence not in used]
            item_failed = any(reading.passed is False for reading in recorded)
            sections.append(
                {
                    "item": item,
                    "index": index,
                    "requirement": item.requirement(),
                    "options": item.options or [],
                    "readings": [
                        {
                            "reading": reading,
                            "verdict_class": ""
                            if reading.passed is None
                            else ("verdict-pass" if reading.passed else "verdict-fail"),
                            "photos": photos.get(reading.pk, []),
                            "judgement": self.judgement(item, reading),
                        }
                        for reading in recorded
                    ],
                    "next_sequence": free[0] if free and may_record else None,
                    "done": bool(recorded),
                    "failed": item_failed,
                    "error": kwargs.get("reading_form") if error_item == item.pk else None,
                }
            )
        preview = "" if missing else services.outcome_of(items, readings)
        may_sign = may_record and inspection.inspector_id in (None, self.request.user.pk)
        failed = inspection.outcome == Outcome.FAILED
        context.update(
            inspection=inspection,
            sections=sections,
            missing=missing,
            recorded_count=sum(1 for section in sections if section["done"]),
            preview=preview,
            preview_label=Outcome(preview).label if preview else "",
            preview_badge=OUTCOME_BADGES.get(preview, "badge-grey"),
            status_badge=STATUS_BADGES.get(inspection.status, "badge-grey"),
            outcome_badge=OUTCOME_BADGES.get(inspection.outcome, "badge-grey"),
            overdue=is_overdue(inspection, self.organization.today()),
            may_record=may_record,
            may_sign=may_sign,
            sign_form=kwargs.get("sign_form") or SignForm(initial={"remarks": inspection.remarks}),
            may_cancel=inspection.is_open and self.may_plan(),
            cancel_form=kwargs.get("cancel_form") or CancelForm(),
            may_reinspect=failed and self.may_plan(),
            reinspections=list(
                Inspection.objects.for_organization(self.organization)
                .filter(reinspection_of=inspection)
                .order_by("number")
                .values("pk", "number", "status", "outcome")
            ),
            page_url=self.page_url(),
            reading_parent_type="quality.reading",
            kinds=ItemKind,
        )
        return context

    @staticmethod
    def judgement(item: ChecklistItem, reading: Reading) -> str:
        """The verdict in the reader's language (the stored text is in the recorder's)."""
        try:
            return services.judge(item, reading).text
        except (AssertionError, KeyError):
            return reading.judgement

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        operation = request.POST.get("op", "")
        handler = {
            "reading": self.record,
            "delete_reading": self.delete_reading,
            "sign": self.sign,
            "cancel": self.cancel,
            "reinspect": self.reinspect,
        }.get(operation)
        if handler is None:
            messages.error(request, _("Unknown operation."))
            return self.render_page(400)
        return handler()

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied

    def record(self) -> HttpResponse:
        self.require(_may_inspect(self, self.inspection.inspection_type))
        form = ReadingForm(self.request.POST)
        if not form.is_valid():
            messages.error(self.request, _("The reading could not be read; try again."))
            return self.render_page(400)
        values = dict(form.cleaned_data)
        item = (
            ChecklistItem.objects.for_organization(self.organization)
            .filter(pk=values.pop("item"), template_id=self.inspection.template_id)
            .first()
        )
        if item is None:
            messages.error(self.request, _("Not a check of this inspection."))
            return self.render_page(400)
        reading, status = self.attempt(
            lambda: services.reading_record(actor=self.actor, inspection=self.inspection, item=item, **values), form
        )
        if reading is None:
            return self.render_page(status, error_item=item.pk, reading_form=form)
        return HttpResponseRedirect(f"{self.page_url()}#item-{item.pk}")

    def delete_reading(self) -> HttpResponse:
        self.require(_may_inspect(self, self.inspection.inspection_type))
        reading_id = self.request.POST.get("reading", "")
        reading = get_object_or_404(
            Reading.objects.for_organization(self.organization).filter(inspection=self.inspection),
            pk=reading_id if reading_id.isdigit() else 0,
        )
        reading.inspection = self.inspection
        _done, status = self.attempt(lambda: services.reading_delete(actor=self.actor, reading=reading))
        if status != 200:
            return self.render_page(status)
        return HttpResponseRedirect(f"{self.page_url()}#item-{reading.item_id}")

    def sign(self) -> HttpResponse:
        self.require(_may_inspect(self, self.inspection.inspection_type))
        form = SignForm(self.request.POST)
        form.is_valid()
        remarks = form.cleaned_data.get("remarks", "")
        inspection, status = self.attempt(
            lambda: services.inspection_sign(actor=self.actor, inspection=self.inspection, remarks=remarks)
        )
        if inspection is None:
            return self.render_page(status, sign_form=form)
        messages.success(
            self.request,
            _("%(code)s signed off: %(outcome)s.")
            % {"code": inspection.code, "outcome": inspection.get_outcome_display()},
        )
        return HttpResponseRedirect(self.page_url())

    def cancel(self) -> HttpResponse:
        self.require(self.may_plan())
        form = CancelForm(self.request.POST)
        if not form.is_valid():
            return self.render_page(400, cancel_form=form)
        inspection, status = self.attempt(
            lambda: services.inspection_cancel(
                actor=self.actor, inspection=self.inspection, reason=form.cleaned_data["reason"]
            ),
            form,
        )
        if inspection is None:
            return self.render_page(status, cancel_form=form)
        messages.success(self.request, _("%(code)s cancelled.") % {"code": inspection.code})
        return HttpResponseRedirect(self.page_url())

    def reinspect(self) -> HttpResponse:
        self.require(self.may_plan())
        inspection, status = self.attempt(
            lambda: services.inspection_schedule(
                actor=self.actor, project=self.project, reinspection_of=self.inspection
            )
        )
        if inspection is None:
            return self.render_page(status)
        messages.success(
            self.request,
            _("Re-inspection %(code)s scheduled.") % {"code": inspection.code},
        )
        return HttpResponseRedirect(inspection_url(self.organization.slug, self.project.pk, inspection.pk))


class InspectionPdfView(InspectionView):
    """The inspection printed with its photos (``quality.reports``), for whoever sees its page."""

    is_download = True

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        content, filename = reports.inspection_pdf(self.inspection)
        return pdf_response(content, filename)

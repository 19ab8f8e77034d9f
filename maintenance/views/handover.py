"""The project's handover to maintenance: the assets proposed from its deliverables, grouped site → area →
asset, for the O&M manager to choose the site, confirm and complete each row, add rows and complete the
handover (``maintenance.services.handover``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from maintenance.forms_assets import HandoverRowForm, HandoverSiteForm, categories, contractors, sites
from maintenance.models import Handover, HandoverRow, HandoverStatus
from maintenance.permissions import MaintenanceAction
from maintenance.services import assets as asset_services
from maintenance.services import handover as services
from maintenance.views.base import InProject, MaintenancePage
from pmo.models import Attachment


class HandoverView(InProject, MaintenancePage):
    """The handover page of a project (one query per part: handover, rows, choices, file counts)."""

    template_name = "maintenance/handover.html"
    section = "handover"
    write_action = MaintenanceAction.MANAGE
    handover: Handover | None

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.handover = services.handover_of(self.project)
        if self.handover is not None:
            self.handover.project = self.project
            self.handover.organization = self.organization

    def here(self) -> str:
        return reverse(
            "project-maintenance-handover",
            kwargs={"org_slug": self.organization.slug, "project_id": self.project.pk},
        )

    def rows(self) -> list[HandoverRow]:
        if self.handover is None:
            return []
        rows = list(
            HandoverRow.objects.for_organization(self.organization)
            .filter(handover=self.handover)
            .select_related("site", "category", "contractor", "wbs_element", "asset")
            .order_by("position", "pk")
        )
        for row in rows:
            row.handover = self.handover
            row.organization = self.organization
        return rows

    def choices(self) -> dict[str, Any]:
        if not hasattr(self, "_choices"):
            self._choices = {
                "category_choices": list(categories(self.organization)),
                "site_choices": list(sites(self.organization)),
                "contractor_choices": list(contractors(self.organization)),
            }
        return self._choices

    def row_form(self, row: HandoverRow | None, data: Any = None) -> HandoverRowForm:
        prefix = f"r{row.pk}" if row is not None else "new"
        return HandoverRowForm(
            data,
            instance=row,
            prefix=prefix,
            date_window=self.organization.date_window,
            **self.choices(),
        )

    def site_form(self, data: Any = None) -> HandoverSiteForm:
        initial = {"site": self.handover.site_id} if self.handover is not None else {}
        return HandoverSiteForm(data, initial=initial, organization=self.organization, prefix="site")

    def groups(self, rows: list[HandoverRow], forms: dict[int, HandoverRowForm]) -> list[dict[str, Any]]:
        """Site → area → rows, in the rows' order; a row without a site goes to the handover's."""
        assert self.handover is not None
        files = dict(
            Attachment.objects.for_organization(self.organization)
            .filter(content_type=ContentType.objects.get_for_model(HandoverRow), object_id__in=[r.pk for r in rows])
            .values("object_id")
            .annotate(n=Count("pk"))
            .values_list("object_id", "n")
        )
        by_site: dict[Any, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        order: list[Any] = []
        for row in rows:
            site = row.site or self.handover.site
            if site not in order:
                order.append(site)
            missing = services.row_missing(row, self.handover)
            by_site[site][row.area_name].append(
                {
                    "row": row,
                    "form": forms.get(row.pk) or self.row_form(row),
                    "missing": [services.field_label(field) for field in missing],
                    "files": files.get(row.pk, 0),
                    "open": row.pk in forms or str(row.pk) == self.request.GET.get("row"),
                }
            )
        return [
            {"site": site, "areas": [{"name": name, "rows": items} for name, items in by_site[site].items()]}
            for site in order
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        project = self.project
        handover = self.handover
        rows = self.rows()
        forms: dict[int, HandoverRowForm] = kwargs.get("row_forms") or {}
        incomplete = sum(1 for row in rows if handover is not None and services.row_missing(row, handover))
        context.update(
            handover=handover,
            in_closing=project.phase in services.HANDOVER_PHASES,
            may_manage=self.can(MaintenanceAction.MANAGE),
            draft=handover is not None and handover.status == HandoverStatus.DRAFT,
            groups=self.groups(rows, forms) if handover is not None else [],
            row_count=len([row for row in rows if not row.excluded]),
            incomplete=incomplete,
            site_form=kwargs.get("site_form") or self.site_form(),
            add_form=kwargs.get("add_form") or self.row_form(None),
            assets_url=reverse("org-maintenance-assets", kwargs={"org_slug": self.organization.slug})
            + f"?origin_project={project.pk}",
        )
        return context

    def _site_from(self, form: HandoverSiteForm) -> Any:
        data = form.cleaned_data
        if data.get("site") is not None:
            return data["site"]
        return asset_services.site_create(
            actor=self.actor,
            organization=self.organization,
            code=data["new_code"],
            name=data["new_name"],
            project=self.project,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        op = request.POST.get("op", "")
        handler = (
            getattr(self, f"op_{op}", None) if op in {"start", "site", "row", "add", "remove", "complete"} else None
        )
        if handler is None:
            messages.error(request, _("Unknown action."))
            return self.render_page(400)
        if op != "start" and self.handover is None:
            messages.error(request, _("Start the handover first."))
            return HttpResponseRedirect(self.here())
        return handler(request)

    def op_start(self, request: HttpRequest) -> HttpResponse:
        form = self.site_form(request.POST)
        if not form.is_valid():
            return self.render_page(400, site_form=form)

        def start() -> Handover:
            return services.handover_start(
                actor=self.actor,
                project=self.project,
                site=self._site_from(form),
            )

        handover, status = self.attempt(start, form)
        if handover is None:
            return self.render_page(status, site_form=form)
        messages.success(request, _("The handover is open: complete each proposed asset."))
        return HttpResponseRedirect(self.here())

    def op_site(self, request: HttpRequest) -> HttpResponse:
        form = self.site_form(request.POST)
        if not form.is_valid():
            return self.render_page(400, site_form=form)
        handover = self.handover
        assert handover is not None
        _done, status = self.attempt(
            lambda: services.handover_update(actor=self.actor, handover=handover, site=self._site_from(form)), form
        )
        if status != 200:
            return self.render_page(status, site_form=form)
        messages.success(request, _("The handover's site is saved."))
        return HttpResponseRedirect(self.here())

    def _row(self, request: HttpRequest) -> HandoverRow:
        raw = request.POST.get("row", "")
        row = get_object_or_404(
            HandoverRow.objects.for_organization(self.organization).filter(handover=self.handover),
            pk=int(raw) if raw.isdigit() else 0,
        )
        assert self.handover is not None
        row.handover = self.handover
        row.organization = self.organization
        return row

    def op_row(self, request: HttpRequest) -> HttpResponse:
        row = self._row(request)
        form = self.row_form(row, request.POST)
        if form.is_valid():
            saved, status = self.attempt(
                lambda: services.handover_row_update(actor=self.actor, row=row, **form.cleaned_data), form
            )
            if saved is not None:
                messages.success(request, _("%(name)s saved.") % {"name": saved.name or saved.code})
                return HttpResponseRedirect(f"{self.here()}#row-{row.pk}")
        else:
            status = 400
        return self.render_page(status, row_forms={row.pk: form})

    def op_add(self, request: HttpRequest) -> HttpResponse:
        form = self.row_form(None, request.POST)
        handover = self.handover
        assert handover is not None
        if form.is_valid():
            row, status = self.attempt(
                lambda: services.handover_row_add(actor=self.actor, handover=handover, **form.cleaned_data), form
            )
            if row is not None:
                messages.success(request, _("%(name)s added.") % {"name": row.name or row.code})
                return HttpResponseRedirect(f"{self.here()}#row-{row.pk}")
        else:
            status = 400
        return self.render_page(status, add_form=form)

    def op_remove(self, request: HttpRequest) -> HttpResponse:
        row = self._row(request)
        self.attempt(lambda: services.handover_row_remove(actor=self.actor, row=row))
        return HttpResponseRedirect(self.here())

    def op_complete(self, request: HttpRequest) -> HttpResponse:
        handover = self.handover
        assert handover is not None
        done, status = self.attempt(lambda: services.handover_complete(actor=self.actor, handover=handover))
        if done is None:
            return self.render_page(status)
        messages.success(request, _("The handover is completed: the assets are in the register."))
        return HttpResponseRedirect(self.here())

"""The runs page of an organisation's settings: recent runs with their progress, and one run's batches."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from pmo.models import Run, RunBatch
from pmo.pages import OrganizationPageMixin
from pmo.policy import Action
from pmo.runs.registry import run_kinds
from pmo.runs.selectors import RunPart, organization_runs, run_batches
from pmo.views import paginate

RUN_PAGE_SIZE = 25
BATCH_PAGE_SIZE = 50


class RunFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *run_kinds.choices]  # type: ignore[attr-defined]

    def chosen_kind(self) -> str | None:
        """The kind asked for; nonsense in the query string shows every kind rather than failing."""
        if not self.is_bound or not self.is_valid():
            return None
        return self.cleaned_data["kind"] or None


def duration_text(duration: dt.timedelta | None) -> str:
    if duration is None:
        return ""
    seconds = int(duration.total_seconds())
    if seconds < 60:
        return ngettext("%(s)d second", "%(s)d seconds", seconds) % {"s": seconds}
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return _("%(m)d min %(s)d s") % {"m": minutes, "s": seconds}
    hours, minutes = divmod(minutes, 60)
    return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}


def run_row(run: Run) -> dict[str, Any]:
    part = RunPart.of(run)
    return {
        "run": run,
        "kind": run_kinds.label(run.kind),
        "part": part,
        "status": part.status,
        "duration": duration_text(part.duration),
        "percent": round(100 * (part.done + part.failed) / part.batches) if part.batches else 100,
    }


class RunsPage(OrganizationPageMixin, TemplateView):
    read_action = Action.RUNS_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["nav_active"] = "settings"
        return context


class RunListView(RunsPage):
    """The organisation's recent runs: kind, start, its batches done of all, status and duration."""

    template_name = "pmo/runs/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = RunFilterForm(self.request.GET or None)
        kind = form.chosen_kind()
        page = paginate(self.request, organization_runs(self.organization, kind=kind), per_page=RUN_PAGE_SIZE)
        context.update(filter_form=form, filtered=kind is not None, page=page, rows=[run_row(run) for run in page])
        return context


class RunDetailView(RunsPage):
    """One run as the organisation sees it: its part's progress and its batches, each with its attempts."""

    template_name = "pmo/runs/detail.html"
    model = Run

    def resolve_scope(self, **url_kwargs: Any) -> None:
        # A run without a batch here is another organisation's: 404, as if it did not exist.
        self.run = get_object_or_404(organization_runs(self.organization), pk=url_kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = paginate(self.request, run_batches(self.organization, self.run), per_page=BATCH_PAGE_SIZE)
        batches: list[RunBatch] = list(page)
        context.update(
            row=run_row(self.run),
            page=page,
            batches=[{"batch": batch, "what": run_kinds.describe(self.run.kind, batch.payload)} for batch in batches],
        )
        return context

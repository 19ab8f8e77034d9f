"""The jobs pages: one's jobs (an administrator's: everyone's), a job's progress, and its result."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from pmo.jobs.access import sees_every_job, visible_jobs
from pmo.jobs.registry import job_kinds
from pmo.jobs.responses import result_response
from pmo.models import Job, JobStatus
from pmo.pages import OrganizationPageMixin
from pmo.views import paginate

JOB_PAGE_SIZE = 25


def report_parts(report: dict[str, Any]) -> dict[str, Any]:
    """A report as the page shows it: ``messages`` as a list, ``counts`` as a table, the rest as facts."""
    messages = report.get("messages") or []
    counts = report.get("counts") or {}
    # Structured values (a dict, a list) are for API clients; the page shows the plain facts.
    facts = {
        key: value
        for key, value in report.items()
        if key not in {"messages", "counts"} and not isinstance(value, dict | list)
    }
    return {
        "messages": [str(message) for message in messages] if isinstance(messages, list) else [str(messages)],
        "counts": list(counts.items()) if isinstance(counts, dict) else [],
        "facts": list(facts.items()),
    }


def error_rows(error: dict[str, Any]) -> list[tuple[str, str]]:
    """A failed job's error fields as (where, problem) rows: an import's bad cells, one per message."""
    fields = error.get("fields") or {}
    rows: list[tuple[str, str]] = []
    if isinstance(fields, dict):
        for where, messages in fields.items():
            for message in messages if isinstance(messages, list) else [messages]:
                rows.append((str(where), str(message)))
    return rows


class JobListView(OrganizationPageMixin, TemplateView):
    """The member's jobs, newest first; an administrator sees everyone's, with who asked."""

    template_name = "pmo/jobs/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        jobs = visible_jobs(self.membership).select_related("requested_by").order_by("-created_at", "-id")
        page = paginate(self.request, jobs, per_page=JOB_PAGE_SIZE)
        now = timezone.now()
        context.update(
            page=page,
            rows=[
                {"job": job, "kind": job_kinds.label(job.kind), "available": job.has_result and not job.is_expired(now)}
                for job in page
            ],
            everyone=sees_every_job(self.membership),
            result_days=settings.PMO_JOB_RESULT_DAYS,
        )
        return context


class JobDetailView(OrganizationPageMixin, TemplateView):
    """One job: a progress bar that follows the job (``pmo/js/jobs.js`` polls the API), then its outcome."""

    template_name = "pmo/jobs/detail.html"
    model = Job

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.job = get_object_or_404(visible_jobs(self.membership).select_related("requested_by"), pk=url_kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = self.job
        slug = self.organization.slug
        context.update(
            job=job,
            kind=job_kinds.label(job.kind),
            pending=job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
            expired=job.is_expired(),
            api_url=reverse("api-job-detail", kwargs={"org_slug": slug, "pk": job.pk}),
            result_url=reverse("org-job-result", kwargs={"org_slug": slug, "pk": job.pk}),
            report=report_parts(job.report or {}),
            error_rows=error_rows(job.error or {}),
        )
        return context


class JobResultView(OrganizationPageMixin, View):
    """The job's result file, for its requester and the administrators; gone once expired."""

    model = Job
    is_download = True

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.job = get_object_or_404(visible_jobs(self.membership), pk=url_kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if self.job.is_expired():
            raise Http404
        return result_response(self.job)

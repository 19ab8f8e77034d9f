"""The site plus one test-only page that starts a slow import job (tests/e2e/test_jobs_journey.py)."""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path
from django.views.generic import TemplateView

from dashboard.urls import urlpatterns as site
from pmo.errors import ApplicationError
from pmo.jobs import JobContext, JobKind, JobOutcome, job_page_response, job_start
from pmo.pages import OrganizationPageMixin
from pmo.policy import Action

SLOW_IMPORT = "tests.slow_import"
#: Seconds per row: 100 rows take about six seconds.
ROW_SECONDS = 0.06

FORM = engines["django"].from_string(
    """{% extends "base.html" %}{% block content %}<section class="card">
<h1>Slow import</h1>
<form method="post" enctype="multipart/form-data">{% csrf_token %}
<input type="file" name="file" required>
<button type="submit" class="button button-primary">Import</button>
</form></section>{% endblock %}"""
)


def import_slowly(context: JobContext) -> JobOutcome:
    """Checks a row at a time; a row reading "bad" is a bad cell, reported with all the others."""
    rows = context.upload().decode().splitlines()
    bad: dict[str, list[str]] = {}
    for number, row in enumerate(rows, start=1):
        time.sleep(ROW_SECONDS)
        if row.strip() == "bad":
            bad[f"Tasks!B{number}"] = ["Not a date."]
        context.progress(number, len(rows))
    if bad:
        raise ApplicationError(f"{len(bad)} cells are wrong; nothing was imported.", code="import_invalid", fields=bad)
    return JobOutcome(
        content=f"{len(rows)} rows imported\n".encode(),
        filename="import-log.txt",
        content_type="text/plain",
        report={"counts": {"Rows": len(rows)}, "messages": ["Every row was imported."]},
    )


SLOW_IMPORT_KIND = JobKind(SLOW_IMPORT, "Slow import", import_slowly)


class SlowImportView(OrganizationPageMixin, TemplateView):
    write_action = Action.ORG_VIEW

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        return TemplateResponse(self.request, FORM, context)  # type: ignore[arg-type]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        upload = request.FILES["file"]
        job = job_start(
            kind=SLOW_IMPORT,
            organization=self.organization,
            requested_by=request.user,  # type: ignore[arg-type]
            upload=upload.read(),
            upload_name=upload.name or "",
        )
        return job_page_response(request, job) or HttpResponse("failed at once", status=400)


urlpatterns: list[URLPattern | URLResolver] = [
    path("o/<slug:org_slug>/test/slow-import/", SlowImportView.as_view(), name="test-slow-import"),
    *site,
]

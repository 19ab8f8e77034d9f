"""One way for views to answer with a job: the API's (file, resource, 202, error) and the pages'."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from pmo.errors import ApplicationError
from pmo.jobs import storage
from pmo.models import Job, JobStatus


def job_error(job: Job) -> ApplicationError:
    """A failed job's error, to raise or to report on a page (``self.report(job_error(job), form)``)."""
    error = job.error or {}
    return ApplicationError(
        str(error.get("message") or _("The job failed.")),
        code=str(error.get("code") or "job_failed"),
        fields=error.get("fields") or {},
    )


def result_response(job: Job) -> HttpResponseBase:
    """The job's result file, streamed; 404 without one, 410 once it has expired (pruned: 404)."""
    if not job.has_result:
        raise Http404
    if job.is_expired():
        raise ApplicationError(
            _("This result was kept %(days)d days and has been deleted.") % {"days": _kept_days()},
            code="job_expired",
            status_code=status.HTTP_410_GONE,
        )
    try:
        handle = storage.job_storage().open(job.result_key, "rb")
    except OSError as error:
        raise Http404 from error
    response = FileResponse(
        handle, content_type=job.result_type or "application/octet-stream", as_attachment=True, filename=job.result_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _kept_days() -> int:
    from django.conf import settings

    return int(settings.PMO_JOB_RESULT_DAYS)


def job_api_response(request: Any, job: Job) -> HttpResponseBase:
    """An API view's answer with a job it started.

    Done with a file: 200 and the file. Done without one: 200 and the job resource (its report).
    Queued or running: 202 and the job resource, with its URL in ``Location``. Failed: 400 and the
    job's error as the API's error body. Declare the responses with ``pmo.api.jobs.job_responses``.
    """
    from pmo.api.jobs import JobSerializer

    if job.status == JobStatus.FAILED:
        raise job_error(job)
    if job.status == JobStatus.DONE and job.result_key:
        return result_response(job)
    data = JobSerializer(job, context={"request": request}).data
    if job.status == JobStatus.DONE:
        return Response(data)
    location = reverse("api-job-detail", kwargs={"org_slug": job.organization.slug, "pk": job.pk})
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


def job_page_response(request: HttpRequest, job: Job) -> HttpResponseRedirect | None:
    """A page view's answer with a job it started; None when the job failed (the view shows its error).

    Done with a file: a redirect to the file. Done with a link: a redirect there. Otherwise (queued,
    running, or done with only a report): a redirect to the job's page, which follows its progress.
    A view shows a failed job's error with ``self.report(job_error(job), form)``.
    """
    if job.status == JobStatus.FAILED:
        return None
    slug = job.organization.slug
    if job.status == JobStatus.DONE and job.result_key:
        return HttpResponseRedirect(reverse("org-job-result", kwargs={"org_slug": slug, "pk": job.pk}))
    if job.status == JobStatus.DONE and job.link:
        return HttpResponseRedirect(job.link)
    return HttpResponseRedirect(reverse("org-job", kwargs={"org_slug": slug, "pk": job.pk}))


def job_started_api_response(request: Any, **start: Any) -> HttpResponseBase:
    """Start a job (``job_start``'s arguments) and answer the API request with it (``job_api_response``)."""
    from pmo.jobs.services import job_start

    return job_api_response(request, job_start(**start))


def job_started_page_response(request: HttpRequest, **start: Any) -> HttpResponseRedirect:
    """Start a job (``job_start``'s arguments) and answer the page with it (``job_page_response``).

    A job that has already failed (it ran inline, or Celery is eager) raises its error, which the
    view reports as it reports the same error from work done in the request.
    """
    from pmo.jobs.services import job_start

    job = job_start(**start)
    answer = job_page_response(request, job)
    if answer is None:
        raise job_error(job)
    return answer

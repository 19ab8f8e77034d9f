"""The printed weekly status report (``pmo.pdf``): its ratings, narrative, figures and milestones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from pmo.pdf import pdf_filename, render_pdf
from projects.models import BaselineTask, Project, Rag, StatusReport, WbsElement
from projects.services import control

#: A milestone's state on the report: done, late against its baseline, or neither.
DONE, LATE, ON_TRACK = "done", "late", "on_track"


def milestone_rows(project: Project, on: dt.date) -> list[dict[str, Any]]:
    """Every milestone of the plan in WBS order, with its baseline date and its state on ``on``."""
    milestones = list(
        WbsElement.objects.for_organization(project.organization_id)
        .filter(project=project, kind=WbsElement.Kind.MILESTONE)
        .order_by("sort_key")
        .values("id", "code", "name", "planned_finish", "actual_finish")
    )
    frozen = dict(
        BaselineTask.objects.for_organization(project.organization_id)
        .filter(baseline__project=project, baseline__is_current=True, task_id__in=[m["id"] for m in milestones])
        .values_list("task_id", "finish")
    )
    rows = []
    for milestone in milestones:
        baseline: dt.date | None = frozen.get(milestone["id"])
        planned, actual = milestone["planned_finish"], milestone["actual_finish"]
        if actual is not None and actual <= on:
            state, label = DONE, _("Done")
        elif baseline is not None and (
            (planned is not None and planned > baseline) or (baseline <= on and actual is None)
        ):
            state, label = LATE, _("Late")
        else:
            state, label = ON_TRACK, _("On track")
        rows.append({**milestone, "baseline": baseline, "state": state, "state_label": label})
    return rows


def status_report_context(report: StatusReport) -> dict[str, Any]:
    from projects.control_forms import StatusReportForm

    labels = {name: field.label for name, field in StatusReportForm.base_fields.items()}
    return {
        "report": report,
        "project": report.project,
        "figures": report.figures or None,
        "rags": [
            (labels[name], getattr(report, name), Rag(getattr(report, name)).label) for name in control.RAG_FIELDS
        ],
        "narrative": [(labels[name], getattr(report, name)) for name in control.NARRATIVE_FIELDS],
        "milestones": milestone_rows(report.project, report.period_end),
    }


def status_report_title(report: StatusReport) -> str:
    return _("Status report %(project)s, week ending %(date)s") % {
        "project": report.project.code,
        "date": f"{report.period_end:%Y-%m-%d}",
    }


def status_report_pdf(report: StatusReport) -> tuple[bytes, str]:
    """The report as PDF bytes in the active language, and its file name."""
    content = render_pdf(
        "pdf/status_report.html",
        status_report_context(report),
        organization=report.project.organization,
        title=status_report_title(report),
    )
    return content, pdf_filename(report.project.code, "status", f"{report.period_end:%Y-%m-%d}")

"""The printed project summary (``pmo.pdf``): the plan, its Gantt chart, earned value with the S-curve,
the risks' heat map and the quality figures, each drawn by the app that owns it.

It reads every app, so it lives at the top of the layers. A part the reader may not see (finance,
risks or quality by their view actions on the project) is left out rather than refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from finance.earned_value import NO_BASELINE
from finance.permissions import FinanceAction
from finance.selectors import project_s_curve
from pmo.errors import ApplicationError
from pmo.models import Membership
from pmo.pdf import pdf_filename, render_pdf, styled_svg
from pmo.policy import can
from projects import gantt
from projects.models import BaselineTask, Dependency, Project, WbsElement
from projects.reports import milestone_rows
from projects.selectors import project_work_calendar
from projects.selectors.plan import projects_progress
from quality.models import Severity
from quality.permissions import QualityAction
from quality.selectors import counts_by_label, quality_figures
from risks.heatmap import CURRENT, cell_counts, render_svg
from risks.permissions import RiskAction
from risks.services.settings import risk_settings_for

#: The plan's rows on its printed page and in the Gantt chart: the top levels of the WBS, as many as a
#: landscape A4 page holds (rows of ``gantt.ROW_HEIGHT`` pixels).
GANTT_ROWS = 22
#: The widest Gantt drawing that fits beside its labels on a landscape A4 page, in CSS pixels.
GANTT_WIDTH = 760


def _top_levels(elements: list[WbsElement]) -> tuple[list[WbsElement], int]:
    """The elements of the top two levels (only the first when those are too many), and the depth kept."""
    for depth in (1, 0):
        kept = [element for element in elements if element.code.count(".") <= depth]
        if len(kept) <= GANTT_ROWS or depth == 0:
            return kept, depth
    raise AssertionError


def _gantt(project: Project, elements: list[WbsElement], today: dt.date) -> gantt.GanttChart | None:
    """The Gantt of ``elements`` at the finest zoom that fits the page's width."""
    baseline_tasks = BaselineTask.objects.for_organization(project.organization_id).filter(
        baseline__project=project, baseline__is_current=True
    )
    links = [
        gantt.GanttLink(*row)
        for row in Dependency.objects.for_organization(project.organization_id)
        .filter(project=project)
        .values_list("predecessor_id", "successor_id", "type", "lag")
    ]
    items = gantt.plan_items(elements, list(baseline_tasks))[:GANTT_ROWS]
    calendar = project_work_calendar(project)
    chart = None
    for zoom in gantt.Zoom:
        chart = gantt.render_gantt(items, links, zoom=zoom, today=today, is_working_day=calendar.is_working_day)
        if chart is None or chart.width <= GANTT_WIDTH:
            return chart
    return chart


def _plan(project: Project, today: dt.date) -> dict[str, Any]:
    elements = list(
        WbsElement.objects.for_organization(project.organization_id).filter(project=project).order_by("sort_key")
    )
    rows, depth = _top_levels(elements)
    chart = _gantt(project, rows, today)
    starts = [element.planned_start for element in elements if element.planned_start]
    finishes = [element.planned_finish for element in elements if element.planned_finish]
    return {
        "percent": projects_progress(project.organization_id, [project.pk]).get(project.pk),
        "planned_start": min(starts, default=None),
        "planned_finish": max(finishes, default=None),
        "element_count": len(elements),
        "rows": rows[:GANTT_ROWS],
        "rows_left_out": max(len(rows) - GANTT_ROWS, 0) + len(elements) - len(rows),
        "depth": depth,
        "gantt": chart,
        "gantt_axis": styled_svg(chart.axis_svg) if chart else "",
        "gantt_body": styled_svg(chart.body_svg) if chart else "",
        "milestones": milestone_rows(project, today),
    }


def _earned_value(project: Project, today: dt.date) -> dict[str, Any]:
    try:
        curve = project_s_curve(project, today)
    except ApplicationError as error:
        if error.code != NO_BASELINE:
            raise
        return {"baseline_missing": True}
    return {
        "baseline_missing": False,
        "evm": curve.evm,
        "figures": curve.evm.figures,
        "chart": curve.chart,
        "chart_svg": styled_svg(curve.chart.svg) if curve.chart else "",
    }


def _risks(project: Project) -> dict[str, Any]:
    heat_map = cell_counts(project.organization_id, project=project, basis=CURRENT)
    return {
        "open": sum(heat_map.counts.values()),
        "heat_map": render_svg(heat_map, risk_settings_for(project.organization_id)),
    }


def _quality(project: Project, today: dt.date) -> dict[str, Any]:
    figures = quality_figures(project.organization, project.pk, today=today)
    return {"figures": figures, "open_by_severity": counts_by_label(figures.open_by_severity, Severity)}


def project_summary_context(project: Project, *, membership: Membership, project_role: str | None) -> dict[str, Any]:
    today = project.organization.today()
    return {
        "project": project,
        "today": today,
        "plan": _plan(project, today),
        "earned_value": _earned_value(project, today)
        if can(membership, FinanceAction.FINANCE_VIEW, project_role)
        else None,
        "risks": _risks(project) if can(membership, RiskAction.RISK_VIEW, project_role) else None,
        "quality": _quality(project, today) if can(membership, QualityAction.QUALITY_VIEW, project_role) else None,
    }


def project_summary_pdf(project: Project, *, membership: Membership, project_role: str | None) -> tuple[bytes, str]:
    """The summary as PDF bytes in the active language, and its file name."""
    content = render_pdf(
        "pdf/project_summary.html",
        project_summary_context(project, membership=membership, project_role=project_role),
        organization=project.organization,
        title=_("Project summary %(code)s") % {"code": project.code},
    )
    return content, pdf_filename(project.code, "summary", f"{project.organization.today():%Y-%m-%d}")


#: A project with more WBS elements than this prints its summary on a worker (a job with progress);
#: a smaller one prints in the request.
JOB_ABOVE_ELEMENTS = 2000
JOB_KIND = "dashboard.project_summary_pdf"


def prints_in_a_job(project: Project) -> bool:
    return (
        WbsElement.objects.for_organization(project.organization_id).filter(project=project).count()
        > JOB_ABOVE_ELEMENTS
    )


def summary_job_start(project: Project, *, user: Any) -> Any:
    """Start the summary of ``project`` as a job on a worker, for ``user``; the job is returned."""
    from pmo.jobs import job_start

    return job_start(
        kind=JOB_KIND, organization=project.organization, requested_by=user, payload={"project": project.pk}
    )


def summary_job(context: Any) -> Any:
    """The job's work: the reader's membership and project role as the request had them, then the PDF."""
    from pmo.jobs import JobOutcome
    from projects.api.base import resolve_project

    organization = context.organization
    membership = (
        Membership.objects.for_organization(organization).select_related("organization").get(user=context.requester())
    )
    project, role = resolve_project(organization.pk, context.payload["project"], membership.user_id)
    context.progress(1, 2)
    content, filename = project_summary_pdf(project, membership=membership, project_role=role)
    context.progress(2, 2)
    return JobOutcome(content=content, filename=filename, content_type="application/pdf")

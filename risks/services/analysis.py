"""Quantitative analysis of a project: three-point estimates and Monte Carlo runs.

A run is requested (:func:`monte_carlo_request`), queued as a Celery task once the request commits,
and executed by :func:`monte_carlo_execute`: it snapshots its inputs (tasks with their three
points, dependencies, open risks, calendar, data date, baseline finish, budget) on the run, then
simulates from the snapshot alone, writing its progress in short transactions of its own, and
stores the results and the figures other parts read (the P80 alert reads ``confident_finish``
against ``baseline_finish``). A project has at most one run queued or running: a second request
joins it.

Default three points: a task without a stored estimate (``TaskEstimate``) takes its planned
duration and budgeted cost less the organisation's optimistic percentage and plus its pessimistic
one, exactly (a 10-day task with the defaults -10 % / +25 % runs 9 to 12.5 days). Stored estimates
are whole days and cents: the bulk service rounds the same percentages half up (a 3-day task with
-10 % / +25 % gets 3 / 3 / 4), never crossing the planned value.

The budget a run is measured against is the current approved budget version's lines plus its
contingency reserve (the reserve is there for the risks the run samples); without an approved
budget the run reports no budget probability. The baseline finish is the latest finish of the
current baseline's tasks.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from finance.models import BudgetLine, BudgetVersion
from pmo.alerts.services import project_evaluation_queue
from pmo.audit import audit_record
from pmo.errors import ApplicationError
from pmo.models import User
from pmo.queueing import queue_on_commit
from projects.models import BaselineTask, Dependency, Project, WbsElement
from projects.selectors.plan import project_work_calendar
from projects.services.schedule import schedule_data_date
from risks.analysis_results import money, network_from_inputs, summarise
from risks.models import (
    OPEN_STATUSES,
    MonteCarloRun,
    Risk,
    RiskSettings,
    RiskWbsLink,
    RunStatus,
    TaskEstimate,
    risk_code,
)
from risks.montecarlo import NetworkError, simulate

ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
MIN_ITERATIONS = 100
MAX_ITERATIONS = 100_000
MAX_SEED = 2**63 - 1
# A run queued or running this long has lost its worker: a new request replaces it.
ABANDONED_AFTER = dt.timedelta(minutes=30)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def _settings_for(organization_id: int) -> RiskSettings:
    from risks.services.settings import risk_settings_for

    return risk_settings_for(organization_id)


# --- three-point estimates ------------------------------------------------------------------


def _check_leaf(element: WbsElement) -> None:
    if element.kind == WbsElement.Kind.SUMMARY:
        raise ApplicationError(
            _("%(element)s is a summary: estimate its tasks.") % {"element": element}, code="summary_element"
        )


def _check_points(low: Any, likely: Any, high: Any, what: str, field: str) -> None:
    if not (0 <= low <= likely <= high):
        raise ApplicationError(
            _("The %(what)s needs 0 ≤ optimistic ≤ most likely ≤ pessimistic.") % {"what": what},
            code="invalid",
            fields={field: [_("Optimistic ≤ most likely ≤ pessimistic, none negative.")]},
        )


@transaction.atomic
def task_estimate_set(
    *,
    actor: User,
    element: WbsElement,
    optimistic_days: int,
    likely_days: int,
    pessimistic_days: int,
    optimistic_cost: Decimal,
    likely_cost: Decimal,
    pessimistic_cost: Decimal,
) -> TaskEstimate:
    """Store a task's three points (replacing any it had)."""
    _check_leaf(element)
    _check_points(optimistic_days, likely_days, pessimistic_days, _("duration"), "duration")
    _check_points(optimistic_cost, likely_cost, pessimistic_cost, _("cost"), "cost")
    for value in (optimistic_cost, likely_cost, pessimistic_cost):
        if Decimal(value).quantize(CENT) != Decimal(value) or Decimal(value) >= Decimal("1e14"):
            raise ApplicationError(
                _("A cost has at most two decimals and fourteen digits."), code="invalid", fields={"cost": []}
            )
    values = {
        "project_id": element.project_id,
        "optimistic_days": optimistic_days,
        "likely_days": likely_days,
        "pessimistic_days": pessimistic_days,
        "optimistic_cost": Decimal(optimistic_cost),
        "likely_cost": Decimal(likely_cost),
        "pessimistic_cost": Decimal(pessimistic_cost),
    }
    estimate, _created = TaskEstimate.objects.for_organization(element.organization_id).update_or_create(
        organization_id=element.organization_id, element=element, defaults=values
    )
    audit_record(
        organization=element.project.organization,
        actor=actor,
        action="task_estimate.set",
        target=element,
        changes={key: str(value) for key, value in values.items() if key != "project_id"},
    )
    return estimate


@transaction.atomic
def task_estimate_clear(*, actor: User, element: WbsElement) -> bool:
    """Drop a task's stored three points: runs take the defaults again. False if it had none."""
    deleted, _rows = TaskEstimate.objects.for_organization(element.organization_id).filter(element=element).delete()
    if deleted:
        audit_record(
            organization=element.project.organization, actor=actor, action="task_estimate.cleared", target=element
        )
    return bool(deleted)


def _branch_leaves(project: Project, branch: WbsElement | None) -> list[WbsElement]:
    leaves = (
        WbsElement.objects.for_organization(project.organization_id)
        .filter(project=project)
        .exclude(kind=WbsElement.Kind.SUMMARY)
    )
    if branch is not None:
        if branch.project_id != project.pk:
            raise ApplicationError(
                _("That WBS element is not in this project."), code="not_found", fields={"branch": []}
            )
        leaves = leaves.filter(Q(pk=branch.pk) | Q(sort_key__startswith=f"{branch.sort_key}."))
    return list(leaves.order_by("sort_key"))


def _spread(value: Decimal, percent: int, sign: int, quantum: Decimal) -> Decimal:
    return (value * (HUNDRED + sign * percent) / HUNDRED).quantize(quantum, rounding=ROUND_HALF_UP)


@transaction.atomic
def task_estimates_bulk(
    *,
    actor: User,
    project: Project,
    branch: WbsElement | None,
    optimistic_percent: int,
    pessimistic_percent: int,
) -> int:
    """Set the three points of every task of the branch (the whole project without one) by percentages.

    Durations round half up to whole days and costs to cents (see the module docstring); returns
    how many tasks were set.
    """
    if not (isinstance(optimistic_percent, int) and 0 <= optimistic_percent <= 99):
        raise ApplicationError(
            _("The optimistic percentage is between 0 and 99."),
            code="invalid",
            fields={"optimistic_percent": [_("Between 0 and 99.")]},
        )
    if not (isinstance(pessimistic_percent, int) and 0 <= pessimistic_percent <= 1000):
        raise ApplicationError(
            _("The pessimistic percentage is between 0 and 1000."),
            code="invalid",
            fields={"pessimistic_percent": [_("Between 0 and 1000.")]},
        )
    leaves = _branch_leaves(project, branch)
    organization_id = project.organization_id
    TaskEstimate.objects.for_organization(organization_id).filter(element__in=[leaf.pk for leaf in leaves]).delete()
    one = Decimal(1)
    TaskEstimate.objects.bulk_create(
        [
            TaskEstimate(
                organization_id=organization_id,
                project=project,
                element=leaf,
                optimistic_days=int(_spread(Decimal(leaf.duration), optimistic_percent, -1, one)),
                likely_days=leaf.duration,
                pessimistic_days=int(_spread(Decimal(leaf.duration), pessimistic_percent, 1, one)),
                optimistic_cost=_spread(leaf.budgeted_cost, optimistic_percent, -1, CENT),
                likely_cost=leaf.budgeted_cost,
                pessimistic_cost=_spread(leaf.budgeted_cost, pessimistic_percent, 1, CENT),
            )
            for leaf in leaves
        ],
        batch_size=500,
    )
    audit_record(
        organization=project.organization,
        actor=actor,
        action="task_estimates.bulk_set",
        target=branch or project,
        changes={
            "tasks": len(leaves),
            "optimistic_percent": optimistic_percent,
            "pessimistic_percent": pessimistic_percent,
        },
    )
    return len(leaves)


@transaction.atomic
def task_estimates_clear(*, actor: User, project: Project, branch: WbsElement | None = None) -> int:
    """Drop the stored three points of the branch's tasks (the whole project without one)."""
    leaves = _branch_leaves(project, branch)
    deleted, _rows = (
        TaskEstimate.objects.for_organization(project.organization_id)
        .filter(element__in=[leaf.pk for leaf in leaves])
        .delete()
    )
    audit_record(
        organization=project.organization,
        actor=actor,
        action="task_estimates.cleared",
        target=branch or project,
        changes={"tasks": deleted},
    )
    return deleted


# --- inputs ----------------------------------------------------------------------------------


def default_points(value: Decimal | int, optimistic_percent: int, pessimistic_percent: int) -> tuple[str, str, str]:
    """A planned value's default three points, exact, as strings."""
    likely = Decimal(value)
    low = likely * (HUNDRED - optimistic_percent) / HUNDRED
    high = likely * (HUNDRED + pessimistic_percent) / HUNDRED
    # Plain notation: 10, not Decimal.normalize()'s 1E+1 (the API documents decimals as digits).
    return (format(low.normalize(), "f"), str(likely), format(high.normalize(), "f"))


def project_budget(project: Project) -> Decimal | None:
    """The current approved budget's lines plus its contingency reserve; None without one."""
    organization_id = project.organization_id
    version = (
        BudgetVersion.objects.for_organization(organization_id)
        .filter(project=project, is_current=True)
        .values_list("pk", "contingency_reserve")
        .first()
    )
    if version is None:
        return None
    lines = (
        BudgetLine.objects.for_organization(organization_id)
        .filter(version_id=version[0])
        .aggregate(total=Sum("amount"))
    )
    return ((lines["total"] or Decimal(0)) + version[1]).quantize(CENT)


def project_baseline_finish(project: Project) -> dt.date | None:
    return (
        BaselineTask.objects.for_organization(project.organization_id)
        .filter(baseline__project=project, baseline__is_current=True)
        .aggregate(finish=Max("finish"))["finish"]
    )


def analysis_inputs(project: Project, settings: RiskSettings) -> dict[str, Any]:
    """The snapshot a run simulates from: plain JSON (see ``risks.analysis_results``)."""
    organization_id = project.organization_id
    optimistic, pessimistic = settings.optimistic_percent, settings.pessimistic_percent
    elements = list(
        WbsElement.objects.for_organization(organization_id)
        .filter(project=project)
        .order_by("sort_key")
        .values(
            "pk",
            "code",
            "sort_key",
            "name",
            "kind",
            "duration",
            "budgeted_cost",
            "actual_start",
            "actual_finish",
            "percent_complete",
        )
    )
    estimates = {
        row["element_id"]: row
        for row in TaskEstimate.objects.for_organization(organization_id)
        .filter(project=project)
        .values(
            "element_id",
            "optimistic_days",
            "likely_days",
            "pessimistic_days",
            "optimistic_cost",
            "likely_cost",
            "pessimistic_cost",
        )
    }
    tasks = []
    for element in elements:
        if element["kind"] == WbsElement.Kind.SUMMARY:
            continue
        estimate = estimates.get(element["pk"])
        if estimate is not None:
            duration_points = [str(estimate[f"{point}_days"]) for point in ("optimistic", "likely", "pessimistic")]
            cost_points = [money(estimate[f"{point}_cost"]) for point in ("optimistic", "likely", "pessimistic")]
        else:
            duration_points = list(default_points(element["duration"], optimistic, pessimistic))
            cost_points = [money(value) for value in default_points(element["budgeted_cost"], optimistic, pessimistic)]
        tasks.append(
            {
                "id": element["pk"],
                "code": element["code"],
                "name": element["name"],
                "duration": element["duration"],
                "duration_points": duration_points,
                "cost_points": cost_points,
                "estimated": estimate is not None,
                "actual_start": element["actual_start"].isoformat() if element["actual_start"] else None,
                "actual_finish": element["actual_finish"].isoformat() if element["actual_finish"] else None,
                "percent_complete": str(element["percent_complete"]),
            }
        )
    dependencies = [
        list(row)
        for row in Dependency.objects.for_organization(organization_id)
        .filter(project=project)
        .order_by("pk")
        .values_list("predecessor_id", "successor_id", "type", "lag")
    ]
    calendar = project_work_calendar(project)
    data_date = schedule_data_date(project)
    budget = project_budget(project)
    baseline_finish = project_baseline_finish(project)
    return {
        "project_start": project.planned_start.isoformat(),
        "data_date": data_date.isoformat() if data_date else None,
        "calendar": {
            "working_weekdays": sorted(calendar.working_weekdays),
            "holidays": sorted(day.isoformat() for day in calendar.holidays),
            "extra_working_days": sorted(day.isoformat() for day in calendar.extra_working_days),
        },
        "optimistic_percent": optimistic,
        "pessimistic_percent": pessimistic,
        "tasks": tasks,
        "dependencies": dependencies,
        "risks": _risk_inputs(project, settings, elements),
        "baseline_finish": baseline_finish.isoformat() if baseline_finish else None,
        "budget": str(budget) if budget is not None else None,
    }


def _risk_inputs(project: Project, settings: RiskSettings, elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The project's open risks with a probability; a link to a summary lands on each of its tasks."""
    organization_id = project.organization_id
    risks = list(
        Risk.objects.for_organization(organization_id)
        .filter(project=project, status__in=OPEN_STATUSES)
        .filter(Q(probability_percent__isnull=False) | Q(probability__isnull=False))
        .order_by("number")
        .values(
            "pk",
            "number",
            "title",
            "kind",
            "probability",
            "probability_percent",
            "days_min",
            "days_likely",
            "days_max",
            "cost_min",
            "cost_likely",
            "cost_max",
        )
    )
    links: dict[int, list[int]] = {}
    for risk_id, element_id in (
        RiskWbsLink.objects.for_organization(organization_id)
        .filter(risk__in=[risk["pk"] for risk in risks])
        .order_by("pk")
        .values_list("risk_id", "element_id")
    ):
        links.setdefault(risk_id, []).append(element_id)
    by_id = {element["pk"]: element for element in elements}
    result = []
    for risk in risks:
        percent = risk["probability_percent"]
        if percent is None:
            percent = settings.percent_of(risk["probability"])
        task_ids: list[int] = []
        for element_id in links.get(risk["pk"], []):
            element = by_id.get(element_id)
            if element is None:
                continue
            if element["kind"] != WbsElement.Kind.SUMMARY:
                task_ids.append(element_id)
                continue
            prefix = f"{element['sort_key']}."
            task_ids += [
                other["pk"]
                for other in elements
                if other["kind"] != WbsElement.Kind.SUMMARY and other["sort_key"].startswith(prefix)
            ]
        result.append(
            {
                "id": risk["pk"],
                "code": risk_code(risk["number"]),
                "title": risk["title"],
                "kind": risk["kind"],
                "probability": str(percent),
                "days": [risk["days_min"], risk["days_likely"], risk["days_max"]],
                "cost": [money(risk["cost_min"]), money(risk["cost_likely"]), money(risk["cost_max"])],
                "task_ids": sorted(set(task_ids)),
            }
        )
    return result


# --- runs ------------------------------------------------------------------------------------


def _active_run(project: Project) -> MonteCarloRun | None:
    return (
        MonteCarloRun.objects.for_organization(project.organization_id)
        .filter(project=project, status__in=ACTIVE)
        .first()
    )


def _is_abandoned(run: MonteCarloRun, now: dt.datetime) -> bool:
    since = run.started_at or run.requested_at
    return now - since > ABANDONED_AFTER


@transaction.atomic
def monte_carlo_request(
    *, actor: User, project: Project, iterations: int = 5000, seed: int | None = None
) -> MonteCarloRun:
    """Queue a run of the project, or return the run already queued or running (the request joins it)."""
    if not (isinstance(iterations, int) and MIN_ITERATIONS <= iterations <= MAX_ITERATIONS):
        raise ApplicationError(
            _("Iterations are between %(low)d and %(high)d.") % {"low": MIN_ITERATIONS, "high": MAX_ITERATIONS},
            code="invalid",
            fields={
                "iterations": [_("Between %(low)d and %(high)d.") % {"low": MIN_ITERATIONS, "high": MAX_ITERATIONS}]
            },
        )
    if seed is not None and not (isinstance(seed, int) and 0 <= seed <= MAX_SEED):
        raise ApplicationError(
            _("The seed is a whole number from 0 to %(high)d.") % {"high": MAX_SEED},
            code="invalid",
            fields={"seed": [_("A whole number from 0 to %(high)d.") % {"high": MAX_SEED}]},
        )
    now = timezone.now()
    active = _active_run(project)
    if active is not None:
        if not _is_abandoned(active, now):
            return active
        _fail(active, _("The run stopped without finishing; it was replaced by a new request."))
    settings = _settings_for(project.organization_id)
    try:
        with transaction.atomic():
            run = MonteCarloRun.objects.create(
                organization_id=project.organization_id,
                project=project,
                iterations=iterations,
                # Below 2⁵³, so that a browser reads it back exactly.
                seed=seed if seed is not None else secrets.randbelow(2**53),
                confidence=settings.confidence,
                requested_by=actor,
            )
    except IntegrityError:
        # Another request queued one in the meantime: join it.
        active = _active_run(project)
        if active is None:
            raise
        return active
    audit_record(
        organization=project.organization,
        actor=actor,
        action="risk_analysis.requested",
        target=run,
        changes={"iterations": iterations, "seed": run.seed},
    )
    from risks.tasks import run_monte_carlo

    queue_on_commit(run_monte_carlo, organization_id=project.organization_id, run_id=run.pk)
    return run


def _fail(run: MonteCarloRun, message: str) -> None:
    MonteCarloRun.objects.for_organization(run.organization_id).filter(pk=run.pk).update(
        status=RunStatus.FAILED, error=message, finished_at=timezone.now()
    )


def monte_carlo_execute(*, organization_id: int, run_id: int) -> MonteCarloRun | None:
    """Execute a queued run: snapshot, simulate, store. Returns the run (None if it is gone).

    A run no longer queued (done, failed, or running in another worker) is returned unchanged, so
    a redelivered task changes nothing. Progress is written after each chunk of iterations in its
    own short transaction, so that the page polling it sees it move.
    """
    runs = MonteCarloRun.objects.for_organization(organization_id)
    with transaction.atomic():
        run = runs.select_for_update(of=("self",)).select_related("project__organization").filter(pk=run_id).first()
        if run is None or run.status != RunStatus.QUEUED:
            return run
        project = run.project
        inputs = analysis_inputs(project, _settings_for(organization_id))
        run.status, run.started_at, run.progress, run.inputs = RunStatus.RUNNING, timezone.now(), 0, inputs
        run.save(update_fields=["status", "started_at", "progress", "inputs"])

    shown = [0]

    def progress(done: int, total: int) -> None:
        percent = min(99, done * 100 // total)
        if percent >= shown[0] + 5:
            shown[0] = percent
            runs.filter(pk=run_id, status=RunStatus.RUNNING).update(progress=percent)

    began = time.perf_counter()
    try:
        dated = network_from_inputs(inputs)
        simulation = simulate(dated.network, dated.risks, iterations=run.iterations, seed=run.seed, progress=progress)
        results = summarise(dated, simulation, inputs, confidence=run.confidence)
    except NetworkError as error:
        _fail(run, str(error))
        run.refresh_from_db()
        return run
    except Exception as error:
        _fail(run, _("The analysis failed: %(error)s") % {"error": type(error).__name__})
        raise
    results["seconds"] = round(time.perf_counter() - began, 3)

    with transaction.atomic():
        run = runs.select_for_update(of=("self",)).select_related("project__organization").get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            return run
        finish_probability = results["finish_probability"]
        budget_probability = results["budget_probability"]
        run.status, run.progress, run.finished_at = RunStatus.DONE, 100, timezone.now()
        run.results = results
        run.deterministic_finish = dt.date.fromisoformat(results["finish"]["deterministic"])
        run.p50_finish = dt.date.fromisoformat(results["finish"]["percentiles"]["50"])
        run.confident_finish = dt.date.fromisoformat(results["confident_finish"])
        run.confident_cost = Decimal(results["confident_cost"])
        run.baseline_finish = dt.date.fromisoformat(inputs["baseline_finish"]) if inputs["baseline_finish"] else None
        run.budget = Decimal(inputs["budget"]) if inputs["budget"] is not None else None
        run.finish_probability = _percent(finish_probability)
        run.budget_probability = _percent(budget_probability)
        run.save()
        # The alert "P80 finish later than the baseline finish" reads the latest done run.
        project_evaluation_queue(run.project)
    return run


def _percent(share: float | None) -> Decimal | None:
    if share is None:
        return None
    return (Decimal(str(share)) * HUNDRED).quantize(CENT)


def latest_run(project: Project, *, done: bool = False) -> MonteCarloRun | None:
    runs = MonteCarloRun.objects.for_organization(project.organization_id).filter(project=project)
    if done:
        runs = runs.filter(status=RunStatus.DONE)
    return runs.order_by("-requested_at", "-id").first()

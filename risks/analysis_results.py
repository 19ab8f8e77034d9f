"""A Monte Carlo run's inputs snapshot turned into a network, and its iterations summarised for storage.

Pure: no Django. ``risks.services.analysis`` reads the project into the snapshot (plain JSON, kept on
the run), calls :func:`network_from_inputs`, simulates, and stores what :func:`summarise` returns.

Dates are ISO strings, money is a string with two decimals, probabilities are shares (0..1) with
four decimals. Finish percentiles use the inverted distribution function: P80 is the first finish
date by which at least 80 % of the iterations have finished.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from pmo.workdays import WorkCalendar
from risks.montecarlo import (
    DatedNetwork,
    FloatArray,
    IntArray,
    PlannedLink,
    PlannedRisk,
    PlannedTask,
    Simulation,
    dated_network,
    percentile_days,
    percentile_values,
)

PERCENTILES = (10, 50, 80, 90)
HISTOGRAM_BINS = 30
S_CURVE_POINTS = 120
TORNADO_SIZE = 15
CENT = Decimal("0.01")


def money(value: float | Decimal | str) -> str:
    return str(Decimal(str(value)).quantize(CENT))


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def network_from_inputs(inputs: dict[str, Any]) -> DatedNetwork:
    """The network of a snapshot (see ``risks.services.analysis.analysis_inputs`` for its shape)."""
    calendar = WorkCalendar(
        inputs["calendar"]["working_weekdays"],
        [date.fromisoformat(day) for day in inputs["calendar"]["holidays"]],
        [date.fromisoformat(day) for day in inputs["calendar"]["extra_working_days"]],
    )
    tasks = [
        PlannedTask(
            id=task["id"],
            duration=task["duration"],
            duration_points=tuple(float(value) for value in task["duration_points"]),  # type: ignore[arg-type]
            cost_points=tuple(float(value) for value in task["cost_points"]),  # type: ignore[arg-type]
            actual_start=_date(task["actual_start"]),
            actual_finish=_date(task["actual_finish"]),
            percent_complete=Decimal(task["percent_complete"]),
        )
        for task in inputs["tasks"]
    ]
    links = [PlannedLink(p, s, kind, lag) for p, s, kind, lag in inputs["dependencies"]]
    risks = [
        PlannedRisk(
            id=risk["id"],
            probability=float(risk["probability"]) / 100,
            days=tuple(float(value) for value in risk["days"]),  # type: ignore[arg-type]
            cost=tuple(float(value) for value in risk["cost"]),  # type: ignore[arg-type]
            task_ids=tuple(risk["task_ids"]),
            opportunity=risk["kind"] == "opportunity",
        )
        for risk in inputs["risks"]
    ]
    return dated_network(
        tasks,
        links,
        calendar,
        date.fromisoformat(inputs["project_start"]),
        data_date=_date(inputs["data_date"]),
        risks=risks,
    )


def summarise(
    dated: DatedNetwork, simulation: Simulation, inputs: dict[str, Any], *, confidence: int
) -> dict[str, Any]:
    """The stored results of a run: distributions, probabilities, criticality and tornado."""
    deterministic = dated.network.schedule()
    deterministic_cost = sum(
        (Decimal(task["cost_points"][1]) for task in inputs["tasks"]),
        Decimal(0),
    )
    finish_days = percentile_days(simulation.finish_day, (*PERCENTILES, confidence))
    costs = percentile_values(simulation.cost, (*PERCENTILES, confidence))
    baseline_finish = _date(inputs.get("baseline_finish"))
    budget = Decimal(inputs["budget"]) if inputs.get("budget") is not None else None
    finish_probability = None
    if baseline_finish is not None:
        finish_probability = _finish_probability(dated, simulation.finish_day, baseline_finish)
    budget_probability = None
    if budget is not None:
        # Compared in cents as stored: an iteration costing the budget to the cent meets it.
        budget_probability = round(
            float(np.count_nonzero(np.round(simulation.cost, 2) <= float(budget))) / len(simulation.cost), 4
        )
    return {
        "iterations": len(simulation.finish),
        "confidence": confidence,
        "finish": {
            "deterministic": dated.finish_date(deterministic.finish_day).isoformat(),
            "percentiles": {str(p): dated.finish_date(finish_days[p]).isoformat() for p in PERCENTILES},
            "mean": dated.finish_date(math.ceil(float(simulation.finish.mean()) - 1e-9) - 1).isoformat(),
            "min": dated.finish_date(int(simulation.finish_day.min())).isoformat(),
            "max": dated.finish_date(int(simulation.finish_day.max())).isoformat(),
            "histogram": _finish_histogram(dated, simulation.finish_day),
            "s_curve": _finish_s_curve(dated, simulation.finish_day),
        },
        "cost": {
            "deterministic": money(deterministic_cost),
            "percentiles": {str(p): money(costs[p]) for p in PERCENTILES},
            "mean": money(float(simulation.cost.mean())),
            "min": money(float(simulation.cost.min())),
            "max": money(float(simulation.cost.max())),
            "histogram": _cost_histogram(simulation.cost),
            "s_curve": _cost_s_curve(simulation.cost),
        },
        "confident_finish": dated.finish_date(finish_days[confidence]).isoformat(),
        "confident_cost": money(costs[confidence]),
        "baseline_finish": baseline_finish.isoformat() if baseline_finish else None,
        "finish_probability": finish_probability,
        "budget": money(budget) if budget is not None else None,
        "budget_probability": budget_probability,
        "criticality": _criticality(inputs, dated, simulation),
        "tornado": _tornado(inputs, dated, simulation),
        "risks": [
            {
                "id": risk["id"],
                "code": risk["code"],
                "title": risk["title"],
                "occurrence": round(float(share), 4),
            }
            for risk, share in zip(inputs["risks"], simulation.risk_occurrence, strict=True)
        ],
    }


def _finish_probability(dated: DatedNetwork, finish_day: IntArray, target: date) -> float:
    """Share of the iterations finishing on or before ``target``."""
    if dated.finished_by is not None and dated.finished_by > target:
        return 0.0
    # The last working day on or before the target.
    limit = dated.calendar.index_of(date.fromordinal(target.toordinal() + 1), dated.project_start) - 1
    return round(float(np.count_nonzero(finish_day <= limit)) / len(finish_day), 4)


def _finish_histogram(dated: DatedNetwork, finish_day: IntArray) -> list[dict[str, Any]]:
    low, high = int(finish_day.min()), int(finish_day.max())
    width = max(1, math.ceil((high - low + 1) / HISTOGRAM_BINS))
    counts = np.bincount((finish_day - low) // width)
    return [
        {
            "start": dated.finish_date(low + k * width).isoformat(),
            "end": dated.finish_date(min(low + (k + 1) * width - 1, high)).isoformat(),
            "count": int(count),
        }
        for k, count in enumerate(counts)
    ]


def _finish_s_curve(dated: DatedNetwork, finish_day: IntArray) -> list[dict[str, Any]]:
    days, counts = np.unique(finish_day, return_counts=True)
    shares = np.cumsum(counts) / len(finish_day)
    if len(days) > S_CURVE_POINTS:
        keep = np.unique(np.linspace(0, len(days) - 1, S_CURVE_POINTS).round().astype(np.int64))
        days, shares = days[keep], shares[keep]
    return [
        {"date": dated.finish_date(int(day)).isoformat(), "probability": round(float(share), 4)}
        for day, share in zip(days, shares, strict=True)
    ]


def _cost_histogram(cost: FloatArray) -> list[dict[str, Any]]:
    low, high = float(cost.min()), float(cost.max())
    if high - low < 0.005:
        return [{"low": money(low), "high": money(high), "count": len(cost)}]
    counts, edges = np.histogram(cost, bins=HISTOGRAM_BINS, range=(low, high))
    return [
        {"low": money(edges[k]), "high": money(edges[k + 1]), "count": int(count)} for k, count in enumerate(counts)
    ]


def _cost_s_curve(cost: FloatArray) -> list[dict[str, Any]]:
    ordered = np.sort(cost)
    count = len(ordered)
    points = []
    for k in range(51):
        share = k / 50
        value = ordered[max(0, math.ceil(share * count) - 1)]
        points.append({"value": money(float(value)), "probability": round(share, 4)})
    return points


def _criticality(inputs: dict[str, Any], dated: DatedNetwork, simulation: Simulation) -> list[dict[str, Any]]:
    by_id = {task["id"]: task for task in inputs["tasks"]}
    rows = [
        {
            "id": task_id,
            "code": by_id[task_id]["code"],
            "name": by_id[task_id]["name"],
            "index": round(float(index), 4),
        }
        for task_id, index in zip(dated.task_ids, simulation.criticality, strict=True)
    ]
    order = {task["id"]: position for position, task in enumerate(inputs["tasks"])}
    rows.sort(key=lambda row: (-row["index"], order[row["id"]]))
    return rows


TORNADO_FLOOR = 0.05


def _days_of(risk: dict[str, Any]) -> list[Any]:
    points = risk.get("days") or risk.get("days_points") or []
    return list(points)


def _tornado(inputs: dict[str, Any], dated: DatedNetwork, simulation: Simulation) -> list[dict[str, Any]]:
    by_id = {task["id"]: task for task in inputs["tasks"]}
    bars: list[dict[str, Any]] = [
        {
            "kind": "task",
            "id": task_id,
            "label": f"{by_id[task_id]['code']} {by_id[task_id]['name']}",
            "coefficient": round(float(coefficient), 4),
        }
        for task_id, coefficient in zip(dated.task_ids, simulation.task_correlation, strict=True)
    ]
    bars += [
        {
            "kind": "risk",
            "id": risk["id"],
            "label": f"{risk['code']} {risk['title']}",
            "coefficient": round(float(coefficient), 4),
        }
        for risk, coefficient in zip(inputs["risks"], simulation.risk_correlation, strict=True)
        # A risk without a schedule impact cannot move the finish: its correlation is sampling noise.
        if any(float(value) for value in _days_of(risk))
    ]
    # Below about 3.5 standard errors of a correlation over 5,000 iterations (1 / √n ≈ 0.014), noise.
    bars = [bar for bar in bars if abs(bar["coefficient"]) >= TORNADO_FLOOR]
    bars.sort(key=lambda bar: -abs(bar["coefficient"]))
    return bars[:TORNADO_SIZE]

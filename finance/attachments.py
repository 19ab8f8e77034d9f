"""The finance app's records that carry files: actual costs (invoice and receipt scans)."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import date_format

from finance.models import ActualCost
from finance.permissions import FinanceAction
from pmo.attachments import register_attachable


def _costs_page(cost: Any) -> str:
    return reverse(
        "project-actual-costs",
        kwargs={"org_slug": cost.project.organization.slug, "project_id": cost.project_id},
    )


def _cost_title(cost: Any) -> str:
    """The cost's date and amount as the costs page shows them: ``2026-12-06 · 593,875.41 CNY``."""
    return f"{date_format(cost.date, 'Y-m-d')} · {floatformat(cost.amount, '2g')} {cost.project.currency}"


def register() -> None:
    register_attachable(
        ActualCost,
        view=FinanceAction.FINANCE_VIEW,
        change=FinanceAction.COSTS_MANAGE,
        project=attrgetter("project"),
        url=_costs_page,
        title=_cost_title,
    )

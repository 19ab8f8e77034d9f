"""Labour cost: approved timesheet hours become actual costs of the project, in the "labour" category.

The apps that keep timesheets (resources) call these; finance knows nothing of timesheets but the
cost's source. A labour cost is an actual cost like any other: dated on the day the work was done,
against the task's WBS element, under budget control, outside a closed period, in earned value
(AC) and the cost lists. It is never edited: a correction reverses it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from finance.models import ActualCost, CostCategory
from finance.services.categories import cost_categories_ensure_defaults
from finance.services.costs import actual_cost_create, actual_cost_reverse
from pmo.audit import audit_record
from pmo.errors import ApplicationError
from pmo.models import Organization, User
from projects.models import Project, WbsElement

LABOUR_CATEGORY = "labour"
LABOUR_CATEGORY_NAME = "人工 Labour"


def labour_category(organization: Organization) -> CostCategory:
    """The organisation's "labour" cost category (one of the defaults), created if it is missing."""
    cost_categories_ensure_defaults(organization)
    categories = CostCategory.objects.for_organization(organization)
    found = categories.filter(code=LABOUR_CATEGORY).first()
    if found is not None:
        return found
    order = (categories.aggregate(highest=Max("order"))["highest"] or 0) + 1
    category = CostCategory.objects.create(
        organization=organization, code=LABOUR_CATEGORY, name=LABOUR_CATEGORY_NAME, order=order
    )
    audit_record(
        organization=organization,
        actor=None,
        action="cost_category.created",
        target=category,
        changes={"code": [None, LABOUR_CATEGORY]},
    )
    return category


@transaction.atomic
def labour_cost_record(
    *,
    actor: User,
    project: Project,
    date: dt.date,
    amount: Decimal,
    wbs_element: WbsElement | None,
    reference: str,
) -> ActualCost:
    """Record one day's labour of approved timesheet hours as an actual cost (source ``timesheet``).

    Budget control and the period lock apply as to any actual cost; the cost is audited as created.
    """
    return actual_cost_create(
        actor=actor,
        project=project,
        date=date,
        amount=amount,
        category=labour_category(project.organization),
        wbs_element=wbs_element,
        reference=reference,
        source=ActualCost.Source.TIMESHEET,
    )


@transaction.atomic
def labour_cost_reverse(*, actor: User, cost: ActualCost, reason: str) -> ActualCost:
    """Reverse a labour cost (a timesheet correction): refused for any other cost, or in a closed period."""
    if cost.source != ActualCost.Source.TIMESHEET:
        raise ApplicationError(_("Only a labour cost from a timesheet is reversed here."), code="not_labour_cost")
    return actual_cost_reverse(actor=actor, cost=cost, reason=reason)

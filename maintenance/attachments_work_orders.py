"""Work orders carry files: photos of the defect before and of the repair after, delivery notes.
``MaintenanceConfig.ready()`` calls ``register()``: everyone who sees maintenance sees them; whoever
may work on work orders attaches (and deletes what they uploaded); the maintenance office deletes any.

Per record: a contractor's login sees the files of its firm's work orders only (another's answers 404,
as the work order does), and adds files only where it may work on the order: the office, the assignee,
the contractor's login."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from maintenance.models import WorkOrder
from maintenance.permissions import MaintenanceAction
from maintenance.visibility import may_work, sees_work_order
from pmo.attachments import register_attachable


def work_order_url(work_order: Any) -> str:
    return reverse("org-maintenance-work-order", kwargs={"org_slug": work_order.organization.slug, "pk": work_order.pk})


def register() -> None:
    register_attachable(
        WorkOrder,
        view=MaintenanceAction.VIEW,
        change=MaintenanceAction.WORK,
        manage=MaintenanceAction.MANAGE,
        url=work_order_url,
        title=lambda work_order: f"{work_order.reference} {work_order.title}",
        sees=sees_work_order,
        works=may_work,
    )

"""The maintenance gate check, registered in ``MaintenanceConfig.ready()``: leaving closing for operations
needs the project's handover to maintenance completed (``maintenance.services.handover``).

Off by default (gates that passed keep passing); the organisation chooses it per phase on the gate-check
page. One query.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from maintenance.models import Handover, HandoverStatus
from projects.gate_checks import GateCheck, interpolate_lazy
from projects.models import Phase, Project

HANDOVER = "maintenance_handover"


def handover_completed(project: Project) -> tuple[bool, str | Promise]:
    """The project's handover to maintenance is completed."""
    handover = (
        Handover.objects.for_organization(project.organization_id)
        .filter(project=project)
        .values("status", "completed_at")
        .first()
    )
    if handover is None:
        return False, gettext_lazy("The handover to maintenance has not been started.")
    if handover["status"] != HandoverStatus.COMPLETED:
        return False, gettext_lazy("The handover to maintenance is in preparation: complete it first.")
    return True, interpolate_lazy(
        gettext_lazy("The handover to maintenance was completed on %(day)s."),
        {"day": handover["completed_at"].date().isoformat()},
    )


HANDOVER_CHECK = GateCheck(
    code=HANDOVER,
    label=gettext_lazy("The handover to maintenance is completed"),
    explanation=gettext_lazy(
        "The O&M manager has confirmed the assets the project delivered and completed the handover, so the "
        "maintenance register holds them before the project enters operations."
    ),
    phases=frozenset({Phase.CLOSING}),
    default_phases=frozenset(),
    evaluate=handover_completed,
    failure_code="maintenance_handover_incomplete",
    remedy_url_name="project-maintenance-handover",
)

"""The quality app's actions and who may take them; ``QualityConfig.ready()`` registers them.

Safety and environment inspections may also be carried out by the project roles the organisation
names in its quality settings: ``INSPECT_FIELD`` lets the project team past the policy check and
``may_inspect`` applies the setting to the inspection's type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from pmo.models import OrgRole
from pmo.policy import EVERYONE, PMO_OFFICE, Grant, can
from projects.models.project import ProjectRole

if TYPE_CHECKING:
    from pmo.models import Membership
    from quality.models import InspectionType, QualitySettings


class QualityAction(models.TextChoices):
    QUALITY_VIEW = "quality.view", _("See standards, inspection plans, inspections, non-conformances and acceptance")
    LIBRARY_MANAGE = (
        "quality_library.manage",
        _("Edit the standards, checklist templates, inspection types and quality settings"),
    )
    PLAN_MANAGE = "quality_plan.manage", _("Edit a project's inspection and test plan and its deliverables")
    INSPECT = "quality.inspect", _("Carry out, record and sign off inspections")
    INSPECT_FIELD = (
        "quality.inspect_field",
        _("Carry out safety and environment inspections where the organisation allows"),
    )
    NC_RAISE = "nc.raise", _("Raise non-conformances")
    NC_MANAGE = "nc.manage", _("Analyse non-conformances, plan and carry out corrective actions")
    NC_VERIFY = "nc.verify", _("Verify and close non-conformances")
    ACCEPTANCE_SIGN = "acceptance.sign", _("Sign the acceptance of deliverables")
    SURVEY_ENTER = "satisfaction.enter", _("Enter the customer satisfaction survey")


QUALITY_OFFICE = frozenset({OrgRole.ADMIN, OrgRole.QUALITY})
TEAM = frozenset(ProjectRole) - {ProjectRole.CLIENT}
ON_PROJECT = frozenset(ProjectRole)
PLANNERS = frozenset({ProjectRole.MANAGER, ProjectRole.COORDINATOR})

GRANTS: dict[str, Grant] = {
    QualityAction.QUALITY_VIEW: Grant(EVERYONE),
    QualityAction.LIBRARY_MANAGE: Grant(PMO_OFFICE | QUALITY_OFFICE),
    QualityAction.PLAN_MANAGE: Grant(QUALITY_OFFICE, PLANNERS),
    QualityAction.INSPECT: Grant(QUALITY_OFFICE),
    QualityAction.INSPECT_FIELD: Grant(QUALITY_OFFICE, TEAM),
    QualityAction.NC_RAISE: Grant(EVERYONE - {OrgRole.VIEWER}, ON_PROJECT),
    QualityAction.NC_MANAGE: Grant(QUALITY_OFFICE, PLANNERS),
    QualityAction.NC_VERIFY: Grant(QUALITY_OFFICE),
    QualityAction.ACCEPTANCE_SIGN: Grant(QUALITY_OFFICE, {ProjectRole.CLIENT}),
    QualityAction.SURVEY_ENTER: Grant(QUALITY_OFFICE, {ProjectRole.CLIENT, ProjectRole.MANAGER}),
}


def may_inspect(
    membership: Membership, project_role: str | None, inspection_type: InspectionType, settings: QualitySettings
) -> bool:
    """The quality role inspects everything; a project role named in the settings, safety and environment."""
    from quality.models import FIELD_DISCIPLINES

    if can(membership, QualityAction.INSPECT, project_role):
        return True
    return (
        inspection_type.discipline in FIELD_DISCIPLINES
        and project_role is not None
        and project_role in (settings.field_inspector_roles or [])
        and can(membership, QualityAction.INSPECT_FIELD, project_role)
    )

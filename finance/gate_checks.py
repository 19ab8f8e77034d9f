"""The gate checks of the finance app, registered in ``FinanceConfig.ready()``."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from finance.models import BudgetVersion
from projects.gate_checks import GateCheck, interpolate_lazy
from projects.models import Phase, Project

APPROVED_BUDGET = "budget_approved"


def _approved_budget_exists(project: Project) -> tuple[bool, str | Promise]:
    version = (
        BudgetVersion.objects.for_organization(project.organization_id)
        .filter(project=project, is_current=True, status=BudgetVersion.Status.APPROVED)
        .only("number")
        .first()
    )
    if version is None:
        return False, gettext_lazy("The project has no approved budget: finance approves a submitted budget version.")
    return True, interpolate_lazy(gettext_lazy("Approved budget: version %(number)s."), {"number": version.number})


BUDGET_CHECK = GateCheck(
    code=APPROVED_BUDGET,
    label=gettext_lazy("An approved budget exists"),
    explanation=gettext_lazy(
        "Finance has approved a budget version of the project: costs and commitments are controlled against it."
    ),
    phases=frozenset({Phase.PLANNING, Phase.EXECUTION}),
    evaluate=_approved_budget_exists,
    # Off unless the organisation chooses it: projects that pass their gates today keep passing them.
    default_phases=frozenset(),
    failure_code="budget_required",
    remedy_url_name="project-finance",
)

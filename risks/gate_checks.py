"""The gate checks of the risk register, registered in ``RisksConfig.ready()``.

Both apply nowhere until the organisation chooses them (``default_phases`` empty), so that gates
that passed before keep passing. Each reads the project's risks in one query.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, ngettext_lazy

from projects.gate_checks import GateCheck, interpolate_lazy
from projects.models import Phase, Project
from risks.models import Risk, RiskStatus, risk_code

REGISTER_ASSESSED = "risk_register_assessed"
HIGH_RISKS_ANSWERED = "high_risks_answered"
#: Risks a reason names at most; the count covers them all.
NAMED = 5


def _codes(numbers: list[int]) -> str:
    named = ", ".join(risk_code(number) for number in numbers[:NAMED])
    return named + (" …" if len(numbers) > NAMED else "")


def register_assessed(project: Project) -> tuple[bool, str | Promise]:
    """At least one risk, and none still only identified (not assessed)."""
    counts = (
        Risk.objects.for_organization(project.organization_id)
        .filter(project=project)
        .aggregate(total=Count("pk"), waiting=Count("pk", filter=Q(status=RiskStatus.IDENTIFIED)))
    )
    if not counts["total"]:
        return False, gettext_lazy("The project has no risk on its register: identify and assess its risks.")
    waiting = counts["waiting"]
    if waiting:
        return False, interpolate_lazy(
            ngettext_lazy(
                "%(count)s risk is identified but not yet assessed.",
                "%(count)s risks are identified but not yet assessed.",
                waiting,
            ),
            {"count": waiting},
        )
    return True, interpolate_lazy(
        ngettext_lazy(
            "%(count)s risk on the register, every one assessed.",
            "%(count)s risks on the register, every one assessed.",
            counts["total"],
        ),
        {"count": counts["total"]},
    )


def high_risks_answered(project: Project) -> tuple[bool, str | Promise]:
    """Every open high risk has a response (closed and occurred risks are no longer open)."""
    numbers = list(
        Risk.objects.for_organization(project.organization_id)
        .filter(project=project)
        .open()
        .high()
        .unanswered()
        .order_by("number")
        .values_list("number", flat=True)
    )
    if numbers:
        return False, interpolate_lazy(
            ngettext_lazy(
                "%(count)s open high risk has no response: %(codes)s.",
                "%(count)s open high risks have no response: %(codes)s.",
                len(numbers),
            ),
            {"count": len(numbers), "codes": _codes(numbers)},
        )
    return True, gettext_lazy("Every open high risk has a planned response.")


REGISTER_CHECK = GateCheck(
    code=REGISTER_ASSESSED,
    label=gettext_lazy("The risk register is assessed"),
    explanation=gettext_lazy(
        "The project has at least one risk on its register and none is left identified without an assessment."
    ),
    phases=frozenset({Phase.PLANNING, Phase.EXECUTION}),
    evaluate=register_assessed,
    # Off unless the organisation chooses it: projects that pass their gates today keep passing them.
    default_phases=frozenset(),
    failure_code="risk_register_unassessed",
    remedy_url_name="project-risks",
)

ANSWERED_CHECK = GateCheck(
    code=HIGH_RISKS_ANSWERED,
    label=gettext_lazy("Every high risk is closed or has a response"),
    explanation=gettext_lazy("No open high risk of the project is left without a planned response."),
    phases=frozenset({Phase.PLANNING, Phase.EXECUTION}),
    evaluate=high_risks_answered,
    default_phases=frozenset(),
    failure_code="high_risk_unanswered",
    remedy_url_name="project-risks",
)

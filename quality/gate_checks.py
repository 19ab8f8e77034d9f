"""The quality gate checks, registered in ``QualityConfig.ready()`` (the acceptance check of closing is
in ``quality.gate_checks_acceptance``).

- Leaving execution (on by default there): every entry of the inspection and test plan has a signed
  inspection, and no major or critical non-conformance is open. Two queries.
- The safety veto (on by default when leaving any open phase): an open critical non-conformance of a
  safety inspection type blocks every stage gate until it is closed. One query.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, ngettext_lazy

from projects.gate_checks import GateCheck, interpolate_lazy
from projects.models import OPEN_PHASES, Phase, Project
from quality.models import (
    OPEN_NC_STATUSES,
    Discipline,
    Inspection,
    InspectionStatus,
    NonConformance,
    PlanEntry,
    Severity,
)

EXECUTION = "quality_execution"
SAFETY_VETO = "quality_safety_veto"
#: Non-conformances a reason names at most; the count covers them all.
NAMED = 5


def _codes(numbers: list[int]) -> str:
    named = ", ".join(f"NC-{number:03d}" for number in numbers[:NAMED])
    return named + (" …" if len(numbers) > NAMED else "")


def execution_done(project: Project) -> tuple[bool, str | Promise]:
    """Every plan entry inspected and signed off; no open major or critical non-conformance."""
    signed = Inspection.objects.filter(plan_entry=OuterRef("pk"), status=InspectionStatus.SIGNED)
    plan = (
        PlanEntry.objects.for_organization(project.organization_id)
        .filter(project=project)
        .aggregate(total=Count("pk"), waiting=Count("pk", filter=~Q(Exists(signed))))
    )
    numbers = list(
        NonConformance.objects.for_organization(project.organization_id)
        .filter(project=project, status__in=OPEN_NC_STATUSES, severity__in=(Severity.MAJOR, Severity.CRITICAL))
        .order_by("number")
        .values_list("number", flat=True)
    )
    problems: list[str | Promise] = []
    if plan["waiting"]:
        problems.append(
            interpolate_lazy(
                ngettext_lazy(
                    "%(count)s of %(total)s planned inspections is not signed off yet.",
                    "%(count)s of %(total)s planned inspections are not signed off yet.",
                    plan["waiting"],
                ),
                {"count": plan["waiting"], "total": plan["total"]},
            )
        )
    if numbers:
        problems.append(
            interpolate_lazy(
                ngettext_lazy(
                    "%(count)s major or critical non-conformance is open: %(codes)s.",
                    "%(count)s major or critical non-conformances are open: %(codes)s.",
                    len(numbers),
                ),
                {"count": len(numbers), "codes": _codes(numbers)},
            )
        )
    if len(problems) == 2:
        # Both sentences, each in the reader's language.
        return False, interpolate_lazy("%(first)s %(second)s", {"first": problems[0], "second": problems[1]})
    if problems:
        return False, problems[0]
    if not plan["total"]:
        return True, gettext_lazy("No inspection is planned, and no major or critical non-conformance is open.")
    return True, interpolate_lazy(
        ngettext_lazy(
            "The %(count)s planned inspection is signed off, and no major or critical non-conformance is open.",
            "All %(count)s planned inspections are signed off, and no major or critical non-conformance is open.",
            plan["total"],
        ),
        {"count": plan["total"]},
    )


def no_safety_veto(project: Project) -> tuple[bool, str | Promise]:
    """No open critical non-conformance of a safety inspection type."""
    numbers = list(
        NonConformance.objects.for_organization(project.organization_id)
        .filter(
            project=project,
            status__in=OPEN_NC_STATUSES,
            severity=Severity.CRITICAL,
            inspection_type__discipline=Discipline.SAFETY,
        )
        .order_by("number")
        .values_list("number", flat=True)
    )
    if numbers:
        return False, interpolate_lazy(
            ngettext_lazy(
                "Safety veto: %(count)s critical safety non-conformance is open (%(codes)s); "
                "no stage gate passes until it is closed.",
                "Safety veto: %(count)s critical safety non-conformances are open (%(codes)s); "
                "no stage gate passes until they are closed.",
                len(numbers),
            ),
            {"count": len(numbers), "codes": _codes(numbers)},
        )
    return True, gettext_lazy("No critical safety non-conformance is open.")


EXECUTION_CHECK = GateCheck(
    code=EXECUTION,
    label=gettext_lazy("Planned inspections done, no major non-conformance open"),
    explanation=gettext_lazy(
        "Every entry of the inspection and test plan has a signed inspection, and no major or critical "
        "non-conformance is open."
    ),
    phases=frozenset({Phase.EXECUTION}),
    default_phases=frozenset({Phase.EXECUTION}),
    evaluate=execution_done,
    failure_code="quality_execution_open",
    remedy_url_name="project-quality",
)

SAFETY_VETO_CHECK = GateCheck(
    code=SAFETY_VETO,
    label=gettext_lazy("No critical safety non-conformance open (safety veto)"),
    explanation=gettext_lazy(
        "Safety has a one-vote veto: an open critical non-conformance of a safety inspection blocks every "
        "stage gate until it is closed."
    ),
    phases=frozenset(OPEN_PHASES),
    default_phases=frozenset(OPEN_PHASES),
    evaluate=no_safety_veto,
    failure_code="safety_veto",
    remedy_url_name="project-quality-ncs",
)

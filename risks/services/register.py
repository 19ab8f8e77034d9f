"""The register's write path: raise, describe, assess, review and change the status of risks.

Every write is one transaction that takes the project row's lock first (organisation-level risks take
the organisation's settings row), writes its audit event and, for anything that changes a risk's
figures or status, a history entry (``RiskAssessment``) with who, when, why and old → new.

The derived figures (overall impact, score, level, EMV, next review) are computed here through
``risks.scoring`` and stored on the row.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, User
from projects.models import Project, WbsElement
from projects.services.locks import lock_project
from risks import scoring
from risks.models import (
    OPEN_STATUSES,
    Risk,
    RiskAssessment,
    RiskCategory,
    RiskKind,
    RiskSettings,
    RiskStatus,
    RiskWbsLink,
)
from risks.services.settings import check_category, risk_settings_for, validated

DIMENSIONS = ("schedule", "cost", "quality", "safety", "reputation")
IMPACT_FIELDS = tuple(f"impact_{dimension}" for dimension in DIMENSIONS)
DESCRIPTIVE_FIELDS = [
    "title",
    "kind",
    "category",
    "cause",
    "event",
    "effect",
    "owner",
    "trigger",
    "proximity",
    "target_probability",
    "target_impact",
]
ASSESSMENT_FIELDS = [
    "probability",
    *IMPACT_FIELDS,
    "impact",
    "score",
    "level",
    "probability_percent",
    "cost_min",
    "cost_likely",
    "cost_max",
    "days_min",
    "days_likely",
    "days_max",
    "emv",
]
TEXT_FIELDS = ("title", "cause", "event", "effect", "trigger")

# Where a status may go by hand; "occurred" is reached through ``risks.services.issues.risk_occurred``.
TRANSITIONS: dict[str, frozenset[str]] = {
    RiskStatus.IDENTIFIED: frozenset({RiskStatus.CLOSED}),
    RiskStatus.ASSESSED: frozenset({RiskStatus.RESPONDING, RiskStatus.MONITORING, RiskStatus.CLOSED}),
    RiskStatus.RESPONDING: frozenset({RiskStatus.MONITORING, RiskStatus.CLOSED}),
    RiskStatus.MONITORING: frozenset({RiskStatus.RESPONDING, RiskStatus.CLOSED}),
    RiskStatus.OCCURRED: frozenset({RiskStatus.CLOSED}),
    RiskStatus.CLOSED: frozenset({RiskStatus.MONITORING}),
}


# --- derived figures -------------------------------------------------------------------------


def derive(risk: Risk, settings: RiskSettings, today: dt.date) -> None:
    """Set the risk's overall impact, score, level, default percentage, EMV, target figures and next review."""
    risk.impact = scoring.overall_impact((getattr(risk, field) for field in IMPACT_FIELDS), settings.impact_rule)
    risk.score = scoring.score(risk.probability, risk.impact)
    risk.level = scoring.level(settings.matrix, risk.probability, risk.impact)
    if risk.percent_is_default:
        risk.probability_percent = settings.percent_of(risk.probability) if risk.probability else None
    risk.emv = scoring.emv(
        risk.probability_percent,
        risk.cost_min,
        risk.cost_likely,
        risk.cost_max,
        opportunity=risk.kind == RiskKind.OPPORTUNITY,
    )
    risk.target_score = scoring.score(risk.target_probability, risk.target_impact)
    risk.target_level = scoring.level(settings.matrix, risk.target_probability, risk.target_impact)
    risk.next_review = next_review(risk, settings, today)


def next_review(risk: Risk, settings: RiskSettings, today: dt.date) -> dt.date | None:
    """An open, assessed risk is reviewed again after its level's interval, counted from its last review."""
    if risk.status not in OPEN_STATUSES or not risk.level:
        return None
    days = settings.review_days(risk.level)
    if days is None:
        return None
    last = _last_review_day(risk) or today
    return last + dt.timedelta(days=days)


def _last_review_day(risk: Risk) -> dt.date | None:
    reviewed = getattr(risk, "_reviewed_on", None)
    if reviewed is not None:
        return reviewed
    if risk.assessed_at is None:
        return None
    return risk.assessed_at.astimezone(zoneinfo.ZoneInfo(risk.organization.time_zone)).date()


def rederive_open_risks(*, organization: Organization, settings: RiskSettings) -> int:
    """Re-derive every open risk of the organisation after its rules changed; returns how many changed."""
    today = organization.today()
    risks = list(
        Risk.objects.for_organization(organization)
        .filter(status__in=OPEN_STATUSES)
        .select_related("organization")
        .select_for_update(of=("self",), no_key=True)
    )
    fields = ["impact", "score", "level", "probability_percent", "emv", "target_score", "target_level", "next_review"]
    changed = []
    for risk in risks:
        before = snapshot(risk, fields)
        derive(risk, settings, today)
        if diff(before, snapshot(risk, fields)):
            changed.append(risk)
    Risk.objects.for_organization(organization).bulk_update(changed, fields, batch_size=500)
    return len(changed)


# --- history --------------------------------------------------------------------------------


def record_history(
    risk: Risk,
    *,
    actor: User,
    kind: str,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
) -> RiskAssessment:
    """Append an entry to the risk's history with its figures after the change (the exposure trend reads them)."""
    return RiskAssessment.objects.create(
        organization_id=risk.organization_id,
        risk=risk,
        project_id=risk.project_id,
        kind=kind,
        actor=actor,
        reason=reason.strip(),
        changes=dict(changes or {}),
        score=risk.score,
        level=risk.level,
        emv=risk.emv,
        is_open=risk.status in OPEN_STATUSES,
    )


# --- checks ---------------------------------------------------------------------------------


def _lock(risk: Risk) -> Risk:
    """Take the project's lock (or, for an organisation's risk, the settings row's), then the risk's."""
    if risk.project_id is not None:
        lock_project(risk.project_id, risk.organization_id)
    else:
        risk_settings_for(risk.organization_id)
        RiskSettings.objects.for_organization(risk.organization_id).select_for_update(no_key=True).get()
    return (
        Risk.objects.for_organization(risk.organization_id)
        .select_related("organization", "project")
        .select_for_update(of=("self",), no_key=True)
        .get(pk=risk.pk)
    )


def _check_owner(organization_id: int, owner: User | None) -> None:
    if owner is None:
        return
    if not Membership.objects.for_organization(organization_id).filter(user=owner, user__is_active=True).exists():
        message = _("The owner must be an active member of the organisation.")
        raise ApplicationError(message, code="owner_not_member", fields={"owner": [message]})


def _check_elements(
    risk_project_id: int | None, organization_id: int, elements: Iterable[WbsElement]
) -> list[WbsElement]:
    elements = list(dict.fromkeys(elements))
    if not elements:
        return []
    if risk_project_id is None:
        message = _("Only a project's risk can be linked to WBS elements.")
        raise ApplicationError(message, code="no_project", fields={"wbs_elements": [message]})
    for element in elements:
        if element.organization_id != organization_id or element.project_id != risk_project_id:
            raise ApplicationError(_("Not found."), fields={"wbs_elements": [_("Not found.")]})
    return elements


def _check_open_project(project: Project | None) -> None:
    if project is not None and not project.is_open:
        message = _("The project is closed: its risk register can no longer change.")
        raise ApplicationError(message, code="project_closed")


def _check_open(risk: Risk) -> None:
    if risk.status == RiskStatus.CLOSED:
        raise ApplicationError(_("The risk is closed; reopen it first."), code="risk_closed")


def _check_score(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        message = _("Enter a whole number from 1 to 5.")
        raise ApplicationError(message, code="invalid", fields={field: [message]})
    return value


def _check_points(points: tuple[Any, Any, Any], field: str, *, whole: bool) -> tuple[Any, Any, Any]:
    try:
        low, likely, high = points
    except (TypeError, ValueError):
        message = _("Give three values: minimum, most likely and maximum.")
        raise ApplicationError(message, code="invalid", fields={field: [message]}) from None
    values = []
    for value in (low, likely, high):
        if value is None or isinstance(value, bool):
            message = _("Give three values: minimum, most likely and maximum.")
            raise ApplicationError(message, code="invalid", fields={field: [message]})
        number = Decimal(str(value))
        if number < 0 or (whole and number != number.to_integral_value()):
            message = (
                _("Enter whole numbers of working days, 0 or more.") if whole else _("Enter amounts of 0 or more.")
            )
            raise ApplicationError(message, code="invalid", fields={field: [message]})
        # Amounts as stored (cents), so that 150000 and 150000.00 are the same value in the history.
        values.append(int(number) if whole else number.quantize(scoring.CENT))
    if not values[0] <= values[1] <= values[2]:
        message = _("The minimum ≤ most likely ≤ maximum.")
        raise ApplicationError(message, code="points_out_of_order", fields={field: [message]})
    return values[0], values[1], values[2]


def _next_number(organization_id: int, project: Project | None) -> int:
    risks = Risk.objects.for_organization(organization_id)
    risks = risks.filter(project=project) if project is not None else risks.filter(project__isnull=True)
    return (risks.aggregate(latest=Max("number"))["latest"] or 0) + 1


def _audit_changes(before: dict[str, Any], risk: Risk, fields: list[str]) -> dict[str, list[Any]]:
    after = snapshot(risk, fields)
    for key in ("category", "owner"):
        if key in before:
            before[key] = _plain_fk(before[key])
            after[key] = _plain_fk(after[key])
    return diff(before, after)


def _plain_fk(value: Any) -> Any:
    return getattr(value, "pk", value)


# --- writes ---------------------------------------------------------------------------------


@transaction.atomic
def risk_raise(
    *,
    actor: User,
    organization: Organization,
    project: Project | None,
    title: str,
    category: RiskCategory,
    kind: str = RiskKind.THREAT,
    cause: str = "",
    event: str = "",
    effect: str = "",
    owner: User | None = None,
    trigger: str = "",
    proximity: dt.date | None = None,
    wbs_elements: Iterable[WbsElement] = (),
    target_probability: int | None = None,
    target_impact: int | None = None,
) -> Risk:
    """Record a new risk, identified and not yet assessed; codes run R-001, R-002… per project."""
    if project is not None:
        if project.organization_id != organization.pk:
            raise ApplicationError(_("Not found."), fields={"project": [_("Not found.")]})
        project = lock_project(project)
        _check_open_project(project)
    else:
        risk_settings_for(organization)
        RiskSettings.objects.for_organization(organization).select_for_update(no_key=True).get()
    settings = risk_settings_for(organization)
    check_category(organization.pk, category)
    _check_owner(organization.pk, owner)
    elements = _check_elements(project.pk if project else None, organization.pk, wbs_elements)
    risk = Risk(
        organization=organization,
        project=project,
        number=_next_number(organization.pk, project),
        title=(title or "").strip(),
        kind=kind,
        category=category,
        cause=(cause or "").strip(),
        event=(event or "").strip(),
        effect=(effect or "").strip(),
        owner=owner,
        trigger=(trigger or "").strip(),
        proximity=proximity,
        target_probability=_check_score(target_probability, "target_probability"),
        target_impact=_check_score(target_impact, "target_impact"),
        raised_by=actor,
    )
    derive(risk, settings, organization.today())
    validated(risk)
    risk.save()
    RiskWbsLink.objects.bulk_create(
        [RiskWbsLink(organization=organization, risk=risk, element=element) for element in elements]
    )
    record_history(risk, actor=actor, kind=RiskAssessment.Kind.RAISED)
    audit_record(
        organization=organization,
        actor=actor,
        action="risk.raised",
        target=risk,
        changes=_audit_changes({}, risk, ["title", "kind", "category", "owner", "project"]),
    )
    return risk


@transaction.atomic
def risk_update(*, actor: User, risk: Risk, wbs_elements: Iterable[WbsElement] | None = None, **fields: Any) -> Risk:
    """Change what a risk says (title, cause → event → effect, owner, category, trigger, targets, WBS links)."""
    unknown = set(fields) - set(DESCRIPTIVE_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    risk = _lock(risk)
    _check_open_project(risk.project)
    settings = risk_settings_for(risk.organization_id)
    if "category" in fields and fields["category"].pk != risk.category_id:
        check_category(risk.organization_id, fields["category"])
    if "owner" in fields:
        _check_owner(risk.organization_id, fields["owner"])
    for field in ("target_probability", "target_impact"):
        if field in fields:
            fields[field] = _check_score(fields[field], field)
    for field in TEXT_FIELDS:
        if field in fields:
            fields[field] = (fields[field] or "").strip()
    tracked = [*DESCRIPTIVE_FIELDS, "emv", "target_score", "target_level"]
    before = snapshot(risk, tracked)
    for field, value in fields.items():
        setattr(risk, field, value)
    derive(risk, settings, risk.organization.today())
    validated(risk)
    changes = _audit_changes(before, risk, tracked)
    if wbs_elements is not None:
        elements = _check_elements(risk.project_id, risk.organization_id, wbs_elements)
        wanted = {element.pk for element in elements}
        current = set(
            RiskWbsLink.objects.for_organization(risk.organization_id)
            .filter(risk=risk)
            .values_list("element_id", flat=True)
        )
        if wanted != current:
            RiskWbsLink.objects.for_organization(risk.organization_id).filter(risk=risk).exclude(
                element_id__in=wanted
            ).delete()
            RiskWbsLink.objects.bulk_create(
                [
                    RiskWbsLink(organization_id=risk.organization_id, risk=risk, element_id=element_id)
                    for element_id in sorted(wanted - current)
                ]
            )
            changes["wbs_elements"] = [sorted(current), sorted(wanted)]
    if not changes:
        return risk
    risk.updated_at = timezone.now()
    risk.save()
    if {"kind", "emv", "target_score"} & set(changes):
        record_history(risk, actor=actor, kind=RiskAssessment.Kind.ASSESSED, changes=changes)
    audit_record(organization=risk.organization, actor=actor, action="risk.updated", target=risk, changes=changes)
    return risk


@transaction.atomic
def risk_assess(
    *,
    actor: User,
    risk: Risk,
    probability: int,
    impacts: Mapping[str, int | None],
    probability_percent: Decimal | None = None,
    cost: tuple[Any, Any, Any] | None = None,
    days: tuple[Any, Any, Any] | None = None,
    reason: str = "",
) -> Risk:
    """Score the risk: probability 1-5, impact 1-5 on each dimension, the percentage and the three-point impacts.

    Three points left out (``None``) keep the risk's current ones.

    The first assessment is the inherent one (before responses) and moves an identified risk to assessed;
    a reassessment needs a reason. Every assessment is kept in the history, old → new.
    """
    unknown = set(impacts) - set(DIMENSIONS)
    if unknown:
        raise ApplicationError(_("Unknown impact dimensions: %s") % ", ".join(sorted(unknown)), code="invalid")
    risk = _lock(risk)
    _check_open_project(risk.project)
    if risk.status not in OPEN_STATUSES:
        raise ApplicationError(
            _("Only an open risk can be assessed; this one is %(status)s.") % {"status": risk.get_status_display()},
            code="risk_not_open",
        )
    probability_value = _check_score(probability, "probability")
    if probability_value is None:
        message = _("Enter a whole number from 1 to 5.")
        raise ApplicationError(message, code="invalid", fields={"probability": [message]})
    values = {dimension: _check_score(impacts.get(dimension), f"impact_{dimension}") for dimension in DIMENSIONS}
    if all(value is None for value in values.values()):
        message = _("Rate the impact on at least one dimension.")
        raise ApplicationError(message, code="no_impact", fields={f"impact_{d}": [message] for d in DIMENSIONS})
    reason = (reason or "").strip()
    first = risk.assessed_at is None
    if not first and not reason:
        message = _("Say why the assessment changes.")
        raise ApplicationError(message, code="reason_required", fields={"reason": [message]})
    # Three points left out keep the risk's current ones (zero on a first assessment).
    if cost is None:
        cost = (risk.cost_min, risk.cost_likely, risk.cost_max)
    if days is None:
        days = (risk.days_min, risk.days_likely, risk.days_max)
    cost_points = _check_points(cost, "cost", whole=False)
    day_points = _check_points(days, "days", whole=True)
    settings = risk_settings_for(risk.organization_id)
    before = snapshot(risk, ASSESSMENT_FIELDS)

    risk.probability = probability_value
    for dimension, value in values.items():
        setattr(risk, f"impact_{dimension}", value)
    if probability_percent is None:
        risk.percent_is_default = True
    else:
        risk.percent_is_default = False
        risk.probability_percent = Decimal(str(probability_percent))
    risk.cost_min, risk.cost_likely, risk.cost_max = cost_points
    risk.days_min, risk.days_likely, risk.days_max = day_points
    now = timezone.now()
    risk.assessed_at = now
    risk._reviewed_on = risk.organization.today()  # type: ignore[attr-defined]
    if risk.status == RiskStatus.IDENTIFIED:
        risk.status = RiskStatus.ASSESSED
    derive(risk, settings, risk.organization.today())
    if first:
        risk.inherent_probability, risk.inherent_impact = risk.probability, risk.impact
        risk.inherent_score, risk.inherent_level = risk.score, risk.level
    validated(risk)
    risk.updated_at = now
    risk.save()
    changes = diff(before, snapshot(risk, ASSESSMENT_FIELDS))
    if before.get("probability") is None:
        changes["status"] = [RiskStatus.IDENTIFIED.value, risk.status]
    record_history(risk, actor=actor, kind=RiskAssessment.Kind.ASSESSED, reason=reason, changes=changes)
    audit_record(organization=risk.organization, actor=actor, action="risk.assessed", target=risk, changes=changes)
    return risk


@transaction.atomic
def risk_review(*, actor: User, risk: Risk, note: str = "") -> Risk:
    """Record that the risk was reviewed and its assessment still holds; the next review moves on."""
    risk = _lock(risk)
    if risk.status not in OPEN_STATUSES:
        raise ApplicationError(_("Only an open risk is reviewed."), code="risk_not_open")
    if risk.assessed_at is None:
        raise ApplicationError(_("Assess the risk before reviewing it."), code="not_assessed")
    settings = risk_settings_for(risk.organization_id)
    before = risk.next_review
    risk._reviewed_on = risk.organization.today()  # type: ignore[attr-defined]
    risk.next_review = next_review(risk, settings, risk.organization.today())
    risk.updated_at = timezone.now()
    risk.save(update_fields=["next_review", "updated_at"])
    changes = diff({"next_review": before}, {"next_review": risk.next_review})
    record_history(risk, actor=actor, kind=RiskAssessment.Kind.REVIEWED, reason=note, changes=changes)
    audit_record(organization=risk.organization, actor=actor, action="risk.reviewed", target=risk, changes=changes)
    return risk


@transaction.atomic
def risk_set_status(*, actor: User, risk: Risk, status: str, reason: str = "") -> Risk:
    """Move the risk along its lifecycle (identified → assessed → responding → monitoring → closed).

    Closing needs a reason; a closed risk can be reopened to monitoring. A risk that occurred becomes an
    issue through ``risks.services.issues.risk_occurred``.
    """
    risk = _lock(risk)
    _check_open_project(risk.project)
    if status not in RiskStatus.values:
        raise ApplicationError(_("Unknown status."), code="invalid", fields={"status": [_("Unknown status.")]})
    if status == risk.status:
        return risk
    if status not in TRANSITIONS.get(risk.status, frozenset()):
        message = _("A risk that is %(from)s cannot become %(to)s.") % {
            "from": risk.get_status_display(),
            "to": RiskStatus(status).label,
        }
        raise ApplicationError(message, code="illegal_transition", fields={"status": [message]})
    if status in {RiskStatus.RESPONDING, RiskStatus.MONITORING} and risk.assessed_at is None:
        raise ApplicationError(
            _("Assess the risk first."), code="not_assessed", fields={"status": [_("Assess the risk first.")]}
        )
    reason = (reason or "").strip()
    if status == RiskStatus.CLOSED and not reason:
        message = _("Say why the risk is closed.")
        raise ApplicationError(message, code="reason_required", fields={"reason": [message]})
    old = risk.status
    risk.status = status
    now = timezone.now()
    risk.closed_at = now if status == RiskStatus.CLOSED else None
    settings = risk_settings_for(risk.organization_id)
    risk.next_review = next_review(risk, settings, risk.organization.today())
    risk.updated_at = now
    risk.save(update_fields=["status", "closed_at", "next_review", "updated_at"])
    changes = {"status": [old, status]}
    record_history(risk, actor=actor, kind=RiskAssessment.Kind.STATUS, reason=reason, changes=changes)
    audit_record(
        organization=risk.organization, actor=actor, action="risk.status_changed", target=risk, changes=changes
    )
    return risk

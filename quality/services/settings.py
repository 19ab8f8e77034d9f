"""The organisation's quality rules and built-in inspection types, made on first read.

Every organisation starts with the default settings (due days by severity 2, 7 and 14; one
non-conformance per failed item) and the four built-in inspection types; both arrive with the first
read (:func:`quality_settings_for`, :func:`inspection_types_ensure_defaults`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from pmo.errors import ApplicationError
from pmo.models import Organization
from quality.models import Discipline, InspectionType, QualitySettings

#: ``(code, Chinese, English, discipline)`` of the types every organisation has.
BUILTIN_TYPES: list[tuple[str, str, str, str]] = [
    ("quality", "质量检查", "Quality inspection", Discipline.QUALITY),
    ("safety", "安全检查", "Safety inspection", Discipline.SAFETY),
    ("environment", "环境检查", "Environmental inspection", Discipline.ENVIRONMENT),
    ("audit", "质量审核", "Quality audit", Discipline.AUDIT),
]


def validated(instance: models.Model, exclude: list[str] | None = None) -> None:
    """Run the model's validation and constraints; a failure becomes an ``ApplicationError`` naming the fields."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ApplicationError(
            "; ".join(error.messages), code="invalid", fields=getattr(error, "message_dict", {})
        ) from error


def _organization_id(organization: Organization | int) -> int:
    return organization if isinstance(organization, int) else organization.pk


def quality_settings_for(organization: Organization | int) -> QualitySettings:
    """The organisation's quality settings, created with the defaults on first read."""
    organization_id = _organization_id(organization)
    found = QualitySettings.objects.for_organization(organization_id).first()
    if found is not None:
        return found
    with transaction.atomic():
        settings, _created = QualitySettings.objects.for_organization(organization_id).get_or_create(
            organization_id=organization_id
        )
    return settings


def inspection_types_ensure_defaults(organization: Organization | int) -> None:
    """Give the organisation the four built-in inspection types it does not have yet."""
    organization_id = _organization_id(organization)
    have = set(InspectionType.objects.for_organization(organization_id).values_list("code", flat=True))
    missing = [
        InspectionType(
            organization_id=organization_id,
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            discipline=discipline,
            builtin=True,
            position=position,
        )
        for position, (code, name_zh, name_en, discipline) in enumerate(BUILTIN_TYPES)
        if code not in have
    ]
    if missing:
        try:
            with transaction.atomic():
                InspectionType.objects.bulk_create(missing)
        except IntegrityError:
            pass  # another request made them meanwhile


def builtin_type(organization: Organization | int, code: str) -> InspectionType:
    """A built-in inspection type of the organisation (made if it is missing)."""
    inspection_types_ensure_defaults(organization)
    return InspectionType.objects.for_organization(_organization_id(organization)).get(code=code)

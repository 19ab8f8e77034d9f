"""Factories for every model. Each app's tests add theirs here or in tests/<app>/factories.py.

``FACTORIES`` maps a model to the factory that builds one instance in a given organisation;
the tenancy tests use it to fill URLs with real objects of the victim organisation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from pmo.models import (
    ApiToken,
    AuditEvent,
    CalendarException,
    Membership,
    Organization,
    OrgRole,
    User,
    WorkingCalendar,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    display_name = factory.Faker("name")
    language = "en"
    password = factory.django.Password("correct-horse-battery")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")

    @factory.post_generation
    def calendar(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            WorkingCalendar.objects.for_organization(self).get_or_create(
                organization=self, is_default=True, defaults={"name": "Standard"}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrgRole.MEMBER


class WorkingCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingCalendar

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Calendar {n}")


class CalendarExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarException

    calendar = factory.SubFactory(WorkingCalendarFactory)
    organization = factory.SelfAttribute("calendar.organization")
    date = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))
    name = "Holiday"


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    organization = factory.SubFactory(OrganizationFactory)
    action = "test.event"
    target_type = "pmo.organization"
    target_id = factory.SelfAttribute("organization.pk")


class ApiTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = "test"
    prefix = factory.Sequence(lambda n: f"p{n:011d}")
    secret_hash = "0" * 64


FACTORIES: dict[type, type[factory.django.DjangoModelFactory]] = {
    Membership: MembershipFactory,
    WorkingCalendar: WorkingCalendarFactory,
    CalendarException: CalendarExceptionFactory,
    AuditEvent: AuditEventFactory,
}


def member(organization: Organization, role: str = OrgRole.MEMBER, **user_fields: Any) -> Membership:
    """A user who belongs to ``organization`` with ``role``."""
    return MembershipFactory(organization=organization, role=role, user=UserFactory(**user_fields))

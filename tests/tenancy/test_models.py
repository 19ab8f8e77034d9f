"""Every tenant-owned model carries its organisation, and the scoped manager guards every query."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count

from pmo.models import AuditEvent, Membership, Organization, OrgRole, User, WorkingCalendar
from pmo.tenancy import TenantModel, TenantScopeError, tenant_scope
from tests.factories import FACTORIES, MembershipFactory, OrganizationFactory, member

TENANT_MODELS = [model for model in apps.get_models() if issubclass(model, TenantModel)]
# Models that belong to a person rather than to one organisation, the runs of background work (a
# run may span every organisation; its batches are tenant-owned) and the tasks waiting for the broker.
NOT_TENANT_OWNED = {"pmo.User", "pmo.Organization", "pmo.ApiToken", "pmo.Run", "pmo.QueuedTask"}
PROJECT_APPS = {"pmo", "projects", "resources", "risks", "quality", "finance", "maintenance"}
OWN_MODELS = [model for model in apps.get_models() if model._meta.app_label in PROJECT_APPS]


def test_the_tenant_model_list_is_found() -> None:
    assert {Membership, WorkingCalendar, AuditEvent} <= set(TENANT_MODELS)


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
def test_every_tenant_model_has_a_non_null_organisation_key(model: type[models.Model]) -> None:
    field = model._meta.get_field("organization")
    assert isinstance(field, models.ForeignKey)
    assert field.related_model is Organization
    assert field.null is False


@pytest.mark.parametrize("model", OWN_MODELS, ids=lambda m: m._meta.label)
def test_every_model_of_ours_is_a_tenant_model_or_declared_global(model: type[models.Model]) -> None:
    if model._meta.label in NOT_TENANT_OWNED:
        return
    assert issubclass(model, TenantModel), f"{model._meta.label} must inherit pmo.tenancy.TenantModel"


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
def test_unique_constraints_of_tenant_models_include_the_organisation(model: type[models.Model]) -> None:
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            assert "organization" in constraint.fields, f"{model._meta.label}.{constraint.name} lacks organization"
    for field in model._meta.fields:
        if field.unique and not field.primary_key:
            pytest.fail(f"{model._meta.label}.{field.name} is unique across organisations")


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
def test_every_tenant_model_has_a_factory(model: type[models.Model]) -> None:
    assert model in FACTORIES, f"add a factory for {model._meta.label} to tests.factories.FACTORIES"


UNSCOPED_QUERIES: dict[str, Any] = {
    "list": lambda qs: list(qs),
    "iterate": lambda qs: next(iter(qs), None),
    "iterator": lambda qs: list(qs.iterator()),
    "get": lambda qs: qs.get(pk=1),
    "first": lambda qs: qs.first(),
    "count": lambda qs: qs.count(),
    "exists": lambda qs: qs.exists(),
    "aggregate": lambda qs: qs.aggregate(n=Count("pk")),
    "update": lambda qs: qs.update(),
    "delete": lambda qs: qs.delete(),
    "values": lambda qs: list(qs.values("pk")),
    "filtered": lambda qs: list(qs.filter(pk__gt=0).order_by("pk")),
    "bool": lambda qs: bool(qs),
    "len": lambda qs: len(qs),
}


@pytest.mark.django_db
@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
@pytest.mark.parametrize("operation", UNSCOPED_QUERIES, ids=str)
def test_querying_a_tenant_model_without_an_organisation_raises(model: type[models.Model], operation: str) -> None:
    with pytest.raises(TenantScopeError, match=model.__name__):
        UNSCOPED_QUERIES[operation](model.objects.all())  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_for_organization_returns_only_that_organisations_rows() -> None:
    first, second = OrganizationFactory(), OrganizationFactory()
    mine = MembershipFactory(organization=first)
    MembershipFactory(organization=second)
    assert list(Membership.objects.for_organization(first)) == [mine]
    assert Membership.objects.for_organization(first.pk).count() == 1


@pytest.mark.django_db
def test_tenant_scope_makes_plain_queries_see_only_the_scoped_organisation() -> None:
    first, second = OrganizationFactory(), OrganizationFactory()
    mine = MembershipFactory(organization=first)
    MembershipFactory(organization=second)
    with tenant_scope(first):
        assert list(Membership.objects.all()) == [mine]
    with pytest.raises(TenantScopeError):
        list(Membership.objects.all())


@pytest.mark.django_db
def test_related_managers_are_scoped_to_their_parents_organisation() -> None:
    organization = OrganizationFactory()
    calendar = WorkingCalendar.objects.for_organization(organization).get()
    FACTORIES[type(calendar).exceptions.rel.related_model](calendar=calendar)  # type: ignore[attr-defined]
    assert calendar.exceptions.count() == 1


@pytest.mark.django_db
def test_user_reverse_relations_reach_only_through_an_explicit_scope() -> None:
    membership = member(OrganizationFactory(), OrgRole.ADMIN)
    user: User = membership.user
    with pytest.raises(TenantScopeError):
        list(user.memberships.all())
    assert list(user.memberships.all().for_organization(membership.organization)) == [membership]


@pytest.mark.django_db
def test_model_validation_of_uniqueness_works_inside_its_own_organisation() -> None:
    organization = OrganizationFactory()
    duplicate = WorkingCalendar(organization=organization, name="Standard", is_default=True)
    with pytest.raises(ValidationError) as raised:
        duplicate.full_clean()
    assert len(raised.value.message_dict["__all__"]) == 2


@pytest.mark.django_db
def test_unscoped_is_the_explicit_way_to_read_across_organisations() -> None:
    MembershipFactory(organization=OrganizationFactory())
    MembershipFactory(organization=OrganizationFactory())
    assert Membership.objects.unscoped().count() == 2

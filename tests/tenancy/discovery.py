"""Find every organisation-scoped URL and build real objects to fill it, without a hand-kept list.

URL keyword conventions (enforced by the tests): ``org_slug`` is the organisation; ``pk`` is
an object of the view's own model (``queryset.model`` or ``model``); ``<model>_id`` or
``<model>_pk`` is an object of the model whose name is ``<model>`` without underscores.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from pmo.models import Organization
from tests.factories import FACTORIES

WRITE_METHODS = ("post", "put", "patch", "delete")
#: Short URL keywords of long model names (``nc_id``: a non-conformance).
SHORT_NAMES = {"nc": "nonconformance"}
#: JSON fields that list the ids of another model, filled from the objects chosen for the URL.
ID_LISTS = {"projects": "projects.Project"}
ALL_METHODS = ("get", *WRITE_METHODS)


@dataclass(frozen=True)
class OrgRoute:
    name: str
    kwargs: tuple[str, ...]
    callback: Any

    @property
    def is_api(self) -> bool:
        return hasattr(self.callback, "cls")

    @property
    def view_class(self) -> Any:
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    def view_model(self) -> type[models.Model] | None:
        view = self.view_class
        queryset = getattr(view, "queryset", None)
        if queryset is not None:
            return queryset.model  # type: ignore[no-any-return]
        return getattr(view, "model", None)

    def implemented_methods(self) -> dict[str, str | None]:
        """HTTP method → viewset action (or None for plain views) that this route serves."""
        actions = getattr(self.callback, "actions", None)
        if actions:
            return {method: action for method, action in actions.items() if method in ALL_METHODS}
        view = self.view_class
        allowed = getattr(view, "http_method_names", ALL_METHODS)
        return {method: None for method in ALL_METHODS if method in allowed and hasattr(view, method)}

    def __str__(self) -> str:
        return self.name


def _walk(patterns: list[Any], kwargs: tuple[str, ...], namespace: str) -> Iterator[OrgRoute]:
    for pattern in patterns:
        names = tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, kwargs + names, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield OrgRoute(f"{namespace}{pattern.name}", kwargs + names, pattern.callback)


def organization_routes() -> list[OrgRoute]:
    routes = [route for route in _walk(get_resolver().url_patterns, (), "") if "org_slug" in route.kwargs]
    assert routes, "no organisation-scoped URL found; the discovery is broken"
    return routes


def model_for_kwarg(route: OrgRoute, kwarg: str) -> type[models.Model]:
    if kwarg == "pk":
        model = route.view_model()
        assert model is not None, f"{route}: a 'pk' URL needs a view with queryset or model"
        return model
    for suffix in ("_id", "_pk"):
        if kwarg.endswith(suffix):
            wanted = kwarg[: -len(suffix)].replace("_", "")
            wanted = SHORT_NAMES.get(wanted, wanted)
            matches = [m for m in apps.get_models() if m._meta.model_name == wanted]
            assert len(matches) == 1, f"{route}: URL keyword {kwarg!r} names no single model"
            return matches[0]
    raise AssertionError(f"{route}: URL keyword {kwarg!r} does not follow the pk / <model>_id convention")


#: Personal records (a job is its requester's): built as the acting member's own when one is given.
OWNER_FIELDS = {"pmo.job": "requested_by"}


def build_object(
    model: type[models.Model], organization: Organization, parents: list[models.Model], owner: Any = None
) -> models.Model:
    """An object of ``model`` in ``organization`` hanging from the objects already chosen for the URL
    (a personal record ``owner``'s own, when given: others' answer 404, as their own tests show)."""
    factory = FACTORIES.get(model)
    assert factory is not None, f"tests.factories.FACTORIES has no factory for {model.__name__}"
    links: dict[str, Any] = {}
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignKey):
            for parent in parents:
                if isinstance(parent, field.related_model):
                    links[field.name] = parent
        elif isinstance(field, models.JSONField) and field.name in ID_LISTS:
            # A list of ids standing for a many-to-many link (a leveling run's projects).
            wanted = apps.get_model(ID_LISTS[field.name])
            ids = [parent.pk for parent in parents if isinstance(parent, wanted)]
            if ids:
                links[field.name] = ids
    owner_field = OWNER_FIELDS.get(model._meta.label_lower)
    if owner is not None and owner_field is not None:
        links[owner_field] = owner
    return factory(organization=organization, **links)  # type: ignore[no-any-return]


def url_for(route: OrgRoute, organization: Organization, owner: Any = None) -> str:
    values: dict[str, Any] = {"org_slug": organization.slug}
    chosen: list[models.Model] = []
    for kwarg in route.kwargs:
        if kwarg == "org_slug":
            continue
        obj = build_object(model_for_kwarg(route, kwarg), organization, chosen, owner)
        chosen.append(obj)
        values[kwarg] = obj.pk
    return reverse(route.name, kwargs=values)

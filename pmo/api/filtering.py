"""The filter backends of a list, skipped where the query string names none of their filters.

DRF builds every filter backend on every request. ``DjangoFilterBackend`` constructs its
``FilterSet`` and a form and validates them even when the query string holds no filter at all
(``?page_size=100``): about a millisecond of a list's time, for the queryset it was given.
``filter_queryset`` skips it then, and only when that is provably the same: the backend and the
filter set are django-filter's own (no overridden ``qs``, ``filter_queryset``, validation or
form), every widget reads its own name or names that start with it, and the filter set, bound to
a query string without its names, is valid and leaves a queryset unchanged. That last fact is
established once per filter set by running it (``_inert_when_unnamed``), not assumed. The other
backends (ordering, search) run as before: they are cheap without their parameter and ordering
applies a view's default. The OpenAPI schema comes from the backends' declarations, as before.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import QueryDict
from django_filters import filters as django_filters
from django_filters.filterset import BaseFilterSet
from django_filters.rest_framework import DjangoFilterBackend

# The members of the backend, the filter set and its form that must be django-filter's or Django's own.
_FILTERSET_MEMBERS = ("__init__", "is_valid", "errors", "filter_queryset", "qs", "get_form_class", "form")
_BACKEND_MEMBERS = ("filter_queryset", "get_filterset", "get_filterset_kwargs")
_FORM_MEMBERS = ("is_valid", "errors", "full_clean", "_clean_fields", "_clean_form", "_post_clean", "clean")
_TRUSTED_MODULES = ("django.", "django_filters.")


def filter_queryset(view: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """``GenericAPIView.filter_queryset``, without the filter sets the query string does not address."""
    request = view.request
    for backend in list(view.filter_backends):
        if _skippable(backend, view, queryset, request.query_params):
            continue
        queryset = backend().filter_queryset(request, queryset, view)
    return queryset


def _skippable(backend: type[Any], view: Any, queryset: QuerySet[Any], params: QueryDict) -> bool:
    if not _plain_backend(backend):
        return False
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is None:
        fields = getattr(view, "filterset_fields", None)
        if not fields:
            return True  # the backend has nothing to filter with and returns the queryset itself
        filterset_class = _auto_filterset(backend, queryset.model, fields)
    names = _inert_when_unnamed(filterset_class, queryset.model)
    if names is None:
        return False
    return not any(key.startswith(name) for key in params for name in names)


_plain_backends: dict[type[Any], bool] = {}
_auto_filtersets: dict[tuple[type[Any], type[Model], str], type[BaseFilterSet]] = {}
_inert_names: dict[tuple[type[BaseFilterSet], type[Model]], tuple[str, ...] | None] = {}


def _plain_backend(backend: type[Any]) -> bool:
    """Whether ``backend`` is ``DjangoFilterBackend`` as django-filter wrote it (a subclass may set attributes)."""
    plain = _plain_backends.get(backend)
    if plain is None:
        plain = _plain_backends[backend] = (
            isinstance(backend, type)
            and issubclass(backend, DjangoFilterBackend)
            and all(_defined_in(backend, name, ("django_filters.",)) for name in _BACKEND_MEMBERS)
        )
    return plain


def _auto_filterset(backend: type[DjangoFilterBackend], model: type[Model], fields: Any) -> type[BaseFilterSet]:
    """The class ``DjangoFilterBackend`` builds from ``filterset_fields`` (it builds a new one per request)."""
    key = (backend, model, repr(fields))
    filterset_class = _auto_filtersets.get(key)
    if filterset_class is None:
        view = type("View", (), {"filterset_class": None, "filterset_fields": fields})()
        filterset_class = backend().get_filterset_class(view, model._default_manager.none())
        _auto_filtersets[key] = filterset_class
    return filterset_class


def _defined_in(cls: type[Any], name: str, modules: tuple[str, ...]) -> bool:
    """Whether the class that defines ``name`` for ``cls`` is one of django-filter's or Django's own."""
    owner = next(klass for klass in cls.__mro__ if name in vars(klass))
    return owner.__module__.startswith(modules)


def _inert_when_unnamed(filterset_class: type[BaseFilterSet], model: type[Model]) -> tuple[str, ...] | None:
    """The query names the filter set reads, if a query string without them leaves any queryset as it is.

    ``None`` when that cannot be shown: a member of the filter set or of its form is overridden, a
    widget reads names of its own making, a filter depends on the request, or the filter set bound
    to no names is invalid or changes the queryset. Worked out once per filter set.
    """
    key = (filterset_class, model)
    if key not in _inert_names:
        _inert_names[key] = _work_out_inert_names(filterset_class, model)
    return _inert_names[key]


def _work_out_inert_names(filterset_class: type[BaseFilterSet], model: type[Model]) -> tuple[str, ...] | None:
    if not all(_defined_in(filterset_class, name, ("django_filters.",)) for name in _FILTERSET_MEMBERS):
        return None
    try:
        filterset = filterset_class(data=QueryDict(), queryset=model._default_manager.none())
        form_class = filterset.form.__class__
        if not all(_defined_in(form_class, name, ("django.forms.",)) for name in _FORM_MEMBERS):
            return None
        for field in filterset.form.fields.values():
            if not _defined_in(type(field.widget), "value_from_datadict", _TRUSTED_MODULES):
                return None
        if any(
            isinstance(item, django_filters.QuerySetRequestMixin) and callable(item.queryset)
            for item in filterset.filters.values()
        ):
            return None
        if not filterset.is_valid():
            return None
        for name, value in filterset.form.cleaned_data.items():
            untouched = model._default_manager.none()
            if filterset.filters[name].filter(untouched, value) is not untouched:
                return None
    except Exception:  # noqa: BLE001  (whatever fails here, the backend runs as it always did)
        return None
    return tuple(filterset.form.fields)

"""The task base every Celery task uses: queued on commit, run inside its organisation."""

from __future__ import annotations

from typing import Any

from celery.contrib.django.task import DjangoTask

from pmo.tenancy import tenant_scope


class MissingOrganizationError(ValueError):
    """A tenant task was queued without the organisation it belongs to."""


class OrganizationTask(DjangoTask):
    """Tasks carry ``organization_id`` as a keyword and run inside that tenant scope.

    A task that legitimately spans organisations (the nightly fan-out) is declared with
    ``tenant_scoped=False``.
    """

    abstract = True
    tenant_scoped = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.tenant_scoped:
            return super().__call__(*args, **kwargs)
        organization_id = kwargs.get("organization_id")
        if not isinstance(organization_id, int):
            raise MissingOrganizationError(
                f"Task {self.name} needs organization_id=<int> as a keyword argument; got {organization_id!r}."
            )
        with tenant_scope(organization_id):
            return super().__call__(*args, **kwargs)

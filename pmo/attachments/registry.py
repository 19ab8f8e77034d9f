"""Which models carry attachments, and who may see and change them.

The core names no app: each app registers its models in ``AppConfig.ready()`` with the action a
member needs to see the parent record (and so its files) and the action needed to attach and
delete files, plus, for project records, how to find the project, so that the member's project
role joins the policy check as it does on the project's own pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models.signals import post_delete

from pmo.policy import can
from pmo.tenancy import TenantModel

if TYPE_CHECKING:
    from pmo.models import Membership


@dataclass(frozen=True)
class Attachable:
    model: type[models.Model]
    #: The parent's type in URLs and the API (``projects.changerequest``).
    name: str
    view: Any
    change: Any
    project: Callable[[Any], Any] | None = None
    #: Deletes anybody's files on the record; without it, whoever may change the record does.
    #: Others who may change it delete only the files they uploaded.
    manage: Any = None
    #: The page that shows the parent, for the way back from its files.
    url: Callable[[Any], str] | None = None
    #: The record's title for people, in the active language (a gate "Planning → Execution").
    title: Callable[[Any], str] | None = None
    #: Whether this member sees this record at all, where the app limits records per member (a
    #: contractor's login sees only its firm's work orders). A record the member does not see, and so
    #: its files, answers 404 like another organisation's.
    sees: Callable[[Membership, Any], bool] | None = None
    #: Whether this member may add files to this record, on top of the ``change`` action, where the app
    #: gives records to people (the work order's assignee, the round's inspector).
    works: Callable[[Membership, Any], bool] | None = None

    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def title_of(self, parent: models.Model) -> str:
        """The record as its own pages title it; the model's text where the app gave no title."""
        return str(self.title(parent)) if self.title is not None else str(parent)

    def parent(self, organization_id: int, parent_id: Any) -> models.Model | None:
        """The parent record in the organisation, or None (another organisation's looks the same)."""
        try:
            pk = int(parent_id)
        except (TypeError, ValueError):
            return None
        manager = self.model._default_manager
        return manager.for_organization(organization_id).filter(pk=pk).first()  # type: ignore[attr-defined]

    def project_role(
        self, membership: Membership, parent: models.Model, known: tuple[Any, str | None] = (None, None)
    ) -> str | None:
        """The member's role on the parent's project; ``known`` is a (project, role) pair the page already has."""
        if self.project is None or _project_role_resolver is None:
            return None
        project = self.project(parent)
        if project is None:
            return None
        known_project, known_role = known
        if known_project is not None and known_project.pk == project.pk:
            return known_role
        return _project_role_resolver(project, membership.user_id)

    def may_view(self, membership: Membership, role: str | None) -> bool:
        return can(membership, self.view, role)

    def may_change(self, membership: Membership, role: str | None) -> bool:
        return can(membership, self.change, role)

    def sees_record(self, membership: Membership, parent: models.Model) -> bool:
        return self.sees is None or self.sees(membership, parent)

    def works_on_record(self, membership: Membership, parent: models.Model) -> bool:
        return self.works is None or self.works(membership, parent)

    def may_manage(self, membership: Membership, role: str | None) -> bool:
        return can(membership, self.manage, role) if self.manage is not None else self.may_change(membership, role)


_by_name: dict[str, Attachable] = {}
_by_model: dict[type[models.Model], Attachable] = {}
_project_role_resolver: Callable[[Any, int], str | None] | None = None


def register_attachable(
    model: type[models.Model],
    *,
    view: Any,
    change: Any,
    project: Callable[[Any], Any] | None = None,
    url: Callable[[Any], str] | None = None,
    name: str | None = None,
    manage: Any = None,
    title: Callable[[Any], str] | None = None,
    sees: Callable[[Membership, Any], bool] | None = None,
    works: Callable[[Membership, Any], bool] | None = None,
) -> Attachable:
    """Let records of ``model`` carry files; deleting a record deletes its files after the commit."""
    if not issubclass(model, TenantModel):
        raise TypeError(f"{model.__name__} is not a tenant model: its files would belong to no organisation.")
    attachable = Attachable(
        model=model,
        name=name or model._meta.label_lower,
        view=view,
        change=change,
        project=project,
        url=url,
        manage=manage,
        title=title,
        sees=sees,
        works=works,
    )
    existing = _by_name.get(attachable.name)
    if existing is not None and existing.model is not model:
        raise ValueError(f"{attachable.name!r} is already registered for {existing.model.__name__}.")
    _by_name[attachable.name] = attachable
    _by_model[model] = attachable
    post_delete.connect(_parent_deleted, sender=model, dispatch_uid=f"pmo.attachments:{attachable.name}")
    return attachable


def set_project_role_resolver(resolver: Callable[[Any, int], str | None]) -> None:
    """How to find a user's role on a project (the projects app tells the core)."""
    global _project_role_resolver
    _project_role_resolver = resolver


def attachable_named(name: str) -> Attachable | None:
    return _by_name.get(name)


def attachable_for(model: type[models.Model] | models.Model) -> Attachable | None:
    model_class = model if isinstance(model, type) else type(model)
    return _by_model.get(model_class)


def attachables() -> list[Attachable]:
    return sorted(_by_name.values(), key=lambda attachable: attachable.name)


def _parent_deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    from pmo.attachments.services import attachments_of_deleted_parent

    attachments_of_deleted_parent(parent=instance)

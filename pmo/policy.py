"""Who may do what: the one permission policy that API views and pages both consult.

Each app declares its actions as a ``TextChoices`` of codes (``"budget.edit"``) and translated
labels, and grants each one, in its ``AppConfig.ready()``, to the organisation roles that may take
it anywhere in the organisation and to the project roles that may take it on their own projects (a
project manager manages their projects, not every project)::

    permissions.register(FinanceAction, {FinanceAction.BUDGET_EDIT: Grant(PMO_OFFICE, {"manager"})})

The core declares its own actions below. Views name the action they need; :func:`can` decides
from the merged policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmo.models import OrgRole

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from pmo.models import Membership


class Action(models.TextChoices):
    """The core's own actions; each app declares its own beside its code."""

    ORG_VIEW = "org.view", _("See the organisation")
    ORG_MANAGE = "org.manage", _("Change organisation settings")
    MEMBERS_VIEW = "members.view", _("See members")
    MEMBERS_MANAGE = "members.manage", _("Invite, change and remove members")
    AUDIT_VIEW = "audit.view", _("Read the audit trail")
    CALENDARS_MANAGE = "calendars.manage", _("Edit working calendars")
    ALERTS_VIEW = "alerts.view", _("See alerts")
    ALERTS_MANAGE = "alerts.manage", _("Acknowledge and resolve alerts")
    ALERT_RULES_MANAGE = "alert_rules.manage", _("Edit alert rules and run the variance check")
    WEBHOOKS_MANAGE = "webhooks.manage", _("Manage webhooks")
    RUNS_VIEW = "runs.view", _("See background runs and their batches")
    JOBS_VIEW_ALL = "jobs.view_all", _("See everyone's jobs and fetch their results")


EVERYONE = frozenset(OrgRole)
PMO_OFFICE = frozenset({OrgRole.ADMIN, OrgRole.PMO})


@dataclass(frozen=True)
class Grant:
    """Who may take one action: organisation roles anywhere, project roles on their own projects."""

    org_roles: frozenset[OrgRole]
    project_roles: frozenset[str]

    def __init__(self, org_roles: Iterable[str], project_roles: Iterable[str] = ()) -> None:
        object.__setattr__(self, "org_roles", frozenset(OrgRole(role) for role in org_roles))
        object.__setattr__(self, "project_roles", frozenset(str(role) for role in project_roles))


@dataclass(frozen=True)
class Permission:
    action: str
    label: StrOrPromise
    grant: Grant


class UnknownActionError(LookupError):
    """An action no app registered: a typo or an app missing from ``INSTALLED_APPS``, never a quiet no."""


class PermissionRegistry:
    """The merged policy: every registered action, by code, and the project roles apps declared."""

    def __init__(self) -> None:
        self._permissions: dict[str, Permission] = {}
        self._project_roles: dict[str, StrOrPromise] = {}

    def register(self, actions: type[models.TextChoices], grants: Mapping[str, Grant]) -> None:
        """Register every action of ``actions``, each with its grant; a code taken with other roles is an error."""
        missing = [str(action) for action in actions if action not in grants]
        strays = [str(code) for code in grants if code not in actions.values]
        if missing or strays:
            raise ImproperlyConfigured(
                f"{actions.__qualname__}: no grant for {missing or 'none'}; grants for other actions {strays or 'none'}"
            )
        added = {str(action): Permission(action, action.label, grants[action]) for action in actions}
        for code, permission in added.items():
            known = self._permissions.get(code)
            if known is not None and known.grant != permission.grant:
                raise ImproperlyConfigured(f"The action {code!r} is registered twice with different roles.")
        self._permissions.update(added)

    def unregister(self, actions: type[models.TextChoices]) -> None:
        for action in actions:
            self._permissions.pop(str(action), None)

    def declare_project_roles(self, roles: type[models.TextChoices]) -> None:
        """The roles a member may hold on a project; the app that owns projects declares them."""
        self._project_roles.update((str(role), role.label) for role in roles)

    @property
    def project_roles(self) -> frozenset[str]:
        return frozenset(self._project_roles)

    def __getitem__(self, action: str) -> Permission:
        try:
            return self._permissions[str(action)]
        except KeyError:
            raise UnknownActionError(f"No app registered the action {str(action)!r}.") from None

    def __iter__(self) -> Iterator[Permission]:
        return iter(self._permissions.values())

    def problems(self) -> list[str]:
        """What is wrong with the merged policy: actions nobody may take, grants to undeclared project roles."""
        found = []
        for permission in self:
            code = str(permission.action)
            if not permission.grant.org_roles and not permission.grant.project_roles:
                found.append(f"Nobody may take the action {code!r}.")
            unknown = permission.grant.project_roles - self.project_roles
            if unknown:
                found.append(f"The action {code!r} names unknown project roles {sorted(unknown)}.")
        return found


permissions = PermissionRegistry()
permissions.register(
    Action,
    {
        Action.ORG_VIEW: Grant(EVERYONE),
        Action.ORG_MANAGE: Grant({OrgRole.ADMIN}),
        Action.MEMBERS_VIEW: Grant(EVERYONE),
        Action.MEMBERS_MANAGE: Grant({OrgRole.ADMIN}),
        Action.AUDIT_VIEW: Grant({OrgRole.ADMIN}),
        Action.CALENDARS_MANAGE: Grant(PMO_OFFICE),
        Action.ALERTS_VIEW: Grant(EVERYONE),
        # Project roles by their string values: the projects app declares them.
        Action.ALERTS_MANAGE: Grant(PMO_OFFICE | {OrgRole.FINANCE}, {"manager", "coordinator", "controller"}),
        Action.ALERT_RULES_MANAGE: Grant(PMO_OFFICE),
        Action.WEBHOOKS_MANAGE: Grant({OrgRole.ADMIN}),
        Action.RUNS_VIEW: Grant(PMO_OFFICE),
        # Everyone sees their own jobs (org.view); a job's result may hold anything its kind exports.
        Action.JOBS_VIEW_ALL: Grant({OrgRole.ADMIN}),
    },
)

# What can be done on the organisation's settings pages; a member with none of these only reads them,
# so the main navigation leaves the link out.
SETTINGS_ACTIONS = frozenset(
    {Action.ORG_MANAGE, Action.MEMBERS_MANAGE, Action.CALENDARS_MANAGE, Action.AUDIT_VIEW, Action.RUNS_VIEW}
)


def can(membership: Membership, action: str, project_role: str | None = None) -> bool:
    grant = permissions[action].grant
    if OrgRole(membership.role) in grant.org_roles:
        return True
    return project_role is not None and project_role in grant.project_roles


def allowed_actions(membership: Membership, project_role: str | None = None) -> frozenset[str]:
    return frozenset(
        permission.action for permission in permissions if can(membership, permission.action, project_role)
    )

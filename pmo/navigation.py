"""What apps add to the pages of others: top navigation entries, project tabs and panels in named slots.

The core draws the main navigation, a project page draws its tabs and a page with a slot draws the
panels registered for it, but none of them names the apps that fill them. Each app registers its
own in its ``AppConfig.ready()``::

    navigation.main.register(NavEntry("finance", _("Finance"), "org-finance", order=60, action=VIEW))
    navigation.project_tabs.register(ProjectTab("finance", _("Finance"), "project-finance", order=90, action=VIEW))
    navigation.panels.register(Panel("evm_forecast", "risk_eac", "risks/panels/eac.html", risk_eac, queries=1))

Entries and tabs cost no query: their URLs are reversed and their actions checked with
:func:`pmo.policy.can` against the membership the page already holds. A panel's context function
runs a fixed number of queries, which it declares (``queries``), whatever the number of rows it
shows; ``tests/pmo/test_navigation.py`` renders every slot's page and pins it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pmo.policy import SETTINGS_ACTIONS, Action, can

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_stubs_ext import StrOrPromise

    from pmo.models import Membership, Organization

#: An action code (or an app's action enum member), or a set of them any one of which is enough.
Actions = str | frozenset[str]


def allowed(membership: Membership, actions: Actions, project_role: str | None = None) -> bool:
    codes = (actions,) if isinstance(actions, str) else actions
    return any(can(membership, code, project_role) for code in codes)


@dataclass(frozen=True)
class Link:
    """An entry or tab as a page shows it: in the language of the request, with its URL."""

    key: str
    label: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class NavEntry:
    """An entry of the main navigation; ``url_name`` takes the organisation's slug (``org_slug``)."""

    key: str
    label: StrOrPromise
    url_name: str
    order: int
    action: Actions


@dataclass(frozen=True)
class ProjectTab:
    """A tab of the project pages; ``url_name`` takes ``org_slug`` and ``project_id``.

    ``action`` is checked with the user's role on the project; ``when`` (a function of the project
    row, no query) hides the tab for some projects, e.g. the edit tab of a closed project.
    """

    key: str
    label: StrOrPromise
    url_name: str
    order: int
    action: Actions
    when: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class PanelContext:
    """What a panel's context function is given: the page's organisation, member and project, and its values.

    ``values`` are what the slot's page passes to the slot (``evm_forecast`` passes ``evm``, the
    project's earned value at the status date). ``project`` is the ``projects.Project`` of the page.
    """

    request: HttpRequest
    organization: Organization
    membership: Membership
    project: Any
    project_role: str | None
    values: Mapping[str, Any] = field(default_factory=dict)


class PanelContextFunction(Protocol):
    def __call__(self, panel: PanelContext, /) -> Mapping[str, Any] | None: ...


@dataclass(frozen=True)
class Panel:
    """A block an app adds to a slot of another app's page.

    ``context`` returns the values ``template`` is rendered with (on top of the page's own context),
    or ``None`` to show nothing; it runs at most ``queries`` queries whatever the data (read all rows
    at once, never one per row). ``action``, if given, is checked with the user's role on the project.
    """

    slot: str
    key: str
    template: str
    context: PanelContextFunction
    queries: int
    order: int = 100
    action: Actions | None = None


EntryT = TypeVar("EntryT", NavEntry, ProjectTab, Panel)


class Registry(Generic[EntryT]):
    """Entries by key, in their order; registering a key twice with different entries is an error."""

    def __init__(self) -> None:
        self._entries: dict[str, EntryT] = {}

    @staticmethod
    def _key(entry: EntryT) -> str:
        return f"{entry.slot}:{entry.key}" if isinstance(entry, Panel) else entry.key

    def register(self, entry: EntryT) -> EntryT:
        key = self._key(entry)
        known = self._entries.get(key)
        if known is not None and known != entry:
            raise ImproperlyConfigured(f"{key!r} is registered twice: {known!r} and {entry!r}.")
        self._entries[key] = entry
        return entry

    def unregister(self, entry: EntryT) -> None:
        self._entries.pop(self._key(entry), None)

    def __iter__(self) -> Iterator[EntryT]:
        return iter(sorted(self._entries.values(), key=lambda entry: (entry.order, entry.key)))


class MainNavigation(Registry[NavEntry]):
    def links(self, membership: Membership, organization: Organization, *, active: str, path: str) -> list[Link]:
        """The entries the member may see; the current one is the page's ``nav_active`` or its own URL."""
        links = []
        for entry in self:
            if not allowed(membership, entry.action):
                continue
            url = reverse(entry.url_name, kwargs={"org_slug": organization.slug})
            links.append(Link(entry.key, str(entry.label), url, current=entry.key == active or url == path))
        return links


class ProjectTabs(Registry[ProjectTab]):
    def links(
        self, membership: Membership, organization: Organization, project: Any, project_role: str | None
    ) -> list[Link]:
        ids = {"org_slug": organization.slug, "project_id": project.pk}
        return [
            Link(tab.key, str(tab.label), reverse(tab.url_name, kwargs=ids))
            for tab in self
            if allowed(membership, tab.action, project_role) and (tab.when is None or tab.when(project))
        ]


class Panels(Registry[Panel]):
    def __init__(self) -> None:
        super().__init__()
        self.slots: dict[str, StrOrPromise] = {}

    def declare_slot(self, name: str, description: StrOrPromise) -> None:
        """Offer a slot; the app whose page draws it declares it."""
        self.slots[name] = description

    def in_slot(self, slot: str) -> list[Panel]:
        return [panel for panel in self if panel.slot == slot]

    def problems(self) -> list[str]:
        return [
            f"The panel {panel.key!r} fills the slot {panel.slot!r} that no app declares."
            for panel in self
            if panel.slot not in self.slots
        ]


main = MainNavigation()
project_tabs = ProjectTabs()
panels = Panels()


def register_core() -> None:
    """The core's own entries: the alerts, and the settings for those who may change any of them."""
    main.register(NavEntry("alerts", _("Alerts"), "org-alerts", order=80, action=Action.ALERTS_VIEW))
    main.register(NavEntry("settings", _("Settings"), "org-settings", order=90, action=frozenset(SETTINGS_ACTIONS)))

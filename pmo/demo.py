"""The demo organisation's content, which each app adds in its part.

``manage.py seed_demo`` (the composition, ``dashboard``) creates the organisation, its users and
its calendar, then asks every registered part to add its content, in an order where each part
comes after the parts it names. An app registers its part in its ``AppConfig.ready()``::

    from pmo.demo import demo_parts
    from risks import demo

    demo_parts.register("risks", demo.seed, after=("projects", "finance"))

A part is ``seed(organization, users, *, today)``: ``users`` maps the demo logins (``admin``,
``pmo``, ``pm``, ...) to their users, and ``today`` is the organisation's today, from which the
part counts its dates, so that the demo looks the same whatever day it is seeded. Seeding runs
again over an existing demo: a part adds what is missing and leaves the rest alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from pmo.models import Organization, User


class DemoSeed(Protocol):
    def __call__(self, organization: Organization, users: dict[str, User], *, today: dt.date) -> None: ...


@dataclass(frozen=True)
class DemoPart:
    name: str
    seed: DemoSeed
    after: tuple[str, ...] = ()


class DemoParts:
    """The registered parts of the demo, iterated in seeding order."""

    def __init__(self) -> None:
        self._parts: dict[str, DemoPart] = {}

    def register(self, name: str, seed: DemoSeed, *, after: Iterable[str] = ()) -> None:
        """Add ``seed`` as the part ``name``, to run after the parts named in ``after``."""
        self._parts[name] = DemoPart(name, seed, tuple(after))

    def __iter__(self) -> Iterator[DemoPart]:
        """Every part after those it names, otherwise in the order of registration."""
        done: dict[str, DemoPart] = {}
        waiting = list(self._parts.values())
        while waiting:
            ready = next((part for part in waiting if all(name in done for name in part.after)), None)
            if ready is None:
                missing = {part.name: [name for name in part.after if name not in done] for part in waiting}
                raise ImproperlyConfigured(f"Demo parts wait for parts not registered or in a cycle: {missing}")
            done[ready.name] = ready
            waiting.remove(ready)
        return iter(done.values())

    def seed(self, organization: Organization, users: dict[str, User], *, today: dt.date) -> None:
        """Every part's content in ``organization``."""
        for part in self:
            part.seed(organization, users, today=today)


demo_parts = DemoParts()

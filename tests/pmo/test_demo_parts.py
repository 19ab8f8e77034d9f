"""The demo registry: each app adds its part, and a part runs after the parts it names."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from pmo.demo import DemoParts, demo_parts


def recorder(calls: list[str], name: str) -> Any:
    def seed(organization: Any, users: Any, *, today: dt.date) -> None:
        calls.append(f"{name} {today.isoformat()}")

    return seed


def test_a_part_runs_after_the_parts_it_names_whatever_the_order_of_registration() -> None:
    parts, calls = DemoParts(), []
    parts.register("risks", recorder(calls, "risks"), after=("projects", "finance"))
    parts.register("finance", recorder(calls, "finance"), after=("projects",))
    parts.register("projects", recorder(calls, "projects"))

    parts.seed(object(), {}, today=dt.date(2027, 3, 1))  # type: ignore[arg-type]

    assert calls == ["projects 2027-03-01", "finance 2027-03-01", "risks 2027-03-01"]


def test_parts_that_name_none_run_in_the_order_they_were_registered() -> None:
    parts, calls = DemoParts(), []
    for name in ("b", "a", "c"):
        parts.register(name, recorder(calls, name))

    parts.seed(object(), {}, today=dt.date(2027, 3, 1))  # type: ignore[arg-type]

    assert [call.split()[0] for call in calls] == ["b", "a", "c"]


def test_registering_a_part_again_replaces_it() -> None:
    parts, calls = DemoParts(), []
    parts.register("projects", recorder(calls, "old"))
    parts.register("projects", recorder(calls, "new"))

    parts.seed(object(), {}, today=dt.date(2027, 3, 1))  # type: ignore[arg-type]

    assert calls == ["new 2027-03-01"]


@pytest.mark.parametrize(
    "after", [{"risks": ("nowhere",)}, {"risks": ("quality",), "quality": ("risks",)}], ids=["missing", "cycle"]
)
def test_a_part_waiting_for_a_missing_part_or_in_a_cycle_is_refused(after: dict[str, tuple[str, ...]]) -> None:
    parts, calls = DemoParts(), []
    for name, names in after.items():
        parts.register(name, recorder(calls, name), after=names)

    with pytest.raises(ImproperlyConfigured, match="risks"):
        parts.seed(object(), {}, today=dt.date(2027, 3, 1))  # type: ignore[arg-type]
    assert calls == []


def test_the_installed_apps_register_the_projects_then_the_finance_part() -> None:
    names = [part.name for part in demo_parts]

    assert names.index("projects") < names.index("finance")

"""pmo.audit.audit_record_many: the events audit_record would write, inserted a batch at a time."""

from __future__ import annotations

from typing import Any

import pytest

from pmo.audit import RequestContext, audit_record_many, request_context
from pmo.models import AuditEvent, Organization, OrgRole
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_each_entry_is_an_event_and_a_batch_is_one_insert(
    organization: Organization, django_assert_num_queries: Any
) -> None:
    actor = member(organization, OrgRole.ADMIN, username="ada").user
    targets = [member(organization, OrgRole.MEMBER, username=f"m{number}") for number in range(5)]
    seen: list[tuple[int, int]] = []

    with (
        request_context(RequestContext(request_id="req-7", ip_address="10.0.0.8")),
        django_assert_num_queries(3),  # batches of 2: 2 + 2 + 1
    ):
        written = audit_record_many(
            organization=organization,
            actor=actor,
            action="member.imported",
            entries=((target, {"role": [None, target.role]}) for target in targets),
            progress=lambda done, total: seen.append((done, total)),
            total=len(targets),
            batch_size=2,
        )

    assert written == 5
    assert seen == [(2, 5), (4, 5), (5, 5)]
    events = AuditEvent.objects.for_organization(organization).filter(action="member.imported").order_by("id")
    assert [(event.target_type, event.target_id) for event in events] == [
        ("pmo.membership", str(target.pk)) for target in targets
    ]
    first = events[0]
    assert (first.actor, first.changes, first.request_id, first.ip_address) == (
        actor,
        {"role": [None, "member"]},
        "req-7",
        "10.0.0.8",
    )


def test_nothing_to_record_writes_nothing(organization: Organization, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert audit_record_many(organization=organization, actor=None, action="x", entries=[]) == 0

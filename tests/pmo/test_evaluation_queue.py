"""Evaluations of a project queued after a change, and a caller that defers them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from pmo.alerts.services import evaluations_deferred, project_evaluation_queue
from pmo.models import Organization
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_a_change_queues_an_evaluation_unless_the_caller_defers_them(
    organization: Organization, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    park, plaza = ProjectFactory(organization=organization), ProjectFactory(organization=organization)

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        with evaluations_deferred():
            project_evaluation_queue(park)
        project_evaluation_queue(plaza)

    assert len(callbacks) == 1

"""Chainable filters of risks and issues: ``Risk.objects.for_organization(org).open().high()``."""

from __future__ import annotations

import datetime as dt
from typing import Self

from django.db.models import Exists, OuterRef, Q

from pmo.tenancy import TenantManager, TenantQuerySet

OPEN = ("identified", "assessed", "responding", "monitoring")


class RiskQuerySet(TenantQuerySet):
    def open(self) -> Self:
        return self.filter(status__in=OPEN)

    def high(self) -> Self:
        return self.filter(level="high")

    def threats(self) -> Self:
        return self.filter(kind="threat")

    def review_overdue(self, today: dt.date) -> Self:
        return self.open().filter(next_review__lt=today)

    def with_response(self) -> Self:
        from risks.models import RiskResponse

        return self.filter(Exists(RiskResponse.objects.unscoped().filter(risk=OuterRef("pk"))))

    def unanswered(self) -> Self:
        from risks.models import RiskResponse

        return self.filter(~Exists(RiskResponse.objects.unscoped().filter(risk=OuterRef("pk"))))

    def of_projects(self) -> Self:
        return self.filter(project__isnull=False)

    def organisation_level(self) -> Self:
        return self.filter(project__isnull=True)


class IssueQuerySet(TenantQuerySet):
    def open(self) -> Self:
        return self.filter(status__in=("open", "in_progress"))

    def overdue(self, today: dt.date) -> Self:
        return self.open().filter(Q(due__lt=today))


RiskManager = TenantManager.from_queryset(RiskQuerySet)
IssueManager = TenantManager.from_queryset(IssueQuerySet)

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db.models import Q

from pmo.tenancy import TenantManager, TenantQuerySet

if TYPE_CHECKING:
    from pmo.models import User


class ProjectQuerySet(TenantQuerySet):
    def open(self) -> Self:
        from projects.models import OPEN_PHASES

        return self.filter(phase__in=OPEN_PHASES)

    def in_portfolio(self, portfolio_id: int) -> Self:
        """Projects of a portfolio, including those of its programmes."""
        return self.filter(Q(portfolio_id=portfolio_id) | Q(portfolio__parent_id=portfolio_id))

    def with_member(self, user: User) -> Self:
        return self.filter(members__user=user).distinct()


class WbsElementQuerySet(TenantQuerySet):
    def leaves(self) -> Self:
        """Tasks and milestones: what is scheduled, baselined and earned."""
        return self.exclude(kind="summary")

    def milestones(self) -> Self:
        return self.filter(kind="milestone")


ProjectManager = TenantManager.from_queryset(ProjectQuerySet)
WbsElementManager = TenantManager.from_queryset(WbsElementQuerySet)

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db.models import Case, F, FloatField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce

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

    def with_percent_complete(self, organization_id: int) -> Self:
        """Annotate ``percent_complete`` of each project's plan in the same query (one subquery).

        Weighted like the roll-up of summaries: by budgeted cost, or by duration when nothing is costed.
        """
        from projects.models import WbsElement

        weighted = (
            WbsElement.objects.for_organization(organization_id)
            .filter(project=OuterRef("pk"))
            .leaves()
            .order_by()
            .values("project")
            .annotate(
                cost=Sum("budgeted_cost"),
                by_cost=Sum(F("budgeted_cost") * F("percent_complete")),
                days=Sum("duration"),
                by_days=Sum(F("duration") * F("percent_complete")),
            )
            .annotate(
                percent=Case(
                    When(cost__gt=0, then=Cast("by_cost", FloatField()) / Cast("cost", FloatField())),
                    When(days__gt=0, then=Cast("by_days", FloatField()) / Cast("days", FloatField())),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
            )
            .values("percent")
        )
        return self.annotate(percent_complete=Coalesce(Subquery(weighted, output_field=FloatField()), Value(0.0)))


class WbsElementQuerySet(TenantQuerySet):
    def leaves(self) -> Self:
        """Tasks and milestones: what is scheduled, baselined and earned."""
        return self.exclude(kind="summary")

    def milestones(self) -> Self:
        return self.filter(kind="milestone")


ProjectManager = TenantManager.from_queryset(ProjectQuerySet)
WbsElementManager = TenantManager.from_queryset(WbsElementQuerySet)

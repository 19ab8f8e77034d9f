from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, Self

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, F, FloatField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce

from pmo.tenancy import TenantManager, TenantQuerySet, outside_tenant_scope

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

    def with_percent_complete_sql(self, organization_id: int) -> Self:
        """:meth:`with_percent_complete` as the SQL it compiles to, written once per database.

        The same subquery and the same values, without building and resolving its expressions on
        every request (about a millisecond of Python on the API's project list). The SQL names the
        projects table itself, so this is for a query of projects at the top level only (a list or
        a detail), never for one used as a subquery, where the ORM renames the table.
        """
        text, params, at = _percent_complete_sql(self.db)
        values = [*params]
        values[at] = organization_id
        # The text is the ORM's own compilation (above); the organisation is a parameter.
        return self.annotate(percent_complete=RawSQL(text, values, output_field=FloatField()))  # noqa: S611


@cache
def _percent_complete_sql(using: str) -> tuple[str, tuple[Any, ...], int]:
    """The compiled annotation of ``with_percent_complete`` and the position of its organisation parameter."""
    from projects.models import Project

    sentinel = -918_273_645  # an organisation id no row has, to find its parameter
    with outside_tenant_scope():  # a request's scope would add its organisation to the subquery
        query = Project.objects.for_organization(sentinel).with_percent_complete(sentinel).query
        text, params = query.get_compiler(using).compile(query.annotations["percent_complete"])
    found = [index for index, value in enumerate(params) if value == sentinel]
    if len(found) != 1 or text.count('"organization_id"') != 1 or f'"{Project._meta.db_table}"' not in text:
        raise ImproperlyConfigured(f"Cannot write the percent-complete subquery once: {text}")
    return text, tuple(params), found[0]


class WbsElementQuerySet(TenantQuerySet):
    def leaves(self) -> Self:
        """Tasks and milestones: what is scheduled, baselined and earned."""
        return self.exclude(kind="summary")

    def milestones(self) -> Self:
        return self.filter(kind="milestone")


ProjectManager = TenantManager.from_queryset(ProjectQuerySet)
WbsElementManager = TenantManager.from_queryset(WbsElementQuerySet)

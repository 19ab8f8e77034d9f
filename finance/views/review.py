"""The finance review queue: budget versions waiting for approval, across the organisation's projects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from finance.forms import DecisionForm
from finance.models import ZERO, BudgetLine, BudgetVersion, CostCategory
from finance.permissions import FinanceAction
from finance.selectors import VersionDiffRow
from finance.services import budgets
from finance.views.base import OperationsMixin
from pmo.views import paginate

QUEUE_PAGE_SIZE = 10


def diff_totals(rows: Sequence[VersionDiffRow]) -> dict[str, Decimal]:
    """The sums of a version's difference rows, for the table's total line."""
    return {
        "amount": sum((row.amount for row in rows), ZERO),
        "current": sum((row.current for row in rows), ZERO),
        "difference": sum((row.difference for row in rows), ZERO),
    }


def version_diffs(versions: Sequence[BudgetVersion]) -> dict[int, list[VersionDiffRow]]:
    """``finance.selectors.budget_version_diff`` for many versions at once, in three queries.

    Per version, per category: its lines against its project's current approved version's.
    """
    if not versions:
        return {}
    organization_id = versions[0].organization_id
    current_of = dict(
        BudgetVersion.objects.for_organization(organization_id)
        .filter(project_id__in={version.project_id for version in versions}, is_current=True)
        .values_list("project_id", "pk")
    )
    wanted = {version.pk for version in versions} | set(current_of.values())
    amounts: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for version_id, category_id, total in (
        BudgetLine.objects.for_organization(organization_id)
        .filter(version_id__in=wanted)
        .order_by()
        .values_list("version_id", "category_id")
        .annotate(total=Sum("amount"))
    ):
        amounts[version_id][category_id] = total or ZERO
    used = {category_id for by_category in amounts.values() for category_id in by_category}
    categories = list(
        CostCategory.objects.for_organization(organization_id).filter(pk__in=used).order_by("order", "name", "pk")
    )
    diffs = {}
    for version in versions:
        mine = amounts[version.pk]
        current_id = current_of.get(version.project_id)
        current = amounts[current_id] if current_id is not None and current_id != version.pk else {}
        diffs[version.pk] = [
            VersionDiffRow(
                category=category,
                amount=mine.get(category.pk, ZERO),
                current=current.get(category.pk, ZERO),
                difference=mine.get(category.pk, ZERO) - current.get(category.pk, ZERO),
            )
            for category in categories
            if category.pk in mine or category.pk in current
        ]
    return diffs


class FinanceReviewView(OperationsMixin, TemplateView):
    """Every submitted budget version, oldest first, with its lines and what it changes."""

    template_name = "finance/review_queue.html"
    read_action = FinanceAction.FINANCE_VIEW

    def queue(self) -> Any:
        lines = BudgetLine.objects.for_organization(self.organization).select_related("category", "wbs_element")
        return (
            BudgetVersion.objects.for_organization(self.organization)
            .filter(status=BudgetVersion.Status.SUBMITTED)
            .select_related("project", "submitted_by", "created_by", "change_request")
            .prefetch_related(Prefetch("lines", queryset=lines.order_by("category__order", "category__name", "pk")))
            .annotate(total=Sum("lines__amount"))
            .order_by("submitted_at", "pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = paginate(self.request, self.queue(), per_page=QUEUE_PAGE_SIZE)
        may_approve = self.can(FinanceAction.BUDGET_APPROVE)
        bound: tuple[int, DecisionForm] | None = kwargs.get("decision")
        versions = list(page.object_list)
        diffs = version_diffs(versions)
        items = []
        for version in versions:
            is_submitter = version.submitted_by_id == self.membership.user_id
            form = None
            if may_approve and not is_submitter:
                form = bound[1] if bound and bound[0] == version.pk else DecisionForm(prefix=f"v{version.pk}")
            items.append(
                {
                    "version": version,
                    "lines": list(version.lines.all()),
                    "diff": diffs[version.pk],
                    "diff_totals": diff_totals(diffs[version.pk]),
                    "has_current": any(row.current for row in diffs[version.pk]),
                    "is_submitter": is_submitter,
                    "form": form,
                }
            )
        context.update(
            page=page,
            items=items,
            may_approve=may_approve,
            may_manage_settings=self.can(FinanceAction.FINANCE_SETTINGS_MANAGE),
            nav_active="finance",
        )
        return context


class BudgetDecisionView(FinanceReviewView):
    """POST approve or reject for one submitted version; refusals are shown on the queue."""

    model = BudgetVersion
    write_action = FinanceAction.BUDGET_APPROVE
    operations = {"approve": ("approve", None), "reject": ("reject", None)}

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.version = get_object_or_404(
            BudgetVersion.objects.for_organization(self.organization).select_related("project"),
            pk=url_kwargs["budgetversion_id"],
        )

    def queue_url(self) -> str:
        return reverse("org-finance", kwargs={"org_slug": self.organization.slug})

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(self.queue_url())

    def _decide(self, request: HttpRequest, approve: bool) -> HttpResponse:
        form = DecisionForm(request.POST, prefix=f"v{self.version.pk}")
        status = 400
        if form.is_valid():
            service = budgets.budget_version_approve if approve else budgets.budget_version_reject
            comment = form.cleaned_data["comment"]
            decided, status = self.attempt(
                lambda: service(actor=self.actor, membership=self.membership, version=self.version, comment=comment),
                form,
            )
            if decided is not None:
                values = {"project": self.version.project.code, "version": f"v{self.version.number}"}
                if approve:
                    messages.success(request, _("%(project)s %(version)s approved: it is now the budget.") % values)
                else:
                    messages.success(request, _("%(project)s %(version)s rejected and returned.") % values)
                return HttpResponseRedirect(self.queue_url())
        return self.render_page(status=status, decision=(self.version.pk, form))

    def approve(self, request: HttpRequest) -> HttpResponse:
        return self._decide(request, approve=True)

    def reject(self, request: HttpRequest) -> HttpResponse:
        return self._decide(request, approve=False)

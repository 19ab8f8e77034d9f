"""A project's finances: budget by category and versions, commitments, actual costs and the forecast."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Max, Min, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finance import charts
from finance import jobs as finance_jobs
from finance.earned_value import (
    ATYPICAL,
    COMBINED,
    MANUAL,
    MONTH,
    NO_BASELINE,
    TYPICAL,
    WEEK,
    ProjectForecast,
    project_evm_series,
    project_forecast,
)
from finance.forms import (
    ActualCostForm,
    ActualCostImportForm,
    BudgetLineForm,
    BudgetVersionCreateForm,
    CommitmentEditForm,
    CommitmentForm,
    ManualForecastForm,
    ReservesForm,
)
from finance.models import ActualCost, BudgetLine, BudgetVersion, Commitment, ManualForecast
from finance.permissions import FinanceAction
from finance.selectors import (
    budget_by_category,
    budget_reconciliation,
    budget_version_diff,
    offered_change_requests,
    with_reversals,
)
from finance.services import budgets, costs, costs_xlsx
from finance.services.budgets import OPEN_STATUSES
from finance.views.base import FinanceProjectPage
from finance.views.review import diff_totals
from pmo.errors import ApplicationError
from pmo.jobs import job_started_page_response
from pmo.views import paginate
from pmo.xlsx import error_rows, file_stem, is_workbook, xlsx_response
from projects.models import BaselineTask

ZERO = Decimal("0.00")
# A burn chart longer than this many days is drawn by month rather than by week.
WEEKLY_SPAN_DAYS = 200

FORECAST_METHODS = {
    TYPICAL: (gettext_lazy("Typical"), "EAC = BAC / CPI"),
    ATYPICAL: (gettext_lazy("Atypical"), "EAC = AC + (BAC - EV)"),
    COMBINED: (gettext_lazy("Combined"), "EAC = AC + (BAC - EV) / (CPI x SPI)"),
    MANUAL: (gettext_lazy("Manager's estimate"), "EAC = AC + ETC"),
}
VERSION_BADGES: dict[str, str] = {
    BudgetVersion.Status.DRAFT: "badge-grey",
    BudgetVersion.Status.SUBMITTED: "badge-amber",
    BudgetVersion.Status.APPROVED: "badge-green",
    BudgetVersion.Status.REJECTED: "badge-red",
    BudgetVersion.Status.SUPERSEDED: "badge-grey",
}


def forecast_or_none(project: Any, as_of: dt.date) -> ProjectForecast | None:
    """The forecast on ``as_of``, or None when there is no baseline to measure against."""
    try:
        return project_forecast(project, as_of)
    except ApplicationError as error:
        if error.code != NO_BASELINE:
            raise
        return None


def forecast_rows(forecast: ProjectForecast) -> list[dict[str, Any]]:
    return [
        {
            "method": line.method,
            "label": FORECAST_METHODS[line.method][0],
            "formula": FORECAST_METHODS[line.method][1],
            "line": line,
        }
        for line in forecast.lines
    ]


def headline_eac(forecast: ProjectForecast | None) -> tuple[Decimal | None, str]:
    """The estimate at completion the pages lead with: the manager's when given, else the typical one."""
    if forecast is None:
        return None, ""
    by_method = {line.method: line for line in forecast.lines}
    for method in (MANUAL, TYPICAL):
        line = by_method.get(method)
        if line is not None and line.eac is not None:
            return line.eac, str(FORECAST_METHODS[method][0])
    return None, ""


def chart_interval(start: dt.date, end: dt.date) -> str:
    return WEEK if (end - start).days <= WEEKLY_SPAN_DAYS else MONTH


class ProjectFinanceView(FinanceProjectPage):
    """The budget by cost category, the burn chart, the reconciliation and the budget versions."""

    template_name = "finance/project_finance.html"
    section = "budget"
    write_action = FinanceAction.BUDGET_EDIT
    operations = {"new_version": ("new_version", None)}

    def change_requests(self) -> Any:
        return offered_change_requests(self.project)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = self.organization.today()
        rows = list(budget_by_category(self.project))
        totals = {
            field: sum((getattr(row, field) for row in rows), ZERO)
            for field in ("approved", "committed", "actual", "remaining")
        }
        versions = list(
            BudgetVersion.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("created_by", "submitted_by", "decided_by")
            .annotate(total=Sum("lines__amount"))
            .order_by("-number")
        )
        current = next((version for version in versions if version.is_current), None)
        open_version = next((version for version in versions if version.status in OPEN_STATUSES), None)
        forecast = forecast_or_none(self.project, today)
        eac, eac_method = headline_eac(forecast)
        context.update(
            rows=rows,
            totals=totals,
            over_count=sum(1 for row in rows if row.over),
            versions=[{"version": v, "badge": VERSION_BADGES.get(v.status, "badge-grey")} for v in versions],
            current=current,
            open_version=open_version,
            forecast=forecast,
            eac=eac,
            eac_method=eac_method,
            reconciliation=budget_reconciliation(self.project),
            burn=self.burn_chart(current, forecast is not None, today),
            today=today,
        )
        context["may_edit_budget"] = self.can(FinanceAction.BUDGET_EDIT) and self.project.is_open
        if context["may_edit_budget"] and (open_version is None or "version_form" in kwargs):
            context["version_form"] = kwargs.get("version_form") or BudgetVersionCreateForm(
                change_requests=self.change_requests()
            )
        return context

    def burn_chart(self, current: BudgetVersion | None, has_baseline: bool, today: dt.date) -> charts.LineChart | None:
        spent = list(
            ActualCost.objects.for_organization(self.organization)
            .filter(project=self.project)
            .values("date")
            .annotate(total=Sum("amount"))
            .order_by("date")
            .values_list("date", "total")
        )
        actual = charts.cumulative(spent)
        pv: list[tuple[dt.date, Decimal]] = []
        if has_baseline:
            span = (
                BaselineTask.objects.for_organization(self.organization)
                .filter(baseline__project=self.project, baseline__is_current=True)
                .aggregate(start=Min("start"), finish=Max("finish"))
            )
            if span["start"] is not None:
                start, finish = span["start"], span["finish"]
                series = project_evm_series(self.project, start, finish, chart_interval(start, finish))
                # Nothing is planned before the baseline starts: the curve rises from zero.
                pv = [(start - dt.timedelta(days=1), ZERO), *((point.as_of, point.figures.pv) for point in series)]
        budget = None
        if current is not None:
            budget = getattr(current, "total", None) or ZERO
        if actual and actual[-1][0] < today:
            actual.append((today, actual[-1][1]))
        return charts.burn_chart(actual=actual, budget=budget, pv=pv, today=today, currency=self.project.currency)

    def new_version(self, request: HttpRequest) -> HttpResponse:
        form = BudgetVersionCreateForm(request.POST, change_requests=self.change_requests())
        status = 400
        if form.is_valid():
            version, status = self.attempt(
                lambda: budgets.budget_version_create(actor=self.actor, project=self.project, **form.cleaned_data),
                form,
            )
            if version is not None:
                messages.success(request, _("Draft v%(number)s created.") % {"number": version.number})
                return HttpResponseRedirect(self.project_url("project-budget-version", budgetversion_id=version.pk))
        return self.render_page(status=status, version_form=form)


class BudgetVersionPage(FinanceProjectPage):
    """A page about one budget version of the project (``budgetversion_id`` in the URL)."""

    version: BudgetVersion
    section = "budget"

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.version = get_object_or_404(
            BudgetVersion.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("created_by", "submitted_by", "decided_by", "change_request"),
            pk=url_kwargs["budgetversion_id"],
        )
        self.version.project = self.project

    def version_url(self) -> str:
        return self.project_url("project-budget-version", budgetversion_id=self.version.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["version"] = self.version
        context["badge"] = VERSION_BADGES.get(self.version.status, "badge-grey")
        context["is_draft"] = self.version.status == BudgetVersion.Status.DRAFT
        context["can_edit"] = context["is_draft"] and self.can(FinanceAction.BUDGET_EDIT)
        return context


class BudgetVersionView(BudgetVersionPage):
    """A version's lines, what it changes against the approved budget, and, in draft, its editing."""

    template_name = "finance/budget_version.html"
    write_action = FinanceAction.BUDGET_EDIT
    operations = {
        "reserves": ("save_reserves", None),
        "add_line": ("add_line", None),
        "submit": ("submit", None),
    }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        version = self.version
        lines = list(
            BudgetLine.objects.for_organization(self.organization)
            .filter(version=version)
            .select_related("category", "wbs_element")
            .order_by("category__order", "category__name", "pk")
        )
        total = sum((line.amount for line in lines), ZERO)
        context.update(
            lines=lines,
            total=total,
            grand_total=total + version.contingency_reserve,
            diff=(diff := budget_version_diff(version)),
            project_has_current=any(row.current for row in diff),
            diff_totals=diff_totals(diff),
            is_submitter=version.submitted_by_id == self.membership.user_id,
            may_approve=self.can(FinanceAction.BUDGET_APPROVE),
        )
        if context["can_edit"]:
            context["reserves_form"] = kwargs.get("reserves_form") or self.with_version(
                ReservesForm(
                    initial={
                        "contingency_reserve": version.contingency_reserve,
                        "management_reserve": version.management_reserve,
                        "note": version.note,
                    }
                ),
                version,
            )
            context["line_form"] = kwargs.get("line_form") or BudgetLineForm(**self.cost_form_options())
        return context

    def save_reserves(self, request: HttpRequest) -> HttpResponse:
        form = self.with_version(ReservesForm(request.POST), self.version)
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: budgets.budget_version_update(actor=self.actor, version=self.version, **form.cleaned_data),
                form,
                edited=self.version,
            )
            if saved is not None:
                messages.success(request, _("Reserves and note saved."))
                return HttpResponseRedirect(self.version_url())
        return self.render_page(status=status, reserves_form=form)

    def add_line(self, request: HttpRequest) -> HttpResponse:
        form = BudgetLineForm(request.POST, **self.cost_form_options())
        status = 400
        if form.is_valid():
            line, status = self.attempt(
                lambda: budgets.budget_line_add(actor=self.actor, version=self.version, **form.cleaned_data),
                form,
            )
            if line is not None:
                messages.success(request, _("Line added."))
                return HttpResponseRedirect(self.version_url() + "#lines")
        return self.render_page(status=status, line_form=form)

    def submit(self, request: HttpRequest) -> HttpResponse:
        submitted, status = self.attempt(lambda: budgets.budget_version_submit(actor=self.actor, version=self.version))
        if submitted is not None:
            messages.success(request, _("v%(number)s submitted: finance reviews it.") % {"number": self.version.number})
            return HttpResponseRedirect(self.version_url())
        return self.render_page(status=status)


class BudgetLineEditView(BudgetVersionPage):
    template_name = "finance/budget_line_form.html"
    model = BudgetLine
    read_action = FinanceAction.BUDGET_EDIT
    write_action = FinanceAction.BUDGET_EDIT
    operations = {"save": ("save", None)}

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.line = get_object_or_404(
            BudgetLine.objects.for_organization(self.organization).filter(version=self.version), pk=url_kwargs["pk"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["line"] = self.line
        context["form"] = kwargs.get("form") or self.with_version(
            BudgetLineForm(
                initial={
                    "category": self.line.category_id,
                    "wbs_element": self.line.wbs_element_id,
                    "amount": self.line.amount,
                    "note": self.line.note,
                },
                carries_change=self.line.change_request_id is not None,
                **self.cost_form_options(),
            ),
            self.line,
        )
        return context

    def save(self, request: HttpRequest) -> HttpResponse:
        form = BudgetLineForm(
            request.POST, carries_change=self.line.change_request_id is not None, **self.cost_form_options()
        )
        self.with_version(form, self.line)
        status = 400
        if form.is_valid():
            line, status = self.attempt(
                lambda: budgets.budget_line_update(actor=self.actor, line=self.line, **form.cleaned_data),
                form,
                edited=self.line,
            )
            if line is not None:
                messages.success(request, _("Line saved."))
                return HttpResponseRedirect(self.version_url() + "#lines")
        return self.render_page(status=status, form=form)


class BudgetLineRemoveView(BudgetVersionPage):
    """POST removes one line of a draft; a GET goes back to the version."""

    model = BudgetLine
    write_action = FinanceAction.BUDGET_EDIT

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.line = get_object_or_404(
            BudgetLine.objects.for_organization(self.organization).filter(version=self.version), pk=url_kwargs["pk"]
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(self.version_url())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        line = self.line
        _removed, status = self.attempt(lambda: budgets.budget_line_remove(actor=self.actor, line=line))
        if status == 200:
            messages.success(request, _("Line removed."))
        return HttpResponseRedirect(self.version_url() + "#lines")


# --- commitments and actual costs -------------------------------------------------------------


def over_budget_note(request: HttpRequest, *records: Any) -> None:
    """Under the warn setting a cost over its category's budget is saved and flagged: say so."""
    if any(record.over_budget for record in records):
        messages.warning(
            request, _("Saved, but it takes its cost category over the approved budget: it is flagged for review.")
        )


class CommitmentListView(FinanceProjectPage):
    template_name = "finance/commitments.html"
    section = "commitments"
    write_action = FinanceAction.COSTS_MANAGE
    operations = {"create": ("create", None)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        queryset = (
            Commitment.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("category", "wbs_element", "created_by")
            .order_by("-date", "-pk")
        )
        context["page"] = paginate(self.request, queryset)
        context["open_total"] = (
            queryset.filter(status=Commitment.Status.OPEN).aggregate(total=Sum("amount"))["total"] or ZERO
        )
        context["may_manage"] = self.can(FinanceAction.COSTS_MANAGE)
        if context["may_manage"]:
            context["form"] = kwargs.get("form") or CommitmentForm(
                initial={"date": self.organization.today()}, **self.cost_form_options()
            )
        return context

    def create(self, request: HttpRequest) -> HttpResponse:
        form = CommitmentForm(request.POST, **self.cost_form_options())
        status = 400
        if form.is_valid():
            commitment, status = self.attempt(
                lambda: costs.commitment_create(actor=self.actor, project=self.project, **form.cleaned_data), form
            )
            if commitment is not None:
                messages.success(request, _("Commitment %(reference)s recorded.") % {"reference": commitment.reference})
                over_budget_note(request, commitment)
                return HttpResponseRedirect(self.project_url("project-commitments"))
        return self.render_page(status=status, form=form)


class CommitmentEditView(FinanceProjectPage):
    template_name = "finance/commitment_form.html"
    section = "commitments"
    model = Commitment
    read_action = FinanceAction.COSTS_MANAGE
    write_action = FinanceAction.COSTS_MANAGE
    operations = {"save": ("save", None)}

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.commitment = get_object_or_404(
            Commitment.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("category", "wbs_element"),
            pk=url_kwargs["pk"],
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        commitment = self.commitment
        context["commitment"] = commitment
        context["is_open"] = commitment.status == Commitment.Status.OPEN
        fields = ("supplier", "reference", "date", "amount", "status")
        context["form"] = kwargs.get("form") or self.with_version(
            CommitmentEditForm(
                initial={
                    **{field: getattr(commitment, field) for field in fields},
                    "category": commitment.category_id,
                    "wbs_element": commitment.wbs_element_id,
                },
                **self.cost_form_options(),
            ),
            commitment,
        )
        return context

    def save(self, request: HttpRequest) -> HttpResponse:
        form = self.with_version(CommitmentEditForm(request.POST, **self.cost_form_options()), self.commitment)
        status = 400
        if form.is_valid():
            commitment, status = self.attempt(
                lambda: costs.commitment_update(actor=self.actor, commitment=self.commitment, **form.cleaned_data),
                form,
                edited=self.commitment,
            )
            if commitment is not None:
                messages.success(request, _("Commitment %(reference)s saved.") % {"reference": commitment.reference})
                over_budget_note(request, commitment)
                return HttpResponseRedirect(self.project_url("project-commitments"))
        return self.render_page(status=status, form=form)


def import_errors(error: ApplicationError) -> list[dict[str, Any]]:
    """A refused import's problems: those of the whole file first, then each line's in line order."""
    rows = [
        {"line": int(key) if str(key).isdigit() else None, "messages": [str(message) for message in value]}
        for key, value in error.fields.items()
    ]
    return sorted(rows, key=lambda row: -1 if row["line"] is None else row["line"])


class ActualCostListView(FinanceProjectPage):
    template_name = "finance/actual_costs.html"
    section = "actuals"
    write_action = FinanceAction.COSTS_MANAGE
    operations = {"create": ("create", None), "import": ("import_file", None), "reverse": ("reverse", None)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        queryset = with_reversals(
            ActualCost.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("category", "wbs_element", "created_by")
            .order_by("-date", "-pk"),
            self.organization.pk,
        )
        context["page"] = paginate(self.request, queryset)
        context["total"] = queryset.aggregate(total=Sum("amount"))["total"] or ZERO
        context["may_manage"] = self.can(FinanceAction.COSTS_MANAGE)
        context["import_errors"] = kwargs.get("import_errors")
        context["workbook_errors"] = kwargs.get("workbook_errors")
        if context["may_manage"]:
            context["form"] = kwargs.get("form") or ActualCostForm(
                initial={"date": self.organization.today()}, **self.cost_form_options()
            )
            context["import_form"] = kwargs.get("import_form") or ActualCostImportForm()
        return context

    def list_url(self) -> str:
        return self.project_url("project-actual-costs")

    def create(self, request: HttpRequest) -> HttpResponse:
        form = ActualCostForm(request.POST, **self.cost_form_options())
        status = 400
        if form.is_valid():
            cost, status = self.attempt(
                lambda: costs.actual_cost_create(actor=self.actor, project=self.project, **form.cleaned_data), form
            )
            if cost is not None:
                messages.success(request, _("Actual cost recorded."))
                over_budget_note(request, cost)
                return HttpResponseRedirect(self.list_url())
        return self.render_page(status=status, form=form)

    def reverse(self, request: HttpRequest) -> HttpResponse:
        cost = get_object_or_404(
            ActualCost.objects.for_organization(self.organization).filter(project=self.project),
            pk=request.POST.get("cost") if str(request.POST.get("cost", "")).isdigit() else None,
        )
        try:
            costs.actual_cost_reverse(actor=self.actor, cost=cost, reason=request.POST.get("reason", ""))
        except ApplicationError as error:
            messages.error(request, error.message)
            return self.render_page(status=error.status_code)
        messages.success(request, _("The cost was reversed."))
        return HttpResponseRedirect(self.list_url())

    def import_file(self, request: HttpRequest) -> HttpResponse:
        form = ActualCostImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(status=400, import_form=form)
        data = form.cleaned_data["file"]
        workbook = is_workbook(data)
        try:
            if workbook and finance_jobs.in_job(size=len(data)):
                return job_started_page_response(
                    request,
                    kind=finance_jobs.COSTS_IMPORT,
                    organization=self.organization,
                    requested_by=self.actor,
                    payload={"project": self.project.pk},
                    upload=data,
                    upload_name="actual-costs.xlsx",
                )
            if workbook:
                imported = costs_xlsx.actual_costs_import_xlsx(actor=self.actor, project=self.project, data=data)
            else:
                imported = costs.actual_costs_import(actor=self.actor, project=self.project, text=data)
        except ApplicationError as error:
            messages.error(request, error.message)
            if workbook:
                return self.render_page(
                    status=error.status_code, import_form=form, workbook_errors=error_rows(error.fields)
                )
            return self.render_page(status=error.status_code, import_form=form, import_errors=import_errors(error))
        messages.success(request, _("%(count)d actual costs imported.") % {"count": len(imported)})
        over_budget_note(request, *imported)
        return HttpResponseRedirect(self.list_url())


class ActualCostsWorkbookView(FinanceProjectPage):
    """The project's actual costs as a workbook (the import's columns)."""

    is_download = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rows = ActualCost.objects.for_organization(self.organization).filter(project=self.project).count()
        if finance_jobs.in_job(rows=rows):
            return job_started_page_response(
                request,
                kind=finance_jobs.COSTS_EXPORT,
                organization=self.organization,
                requested_by=self.actor,
                payload={"project": self.project.pk},
            )
        name = f"{file_stem(self.project.code, f'project-{self.project.pk}')}-actual-costs.xlsx"
        return xlsx_response(costs_xlsx.actual_costs_workbook(self.project), name)


class ActualCostsTemplateView(FinanceProjectPage):
    """The "Actual costs" sheet with an example row and the sheet explaining its columns."""

    is_download = True
    read_action = FinanceAction.COSTS_MANAGE

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return xlsx_response(costs_xlsx.actual_costs_template(), "actual-costs-template.xlsx")


# --- forecast ----------------------------------------------------------------------------------


class ForecastView(FinanceProjectPage):
    """The estimates at completion side by side, and the manager's own estimate to complete."""

    template_name = "finance/forecast.html"
    section = "forecast"
    write_action = FinanceAction.FORECAST_EDIT
    operations = {"set": ("set_forecast", None)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = self.organization.today()
        forecast = forecast_or_none(self.project, today)
        context["today"] = today
        context["forecast"] = forecast
        context["methods"] = forecast_rows(forecast) if forecast is not None else []
        context["history"] = list(
            ManualForecast.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("created_by")
            .order_by("-created_at", "-pk")[:10]
        )
        if self.can(FinanceAction.FORECAST_EDIT):
            latest = context["history"][0] if context["history"] else None
            context["form"] = kwargs.get("form") or ManualForecastForm(
                initial={"estimate_to_complete": latest.estimate_to_complete} if latest else None
            )
        return context

    def set_forecast(self, request: HttpRequest) -> HttpResponse:
        form = ManualForecastForm(request.POST)
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: costs.manual_forecast_set(actor=self.actor, project=self.project, **form.cleaned_data), form
            )
            if saved is not None:
                messages.success(request, _("Estimate to complete saved."))
                return HttpResponseRedirect(self.project_url("project-forecast"))
        return self.render_page(status=status, form=form)

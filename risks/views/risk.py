"""One risk: its page (all fields, the three assessments, history, responses, files), and its writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from pmo.errors import ApplicationError
from projects.models import WbsElement
from risks import scoring
from risks.forms import RiskAssessForm, RiskForm, RiskReviewForm, RiskStatusForm
from risks.models import Level, Risk, RiskAssessment, RiskCategory, RiskKind, RiskStatus
from risks.permissions import OwnerRule, RiskAction
from risks.services import register
from risks.services.register import DIMENSIONS
from risks.services.settings import risk_categories_ensure_defaults, risk_settings_for
from risks.views.base import LEVEL_BADGES, STATUS_BADGES, InProject, OneRisk, RiskPage

HISTORY_PAGE = 20
POINT_FIELDS = {"cost": "cost_min", "days": "days_min"}
CHOICES_OF: dict[str, Any] = {
    "status": RiskStatus,
    "level": Level,
    "inherent_level": Level,
    "target_level": Level,
    "kind": RiskKind,
}


def shown_value(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    choices = CHOICES_OF.get(field)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return str(value)


def field_label(field: str) -> str:
    try:
        return capfirst(str(getattr(Risk._meta.get_field(field), "verbose_name", field)))
    except FieldDoesNotExist:
        return field


def history_rows(entries: list[RiskAssessment]) -> list[dict[str, Any]]:
    return [
        {
            "entry": entry,
            "level_badge": LEVEL_BADGES.get(entry.level, "badge-grey"),
            "changes": [
                {"label": field_label(field), "old": shown_value(field, pair[0]), "new": shown_value(field, pair[1])}
                for field, pair in (entry.changes or {}).items()
                if isinstance(pair, (list, tuple)) and len(pair) == 2
            ],
        }
        for entry in entries
    ]


class RiskDetailPage(OneRisk):
    """All of a risk: description, owner, the inherent, current and target assessments, history, files."""

    template_name = "risks/risk_detail.html"
    write_action = RiskAction.RISK_CONTRIBUTE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        risk = self.risk
        settings = risk_settings_for(self.organization)
        history = Paginator(
            RiskAssessment.objects.for_organization(self.organization)
            .filter(risk=risk)
            .select_related("actor")
            .order_by("-at", "-id"),
            HISTORY_PAGE,
        ).get_page(self.request.GET.get("history_page"))
        linked = (
            list(
                WbsElement.objects.for_organization(self.organization)
                .filter(pk__in=risk.wbs_links.values("element_id"))
                .order_by("sort_key")
            )
            if risk.project_id is not None
            else []
        )
        may_manage = self.can(RiskAction.RISK_MANAGE)
        may_update = self.may_update()
        context.update(
            settings=settings,
            history=history,
            history_rows=history_rows(list(history.object_list)),
            elements=linked,
            impacts=[
                (field_label(f"impact_{dimension}"), getattr(risk, f"impact_{dimension}")) for dimension in DIMENSIONS
            ],
            assessments=self.assessments(risk),
            status_badge=STATUS_BADGES.get(risk.status, "badge-grey"),
            today=self.organization.today(),
            percent_band=settings.percent_of(risk.probability) if risk.probability else None,
            cost_mean=scoring.pert_mean(risk.cost_min, risk.cost_likely, risk.cost_max),
            days_mean=scoring.pert_mean(Decimal(risk.days_min), Decimal(risk.days_likely), Decimal(risk.days_max)),
            may_manage=may_manage,
            may_update=may_update,
            may_edit=may_manage and risk.is_open,
            may_assess=may_update and risk.is_open,
        )
        if may_update and risk.is_open:
            context["review_form"] = kwargs.get("review_form") or self.with_version(RiskReviewForm(), risk)
        if may_manage:
            status_form = kwargs.get("status_form") or self.with_version(RiskStatusForm(risk=risk), risk)
            choices: Any = status_form.fields["status"]
            if choices.choices:
                context["status_form"] = status_form
        return context

    @staticmethod
    def assessments(risk: Risk) -> list[dict[str, Any]]:
        """Inherent, current and target: probability, impact, score and level of each."""
        return [
            {
                "name": name,
                "probability": probability,
                "impact": impact,
                "score": score,
                "level": level,
                "level_label": Level(level).label if level else "",
                "badge": LEVEL_BADGES.get(level, "badge-grey"),
            }
            for name, probability, impact, score, level in (
                (
                    _("Inherent"),
                    risk.inherent_probability,
                    risk.inherent_impact,
                    risk.inherent_score,
                    risk.inherent_level,
                ),
                (_("Current"), risk.probability, risk.impact, risk.score, risk.level),
                (
                    pgettext("risk assessment", "Target"),
                    risk.target_probability,
                    risk.target_impact,
                    risk.target_score,
                    risk.target_level,
                ),
            )
        ]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        operation = request.POST.get("op", "")
        if operation == "review":
            return self.review(request)
        if operation == "status":
            return self.change_status(request)
        messages.error(request, _("Unknown action."))
        return self.render_page(status=400)

    def review(self, request: HttpRequest) -> HttpResponse:
        self.require_update()
        form = self.with_version(RiskReviewForm(request.POST), self.risk)
        status = 400
        if form.is_valid():
            reviewed, status = self.attempt(
                lambda: register.risk_review(actor=self.actor, risk=self.risk, note=form.cleaned_data["note"]),
                form,
                edited=self.risk,
            )
            if reviewed is not None:
                messages.success(request, _("Review recorded: the risk is unchanged."))
                return HttpResponseRedirect(self.risk_url())
        return self.render_page(status=status, review_form=form)

    def change_status(self, request: HttpRequest) -> HttpResponse:
        if not self.can(RiskAction.RISK_MANAGE):
            raise PermissionDenied
        form = self.with_version(RiskStatusForm(request.POST, risk=self.risk), self.risk)
        status = 400
        if form.is_valid():
            changed, status = self.attempt(
                lambda: register.risk_set_status(actor=self.actor, risk=self.risk, **form.cleaned_data),
                form,
                edited=self.risk,
            )
            if changed is not None:
                messages.success(
                    request,
                    _("%(code)s is now %(status)s.") % {"code": changed.code, "status": changed.get_status_display()},
                )
                return HttpResponseRedirect(self.risk_url())
        return self.render_page(status=status, status_form=form)


class ProjectRiskView(InProject, RiskDetailPage):
    pass


class OrganizationRiskView(RiskDetailPage):
    pass


# --- raising and editing ------------------------------------------------------------------------


class RiskFormPage(RiskPage):
    """The fields of a risk: raise a new one, or edit one."""

    template_name = "risks/risk_form.html"

    def form_options(self) -> dict[str, Any]:
        elements = (
            WbsElement.objects.for_organization(self.organization)
            .filter(project=self.project_or_none)
            .order_by("sort_key")
            if self.project_or_none is not None
            else None
        )
        return {
            "organization": self.organization,
            "categories": self.categories(),
            "elements": elements,
            "date_window": self.organization.date_window,
        }

    def categories(self, keep: int | None = None) -> QuerySet[RiskCategory]:
        """The active categories (the defaults arrive on first use), and ``keep``, a risk's own, even if off."""
        risk_categories_ensure_defaults(self.organization)
        return (
            RiskCategory.objects.for_organization(self.organization)
            .filter(Q(is_active=True) | Q(pk=keep))
            .order_by("order", "code")
        )


class RiskCreatePage(RiskFormPage):
    read_action = RiskAction.RISK_MANAGE
    write_action = RiskAction.RISK_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or RiskForm(initial={"owner": self.request.user.pk}, **self.form_options())
        context["creating"] = True
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = RiskForm(request.POST, **self.form_options())
        status = 400
        if form.is_valid():
            risk, status = self.attempt(
                lambda: register.risk_raise(
                    actor=self.actor, organization=self.organization, project=self.project_or_none, **form.cleaned_data
                ),
                form,
            )
            if risk is not None:
                messages.success(request, _("%(code)s raised: assess it next.") % {"code": risk.code})
                return HttpResponseRedirect(self.url("risk-assess", pk=risk.pk))
        return self.render_page(status=status, form=form)


class ProjectRiskCreateView(InProject, RiskCreatePage):
    pass


class OrganizationRiskCreateView(RiskCreatePage):
    pass


class RiskEditPage(OneRisk, RiskFormPage):
    page_name = "risk-edit"
    read_action = RiskAction.RISK_MANAGE
    write_action = RiskAction.RISK_MANAGE

    def categories(self, keep: int | None = None) -> QuerySet[RiskCategory]:
        return super().categories(keep=self.risk.category_id)

    def initial(self) -> dict[str, Any]:
        risk = self.risk
        fields = ("title", "kind", "cause", "event", "effect", "trigger", "proximity")
        return {
            **{field: getattr(risk, field) for field in fields},
            "category": risk.category_id,
            "owner": risk.owner_id,
            "target_probability": risk.target_probability,
            "target_impact": risk.target_impact,
            "wbs_elements": list(risk.wbs_links.values_list("element_id", flat=True)) if self.project_or_none else [],
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or self.with_version(
            RiskForm(initial=self.initial(), **self.form_options()), self.risk
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.with_version(RiskForm(request.POST, **self.form_options()), self.risk)
        status = 400
        if form.is_valid():
            risk, status = self.attempt(
                lambda: register.risk_update(actor=self.actor, risk=self.risk, **form.cleaned_data),
                form,
                edited=self.risk,
            )
            if risk is not None:
                messages.success(request, _("%(code)s saved.") % {"code": risk.code})
                return HttpResponseRedirect(self.risk_url())
        return self.render_page(status=status, form=form)


class ProjectRiskEditView(InProject, RiskEditPage):
    pass


class OrganizationRiskEditView(RiskEditPage):
    pass


# --- assessing ----------------------------------------------------------------------------------


class RiskAssessPage(OwnerRule, OneRisk):
    """Probability, the five impact dimensions, the quantitative fields and why: a new current assessment."""

    template_name = "risks/risk_assess.html"
    page_name = "risk-assess"
    read_action = RiskAction.RISK_CONTRIBUTE
    write_action = RiskAction.RISK_CONTRIBUTE

    def initial(self) -> dict[str, Any]:
        risk = self.risk
        fields = ["probability", *(f"impact_{d}" for d in DIMENSIONS), "probability_percent"]
        fields += ["cost_min", "cost_likely", "cost_max", "days_min", "days_likely", "days_max"]
        initial = {field: getattr(risk, field) for field in fields}
        if risk.percent_is_default:
            initial["probability_percent"] = None
        return initial

    def report(self, error: ApplicationError, form: Any = None) -> None:
        """The service names the three points ``cost`` and ``days``; the form has a field per point."""
        fields = {POINT_FIELDS.get(field, field): problems for field, problems in error.fields.items()}
        moved = ApplicationError(error.message, code=error.code, fields=fields, status_code=error.status_code)
        super().report(moved, form)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.require_update()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        settings = risk_settings_for(self.organization)
        context["settings"] = settings
        context["bands"] = [(p, settings.percent_of(p)) for p in scoring.SCALE]
        context["form"] = kwargs.get("form") or self.with_version(RiskAssessForm(initial=self.initial()), self.risk)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.require_update()
        form = self.with_version(RiskAssessForm(request.POST), self.risk)
        status = 400
        if form.is_valid():
            risk, status = self.attempt(
                lambda: register.risk_assess(actor=self.actor, risk=self.risk, **form.service_fields()),
                form,
                edited=self.risk,
            )
            if risk is not None:
                messages.success(
                    request,
                    _("%(code)s assessed: score %(score)s.") % {"code": risk.code, "score": risk.score or "—"},
                )
                return HttpResponseRedirect(self.risk_url())
        return self.render_page(status=status, form=form)


class ProjectRiskAssessView(InProject, RiskAssessPage):
    pass


class OrganizationRiskAssessView(RiskAssessPage):
    pass

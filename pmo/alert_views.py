"""Alert pages under /o/{org_slug}/alerts/: the alerts, one alert, the inbox, the rules and the webhooks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.db.models import BooleanField, Case, ExpressionWrapper, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from pmo.alert_forms import (
    ACTIVE,
    DIRECTION_LABELS,
    EVERY_STATUS,
    UNIT_LABELS,
    UNIT_SHORT,
    AlertEmailForm,
    AlertFilterForm,
    AlertRuleForm,
    WebhookForm,
)
from pmo.alerts import services
from pmo.alerts.kinds import alert_kinds
from pmo.errors import ApplicationError
from pmo.models import (
    Alert,
    AlertRule,
    AlertStatus,
    DeliveryAttempt,
    Notification,
    OrgRole,
    Severity,
    User,
    Webhook,
    WebhookEvent,
)
from pmo.pages import OrganizationPageMixin
from pmo.policy import Action, can
from pmo.project_directory import project_directory
from pmo.views import paginate

ALERT_PAGE_SIZE = 50
INBOX_PAGE_SIZE = 25
DELIVERY_PAGE_SIZE = 50

#: The figures every alert keeps; its kind names the others (``AlertKindSpec.figures``).
FIGURE_LABELS: dict[str, Any] = {
    "value": gettext_lazy("Measured value"),
    "threshold": gettext_lazy("Threshold crossed"),
}


def subject_url(alert: Alert, org_slug: str) -> str | None:
    """Where the alert's subject is seen, as its kind links it (the project's earned value, the task, ...)."""
    spec = alert_kinds.get(alert.kind)
    if alert.project_id is None or spec is None or spec.link is None:
        return None
    return spec.link(alert, org_slug)


def figure_rows(figures: dict[str, Any], kind: str) -> list[tuple[str, Any]]:
    """The figures as (label, value): the named ones first in the kind's order, the others by key."""
    spec = alert_kinds.get(kind)
    labels = {**FIGURE_LABELS, **dict(spec.figures if spec is not None else ())}
    known = [(str(label), figures[key]) for key, label in labels.items() if key in figures]
    rest = [(key, value) for key, value in sorted(figures.items()) if key not in labels]
    return known + rest


class AlertsPage(OrganizationPageMixin, TemplateView):
    """A page of the alerts section: its tabs, and POSTs that name an operation in ``op``."""

    read_action = Action.ALERTS_VIEW
    tab = ""
    #: op → name of the handler method; an unknown op is a 400.
    operations: dict[str, str] = {}

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["nav_active"] = "alerts"
        context["tab"] = self.tab
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = self.operations.get(request.POST.get("op", ""))
        if handler is None:
            messages.error(request, _("Unknown action."))
            return self.render_page(status=400)
        response: HttpResponse = getattr(self, handler)(request)
        return response

    def render_page(self, status: int = 200, **extra: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(**extra), status=status)

    def back_to(self, fallback: str) -> str:
        """The page named in ``next`` if it is one of ours, else ``fallback``."""
        target = self.request.POST.get("next") or ""
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return fallback


# --- alerts ---------------------------------------------------------------------------------


def _project_roles(organization_id: int, user: User) -> dict[int, str]:
    """The user's role on each project of the organisation they are on: one query."""
    return dict(project_directory.members(organization_id).filter(user=user).values_list("project_id", "role"))


class AlertListView(AlertsPage):
    template_name = "pmo/alerts/list.html"
    tab = "alerts"

    def filtered(self, filters: dict[str, Any]) -> QuerySet[Alert]:
        alerts = Alert.objects.for_organization(self.organization).select_related("project")
        status = filters["status"]
        if status == ACTIVE:
            alerts = alerts.filter(status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
        elif status != EVERY_STATUS:
            alerts = alerts.filter(status=status)
        if filters["severity"]:
            alerts = alerts.filter(severity=filters["severity"])
        if filters["rule"]:
            alerts = alerts.filter(kind=filters["rule"])
        if filters["project"] is not None:
            alerts = alerts.filter(project_id=filters["project"])
        red_first = Case(When(severity=Severity.RED, then=0), default=1, output_field=IntegerField())
        return alerts.order_by(red_first, "-last_seen_at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        projects = [
            (pk, f"{code} {name}")
            for pk, code, name in project_directory.projects(self.organization)
            .order_by("code")
            .values_list("pk", "code", "name")
        ]
        form = AlertFilterForm(self.request.GET or None, projects=projects)
        filters = form.filters()
        page = paginate(self.request, self.filtered(filters), per_page=ALERT_PAGE_SIZE)
        alerts = list(page.object_list)
        if self.can(Action.ALERTS_MANAGE):
            may_manage = {alert.pk for alert in alerts}
        else:
            roles = _project_roles(self.organization.pk, self.actor) if alerts else {}
            may_manage = {
                alert.pk
                for alert in alerts
                if alert.project_id in roles and can(self.membership, Action.ALERTS_MANAGE, roles[alert.project_id])
            }
        context.update(
            filter_form=form,
            filters=filters,
            filtered=any([filters["status"] != ACTIVE, filters["severity"], filters["rule"], filters["project"]]),
            page=page,
            rows=[
                {
                    "alert": alert,
                    "may_manage": alert.pk in may_manage,
                    "subject_url": subject_url(alert, self.organization.slug),
                }
                for alert in alerts
            ],
            may_run_variance=self.can(Action.ALERT_RULES_MANAGE),
        )
        return context


class AlertDetailView(AlertsPage):
    """One alert: what happened, its figures and its history; POST acknowledge or resolve."""

    template_name = "pmo/alerts/detail.html"
    model = Alert
    write_action = Action.ALERTS_MANAGE
    tab = "alerts"
    operations = {"acknowledge": "acknowledge", "resolve": "resolve"}

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.alert = get_object_or_404(
            Alert.objects.for_organization(self.organization).select_related(
                "project", "rule", "acknowledged_by", "resolved_by"
            ),
            pk=url_kwargs["pk"],
        )
        if self.alert.project_id is not None:
            self.project_role = (
                project_directory.members(self.organization)
                .filter(project_id=self.alert.project_id, user=cast(User, self.request.user))
                .values_list("role", flat=True)
                .first()
            )

    def detail_url(self) -> str:
        return reverse("org-alert", kwargs={"org_slug": self.organization.slug, "pk": self.alert.pk})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            alert=self.alert,
            figures=figure_rows(self.alert.figures, self.alert.kind),
            subject_url=subject_url(self.alert, self.organization.slug),
            may_manage=self.can(Action.ALERTS_MANAGE),
            rule_spec=alert_kinds.get(self.alert.kind),
        )
        return context

    def _change(self, request: HttpRequest, service: Any, done: str) -> HttpResponse:
        try:
            service(actor=self.actor, alert=self.alert)
        except ApplicationError as error:
            self.report(error)
        else:
            messages.success(request, done % {"subject": self.alert.subject_label})
        return HttpResponseRedirect(self.back_to(self.detail_url()))

    def acknowledge(self, request: HttpRequest) -> HttpResponse:
        return self._change(request, services.alert_acknowledge, _("Alert on %(subject)s acknowledged."))

    def resolve(self, request: HttpRequest) -> HttpResponse:
        return self._change(request, services.alert_resolve, _("Alert on %(subject)s resolved."))


# --- inbox ----------------------------------------------------------------------------------


class InboxView(AlertsPage):
    """The current user's notifications in this organisation, unread first, and their e-mail preference."""

    template_name = "pmo/alerts/inbox.html"
    write_action = Action.ALERTS_VIEW
    tab = "inbox"
    operations = {"open": "open", "read_all": "read_all", "email": "set_email"}

    def inbox_url(self) -> str:
        return reverse("org-alert-inbox", kwargs={"org_slug": self.organization.slug})

    def notifications(self) -> QuerySet[Notification]:
        unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
        return (
            Notification.objects.for_organization(self.organization)
            .filter(user=self.actor)
            .select_related("alert", "alert__project")
            .annotate(unread=unread)
            .order_by("-unread", "-created_at", "-id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page"] = paginate(self.request, self.notifications(), per_page=INBOX_PAGE_SIZE)
        context["email_form"] = kwargs.get("email_form") or AlertEmailForm(
            initial={"alert_email": self.actor.alert_email}
        )
        return context

    def open(self, request: HttpRequest) -> HttpResponse:
        """Mark one notification read and go to its alert."""
        raw = request.POST.get("id", "")
        alert_id = None
        if raw.isdigit():
            alert_id = (
                Notification.objects.for_organization(self.organization)
                .filter(user=self.actor, pk=int(raw))
                .values_list("alert_id", flat=True)
                .first()
            )
        if alert_id is None:
            messages.error(request, _("That notification is not in your inbox."))
            return HttpResponseRedirect(self.inbox_url())
        services.notifications_mark_read(user=self.actor, organization=self.organization, ids=[int(raw)])
        return HttpResponseRedirect(reverse("org-alert", kwargs={"org_slug": self.organization.slug, "pk": alert_id}))

    def read_all(self, request: HttpRequest) -> HttpResponse:
        count = services.notifications_mark_read(user=self.actor, organization=self.organization)
        messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
        return HttpResponseRedirect(self.inbox_url())

    def set_email(self, request: HttpRequest) -> HttpResponse:
        form = AlertEmailForm(request.POST)
        if form.is_valid():
            try:
                services.user_set_alert_email(user=self.actor, alert_email=form.cleaned_data["alert_email"])
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("Your alert e-mail preference is saved."))
                return HttpResponseRedirect(self.inbox_url())
        return self.render_page(status=400, email_form=form)


# --- rules ----------------------------------------------------------------------------------


def plain(value: Decimal | None) -> Decimal | None:
    """0.9500 → 0.95 and 100.0000 → 100, as people write thresholds."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@dataclass(frozen=True)
class RuleRow:
    rule: AlertRule
    threshold: Decimal | None
    red_threshold: Decimal | None
    explanation: Any
    unit: Any
    unit_short: Any
    direction: Any
    org_roles: list[str]
    project_roles: list[str]


def rule_row(rule: AlertRule) -> RuleRow:
    spec = alert_kinds[rule.kind]
    return RuleRow(
        rule=rule,
        threshold=plain(rule.threshold),
        red_threshold=plain(rule.red_threshold),
        explanation=spec.explanation,
        unit=UNIT_LABELS.get(spec.unit, spec.unit),
        unit_short=UNIT_SHORT.get(spec.unit, ""),
        direction=DIRECTION_LABELS.get(spec.direction, spec.direction),
        org_roles=[str(OrgRole(role).label) for role in rule.notify_org_roles if role in OrgRole.values],
        project_roles=[
            label for role in rule.notify_project_roles if (label := project_directory.role_label(role)) is not None
        ],
    )


class AlertRuleListView(AlertsPage):
    """The rules of every registered kind with what they measure; the PMO office edits them and runs the check."""

    template_name = "pmo/alerts/rules.html"
    write_action = Action.ALERT_RULES_MANAGE
    tab = "rules"
    operations = {"run_variance": "run_variance"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rules = services.alert_rules_ensure(self.organization)
        context["rules"] = [rule_row(rules[kind]) for kind in alert_kinds.values if kind in rules]
        context["may_edit"] = self.can(Action.ALERT_RULES_MANAGE)
        return context

    def run_variance(self, request: HttpRequest) -> HttpResponse:
        alert_kinds.run_now(organization_id=self.organization.pk, as_of=None, started_by=self.actor)
        messages.success(
            request,
            _("The variance check is queued: the alerts below are updated as soon as it has run."),
        )
        return HttpResponseRedirect(reverse("org-alerts", kwargs={"org_slug": self.organization.slug}))


class AlertRuleEditView(AlertsPage):
    template_name = "pmo/alerts/rule_form.html"
    model = AlertRule
    read_action = Action.ALERT_RULES_MANAGE
    write_action = Action.ALERT_RULES_MANAGE
    tab = "rules"
    operations = {"save": "save"}

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.rule = get_object_or_404(
            AlertRule.objects.for_organization(self.organization)
            .filter(kind__in=alert_kinds.values)
            .select_related("updated_by"),
            pk=url_kwargs["pk"],
        )

    def initial(self) -> dict[str, Any]:
        rule = self.rule
        return {
            "enabled": rule.enabled,
            "severity": rule.severity,
            "threshold": plain(rule.threshold),
            "red_threshold": plain(rule.red_threshold),
            "notify_org_roles": rule.notify_org_roles,
            "notify_project_roles": rule.notify_project_roles,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        spec = alert_kinds[self.rule.kind]
        context["row"] = rule_row(self.rule)
        context["form"] = kwargs.get("form") or self.with_version(
            AlertRuleForm(initial=self.initial(), unit=spec.unit), self.rule
        )
        return context

    def save(self, request: HttpRequest) -> HttpResponse:
        form = self.with_version(AlertRuleForm(request.POST, unit=alert_kinds[self.rule.kind].unit), self.rule)
        if form.is_valid():
            try:
                with self.unchanged_since_read(form, self.rule):
                    services.alert_rule_update(actor=self.actor, rule=self.rule, **form.cleaned_data)
            except ApplicationError as error:
                # The service set the refused values on the instance before refusing them.
                self.rule.refresh_from_db()
                self.report(error, form)
                if not form.non_field_errors():
                    form.add_error(None, error.message)
            else:
                messages.success(request, _("Rule “%(rule)s” saved.") % {"rule": self.rule.get_kind_display()})
                return HttpResponseRedirect(reverse("org-alert-rules", kwargs={"org_slug": self.organization.slug}))
        return self.render_page(status=400, form=form)


# --- webhooks -------------------------------------------------------------------------------


def event_labels(events: Any) -> list[str]:
    """The events' names in the order of the list people choose them from."""
    if not isinstance(events, list):
        return []
    return [str(label) for value, label in WebhookEvent.choices if value in events]


class WebhookPage(AlertsPage):
    read_action = Action.WEBHOOKS_MANAGE
    write_action = Action.WEBHOOKS_MANAGE
    tab = "webhooks"

    def list_url(self) -> str:
        return reverse("org-webhooks", kwargs={"org_slug": self.organization.slug})


class WebhookListView(WebhookPage):
    """The organisation's webhooks with their last delivery; POST creates one and shows its secret once."""

    template_name = "pmo/alerts/webhooks.html"
    operations = {"create": "create"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        last = DeliveryAttempt.objects.for_organization(self.organization).filter(webhook=OuterRef("pk"))
        last = last.order_by("-created_at", "-id")
        webhooks = Webhook.objects.for_organization(self.organization).annotate(
            last_status=Subquery(last.values("status_code")[:1]),
            last_outcome=Subquery(last.values("outcome")[:1]),
            last_error=Subquery(last.values("error")[:1]),
            last_delivery_at=Subquery(last.values("created_at")[:1]),
        )
        context["webhooks"] = [(webhook, event_labels(webhook.events)) for webhook in webhooks]
        context["form"] = kwargs.get("form") or WebhookForm()
        context["created"] = kwargs.get("created")
        return context

    def create(self, request: HttpRequest) -> HttpResponse:
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                webhook = services.webhook_create(actor=self.actor, organization=self.organization, **form.cleaned_data)
            except ApplicationError as error:
                self.report(error, form)
            else:
                # The secret is shown in this response only: the page never shows it again.
                messages.success(request, _("Webhook “%(name)s” created.") % {"name": webhook.name})
                return self.render_page(form=WebhookForm(), created=webhook)
        return self.render_page(status=400, form=form)


class WebhookDetailView(WebhookPage):
    """One webhook: edit it, switch it off or on, rotate its secret; and its delivery log."""

    template_name = "pmo/alerts/webhook_detail.html"
    model = Webhook
    operations = {"save": "save", "toggle": "toggle", "rotate": "rotate"}

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.webhook = get_object_or_404(Webhook.objects.for_organization(self.organization), pk=url_kwargs["pk"])

    def detail_url(self) -> str:
        return reverse("org-webhook", kwargs={"org_slug": self.organization.slug, "pk": self.webhook.pk})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        webhook = self.webhook
        deliveries = (
            DeliveryAttempt.objects.for_organization(self.organization)
            .filter(webhook=webhook)
            .order_by("-created_at", "-id")
        )
        context.update(
            webhook=webhook,
            events=event_labels(webhook.events),
            deliveries=paginate(self.request, deliveries, per_page=DELIVERY_PAGE_SIZE),
            form=kwargs.get("form")
            or self.with_version(
                WebhookForm(initial={"name": webhook.name, "url": webhook.url, "events": webhook.events}), webhook
            ),
            new_secret=kwargs.get("new_secret"),
        )
        return context

    def _update(self, form: Any = None, **fields: Any) -> bool:
        try:
            if form is None:
                services.webhook_update(actor=self.actor, webhook=self.webhook, **fields)
            else:
                with self.unchanged_since_read(form, self.webhook):
                    services.webhook_update(actor=self.actor, webhook=self.webhook, **fields)
        except ApplicationError as error:
            # The service set the refused values on the instance before refusing them.
            self.webhook.refresh_from_db()
            self.report(error, form)
            return False
        return True

    def save(self, request: HttpRequest) -> HttpResponse:
        form = self.with_version(WebhookForm(request.POST), self.webhook)
        if form.is_valid() and self._update(form, **form.cleaned_data):
            messages.success(request, _("Webhook “%(name)s” saved.") % {"name": self.webhook.name})
            return HttpResponseRedirect(self.detail_url())
        return self.render_page(status=400, form=form)

    def toggle(self, request: HttpRequest) -> HttpResponse:
        switch_on = not self.webhook.is_active
        if self._update(is_active=switch_on):
            if switch_on:
                messages.success(request, _("Webhook “%(name)s” switched on.") % {"name": self.webhook.name})
            else:
                messages.success(request, _("Webhook “%(name)s” switched off.") % {"name": self.webhook.name})
        return HttpResponseRedirect(self.back_to(self.detail_url()))

    def rotate(self, request: HttpRequest) -> HttpResponse:
        if not self._update(rotate_secret=True):
            return self.render_page(status=400)
        messages.success(request, _("A new secret was made; the old one no longer signs deliveries."))
        return self.render_page(new_secret=self.webhook.secret)


class WebhookDeleteView(WebhookPage):
    template_name = "pmo/alerts/webhook_delete.html"
    model = Webhook
    operations = {"delete": "remove"}

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.webhook = get_object_or_404(Webhook.objects.for_organization(self.organization), pk=url_kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["webhook"] = self.webhook
        context["delivery_count"] = (
            DeliveryAttempt.objects.for_organization(self.organization).filter(webhook=self.webhook).count()
        )
        return context

    def remove(self, request: HttpRequest) -> HttpResponse:
        name = self.webhook.name
        try:
            services.webhook_delete(actor=self.actor, webhook=self.webhook)
        except ApplicationError as error:
            self.report(error)
            return HttpResponseRedirect(self.list_url())
        messages.success(request, _("Webhook “%(name)s” deleted.") % {"name": name})
        return HttpResponseRedirect(self.list_url())

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from pmo import services
from pmo.concurrency import PRECONDITION_FAILED, row_version
from pmo.errors import ApplicationError
from pmo.filters import AuditEventFilter, MembershipFilter
from pmo.forms import (
    ApiTokenForm,
    CalendarExceptionForm,
    InviteMemberForm,
    LockoutAuthenticationForm,
    MemberRoleForm,
    OrganizationSettingsForm,
    ProfileForm,
    WorkingCalendarForm,
)
from pmo.invitations import invitation_create, pending_invitations_for
from pmo.models import (
    ApiToken,
    AuditEvent,
    CalendarException,
    Invitation,
    InvitationStatus,
    Membership,
    OrgRole,
    User,
    WorkingCalendar,
)
from pmo.pages import OrganizationPageMixin
from pmo.policy import Action, can

PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset: Any, per_page: int = PAGE_SIZE) -> Any:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user: User = form.get_user()
        translation.activate(user.language)
        remember_language(self.request, response, user.language)
        return response


def remember_language(request: HttpRequest, response: HttpResponse, language: str) -> None:
    """The language cookie, for the pages shown before signing in (``LocaleMiddleware`` reads it)."""
    response.set_cookie(
        "django_language", language, samesite="Lax", max_age=365 * 24 * 3600, secure=request.is_secure()
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send a person to their organisation, or let them choose among several."""
    memberships = list(
        Membership.objects.unscoped()
        .filter(user=request.user)
        .select_related("organization")
        .order_by("organization__name")
    )
    waiting = list(pending_invitations_for(cast(User, request.user)))
    if len(memberships) == 1 and not waiting:
        return redirect("org-home", org_slug=memberships[0].organization.slug)
    return render(request, "pmo/choose_organization.html", {"memberships": memberships, "invitations": waiting})


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in User.Language.values:
        messages.error(request, _("Unknown language."))
        return response
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    remember_language(request, response, language)
    return response


class ProfileView(LoginRequiredMixin, TemplateView):
    """The signed-in person's own display name, language and time zone (the API's ``/me/``)."""

    template_name = "pmo/profile.html"

    def profile_form(self, data: Any = None) -> ProfileForm:
        user = cast(User, self.request.user)
        zones = (
            Membership.objects.unscoped().filter(user=user).values_list("organization__time_zone", flat=True).distinct()
        )
        initial = {"display_name": user.display_name, "language": user.language, "time_zone": user.time_zone}
        return ProfileForm(data, initial=initial, organization_zones=list(zones))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or self.profile_form()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.profile_form(request.POST)
        if form.is_valid():
            try:
                user = services.user_update_profile(user=cast(User, request.user), **form.cleaned_data)
            except ApplicationError as error:
                for field, errors in (error.fields or {"": [error.message]}).items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Your profile is saved."))
                response = redirect("profile")
                remember_language(request, response, user.language)
                return response
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MemberListView(OrganizationPageMixin, TemplateView):
    template_name = "pmo/members.html"
    read_action = Action.MEMBERS_VIEW
    write_action = Action.MEMBERS_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        queryset = Membership.objects.for_organization(self.organization).select_related("user")
        filterset = MembershipFilter(self.request.GET, queryset=queryset)
        context["filter"] = filterset
        context["page"] = paginate(self.request, filterset.qs)
        context["invite_form"] = kwargs.get("invite_form") or InviteMemberForm()
        if can(self.membership, Action.MEMBERS_MANAGE):
            # Each role form carries its member's version; a stale one shows the role chosen and the current version.
            kept_pk, kept_role, kept_version = kwargs.get("role_kept") or (None, "", "")
            context["page"].object_list = members = list(context["page"].object_list)
            for member in members:
                kept = member.pk == kept_pk
                member.row_version = kept_version if kept else row_version(member)
                member.shown_role = kept_role if kept else member.role
                member.role_kept = kept
            context["invitations"] = (
                Invitation.objects.for_organization(self.organization)
                .filter(status=InvitationStatus.PENDING)
                .select_related("invited_by")
            )
        context["roles"] = OrgRole.choices
        context["nav_active"] = "settings"
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = InviteMemberForm(request.POST)
        if form.is_valid():
            try:
                invitation = invitation_create(
                    actor=cast(User, request.user),
                    organization=self.organization,
                    base_url=request.build_absolute_uri("/"),
                    **form.cleaned_data,
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(
                    request,
                    _("An invitation to join as %(role)s was sent to %(email)s.")
                    % {"email": invitation.email, "role": OrgRole(invitation.role).label},
                )
                return redirect("org-members", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(invite_form=form), status=400)


class MemberDetailView(MemberListView):
    """POST a new role for one member (admins); a stale form shows the members again, the choice kept."""

    model = Membership
    read_action = Action.MEMBERS_VIEW
    write_action = Action.MEMBERS_MANAGE

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        get_object_or_404(Membership.objects.for_organization(self.organization), pk=kwargs["pk"])
        return redirect("org-members", org_slug=self.organization.slug)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = get_object_or_404(Membership.objects.for_organization(self.organization), pk=kwargs["pk"])
        form = self.with_version(MemberRoleForm(request.POST), membership)
        if not form.is_valid():
            messages.error(request, _("Choose a valid role."))
        else:
            try:
                with self.unchanged_since_read(form, membership):
                    services.membership_change_role(
                        actor=request.user,  # type: ignore[arg-type]
                        membership=membership,
                        role=form.cleaned_data["role"],
                    )
            except ApplicationError as error:
                self.report(error)
                if error.code == PRECONDITION_FAILED:
                    kept = (membership.pk, form.cleaned_data["role"], getattr(form, "row_version", ""))
                    return self.render_to_response(self.get_context_data(role_kept=kept), status=error.status_code)
            else:
                messages.success(
                    request,
                    _("The role of %(user)s is now %(role)s.")
                    % {"user": membership.user, "role": OrgRole(form.cleaned_data["role"]).label},
                )
        return redirect("org-members", org_slug=self.organization.slug)


class MemberRemoveView(OrganizationPageMixin, TemplateView):
    model = Membership
    template_name = "pmo/member_remove.html"
    read_action = Action.MEMBERS_MANAGE
    write_action = Action.MEMBERS_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["member"] = get_object_or_404(
            Membership.objects.for_organization(self.organization).select_related("user"), pk=kwargs["pk"]
        )
        context["nav_active"] = "settings"
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = get_object_or_404(
            Membership.objects.for_organization(self.organization).select_related("user"), pk=kwargs["pk"]
        )
        try:
            services.membership_remove(actor=request.user, membership=membership)  # type: ignore[arg-type]
        except ApplicationError as error:
            self.report(error)
        else:
            messages.success(request, _("%(user)s was removed from the organisation.") % {"user": membership.user})
        return redirect("org-members", org_slug=self.organization.slug)


class OrganizationSettingsView(OrganizationPageMixin, TemplateView):
    template_name = "pmo/organization_settings.html"
    write_action = Action.ORG_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or self.with_version(
            OrganizationSettingsForm(instance=self.organization), self.organization
        )
        context["nav_active"] = "settings"
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.with_version(OrganizationSettingsForm(request.POST), self.organization)
        if form.is_valid():
            try:
                with self.unchanged_since_read(form, self.organization):
                    services.organization_update(
                        actor=request.user,  # type: ignore[arg-type]
                        organization=self.organization,
                        # A date left empty keeps the window as it is.
                        **{name: value for name, value in form.cleaned_data.items() if value is not None},
                    )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("Organisation settings saved."))
                return redirect("org-settings", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AuditLogView(OrganizationPageMixin, TemplateView):
    template_name = "pmo/audit_log.html"
    read_action = Action.AUDIT_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        queryset = AuditEvent.objects.for_organization(self.organization).select_related("actor")
        filterset = AuditEventFilter(self.request.GET, queryset=queryset)
        context["filter"] = filterset
        context["page"] = paginate(self.request, filterset.qs if filterset.is_valid() else queryset.none())
        context["nav_active"] = "settings"
        return context


class ApiTokenListView(LoginRequiredMixin, TemplateView):
    template_name = "pmo/api_tokens.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tokens"] = ApiToken.objects.filter(user=cast(User, self.request.user))
        context["form"] = kwargs.get("form") or ApiTokenForm()
        context["new_token"] = kwargs.get("new_token")
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                _token, raw = services.api_token_create(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                # Shown once, in this response only; never stored in plain text.
                return self.render_to_response(self.get_context_data(new_token=raw, form=ApiTokenForm()))
        return self.render_to_response(self.get_context_data(form=form), status=400)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(user=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, _("Token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api-tokens")


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """The database, the broker (outside eager mode) and the cache answer; how many queued tasks wait.

    503 with the failing check when one is down. The pages and the API keep working without Redis
    (README, "When Redis is down"); this tells the operator that tasks wait for the broker.
    """
    from django.conf import settings

    checks: dict[str, str] = {}
    waiting: int | None = None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001  (any failure means not ready; the reason is reported)
        checks["database"] = f"error: {error.__class__.__name__}"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = "eager"
    else:
        checks["broker"] = _broker_status(settings.CELERY_BROKER_URL)
    checks["cache"] = _cache_status()
    if checks["database"] == "ok":
        from pmo.queueing import waiting_count

        waiting = waiting_count()
    ready = all(value in {"ok", "eager", "local"} for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks, "waiting_tasks": waiting},
        status=200 if ready else 503,
    )


def _broker_status(url: str) -> str:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except redis.RedisError as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def _cache_status() -> str:
    """ "ok" when the Redis cache answers (asked directly, whatever the breaker says); "local" for a process's own."""
    import redis
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return "local"
    try:
        cache._cache.get_client(write=True).ping()  # type: ignore[attr-defined]
    except redis.RedisError as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


class CalendarListView(OrganizationPageMixin, TemplateView):
    template_name = "pmo/calendars.html"
    write_action = Action.CALENDARS_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["calendars"] = WorkingCalendar.objects.for_organization(self.organization).annotate(
            exception_count=Count("exceptions")
        )
        context["form"] = kwargs.get("form") or WorkingCalendarForm()
        context["nav_active"] = "settings"
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = WorkingCalendarForm(request.POST)
        if form.is_valid():
            try:
                calendar = services.calendar_create(
                    actor=cast(User, request.user), organization=self.organization, **form.cleaned_data
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("Calendar “%(name)s” created.") % {"name": calendar.name})
                return redirect("org-calendar", org_slug=self.organization.slug, pk=calendar.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CalendarDetailView(OrganizationPageMixin, TemplateView):
    template_name = "pmo/calendar_detail.html"
    write_action = Action.CALENDARS_MANAGE
    model = WorkingCalendar

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.calendar = get_object_or_404(
            WorkingCalendar.objects.for_organization(self.organization), pk=url_kwargs["pk"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        exceptions = CalendarException.objects.for_organization(self.organization).filter(calendar=self.calendar)
        year = self.request.GET.get("year", "")
        if year.isdigit():
            exceptions = exceptions.filter(date__year=int(year))
        context.update(
            calendar=self.calendar,
            page=paginate(self.request, exceptions.order_by("date"), per_page=50),
            years=exceptions.model.objects.for_organization(self.organization)
            .filter(calendar=self.calendar)
            .dates("date", "year"),
            year=year,
            form=kwargs.get("form")
            or self.with_version(
                WorkingCalendarForm(
                    initial={
                        "name": self.calendar.name,
                        "working_weekdays": self.calendar.working_weekdays,
                        "is_default": self.calendar.is_default,
                    }
                ),
                self.calendar,
            ),
            exception_form=kwargs.get("exception_form") or CalendarExceptionForm(),
            nav_active="settings",
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = cast(User, request.user)
        if "date" in request.POST:
            exception_form = CalendarExceptionForm(request.POST)
            if exception_form.is_valid():
                try:
                    services.calendar_exception_add(actor=actor, calendar=self.calendar, **exception_form.cleaned_data)
                except ApplicationError as error:
                    self.report(error, exception_form)
                else:
                    messages.success(request, _("Exception added; projects on this calendar are rescheduled."))
                    return redirect(request.get_full_path())
            return self.render_to_response(self.get_context_data(exception_form=exception_form), status=400)
        form = self.with_version(WorkingCalendarForm(request.POST), self.calendar)
        if form.is_valid():
            try:
                with self.unchanged_since_read(form, self.calendar):
                    services.calendar_update(actor=actor, calendar=self.calendar, **form.cleaned_data)
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("Calendar saved; projects on it are rescheduled."))
                return redirect(request.get_full_path())
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CalendarExceptionRemoveView(OrganizationPageMixin, View):
    read_action = Action.CALENDARS_MANAGE
    write_action = Action.CALENDARS_MANAGE
    model = CalendarException

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return redirect("org-calendar", org_slug=self.organization.slug, pk=kwargs["workingcalendar_id"])

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exception = get_object_or_404(
            CalendarException.objects.for_organization(self.organization).select_related("calendar"),
            pk=kwargs["pk"],
            calendar_id=kwargs["workingcalendar_id"],
        )
        services.calendar_exception_remove(actor=cast(User, request.user), exception=exception)
        messages.success(request, _("Exception removed; projects on this calendar are rescheduled."))
        return redirect("org-calendar", org_slug=self.organization.slug, pk=exception.calendar_id)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the API docs); send them ours."""
    return HttpResponseRedirect(static("pmo/img/favicon.svg"))

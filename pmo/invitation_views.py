"""Invitation pages: the administrator's withdraw and resend buttons on the members page, the
invited person's answer on their home page, and the page the e-mailed link opens."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import BaseUserCreationForm, UsernameField
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from pmo import invitations
from pmo.errors import ApplicationError
from pmo.models import Invitation, Membership, OrgRole, User
from pmo.pages import OrganizationPageMixin
from pmo.policy import Action


class InvitationSignupForm(BaseUserCreationForm):
    """Username, name and password of someone new joining through an invitation link."""

    display_name = forms.CharField(label=gettext_lazy("Full name"), max_length=150, required=False)

    class Meta:
        model = User
        fields = ("username", "display_name")
        field_classes = {"username": UsernameField}


class InvitationAdminActionView(OrganizationPageMixin, View):
    """POST: withdraw or resend one of the organisation's pending invitations (admins)."""

    model = Invitation
    read_action = Action.MEMBERS_MANAGE
    write_action = Action.MEMBERS_MANAGE
    operation = ""

    def invitation(self) -> Invitation:
        return get_object_or_404(Invitation.objects.for_organization(self.organization), pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.invitation()
        return redirect("org-members", org_slug=self.organization.slug)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        invitation = self.invitation()
        actor = cast(User, request.user)
        try:
            if self.operation == "revoke":
                invitations.invitation_revoke(actor=actor, invitation=invitation)
                messages.success(request, _("The invitation of %(email)s was withdrawn.") % {"email": invitation.email})
            else:
                invitations.invitation_resend(
                    actor=actor, invitation=invitation, base_url=request.build_absolute_uri("/")
                )
                messages.success(
                    request, _("The invitation was sent again to %(email)s.") % {"email": invitation.email}
                )
        except ApplicationError as error:
            self.report(error)
        return redirect("org-members", org_slug=self.organization.slug)


class InvitationRespondView(LoginRequiredMixin, View):
    """POST from the home page: the signed-in person accepts or declines an invitation to their address."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = cast(User, request.user)
        invitation = get_object_or_404(invitations.pending_invitations_for(user), pk=pk)
        return _answer(request, invitation, user, request.POST.get("answer", ""))


def _answer(request: HttpRequest, invitation: Invitation, user: User | None, answer: str) -> HttpResponse:
    try:
        if answer == "accept" and user is not None:
            membership = invitations.invitation_accept(invitation=invitation, user=user)
        elif answer == "decline":
            invitations.invitation_decline(invitation=invitation, user=user)
            messages.info(
                request,
                _("You declined the invitation to %(organization)s.") % {"organization": invitation.organization.name},
            )
            return redirect("home" if user is not None else "login")
        else:
            messages.error(request, _("Choose to accept or decline the invitation."))
            return redirect("home")
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("home")
    return _joined(request, membership)


def _joined(request: HttpRequest, membership: Membership) -> HttpResponse:
    messages.success(
        request,
        _("Welcome to %(organization)s. You joined as %(role)s.")
        % {"organization": membership.organization.name, "role": OrgRole(membership.role).label},
    )
    return redirect("org-home", org_slug=membership.organization.slug)


class InvitationLinkView(View):
    """The page the e-mailed link opens: accept or decline, signed in, or sign up to accept."""

    template_name = "pmo/invitation.html"

    def render(self, request: HttpRequest, invitation: Invitation | None, **context: Any) -> HttpResponse:
        is_open = invitation is not None and invitation.is_open()
        context = {
            "invitation": invitation if is_open else None,
            "role_label": OrgRole(invitation.role).label if invitation is not None else "",
            "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
            **context,
        }
        if is_open and not request.user.is_authenticated:
            context.setdefault("signup_form", InvitationSignupForm())
        return render(request, self.template_name, context, status=200 if is_open else 404)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self.render(request, invitations.invitation_from_token(token))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = invitations.invitation_from_token(token)
        if invitation is None or not invitation.is_open():
            return self.render(request, None)
        answer = request.POST.get("answer", "")
        if request.user.is_authenticated:
            return _answer(request, invitation, request.user, answer)
        if answer == "decline":
            return _answer(request, invitation, None, answer)
        form = InvitationSignupForm(request.POST)
        if not form.is_valid():
            return self.render(request, invitation, signup_form=form)
        try:
            membership = invitations.invitation_signup(
                invitation=invitation,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
            )
        except ApplicationError as error:
            form.add_error("username" if "username" in error.fields else None, error.message)
            return self.render(request, invitation, signup_form=form)
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        return _joined(request, membership)

"""Joining an organisation is an invitation the person accepts; an administrator learns nothing
about accounts of the installation from sending one."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from pmo.models import AuditEvent, Invitation, InvitationStatus, Membership, Organization, OrgRole, User
from tests.conftest import api_client_for, page_client_for, require_service
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LINK = re.compile(r"https?://[^/\s]+(/invitations/[^/\s]+/)")


@pytest.fixture
def outsider(other_organization: Organization) -> User:
    """Someone with an account, in another organisation of the same installation."""
    return member(
        other_organization, OrgRole.VIEWER, username="olga", display_name="Olga Secret", email="olga@rival.test"
    ).user


def invite(
    api: APIClient, email: str, role: str = "member", url: str = "/api/v1/orgs/acme/invitations/"
) -> dict[str, Any]:
    response = api.post(url, {"email": email, "role": role}, format="json")
    assert response.status_code in {201, 202}, response.content
    return cast(dict[str, Any], response.json())


def link_in_last_mail() -> str:
    match = LINK.search(str(mail.outbox[-1].body))
    assert match is not None, mail.outbox[-1].body
    return match.group(1)


# --- what the administrator sees --------------------------------------------------------


def test_adding_an_existing_user_by_email_does_not_make_them_a_member(
    api: APIClient, organization: Organization, outsider: User
) -> None:
    response = api.post("/api/v1/orgs/acme/members/", {"email": "olga@rival.test", "role": "member"}, format="json")
    assert response.status_code == 202
    assert not Membership.objects.for_organization(organization).filter(user=outsider).exists()
    assert response.json()["status"] == "pending"


def test_the_answer_to_an_invitation_reveals_nothing_about_accounts(
    api: APIClient, organization: Organization, outsider: User
) -> None:
    for url in ["/api/v1/orgs/acme/members/", "/api/v1/orgs/acme/invitations/"]:
        Invitation.objects.for_organization(organization).delete()
        existing = api.post(url, {"email": "olga@rival.test", "role": "member"}, format="json")
        Invitation.objects.for_organization(organization).delete()
        unknown = api.post(url, {"email": "nobody@nowhere.test", "role": "member"}, format="json")
        assert existing.status_code == unknown.status_code
        assert set(existing.json()) == set(unknown.json())
        body = existing.content.decode()
        assert "olga" not in body.replace("olga@rival.test", "")
        assert "Olga Secret" not in body
    assert not User.objects.filter(email="nobody@nowhere.test").exists()


def test_the_members_page_invites_and_says_the_same_whoever_is_invited(
    admin_member: Membership, organization: Organization, outsider: User
) -> None:
    client = page_client_for(admin_member.user)
    texts = []
    for email in ["olga@rival.test", "nobody@nowhere.test"]:
        response = client.post("/o/acme/members/", {"email": email, "role": "pmo"}, follow=True)
        assert response.status_code == 200
        texts.append(str(next(iter(response.context["messages"]))).replace(email, "<email>"))
    assert texts[0] == texts[1]
    assert not Membership.objects.for_organization(organization).filter(user=outsider).exists()
    page = client.get("/o/acme/members/").content.decode()
    assert "nobody@nowhere.test" in page
    assert "Olga Secret" not in page


def test_an_administrator_lists_resends_and_withdraws_invitations(api: APIClient, organization: Organization) -> None:
    created = invite(api, "pat@example.test", "finance")
    listed = api.get("/api/v1/orgs/acme/invitations/?status=pending").json()
    assert [row["email"] for row in listed["results"]] == ["pat@example.test"]

    resent = api.post(f"/api/v1/orgs/acme/invitations/{created['id']}/resend/")
    assert resent.status_code == 200
    assert resent.json()["expires_at"] >= created["expires_at"]

    assert api.delete(f"/api/v1/orgs/acme/invitations/{created['id']}/").status_code == 204
    invitation = Invitation.objects.for_organization(organization).get(pk=created["id"])
    assert invitation.status == InvitationStatus.REVOKED
    actions = set(AuditEvent.objects.for_organization(organization).values_list("action", flat=True))
    assert {"invitation.created", "invitation.resent", "invitation.revoked"} <= actions


def test_an_address_with_an_invitation_waiting_is_not_invited_twice(api: APIClient) -> None:
    invite(api, "pat@example.test")
    response = api.post(
        "/api/v1/orgs/acme/invitations/", {"email": "PAT@example.test", "role": "viewer"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "already_invited"


@pytest.mark.parametrize("role", [OrgRole.PMO, OrgRole.VIEWER])
def test_only_administrators_see_and_send_invitations(role: str, organization: Organization) -> None:
    client = api_client_for(member(organization, role).user)
    assert client.get("/api/v1/orgs/acme/invitations/").status_code == 403
    response = client.post(
        "/api/v1/orgs/acme/invitations/", {"email": "x@example.test", "role": "member"}, format="json"
    )
    assert response.status_code == 403


# --- what the invited person does -----------------------------------------------------------


def test_an_existing_user_sees_the_invitation_in_the_app_and_accepts_it(
    api: APIClient, organization: Organization, outsider: User
) -> None:
    invite(api, "Olga@Rival.test", "quality")
    olga = api_client_for(outsider)
    waiting = olga.get("/api/v1/me/invitations/").json()["results"]
    assert [(row["organization"]["slug"], row["role"]) for row in waiting] == [("acme", "quality")]

    response = olga.post(f"/api/v1/me/invitations/{waiting[0]['id']}/accept/")
    assert response.status_code == 201
    assert Membership.objects.for_organization(organization).get(user=outsider).role == OrgRole.QUALITY
    assert olga.get("/api/v1/me/invitations/").json()["results"] == []
    assert (
        AuditEvent.objects.for_organization(organization).filter(action="invitation.accepted", actor=outsider).exists()
    )


def test_an_invitation_is_answered_once(api: APIClient, outsider: User) -> None:
    created = invite(api, "olga@rival.test")
    olga = api_client_for(outsider)
    assert olga.post(f"/api/v1/me/invitations/{created['id']}/decline/").status_code == 204
    assert olga.post(f"/api/v1/me/invitations/{created['id']}/accept/").status_code == 404


def test_nobody_else_sees_or_answers_an_invitation(api: APIClient, organization: Organization) -> None:
    created = invite(api, "pat@example.test")
    stranger = api_client_for(User.objects.create_user(username="stranger", email="someone@else.test"))
    assert stranger.get("/api/v1/me/invitations/").json()["results"] == []
    assert stranger.post(f"/api/v1/me/invitations/{created['id']}/accept/").status_code == 404
    assert Membership.objects.for_organization(organization).count() == 1


def test_the_home_page_shows_the_invitation_and_accepting_it_joins(
    api: APIClient, organization: Organization, outsider: User
) -> None:
    created = invite(api, "olga@rival.test", "pmo")
    client = page_client_for(outsider)
    home = client.get("/")
    assert home.status_code == 200  # not redirected to the one organisation: the invitation waits here
    assert "Acme Build" in home.content.decode()
    response = client.post(f"/invitations/{created['id']}/answer/", {"answer": "accept"})
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/"
    assert Membership.objects.for_organization(organization).get(user=outsider).role == OrgRole.PMO


def test_declining_on_the_home_page_leaves_no_membership(
    api: APIClient, organization: Organization, outsider: User
) -> None:
    created = invite(api, "olga@rival.test")
    page_client_for(outsider).post(f"/invitations/{created['id']}/answer/", {"answer": "decline"})
    assert Invitation.objects.for_organization(organization).get().status == InvitationStatus.DECLINED
    assert not Membership.objects.for_organization(organization).filter(user=outsider).exists()


def test_someone_new_signs_up_through_the_emailed_link_and_joins(
    api: APIClient,
    organization: Organization,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(api, "new.person@example.test", "finance")
    assert mail.outbox[-1].to == ["new.person@example.test"]
    link = link_in_last_mail()

    client = Client()
    assert client.get(link).status_code == 200
    response = client.post(
        link,
        {
            "answer": "signup",
            "username": "newperson",
            "display_name": "New Person",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newperson")
    assert user.email == "new.person@example.test"
    assert Membership.objects.for_organization(organization).get(user=user).role == OrgRole.FINANCE
    assert client.session["_auth_user_id"] == str(user.pk)
    # The link worked once.
    assert Client().get(link).status_code == 404


def test_the_link_cannot_create_a_second_account_for_an_address(
    api: APIClient,
    outsider: User,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(api, "olga@rival.test")
    response = Client().post(
        link_in_last_mail(),
        {"answer": "signup", "username": "olga2", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="olga2").exists()


def test_a_signed_in_person_accepts_through_the_link(
    api: APIClient,
    organization: Organization,
    outsider: User,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(api, "olga@rival.test")
    response = page_client_for(outsider).post(link_in_last_mail(), {"answer": "accept"})
    assert response.status_code == 302
    assert Membership.objects.for_organization(organization).filter(user=outsider).exists()


def test_a_resent_invitation_replaces_the_link_and_a_withdrawn_one_has_none(
    api: APIClient,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        created = invite(api, "pat@example.test")
    first = link_in_last_mail()
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"/api/v1/orgs/acme/invitations/{created['id']}/resend/")
    second = link_in_last_mail()
    assert first != second
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    api.delete(f"/api/v1/orgs/acme/invitations/{created['id']}/")
    assert Client().get(second).status_code == 404


def test_an_expired_or_forged_link_does_not_work(
    api: APIClient,
    organization: Organization,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(api, "pat@example.test")
    link = link_in_last_mail()
    assert Client().get(link[:-3] + "xx/").status_code == 404
    Invitation.objects.for_organization(organization).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert Client().get(link).status_code == 404
    response = Client().post(
        link, {"answer": "signup", "username": "pat", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 404
    assert not User.objects.filter(username="pat").exists()


def test_the_email_is_the_same_for_an_account_and_for_someone_new(
    api: APIClient,
    outsider: User,
    django_capture_on_commit_callbacks,
) -> None:
    outsider.language = settings.LANGUAGE_CODE
    outsider.save()
    bodies = []
    for email in ["olga@rival.test", "nobody@nowhere.test"]:
        with django_capture_on_commit_callbacks(execute=True):
            invite(api, email)
        bodies.append(LINK.sub("<link>", str(mail.outbox[-1].body)))
    assert bodies[0] == bodies[1]
    assert "Acme Build" in bodies[0]
    assert "olga" not in bodies[0]


def test_the_first_administrator_of_a_new_organisation_is_set_directly() -> None:
    from django.core.management import call_command

    UserFactory(username="boss")
    call_command("create_organization", name="Harbour Works", slug="harbour", admin="boss")
    harbour = Organization.objects.get(slug="harbour")
    assert Membership.objects.for_organization(harbour).get().role == OrgRole.ADMIN
    assert not Invitation.objects.for_organization(harbour).exists()


def test_another_organisations_admin_cannot_withdraw_an_invitation(api: APIClient, organization: Organization) -> None:
    created = invite(api, "pat@example.test")
    third = Organization.objects.create(name="Third", slug="third")
    rival_admin = member(third, OrgRole.ADMIN).user
    response = api_client_for(rival_admin).delete(f"/api/v1/orgs/acme/invitations/{created['id']}/")
    assert response.status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_invitations_of_one_address_give_one_invitation_and_no_server_error(
    organization: Organization,
) -> None:
    from django.db import connection

    from tests.projects.test_concurrent_writes import fire

    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "the row locks are PostgreSQL's; SQLite locks the whole file")
    admin = member(organization, OrgRole.ADMIN).user
    body = {"email": "race@example.test", "role": "member"}
    statuses = fire([(admin, lambda client: client.post("/api/v1/orgs/acme/invitations/", body, format="json"))] * 8)
    assert statuses == {201: 1, 400: 7}
    assert Invitation.objects.for_organization(organization).filter(email="race@example.test").count() == 1


def test_the_members_page_withdraws_and_resends_an_invitation(
    admin_member: Membership, organization: Organization
) -> None:
    client = page_client_for(admin_member.user)
    client.post("/o/acme/members/", {"email": "pat@example.test", "role": "member"})
    invitation = Invitation.objects.for_organization(organization).get()
    before = invitation.key
    assert client.post(f"/o/acme/members/invitations/{invitation.pk}/resend/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.key != before
    assert client.post(f"/o/acme/members/invitations/{invitation.pk}/revoke/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert list(client.get("/o/acme/members/").context["invitations"]) == []


def test_only_administrators_see_the_pending_invitations_on_the_members_page(
    api: APIClient, organization: Organization
) -> None:
    invite(api, "pat@example.test")
    viewer = member(organization, OrgRole.VIEWER).user
    page = page_client_for(viewer).get("/o/acme/members/")
    assert page.status_code == 200
    assert "pat@example.test" not in page.content.decode()
    assert page_client_for(viewer).post("/o/acme/members/invitations/1/revoke/").status_code == 403

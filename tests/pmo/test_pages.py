from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from pmo.models import ApiToken, AuditEvent, Invitation, Membership, Organization, OrgRole, User
from tests.conftest import page_client_for
from tests.factories import OrganizationFactory, UserFactory, member

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def sign_in(client: Client, username: str, password: str = PASSWORD) -> int:
    return client.post("/accounts/login/", {"username": username, "password": password}).status_code


def test_signing_in_takes_a_single_organisation_member_to_its_home(admin_member: Membership) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/o/acme/"
    assert "Acme Build" in response.content.decode()


def test_signing_in_sets_the_users_language(admin_user: User) -> None:
    User.objects.filter(pk=admin_user.pk).update(language="zh-hans")
    client = Client()
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert response.cookies["django_language"].value == "zh-hans"


def test_a_member_of_several_organisations_chooses_one(admin_member: Membership) -> None:
    member(OrganizationFactory(name="Second Co", slug="second"), OrgRole.VIEWER, username="ada")
    response = page_client_for(admin_member.user).get("/")
    assert response.status_code == 200
    assert {"Acme Build", "Second Co"} <= set(re.findall(r"<strong>([^<]+)</strong>", response.content.decode()))


def test_someone_without_an_organisation_sees_an_explanation() -> None:
    response = page_client_for(UserFactory()).get("/")
    assert response.status_code == 200
    assert "empty-state" in response.content.decode()


def test_repeated_failed_sign_ins_lock_the_account_for_a_while(admin_member: Membership) -> None:
    client = Client()
    for _ in range(5):
        assert sign_in(client, "ada", "wrong-password") == 200
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors.as_data()["__all__"][0].code == "locked"


def test_a_successful_sign_in_before_the_limit_resets_the_count(admin_member: Membership) -> None:
    client = Client()
    for _ in range(4):
        sign_in(client, "ada", "wrong-password")
    assert sign_in(client, "ada") == 302
    for _ in range(4):
        sign_in(Client(), "ada", "wrong-password")
    assert sign_in(Client(), "ada") == 302


def test_signing_out_needs_a_post_and_ends_the_session(admin_member: Membership) -> None:
    client = page_client_for(admin_member.user)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/o/acme/").status_code == 302


def test_password_reset_sends_a_working_link(admin_user: User) -> None:
    client = Client()
    client.post("/accounts/password/reset/", {"email": admin_user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"})
    assert done.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.check_password("a-new-long-passphrase")


def test_passwords_are_hashed_with_argon2_outside_tests(settings) -> None:  # type: ignore[no-untyped-def]
    from pmo.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_weak_new_password_is_refused_with_the_reason_beside_the_field(admin_user: User) -> None:
    client = page_client_for(admin_user)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert 'class="field-error"' in response.content.decode()


def test_switching_language_changes_the_page_and_is_remembered(admin_user: User) -> None:
    client = page_client_for(admin_user)
    client.post("/i18n/language/", {"language": "en", "next": "/o/acme/"})
    english = client.get("/o/acme/").content.decode()
    client.post("/i18n/language/", {"language": "zh-hans", "next": "/o/acme/"})
    chinese = client.get("/o/acme/").content.decode()
    assert '<html lang="en"' in english
    assert '<html lang="zh-hans"' in chinese
    assert ">Projects<" in english
    assert ">Projects<" not in chinese
    admin_user.refresh_from_db()
    assert admin_user.language == "zh-hans"


def test_the_language_switch_refuses_to_redirect_to_another_site(admin_user: User) -> None:
    response = page_client_for(admin_user).post("/i18n/language/", {"language": "en", "next": "https://evil.test/"})
    assert response["Location"] == "/"


def test_the_organisation_home_shows_the_navigation_and_recent_changes(admin_member: Membership) -> None:
    with translation.override("en"):
        html = page_client_for(admin_member.user).get("/o/acme/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for label in ["Dashboard", "Projects", "Resources", "Risks", "Quality", "Finance", "Maintenance", "Alerts"]:
        assert f">{label}<" in html


def test_an_admin_invites_a_member_on_the_page(admin_member: Membership, organization: Organization) -> None:
    # Issue 10 item 8: the page sends an invitation the person accepts (was: a membership at once).
    client = page_client_for(admin_member.user)
    response = client.post("/o/acme/members/", {"email": "pat@example.test", "display_name": "Pat", "role": "pmo"})
    assert response.status_code == 302
    invited = Invitation.objects.for_organization(organization).get(email="pat@example.test")
    assert invited.role == OrgRole.PMO
    assert not Membership.objects.for_organization(organization).filter(user__email="pat@example.test").exists()


def test_a_bad_invitation_shows_errors_beside_the_fields_and_saves_nothing(admin_member: Membership) -> None:
    client = page_client_for(admin_member.user)
    response = client.post("/o/acme/members/", {"email": "not-an-email", "role": "pmo"})
    assert response.status_code == 400
    assert "email" in response.context["invite_form"].errors
    assert not User.objects.filter(email="not-an-email").exists()


def test_an_admin_changes_a_role_and_cannot_demote_the_last_admin(
    admin_member: Membership,
    make_member,
    organization: Organization,  # type: ignore[no-untyped-def]
) -> None:
    client = page_client_for(admin_member.user)
    target = make_member(OrgRole.MEMBER)
    client.post(f"/o/acme/members/{target.pk}/", {"role": "finance"})
    target.refresh_from_db()
    assert target.role == OrgRole.FINANCE
    response = client.post(f"/o/acme/members/{admin_member.pk}/", {"role": "viewer"}, follow=True)
    admin_member.refresh_from_db()
    assert admin_member.role == OrgRole.ADMIN
    assert "message-error" in response.content.decode()


def test_an_admin_removes_a_member_after_confirming(admin_member: Membership, make_member) -> None:  # type: ignore[no-untyped-def]
    client = page_client_for(admin_member.user)
    target = make_member(OrgRole.MEMBER)
    assert client.get(f"/o/acme/members/{target.pk}/remove/").status_code == 200
    client.post(f"/o/acme/members/{target.pk}/remove/")
    assert not Membership.objects.for_organization(admin_member.organization).filter(pk=target.pk).exists()


def test_members_without_the_right_see_the_list_but_no_controls(make_member) -> None:  # type: ignore[no-untyped-def]
    viewer = make_member(OrgRole.VIEWER)
    html = page_client_for(viewer.user).get("/o/acme/members/").content.decode()
    assert '<select name="role" id="role-' not in html
    assert page_client_for(viewer.user).get("/o/acme/audit/").status_code == 403


def test_the_audit_log_page_filters_and_paginates(admin_member: Membership, organization: Organization) -> None:
    for index in range(30):
        AuditEvent.objects.create(
            organization=organization, action=f"test.event{index % 2}", target_type="x", target_id=str(index)
        )
    client = page_client_for(admin_member.user)
    page = client.get("/o/acme/audit/")
    assert len(page.context["page"].object_list) == 25
    filtered = client.get("/o/acme/audit/?action=test.event1")
    assert filtered.context["page"].paginator.count == 15
    invalid = client.get("/o/acme/audit/?date_from=garbage")
    assert invalid.status_code == 200
    assert invalid.context["page"].paginator.count == 0


def test_a_new_token_is_shown_once_on_the_tokens_page(admin_user: User) -> None:
    client = page_client_for(admin_user)
    created = client.post("/accounts/tokens/", {"name": "Reporting"})
    raw = created.context["new_token"]
    assert raw.startswith("pmo_")
    assert raw in created.content.decode()
    listing = client.get("/accounts/tokens/").content.decode()
    assert raw not in listing
    assert "Reporting" in listing


def test_a_token_is_revoked_from_its_page(admin_user: User) -> None:
    client = page_client_for(admin_user)
    client.post("/accounts/tokens/", {"name": "Temp"})
    token = ApiToken.objects.get(user=admin_user)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_token_without_a_name_is_refused_beside_the_field(admin_user: User) -> None:
    response = page_client_for(admin_user).post("/accounts/tokens/", {"name": ""})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert not ApiToken.objects.filter(user=admin_user).exists()


def test_organisation_settings_are_saved_by_an_admin_and_read_only_to_others(
    admin_member: Membership,
    make_member,
    organization: Organization,  # type: ignore[no-untyped-def]
) -> None:
    client = page_client_for(admin_member.user)
    response = client.post("/o/acme/settings/", {"name": "Acme 2", "default_currency": "usd", "time_zone": "UTC"})
    assert response.status_code == 400
    assert "default_currency" in response.context["form"].errors
    client.post("/o/acme/settings/", {"name": "Acme 2", "default_currency": "USD", "time_zone": "UTC"})
    organization.refresh_from_db()
    assert (organization.name, organization.default_currency) == ("Acme 2", "USD")
    viewer = page_client_for(make_member(OrgRole.VIEWER).user)
    assert viewer.get("/o/acme/settings/").status_code == 200
    assert (
        viewer.post("/o/acme/settings/", {"name": "X", "default_currency": "EUR", "time_zone": "UTC"}).status_code
        == 403
    )


def test_the_maintenance_home_of_an_organisation_without_assets_says_how_to_start(admin_user: User) -> None:
    response = page_client_for(admin_user).get("/o/acme/maintenance/")
    assert response.status_code == 200
    assert 'id="om-empty"' in response.content.decode()

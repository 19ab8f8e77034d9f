from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from pmo.api.throttling import PerTokenRateThrottle
from pmo.authentication import hash_secret
from pmo.models import ApiToken, AuditEvent, Membership, Organization, OrgRole, User
from tests.conftest import api_client_for
from tests.factories import member

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_me_lists_the_users_memberships(api: APIClient, admin_user: User, other_organization: Organization) -> None:
    member(other_organization, OrgRole.VIEWER, username=admin_user.username)
    body = api.get("/api/v1/me/").json()
    assert body["username"] == "ada"
    assert sorted((m["organization"]["slug"], m["role"]) for m in body["memberships"]) == [
        ("acme", "admin"),
        ("rival", "viewer"),
    ]


def test_me_changes_the_language_and_refuses_an_unknown_one(api: APIClient, admin_user: User) -> None:
    assert api.patch("/api/v1/me/", {"language": "zh-hans"}).status_code == 200
    admin_user.refresh_from_db()
    assert admin_user.language == "zh-hans"
    response = api.patch("/api/v1/me/", {"language": "fr"})
    assert response.status_code == 400
    assert "language" in response.json()["error"]["fields"]


def test_organisation_detail_shows_my_role_and_permissions(api: APIClient) -> None:
    body = api.get("/api/v1/orgs/acme/").json()
    assert body["slug"] == "acme"
    assert body["my_role"] == "admin"
    assert "members.manage" in body["my_permissions"]


def test_an_admin_changes_the_organisation_and_the_change_is_audited(
    api: APIClient, organization: Organization
) -> None:
    response = api.patch("/api/v1/orgs/acme/", {"name": "Acme Construction", "time_zone": "Europe/London"})
    assert response.status_code == 200, response.json()
    organization.refresh_from_db()
    assert (organization.name, organization.time_zone) == ("Acme Construction", "Europe/London")
    event = AuditEvent.objects.for_organization(organization).get(action="organization.updated")
    assert event.changes == {
        "name": ["Acme Build", "Acme Construction"],
        "time_zone": ["Asia/Shanghai", "Europe/London"],
    }


def test_a_bad_time_zone_is_refused_and_nothing_changes(api: APIClient, organization: Organization) -> None:
    response = api.patch("/api/v1/orgs/acme/", {"name": "New name", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert "time_zone" in response.json()["error"]["fields"]
    organization.refresh_from_db()
    assert organization.name == "Acme Build"
    assert not AuditEvent.objects.for_organization(organization).filter(action="organization.updated").exists()


def test_a_non_admin_cannot_change_the_organisation(make_member, organization: Organization) -> None:  # type: ignore[no-untyped-def]
    client = api_client_for(make_member(OrgRole.PMO).user)
    response = client.patch("/api/v1/orgs/acme/", {"name": "Hijacked"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_inviting_a_new_person_sends_an_invitation_and_creates_no_account_yet(
    api: APIClient, organization: Organization
) -> None:
    # Issue 10 item 8: adding a member is an invitation the person accepts (was: 201 and an account at once).
    response = api.post("/api/v1/orgs/acme/members/", {"email": "New.Person@Example.test", "role": "finance"})
    assert response.status_code == 202, response.json()
    assert response.json()["role"] == "finance"
    assert response.json()["email"] == "new.person@example.test"
    assert not User.objects.filter(email="new.person@example.test").exists()
    event = AuditEvent.objects.for_organization(organization).get(action="invitation.created")
    assert event.changes["role"] == [None, "finance"]


def test_the_invitation_email_is_sent_once_the_transaction_commits(
    api: APIClient,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/orgs/acme/members/", {"email": "invitee@example.test", "role": "member"})
    assert len(mail.outbox) == 1
    assert "/invitations/" in mail.outbox[0].body  # issue 10 item 8: the link accepts (was: choose a password)
    assert mail.outbox[0].to == ["invitee@example.test"]


def test_inviting_an_existing_member_again_is_refused(api: APIClient, make_member) -> None:  # type: ignore[no-untyped-def]
    existing = make_member(OrgRole.MEMBER, email="dup@example.test")
    response = api.post("/api/v1/orgs/acme/members/", {"email": "dup@example.test", "role": "viewer"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "already_member"
    existing.refresh_from_db()
    assert existing.role == OrgRole.MEMBER


def test_an_invitation_with_an_unknown_role_is_refused(api: APIClient) -> None:
    response = api.post("/api/v1/orgs/acme/members/", {"email": "x@example.test", "role": "emperor"})
    assert response.status_code == 400
    assert "role" in response.json()["error"]["fields"]
    assert not User.objects.filter(email="x@example.test").exists()


def test_changing_a_role_is_audited(api: APIClient, make_member, organization: Organization) -> None:  # type: ignore[no-untyped-def]
    target = make_member(OrgRole.MEMBER)
    response = api.patch(f"/api/v1/orgs/acme/members/{target.pk}/", {"role": "quality"})
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.role == OrgRole.QUALITY
    event = AuditEvent.objects.for_organization(organization).get(action="membership.role_changed")
    assert event.changes == {"role": ["member", "quality"]}
    assert event.target_id == str(target.pk)


def test_the_last_administrator_can_be_neither_demoted_nor_removed(api: APIClient, admin_member: Membership) -> None:
    demote = api.patch(f"/api/v1/orgs/acme/members/{admin_member.pk}/", {"role": "viewer"})
    assert demote.status_code == 400
    assert demote.json()["error"]["code"] == "last_admin"
    remove = api.delete(f"/api/v1/orgs/acme/members/{admin_member.pk}/")
    assert remove.status_code == 400
    admin_member.refresh_from_db()
    assert admin_member.role == OrgRole.ADMIN


def test_removing_a_member_keeps_their_account_and_audits_it(
    api: APIClient,
    make_member,
    organization: Organization,  # type: ignore[no-untyped-def]
) -> None:
    target = make_member(OrgRole.RISK)
    assert api.delete(f"/api/v1/orgs/acme/members/{target.pk}/").status_code == 204
    assert not Membership.objects.for_organization(organization).filter(pk=target.pk).exists()
    assert User.objects.filter(pk=target.user_id).exists()
    assert AuditEvent.objects.for_organization(organization).filter(action="membership.removed").count() == 1


def test_members_are_filtered_searched_and_paginated_with_a_bound(api: APIClient, make_member) -> None:  # type: ignore[no-untyped-def]
    for index in range(5):
        make_member(OrgRole.VIEWER, username=f"viewer{index}")
    make_member(OrgRole.FINANCE, username="fiona")
    assert api.get("/api/v1/orgs/acme/members/?role=finance").json()["count"] == 1
    assert api.get("/api/v1/orgs/acme/members/?search=fiona").json()["count"] == 1
    page = api.get("/api/v1/orgs/acme/members/?page_size=2&ordering=user__username").json()
    assert page["count"] == 7
    assert len(page["results"]) == 2
    assert page["next"] is not None
    assert len(api.get("/api/v1/orgs/acme/members/?page_size=100000").json()["results"]) == 7


def test_the_member_list_runs_a_fixed_number_of_queries(
    api: APIClient,
    make_member,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    make_member(OrgRole.MEMBER)
    # membership resolution, count, page
    with django_assert_num_queries(3):
        api.get("/api/v1/orgs/acme/members/")
    for _ in range(10):
        make_member(OrgRole.MEMBER)
    with django_assert_num_queries(3):
        api.get("/api/v1/orgs/acme/members/")


def test_a_token_is_shown_once_stored_hashed_and_accepted_as_bearer(api: APIClient, admin_user: User) -> None:
    response = api.post("/api/v1/tokens/", {"name": "ERP sync"})
    assert response.status_code == 201
    raw = response.json()["token"]
    token = ApiToken.objects.get(user=admin_user)
    assert raw not in (token.secret_hash, token.prefix)
    assert token.secret_hash == hash_secret(raw.split("_", 2)[2])
    assert "token" not in api.get(f"/api/v1/tokens/{token.pk}/").json()
    assert bearer(raw).get("/api/v1/me/").json()["username"] == "ada"


def test_a_revoked_or_expired_or_forged_token_is_refused(api: APIClient, admin_user: User) -> None:
    raw = api.post("/api/v1/tokens/", {"name": "short"}).json()["token"]
    token = ApiToken.objects.get(user=admin_user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert bearer(raw).get("/api/v1/me/").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    assert bearer(raw).get("/api/v1/me/").status_code == 200
    assert api.delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    response = bearer(raw).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert bearer(raw[:-2] + "xx").get("/api/v1/me/").status_code == 401
    assert bearer("nonsense").get("/api/v1/me/").status_code == 401


def test_a_token_expiry_in_the_past_is_refused(api: APIClient) -> None:
    response = api.post("/api/v1/tokens/", {"name": "old", "expires_at": "2000-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert "expires_at" in response.json()["error"]["fields"]


def test_nobody_sees_or_revokes_another_users_token(api: APIClient, make_member) -> None:  # type: ignore[no-untyped-def]
    other = api_client_for(make_member(OrgRole.ADMIN).user)
    token_id = other.post("/api/v1/tokens/", {"name": "theirs"}).json()["id"]
    assert api.get(f"/api/v1/tokens/{token_id}/").status_code == 404
    assert api.delete(f"/api/v1/tokens/{token_id}/").status_code == 404
    assert ApiToken.objects.get(pk=token_id).revoked_at is None


def test_the_audit_trail_is_filtered_by_actor_action_target_and_date(
    api: APIClient,
    make_member,
    admin_user: User,
    organization: Organization,  # type: ignore[no-untyped-def]
) -> None:
    target = make_member(OrgRole.MEMBER)
    api.patch(f"/api/v1/orgs/acme/members/{target.pk}/", {"role": "viewer"})
    api.patch("/api/v1/orgs/acme/", {"name": "Renamed"})
    today = timezone.localdate().isoformat()
    assert api.get("/api/v1/orgs/acme/audit-events/?action=membership").json()["count"] == 1
    assert api.get(f"/api/v1/orgs/acme/audit-events/?actor={admin_user.pk}").json()["count"] == 2
    by_target = api.get(f"/api/v1/orgs/acme/audit-events/?target_type=pmo.membership&target_id={target.pk}").json()
    assert [e["action"] for e in by_target["results"]] == ["membership.role_changed"]
    assert api.get(f"/api/v1/orgs/acme/audit-events/?date_from={today}&date_to={today}").json()["count"] >= 2
    assert api.get("/api/v1/orgs/acme/audit-events/?date_to=2000-01-01").json()["count"] == 0
    assert api.get("/api/v1/orgs/acme/audit-events/?date_from=notadate").status_code == 400


def test_the_audit_trail_is_read_only(api: APIClient, organization: Organization) -> None:
    api.patch("/api/v1/orgs/acme/", {"name": "Renamed"})
    event = AuditEvent.objects.for_organization(organization).first()
    assert event is not None
    assert api.delete(f"/api/v1/orgs/acme/audit-events/{event.pk}/").status_code == 405
    assert api.post("/api/v1/orgs/acme/audit-events/", {}).status_code == 405


def test_audit_events_record_the_request_id_and_address(api: APIClient, organization: Organization) -> None:
    api.patch("/api/v1/orgs/acme/", {"name": "Traced"}, HTTP_X_REQUEST_ID="req-123", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.for_organization(organization).get(action="organization.updated")
    assert (event.request_id, event.ip_address) == ("req-123", "10.1.2.3")


def test_every_error_has_the_same_body(api: APIClient) -> None:
    for response in (
        APIClient().get("/api/v1/me/"),
        api.get("/api/v1/orgs/nowhere/"),
        api.get("/api/v1/orgs/acme/members/999999/"),
        api.post("/api/v1/orgs/acme/members/", {"email": "not-an-email", "role": "member"}),
        api.get("/api/v1/no-such-endpoint/"),
    ):
        body = response.json()
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"code", "message", "fields"}, body


def test_each_token_has_its_own_rate_limit(api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PerTokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    first = bearer(api.post("/api/v1/tokens/", {"name": "one"}).json()["token"])
    second = bearer(api.post("/api/v1/tokens/", {"name": "two"}).json()["token"])
    assert [first.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert first.get("/api/v1/me/").json()["error"]["code"] == "throttled"
    assert second.get("/api/v1/me/").status_code == 200

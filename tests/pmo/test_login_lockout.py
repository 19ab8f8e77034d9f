from __future__ import annotations

import pytest
from django.test import Client

from pmo.models import Membership, User

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
FULL_WIDTH_V = "\uff56iewer"
BOLD = "\U0001d42f\U0001d422\U0001d41e\U0001d430\U0001d41e\U0001d42b"
ALL_FULL_WIDTH = "\uff56\uff49\uff45\uff57\uff45\uff52"


def fail_five_times(client: Client, url: str, username: str) -> None:
    for _ in range(5):
        client.post(url, {"username": username, "password": "wrong-password"})


@pytest.mark.parametrize("look_alike", [FULL_WIDTH_V, BOLD, "VIEWER", " viewer "])
def test_a_locked_account_stays_locked_under_a_look_alike_username(look_alike: str) -> None:
    User.objects.create_user(username="viewer", password=PASSWORD)
    fail_five_times(Client(), "/accounts/login/", "viewer")
    client = Client()
    response = client.post("/accounts/login/", {"username": look_alike, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors.as_data()["__all__"][0].code == "locked"


def test_failures_under_look_alike_usernames_count_against_the_same_account() -> None:
    User.objects.create_user(username="viewer", password=PASSWORD)
    for name in [FULL_WIDTH_V, BOLD, ALL_FULL_WIDTH, "viewer", "Viewer"]:
        Client().post("/accounts/login/", {"username": name, "password": "wrong-password"})
    client = Client()
    client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser(username="root", email="root@example.com", password=PASSWORD)


def test_the_admin_sign_in_locks_after_repeated_failures(superuser: User) -> None:
    fail_five_times(Client(), "/admin/login/", "root")
    client = Client()
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors.as_data()["__all__"][0].code == "locked"


def test_failures_on_the_admin_and_the_app_sign_in_share_one_count(superuser: User) -> None:
    for url in ["/accounts/login/", "/admin/login/"] * 2 + ["/accounts/login/"]:
        Client().post(url, {"username": "root", "password": "wrong-password"})
    client = Client()
    client.post("/accounts/login/", {"username": "root", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_still_admits_a_superuser_with_the_right_password(superuser: User) -> None:
    client = Client()
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(superuser.pk)


def test_a_member_signs_in_normally_after_a_few_failures(admin_member: Membership) -> None:
    for _ in range(3):
        Client().post("/accounts/login/", {"username": "ada", "password": "wrong-password"})
    client = Client()
    client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(admin_member.user_id)

"""Importing the pool from CSV: a good file adds everything, a bad one nothing, each problem named by its line
and column."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Organization, OrgRole, User
from resources.models import CostRate, Resource, ResourceRole, ResourceSkill, Skill
from resources.services.pool_import import CSV_COLUMNS, pool_import, template_csv
from tests.conftest import api_client_for, page_client_for
from tests.factories import ResourceFactory, ResourceRoleFactory, SkillFactory, WorkingCalendarFactory, member

pytestmark = pytest.mark.django_db

HEADER = ",".join(CSV_COLUMNS)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def manager(organization: Organization) -> User:
    return member(organization, OrgRole.RESOURCE, username="rm").user


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def problems(call) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == "invalid_file"
    return caught.value.fields


def test_a_good_file_adds_every_resource_with_roles_skills_and_rates(organization: Organization, manager: User) -> None:
    WorkingCalendarFactory(organization=organization, name="Site 6x10")
    person = member(organization, OrgRole.MEMBER, username="wang", email="wang@example.com").user
    SkillFactory(organization=organization, name="AutoCAD")
    text = csv(
        "P-001,Wang Fang,person,no,Civil engineer,Engineering,WANG@example.com,site 6x10,7.5,100,,"
        "AutoCAD:4;Surveying:3,320.00,480.00,2026-01-01,",
        "P-900,Engineer to hire,人员,yes,civil engineer,Engineering,,,,,,,,,,Needed from May",
        "E-001,Excavator crew,equipment,,Excavator crew,Plant,,,10,300,,,650.00,,2026-01-01,",
        "M-001,Ready-mix C30,material,,,,,,,,m³,,480.00,,,",
    )

    try:
        created = pool_import(actor=manager, organization=organization, text=text)
    except ApplicationError as error:
        raise AssertionError(error.fields) from error

    assert [resource.code for resource in created] == ["P-001", "P-900", "E-001", "M-001"]
    wang = Resource.objects.for_organization(organization).select_related("role", "calendar").get(code="P-001")
    assert (wang.user_id, wang.calendar.name, wang.hours_per_day, wang.role.name) == (
        person.pk,
        "Site 6x10",
        Decimal("7.50"),
        "Civil engineer",
    )
    skills = dict(
        ResourceSkill.objects.for_organization(organization).filter(resource=wang).values_list("skill__name", "level")
    )
    assert skills == {"AutoCAD": 4, "Surveying": 3}
    placeholder = Resource.objects.for_organization(organization).get(code="P-900")
    assert (placeholder.is_placeholder, placeholder.role_id, placeholder.hours_per_day) == (
        True,
        wang.role_id,
        Decimal("8.00"),
    )
    crew = Resource.objects.for_organization(organization).get(code="E-001")
    assert (crew.kind, crew.max_units, crew.role.kind) == ("equipment", Decimal("300.00"), "equipment")
    rates = {
        (rate.resource.code, rate.effective_from, rate.standard_rate, rate.overtime_rate)
        for rate in CostRate.objects.for_organization(organization).select_related("resource")
    }
    today = organization.today()
    assert rates == {
        ("P-001", dt.date(2026, 1, 1), Decimal("320.00"), Decimal("480.00")),
        ("E-001", dt.date(2026, 1, 1), Decimal("650.00"), None),
        ("M-001", today, Decimal("480.00"), None),
    }
    assert sorted(ResourceRole.objects.for_organization(organization).values_list("name", flat=True)) == [
        "Civil engineer",
        "Excavator crew",
    ]
    assert Skill.objects.for_organization(organization).count() == 2
    assert AuditEvent.objects.for_organization(organization).filter(action="resource.created").count() == 4
    assert AuditEvent.objects.for_organization(organization).filter(action="resource_rate.created").count() == 3


def test_a_bad_file_changes_nothing_and_lists_every_bad_row_with_its_line_and_column(
    organization: Organization, manager: User
) -> None:
    ResourceFactory(organization=organization, code="P-001")
    ResourceRoleFactory(organization=organization, name="Crane crew", kind="equipment")
    text = csv(
        "P-002,Good row,person,,,,,,,,,,,,,",
        "p-001,Taken code,person,,,,,,,,,,,,,",
        "P-003,,robot,maybe,,,nobody,Nowhere,30,0,,Welding:7,abc,,2026-13-01,",
        "P-004,Needs a role,person,yes,,,,,,,,,,,,",
        "P-005,Crane,person,,Crane crew,,,,,,,,,,,",
        "M-001,Sand,material,,,,,,,,,,10,5,,",
        "P-002,Again,person,,,,,,,,,,,,,",
    )

    fields = problems(lambda: pool_import(actor=manager, organization=organization, text=text))

    assert fields["3"] == ["code: A resource with this code already exists."]
    assert set(fields["4"]) >= {
        "kind: Write person, equipment or material.",
        "placeholder: Write yes or no.",
        "user: No member of the organisation has this username or e-mail address.",
        "calendar: The organisation has no calendar with this name.",
        "hours_per_day: Enter a number from 0.25 to 24.",
        "max_units: Enter a number from 1 to 10000.",
        "skills: Welding: a level is from 1 to 5.",
        "standard_rate: Enter a number, with a decimal point.",
        "rate_from: Enter a date as YYYY-MM-DD.",
        "name: This field is required.",
    }
    assert fields["5"] == ["role: A placeholder stands for a role: choose one."]
    assert fields["6"] == ["role: The role “Crane crew” is for equipment, not for this kind of resource."]
    assert set(fields["7"]) == {
        "unit: Give the material's unit of measure, e.g. m³, t or piece.",
        "overtime_rate: A material has a cost per unit and no overtime rate.",
    }
    assert fields["8"] == ["code: The code is also on line 2."]
    assert "2" not in fields
    assert list(Resource.objects.for_organization(organization).values_list("code", flat=True)) == ["P-001"]
    assert not Skill.objects.for_organization(organization).exists()
    assert ResourceRole.objects.for_organization(organization).count() == 1


def test_a_file_with_wrong_columns_or_no_rows_is_refused_as_a_whole(organization: Organization, manager: User) -> None:
    assert problems(lambda: pool_import(actor=manager, organization=organization, text=csv(header="name,colour")))[
        "file"
    ] == [
        "Unknown columns: colour",
        "Missing columns: code",
    ]
    assert problems(lambda: pool_import(actor=manager, organization=organization, text=csv()))["file"] == [
        "The file has no rows under its header."
    ]


def test_without_the_right_to_set_rates_a_rate_column_is_refused(organization: Organization, manager: User) -> None:
    text = csv("P-001,Wang,person,,,,,,,,,,300,,,")

    fields = problems(lambda: pool_import(actor=manager, organization=organization, text=text, rates_allowed=False))

    assert fields["2"] == ["standard_rate: You may not set cost rates; leave the rate columns empty."]


def test_the_template_imports_as_it_is(organization: Organization, manager: User) -> None:
    created = pool_import(actor=manager, organization=organization, text=template_csv().encode("utf-8-sig"))

    assert len(created) == 4


def test_a_gb18030_file_from_excel_is_read(organization: Organization, manager: User) -> None:
    text = ("code,name,department\nP-001,王芳,工程部\n").encode("gb18030")

    (created,) = pool_import(actor=manager, organization=organization, text=text)

    assert (created.name, created.department) == ("王芳", "工程部")


def test_the_import_page_lists_the_bad_rows_and_a_good_file_goes_to_the_pool(
    organization: Organization, manager: User
) -> None:
    client = page_client_for(manager)
    client.cookies["django_language"] = "en"
    bad = SimpleUploadedFile("pool.csv", csv("P-001,,person,,,,,,,,,,,,,"), content_type="text/csv")

    refused = client.post("/o/acme/resources/pool/import/", {"file": bad})

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Nothing was imported." in page
    assert "This field is required." in page
    good = SimpleUploadedFile("pool.csv", csv("P-001,Wang Fang,person,,,,,,,,,,,,,"), content_type="text/csv")
    assert client.post("/o/acme/resources/pool/import/", {"file": good}).status_code == 302
    assert Resource.objects.for_organization(organization).filter(code="P-001").exists()


def test_the_import_api_takes_a_csv_body_or_a_file_and_answers_the_codes(
    organization: Organization, manager: User
) -> None:
    client = api_client_for(manager)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    url = "/api/v1/orgs/acme/resource-import/"

    body = client.post(url, csv("P-001,Wang Fang,person,,,,,,,,,,,,,"), content_type="text/csv")
    bad = client.post(url, {"file": SimpleUploadedFile("x.csv", csv("P-002,,,,,,,,,,,,,,,"))}, format="multipart")
    viewer = api_client_for(member(organization, OrgRole.VIEWER).user)

    assert body.status_code == 201, body.json()
    assert body.json() == {"created": 1, "codes": ["P-001"]}
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"2": ["name: This field is required."]}
    assert viewer.post(url, csv("P-003,X,person,,,,,,,,,,,,,"), content_type="text/csv").status_code == 403
    assert Resource.objects.for_organization(organization).count() == 1

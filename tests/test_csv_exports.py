"""Every CSV export neutralises formula injection, and every import reads the neutralised text back.

A cell that a spreadsheet would run as a formula (OWASP's list: =, +, -, @, a tab, a carriage
return at the start) comes out after an apostrophe. The list of exports is checked against the URL
configuration, so that a new export endpoint fails here until it is added.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from pmo.csv_table import CsvErrors, csv_writer, neutralised, read_table, restored
from pmo.models import Organization, OrgRole
from projects.models import WbsElement
from tests.conftest import api_client_for, page_client_for
from tests.factories import AssetFactory, ProjectFactory, RiskFactory, WbsElementFactory, member

pytestmark = pytest.mark.django_db

FORMULAS = ["=1+2", "+1+2", "-1+2", "@SUM(A1)", "\t=1+2", "\r=1+2", '=HYPERLINK("http://x.test","y")']


def _project_task(organization: Organization, name: str) -> dict[str, Any]:
    project = ProjectFactory(organization=organization)
    WbsElementFactory(project=project, name=name, kind=WbsElement.Kind.TASK)
    return {"project_id": project.pk}


def _project_risk(organization: Organization, name: str) -> dict[str, Any]:
    project = ProjectFactory(organization=organization)
    RiskFactory(organization=organization, project=project, title=name)
    return {"project_id": project.pk}


def _asset(organization: Organization, name: str) -> dict[str, Any]:
    AssetFactory(organization=organization, name=name)
    return {}


#: URL name → (builds a record named ``name``, returns the URL's other arguments; the column; API or page).
EXPORTS: dict[str, tuple[Callable[[Organization, str], dict[str, Any]], str, bool]] = {
    "api-project-task-export-csv": (_project_task, "name", True),
    "project-plan-export-csv": (_project_task, "name", False),
    "api-project-risk-export": (_project_risk, "title", True),
    "project-risks-export": (_project_risk, "title", False),
    "org-maintenance-assets-export": (_asset, "name", False),
}


def _names(patterns: list[URLPattern | URLResolver]) -> set[str]:
    found: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found |= _names(pattern.url_patterns)
        elif pattern.name:
            found.add(pattern.name)
    return found


#: Exports in other formats: workbooks write such text as text cells (tests/pmo/test_xlsx.py),
#: MS Project XML as XML text.
OTHER_FORMATS = ("xlsx", "mspdi", "pdf")


def test_every_csv_export_endpoint_is_checked_here() -> None:
    exports = {
        name
        for name in _names(get_resolver().url_patterns)
        if "export" in name and not any(other in name for other in OTHER_FORMATS)
    }
    assert exports == set(EXPORTS)


@pytest.mark.parametrize("formula", FORMULAS, ids=repr)
@pytest.mark.parametrize("url_name", sorted(EXPORTS))
def test_exports_write_formula_like_text_as_text(organization: Organization, url_name: str, formula: str) -> None:
    build, column, is_api = EXPORTS[url_name]
    admin = member(organization, OrgRole.ADMIN)
    kwargs = {"org_slug": organization.slug, **build(organization, formula)}
    client: APIClient | Client = api_client_for(admin.user) if is_api else page_client_for(admin.user)
    response = client.get(reverse(url_name, kwargs=kwargs), HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[column] for row in rows] == [f"'{formula}"]


@pytest.mark.parametrize("formula", FORMULAS, ids=repr)
def test_a_neutralised_cell_reads_back_as_it_was(formula: str) -> None:
    out = io.StringIO()
    csv_writer(out).writerows([["name", "amount"], [formula, "-12.50"]])
    rows = read_table(out.getvalue(), CsvErrors(), columns={"name", "amount"}, required={"name"}, max_rows=5)
    assert rows[0].cells == {"name": formula, "amount": "-12.50"}


def test_numbers_and_plain_text_are_written_as_they_are() -> None:
    assert [neutralised(value) for value in ["-12.5", "+3", "-.5", "Pump 3", "", 7, None]] == [
        "-12.5",
        "+3",
        "-.5",
        "Pump 3",
        "",
        7,
        None,
    ]
    assert neutralised("-3 days") == "'-3 days"


def test_only_an_apostrophe_before_a_formulas_start_is_removed() -> None:
    assert restored("'=1+2") == "=1+2"
    assert restored("'Tis") == "'Tis"
    assert neutralised("'=1") == "''=1"
    assert restored("''=1") == "'=1"

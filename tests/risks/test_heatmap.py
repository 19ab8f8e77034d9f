"""The heat map: counts per cell in one query, for a project and the portfolio, and its SVG."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from pmo.models import Organization, OrgRole
from risks import scoring
from risks.heatmap import CURRENT, INHERENT, HeatMap, appetite_path, cell_counts, render_svg
from risks.services.register import risk_set_status
from risks.services.settings import risk_settings_for, risk_settings_update
from tests.factories import PortfolioFactory, member
from tests.risks.pages_support import assess, make_project, raise_risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(organization: Organization):
    return member(organization, OrgRole.RISK).user


def test_counts_are_per_cell_of_the_current_or_the_inherent_assessment(organization, manager) -> None:
    project = make_project(organization, manager)
    moved = assess(raise_risk(organization, manager, project), manager, 5, 4)
    assess(moved, manager, 2, 3, reason="Mitigated")
    assess(raise_risk(organization, manager, project), manager, 2, 3)
    raise_risk(organization, manager, project)  # not assessed: on no cell

    assert cell_counts(organization, project=project).counts == {(2, 3): 2}
    assert cell_counts(organization, project=project, basis=INHERENT).counts == {(5, 4): 1, (2, 3): 1}


def test_closed_risks_are_not_on_the_map(organization, manager) -> None:
    project = make_project(organization, manager)
    risk = assess(raise_risk(organization, manager, project), manager, 3, 3)
    risk_set_status(actor=manager, risk=risk, status="closed", reason="Passed")
    assert cell_counts(organization, project=project).total == 0


def test_the_portfolio_map_counts_every_project_and_the_organisation_level_risks(organization, manager) -> None:
    energy = PortfolioFactory(organization=organization, name="Energy")
    first = make_project(organization, manager, code="P-1", portfolio=energy)
    second = make_project(organization, manager, code="P-2")
    assess(raise_risk(organization, manager, first), manager, 1, 1)
    assess(raise_risk(organization, manager, second), manager, 1, 1)
    assess(raise_risk(organization, manager, None), manager, 5, 5)

    assert cell_counts(organization).counts == {(1, 1): 2, (5, 5): 1}
    assert cell_counts(organization, organisation_level=False).counts == {(1, 1): 2}
    assert cell_counts(organization, portfolio_id=energy.pk).counts == {(1, 1): 1}


def test_another_organisations_risks_never_count(organization, other_organization, manager) -> None:
    outsider = member(other_organization, OrgRole.RISK).user
    assess(raise_risk(other_organization, outsider, make_project(other_organization, outsider)), outsider, 3, 3)
    assert cell_counts(organization).total == 0


@pytest.mark.parametrize("risks", [1, 30])
def test_the_counts_take_one_query_whatever_the_number_of_risks(organization, manager, risks) -> None:
    project = make_project(organization, manager)
    for number in range(risks):
        assess(raise_risk(organization, manager, project, title=f"R{number}"), manager, 1 + number % 5, 1 + number % 3)
    for scope in ({"project": project}, {}, {"basis": INHERENT}):
        with CaptureQueriesContext(connection) as queries:
            heat_map = cell_counts(organization, **scope)
        assert len(queries) == 1
        assert heat_map.total == risks


def cells(svg: str) -> dict[str, dict[str, str]]:
    found = {}
    for match in re.finditer(
        r'(?:<a href="(?P<href>[^"]*)"[^>]*|<g) data-cell="(?P<cell>\d-\d)">(?P<body>.*?)</(?:a|g)>', svg
    ):
        fill = re.search(r'fill="(#[0-9a-f]{6})"', match.group("body"))
        count = re.search(r">(\d+)</text>", match.group("body"))
        found[match.group("cell")] = {
            "href": match.group("href") or "",
            "fill": fill.group(1) if fill else "",
            "count": count.group(1) if count else "",
        }
    return found


def test_the_svg_colours_cells_by_the_matrix_and_links_only_cells_with_risks(organization) -> None:
    settings = risk_settings_for(organization)
    svg = render_svg(HeatMap(CURRENT, {(3, 4): 2}), settings, href=lambda p, i: f"/cell/{p}/{i}/")
    drawn = cells(svg)

    assert len(drawn) == 25
    assert drawn["3-4"] == {"href": "/cell/3/4/", "fill": "#fde3a7", "count": "2"}  # 12: medium
    assert drawn["3-5"]["fill"] == "#f4b4ad"  # 15: high
    assert drawn["1-5"]["fill"] == "#cfe9d6"  # 5: low
    assert [cell for cell, drawn_cell in drawn.items() if drawn_cell["href"]] == ["3-4"]


def test_an_edited_matrix_colours_the_cells_its_way(organization) -> None:
    admin = member(organization, OrgRole.ADMIN).user
    matrix = scoring.default_matrix()
    matrix[0][0] = "medium"
    for p in range(5):
        for i in range(5):
            matrix[p][i] = "medium" if matrix[p][i] == "low" else matrix[p][i]
    risk_settings_update(actor=admin, organization=organization, matrix=matrix)
    drawn = cells(render_svg(HeatMap(CURRENT), risk_settings_for(organization)))
    assert drawn["1-1"]["fill"] == "#fde3a7"


def test_the_appetite_line_runs_above_the_cells_scoring_at_most_the_appetite() -> None:
    # Appetite 12: impact 1 and 2 allow every probability (top edge), impact 3 up to 4, 4 up to 3, 5 up to 2.
    assert appetite_path(12) == "M58 12 L114 12 L114 12 L170 12 L170 68 L226 68 L226 124 L282 124 L282 180 L338 180"
    assert appetite_path(25).count(" 12") == 10


def test_the_svg_speaks_the_readers_language(organization) -> None:
    settings = risk_settings_for(organization)
    with translation.override("zh-hans"):
        svg = render_svg(HeatMap(CURRENT, {(1, 1): 1}), settings)
    assert "概率" in svg
    assert "影响" in svg

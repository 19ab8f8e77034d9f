"""The Gantt chart: the page, its queries, and what the server-side renderer draws."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from pmo.models import Organization, OrgRole
from projects.gantt import GanttItem, GanttLink, Zoom, render_gantt
from projects.models import Project
from projects.services import plan
from tests.projects.test_pages_support import START, add, build_plan, client_with_role, make_project

MONDAY = dt.date(2026, 3, 2)


def url(project: Project, rest: str = "gantt/") -> str:
    return f"/o/acme/projects/{project.pk}/{rest}"


def task(id: int, start: dt.date, days: int, **fields: object) -> GanttItem:
    return GanttItem(id, str(id), f"Task {id}", "task", start, start + dt.timedelta(days=days - 1), **fields)  # type: ignore[arg-type]


# --- the page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_gantt_page_draws_every_element_with_baseline_and_zoom(organization: Organization) -> None:
    client, _viewer = client_with_role(organization, OrgRole.VIEWER)
    actor = make_actor(organization)
    project = make_project(organization, actor)
    summary = add(project, actor, "设计 Design", kind="summary", duration=0)
    first = add(project, actor, "Survey", parent=summary, duration=5)
    second = add(project, actor, "Drawings", parent=summary, duration=5)
    milestone = add(project, actor, "Approved", kind="milestone", duration=0)
    plan.dependency_create(actor=actor, project=project, predecessor=first, successor=second)
    plan.dependency_create(actor=actor, project=project, predecessor=second, successor=milestone)
    plan.baseline_create(actor=actor, project=project, name="B1")

    response = client.get(url(project))

    assert response.status_code == 200
    chart = response.context["chart"]
    assert chart.rows == 4
    assert chart.zoom == Zoom.WEEK  # a short plan opens zoomed in
    body = str(chart.body_svg)
    assert body.count('class="g-dep') == 2
    assert 'class="g-summary' in body
    assert 'class="g-milestone' in body
    assert body.count('class="g-base"') == 4  # every row has its baseline bar, the summary's rolled up
    assert 'class="g-off"' in body
    labels = str(chart.labels_html)
    assert labels.index("设计 Design") < labels.index("Survey") < labels.index("Approved")
    for zoom in ("month", "quarter"):
        zoomed = client.get(url(project) + f"?zoom={zoom}").context["chart"]
        assert zoomed.zoom == zoom
        assert 'class="g-off"' not in str(zoomed.body_svg)
    assert client.get(url(project) + "?zoom=decade").status_code == 200


def make_actor(organization: Organization):  # type: ignore[no-untyped-def]
    from tests.factories import member

    return member(organization, OrgRole.ADMIN).user


@pytest.mark.django_db
def test_an_empty_plan_says_there_is_nothing_to_draw(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    response = client.get(url(project))
    assert response.status_code == 200
    assert response.context["chart"] is None
    assert "empty-state" in response.content.decode()


@pytest.mark.django_db
def test_the_gantt_escapes_user_text(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    project = make_project(organization, admin.user)
    add(project, admin.user, '</svg><script>alert("x")</script>')
    html = client.get(url(project)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;/svg&gt;&lt;script&gt;" in html


def _gantt_queries(client: Client, project: Project, actor, tasks: int) -> int:  # type: ignore[no-untyped-def]
    build_plan(project, actor, tasks)
    plan.baseline_create(actor=actor, project=project, name="B1")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(project))
    assert response.status_code == 200
    assert response.context["chart"].rows > tasks
    return len(queries)


@pytest.mark.django_db
def test_the_gantt_page_runs_a_fixed_number_of_queries(organization: Organization) -> None:
    client, admin = client_with_role(organization, OrgRole.ADMIN)
    small = _gantt_queries(client, make_project(organization, admin.user, code="S"), admin.user, 3)
    large = _gantt_queries(client, make_project(organization, admin.user, code="L"), admin.user, 30)
    assert (small, large) == (13, 13)


# --- the renderer -----------------------------------------------------------------------


def _path_of(svg: str, css_class: str) -> list[str]:
    return re.findall(rf'<path class="{css_class}" d="([^"]+)"', svg)


def test_each_dependency_type_leaves_and_reaches_the_right_end_of_the_bars() -> None:
    first = task(1, MONDAY, 5)  # x 0..110 at 22 px a day
    second = task(2, MONDAY + dt.timedelta(days=7), 5)  # x 154..264
    ends = {}
    for kind in ("FS", "SS", "FF", "SF"):
        chart = render_gantt([first, second], [GanttLink(1, 2, kind)], zoom=Zoom.WEEK)
        assert chart is not None
        (d,) = _path_of(str(chart.body_svg), "g-dep")
        numbers = [int(value) for value in re.findall(r"-?\d+", d)]
        ends[kind] = (numbers[0], numbers[-1])
    assert ends == {"FS": (110, 154), "SS": (0, 154), "FF": (110, 264), "SF": (0, 264)}


def test_a_link_going_backwards_detours_between_the_rows() -> None:
    first = task(1, MONDAY, 5)
    second = task(2, MONDAY + dt.timedelta(days=1), 5)
    chart = render_gantt([first, second], [GanttLink(1, 2, "FS")], zoom=Zoom.WEEK)
    assert chart is not None
    (d,) = _path_of(str(chart.body_svg), "g-dep")
    assert d == "M110,10H116V24H16V34H22"


def test_critical_work_and_progress_are_drawn() -> None:
    items = [task(1, MONDAY, 10, is_critical=True, percent_complete=Decimal("25")), task(2, MONDAY, 4)]
    chart = render_gantt(items, [GanttLink(1, 2, "SS")], zoom=Zoom.WEEK)
    assert chart is not None
    svg = str(chart.body_svg)
    assert '<g id="t1" class="g-task c" data-pct="25">' in svg
    fill = re.search(r'<g id="t1".*?<rect class="g-pf" x="0" y="4" width="(\d+)"', svg, re.S)
    assert fill is not None
    assert fill.group(1) == "55"  # a quarter of ten days at 22 px a day
    assert 'class="g-dep"' in svg  # only one end is critical: not a critical link


def test_milestones_are_diamonds_and_summaries_brackets() -> None:
    items = [
        GanttItem(1, "1", "Phase", "summary", MONDAY, MONDAY + dt.timedelta(days=4)),
        GanttItem(2, "1.1", "Go", "milestone", MONDAY + dt.timedelta(days=4), MONDAY + dt.timedelta(days=4)),
    ]
    chart = render_gantt(items, zoom=Zoom.MONTH)
    assert chart is not None
    svg = str(chart.body_svg)
    assert re.search(r'<path class="g-sum" d="M\d+,5H\d+V15', svg)
    assert re.search(r'<path class="g-ms" d="M\d+,28l6,6l-6,6l-6,-6z"', svg)
    assert 'class="d1"' in str(chart.labels_html)


def test_weekends_are_shaded_only_in_the_week_zoom_and_follow_the_calendar() -> None:
    items = [task(1, MONDAY, 30)]
    holiday = MONDAY + dt.timedelta(days=2)
    week = render_gantt(items, zoom=Zoom.WEEK, is_working_day=lambda day: day.weekday() < 5 and day != holiday)
    month = render_gantt(items, zoom=Zoom.MONTH)
    assert week is not None
    assert month is not None
    (off,) = _path_of(str(week.body_svg), "g-off")
    assert off.startswith("M44,0h22v")  # the Wednesday holiday
    assert off.count("M") == 1 + 6  # the holiday and six weekends of the padded range
    assert "g-off" not in str(month.body_svg)


def test_the_axis_changes_with_the_zoom() -> None:
    items = [task(1, MONDAY, 200)]
    with translation.override("en"):
        week, month, quarter = (render_gantt(items, zoom=zoom) for zoom in (Zoom.WEEK, Zoom.MONTH, Zoom.QUARTER))
    assert week is not None
    assert month is not None
    assert quarter is not None
    assert week.width > month.width > quarter.width
    assert ">2026-03-02<" in str(week.axis_svg)
    assert ">Q1<" in str(quarter.axis_svg)
    assert ">2026<" in str(month.axis_svg)


def test_the_today_line_is_drawn_when_today_is_in_the_chart() -> None:
    items = [task(1, MONDAY, 10)]
    inside = render_gantt(items, zoom=Zoom.WEEK, today=MONDAY + dt.timedelta(days=3))
    outside = render_gantt(items, zoom=Zoom.WEEK, today=MONDAY + dt.timedelta(days=300))
    assert inside is not None
    assert outside is not None
    assert _path_of(str(inside.body_svg), "g-today") == ["M66,0V24"]
    assert not outside.today_in_range
    assert "g-today" not in str(outside.body_svg)


def test_nothing_to_draw_without_dates() -> None:
    assert render_gantt([GanttItem(1, "1", "Loose", "task", None, None)]) is None


def test_user_text_is_escaped_in_labels_and_tooltips() -> None:
    item = GanttItem(1, "1", '<b>"Bold" & co</b>', "task", START, START)
    chart = render_gantt([item], row_href=lambda row: f"/x/?a=1&b={row.id}")
    assert chart is not None
    html = str(chart.labels_html) + str(chart.body_svg)
    assert "<b>" not in html
    assert "&lt;b&gt;&quot;Bold&quot; &amp; co&lt;/b&gt;" in html
    assert 'href="/x/?a=1&amp;b=1"' in html


@pytest.mark.django_db
def test_in_chinese_the_legend_says_critical_path_and_the_priority_keeps_its_own_word(
    organization: Organization,
) -> None:
    client, _viewer = client_with_role(organization, OrgRole.VIEWER, language="zh-hans")
    actor = make_actor(organization)
    project = make_project(organization, actor, priority="critical")
    add(project, actor, "Survey", duration=5)

    legend = re.search(r'<ul class="gantt-legend".*?</ul>', client.get(url(project)).content.decode(), re.S)
    overview = client.get(url(project, "")).content.decode()

    assert legend is not None
    assert "关键" in legend.group(0)
    assert "紧急" not in legend.group(0)
    assert '<span class="priority priority-critical">紧急</span>' in overview

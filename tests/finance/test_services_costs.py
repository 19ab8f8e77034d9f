"""Commitments, actual costs and CSV imports under budget control (warn flags, block refuses)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finance.models import ActualCost, Commitment, FinanceSettings, ManualForecast
from finance.services import categories, costs
from pmo.errors import ApplicationError
from pmo.models import Organization
from projects.models import Project, WbsElement
from tests.factories import CommitmentFactory, CostCategoryFactory, ProjectFactory, WbsElementFactory
from tests.finance.test_services_support import Team, approved_budget, category, events, make_team, set_control

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)
WARN = FinanceSettings.BudgetControl.WARN
BLOCK = FinanceSettings.BudgetControl.BLOCK


@pytest.fixture
def project(organization: Organization) -> Project:
    return ProjectFactory(organization=organization)


@pytest.fixture
def team(organization: Organization) -> Team:
    return make_team(organization)


def commit(project: Project, team: Team, amount: str, code: str = "labour", **extra: object) -> Commitment:
    return costs.commitment_create(
        actor=team.editor.user,
        project=project,
        supplier="Acme Steel",
        reference=f"PO-{amount}",
        date=DAY,
        amount=Decimal(amount),
        category=category(project.organization, code),
        **extra,  # type: ignore[arg-type]
    )


def spend(project: Project, team: Team, amount: str, code: str = "labour", **extra: object) -> ActualCost:
    return costs.actual_cost_create(
        actor=team.editor.user,
        project=project,
        date=DAY,
        amount=Decimal(amount),
        category=category(project.organization, code),
        **extra,  # type: ignore[arg-type]
    )


def actual_costs(project: Project) -> list[ActualCost]:
    return list(ActualCost.objects.for_organization(project.organization).filter(project=project).order_by("pk"))


def commitments(project: Project) -> list[Commitment]:
    return list(Commitment.objects.for_organization(project.organization).filter(project=project))


# --- budget control -------------------------------------------------------------------


def test_within_the_approved_budget_nothing_is_flagged(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "1000.00"})

    assert not commit(project, team, "600.00").over_budget
    assert not commit(project, team, "400.00").over_budget  # exactly the approved amount
    assert not spend(project, team, "1000.00").over_budget


def test_warn_saves_a_commitment_over_budget_and_flags_it(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "1000.00"})
    commit(project, team, "800.00")

    over = commit(project, team, "300.00")

    assert over.over_budget
    assert len(commitments(project)) == 2
    assert events(project.organization, "commitment.created") == 2


def test_block_refuses_a_commitment_over_budget_and_saves_nothing(project: Project, team: Team) -> None:
    """Acceptance: a blocked over-budget cost is refused, and nothing of it is saved."""
    approved_budget(project, team, {"labour": "1000.00"})
    set_control(project.organization, BLOCK, team)
    commit(project, team, "800.00")

    with pytest.raises(ApplicationError) as refused:
        commit(project, team, "300.00")

    assert refused.value.code == "over_budget"
    assert refused.value.status_code == 400
    assert "amount" in refused.value.fields
    message = refused.value.message
    assert "人工 Labour" in message
    assert "1000.00" in message  # approved
    assert "1100.00" in message  # what it would reach
    assert len(commitments(project)) == 1
    assert events(project.organization, "commitment.created") == 1


def test_block_refuses_an_actual_cost_over_budget_and_saves_nothing(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "1000.00", "materials": "50.00"})
    set_control(project.organization, BLOCK, team)
    spend(project, team, "990.00")

    with pytest.raises(ApplicationError) as refused:
        spend(project, team, "10.01")

    assert refused.value.code == "over_budget"
    assert [cost.amount for cost in actual_costs(project)] == [Decimal("990.00")]
    assert events(project.organization, "actual_cost.created") == 1
    # Another category keeps its own budget.
    assert not spend(project, team, "50.00", "materials").over_budget


def test_commitments_and_actual_costs_are_each_measured_against_the_budget(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "1000.00"})
    commit(project, team, "900.00")

    assert not spend(project, team, "900.00").over_budget


def test_cancelled_commitments_free_their_budget_and_closed_ones_do_not(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "1000.00"})
    set_control(project.organization, BLOCK, team)
    cancelled = commit(project, team, "700.00")
    closed = commit(project, team, "200.00")
    costs.commitment_update(actor=team.editor.user, commitment=cancelled, status=Commitment.Status.CANCELLED)
    costs.commitment_update(actor=team.editor.user, commitment=closed, status=Commitment.Status.CLOSED)

    assert not commit(project, team, "800.00").over_budget
    with pytest.raises(ApplicationError):
        commit(project, team, "0.01")


def test_a_category_without_budget_lines_has_nothing_approved(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "1000.00"})

    assert spend(project, team, "1.00", "travel").over_budget


@pytest.mark.parametrize("mode", [WARN, BLOCK])
def test_without_an_approved_budget_every_cost_is_over_budget(project: Project, team: Team, mode: str) -> None:
    set_control(project.organization, mode, team)

    if mode == WARN:
        assert commit(project, team, "1.00").over_budget
        assert spend(project, team, "1.00").over_budget
        return
    for record in (commit, spend):
        with pytest.raises(ApplicationError) as refused:
            record(project, team, "1.00")
        assert refused.value.code == "over_budget"
    assert commitments(project) == []
    assert actual_costs(project) == []


def test_a_credit_never_takes_a_category_over(project: Project, team: Team) -> None:
    set_control(project.organization, BLOCK, team)

    credit = spend(project, team, "-25.00")

    assert not credit.over_budget


def test_costs_take_only_the_organisations_categories_and_the_projects_elements(
    project: Project, team: Team, other_organization: Organization
) -> None:
    foreign = CostCategoryFactory(organization=other_organization, code="labour")
    elsewhere = WbsElementFactory(project=ProjectFactory(organization=project.organization))
    attempts = [
        (lambda: costs.actual_cost_create(
            actor=team.editor.user, project=project, date=DAY, amount=Decimal(1), category=foreign
        ), "category"),
        (lambda: spend(project, team, "1.00", wbs_element=elsewhere), "wbs_element"),
        (lambda: costs.commitment_create(
            actor=team.editor.user, project=project, supplier="S", reference="R", date=DAY,
            amount=Decimal(1), category=foreign,
        ), "category"),
        (lambda: commit(project, team, "1.00", wbs_element=elsewhere), "wbs_element"),
        (lambda: commit(project, team, "-1.00"), "amount"),
    ]  # fmt: skip
    for attempt, field in attempts:
        with pytest.raises(ApplicationError) as refused:
            attempt()
        assert field in refused.value.fields
    assert actual_costs(project) == []
    assert commitments(project) == []


def test_a_cost_may_name_a_task_of_the_project(project: Project, team: Team) -> None:
    task = WbsElementFactory(project=project, code="1", kind=WbsElement.Kind.TASK)

    cost = spend(project, team, "5.00", wbs_element=task, supplier=" Shop ", reference="INV-1")

    assert (cost.wbs_element, cost.supplier, cost.reference, cost.source) == (task, "Shop", "INV-1", "manual")


# --- commitments change ---------------------------------------------------------------


def test_an_open_commitment_closes_and_then_is_final(project: Project, team: Team) -> None:
    commitment = commit(project, team, "10.00")

    commitment = costs.commitment_update(actor=team.editor.user, commitment=commitment, status=Commitment.Status.CLOSED)
    assert commitment.status == Commitment.Status.CLOSED

    for fields in ({"status": Commitment.Status.OPEN}, {"amount": Decimal("5.00")}):
        with pytest.raises(ApplicationError) as refused:
            costs.commitment_update(actor=team.editor.user, commitment=commitment, **fields)
        assert refused.value.code == "commitment_not_open"
    assert events(project.organization, "commitment.updated") == 1


def test_raising_a_commitment_over_budget_in_block_mode_is_refused(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "1000.00"})
    set_control(project.organization, BLOCK, team)
    commitment = commit(project, team, "900.00")

    with pytest.raises(ApplicationError) as refused:
        costs.commitment_update(actor=team.editor.user, commitment=commitment, amount=Decimal("1000.01"))

    assert refused.value.code == "over_budget"
    commitment.refresh_from_db()
    assert commitment.amount == Decimal("900.00")
    lowered = costs.commitment_update(actor=team.editor.user, commitment=commitment, amount=Decimal("800.00"))
    assert lowered.amount == Decimal("800.00")
    assert not lowered.over_budget


def test_a_commitment_of_another_status_is_not_accepted(project: Project, team: Team) -> None:
    commitment = CommitmentFactory(project=project, category=category(project.organization, "labour"))

    with pytest.raises(ApplicationError) as refused:
        costs.commitment_update(actor=team.editor.user, commitment=commitment, status="paid")

    assert "status" in refused.value.fields


# --- CSV import -----------------------------------------------------------------------

GOOD = """date,amount,category,wbs_code,supplier,reference
2026-03-02,1200.50,labour,1.1,张三劳务,INV-001
2026/03/03,300,materials,,Acme Steel,INV-002
2026-03-04,-20.00,MATERIALS,1,Acme Steel,CN-003
"""


@pytest.fixture
def plan(project: Project) -> dict[str, WbsElement]:
    summary = WbsElementFactory(project=project, code="1", kind=WbsElement.Kind.SUMMARY)
    task = WbsElementFactory(project=project, code="1.1", parent=summary)
    return {"1": summary, "1.1": task}


def test_a_good_file_is_recorded_in_one_go(project: Project, team: Team, plan: dict[str, WbsElement]) -> None:
    created = costs.actual_costs_import(actor=team.editor.user, project=project, text=("\ufeff" + GOOD).encode())

    assert len(created) == 3
    rows = [
        (cost.date, cost.amount, cost.category.code, cost.wbs_element, cost.supplier, cost.reference, cost.source)
        for cost in actual_costs(project)
    ]
    assert rows == [
        (dt.date(2026, 3, 2), Decimal("1200.50"), "labour", plan["1.1"], "张三劳务", "INV-001", "import"),
        (dt.date(2026, 3, 3), Decimal("300.00"), "materials", None, "Acme Steel", "INV-002", "import"),
        (dt.date(2026, 3, 4), Decimal("-20.00"), "materials", plan["1"], "Acme Steel", "CN-003", "import"),
    ]
    assert events(project.organization, "actual_cost.imported") == 1
    assert events(project.organization, "actual_cost.created") == 0


def test_a_gb18030_file_as_excel_saves_it_is_read(project: Project, team: Team, plan: dict[str, WbsElement]) -> None:
    created = costs.actual_costs_import(actor=team.editor.user, project=project, text=GOOD.encode("gb18030"))

    assert [cost.supplier for cost in created] == ["张三劳务", "Acme Steel", "Acme Steel"]


def test_a_bad_file_lists_every_bad_row_and_writes_nothing(
    project: Project, team: Team, plan: dict[str, WbsElement]
) -> None:
    text = """date,amount,category,wbs_code,supplier,reference
2026-03-02,100.00,labour,,,
03/02/2026,abc,labour,,,
2026-03-04,1.005,nosuch,9.9,,
2026-03-05,5,,,,
"""

    with pytest.raises(ApplicationError) as refused:
        costs.actual_costs_import(actor=team.editor.user, project=project, text=text)

    error = refused.value
    assert error.code == "invalid_file"
    assert set(error.fields) == {"3", "4", "5"}
    assert [message.split(":")[0] for message in error.fields["3"]] == ["date", "amount"]
    assert [message.split(":")[0] for message in error.fields["4"]] == ["amount", "category", "wbs_code"]
    assert [message.split(":")[0] for message in error.fields["5"]] == ["category"]
    assert actual_costs(project) == []
    assert events(project.organization, "actual_cost.imported") == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "file"),
        ("date,amount\n2026-03-02,5\n", "file"),
        ("date,amount,category,colour\n2026-03-02,5,labour,red\n", "file"),
        ("date,amount,category\n", "file"),
        ("date,amount,category\n2026-03-02,5,labour,extra\n", "2"),
    ],
    ids=["empty", "missing column", "unknown column", "no rows", "extra cell"],
)
def test_a_malformed_file_is_refused_as_a_whole(project: Project, team: Team, text: str, problem: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        costs.actual_costs_import(actor=team.editor.user, project=project, text=text)

    assert refused.value.code == "invalid_file"
    assert problem in refused.value.fields


def test_a_switched_off_category_is_refused_in_a_file(project: Project, team: Team) -> None:
    categories.cost_category_update(
        actor=team.approver.user, category=category(project.organization, "travel"), is_active=False
    )

    with pytest.raises(ApplicationError) as refused:
        costs.actual_costs_import(
            actor=team.editor.user, project=project, text="date,amount,category\n2026-03-02,5,travel\n"
        )

    assert refused.value.fields["2"][0].startswith("category:")


def test_block_mode_refuses_a_file_that_takes_a_category_over_as_a_whole(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "1000.00", "materials": "1000.00"})
    set_control(project.organization, BLOCK, team)
    # Each row fits on its own; together the labour rows pass the approved 1 000.
    text = """date,amount,category
2026-03-02,600,labour
2026-03-03,600,labour
2026-03-04,100,materials
"""

    with pytest.raises(ApplicationError) as refused:
        costs.actual_costs_import(actor=team.editor.user, project=project, text=text)

    assert refused.value.code == "over_budget"
    assert "file" in refused.value.fields
    assert "1200.00" in refused.value.message
    assert actual_costs(project) == []
    assert events(project.organization, "actual_cost.imported") == 0


def test_warn_mode_flags_the_rows_of_a_category_the_file_takes_over(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "1000.00", "materials": "1000.00"})
    text = """date,amount,category
2026-03-02,600,labour
2026-03-03,600,labour
2026-03-04,100,materials
"""

    created = costs.actual_costs_import(actor=team.editor.user, project=project, text=text)

    assert [(cost.category.code, cost.over_budget) for cost in created] == [
        ("labour", True),
        ("labour", True),
        ("materials", False),
    ]


# --- the manual forecast --------------------------------------------------------------


def test_a_manual_forecast_needs_its_justification(project: Project, team: Team) -> None:
    with pytest.raises(ApplicationError) as refused:
        costs.manual_forecast_set(
            actor=team.editor.user, project=project, estimate_to_complete=Decimal("10"), justification="  "
        )
    assert "justification" in refused.value.fields

    forecast = costs.manual_forecast_set(
        actor=team.editor.user,
        project=project,
        estimate_to_complete=Decimal("5000.00"),
        justification="Remaining paving re-quoted.",
    )

    assert ManualForecast.objects.for_organization(project.organization).get() == forecast
    assert events(project.organization, "manual_forecast.set") == 1

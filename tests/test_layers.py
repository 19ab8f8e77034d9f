"""The layers of pyproject.toml's import-linter contract hold, and the contract catches an import that breaks them.

The same contract runs in ``make check`` (``lint-imports``); here it runs in-process on the import
graph of the tree, and on copies of that graph with one forbidden import added, so that a contract
which no longer sees anything would fail too.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter import api
from importlinter.contracts.layers import LayersContract
from importlinter.domain.contract import ContractCheck

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@pytest.fixture(scope="module")
def configuration() -> dict[str, Any]:
    return api.read_configuration(str(PYPROJECT))


@pytest.fixture(scope="module")
def tree(configuration: dict[str, Any]) -> grimp.ImportGraph:
    return grimp.build_graph(*configuration["session_options"]["root_packages"], cache_dir=None)


def check(configuration: dict[str, Any], graph: grimp.ImportGraph) -> ContractCheck:
    [options] = [options for options in configuration["contracts_options"] if options.get("id") == "layers"]
    contract = LayersContract(
        name=options["name"], session_options=configuration["session_options"], contract_options=options
    )
    return contract.check(graph, verbose=False)


def with_import(graph: grimp.ImportGraph, importer: str, imported: str) -> grimp.ImportGraph:
    changed = copy.deepcopy(graph)
    changed.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    return changed


def broken_pairs(result: ContractCheck) -> set[tuple[str, str]]:
    return {(dependency["importer"], dependency["imported"]) for dependency in result.metadata["invalid_dependencies"]}


def test_the_layers_are_declared_from_the_composition_down_to_the_core(configuration: dict[str, Any]) -> None:
    [options] = [options for options in configuration["contracts_options"] if options.get("id") == "layers"]
    assert options["type"] == "layers"
    assert options["layers"] == [
        "dashboard",
        "maintenance",
        "resources | risks | quality",
        "finance",
        "projects",
        "pmo",
    ]


def test_the_tree_keeps_the_layers(configuration: dict[str, Any], tree: grimp.ImportGraph) -> None:
    result = check(configuration, tree)

    assert result.kept, f"imports that break the layers: {sorted(broken_pairs(result))}"


@pytest.mark.parametrize(
    ("importer", "imported", "higher"),
    [
        ("pmo.views", "finance.models", "finance"),
        ("pmo.alerts.services", "projects.models", "projects"),
        ("projects.services.status_reports", "dashboard.portfolio", "dashboard"),
        ("projects.selectors.control", "finance.earned_value", "finance"),
        ("finance.apps", "risks.apps", "risks"),
        ("risks.apps", "maintenance.apps", "maintenance"),
    ],
)
def test_a_lower_layer_importing_a_higher_one_breaks_the_contract(
    configuration: dict[str, Any], tree: grimp.ImportGraph, importer: str, imported: str, higher: str
) -> None:
    result = check(configuration, with_import(tree, importer, imported))

    assert not result.kept
    assert (importer.split(".")[0], higher) in broken_pairs(result)


def test_resources_risks_and_quality_may_not_import_each_other(
    configuration: dict[str, Any], tree: grimp.ImportGraph
) -> None:
    result = check(configuration, with_import(tree, "risks.apps", "quality.apps"))

    assert not result.kept
    assert ("risks", "quality") in broken_pairs(result)


def test_a_higher_layer_may_import_a_lower_one(configuration: dict[str, Any], tree: grimp.ImportGraph) -> None:
    before = broken_pairs(check(configuration, tree))

    after = broken_pairs(check(configuration, with_import(tree, "maintenance.apps", "risks.apps")))

    assert after == before

"""Schemathesis hooks of the API fuzz run (loaded by schemathesis.toml, in the schemathesis process).

Generated path ids rarely name an existing object, so most requests would stop at 404. The
test that starts the run passes the ids of the seeded projects and of their objects in
``PMO_SCHEMATHESIS_PROJECTS`` and ``PMO_SCHEMATHESIS_IDS`` (comma-separated); the hook puts a
seeded project into most paths and a seeded id into about half, the rest stay as generated.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from hypothesis import strategies as st


def _ids(variable: str) -> list[str]:
    return [value for value in os.environ.get(variable, "").split(",") if value]


PROJECTS = _ids("PMO_SCHEMATHESIS_PROJECTS")
IDS = _ids("PMO_SCHEMATHESIS_IDS")
# Objects the run must not destroy, or it would lock itself out: its own membership and token,
# and the project with the data.
PROTECTED = {
    "/members/{id}/": _ids("PMO_SCHEMATHESIS_MEMBERSHIP"),
    "/tokens/{id}/": _ids("PMO_SCHEMATHESIS_TOKEN_ID"),
    "/projects/{id}/": PROJECTS[:1],
}


def _seeded(parameters: dict[str, Any], name: str, values: list[str], weight: int) -> st.SearchStrategy[Any]:
    if name not in parameters or not values:
        return st.just(parameters)
    seeded = st.sampled_from(values).map(lambda value: {**parameters, name: value})
    return st.one_of(*([seeded] * weight), st.just(parameters))


def _spare_protected(path: str, method: str, parameters: dict[str, Any]) -> dict[str, Any]:
    if method.upper() == "GET":
        return parameters
    for suffix, ids in PROTECTED.items():
        if path.endswith(suffix) and str(parameters.get("id")) in ids:
            return {**parameters, "id": "0"}
    return parameters


@schemathesis.hook
def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: dict[str, Any]) -> Any:
    strategy = _seeded(path_parameters or {}, "project_id", PROJECTS, 4)
    strategy = strategy.flatmap(lambda parameters: _seeded(parameters, "id", IDS, 1))
    operation = context.operation
    if operation is None:
        return strategy
    return strategy.map(lambda parameters: _spare_protected(operation.path, operation.method, parameters))

"""The API fuzz run: schemathesis over every operation of the schema, against a live server.

The run is configured by ``schemathesis.toml`` at the top of the repository (seeded and
deterministic, the checks, where the ids come from) and must end with no server error (5xx)
and no response that contradicts the schema (undocumented status code or body). In CI it
generates more cases per operation than on a developer's machine; ``PMO_SCHEMATHESIS_EXAMPLES``
sets the number and ``PMO_SCHEMATHESIS_PHASES`` the phases, e.g. ``examples,coverage,fuzzing``
(README, "API fuzz run").
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command

from pmo import services
from pmo.models import Organization, User
from pmo.tenancy import TenantModel
from projects.models import Project
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "schemathesis.toml"
DEFAULT_EXAMPLES = 12 if IN_CI else 3
DEFAULT_PHASES = "examples,fuzzing"
# A run longer than this is stopped and fails: the suite must stay within minutes.
TIMEOUT_SECONDS = 20 * 60


def _seeded_ids(organization: Organization, per_model: int = 8) -> list[str]:
    ids: set[int] = set()
    for model in apps.get_models():
        if issubclass(model, TenantModel):
            pks = model.objects.for_organization(organization).order_by("pk").values_list("pk", flat=True)
            ids.update(pks[:per_model])
    return [str(pk) for pk in sorted(ids)]


def _schemathesis() -> str:
    executable = Path(sys.executable).with_name("schemathesis")
    return str(executable) if executable.exists() else "schemathesis"


@pytest.mark.django_db(transaction=True)
def test_every_api_operation_survives_generated_requests_without_server_errors_or_schema_mismatches(
    live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.PMO_WEBHOOK_TIMEOUT_SECONDS = 1
    call_command("seed_demo", quiet_logins=True)
    organization = Organization.objects.get(slug="demo")
    admin = User.objects.get(username="admin")
    # Tokens of their own come first, so that a generated DELETE of token 1 does not sign the run out.
    for number in range(3):
        services.api_token_create(user=admin, name=f"decoy {number}")
    token, raw = services.api_token_create(user=admin, name="schemathesis")
    membership = admin.memberships.for_organization(organization).get()
    projects = Project.objects.for_organization(organization).order_by("pk").values_list("pk", flat=True)

    examples = os.environ.get("PMO_SCHEMATHESIS_EXAMPLES", str(DEFAULT_EXAMPLES))
    env = {
        **os.environ,
        "PMO_SCHEMATHESIS_TOKEN": raw,
        "PMO_SCHEMATHESIS_ORG": organization.slug,
        "PMO_SCHEMATHESIS_PROJECTS": ",".join(str(pk) for pk in projects),
        "PMO_SCHEMATHESIS_IDS": ",".join(_seeded_ids(organization)),
        "PMO_SCHEMATHESIS_MEMBERSHIP": str(membership.pk),
        "PMO_SCHEMATHESIS_TOKEN_ID": str(token.pk),
        "NO_COLOR": "1",
    }
    command = [
        _schemathesis(),
        "--config-file",
        str(CONFIG),
        "run",
        f"{live_server.url}/api/v1/schema/",
        "--max-examples",
        examples,
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
        "--phases",
        os.environ.get("PMO_SCHEMATHESIS_PHASES", DEFAULT_PHASES),
    ]
    result = subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    output = result.stdout + result.stderr
    print(output[-4000:])  # the summary: phases, operations, cases (shown with -rP or -s)
    assert result.returncode == 0, output[-20000:]

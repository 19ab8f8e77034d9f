"""The API fuzz run: schemathesis over every operation of the schema, against a live server.

The run is configured by ``schemathesis.toml`` at the top of the repository (seeded and
deterministic, the checks, where the ids come from) and must end with no server error (5xx)
and no response that contradicts the schema (undocumented status code or body). In CI it
generates more cases per operation than on a developer's machine; ``PMO_SCHEMATHESIS_EXAMPLES``
sets the number and ``PMO_SCHEMATHESIS_PHASES`` the phases, e.g. ``examples,coverage,fuzzing``
(README, "API fuzz run").

The ids of the seeded objects take part in the generated requests, so they are the same in every
run: the database's sequences start again at 1 (on PostgreSQL the suite's earlier tests would have
moved them on). ``PMO_SCHEMATHESIS_ID_START`` starts them elsewhere instead, each table at its own
distance from that number, to try other ids (other objects answering to the same id).
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

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
SCHEMA_TIMEOUT_SECONDS = 300


def _seeded_ids(organization: Organization, per_model: int = 8) -> list[str]:
    ids: set[int] = set()
    for model in apps.get_models():
        if issubclass(model, TenantModel):
            pks = model.objects.for_organization(organization).order_by("pk").values_list("pk", flat=True)
            ids.update(pks[:per_model])
    return [str(pk) for pk in sorted(ids)]


def _start_ids_at(start: int) -> None:
    """Start every table's ids at ``start`` plus a distance of its own (0 to 996), on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.fail("PMO_SCHEMATHESIS_ID_START needs PostgreSQL.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname, sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        for schema, name in cursor.fetchall():
            first = start + zlib.crc32(name.encode()) % 997
            cursor.execute(f'ALTER SEQUENCE "{schema}"."{name}" RESTART WITH {first}')


def _failures(report_dir: Path) -> str:
    """The failures the JUnit report holds (the output's tail has only the summary and warnings)."""
    found = []
    for report in sorted(report_dir.glob("junit*.xml")):
        for case in ElementTree.parse(report).getroot().iter("testcase"):  # noqa: S314 (schemathesis' own file)
            for failure in [*case.iter("failure"), *case.iter("error")]:
                text = failure.text or failure.get("message") or ""
                found.append(f"{case.get('name')}\n{text.strip()}")
    return "\n\n".join(found)


def _schema_file(server_url: str, token: str, folder: Path) -> Path:
    """The served schema, fetched once without schemathesis' 10-second limit (generating it takes
    seconds, more on a busy machine) and handed to it as a file."""
    request = urllib.request.Request(  # noqa: S310 (the live test server)
        f"{server_url}/api/v1/schema/?format=json", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=SCHEMA_TIMEOUT_SECONDS) as response:  # noqa: S310
        path = folder / "schema.json"
        path.write_bytes(response.read())
    return path


def _schemathesis() -> str:
    executable = Path(sys.executable).with_name("schemathesis")
    return str(executable) if executable.exists() else "schemathesis"


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_every_api_operation_survives_generated_requests_without_server_errors_or_schema_mismatches(
    live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.PMO_WEBHOOK_TIMEOUT_SECONDS = 1
    if os.environ.get("PMO_SCHEMATHESIS_ID_START"):
        _start_ids_at(int(os.environ["PMO_SCHEMATHESIS_ID_START"]))
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
        str(_schema_file(live_server.url, raw, tmp_path)),
        "--url",
        live_server.url,
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
    assert result.returncode == 0, f"{_failures(tmp_path)}\n\n{output[-12000:]}"

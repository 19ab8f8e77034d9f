"""Every list of the API, its body and its query count: recorded once, compared after a change.

Run ``.venv/bin/python bench/api_bodies.py record FILE`` before a change and
``.venv/bin/python bench/api_bodies.py compare FILE`` after it, against the same seeded database
(``DATABASE_URL``; the demo organisation of ``seed_demo`` and the bench organisations of
``seed_bench``). For every organisation it signs in as the organisation's administrator with an API
token, fills in every list URL under ``/api/v1/orgs/<slug>/`` (each URL keyword from the first such
object of the organisation: a project with tasks, a budget, a webhook, a calendar, a risk) and GETs
it in English and in Chinese, plain, with ``page_size=100``, on page 2 and in each of its orderings
both ways. Each answer is recorded as its status, its body and the number of queries the second of
two identical requests ran (the first may create defaults). ``compare`` prints every URL whose body
differs and every one whose query count rose, and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.dev")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import URLPattern, URLResolver, get_resolver  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.mixins import ListModelMixin  # noqa: E402

from pmo.authentication import format_token, hash_secret, new_token_parts  # noqa: E402
from pmo.models import ApiToken, Membership, Organization, OrgRole  # noqa: E402
from pmo.tenancy import tenant_scope  # noqa: E402

LANGUAGES = ("en", "zh-hans")


def _walk(patterns: list[Any], prefix: str = "") -> Any:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def list_routes() -> list[tuple[str, Any]]:
    """Each organisation-scoped list route (regex and route syntax mixed) with its view class."""
    found: dict[str, Any] = {}
    for route, callback in _walk(get_resolver().url_patterns):
        cls = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None)
        if cls is None or "<slug:org_slug>" not in route:
            continue
        is_list = (actions or {}).get("get") == "list" or (
            actions is None and issubclass(cls, ListModelMixin) and not hasattr(cls, "retrieve")
        )
        if is_list and "(?P<format>" not in route:
            found.setdefault(route, cls)
    return sorted(found.items())


def _first(organization: Organization, model_path: str, field: str = "pk", **filters: Any) -> Any:
    from django.apps import apps

    model = apps.get_model(model_path)
    with tenant_scope(organization):
        rows = model.objects.for_organization(organization).filter(**filters).order_by("pk")
        return rows.values_list(field, flat=True).first()


def url_values(organization: Organization) -> dict[str, Any]:
    from django.apps import apps
    from django.db.models import Count

    project_model = apps.get_model("projects.Project")
    with tenant_scope(organization):
        project = (
            project_model.objects.for_organization(organization)
            .annotate(n=Count("wbs"))
            .order_by("-n", "pk")
            .values_list("pk", flat=True)
            .first()
        )
    attachment = apps.get_model("pmo.Attachment")
    with tenant_scope(organization):
        parent = (
            attachment.objects.for_organization(organization)
            .order_by("pk")
            .values_list("content_type__app_label", "content_type__model", "object_id")
            .first()
        )
    return {
        "attachment_parent": parent and f"parent_type={parent[0]}.{parent[1]}&parent_id={parent[2]}",
        "org_slug": organization.slug,
        "project_id": project,
        "budgetversion_id": _first(organization, "finance.BudgetVersion", project_id=project)
        or _first(organization, "finance.BudgetVersion"),
        "webhook_id": _first(organization, "pmo.Webhook"),
        "workingcalendar_id": _first(organization, "pmo.WorkingCalendar"),
        "risk_id": _first(organization, "risks.Risk", project_id=project) or _first(organization, "risks.Risk"),
    }


def fill(route: str, values: dict[str, Any]) -> str | None:
    import re

    path = route.replace("^", "").replace("$", "")
    for name, value in values.items():
        if name == "attachment_parent":
            continue
        if name in path and value is None:
            return None
        path = re.sub(r"<(?:\w+:)?" + name + r">|\(\?P<" + name + r">[^)]*\)", str(value), path)
    if "<" in path or "(" in path:
        return None
    return "/" + path


def queries_for(cls: Any, values: dict[str, Any]) -> list[str]:
    variants = ["", "?page_size=100", "?page=2&page_size=2"]
    if cls.__name__ == "AttachmentViewSet":
        # The list needs its parent: the organisation's first attached record.
        if values["attachment_parent"] is None:
            return []
        variants = [f"?{values['attachment_parent']}{'&' + v[1:] if v else ''}" for v in variants]
    fields = getattr(cls, "ordering_fields", None)
    if isinstance(fields, (list, tuple)):
        for field in fields:
            variants += [f"?ordering={field}", f"?ordering=-{field}"]
    return variants


def token_for(organization: Organization) -> str:
    membership = (
        Membership.objects.for_organization(organization)
        .filter(role=OrgRole.ADMIN, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    assert membership is not None, organization.slug
    prefix, secret = new_token_parts()
    ApiToken.objects.create(
        user=membership.user,
        name="api_bodies",
        prefix=prefix,
        secret_hash=hash_secret(secret),
        last_used_at=timezone.now() + dt.timedelta(days=3650),  # no last-used write during the walk
    )
    return format_token(prefix, secret)


def walk() -> dict[str, Any]:
    answers: dict[str, Any] = {}
    client = Client(SERVER_NAME="localhost")
    routes = list_routes()
    for organization in Organization.objects.order_by("pk"):
        if not Membership.objects.for_organization(organization).filter(role=OrgRole.ADMIN).exists():
            continue
        values = url_values(organization)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(organization)}"}
        # Also a project that has earned value snapshots and gates, if the largest has none.
        others = [
            {**values, "project_id": project}
            for project in (
                _first(organization, "finance.EvmSnapshot", "project_id"),
                _first(organization, "projects.StageGate", "project_id"),
            )
            if project is not None and project != values["project_id"]
        ]
        targets = {
            path: (cls, variant)
            for route, cls in routes
            for variant in [values, *(others if "<int:project_id>" in route else [])]
            if (path := fill(route, variant)) is not None
        }
        for path, (cls, values) in targets.items():
            for query in queries_for(cls, values):
                for language in LANGUAGES:
                    url = path + query
                    client.get(url, HTTP_ACCEPT_LANGUAGE=language, **headers)
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language, **headers)
                    answers[f"{language} {url}"] = {
                        "status": response.status_code,
                        "body": response.content.decode(),
                        "queries": len(queries),
                    }
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["record", "compare"])
    parser.add_argument("file", type=Path)
    options = parser.parse_args()
    answers = walk()
    if options.mode == "record":
        options.file.write_text(json.dumps(answers, ensure_ascii=False, indent=0))
        print(f"{len(answers)} answers recorded in {options.file}")
        return
    before = json.loads(options.file.read_text())
    problems = 0
    for key in sorted(set(before) | set(answers)):
        old, new = before.get(key), answers.get(key)
        if old is None or new is None:
            print(f"only {'after' if old is None else 'before'}: {key}")
            problems += 1
            continue
        if (old["status"], old["body"]) != (new["status"], new["body"]):
            print(f"body differs: {key}")
            print(f"  before {old['status']} {old['body'][:300]}\n  after  {new['status']} {new['body'][:300]}")
            problems += 1
        if new["queries"] > old["queries"]:
            print(f"queries rose: {key} {old['queries']} -> {new['queries']}")
            problems += 1
    down = sum(1 for key in answers if key in before and answers[key]["queries"] < before[key]["queries"])
    print(f"{len(answers)} answers compared: {problems} problems, {down} with fewer queries")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

"""Create (or bring up to date) the demo organisation with one user per role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from pmo import services
from pmo.alerts.services import evaluations_deferred
from pmo.demo import demo_parts
from pmo.models import CalendarException, Membership, Organization, OrgRole, User, WorkingCalendar

DEMO_SLUG = "demo"
DEMO_PASSWORD = "pmo-demo-2026"  # noqa: S105  (printed for the quick start; demo data only)

DEMO_USERS: list[tuple[str, str, str, str]] = [
    ("admin", OrgRole.ADMIN, "王建国 Wang Jianguo", "zh-hans"),
    ("pmo", OrgRole.PMO, "李敏 Li Min", "zh-hans"),
    ("pm", OrgRole.PROJECT_MANAGER, "张伟 Zhang Wei", "zh-hans"),
    ("finance", OrgRole.FINANCE, "陈静 Chen Jing", "zh-hans"),
    ("quality", OrgRole.QUALITY, "刘洋 Liu Yang", "zh-hans"),
    ("risk", OrgRole.RISK, "赵磊 Zhao Lei", "zh-hans"),
    ("resource", OrgRole.RESOURCE, "孙丽 Sun Li", "zh-hans"),
    ("maintenance", OrgRole.MAINTENANCE, "周强 Zhou Qiang", "zh-hans"),
    ("member", OrgRole.MEMBER, "Emma Brown", "en"),
    ("viewer", OrgRole.VIEWER, "David Smith", "en"),
]

# Public holidays and the weekend days worked in exchange (调休), 2026.
HOLIDAYS_2026: list[tuple[str, str, str]] = [
    ("2026-01-01", "2026-01-03", "元旦 New Year"),
    ("2026-02-15", "2026-02-23", "春节 Spring Festival"),
    ("2026-04-04", "2026-04-06", "清明节 Qingming"),
    ("2026-05-01", "2026-05-05", "劳动节 Labour Day"),
    ("2026-06-19", "2026-06-21", "端午节 Dragon Boat"),
    ("2026-09-25", "2026-09-27", "中秋节 Mid-Autumn"),
    ("2026-10-01", "2026-10-07", "国庆节 National Day"),
]
MAKE_UP_WORKDAYS_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]


def _days(first: str, last: str) -> list[dt.date]:
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]


class Command(BaseCommand):
    help = "Create or update the demo organisation 'demo' with one user per role; prints the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        # One variance run below evaluates everything seeded, rather than one evaluation per write.
        with transaction.atomic(), evaluations_deferred():
            organization = self._seed()
        # Once committed, a variance run raises the demo's alerts: a recorded run through the workers,
        # or here in this process when there is no broker (the quick start, the tests, whose seeding
        # may sit in a transaction that never commits, so that a run's batches sent on commit would
        # never go).
        if settings.CELERY_TASK_ALWAYS_EAGER:
            from finance.variance import variance_run

            variance_run(organization=organization, as_of=organization.today())
        else:
            from pmo.celery import app

            app.signature("finance.run_variance_org", kwargs={"organization_id": organization.pk}).apply_async()
        if not options["quiet_logins"]:
            self.stdout.write(self.style.SUCCESS(f"Demo organisation: /o/{DEMO_SLUG}/"))
            self.stdout.write(f"Every demo user's password is: {DEMO_PASSWORD}")
            for username, role, name, _language in DEMO_USERS:
                self.stdout.write(f"  {username:<12} {OrgRole(role).label!s:<22} {name}")

    def _seed(self) -> Organization:
        users = {username: self._user(username, name, language) for username, _role, name, language in DEMO_USERS}
        organization = Organization.objects.filter(slug=DEMO_SLUG).first()
        if organization is None:
            organization = services.organization_create(
                actor=users["admin"],
                name="示范建设集团 Demo Construction Group",
                slug=DEMO_SLUG,
                default_currency="CNY",
                time_zone="Asia/Shanghai",
                admin=users["admin"],
            )
        for username, role, _name, _language in DEMO_USERS:
            Membership.objects.for_organization(organization).update_or_create(
                organization=organization, user=users[username], defaults={"role": role}
            )
        self._calendar(organization)
        # Each app adds its part (``pmo.demo``), its dates counted from the organisation's today.
        demo_parts.seed(organization, users, today=organization.today())
        return organization

    def _user(self, username: str, name: str, language: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=f"{username}@demo.example", display_name=name, language=language)
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user

    def _calendar(self, organization: Organization) -> None:
        calendar = WorkingCalendar.objects.for_organization(organization).get(is_default=True)
        wanted = [(day, False, name) for first, last, name in HOLIDAYS_2026 for day in _days(first, last)]
        wanted += [(dt.date.fromisoformat(day), True, "调休上班 Make-up workday") for day in MAKE_UP_WORKDAYS_2026]
        existing = set(
            CalendarException.objects.for_organization(organization)
            .filter(calendar=calendar)
            .values_list("date", flat=True)
        )
        CalendarException.objects.bulk_create(
            [
                CalendarException(organization=organization, calendar=calendar, date=day, is_working=working, name=name)
                for day, working, name in wanted
                if day not in existing
            ]
        )

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pmo import services
from pmo.errors import ApplicationError
from pmo.models import User


class Command(BaseCommand):
    help = "Create an organisation (tenant) with its default calendar and its first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="Short name used in addresses: /o/<slug>/.")
        parser.add_argument("--admin", required=True, help="Username of the first PMO administrator.")
        parser.add_argument("--currency", default="CNY")
        parser.add_argument("--time-zone", default="Asia/Shanghai")

    def handle(self, *args: Any, **options: Any) -> None:
        admin = User.objects.filter(username=options["admin"], is_active=True).first()
        if admin is None:
            raise CommandError(f"No active user named {options['admin']!r}; create one with createsuperuser first.")
        try:
            organization = services.organization_create(
                actor=admin,
                name=options["name"],
                slug=options["slug"],
                default_currency=options["currency"],
                time_zone=options["time_zone"],
                admin=admin,
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Created /o/{organization.slug}/ with {admin.username} as administrator.")

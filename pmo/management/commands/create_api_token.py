from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pmo import services
from pmo.errors import ApplicationError
from pmo.models import User


class Command(BaseCommand):
    help = "Create an API token for a user and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Username of the token's owner.")
        parser.add_argument("--name", default="cli", help="What the token is for.")
        parser.add_argument("--days", type=int, default=None, help="Expire after this many days (default: never).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
        if not user.is_active:
            raise CommandError(f"User {options['user']!r} is inactive.")
        days = options["days"]
        if days is not None and days <= 0:
            raise CommandError("--days must be a positive number.")
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        try:
            _token, raw = services.api_token_create(user=user, name=options["name"], expires_at=expires_at)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(raw)

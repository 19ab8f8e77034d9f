from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pmo.models import Organization


class Command(BaseCommand):
    help = (
        "Compute earned-value snapshots and evaluate the alert rules now: started as a run whose batches "
        "are queued for the workers (its progress on the Runs page), or with --wait run here and reported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="Slug of one organisation (default: every organisation).")
        parser.add_argument("--as-of", help="Status date YYYY-MM-DD (default: today in each organisation's time zone).")
        parser.add_argument("--wait", action="store_true", help="Run in this process and report, instead of queuing.")
        parser.add_argument("--batch-size", type=int, default=None, help="Projects per batch (default 100).")

    def handle(self, *args: Any, **options: Any) -> None:
        from finance.runs import variance_start
        from finance.variance import BATCH_SIZE, variance_run
        from pmo.alerts.delivery import relay_outbox

        as_of = options["as_of"]
        if as_of:
            try:
                dt.date.fromisoformat(as_of)
            except ValueError as error:
                raise CommandError(f"--as-of must be a date YYYY-MM-DD, not {as_of!r}.") from error
        batch_size = options["batch_size"]
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        organizations = Organization.objects.order_by("slug")
        if options["org"]:
            organizations = organizations.filter(slug=options["org"])
            if not organizations.exists():
                raise CommandError(f"No organisation with the slug {options['org']!r}.")
        if not options["wait"]:
            only = organizations.get() if options["org"] else None
            run = variance_start(organization=only, as_of=as_of, batch_size=batch_size or BATCH_SIZE)
            scope = only.slug if only is not None else "Every organisation"
            self.stdout.write(f"{scope}: variance run queued (run {run.pk}, {run.batch_count} batches).")
            return
        for organization in organizations:
            day = dt.date.fromisoformat(as_of) if as_of else organization.today()
            report = variance_run(organization=organization, as_of=day, batch_size=batch_size or BATCH_SIZE)
            alerts = report.alerts
            self.stdout.write(
                f"{organization.slug} as of {day}: {report.projects} projects, {report.snapshots} snapshots; "
                f"alerts opened {alerts.opened}, updated {alerts.updated} (escalated {alerts.escalated}), "
                f"resolved {alerts.resolved}; {alerts.notifications} notifications, {alerts.messages} messages queued."
            )
        relayed = relay_outbox()
        self.stdout.write(f"Outbox: {relayed.sent} sent, {relayed.retrying} to retry, {relayed.failed} failed.")

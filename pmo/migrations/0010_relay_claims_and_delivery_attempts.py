"""The relay claims a message with a token and a lease before sending it; the webhook delivery log
becomes the log of every delivery attempt, e-mails included, written before each attempt."""

import django.db.models.deletion
from django.db import migrations, models


def outcomes_of_logged_calls(apps, schema_editor):
    """The calls logged so far were logged once they had answered: delivered on a 2xx, else failed."""
    DeliveryAttempt = apps.get_model("pmo", "DeliveryAttempt")
    DeliveryAttempt.objects.filter(status_code__gte=200, status_code__lt=300).update(outcome="delivered")
    DeliveryAttempt.objects.exclude(outcome="delivered").update(outcome="failed")
    DeliveryAttempt.objects.update(finished_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("pmo", "0009_queued_task"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="claim_token",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="lease_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed until"),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="status",
            field=models.CharField(
                choices=[("pending", "Pending"), ("claimed", "Being sent"), ("sent", "Sent"), ("failed", "Failed")],
                default="pending",
                max_length=8,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="outboxmessage",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "claimed"), _negated=True)
                | models.Q(("claim_token__isnull", False), ("lease_until__isnull", False)),
                name="outbox_claim_has_token_and_lease",
            ),
        ),
        migrations.RenameModel(old_name="WebhookDelivery", new_name="DeliveryAttempt"),
        migrations.AlterModelOptions(
            name="deliveryattempt",
            options={
                "ordering": ["-created_at", "-id"],
                "verbose_name": "delivery attempt",
                "verbose_name_plural": "delivery attempts",
            },
        ),
        migrations.AddField(
            model_name="deliveryattempt",
            name="channel",
            field=models.CharField(
                choices=[("email", "E-mail"), ("webhook", "Webhook")],
                default="webhook",
                max_length=8,
                verbose_name="channel",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="deliveryattempt",
            name="claim_token",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="deliveryattempt",
            name="outcome",
            field=models.CharField(
                choices=[("started", "Outcome unknown"), ("delivered", "Delivered"), ("failed", "Failed")],
                default="started",
                max_length=10,
                verbose_name="attempt outcome",
            ),
        ),
        migrations.AddField(
            model_name="deliveryattempt",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
        ),
        migrations.AlterField(
            model_name="deliveryattempt",
            name="webhook",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="pmo.webhook",
            ),
        ),
        migrations.AddConstraint(
            model_name="deliveryattempt",
            constraint=models.CheckConstraint(
                condition=models.Q(("channel", "email")) | models.Q(("webhook__isnull", False)),
                name="delivery_attempt_webhook_named",
            ),
        ),
        migrations.RunPython(outcomes_of_logged_calls, migrations.RunPython.noop),
    ]

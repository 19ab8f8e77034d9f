"""The subject types of alerts are registered by the apps: a plain code, checked against the registry."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pmo", "0007_alert_kind_plain_string"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="subject_type",
            field=models.CharField(max_length=16, verbose_name="subject type"),
        ),
    ]

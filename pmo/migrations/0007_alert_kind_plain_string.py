"""Alert kinds are registered by the apps: the kind is a plain code, checked against the registry."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pmo", "0006_attachments"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="kind",
            field=models.CharField(max_length=32, verbose_name="rule"),
        ),
        migrations.AlterField(
            model_name="alertrule",
            name="kind",
            field=models.CharField(max_length=32, verbose_name="rule"),
        ),
    ]

from __future__ import annotations

from django.apps import AppConfig


class DevServerConfig(AppConfig):
    """Listed before django.contrib.staticfiles so that its runserver is the one that runs."""

    name = "pmo.devserver"
    label = "pmo_devserver"
    verbose_name = "Development server"

"""Quick start: SQLite under var/, eager Celery unless REDIS_URL is set, a generated secret."""

from __future__ import annotations

import os
import secrets

from pmo.settings.base import *  # noqa: F403
from pmo.settings.base import VAR_DIR, env_bool


def _quick_start_secret() -> str:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = SECRET_KEY or _quick_start_secret()
DEBUG = env_bool("DEBUG", True)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
PMO_PROFILE = "dev"

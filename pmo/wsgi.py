import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.dev")

application = get_wsgi_application()

from pmo.checks import assert_production_ready  # noqa: E402

assert_production_ready()

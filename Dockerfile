# One image for the web, worker and beat services; docker-compose.yml picks the command.
FROM python:3.11-slim

# The wheel of this project carries only Python modules (no templates/, static files or
# catalogues), and the settings find those relative to the source tree. PYTHONPATH makes
# every process (gunicorn, celery, manage.py) import the code in /app, not the installed copy.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=pmo.settings.production \
    PMO_VAR_DIR=/app/var \
    WEB_CONCURRENCY=3

WORKDIR /app

# WeasyPrint (the PDF reports) draws with Pango; a CJK font so that Chinese prints as text, not boxes.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-noto-cjk fontconfig \
    && rm -rf /var/lib/apt/lists/*

# Dependencies get their own layer, so that a change to the code does not reinstall them.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Copied one by one so that .venv, var/ (the quick-start database and secret) and .env stay out.
# A new top-level app needs a line here.
COPY manage.py ./
COPY pmo pmo
COPY projects projects
COPY resources resources
COPY risks risks
COPY quality quality
COPY finance finance
COPY maintenance maintenance
COPY dashboard dashboard
COPY templates templates
RUN pip install -c constraints.txt . \
    && rm -rf build ./*.egg-info

# The production profile refuses to load without SECRET_KEY, so this RUN step alone gets a
# throwaway one. collectstatic runs only the staticfiles checks (not pmo.E001-E003) and opens
# no database, so it needs neither DATABASE_URL nor REDIS_URL.
RUN SECRET_KEY=collectstatic-at-build-time-only python manage.py collectstatic --noinput

# celery beat keeps its schedule state in /app/var/celery (a volume in docker-compose.yml).
RUN groupadd --system --gid 10001 pmo \
    && useradd --system --uid 10001 --gid pmo --home-dir /app --no-create-home --shell /usr/sbin/nologin pmo \
    && mkdir -p /app/var/celery \
    && chown pmo:pmo /app/var/celery
USER pmo

EXPOSE 8000

# /healthz only says the process answers. The Host header is 127.0.0.1, so ALLOWED_HOSTS must
# keep 127.0.0.1. Worker and beat containers override or disable this in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# gunicorn reads its number of workers from WEB_CONCURRENCY.
CMD ["gunicorn", "pmo.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]

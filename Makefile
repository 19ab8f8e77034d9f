# The two commands of the README:
#   make run    install everything into .venv, migrate, load the demo, serve http://127.0.0.1:8000
#   make test   install everything into .venv and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes: one per CPU (pytest-xdist); PYTEST_WORKERS=0 runs the suite in this process.
PYTEST_WORKERS ?= auto

.PHONY: run test install pdf-system check lint layers typecheck migrations-check messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) pdf-system

# The PDF reports (WeasyPrint) need Pango and a CJK font, or Chinese prints as boxes: installed with
# apt-get when missing and this is root (as .ci/run does), otherwise a hint says what to install;
# the tests read the PDFs back with poppler's pdftotext.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk poppler-utils
pdf-system:
	@if fc-list 2>/dev/null | grep -qi "noto.*cjk\|wqy\|source han" && ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 \
			&& command -v pdftotext >/dev/null 2>&1; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Pango and a CJK font for the PDF reports: $(PDF_PACKAGES)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; \
	else \
		echo "Note: the PDF reports need Pango and a CJK font; install them with"; \
		echo "  sudo apt-get install $(PDF_PACKAGES)   (Debian/Ubuntu)"; \
	fi

# Links in the e-mails that seeding and the server send point to where the server listens.
run: export PMO_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Open http://$(HOST):$(PORT)/ and sign in with one of the logins above."
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The layers declared in pyproject.toml ([tool.importlinter]; ARCHITECTURE.md, "Layers").
layers: install
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy .

migrations-check: install
	DJANGO_SETTINGS_MODULE=pmo.settings.test DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run

check: lint layers typecheck migrations-check

# Needs gettext (apt-get install gettext); the compiled catalogue is committed.
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*'
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore '.venv/*'

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache

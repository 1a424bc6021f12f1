# Hosen. `make run` serves it with demo data on SQLite; `make test` runs the whole test suite.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
PORT ?= 8000
# uv from PATH, else as a module of the machine's Python (installed there on first use).
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)

.PHONY: run test install uv lint messages bench

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

install: uv
	$(UV) sync --frozen

run: install
	$(UV) run python manage.py migrate --noinput
	$(UV) run python manage.py load_model_content
	$(UV) run python manage.py load_skills
	$(UV) run python manage.py load_kpi_templates
	$(UV) run python manage.py load_demo
	$(UV) run python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(UV) run pytest -q

lint: install
	$(UV) run ruff check .

# Re-extract the interface strings and compile the catalogs (commit both .po and .mo).
messages: install
	cd hosen && ../.venv/bin/python ../manage.py makemessages -l he -l ar -l en --no-obsolete --no-location -i "*/tests/*"
	.venv/bin/python manage.py compilemessages -l he -l ar -l en -i .venv

bench: install
	$(UV) run python bench/run.py

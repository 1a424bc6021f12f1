# Hosen. `make run` serves it with demo data on SQLite; `make dev` for development; `make test` runs the whole test suite.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
PORT ?= 8000
# uv from PATH, else as a module of the machine's Python (installed there on first use).
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)

.PHONY: run dev test test-api-schema install checkers uv lint messages bench bench-signin bench-signin-postgres

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

install: uv
	$(UV) sync --frozen

# Only the tests need these: `make run` never downloads them.
checkers: $(if $(shell command -v npm 2>/dev/null),node_modules/.package-lock.json)

# The page checkers the browser tests run (axe-core, the Nu Html Checker; package.json), when npm is here:
# installed again only when package.json or its lock changed. Their install scripts are not needed (Java is Debian's).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts

# Served as production serves it (debug off, gunicorn, compressed static files, a secret key of its own), with the
# demo data, on http://127.0.0.1:$(PORT): see hosen/serve.py.
run: install
	PORT=$(PORT) $(UV) run python -m hosen.serve

# For developing Hosen: Django's debug server, which reloads on every change and explains every error.
dev: export HOSEN_DEBUG := true
dev: install
	$(UV) run python manage.py migrate --noinput
	$(UV) run python manage.py load_model_content
	$(UV) run python manage.py load_skills
	$(UV) run python manage.py load_kpi_templates
	$(UV) run python manage.py load_demo
	$(UV) run python manage.py runserver 127.0.0.1:$(PORT)

test: install checkers
	$(UV) run pytest -q

# schemathesis against the live API as the demo's manager and viewer (some six minutes; .ci/run runs it).
test-api-schema: install
	$(UV) run pytest -q -m fuzz tests/test_api_schema_fuzz.py

lint: install
	$(UV) run ruff check .

# Re-extract the interface strings and compile the catalogs (commit both .po and .mo).
messages: install
	cd hosen && ../.venv/bin/python ../manage.py makemessages -l he -l ar -l en --no-obsolete --no-location -i "*/tests/*"
	.venv/bin/python manage.py compilemessages -l he -l ar -l en -i .venv

bench: install
	$(UV) run python bench/run.py

# A morning's sign-ins under load (bench/README.md): 200 people, gunicorn with 4 workers; run on a quiet machine.
bench-signin: install
	$(UV) run python bench/signin.py --backend sqlite

bench-signin-postgres: install
	$(UV) run python bench/signin.py --backend postgresql

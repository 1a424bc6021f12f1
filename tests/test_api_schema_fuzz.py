"""schemathesis against the live API: every operation of the schema, called with generated valid and invalid
requests and in stateful sequences (a create's Location and id feeding the reads and edits after it), as the
demo's manager (read and write) and as its viewer. No answer may be a server error or disagree with the schema:
its status codes, content types, headers and bodies.

The server is the real WSGI stack on a live port (pytest-django's live_server) over the test database, with the
demo loaded. `positive_data_acceptance` is left out: it expects every schema-valid body to be accepted, and
Hosen refuses some on rules a schema cannot state (a name already taken, a site id that is not the authority's,
a blank description) — with a 422 that names the field, which the other checks do verify."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from hosen.api.tests.conftest import make_token

SCHEMATHESIS = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
pytestmark = [pytest.mark.fuzz,
              pytest.mark.skipif(SCHEMATHESIS is None and not os.environ.get("CI"), reason="schemathesis is missing")]


@pytest.fixture
def demo(transactional_db, settings):
    settings.RATELIMIT_API = "1000000/m"
    for command in ("load_model_content", "load_skills", "load_kpi_templates", "load_demo"):
        call_command(command, verbosity=0)


def _fuzz(live_server, tmp_path, token, *, phases, max_examples, checks="all"):
    report = tmp_path / "report.json"
    # Every operation is called on the demo's authority (a random slug would only ever find 404); the records in
    # it are found by the generated ids and through the links of the stateful phase.
    config = tmp_path / "schemathesis.toml"
    config.write_text('[parameters]\nslug = "neve-hadgama"\n')
    command = [SCHEMATHESIS, "--config-file", str(config), "run", f"{live_server.url}/api/v1/openapi.json",
               "--header", f"Authorization: Bearer {token}",
               "--checks", checks, "--exclude-checks", "positive_data_acceptance",
               "--phases", phases, "--max-examples", str(max_examples), "--workers", "1",
               "--seed", "20261206", "--request-timeout", "30", "--suppress-health-check", "all",
               "--report", "junit", "--report-dir", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603
    assert done.returncode == 0, done.stdout[-12000:] + done.stderr[-3000:]
    assert "API Operations" in done.stdout
    report.write_text(json.dumps({"stdout": done.stdout[-2000:]}))
    return done.stdout


@pytest.mark.django_db(transaction=True)
def test_the_api_holds_to_its_schema_for_a_manager(demo, live_server, tmp_path):
    from hosen.accounts.models import User

    _token, text = make_token(User.objects.get(email="manager@example.org"), name="schemathesis")
    output = _fuzz(live_server, tmp_path, text, phases="examples,coverage,fuzzing,stateful", max_examples=10)
    assert "Stateful" in output


@pytest.mark.django_db(transaction=True)
def test_the_api_holds_to_its_schema_for_a_viewer(demo, live_server, tmp_path):
    from hosen.accounts.models import User

    _token, text = make_token(User.objects.get(email="viewer@example.org"), name="schemathesis", can_write=False)
    _fuzz(live_server, tmp_path, text, phases="fuzzing", max_examples=10)

"""Production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _environ():
    # The test run allows the ORM in Playwright's event loop; a deployment never does.
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


PRODUCTION = {
    "HOSEN_DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "hosen.example.org",
    "DJANGO_SETTINGS_MODULE": "hosen.settings",
}
# What a deployment's own environment may hold that the cases below decide for themselves.
DECIDED_HERE = {"REDIS_URL", "HOSEN_TLS", "SITE_URL", "SECRET_KEY_FILE", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL"}


def _run(env, *command):
    base = {k: v for k, v in _environ().items() if k not in DECIDED_HERE}
    return subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env={**base, **env},  # noqa: S603
                          capture_output=True, text=True, timeout=120)


def _assert_deploy_check_clean(env):
    result = _run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _settings(env, expression):
    """The value of `expression` (over `settings`) in a process started with `env`."""
    result = _run(env, "shell", "-c", f"from django.conf import settings; print(repr({expression}))")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after the shell's note on what it imported


def test_check_deploy_is_clean_with_production_settings():
    _assert_deploy_check_clean({**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/0"})


def test_check_deploy_is_clean_in_production_without_redis():
    # The rate limits then count in the database's cache table, shared by every app process.
    _assert_deploy_check_clean(PRODUCTION)
    assert "DatabaseCache" in _settings(PRODUCTION, "settings.CACHES")


def test_make_runs_plain_http_on_this_machine_passes_the_deploy_check(tmp_path):
    from hosen.serve import ensure_secret_key, local_environment

    env = local_environment({"SECRET_KEY_FILE": str(tmp_path / "key")})
    ensure_secret_key(tmp_path / "key")
    assert env["HOSEN_TLS"] == "false" and env["ALLOWED_HOSTS"] == "127.0.0.1,localhost"
    _assert_deploy_check_clean(env)
    assert _settings(env, "(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
                          "settings.SECURE_SSL_REDIRECT)") == "(False, False, False, False)"


def test_make_run_with_a_tls_host_name_sets_every_tls_protection(tmp_path):
    from hosen.serve import ensure_secret_key, local_environment

    env = local_environment({"SECRET_KEY_FILE": str(tmp_path / "key"), "SITE_URL": "https://hosen.example.org"})
    ensure_secret_key(tmp_path / "key")
    assert env["HOSEN_TLS"] == "true" and env["ALLOWED_HOSTS"] == "hosen.example.org"
    assert env["CSRF_TRUSTED_ORIGINS"] == "https://hosen.example.org"
    _assert_deploy_check_clean(env)
    assert _settings(env, "(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
                          "settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS)"
                     ) == "(False, True, True, True, 31536000)"


def test_plain_http_is_refused_for_a_host_name_other_than_this_machines():
    result = _run({**PRODUCTION, "HOSEN_TLS": "false"}, "check")
    assert result.returncode != 0
    assert "HOSEN_TLS=false serves plain HTTP, which is for this machine only" in result.stderr
    assert "hosen.example.org" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**_environ(), "HOSEN_DEBUG": "false", "SECRET_KEY": "", "DJANGO_SETTINGS_MODULE": "hosen.settings"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr

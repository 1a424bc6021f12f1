"""`make run`: Hosen on this machine, served the way production serves it, with one command.

    python -m hosen.serve          (what `make run` runs; PORT, SQLITE_PATH, SECRET_KEY_FILE, STATIC_ROOT may be set)

1. The environment: production mode (HOSEN_DEBUG=false), this machine's host names, plain HTTP until SITE_URL
   names an https:// address (then HOSEN_TLS=true and that host name). A variable already set is kept, so
   everything stays configurable the way README's deployment table says.
2. The secret key: made once into a file outside git (.hosen-secret-key, readable by its owner only) and read
   from there on every later run; SECRET_KEY, when set, wins.
3. The database (migrations, the working model, the vocabularies, the demo data — each loads once), the cache
   table the rate limits count in when there is no Redis, and the static files: hashed names, gzip and brotli.
4. gunicorn in place of this process (settings in hosen/gunicorn.conf.py), so Ctrl-C reaches it directly.
"""

import os
import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = Path(__file__).resolve().parent / "gunicorn.conf.py"
DEFAULT_SECRET_KEY_FILE = BASE_DIR / ".hosen-secret-key"
# Gunicorn listens on 127.0.0.1 only (hosen/gunicorn.conf.py): these are the names a browser here uses for it.
THIS_MACHINE = "127.0.0.1,localhost"


def local_environment(environ: dict[str, str]) -> dict[str, str]:
    """The environment `make run` serves with: `environ` with Hosen's defaults for a machine of its own."""
    env = dict(environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "hosen.settings")
    env.setdefault("HOSEN_DEBUG", "false")
    env["PORT"] = env.get("PORT") or "8000"
    site = urlsplit(env.setdefault("SITE_URL", f"http://127.0.0.1:{env['PORT']}"))
    tls = site.scheme == "https"
    # Behind a TLS proxy for its own host name, Hosen answers that name only and sets every TLS protection
    # (HTTPS redirect, secure cookies, HSTS). Before that, plain HTTP to a browser on this machine; settings.py
    # allows plain HTTP only for this machine's own names.
    env.setdefault("HOSEN_TLS", "true" if tls else "false")
    env.setdefault("ALLOWED_HOSTS", site.hostname if tls else THIS_MACHINE)
    if tls:
        env.setdefault("CSRF_TRUSTED_ORIGINS", f"https://{site.netloc}")
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY_FILE"] = env.get("SECRET_KEY_FILE") or str(DEFAULT_SECRET_KEY_FILE)
    env.setdefault("PYTHONUNBUFFERED", "1")  # log lines appear as they happen
    return env


def ensure_secret_key(path: Path) -> bool:
    """Make the secret key file when there is none (True), else keep the one there. Readable by its owner only."""
    if path.exists():
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)  # whoever can read the key can sign sessions as anyone
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a temporary name (mkstemp makes it 0600), then linked to its name: a reader never sees
    # half a key, and of two runs started at once the first key stays and the second run uses it.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: create the name exclusively and write it
            return _create_exclusively(path, Path(temporary).read_text())
    finally:
        os.unlink(temporary)
    return True


def _create_exclusively(path: Path, content: str) -> bool:
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(handle, "w") as file:
        file.write(content)
    return True


def prepare() -> None:
    """The database, the cache table and the static files, in this process (one start of Django for all)."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", interactive=False)
    call_command("createcachetable")  # the rate limits' counters when REDIS_URL is not set (see settings.py)
    call_command("load_model_content")
    call_command("load_skills")
    call_command("load_kpi_templates")
    # The demo's sign-ins have a published password: loaded only while Hosen serves this machine alone.
    if not settings.HOSEN_TLS:
        call_command("load_demo")
    else:
        refuse_known_demo_passwords()
    call_command("collectstatic", interactive=False)
    connections.close_all()


def refuse_known_demo_passwords() -> None:
    """With a public host name, the demo's sign-ins (their password is in the README) must not work."""
    from django.contrib.auth import get_user_model

    from hosen.tenancy.demo import DEMO_PASSWORD, SIGN_INS

    emails = [email for email, _name, _role in SIGN_INS]
    open_doors = [user.email for user in get_user_model().objects.filter(email__in=emails)
                  if user.check_password(DEMO_PASSWORD)]
    if open_doors:
        raise SystemExit(
            "Refusing to serve a TLS host name while demo sign-ins still have the demo password: "
            + ", ".join(open_doors) + ". Start from a fresh database (SQLITE_PATH or DATABASE_URL), or change "
            "their passwords in the admin while serving on this machine only (without SITE_URL).")


def serve(environ: dict[str, str]) -> None:
    env = local_environment(environ)
    if env.get("SECRET_KEY_FILE") and ensure_secret_key(Path(env["SECRET_KEY_FILE"])):
        print(f"Made a new secret key in {env['SECRET_KEY_FILE']} (keep it; it is not in git).")
    os.environ.clear()
    os.environ.update(env)
    prepare()
    print(f"\nHosen is at {env['SITE_URL']} — Ctrl-C stops it.\n", flush=True)
    # In place of this process: Ctrl-C and a service manager's SIGTERM reach gunicorn itself. No shell, fixed args.
    os.execve(sys.executable,  # noqa: S606
              [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG), "hosen.wsgi"], env)


if __name__ == "__main__":
    try:
        serve(dict(os.environ))
    except KeyboardInterrupt:
        sys.exit(130)  # Ctrl-C while preparing: nothing half-done matters, each step is safe to run again

"""Hosen's page benchmark at national scale: server time, SQL queries and page weight of the main pages.

    uv run python bench/run.py                       # SQLite, bench/results/bench.sqlite3
    uv run python bench/run.py --postgres            # PostgreSQL, database hosen_bench on 127.0.0.1
    uv run python bench/run.py --database-url URL    # any database (DATABASE_URL in the environment works too)

It migrates the database, loads the model content and generates the national network (or reuses it
when it is already there; --fresh starts from an empty database), then requests each page with
django.test.Client in this process, as a signed-in user, and measures each request around the whole
middleware stack. It reports against the budgets in docs/engineering.md and flags the misses; it does
not fail on them. It exits 1 only when a page does not answer 200. See bench/README.md.
"""

import argparse
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/hosen_bench"
KB = 1024

BUDGET = {"median_ms": 50, "p95_ms": 150, "first_load_kb": 60, "later_page_kb": 25}
# The API's lists (issue: list endpoints at national-tenant size): JSON, so no page weight.
API_BUDGET = {"median_ms": 30, "p95_ms": 100}

# (name, path, who, URL name): "admin" is the network admin; "manager" the manager of a random authority in
# an open emergency, chosen afresh for every request. {n} is a random round of that emergency, {need} a
# random open need of it. The URL name is checked against the path before measuring (see check_pages).
PAGES = [
    ("network", "/network/", "admin", "tenancy:network"),
    ("home", "/a/{slug}/", "manager", "workmodel:home"),
    ("checklist", "/a/{slug}/checklist/", "manager", "workmodel:checklist"),
    ("checklist evidence", "/a/{slug}/checklist/evidence/", "manager", "workmodel:checklist_evidence"),
    ("stage 2", "/a/{slug}/stages/2/", "manager", "workmodel:stage"),
    ("rounds", "/a/{slug}/rounds/", "manager", "workmodel:rounds"),
    ("round n", "/a/{slug}/rounds/{n}/", "manager", "workmodel:round"),
    ("emergencies", "/a/{slug}/emergencies/", "manager", "workmodel:emergencies"),
    ("history", "/a/{slug}/history/", "manager", "audit:history"),
    ("checkin", "/a/{slug}/checkin/", "manager", "workmodel:checkin"),
    # Stage 2: listening to the field.
    ("sites", "/a/{slug}/sites/", "manager", "field:sites"),
    ("needs", "/a/{slug}/needs/", "manager", "field:needs"),
    ("links", "/a/{slug}/links/", "manager", "field:links"),
    ("pulses", "/a/{slug}/pulses/", "manager", "field:pulses"),
    # Stage 3: resources.
    ("people", "/a/{slug}/people/", "manager", "resources:people"),
    ("facilities", "/a/{slug}/facilities/", "manager", "resources:facilities"),
    ("channels", "/a/{slug}/channels/", "manager", "resources:channels"),
    ("funding", "/a/{slug}/funding/", "manager", "resources:funding"),
    ("matching", "/a/{slug}/matching/", "manager", "resources:matching"),
    ("need matches", "/a/{slug}/needs/{need}/matches/", "manager", "resources:need_matches"),
    ("assign plan", "/a/{slug}/matching/plan/", "manager", "resources:plan"),
    ("donors", "/a/{slug}/donors/", "manager", "resources:donors"),
    # Stage 4: the work plan, KPIs and the situation room.
    ("activities", "/a/{slug}/plan/", "manager", "plan:activities"),
    ("kpis", "/a/{slug}/plan/kpis/", "manager", "plan:kpis"),
    ("room", "/a/{slug}/room/", "manager", "situation:room"),
    ("updates", "/a/{slug}/room/updates/", "manager", "situation:updates"),
    # The accompanying axis and design thinking.
    ("partners", "/a/{slug}/partners/", "manager", "partners:list"),
    ("achievements", "/a/{slug}/axis/achievements/", "manager", "partners:achievements"),
    ("initiatives", "/a/{slug}/initiatives/", "manager", "initiatives:board"),
    # The API's lists, as another system calls them: the manager's personal access token, a page of 50.
    ("api needs", "/api/v1/authorities/{slug}/needs/", "token", "api-v1:needs"),
    ("api sites", "/api/v1/authorities/{slug}/sites/", "token", "api-v1:sites"),
    ("api people", "/api/v1/authorities/{slug}/people/", "token", "api-v1:people"),
]
ALWAYS_LOADED = ["hosen/hosen.css"]  # htmx comes from {% htmx_script %}, whose file name follows its version


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                       help="database to run on (default: $DATABASE_URL, else SQLite under bench/results/)")
    where.add_argument("--postgres", action="store_true", help=f"shortcut for --database-url {POSTGRES_URL}")
    parser.add_argument("--requests", type=int, default=30, help="measured requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per page first (default 3)")
    parser.add_argument("--authorities", type=int, default=260, help="size of the generated network (default 260)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generator and of the page picks")
    parser.add_argument("--fresh", action="store_true",
                        help="start from an empty database: delete the SQLite file / drop and recreate hosen_bench")
    parser.add_argument("--debug", action="store_true",
                        help="keep DEBUG on (default: off, as in production, so templates are not in debug mode)")
    parser.add_argument("--output", help="JSON file to write (default bench/results/latest-<backend>.json, "
                                         "or rerun-<backend>.json with --pages)")
    parser.add_argument("--pages", default="",
                        help="measure only these pages, by name, separated by commas (e.g. 'people,room'): "
                             "to rerun a page that missed a budget")
    args = parser.parse_args()
    known = {name for name, *_rest in PAGES}
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = sorted(set(args.pages) - known)
    if unknown:
        parser.error(f"unknown pages {unknown}; known: {', '.join(name for name, *_rest in PAGES)}")
    return args


# ---- the database -------------------------------------------------------------------------------


def prepare_postgres(url: str, fresh: bool):
    """Create the benchmark database when it is missing (and drop it first with --fresh)."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = conninfo_to_dict(url).get("dbname")
    if not name:
        raise SystemExit(f"No database name in {url}")
    if fresh and "bench" not in name:
        raise SystemExit(f"--fresh drops the database; refusing for {name!r}, whose name does not say 'bench'")
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created PostgreSQL database {name}.")


def choose_database(args) -> str:
    """Point the settings at the benchmark database, before django.setup()."""
    url = POSTGRES_URL if args.postgres else args.database_url
    if url:
        if url.startswith(("postgres://", "postgresql://")):
            prepare_postgres(url, args.fresh)
        os.environ["DATABASE_URL"] = url
        return url
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "bench.sqlite3"
    if args.fresh:
        for leftover in RESULTS.glob("bench.sqlite3*"):
            leftover.unlink()
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = str(path)
    return f"sqlite:///{path}"


def setup_django(args):
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "hosen.settings"
    import django
    from django.conf import settings

    # Every request of the run comes through a handful of tokens: the API's per-token limit would answer 429.
    os.environ.setdefault("RATELIMIT_API", "1000000/m")
    # WhiteNoise warns that STATIC_ROOT was never collected; the pages do not need it here.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    # Before the first template is rendered, so the engine is built without template debugging.
    settings.DEBUG = args.debug


def prepare_data(args) -> tuple[float | None, dict]:
    """Migrate, load the model content, generate the national network; (seconds to generate or None)."""
    from django.core.management import call_command
    from django.db import connection

    from hosen.tenancy import national

    quiet = StringIO()
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
    call_command("load_model_content", stdout=quiet)
    print(f"Migrated and loaded the model content in {time.perf_counter() - started:.1f} s.")
    seconds = None
    if national.exists():
        print("The national network is already there: reusing it (--fresh to regenerate).")
    else:
        started = time.perf_counter()
        call_command("generate_national", authorities=args.authorities, seed=args.seed, stdout=quiet)
        seconds = time.perf_counter() - started
        print(f"Generated the national network ({args.authorities} authorities) in {seconds:.1f} s.")
    if connection.vendor == "postgresql":
        # Bulk-loaded tables have no planner statistics until autovacuum gets to them; a live database has.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return seconds, national.counts()


# ---- measuring ------------------------------------------------------------------------------------


def targets():
    """Authorities in an open emergency: (slug, manager, number of rounds, [pks of its open needs])."""
    from django.db.models import Max
    from django_scopes import scopes_disabled

    from hosen.accounts.models import Membership, Role
    from hosen.field.models import Need, NeedStatus
    from hosen.tenancy import national
    from hosen.workmodel.models import Emergency, Phase

    managers = {m.authority_id: m.user for m in Membership.objects.filter(
        role=Role.MANAGER, authority__cluster__network__slug=national.NETWORK_SLUG).select_related("user")}
    with scopes_disabled():
        open_ones = list(Emergency.objects.filter(authority__cluster__network__slug=national.NETWORK_SLUG)
                         .exclude(phase=Phase.CLOSED).annotate(last=Max("rounds__number"))
                         .values_list("pk", "authority_id", "authority__slug", "last"))
        open_needs: dict[int, list[int]] = {}
        for emergency_id, pk in (Need.objects.filter(emergency__in=[e[0] for e in open_ones],
                                                     status=NeedStatus.OPEN)
                                 .order_by("pk").values_list("emergency_id", "pk")):
            open_needs.setdefault(emergency_id, []).append(pk)
        found = [(slug, managers[authority_id], last or 1, open_needs.get(emergency_id, []))
                 for emergency_id, authority_id, slug, last in open_ones if authority_id in managers]
    if not found:
        raise SystemExit("No authority of the national network has an open emergency.")
    return sorted(found, key=lambda t: t[0])


def check_pages(pages, picks):
    """Each page's path resolves to the URL name it claims, so a moved URL fails here and not as 404s."""
    from django.urls import Resolver404, resolve

    slug, _user, _rounds, needs = picks[0]
    for name, pattern, _who, url_name in pages:
        path = pattern.format(slug=slug, n=1, need=needs[0] if needs else 1)
        try:
            found = resolve(path).view_name
        except Resolver404:
            found = None
        if found != url_name:
            raise SystemExit(f"Page {name!r}: {path} resolves to {found!r}, not {url_name!r}: update PAGES.")


def percentile(values, share):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def asset_weights(html: str, cache: dict) -> dict[str, int]:
    """Gzipped size of every static file the page loads (found by the staticfiles finders)."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.utils.text import compress_string

    prefix = re.escape(settings.STATIC_URL)
    paths = set(ALWAYS_LOADED) | set(re.findall(rf'(?:href|src)="{prefix}([^"?#]+)', html))
    if not any("htmx" in path for path in paths):
        print("  warning: the page loads no htmx script")
    weights = {}
    for path in sorted(paths):
        if path not in cache:
            found = finders.find(path)
            cache[path] = len(compress_string(Path(found).read_bytes())) if found else None
        if cache[path] is None:
            print(f"  warning: static file {path} not found")
            continue
        weights[path] = cache[path]
    return weights


def measure(args, admin, picks) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils.text import compress_string

    rng = random.Random(args.seed)
    clients = {}

    def client_for(user, token=False):
        key = (user.pk, token)
        if key not in clients:
            headers = {}
            if token:
                from datetime import timedelta

                from django.utils import timezone

                from hosen.api import tokens

                _token, text = tokens.issue(user, name="bench", can_write=False, authority=None,
                                            expires_at=timezone.now() + timedelta(hours=2))
                headers["HTTP_AUTHORIZATION"] = f"Bearer {text}"
            client = Client(raise_request_exception=False, **headers)  # a failing page is reported, not fatal
            # One middleware chain for every user, as one server process has. Each Client builds its own on its
            # first request, and WhiteNoise's start-up scan of a collected STATIC_ROOT (thousands of files) then
            # landed in the first request of every manager: some 25 ms on most measured requests, which no real
            # request pays.
            if clients:
                client.handler = next(iter(clients.values())).handler
            if not token:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            clients[key] = client
        return clients[key]

    static_cache: dict = {}
    results = {}
    for name, pattern, who, _url_name in pages(args):
        samples = []
        # A page about one open need picks among the authorities that have one.
        candidates = [p for p in picks if p[3]] if "{need}" in pattern else picks
        for i in range(args.warmup + args.requests):
            if who == "admin":
                user, url = admin, pattern
            else:
                slug, user, rounds, needs = rng.choice(candidates)
                url = pattern.format(slug=slug, n=rng.randint(1, rounds), need=rng.choice(needs) if needs else 0)
            client = client_for(user, token=who == "token")
            # The log keeps only the last 9,000 queries; past that, CaptureQueriesContext miscounts.
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
                cpu = (time.process_time() - cpu_started) * 1000
            if i < args.warmup:
                continue
            body = response.content
            error = getattr(response, "exc_info", None)
            samples.append({"url": url, "ms": elapsed, "cpu_ms": cpu, "status": response.status_code,
                            "queries": len(queries.captured_queries), "html": len(body),
                            "html_gz": len(compress_string(body)), "body": body,
                            "error": f"{error[0].__name__}: {error[1]}" if error else ""})
        results[name] = summarise(name, pattern, samples, static_cache)
        # The machine's load while the page was measured: a miss under a high load is worth a rerun.
        results[name]["load_average"] = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    return results


def pages(args):
    return [page for page in PAGES if not args.pages or page[0] in args.pages]


def summarise(name, pattern, samples, static_cache) -> dict:
    times = [s["ms"] for s in samples]
    queries = [s["queries"] for s in samples]
    html_gz = [s["html_gz"] for s in samples]
    biggest = max((s for s in samples if s["status"] == 200), key=lambda s: s["html_gz"], default=samples[0])
    api = pattern.startswith("/api/")
    assets = {} if api else asset_weights(biggest["body"].decode("utf-8", "replace"), static_cache)
    budget = API_BUDGET if api else BUDGET
    bad = [(s["url"], s["status"], s["error"]) for s in samples if s["status"] != 200]
    row = {
        "path": pattern,
        "requests": len(samples),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
        # This process's CPU time only (not the database server's): steadier on a busy machine.
        "cpu_median_ms": round(statistics.median(s["cpu_ms"] for s in samples), 1),
        "queries_min": min(queries),
        "queries_median": statistics.median(queries),
        "queries_max": max(queries),
        "html_kb_median": round(statistics.median(s["html"] for s in samples) / KB, 1),
        "html_kb_max": round(max(s["html"] for s in samples) / KB, 1),
        "html_gz_kb_median": round(statistics.median(html_gz) / KB, 1),
        "html_gz_kb_max": round(max(html_gz) / KB, 1),
        # The heaviest page of the sample, with everything it loads, as a first visit would fetch it.
        "first_load_gz_kb": round((biggest["html_gz"] + sum(assets.values())) / KB, 1),
        "assets_gz_bytes": assets,
        "non_200": bad,
    }
    misses = []
    if row["median_ms"] >= budget["median_ms"]:
        misses.append(f"median ≥ {budget['median_ms']} ms")
    if row["p95_ms"] >= budget["p95_ms"]:
        misses.append(f"p95 ≥ {budget['p95_ms']} ms")
    if not api and row["first_load_gz_kb"] > BUDGET["first_load_kb"]:
        misses.append(f"first load > {BUDGET['first_load_kb']} KB gz")
    if not api and row["html_gz_kb_max"] > BUDGET["later_page_kb"]:
        misses.append(f"HTML > {BUDGET['later_page_kb']} KB gz")
    if not api and row["html_kb_max"] > BUDGET["later_page_kb"]:
        misses.append(f"(uncompressed HTML > {BUDGET['later_page_kb']} KB)")
    if row["queries_max"] != row["queries_min"]:
        misses.append(f"(queries vary {row['queries_min']}–{row['queries_max']}: check they do not grow with rows)")
    if bad:
        misses.append(f"{len(bad)} responses not 200, e.g. {bad[0]}")
    row["flags"] = misses
    return row


# ---- reporting ------------------------------------------------------------------------------------


def print_counts(counts):
    """The rows of each register (history rows left out: there are as many), a few to a line."""
    rows = [f"{name.split('.')[-1]} {n:,}" for name, n in counts.items() if not name.endswith("(history)") and n]
    print("Data: " + "; ".join(rows))
    print(f"      and {sum(n for name, n in counts.items() if name.endswith('(history)')):,} audit history rows.")


def print_table(backend, results):
    print()
    print(f"Pages on {backend} — budgets: median < {BUDGET['median_ms']} ms, p95 < {BUDGET['p95_ms']} ms, "
          f"first load ≤ {BUDGET['first_load_kb']} KB gz, later pages ≤ {BUDGET['later_page_kb']} KB HTML")
    header = (f"{'page':12} {'median ms':>9} {'p95 ms':>7} {'cpu ms':>6} {'queries':>8} {'HTML KB':>8} {'gz KB':>6} "
              f"{'1st load':>8} {'load':>5}  flags")
    print(header)
    print("-" * len(header))
    for name, row in results.items():
        queries = (str(row["queries_max"]) if row["queries_min"] == row["queries_max"]
                   else f"{row['queries_min']}–{row['queries_max']}")
        flags = "; ".join(row["flags"])
        marker = "✗" if any(not f.startswith("(") for f in row["flags"]) else " "
        print(f"{name:12} {row['median_ms']:>9.1f} {row['p95_ms']:>7.1f} {row['cpu_median_ms']:>6.1f} "
              f"{queries:>8} {row['html_kb_max']:>8.1f} "
              f"{row['html_gz_kb_max']:>6.1f} {row['first_load_gz_kb']:>8.1f} {row.get('load_average') or 0:>5.1f} "
              f"{marker} {flags}")
    print("median and p95: wall time around client.get, server side only; cpu ms: median CPU time of this process.\n"
          "HTML KB and gz KB: the largest page of the sample (KB = 1024 bytes); first load adds the gzipped CSS "
          "and JS it loads; load: the 1-minute load average after the page. ✗ marks a missed budget; "
          "flags in parentheses are notes.")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if load is not None:
        print(f"Load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} (1, 5, 15 min) on {os.cpu_count()} CPUs.")
    if load is not None and load > (os.cpu_count() or 1):
        print(f"Note: load average {load:.1f} on {os.cpu_count()} CPUs: other work competed for the CPU, "
              "so wall times are inflated; compare the cpu ms column.")


def main():
    args = parse_args()
    database = choose_database(args)
    setup_django(args)

    from django import get_version
    from django.contrib.auth import get_user_model
    from django.db import connection

    from hosen.tenancy import national

    backend = connection.vendor
    print(f"Database: {backend} ({connection.settings_dict['NAME']})")
    generate_seconds, counts = prepare_data(args)
    print_counts(counts)
    admin = get_user_model().objects.get(email=national.ADMIN_EMAIL)
    picks = targets()
    check_pages(pages(args), picks)
    print(f"Measuring {args.requests} requests per page ({args.warmup} warm-up) over {len(picks)} authorities "
          f"in an open emergency ...")
    results = measure(args, admin, picks)
    print_table(backend, results)

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if backend == "sqlite" else "SHOW server_version")
        server_version = cursor.fetchone()[0]
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": backend,
        "database": database if backend == "sqlite" else re.sub(r"//[^@/]*@", "//", database),
        "database_version": server_version,
        "django": get_version(),
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None},
        "debug": args.debug,
        "requests_per_page": args.requests,
        "generate_seconds": round(generate_seconds, 1) if generate_seconds is not None else None,
        "data": counts,
        "budget": BUDGET,
        "pages": results,
    }
    # A rerun of some pages does not overwrite the full run's figures.
    default = f"rerun-{backend}.json" if args.pages else f"latest-{backend}.json"
    output = Path(args.output) if args.output else RESULTS / default
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"Wrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 1 if any(row["non_200"] for row in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Hosen's sign-in load test: a morning's managers sign in and work while field reporters send quick reports.

    .venv/bin/python bench/signin.py                  # SQLite: bench/results/signin.sqlite3, made afresh
    .venv/bin/python bench/signin.py --postgres       # PostgreSQL: hosen_signin_bench, made afresh
    .venv/bin/python bench/signin.py --users 30 --seconds 20     # a short check of the bench itself
    make bench-signin / make bench-signin-postgres

It makes a fresh database — migrate, the model content, a generated national network of 40 authorities
(`generate_national`, with every register at national density), then bench/signin_data.py: 180 managers
(4–5 per authority) with authenticator apps, and 20 quick-report links — starts `gunicorn hosen.wsgi` with 4
workers in production mode on a free loopback port, reading the client's address from X-Forwarded-For as
behind the README's proxy, and runs bench/locustfile.py headless against it: `--users` people (9 managers to
1 field reporter), `--spawn-rate` a second, for `--seconds`. Managers sign in through the real forms
(password, then the authenticator's code), browse and add needs; reporters send quick reports.

It prints p50/p95/p99 per request and in total, failures, requests/s, the sign-in separately, the CPU taken by
the server, PostgreSQL, locust and other work, and the load average, and writes bench/results/signin-<backend>.json.
Exit code 1 when any request failed. The goal (p95 < 250 ms in all and for the sign-in, 0 failures) is
reported, not enforced. See bench/README.md.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from writes import (  # noqa: E402  the write benchmark's server and CPU accounting, shared
    ahead,
    cpu_used,
    database_name,
    free_port,
    fresh_postgres,
    git_state,
    machine_busy,
    percentile,
    process_cpu,
    start_server,
    stop_server,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/hosen_signin_bench"
SQLITE_FILE = RESULTS / "signin.sqlite3"
VENV_BIN = ROOT / ".venv" / "bin"
REDIS_URL = "redis://127.0.0.1:6379/14"  # the write benchmark uses 15
PASSWORD = "hosen-demo"
GOAL_P95_MS = 250
# The steps of signing in; "sign-in: password" checks the password (Argon2), "sign-in: code" the TOTP code.
SIGN_IN_STEPS = ("sign-in: form", "sign-in: password", "sign-in: code form", "sign-in: code", "sign-in: landing page")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", default="",
                       help="PostgreSQL database, dropped and made afresh: its name must say 'bench'")
    where.add_argument("--postgres", action="store_true", help=f"shortcut for --database-url {POSTGRES_URL}")
    where.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite",
                       help="sqlite (default) or postgresql (the same as --postgres)")
    parser.add_argument("--users", type=int, default=200, help="simulated people, 9 managers to 1 reporter (200)")
    parser.add_argument("--spawn-rate", type=float, default=20, help="people starting per second (20)")
    parser.add_argument("--seconds", type=int, default=60, help="length of the run, the start included (60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--authorities", type=int, default=40, help="authorities of the generated network (40)")
    parser.add_argument("--managers", type=int, default=180, help="manager accounts (180)")
    parser.add_argument("--links", type=int, default=20, help="quick-report links (20)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated network (1)")
    parser.add_argument("--think", default="5,15", help="seconds a manager reads a page, low,high (5,15)")
    parser.add_argument("--manager-addresses", choices=["one", "authority", "own"], default="one",
                        help="the managers' client address: one for all (default), one per authority, own")
    parser.add_argument("--no-two-step", action="store_true",
                        help="managers sign in with the password only (no authenticator app enrolled)")
    parser.add_argument("--old-hashes", action="store_true",
                        help="the first morning after the hasher changed: managers' passwords hashed with Django's "
                             "default Argon2 parameters, replaced at their sign-in")
    parser.add_argument("--locust-processes", type=int, default=1,
                        help="locust processes (default 1: FastHttpUser on gevent holds 200 people in one)")
    parser.add_argument("--no-warmup", action="store_true",
                        help="measure from a cold server (by default ten other accounts warm every worker up first)")
    parser.add_argument("--nice", type=int, default=0, metavar="N",
                        help="on a machine shared with other work: put the server and locust N steps ahead of it in "
                             "the scheduler (Linux, root, under setsid; PostgreSQL keeps its own priority)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the database and accounts of the last run (quicker; its needs pile up)")
    parser.add_argument("--output", help="JSON file (default bench/results/signin-<backend>.json)")
    args = parser.parse_args()
    if args.postgres or args.backend == "postgresql":
        args.database_url = args.database_url or POSTGRES_URL
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must be a PostgreSQL URL")
    if args.managers < args.authorities:
        parser.error("--managers must be at least --authorities (each authority has its generated manager)")
    return args


def server_env(args) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "SQLITE_PATH"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "hosen.settings",
        "HOSEN_DEBUG": "false",
        "SECRET_KEY": "signin-benchmark-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": REDIS_URL,
        # As behind the README's proxy: the client's address is the right end of X-Forwarded-For.
        # RATELIMIT_IP_META_KEY is the setting's former name, read where CLIENT_IP_HEADER is not known.
        "CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
        "RATELIMIT_IP_META_KEY": "HTTP_X_FORWARDED_FOR",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    # The rate limits and the sign-in lock-out stay at their production settings: the morning must pass them.
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env["SQLITE_PATH"] = str(SQLITE_FILE)
    return env


def data_file(backend: str) -> Path:
    return RESULTS / f"signin-data-{backend}.json"


def run_step(command, env):
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{' '.join(str(part) for part in command[1:3])} failed")
    return done.stdout


def prepare_database(args, env, backend):
    """A fresh database: the model content, the generated national network, the morning's people."""
    started = time.perf_counter()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.database_url:
        fresh_postgres(args.database_url)
    else:
        for leftover in RESULTS.glob(SQLITE_FILE.name + "*"):
            leftover.unlink()
    python = str(VENV_BIN / "python")
    for command in (["migrate", "--noinput"], ["load_model_content"], ["load_skills"], ["load_kpi_templates"],
                    ["generate_national", "--authorities", str(args.authorities), "--seed", str(args.seed),
                     "--password", PASSWORD],
                    ["collectstatic", "--noinput"]):  # production mode serves the manifest's hashed files
        run_step([python, "manage.py", *command], env)
    data = [python, "bench/signin_data.py", str(data_file(backend)), "--managers", str(args.managers),
            "--links", str(args.links), "--password", PASSWORD]
    if args.no_two_step:
        data.append("--no-two-step")
    if args.old_hashes:
        data.append("--old-hashes")
    print(run_step(data, env).strip())
    print(f"Prepared a fresh database in {time.perf_counter() - started:.1f} s.")


def empty_redis():
    """Fresh counters for the rate limits and allauth's used codes (the benchmark's own Redis database)."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    except Exception as problem:  # noqa: BLE001
        print(f"  note: could not empty the benchmark's Redis database ({problem})")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()  # noqa: S607


def locust_command(port, users, spawn_rate, seconds, processes=1) -> list[str]:
    command = [str(VENV_BIN / "locust"), "-f", "bench/locustfile.py", "--headless", "--only-summary",
               "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s",
               "--host", f"http://127.0.0.1:{port}", "--loglevel", "WARNING"]
    return command + (["--processes", str(processes)] if processes > 1 else [])


def locust_env(args, backend, samples_file, **extra) -> dict:
    for old in RESULTS.glob(samples_file.stem + "*"):
        old.unlink()
    return {**os.environ, "HOSEN_SIGNIN_DATA": str(data_file(backend)), "HOSEN_SAMPLES": str(samples_file),
            "HOSEN_THINK": args.think, "HOSEN_MANAGER_ADDRESSES": args.manager_addresses,
            "HOSEN_LOCUST_PROCESSES": str(args.locust_processes), **extra}


def warm_up(args, backend, port, seconds=20):
    """A server that has run all night has its code imported, its templates compiled and its connections open
    in every worker: the first requests of a fresh worker cost up to 40 times more (1.3 s of CPU for the first
    sign-in form). Ten people with their own accounts (not the morning's) click through every page quickly."""
    samples_file = RESULTS / "signin-warmup-samples.json"
    env = locust_env(args, backend, samples_file, HOSEN_WARMUP="1", HOSEN_THINK="0.2,0.6",
                     HOSEN_SIGN_IN_TYPING="0.1,0.3", HOSEN_CODE_TYPING="0.1,0.3", HOSEN_TYPING="0.2,0.5",
                     HOSEN_REPORT_FILLING="0.2,0.5", HOSEN_REPORT_PAUSE="2,3", HOSEN_LOCUST_PROCESSES="1")
    subprocess.run(locust_command(port, 10, 10, seconds), cwd=ROOT, env=env,  # noqa: S603
                   capture_output=True, text=True, timeout=seconds + 120)
    samples, _sign_ins, failures = read_samples(samples_file)
    print(f"Warmed the server up: {len(samples)} requests, {sum(failures.values())} failed"
          + (f" ({', '.join(failures)[:300]})" if failures else "") + ".")


def latency(values) -> dict:
    return {"n": len(values), "p50_ms": percentile(values, 0.50), "p95_ms": percentile(values, 0.95),
            "p99_ms": percentile(values, 0.99), "max_ms": max(values) if values else None}


def read_samples(samples_file) -> tuple[list, list, dict]:
    samples, sign_ins, failures = [], [], {}
    for path in sorted(RESULTS.glob(samples_file.stem + "*.json")):
        found = json.loads(path.read_text())
        samples += found["samples"]
        sign_ins += found["sign_ins"]
        for what, count in found["failures"].items():
            failures[what] = failures.get(what, 0) + count
    return samples, sign_ins, failures


def main():
    args = parse_args()
    backend = "postgresql" if args.database_url else "sqlite"
    env = server_env(args)
    print(f"Sign-in load test on {backend}: {args.users} people ({args.spawn_rate:g}/s) for {args.seconds} s, "
          f"gunicorn {args.workers} workers, managers from {args.manager_addresses} address(es).")
    if args.reuse and data_file(backend).exists():
        print("Reusing the database and accounts of the last run.")
    else:
        prepare_database(args, env, backend)
    data = json.loads(data_file(backend).read_text())
    empty_redis()
    if args.nice:
        ahead(args.nice)  # after making the data: only the measured part goes ahead of the machine's other work
    database = database_name(args.database_url)
    port = free_port()
    samples_file = RESULTS / f"signin-samples-{backend}.json"
    server = start_server(args, env, port, log_name="signin-gunicorn.log")
    try:
        if not args.no_warmup:
            warm_up(args, backend, port)
            empty_redis()  # the morning starts with fresh rate-limit counters
        load_before, uptime_before = os.getloadavg(), uptime()
        cpu_before = {"server": process_cpu(server.pid), "postgres": process_cpu(database=database),
                      "machine": machine_busy()}
        children_before = os.times()
        started = time.monotonic()
        env = locust_env(args, backend, samples_file)
        locust = subprocess.Popen(locust_command(port, args.users, args.spawn_rate, args.seconds,  # noqa: S603
                                                 args.locust_processes),
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output, _ = locust.communicate(timeout=args.seconds + 120)
        (RESULTS / "signin-locust.log").write_text(output)
        elapsed = time.monotonic() - started
        # locust has exited and been waited for: its CPU (its processes' included) is in this process's
        # children's times. gunicorn's is not there yet: it is waited for only when it stops, below.
        children_after = os.times()
        cpu_after = {"server": process_cpu(server.pid), "postgres": process_cpu(database=database),
                     "machine": machine_busy()}
        load_after, uptime_after = os.getloadavg(), uptime()
    finally:
        stop_server(server)
    samples, sign_ins, failures = read_samples(samples_file)
    if not samples:
        sys.stderr.write(output)
        raise SystemExit("locust recorded no requests: see its output above")

    names = sorted({s[0] for s in samples}, key=lambda n: (not n.startswith("sign-in"), n))
    by_name = {}
    for name in names:
        mine = [s for s in samples if s[0] == name]
        by_name[name] = {"failures": sum(1 for s in mine if s[2]), **latency([s[1] for s in mine])}
    total = {"failures": sum(1 for s in samples if s[2]), **latency([s[1] for s in samples])}
    checks = [s[1] for s in samples if s[0] in ("sign-in: password", "sign-in: code")]
    # Two phases: while the morning signs in (from the first request to the last sign-in's check), and after.
    first = min(s[3] for s in samples)
    last_check = max((s[3] + s[1] / 1000 for s in samples if s[0] in ("sign-in: password", "sign-in: code")),
                     default=first)
    phases = {
        "signing_in": {"from_s": 0, "to_s": round(last_check - first, 1),
                       **latency([s[1] for s in samples if s[3] <= last_check])},
        "after": {"from_s": round(last_check - first, 1), **latency([s[1] for s in samples if s[3] > last_check])},
    }
    whole = [seconds * 1000 for seconds, _ok in sign_ins]
    sign_in = {
        "accounts_signed_in": sum(1 for _s, ok in sign_ins if ok), "refused_or_failed": sum(1 for _s, ok in sign_ins
                                                                                              if not ok),
        "checks": latency(checks),  # the POSTs that check the password or the code
        "whole_with_typing": latency(whole),  # form to landing page, the person's typing pauses included
    }
    cpu = {key: cpu_used(cpu_before[key], cpu_after[key]) for key in ("server", "postgres")}
    cpu["locust"] = (children_after.children_user + children_after.children_system
                     - children_before.children_user - children_before.children_system)
    busy = cpu_after["machine"][0] - cpu_before["machine"][0]
    all_cpu = cpu_after["machine"][1] - cpu_before["machine"][1]
    figures = {
        "backend": backend, "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "users": args.users, "spawn_rate": args.spawn_rate, "seconds": round(elapsed, 1), "workers": args.workers,
        "think_s": args.think, "manager_addresses": args.manager_addresses, "two_step": data["two_step"],
        "locust_processes": args.locust_processes, "warmed_up": not args.no_warmup, "nice": -args.nice,
        "old_hashes": data.get("old_hashes", False),
        "data": {"authorities": data["authorities"], "in_open_emergency": data["authorities_in_open_emergency"],
                 "managers": len(data["managers"]), "links": len(data["links"])},
        "requests": len(samples), "requests_per_s": round(len(samples) / args.seconds, 1),
        "total": total, "sign_in": sign_in, "phases": phases, "by_name": by_name, "failures": failures,
        "cpu_s": {key: round(value, 1) for key, value in cpu.items()},
        "cpu_share_of_machine": {key: round(value / all_cpu, 3) for key, value in cpu.items()} if all_cpu else None,
        "cpu_other_share": round(max(0.0, busy - sum(cpu.values())) / all_cpu, 3) if all_cpu else None,
        "machine_cpu_busy_share": round(busy / all_cpu, 3) if all_cpu else None,
        "server_cpu_ms_per_request": round(cpu["server"] * 1000 / len(samples), 1),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "uptime_before": uptime_before, "uptime_after": uptime_after, "cpus": os.cpu_count(),
        "goal": {"p95_ms": GOAL_P95_MS, "failures": 0},
        "machine": {"python": platform.python_version(), "system": platform.platform()},
        "git": git_state(),
    }
    figures["met_goal"] = bool(total["p95_ms"] is not None and total["p95_ms"] < GOAL_P95_MS
                               and (sign_in["checks"]["p95_ms"] or 0) < GOAL_P95_MS and total["failures"] == 0)

    print()
    print(f"{'request':<24}{'n':>6}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, row in [*by_name.items(), ("all", total)]:
        cells = "".join(f"{row[k]:>9.0f}" if row[k] is not None else f"{'—':>9}"
                        for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms"))
        print(f"{name:<24}{row['n']:>6}{row['failures']:>6}{cells}")
    print(f"\n{figures['requests_per_s']} requests/s; sign-in checks (password and code) p95 "
          f"{sign_in['checks']['p95_ms'] or 0:.0f} ms; {sign_in['accounts_signed_in']} accounts signed in, "
          f"{sign_in['refused_or_failed']} sign-ins failed. Goal p95 < {GOAL_P95_MS} ms, 0 failures: "
          f"{'met' if figures['met_goal'] else 'NOT met'}.")
    print(f"While the morning signed in (first {phases['signing_in']['to_s']:.0f} s): "
          f"{phases['signing_in']['n']} requests, p95 {phases['signing_in']['p95_ms'] or 0:.0f} ms; after: "
          f"{phases['after']['n']} requests, p95 {phases['after']['p95_ms'] or 0:.0f} ms.")
    share = figures["cpu_share_of_machine"] or {}
    print(f"CPU over the run (share of the {os.cpu_count()} CPUs): gunicorn {share.get('server', 0):.0%}, "
          f"PostgreSQL {share.get('postgres', 0):.0%}, locust {share.get('locust', 0):.0%}, other work "
          f"{figures['cpu_other_share'] or 0:.0%}; gunicorn {figures['server_cpu_ms_per_request']} ms CPU per request.")
    print(f"Load before: {uptime_before}\nLoad after:  {uptime_after}")
    log_lines = (RESULTS / "signin-gunicorn.log").read_text().splitlines()
    if log_lines:
        print(f"The server logged {len(log_lines)} lines: see bench/results/signin-gunicorn.log.")
    for what, count in sorted(failures.items(), key=lambda item: -item[1])[:12]:
        print(f"  failed {count}×  {what}")
    output_file = Path(args.output) if args.output else RESULTS / f"signin-{backend}.json"
    output_file.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"Wrote {output_file.relative_to(ROOT) if output_file.is_relative_to(ROOT) else output_file}.")
    return 1 if total["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())

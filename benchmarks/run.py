"""
`make bench`: latency, query counts and throughput of the site on PostgreSQL with generated
data. See BENCHMARKS.md for what is measured, the targets and the latest results.

Environment:
  BENCH_DATABASE_URL  the PostgreSQL database to fill and measure (created if missing)
                      default postgres://postgres@127.0.0.1:5432/observatory_bench
  BENCH_CASES         how many cases to generate (default 100000, about 10 alerts each)
  BENCH_ITERATIONS    timed requests per page (default 50, after 5 warm-up requests)
  BENCH_DURATION      seconds of each wrk run (default 10)
  BENCH_PORT          the port of the uncached gunicorn; the cached one takes the next
                      (default 8701 and 8702, on 127.0.0.1; refused if already in use)
  BENCH_OUTPUT        where to write the report (default benchmarks/results.md)

The data is generated with a fixed seed, only when the database does not already hold that
many generated cases, so re-runs are fast. A database holding anything else is never dropped.
The collected static files live in a temporary directory of this run, removed at its end.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SEED = 1
SMALL_CASES = 100
DEFAULT_PORT = 8701
SECRET = "benchmark-only-secret-key-not-used-for-anything-real"  # noqa: S105

# Targets of issue "Search and scale", at 100,000 cases on PostgreSQL: p95 in milliseconds.
LATENCY_TARGETS = {
    "case page, 200 alerts": 50,
    "case list, two filters": 100,
    "search: a name": 150,
    "search: a misspelled name": 150,
    "search: a phrase": 150,
    "admin: cases": 300,
    "admin: alerts": 300,
    "admin: recommendations": 300,
}
THROUGHPUT_TARGETS = {"cached": 0.8, "uncached": 0.3}


def say(message):
    print(f"==> {message}", flush=True)


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url):
    return urlsplit(url).path.lstrip("/")


def admin_connection(url):
    return psycopg.connect(with_database(url, "postgres"), autocommit=True)


def database_exists(url):
    with admin_connection(url) as connection:
        row = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)]
        ).fetchone()
    return row is not None


def create_database(url):
    with admin_connection(url) as connection:
        connection.execute(
            psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(database_name(url)))
        )


def drop_database(url):
    with admin_connection(url) as connection:
        connection.execute(
            psycopg.sql.SQL("DROP DATABASE {} WITH (FORCE)").format(
                psycopg.sql.Identifier(database_name(url))
            )
        )


def environment(url, static_root, **extra):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # Latency and query counts are measured uncached.
        "DJANGO_PUBLIC_CACHE": "0",
        "PYTHONPATH": str(ROOT),
    }
    if static_root:
        # DEBUG off serves hashed static names: collected once per run by main(), into the
        # run's own temporary directory.
        env["DJANGO_STATIC_ROOT"] = str(static_root)
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def manage(url, *args, static_root="", **extra):
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=environment(url, static_root, **extra),
        check=True,
    )


def measure(url, command, static_root="", **extra):
    result = subprocess.run(  # noqa: S603
        [PYTHON, "-m", "benchmarks.measure", command],
        cwd=ROOT,
        env=environment(url, static_root, **extra),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def prepare(url, cases):
    """A database holding exactly `cases` generated cases; returns seconds spent generating."""
    if not database_exists(url):
        create_database(url)
    manage(url, "migrate", "--no-input", "-v0")
    state = measure(url, "status")
    if state["generated"] and state["cases"] == cases:
        say(f"{database_name(url)}: {cases} generated cases already there")
        # Fresh statistics, as after generating: a migration may have rewritten a table.
        analyze(url)
        return None
    if state["cases"] and not state["generated"]:
        sys.exit(
            f"{database_name(url)} holds cases that were not generated: choose another "
            "database with BENCH_DATABASE_URL."
        )
    if state["cases"]:
        say(
            f"{database_name(url)}: holds {state['cases']} generated cases, not {cases}: recreating"
        )
        drop_database(url)
        create_database(url)
        manage(url, "migrate", "--no-input", "-v0")
    say(f"{database_name(url)}: generating {cases} cases (seed {SEED})")
    start = time.perf_counter()
    manage(url, "generate_data", "--cases", str(cases), "--seed", str(SEED))
    elapsed = time.perf_counter() - start
    analyze(url)
    return elapsed


def analyze(url):
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def port_is_free(port):
    """Nothing listens on `port`: connections of a previous run closing down do not count."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def ports(count, variable="BENCH_PORT", default=DEFAULT_PORT):
    """`count` consecutive ports from `variable`, each checked free, or a clear exit."""
    value = os.environ.get(variable, "") or str(default)
    if not value.isdigit() or not 1024 <= int(value) <= 65535 - count:
        sys.exit(f"{variable} must be a port number from 1024 to {65535 - count}, not {value!r}.")
    chosen = [int(value) + n for n in range(count)]
    for port in chosen:
        if not port_is_free(port):
            sys.exit(f"Port {port} on 127.0.0.1 is in use: set {variable} to a free port.")
    return chosen


class Server:
    """gunicorn serving the site on loopback, with DEBUG off and collected static files."""

    def __init__(self, url, cache, static_root, port, workers=2, threads=1, log=None, **extra):
        self.port = port
        env = environment(url, static_root, DJANGO_PUBLIC_CACHE="1" if cache else "0", **extra)
        say(f"gunicorn on 127.0.0.1:{port} ({'cached' if cache else 'uncached'})")
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(Path(PYTHON).with_name("gunicorn")),
                "observatory.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        for _ in range(100):
            try:
                # A fixed http://127.0.0.1 address of the server this benchmark started.
                urllib.request.urlopen(self.url("/robots.txt"), timeout=2)  # noqa: S310 # nosec B310
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def wrk(address, duration):
    result = subprocess.run(  # noqa: S603
        ["wrk", "--threads", "1", "--connections", "8", "--duration", f"{duration}s", address],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if errors:
        raise RuntimeError(f"wrk got {errors.group(1)} error responses from {address}")
    return float(match.group(1))


def throughput(url, page_bytes, duration, static_root, server_ports):
    """Requests per second for the case page cached, uncached, and a static file of its size."""
    path = "/cases/benchmark-timeline-200-alerts/"
    # Served by whitenoise from the same server, which finds it in the static root as it starts.
    (static_root / "benchmark").mkdir(exist_ok=True)
    (static_root / "benchmark" / "case-page.html").write_bytes(b"x" * page_bytes)
    static_path = "/static/benchmark/case-page.html"
    uncached_port, cached_port = server_ports
    results = {}
    with Server(url, cache=False, static_root=static_root, port=uncached_port) as server:
        results["static file"] = wrk(server.url(static_path), duration)
        results["uncached"] = wrk(server.url(path), duration)
    with Server(url, cache=True, static_root=static_root, port=cached_port) as server:
        results["cached"] = wrk(server.url(path), duration)
    return results


def report(cases, alerts, generated_in, rows, small_counts, cached, rates, duration, load):
    cores = os.cpu_count()
    lines = [
        f"Load average (1, 5, 15 min) when the measurements started: {load}.",
        "",
        f"Data: {cases:,} cases, {alerts:,} alerts (seed {SEED}); machine: {cores} cores; "
        f"PostgreSQL; {rows[0].get('iterations', 0)} timed requests per page after 5 warm-up "
        "requests, page cache off.",
        "",
    ]
    if generated_in is not None:
        lines += [f"Generating the data took {generated_in:.0f} s.", ""]
    lines += [
        f"| page | median ms | p95 ms | target p95 | Python CPU median ms | "
        f"queries ({cases:,} cases) | queries ({SMALL_CASES} cases) |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for row in rows:
        small = small_counts.get(row["name"], {})
        if row["status"] == "not available in this build":
            lines.append(f"| {row['name']} | — | — | not available in this build | — | — | — |")
            continue
        target = LATENCY_TARGETS.get(row["name"])
        verdict = ""
        if target:
            missed = row["p95_ms"] - target
            verdict = f"< {target}: " + ("met" if missed < 0 else f"missed by {missed:.0f} ms")
        same = "" if small.get("queries") == row["queries"] else " (differs!)"
        lines.append(
            f"| {row['name']} | {row['median_ms']} | {row['p95_ms']} | {verdict} | "
            f"{row['cpu_median_ms']} | {row['queries']}{same} | {small.get('queries', '—')} |"
        )
    lines += [
        "",
        f"Throughput (gunicorn, 2 sync workers, on loopback; wrk, 1 thread, 8 connections, "
        f"{duration} s each), case page {rows[2].get('bytes', 0):,} bytes:",
        "",
        "| served | requests/s | ratio to the static file | target |",
        "|---|---:|---:|---|",
    ]
    static = rates["static file"]
    lines.append(f"| static file of the same size (whitenoise) | {static:.0f} | 1.00 | |")
    for name in ("cached", "uncached"):
        ratio = rates[name] / static
        target = THROUGHPUT_TARGETS[name]
        verdict = f"≥ {target}: " + (
            "met" if ratio >= target else f"missed by {target - ratio:.2f}"
        )
        label = f"case page, {name}"
        if name == "cached" and not cached:
            label += " (no page cache in this build: served uncached)"
        lines.append(f"| {label} | {rates[name]:.0f} | {ratio:.2f} | {verdict} |")
    return "\n".join(lines) + "\n"


def main():
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/observatory_bench"
    )
    cases = int(os.environ.get("BENCH_CASES", "100000"))
    duration = int(os.environ.get("BENCH_DURATION", "10"))
    output = Path(os.environ.get("BENCH_OUTPUT", ROOT / "benchmarks" / "results.md"))
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs it (Debian package wrk).")
    server_ports = ports(2)
    say(f"ports: 127.0.0.1:{server_ports[0]} (uncached), 127.0.0.1:{server_ports[1]} (cached)")
    small_url = with_database(url, f"{database_name(url)}_small")
    with tempfile.TemporaryDirectory(prefix="observatory-bench-") as work:
        say(f"temporary files in {work}")
        run(url, small_url, cases, duration, output, Path(work) / "static", server_ports)


def run(url, small_url, cases, duration, output, static_root, server_ports):
    generated_in = prepare(url, cases)
    prepare(small_url, SMALL_CASES)
    manage(url, "collectstatic", "--no-input", "-v0", static_root=static_root)

    say(f"query counts at {SMALL_CASES} cases")
    small_counts = {
        row["name"]: row for row in measure(small_url, "counts", static_root=static_root)
    }
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    say(f"latency at {cases} cases")
    rows = measure(url, "latency", static_root=static_root)
    state = measure(url, "status")
    cached = measure(url, "cache-probe", static_root=static_root, DJANGO_PUBLIC_CACHE="1")["cached"]
    say("throughput with gunicorn and wrk")
    rates = throughput(url, rows[2]["bytes"], duration, static_root, server_ports)

    text = report(
        cases, state["alerts"], generated_in, rows, small_counts, cached, rates, duration, load
    )
    output.write_text(text)
    print()
    print(text)
    print(f"Written to {output}.")


if __name__ == "__main__":
    main()

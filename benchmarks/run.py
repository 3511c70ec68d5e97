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
  BENCH_ONLY          the start of the names of the pages to measure, e.g. "API:" for the
                      API alone: query counts and latency of those pages only, no throughput
                      (default: every page, and the throughput)

The data is generated with a fixed seed, only when the database does not already hold that
many generated cases, so re-runs are fast. A database holding anything else is never dropped.
The collected static files live in a temporary directory of this run, removed at its end.
"""

import gzip
import json
import os
import pwd
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

import brotli
import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SEED = 1
SMALL_CASES = 100
DEFAULT_PORT = 8701
SECRET = "benchmark-only-secret-key-not-used-for-anything-real"  # noqa: S105

# Targets of issue "Search and scale", at 100,000 cases on PostgreSQL: p95 in milliseconds.
LATENCY_TARGETS = {
    # Every public page uncached (issue "The page cache, redesigned"), at 100,000 cases.
    "home": 100,
    "case list": 100,
    "case list, text query": 100,
    "appeal page": 100,
    "appeal list": 100,
    "source list": 100,
    "tracker": 100,
    "sitemap index": 100,
    "sitemap: cases, last page": 1000,
    "case page, 200 alerts": 50,
    "case list, two filters": 100,
    "search: a name": 150,
    "search: a misspelled name": 150,
    "search: a phrase": 150,
    # Issue 17 (content in every language): the same pages in French, the same targets.
    "case page, 200 alerts (fr)": 50,
    "search: a name (fr)": 150,
    "search: a phrase (fr)": 150,
    # Issue 19 (the public API): list and detail uncached.
    "API: case list": 100,
    "API: case list, two filters": 100,
    "API: case": 100,
    "API: a case's timeline": 100,
    "API: appeal": 100,
    "API: recommendations": 100,
    "admin: cases": 300,
    "admin: alerts": 300,
    "admin: recommendations": 300,
}
THROUGHPUT_TARGETS = {"cached": 0.8, "uncached": 0.3}
# Cached throughput with staff saving (one public and one internal save a second), against
# the cached throughput without writes.
STAFF_AT_WORK_TARGET = 0.7
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


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
        # One client asks for every page tens of times: the API's limit per address is lifted.
        "OBSERVATORY_API_RATE": "1000000/minute",
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


def measure(url, command, *args, static_root="", **extra):
    result = subprocess.run(  # noqa: S603
        [PYTHON, "-m", "benchmarks.measure", command, *args],
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


class Redis:
    """
    The page cache's Redis as production runs it (README, Caching): a memory limit,
    allkeys-lru, no persistence; on a free port, in a directory of its own.
    """

    def __init__(self, port):
        self.port = port
        say(f"redis-server on 127.0.0.1:{port} (the cached server's page cache)")
        self.directory = tempfile.mkdtemp(prefix="observatory-benchmark-redis-")
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self):
        self.process = subprocess.Popen(  # noqa: S603
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                self.directory,
                "--maxmemory",
                "256mb",
                "--maxmemory-policy",
                "allkeys-lru",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def hang(self):
        """Stopped, not dead: connections open and nothing answers (SIGSTOP)."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def __exit__(self, *exc):
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


class Nginx:
    """
    nginx serving the static root on loopback (its precompressed .gz copies, as whitenoise
    sends them): the machine's ceiling for a file of that size, beside whitenoise's figure.
    """

    def __init__(self, static_root, port):
        self.port = port
        self.directory = tempfile.mkdtemp(prefix="observatory-benchmark-nginx-")
        self.config = Path(self.directory) / "nginx.conf"
        self.config.write_text(
            # The run's temporary directory is its user's alone: nginx's workers read it as
            # that user (as root they would otherwise switch to "nobody" and be refused).
            (f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else "")
            + f"""
worker_processes 2;
pid {self.directory}/nginx.pid;
error_log {self.directory}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {self.directory}/body;
    proxy_temp_path {self.directory}/proxy;
    fastcgi_temp_path {self.directory}/fastcgi;
    uwsgi_temp_path {self.directory}/uwsgi;
    scgi_temp_path {self.directory}/scgi;
    gzip_static on;
    server {{
        listen 127.0.0.1:{port};
        location /static/ {{ alias {static_root}/; }}
    }}
}}
"""
        )
        self.process = None

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        say(f"nginx on 127.0.0.1:{self.port} (static files only)")
        self.process = subprocess.Popen(  # noqa: S603
            [NGINX, "-c", str(self.config), "-p", self.directory, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("nginx did not start")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.directory, ignore_errors=True)


class Server:
    """gunicorn serving the site on loopback, with DEBUG off and collected static files."""

    def __init__(
        self, url, cache, static_root, port, workers=2, threads=1, log=None, redis_url=None, **extra
    ):
        self.port = port
        if redis_url:
            extra["REDIS_URL"] = redis_url
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


def wrk(address, duration, *, allow_errors=False, during=None):
    """Requests per second (and, with allow_errors, the number of error responses and socket
    errors); `during` is called once wrk has started, for a fault or writes under load."""
    command = [  # noqa: S607
        "wrk",
        "--threads",
        "1",
        "--connections",
        "8",
        "--duration",
        f"{duration}s",
        "--latency",
        # Compressed, as browsers ask.
        "--header",
        "Accept-Encoding: gzip, br",
        address,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    if during is not None:
        during()
    out, _ = process.communicate(timeout=duration + 120)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if not allow_errors:
        if errors:
            raise RuntimeError(f"wrk got {errors.group(1)} error responses from {address}")
        return rate
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    return {
        "rate": rate,
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "none",
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None,
    }


def throughput(url, page_bytes, duration, static_root, server_ports):
    """Requests per second for the case page cached, uncached, and a static file of its size."""
    path = "/cases/benchmark-timeline-200-alerts/"
    uncached_port, cached_port, redis_port, nginx_port = server_ports
    # The page itself, served by whitenoise from the same server (which finds it in the
    # static root as it starts), with its gzip copy: both are sent compressed, as they would
    # be to a browser, so the two compare the same bytes.
    with Server(url, cache=False, static_root=static_root, port=uncached_port) as server:
        # A fixed http://127.0.0.1 address of the server this benchmark started.
        page = urllib.request.urlopen(server.url(path), timeout=60).read()  # noqa: S310 # nosec B310
    if len(page) != page_bytes:
        say(f"the case page is {len(page)} bytes (the latency run saw {page_bytes})")
    (static_root / "benchmark").mkdir(exist_ok=True)
    (static_root / "benchmark" / "case-page.html").write_bytes(page)
    (static_root / "benchmark" / "case-page.html.gz").write_bytes(
        gzip.compress(page, compresslevel=6, mtime=0)
    )
    # The same Brotli quality as the page cache's: both sides send the same bytes.
    (static_root / "benchmark" / "case-page.html.br").write_bytes(brotli.compress(page, quality=5))
    static_path = "/static/benchmark/case-page.html"
    results = {}
    with Nginx(static_root, nginx_port) as nginx:
        results["nginx"] = wrk(nginx.url(static_path), duration)
    with Server(url, cache=False, static_root=static_root, port=uncached_port) as server:
        results["static file"] = wrk(server.url(static_path), duration)
        results["uncached"] = wrk(server.url(path), duration)
        results["uncached p99"] = wrk(server.url(path), duration, allow_errors=True)["p99_ms"]
    with (
        Redis(redis_port) as redis,
        Server(
            url, cache=True, static_root=static_root, port=cached_port, redis_url=redis.url
        ) as server,
    ):
        results["cached"] = wrk(server.url(path), duration)

        def staff(kind):
            def work():
                time.sleep(0.5)
                measure(url, "staff-at-work", str(max(1, duration - 1)), kind)

            return work

        results["staff at work"] = wrk(server.url(path), duration, during=staff("alert"))
        results["staff at work, case"] = wrk(server.url(path), duration, during=staff("case"))

        def hang():
            time.sleep(duration / 3)
            redis.hang()

        results["redis hanging"] = wrk(server.url(path), duration, allow_errors=True, during=hang)
        redis.resume()
        results["redis killed"] = wrk(
            server.url(path),
            duration,
            allow_errors=True,
            during=lambda: (time.sleep(duration / 3), redis.kill()),
        )
    return results


def case_page(rows):
    return next(row for row in rows if row["name"] == "case page, 200 alerts")


def latency_report(cases, alerts, generated_in, rows, small_counts, load):
    """The latency table: load, data, then a row a page."""
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
        same = "" if not small or small.get("queries") == row["queries"] else " (differs!)"
        cpu = row.get("cpu_median_ms")
        lines.append(
            f"| {row['name']} | {row['median_ms']} | {row['p95_ms']} | {verdict} | "
            f"{'—' if cpu is None else cpu} | {row['queries']}{same} | "
            f"{small.get('queries', '—')} |"
        )
    return "\n".join(lines) + "\n"


def report(cases, alerts, generated_in, rows, small_counts, cached, rates, duration, load):
    lines = latency_report(cases, alerts, generated_in, rows, small_counts, load).splitlines()
    lines += [
        "",
        f"Throughput (gunicorn, 2 sync workers, on loopback; wrk, 1 thread, 8 connections, "
        f"{duration} s each), case page {case_page(rows).get('bytes', 0):,} bytes:",
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
    cached_rate = rates["cached"]
    for name, label in (
        ("staff at work", "an alert of another case: its pages and the lists are stale"),
        ("staff at work, case", "another case's summary: every page is stale"),
    ):
        at_work = rates[name] / cached_rate
        verdict = f"≥ {STAFF_AT_WORK_TARGET} of cached: " + (
            "met"
            if at_work >= STAFF_AT_WORK_TARGET
            else f"missed by {STAFF_AT_WORK_TARGET - at_work:.2f}"
        )
        lines.append(
            f"| case page, cached, staff at work (1 public save/s, {label}; 1 internal save/s) | "
            f"{rates[name]:.0f} | {rates[name] / static:.2f} | {at_work:.2f} of cached: {verdict} |"
        )
    lines.append(
        f"| the same static file served by nginx (the machine's ceiling) | {rates['nginx']:.0f} | "
        f"{rates['nginx'] / static:.2f} | |"
    )
    uncached_p99 = rates["uncached p99"]
    lines += ["", f"Uncached case page, p99 under the same load: {uncached_p99} ms.", ""]
    for name, what in (("redis killed", "killed"), ("redis hanging", "stopped (SIGSTOP)")):
        fault = rates[name]
        ratio = fault["p99_ms"] / uncached_p99 if fault["p99_ms"] and uncached_p99 else None
        verdict = (
            ""
            if ratio is None
            else f" ({ratio:.1f}× uncached: " + ("within 3×)" if ratio <= 3 else "more than 3×)")
        )
        lines.append(
            f"- Redis {what} a third of the way through a {duration} s run of the cached case "
            f"page: {fault['rate']:.0f} requests/s, {fault['errors']} error responses, socket "
            f"errors: {fault['socket_errors']}, p99 {fault['p99_ms']} ms{verdict}."
        )
    memory = [row for row in rows if "peak_mb" in row]
    if memory:
        lines += ["", "Memory Python allocates to build one sitemap file (tracemalloc peak):", ""]
        lines += [f"- {row['name']}: {row['peak_mb']} MB" for row in memory]
    return "\n".join(lines) + "\n"


def main():
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/observatory_bench"
    )
    cases = int(os.environ.get("BENCH_CASES", "100000"))
    duration = int(os.environ.get("BENCH_DURATION", "10"))
    output = Path(os.environ.get("BENCH_OUTPUT", ROOT / "benchmarks" / "results.md"))
    only = os.environ.get("BENCH_ONLY", "")
    if only:
        small_url = with_database(url, f"{database_name(url)}_small")
        with tempfile.TemporaryDirectory(prefix="observatory-bench-") as work:
            say(f"temporary files in {work}; only the pages named {only}…")
            run(url, small_url, cases, duration, output, Path(work) / "static", None, only)
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs it (Debian package wrk).")
    if not (shutil.which("nginx") or Path(NGINX).exists()):
        sys.exit("nginx is missing: `make bench` installs it (Debian package nginx).")
    server_ports = ports(4)
    say(
        f"ports: 127.0.0.1:{server_ports[0]} (uncached), 127.0.0.1:{server_ports[1]} (cached), "
        f"127.0.0.1:{server_ports[2]} (its Redis), 127.0.0.1:{server_ports[3]} (nginx)"
    )
    small_url = with_database(url, f"{database_name(url)}_small")
    with tempfile.TemporaryDirectory(prefix="observatory-bench-") as work:
        say(f"temporary files in {work}")
        run(url, small_url, cases, duration, output, Path(work) / "static", server_ports)


def run(url, small_url, cases, duration, output, static_root, server_ports, only=""):
    generated_in = prepare(url, cases)
    prepare(small_url, SMALL_CASES)
    manage(url, "collectstatic", "--no-input", "-v0", static_root=static_root)

    say(f"query counts at {SMALL_CASES} cases" + (f" ({only}…)" if only else ""))
    names = [only] if only else []  # the start of the names of the pages measured
    small_counts = {
        row["name"]: row for row in measure(small_url, "counts", *names, static_root=static_root)
    }
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    say(f"latency at {cases} cases")
    rows = measure(url, "latency", *names, static_root=static_root)
    state = measure(url, "status")
    if only:
        load_after = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        text = latency_report(cases, state["alerts"], generated_in, rows, small_counts, load)
        text += f"\nLoad average (1, 5, 15 min) when they ended: {load_after}.\n"
        output.write_text(text)
        print()
        print(text)
        print(f"Written to {output}.")
        return
    cached = measure(url, "cache-probe", static_root=static_root, DJANGO_PUBLIC_CACHE="1")["cached"]
    say("throughput with gunicorn and wrk")
    rows.append(measure(url, "staff-save", static_root=static_root))
    rates = throughput(url, case_page(rows)["bytes"], duration, static_root, server_ports)

    text = report(
        cases, state["alerts"], generated_in, rows, small_counts, cached, rates, duration, load
    )
    output.write_text(text)
    print()
    print(text)
    print(f"Written to {output}.")


if __name__ == "__main__":
    main()

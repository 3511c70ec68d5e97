"""
`make bench-faults`: mixed public and staff load at 16 connections while PostgreSQL restarts.

The benchmark creates a PostgreSQL cluster of its own (benchmarks/private_postgres.py) in a
temporary directory, on a port of its own, fills it with generated data, and serves the site
with gunicorn (2 workers of 8 threads, the page cache off so that every page reads the
database). Then, at 16 connections:

1. **Restarts**: load for BENCH_FAULTS_RESTARTS rounds; in each, PostgreSQL is restarted
   (`pg_ctl restart -m fast`: every connection is cut, new ones are refused until it is back).
   Counted: answers by status, 500s (the target is none: a 503 at most), and the recovery time:
   from the moment PostgreSQL accepts connections again to the last failed answer after it.
2. **Steady**: BENCH_FAULTS_STEADY seconds (300 by default) of the same load with no fault.
   The target is no error at all.

Staff are real accounts that log in through the two-factor login; each saves its own source
over and over (the change form, parsed and posted back). At the end, each source must hold the
title of the last save that was answered "saved": no save reported done is lost.

Environment: BENCH_FAULTS_CASES (300), BENCH_FAULTS_RESTARTS (3), BENCH_FAULTS_STEADY (300),
BENCH_FAULTS_PORT (8711, gunicorn), BENCH_FAULTS_PG_PORT (55433, the private PostgreSQL),
BENCH_FAULTS_OUTPUT (benchmarks/faults-results.md).
"""

import contextlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from .private_postgres import PrivatePostgres
from .run import PYTHON, ROOT, Server, environment, ports, say

CONNECTIONS = 16
STAFF = 4  # of the 16 connections; the others read the public site
# The staff accounts of the benchmark's throw-away database.
PASSWORD = "benchmark staff password"  # noqa: S105

PUBLIC_PATHS = [
    "/",
    "/cases/",
    "/cases/?state=RU&status=open",
    "/cases/benchmark-timeline-200-alerts/",
    "/appeals/",
    "/recommendations/",
    "/search/?q=Nurtazina",
    "/countries/",
]


# --- The site's side: data and staff, run in a process configured for the private database ---


def setup_staff():
    """Staff accounts with authenticators, and a source for each to edit; printed as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.settings")
    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.roles import create_staff_account
    from cases.models import Source

    staff = []
    for n in range(STAFF):
        username = f"bench-staff-{n}"
        user = create_staff_account(username, "publisher", password=PASSWORD)
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
        source = Source.objects.create(kind=Source.Kind.NGO_STATEMENT, title=f"Edited by {n}")
        staff.append({"username": username, "key": device.key, "source": source.pk})
    print(json.dumps(staff))


def stored_titles(source_ids):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.settings")
    django.setup()
    from cases.models import Source

    print(json.dumps(dict(Source.objects.filter(pk__in=source_ids).values_list("pk", "title"))))


# --- The load ---------------------------------------------------------------------------------


class FormParser(HTMLParser):
    """The fields of the change form, as a browser would post them back."""

    def __init__(self):
        super().__init__()
        self.fields = []
        self._select = None
        self._textarea = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post" and "id" in attrs:
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "file", "button", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # The template puts a newline after <textarea>, which browsers drop.
            self.fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._in_form = False


class Client:
    """One keep-alive connection with its cookies; every answer is recorded."""

    def __init__(self, port, record):
        self.port = port
        self.record = record
        self.cookies = {}
        self.connection = None

    def request(self, method, path, body=None, kind="public"):
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.monotonic()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
            status = response.status
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    cookie = SimpleCookie(value)
                    for key, morsel in cookie.items():
                        if morsel["max-age"] == "0" or not morsel.value:
                            self.cookies.pop(key, None)
                        else:
                            self.cookies[key] = morsel.value
            location = response.getheader("Location")
            if response.getheader("Connection", "").lower() == "close":
                self._drop()
        except (OSError, http.client.HTTPException):
            self._drop()
            status, content, location = 0, b"", None  # no answer at all
        self.record(began, time.monotonic(), kind, method, status)
        return status, content, location

    def _drop(self):
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
        self.connection = None


def _csrf(content):
    marker = b'name="csrfmiddlewaretoken" value="'
    start = content.index(marker) + len(marker)
    return content[start : content.index(b'"', start)].decode()


def log_in(client, username, key):
    from django_otp.oath import TOTP

    status, content, _ = client.request("GET", "/account/login/", kind="login")
    data = {
        "csrfmiddlewaretoken": _csrf(content),
        "login_view-current_step": "auth",
        "auth-username": username,
        "auth-password": PASSWORD,
    }
    status, content, _ = client.request("POST", "/account/login/", data, kind="login")
    code = f"{TOTP(bytes.fromhex(key)).token():06d}"
    data = {
        "csrfmiddlewaretoken": _csrf(content),
        "login_view-current_step": "token",
        "token-otp_token": code,
    }
    status, _content, location = client.request("POST", "/account/login/", data, kind="login")
    if status != 302:
        raise RuntimeError(f"{username} could not log in ({status})")


class Load:
    """CONNECTIONS threads, each with its own connection, until stopped."""

    def __init__(self, port, staff):
        self.port = port
        self.staff = staff
        self.answers = []  # (began, ended, kind, method, status)
        self.lock = threading.Lock()
        self.running = threading.Event()
        self.saved = {}  # source id → title of the last save answered "saved"
        self.threads = []
        for member in staff:
            member["client"].record = self.record

    def record(self, began, ended, kind, method, status):
        with self.lock:
            self.answers.append((began, ended, kind, method, status))

    def start(self):
        self.running.set()
        for n in range(CONNECTIONS - STAFF):
            self.threads.append(threading.Thread(target=self.reader, args=(n,), daemon=True))
        for member in self.staff:
            self.threads.append(threading.Thread(target=self.editor, args=(member,), daemon=True))
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.running.clear()
        for thread in self.threads:
            thread.join(timeout=120)
        self.threads = []

    def reader(self, n):
        client = Client(self.port, self.record)
        i = n
        while self.running.is_set():
            client.request("GET", PUBLIC_PATHS[i % len(PUBLIC_PATHS)])
            i += 1

    def editor(self, member):
        client = member["client"]
        change = f"/admin/cases/source/{member['source']}/change/"
        n = 0
        while self.running.is_set():
            client.request("GET", "/admin/cases/alert/", kind="staff")
            status, content, _ = client.request("GET", change, kind="staff")
            if status != 200:
                continue
            parser = FormParser()
            parser.feed(content.decode())
            n += 1
            title = f"{member['username']} save {n}"
            fields = [(k, v) for k, v in parser.fields if k != "title"] + [("title", title)]
            status, _content, _ = client.request("POST", change, fields, kind="staff save")
            if status == 302:
                with self.lock:
                    self.saved[member["source"]] = title

    def window(self, began, ended):
        with self.lock:
            return [a for a in self.answers if began <= a[0] < ended]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0


def summary(answers):
    statuses = Counter(a[4] for a in answers)
    latencies = [(a[1] - a[0]) * 1000 for a in answers if 200 <= a[4] < 400]
    return {
        "requests": len(answers),
        "statuses": dict(sorted(statuses.items())),
        "errors": sum(n for s, n in statuses.items() if not 200 <= s < 400),
        "server_errors_500": statuses.get(500, 0),
        "staff_saves": sum(1 for a in answers if a[2] == "staff save"),
        "staff_saves_done": sum(1 for a in answers if a[2] == "staff save" and a[4] == 302),
        "median_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
    }


def site(command, env, *args):
    result = subprocess.run(  # noqa: S603
        [PYTHON, "-m", "benchmarks.faults", command, *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def main():
    cases = int(os.environ.get("BENCH_FAULTS_CASES", "300"))
    restarts = int(os.environ.get("BENCH_FAULTS_RESTARTS", "3"))
    steady = int(os.environ.get("BENCH_FAULTS_STEADY", "300"))
    output = Path(os.environ.get("BENCH_FAULTS_OUTPUT", ROOT / "benchmarks" / "faults-results.md"))
    (web_port,) = ports(1, "BENCH_FAULTS_PORT", 8711)
    (pg_port,) = ports(1, "BENCH_FAULTS_PG_PORT", 55433)
    with (
        tempfile.TemporaryDirectory(prefix="observatory-bench-faults-") as work,
        PrivatePostgres(port=pg_port) as postgres,
    ):
        say(f"PostgreSQL of this benchmark on 127.0.0.1:{pg_port} ({postgres.directory})")
        say(f"gunicorn on 127.0.0.1:{web_port}; temporary files in {work}")
        subprocess.run(  # noqa: S603
            [str(postgres.bin / "createdb"), "-h", "127.0.0.1", "-p", str(pg_port), "-U",
             "postgres", "observatory"],
            check=True,
        )  # fmt: skip
        url = postgres.url("observatory")
        static_root = Path(work) / "static"
        env = environment(url, static_root)
        manage(env, "migrate", "--no-input", "-v0")
        say(f"generating {cases} cases")
        manage(env, "generate_data", "--cases", str(cases), "--seed", "1", "-v0")
        manage(env, "collectstatic", "--no-input", "-v0")
        staff = site("staff", env)
        server_log = Path(work) / "gunicorn.log"
        with (
            open(server_log, "w") as log,
            Server(url, False, static_root, web_port, workers=2, threads=8, log=log) as server,
        ):
            for member in staff:
                member["client"] = Client(server.port, lambda *a: None)
                log_in(member["client"], member["username"], member["key"])
            load = Load(server.port, staff)
            rounds = run_restarts(load, postgres, restarts)
            say(f"steady load for {steady} s")
            began = time.monotonic()
            load.start()
            time.sleep(steady)
            load.stop()
            steady_answers = load.window(began, time.monotonic())
        titles = site("titles", env, *[str(m["source"]) for m in staff])
        lost = {pk: title for pk, title in load.saved.items() if titles.get(str(pk)) != title}
        text = report(rounds, summary(steady_answers), steady, lost, server_log, cases)
    output.write_text(text)
    print()
    print(text)
    print(f"Written to {output}.")


def run_restarts(load, postgres, restarts):
    rounds = []
    for n in range(restarts):
        say(f"restart {n + 1} of {restarts}")
        began = time.monotonic()
        load.start()
        time.sleep(10)
        down = time.monotonic()
        postgres.stop("fast")
        time.sleep(2)  # down for two seconds, as a restart on a busy server can be
        postgres.start()
        postgres.wait_until_ready()
        back = time.monotonic()
        time.sleep(15)
        load.stop()
        ended = time.monotonic()
        answers = load.window(began, ended)
        failures = [a for a in answers if not 200 <= a[4] < 400]
        # Recovery: from PostgreSQL accepting connections again to the end of the last failed
        # answer (a request that started during the outage and failed after it counts too).
        last_failure = max((a[1] for a in failures), default=back)
        successes = [a[1] for a in answers if a[0] >= back and 200 <= a[4] < 400]
        first_success = min(successes, default=ended)
        rounds.append(
            {
                **summary(answers),
                "down_s": round(back - down, 2),
                "recovery_s": round(max(0.0, last_failure - back), 2),
                "first_success_s": round(first_success - back, 2),
                "failed_after_back": sum(1 for a in failures if a[0] >= back),
            }
        )
    return rounds


def report(rounds, steady, steady_seconds, lost, server_log, cases):
    log = server_log.read_text()
    lines = [
        f"Data: {cases} generated cases in a PostgreSQL of the benchmark's own; gunicorn, 2 "
        f"workers × 8 threads; {CONNECTIONS} connections ({CONNECTIONS - STAFF} public readers, "
        f"{STAFF} staff saving); page cache off; {os.cpu_count()} cores.",
        "",
        "| restart | requests | 500s | 503s | other errors | no answer | "
        "staff saves done / tried | PostgreSQL down (s) | recovery (s) | "
        "first success after it was back (s) | failed requests sent after it was back |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, r in enumerate(rounds, 1):
        other = r["errors"] - sum(r["statuses"].get(status, 0) for status in (0, 500, 503))
        lines.append(
            f"| {n} | {r['requests']:,} | {r['server_errors_500']} | "
            f"{r['statuses'].get(503, 0)} | {other} | {r['statuses'].get(0, 0)} | "
            f"{r['staff_saves_done']} / {r['staff_saves']} | {r['down_s']} | {r['recovery_s']} | "
            f"{r['first_success_s']} | {r['failed_after_back']} |"
        )
    lines += [
        "",
        f"Steady load, {steady_seconds} s: {steady['requests']:,} requests, "
        f"{steady['errors']} errors (statuses {steady['statuses']}), median "
        f"{steady['median_ms']} ms, p95 {steady['p95_ms']} ms; staff saves done "
        f"{steady['staff_saves_done']} of {steady['staff_saves']}.",
        "",
        f"Saves answered as done but not in the database at the end: {len(lost)}.",
        f"Server log: {log.count('Traceback')} tracebacks; "
        f"{log.count('The database is unavailable')} lines “The database is unavailable”, "
        f"{log.count('available again after')} lines “available again after”, "
        f"{log.count('The database is busy')} lines “The database is busy”.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "staff":
        setup_staff()
    elif command == "titles":
        stored_titles([int(pk) for pk in sys.argv[2:]])
    else:
        main()

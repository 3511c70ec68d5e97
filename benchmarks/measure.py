"""
The in-process half of the benchmark, run by benchmarks/run.py in a process of its own for
each database: `python -m benchmarks.measure status|latency|counts|cache-probe|staff-at-work`.
Prints JSON. `latency` and `counts` take the start of the names of the pages to measure
(`latency API:` measures only the API), as BENCH_ONLY asks of benchmarks/run.py.

Latency is measured with Django's test Client (warm-up requests first, then many), so it is
the time Django takes to answer, without a network or a server in between. The page cache
is off (DJANGO_PUBLIC_CACHE=0, set by run.py) unless the command is `cache-probe`.
"""

import json
import math
import os
import statistics
import sys
import time
import tracemalloc

import django


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.settings")
    django.setup()


def log_in_staff(client):
    """
    Log a superuser in on `client` as far as the admin requires: a password login verified by
    a one-time code (two-factor), as tests/factories.py `log_in` does.
    """
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user, created = User.objects.get_or_create(
        username="benchmark-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="default", defaults={"confirmed": True}
    )
    client.force_login(user)
    # What the two-factor login records once a code is accepted: the device that verified.
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def pages():
    """(name, address, staff?) of every page the benchmark measures; None when not in this build."""
    from django.urls import NoReverseMatch, reverse

    from cases.models import Appeal, Case
    from ops.generator import BENCHMARK_CASE_SLUG

    appeal = (
        Appeal.objects.published()
        .filter(case__slug=BENCHMARK_CASE_SLUG, parent__isnull=True, kind="urgent_appeal")
        .first()
    )
    try:
        search = reverse("cases:search")
    except NoReverseMatch:
        search = None

    def api(name, *args, query=""):
        try:
            return reverse(f"api:{name}", args=args) + query
        except NoReverseMatch:
            return None  # a build without the API

    def searching(query):
        from urllib.parse import urlencode

        return f"{search}?{urlencode({'q': query})}" if search else None

    def in_french(url):
        """The same page in French, as the site's language menu links to it (query kept)."""
        from django.urls import translate_url

        return translate_url(url, "fr") if url else None

    def sitemap(section, page=None):
        try:
            url = reverse("sitemap_section", args=[section])
        except NoReverseMatch:
            return None
        return f"{url}?p={page}" if page else url

    case_page = reverse("cases:case_detail", args=[BENCHMARK_CASE_SLUG])
    measured_case = Case.objects.filter(slug=BENCHMARK_CASE_SLUG).values_list("pk", flat=True)
    return [
        ("home", reverse("cases:home"), False),
        ("case list", reverse("cases:case_list"), False),
        ("case list, two filters", reverse("cases:case_list") + "?state=RU&status=open", False),
        ("case list, text query", reverse("cases:case_list") + "?q=Nurtazina", False),
        ("case page, 200 alerts", case_page, False),
        ("case page, 200 alerts (fr)", in_french(case_page), False),
        ("appeal page", appeal.get_absolute_url() if appeal else None, False),
        ("appeal list", reverse("cases:appeal_list"), False),
        ("source list", reverse("cases:source_list"), False),
        ("tracker", reverse("cases:recommendation_list"), False),
        ("sitemap index", reverse("sitemap"), False),
        ("sitemap: cases, last page", sitemap("cases", last_sitemap_page()), False),
        ("search: a name", searching("Nurtazina"), False),
        ("search: a name (fr)", in_french(searching("Nurtazina")), False),
        ("search: a misspelled name", searching("Nurtazyna"), False),
        ("search: a phrase", searching("questioned without a lawyer"), False),
        ("search: a phrase (fr)", in_french(searching("questioned without a lawyer")), False),
        ("API: case list", api("case-list"), False),
        ("API: case list, two filters", api("case-list", query="?state=RU&status=open"), False),
        ("API: case", api("case-detail", BENCHMARK_CASE_SLUG), False),
        ("API: a case's timeline", api("alert-list", query=f"?case={BENCHMARK_CASE_SLUG}"), False),
        ("API: appeal", api("appeal-detail", appeal.pk) if appeal else None, False),
        ("API: recommendations", api("recommendation-list"), False),
        ("admin: cases", reverse("admin:cases_case_changelist"), True),
        ("admin: alerts", reverse("admin:cases_alert_changelist"), True),
        ("admin: recommendations", reverse("admin:cases_recommendation_changelist"), True),
        (
            "admin: case form",
            reverse("admin:cases_case_change", args=[measured_case.get()]),
            True,
        ),
    ]


def last_sitemap_page():
    from public.sitemaps import CaseSitemap

    return CaseSitemap().paginator.num_pages


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure(iterations, warm_up, with_timing, only=""):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    public, staff = Client(), log_in_staff(Client())
    rows = []
    for name, url, as_staff in pages():
        if not name.startswith(only):
            continue
        row = {"name": name, "url": url}
        rows.append(row)
        if url is None:
            row["status"] = "not available in this build"
            continue
        client = staff if as_staff else public
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code == 404 and name.startswith("search"):
            row["status"] = "not available in this build"
            continue
        row["status"] = response.status_code
        row["queries"] = len(queries)
        row["bytes"] = len(response.content)
        if not with_timing:
            continue
        for _ in range(warm_up):
            client.get(url)
        timings, cpu = [], []
        for _ in range(iterations):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        row["median_ms"] = round(statistics.median(timings), 1)
        row["p95_ms"] = round(percentile(timings, 0.95), 1)
        # Time this process spent on the CPU (Python: views, templates, the ORM), without the
        # database's time and without waiting for a core on a busy machine.
        row["cpu_median_ms"] = round(statistics.median(cpu), 1)
        row["iterations"] = iterations
        if name.startswith("sitemap"):
            # The memory one file takes to build, as Python allocates it (one more request).
            tracemalloc.start()
            client.get(url)
            row["peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
    return rows


def staff_save(iterations):
    """
    The time of a staff save of the measured case's admin form, as a browser posts it (an
    internal note changed each time), and its queries.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from cases.models import Case
    from ops.generator import BENCHMARK_CASE_SLUG
    from tests.admin_forms import form_data

    setup_test_environment()  # the form's context, to post back what it shows
    client = log_in_staff(Client())
    case = Case.objects.get(slug=BENCHMARK_CASE_SLUG)
    url = reverse("admin:cases_case_change", args=[case.pk])
    timings = []
    for n in range(iterations + 2):
        data = form_data(client.get(url))
        data["internal_notes"] = f"Benchmark note {n}."
        data["_continue"] = "Save and continue editing"
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.post(url, data)
            elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 302:
            raise RuntimeError(f"the staff save answered {response.status_code}")
        if n >= 2:  # two warm-up saves
            timings.append(elapsed)
    return {
        "name": "admin: staff save (case form)",
        "status": 302,
        "queries": len(queries),
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "cpu_median_ms": None,
        "iterations": iterations,
    }


def status():
    from cases.models import Alert, Case
    from ops.generator import holds_generated_data

    return {
        "cases": Case.objects.count(),
        "alerts": Alert.objects.count(),
        "generated": holds_generated_data(),
    }


def cache_probe():
    """Does this build serve the case page from a cache? Then a second request makes no query."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from ops.generator import BENCHMARK_CASE_SLUG

    client = Client()
    url = f"/cases/{BENCHMARK_CASE_SLUG}/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # A hit reads the page generation from the database, and nothing else.
    return {"cached": len(queries) <= 1, "queries_on_second_request": len(queries)}


def staff_at_work(seconds, public_save="alert"):
    """
    For `seconds`: each second one public save and one internal save (the internal notes of
    the measured case: no page is stale after it), as staff at work would. The public save is
    either the title of a published alert of another case ("alert": what staff do most, it
    makes stale that case's pages and the lists) or the summary of another case ("case": a
    case other cases' pages may name, so every page is stale after it).
    """
    from cases.models import Alert, Case
    from ops.generator import BENCHMARK_CASE_SLUG

    measured = Case.objects.get(slug=BENCHMARK_CASE_SLUG)
    other = Case.objects.published().exclude(pk=measured.pk).order_by("pk").first()
    if public_save == "alert":
        record = Alert.objects.published().filter(case=other).order_by("pk").first()
        field = "title"
    else:
        record, field = other, "summary"
    original = getattr(record, field)
    saves = {"public": 0, "internal": 0}
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        started = time.monotonic()
        setattr(record, field, f"{original[:150]} ({n})")
        record.save()
        saves["public"] += 1
        measured.internal_notes = f"Internal note {n}."
        measured.save()
        saves["internal"] += 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    setattr(record, field, original)
    record.save()
    return saves


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    setup()
    if command == "status":
        result = status()
    elif command == "latency":
        iterations = int(os.environ.get("BENCH_ITERATIONS", "50"))
        only = argv[2] if len(argv) > 2 else ""
        result = measure(iterations, warm_up=5, with_timing=True, only=only)
    elif command == "counts":
        result = measure(0, warm_up=0, with_timing=False, only=argv[2] if len(argv) > 2 else "")
    elif command == "cache-probe":
        result = cache_probe()
    elif command == "staff-save":
        result = staff_save(int(os.environ.get("BENCH_ITERATIONS", "50")) // 2)
    elif command == "staff-at-work":
        result = staff_at_work(float(argv[2]), argv[3] if len(argv) > 3 else "alert")
    else:
        sys.exit(
            "usage: python -m benchmarks.measure "
            "status|latency [NAMES]|counts [NAMES]|cache-probe|staff-save|"
            "staff-at-work SECONDS [alert|case]"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)

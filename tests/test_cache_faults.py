"""
The cache is an optimisation, never a dependency: a Redis of the test's own is killed,
stopped (hanging) and restarted from an old snapshot while pages are read and staff save,
and every request still gets its page, every save is kept, no page is ever stale.
"""

import logging
import time

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from cases import services
from cases.models import Alert
from public import cache as page_cache
from tests.admin_forms import form_data
from tests.factories import (
    log_in,
    make_alert,
    make_case,
    make_staff,
    make_urgent_appeal,
    published_appeal_fields,
)
from tests.redis_server import free_port

PAGES = ["/", "/cases/", "/appeals/", "/recommendations/", "/sources/", "/sitemap.xml"]


@pytest.fixture
def case(db):
    case = make_case(title="Case under a failing cache", summary="Public summary.")
    make_alert(case, title="A public alert")
    return case


def anonymous():
    return Client()


def use_cache(settings, location, *, timeout=0.2, circuit_seconds=60):
    settings.CACHES = {
        "default": {
            "BACKEND": "public.cache_backend.ResilientRedisCache",
            "LOCATION": location,
            "OPTIONS": {
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
                "CIRCUIT_SECONDS": circuit_seconds,
            },
        }
    }
    return cache


def cache_warnings(caplog):
    return [r for r in caplog.records if r.name == "public.cache" and r.levelno >= logging.WARNING]


def assert_served_from_cache(url, django_assert_num_queries):
    anonymous().get(url)
    with django_assert_num_queries(1):  # the generation, nothing else
        assert anonymous().get(url).status_code == 200


def test_it_works_with_a_redis_of_its_own(case, redis_server, django_assert_num_queries):
    assert_served_from_cache(case.get_absolute_url(), django_assert_num_queries)
    alert = make_alert(case, published=False, title="Published under Redis")
    services.publish_alert(alert, make_staff("publisher"))
    assert "Published under Redis" in anonymous().get(case.get_absolute_url()).content.decode()


def test_a_dead_redis_fails_no_request_and_no_save(case, redis_server, settings, caplog):
    use_cache(settings, redis_server.url)
    for url in [*PAGES, case.get_absolute_url()]:
        assert anonymous().get(url).status_code == 200
    redis_server.kill()
    caplog.set_level(logging.WARNING, logger="public.cache")
    for _ in range(3):
        for url in [*PAGES, case.get_absolute_url(), "/account/login/"]:
            assert anonymous().get(url).status_code == 200, url
    # A staff save while the cache is down: kept, redirected, shown at once, made once.
    staff = log_in(Client(), make_staff("publisher"))
    alert = Alert.objects.get(title="A public alert")
    url = reverse("admin:cases_alert_change", args=[alert.pk])
    data = form_data(staff.get(url))
    data["title_en"] = "Renamed while the cache was down"
    assert staff.post(url, data).status_code == 302
    assert Alert.objects.filter(case=case).count() == 1
    page = anonymous().get(case.get_absolute_url())
    assert page.status_code == 200
    assert "Renamed while the cache was down" in page.content.decode()
    # One log line for the outage, one timeout (here: a refused connection) for the interval.
    assert len(cache_warnings(caplog)) == 1
    assert "unavailable" in cache_warnings(caplog)[0].getMessage()
    assert cache.breaker.failures == 1


def test_a_hanging_redis_costs_one_timeout_per_interval(
    case, redis_server, settings, caplog, django_assert_num_queries
):
    use_cache(settings, redis_server.url, timeout=0.3, circuit_seconds=60)
    url = case.get_absolute_url()
    assert_served_from_cache(url, django_assert_num_queries)
    caplog.set_level(logging.WARNING, logger="public.cache")
    redis_server.hang()
    try:
        for _ in range(10):
            assert anonymous().get(url).status_code == 200
        # One read timed out; in the rest of the interval no request asked Redis again.
        assert cache.breaker.failures == 1
        assert not cache.is_available()
    finally:
        redis_server.resume()
    # The interval is over: the next request tries again, finds Redis, and the cache works.
    cache.breaker._open_until = time.monotonic()
    assert_served_from_cache(url, django_assert_num_queries)
    assert cache.is_available()
    messages = [r.getMessage() for r in cache_warnings(caplog)]
    assert len(messages) == 2
    assert "unavailable" in messages[0]
    assert "available again" in messages[1]


def test_a_hanging_redis_holds_a_request_no_longer_than_the_timeout(case, redis_server, settings):
    use_cache(settings, redis_server.url, timeout=0.3, circuit_seconds=60)
    url = case.get_absolute_url()
    anonymous().get(url)
    redis_server.hang()
    try:
        started = time.monotonic()
        assert anonymous().get(url).status_code == 200
        # One timeout of 0.3 s, then the page is rendered; not the 10-15 s of no timeout.
        assert time.monotonic() - started < 3
    finally:
        redis_server.resume()


def test_a_redis_that_never_answers_leaves_the_site_working(case, settings):
    # A port where nothing listens: every connection is refused.
    use_cache(settings, f"redis://127.0.0.1:{free_port()}/0")
    for url in [*PAGES, case.get_absolute_url()]:
        assert anonymous().get(url).status_code == 200
    alert = make_alert(case, published=False, title="Saved with no cache")
    services.publish_alert(alert, make_staff("publisher"))
    assert "Saved with no cache" in anonymous().get(case.get_absolute_url()).content.decode()


def test_a_redis_restarted_from_an_older_snapshot_never_serves_a_withdrawn_appeal(
    case, redis_server, django_assert_num_queries
):
    appeal = make_urgent_appeal(
        case,
        make_staff("case-officer"),
        title="Appeal withdrawn after the snapshot",
        **published_appeal_fields(),
    )
    appeal_url, case_url = appeal.get_absolute_url(), case.get_absolute_url()
    assert "Appeal withdrawn after the snapshot" in anonymous().get(case_url).content.decode()
    assert_served_from_cache(appeal_url, django_assert_num_queries)
    assert_served_from_cache(case_url, django_assert_num_queries)
    assert redis_server.command("SAVE") == "+OK"  # the snapshot holds both pages

    services.withdraw_appeal(appeal, make_staff("publisher"), "Published by mistake.")
    assert anonymous().get(appeal_url).status_code == 404
    assert "Appeal withdrawn after the snapshot" not in anonymous().get(case_url).content.decode()

    redis_server.restart()  # from the snapshot taken before the withdrawal
    key = page_cache.page_key(RequestFactory().get(case_url))
    revived = cache.get(key)
    assert revived is not None, "the old page should be back in the restarted cache"
    assert revived["generation"] != page_cache.current_generation()
    for _ in range(2):
        assert anonymous().get(appeal_url).status_code == 404
        page = anonymous().get(case_url)
        assert page.status_code == 200
        assert "Appeal withdrawn after the snapshot" not in page.content.decode()


def test_a_redis_emptied_by_eviction_serves_fresh_pages(
    case, redis_server, django_assert_num_queries
):
    url = case.get_absolute_url()
    assert_served_from_cache(url, django_assert_num_queries)
    assert redis_server.command("FLUSHDB") == "+OK"  # this test's own server
    alert = make_alert(case, published=False, title="Published after the eviction")
    services.publish_alert(alert, make_staff("publisher"))
    assert "Published after the eviction" in anonymous().get(url).content.decode()

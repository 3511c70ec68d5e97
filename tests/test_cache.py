"""Anonymous public pages come from the cache, are never stale, and never reach staff."""

import gzip

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Alert, Case
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

STAFF_ONLY = "Qwxnotes staff only"


@pytest.fixture
def case(db):
    case = make_case(title="Cached case", summary="Public summary.", internal_notes=STAFF_ONLY)
    make_alert(case, title="First alert", internal_notes=STAFF_ONLY)
    return case


def anonymous():
    return Client()


def test_a_second_visit_is_served_from_the_cache_with_one_query_for_the_generation(
    case, django_assert_num_queries
):
    first = anonymous().get(case.get_absolute_url())
    assert first.status_code == 200
    with django_assert_num_queries(1):
        second = anonymous().get(case.get_absolute_url())
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/cases/",
        "/appeals/",
        "/recommendations/",
        "/countries/",
        "/sources/",
        "/appeals.atom",
        "/sitemap.xml",
        "/robots.txt",
        "/search/?q=Cached",
    ],
)
def test_every_kind_of_public_page_is_cached(case, url, django_assert_num_queries):
    assert anonymous().get(url).status_code == 200
    with django_assert_num_queries(1):
        assert anonymous().get(url).status_code == 200


def test_head_is_served_from_the_cached_get(case, django_assert_num_queries):
    anonymous().get(case.get_absolute_url())
    with django_assert_num_queries(1):
        assert anonymous().head(case.get_absolute_url()).status_code == 200


def test_publishing_an_alert_shows_it_at_once(case):
    alert = make_alert(case, published=False, title="Newly published alert")
    assert "Newly published alert" not in anonymous().get(case.get_absolute_url()).content.decode()
    alert.published_at = timezone.now()
    alert.save()
    assert "Newly published alert" in anonymous().get(case.get_absolute_url()).content.decode()


def test_withdrawing_an_appeal_takes_it_off_the_cached_pages(case):
    appeal = make_urgent_appeal(
        case, make_staff("case-officer"), title="Appeal soon withdrawn", **published_appeal_fields()
    )
    url = appeal.get_absolute_url()
    assert anonymous().get(url).status_code == 200
    assert "Appeal soon withdrawn" in anonymous().get(case.get_absolute_url()).content.decode()
    services.withdraw_appeal(appeal, make_staff("publisher"), "Published by mistake.")
    assert anonymous().get(url).status_code == 404
    assert "Appeal soon withdrawn" not in anonymous().get(case.get_absolute_url()).content.decode()


def test_unpublishing_a_case_takes_its_page_down(case):
    assert anonymous().get(case.get_absolute_url()).status_code == 200
    assert "Cached case" in anonymous().get("/cases/").content.decode()
    services.unpublish_case(case, make_staff("publisher"))
    assert anonymous().get(case.get_absolute_url()).status_code == 404
    assert "Cached case" not in anonymous().get("/cases/").content.decode()


def test_editing_a_published_case_in_the_admin_shows_the_change(case):
    assert "Cached case" in anonymous().get(case.get_absolute_url()).content.decode()
    staff = log_in(Client(), make_staff("publisher"))
    url = reverse("admin:cases_case_change", args=[case.pk])
    data = form_data(staff.get(url))
    data["title_en"] = "Renamed in the admin"
    assert staff.post(url, data).status_code == 302
    page = anonymous().get(case.get_absolute_url()).content.decode()
    assert "Renamed in the admin" in page


def test_the_expire_command_makes_pages_stale_after_a_change_by_hand(case):
    from django.core.management import call_command

    assert "Public summary." in anonymous().get(case.get_absolute_url()).content.decode()
    # A change that no signal sees, as SQL typed by hand would be.
    Case.objects.filter(pk=case.pk).update(summary="Changed by hand.")
    assert "Public summary." in anonymous().get(case.get_absolute_url()).content.decode()
    call_command("expire_public_pages", verbosity=0)
    assert "Changed by hand." in anonymous().get(case.get_absolute_url()).content.decode()


def test_a_many_to_many_change_makes_pages_stale(case):
    from cases.models import ViolationType

    violation = ViolationType.objects.create(name="Qwxviolation", slug="qwxviolation")
    anonymous().get(case.get_absolute_url())
    before = page_cache.current_generation()
    case.violation_types.add(violation)
    assert page_cache.current_generation() != before


def test_staff_are_never_served_a_cached_page(case):
    assert "Cached case" in anonymous().get(case.get_absolute_url()).content.decode()
    # A write that bypasses the signals: the anonymous copy is now stale, on purpose.
    Case.objects.filter(pk=case.pk).update(title="Changed without a signal")
    assert "Cached case" in anonymous().get(case.get_absolute_url()).content.decode()
    staff = log_in(Client(), make_staff("case-officer"))
    assert "Changed without a signal" in staff.get(case.get_absolute_url()).content.decode()
    page_cache.invalidate_public_pages()
    assert "Changed without a signal" in anonymous().get(case.get_absolute_url()).content.decode()


def test_a_staff_visit_stores_nothing(case, django_assert_num_queries):
    staff = log_in(Client(), make_staff("case-officer"))
    assert staff.get(case.get_absolute_url()).status_code == 200
    request = RequestFactory().get(case.get_absolute_url())
    assert cache.get(page_cache.page_key(request)) is None


def test_a_cached_page_holds_no_staff_only_text(case):
    staff = log_in(Client(), make_staff("publisher"))
    staff.get(reverse("admin:cases_case_change", args=[case.pk]))
    staff.get(case.get_absolute_url())
    anonymous().get(case.get_absolute_url())
    request = RequestFactory().get(case.get_absolute_url())
    entry = cache.get(page_cache.page_key(request))
    assert entry is not None
    content = gzip.decompress(entry["gzip"]).decode()
    assert "Cached case" in content
    assert STAFF_ONLY not in content
    assert "/admin/" not in content


def test_admin_pages_and_previews_are_never_cached(case):
    appeal = make_urgent_appeal(case, make_staff("case-officer"))
    middleware = page_cache.PublicPageCacheMiddleware(lambda request: HttpResponse("x"))
    factory = RequestFactory()
    assert not middleware.is_cacheable_request(factory.get(reverse("admin:index")))
    preview = reverse("admin:cases_appeal_change", args=[appeal.pk]) + "preview/"
    assert not middleware.is_cacheable_request(factory.get(preview))
    assert middleware.is_cacheable_request(factory.get("/cases/"))


def counting_middleware(make_response):
    calls = []

    def get_response(request):
        calls.append(request)
        return make_response()

    return page_cache.PublicPageCacheMiddleware(get_response), calls


def _with_cookie():
    response = HttpResponse("page")
    response.set_cookie("tracking", "1")
    return response


def _with_vary():
    response = HttpResponse("page")
    response["Vary"] = "User-Agent"
    return response


def _private():
    response = HttpResponse("page")
    response["Cache-Control"] = "private"
    return response


@pytest.mark.parametrize(
    "make_response",
    [
        _with_cookie,
        _with_vary,
        _private,
        lambda: HttpResponse("missing", status=404),
        lambda: HttpResponse("moved", status=302),
    ],
    ids=["sets-a-cookie", "varies", "private", "not-found", "redirect"],
)
def test_it_does_not_store_what_must_not_be_shared(db, make_response):
    middleware, calls = counting_middleware(make_response)
    factory = RequestFactory()
    middleware(factory.get("/cases/"))
    middleware(factory.get("/cases/"))
    assert len(calls) == 2


def test_a_request_with_a_session_cookie_neither_reads_nor_stores(db, settings):
    middleware, calls = counting_middleware(lambda: HttpResponse("page"))
    factory = RequestFactory()
    middleware(factory.get("/cases/"))
    assert len(calls) == 1
    middleware(factory.get("/cases/"))
    assert len(calls) == 1  # served from the cache
    with_session = factory.get("/cases/")
    with_session.COOKIES[settings.SESSION_COOKIE_NAME] = "anything"
    middleware(with_session)
    assert len(calls) == 2


def test_the_key_follows_the_session_cookie_setting(db, settings):
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    middleware, calls = counting_middleware(lambda: HttpResponse("page"))
    request = RequestFactory().get("/cases/")
    request.COOKIES["__Host-sessionid"] = "anything"
    assert not middleware.is_cacheable_request(request)


def test_caching_can_be_turned_off(case, settings):
    settings.PUBLIC_CACHE = False
    anonymous().get(case.get_absolute_url())
    response = anonymous().get(case.get_absolute_url())
    assert response.status_code == 200
    assert cache.get(page_cache.page_key(RequestFactory().get(case.get_absolute_url()))) is None


def test_the_key_holds_the_day_the_language_and_the_host(db, monkeypatch):
    factory = RequestFactory()
    today = page_cache.page_key(factory.get("/recommendations/"))
    assert page_cache.page_key(factory.get("/recommendations/", HTTP_HOST="localhost")) != today
    # The language is the address's (/fr/...), never the browser's: a page is the same for
    # every reader of its address.
    french = factory.get("/fr/recommendations/")
    assert page_cache.page_key(french) != today and ":fr:" in page_cache.page_key(french)
    asking = factory.get("/recommendations/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page_cache.page_key(asking) == today
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    monkeypatch.setattr(page_cache.timezone, "localdate", lambda: tomorrow)
    assert page_cache.page_key(factory.get("/recommendations/")) != today


def test_a_cache_that_lost_everything_or_kept_old_pages_never_serves_them(case):
    anonymous().get(case.get_absolute_url())
    Alert.objects.filter(case=case).update(title="Changed by hand")
    page_cache.invalidate_public_pages()
    assert "Changed by hand" in anonymous().get(case.get_absolute_url()).content.decode()
    cache.clear()
    assert "Changed by hand" in anonymous().get(case.get_absolute_url()).content.decode()

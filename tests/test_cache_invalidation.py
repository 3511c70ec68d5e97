"""
Only a change the public can see makes cached pages stale (derived from cases/disclosure.py);
one render per page after a change; random query strings are not stored; pages are stored
and sent compressed, with an ETag.
"""

import gzip
import threading
import time

import pytest
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from cases import services
from cases.models import Addressee, Alert, Appeal, Case, RequestedAction, ViolationType
from public import cache as page_cache
from tests.admin_forms import form_data
from tests.factories import (
    log_in,
    make_alert,
    make_authority,
    make_case,
    make_staff,
    make_urgent_appeal,
)


@pytest.fixture
def case(db):
    case = make_case(title="Watched case", summary="Public summary.")
    make_alert(case, title="Watched alert")
    return case


def anonymous():
    return Client()


def generation():
    return page_cache.current_generation()


class Bumps:
    def __init__(self):
        self.before = generation()

    @property
    def changed(self):
        return generation() != self.before


# --- What does not change a public page invalidates nothing -------------------------------


def test_a_draft_alert_invalidates_nothing(case, django_assert_num_queries):
    url = case.get_absolute_url()
    anonymous().get(url)
    bumps = Bumps()
    draft = make_alert(case, published=False, title="Draft alert")
    draft.title = "Draft alert, edited"
    draft.save()
    draft.delete()
    assert not bumps.changed
    with django_assert_num_queries(1):
        assert anonymous().get(url).status_code == 200


def test_internal_and_confidential_fields_invalidate_nothing(case):
    bumps = Bumps()
    case.internal_notes = "Staff only: call the lawyer."
    case.risk_level = Case._meta.get_field("risk_level").choices[-1][0]
    case.save()
    alert = Alert.objects.get(title="Watched alert")
    alert.internal_notes = "Staff only."
    alert.save()
    assert not bumps.changed


def test_a_save_that_changes_nothing_invalidates_nothing(case):
    bumps = Bumps()
    Case.objects.get(pk=case.pk).save()
    assert not bumps.changed


def test_a_draft_case_and_its_parts_invalidate_nothing(db):
    draft = make_case(published=False, title="Draft case")
    violation = ViolationType.objects.create(name="Qwxviolation", slug="qwxviolation")
    bumps = Bumps()
    make_alert(draft, published=True, title="Alert of a draft case")
    draft.violation_types.add(violation)
    draft.title = "Draft case, renamed"
    draft.save()
    assert not bumps.changed


def test_the_parts_of_a_draft_appeal_invalidate_nothing(case):
    appeal = make_urgent_appeal(case, make_staff("case-officer"), title="Draft appeal")
    assert appeal.state == Appeal.State.DRAFT
    authority = make_authority()
    bumps = Bumps()
    RequestedAction.objects.create(appeal=appeal, position=9, text="Release him.")
    Addressee.objects.create(appeal=appeal, authority=authority, position=9)
    appeal.body = "Edited draft."
    appeal.save()
    assert not bumps.changed


def test_an_internal_note_saved_in_the_admin_invalidates_nothing(case):
    staff = log_in(Client(), make_staff("publisher"))
    url = reverse("admin:cases_case_change", args=[case.pk])
    data = form_data(staff.get(url))
    bumps = Bumps()
    data["internal_notes"] = "Only for staff."
    assert staff.post(url, data).status_code == 302
    assert not bumps.changed


# --- What changes a public page invalidates, once, in the same transaction ----------------


def test_a_public_field_of_a_published_record_invalidates(case):
    bumps = Bumps()
    case.summary = "A new public summary."
    case.save()
    assert bumps.changed
    assert "A new public summary." in anonymous().get(case.get_absolute_url()).content.decode()


def test_a_save_bumps_each_generation_once(case):
    before = generation()
    case.title = "Renamed once"
    case.save()
    assert generation() == before + 1


@pytest.mark.parametrize("action", ["publish", "unpublish", "delete"])
def test_publishing_unpublishing_and_deleting_invalidate(case, action):
    publisher = make_staff("publisher")
    alert = make_alert(case, published=action != "publish", title="Moving alert")
    bumps = Bumps()
    if action == "publish":
        services.publish_alert(alert, publisher)
    elif action == "unpublish":
        services.unpublish_alert(alert, publisher)
    else:
        alert.delete()
    assert bumps.changed


def test_a_public_many_to_many_change_invalidates(case):
    violation = ViolationType.objects.create(name="Qwxviolation", slug="qwxviolation")
    bumps = Bumps()
    case.violation_types.add(violation)
    assert bumps.changed


def test_a_vocabulary_term_invalidates_because_pages_show_it(case):
    violation = ViolationType.objects.create(name="Qwxviolation", slug="qwxviolation")
    bumps = Bumps()
    violation.name = "Renamed violation"
    violation.save()
    assert bumps.changed


# --- A change to one case's parts leaves the other cases' pages cached --------------------


@pytest.fixture
def two_cases(case):
    other = make_case(title="Other case", summary="Other summary.")
    make_alert(other, title="Other alert")
    other_appeal = make_urgent_appeal(other, make_staff("case-officer"), title="Other appeal")
    Appeal.objects.filter(pk=other_appeal.pk).update(
        state=Appeal.State.PUBLISHED, published_at=other.published_at, date=other.opened_on
    )
    page_cache.invalidate_public_pages()
    return case, other, Appeal.objects.get(pk=other_appeal.pk)


def is_hit(url, django_assert_num_queries):
    try:
        with django_assert_num_queries(1):
            response = anonymous().get(url)
    except pytest.fail.Exception:
        return False
    assert response.status_code == 200
    return True


def warm(*urls):
    for url in urls:
        assert anonymous().get(url).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        "publish an alert",
        "edit an alert",
        "cite a source",
        "delete an alert",
        "add a recommendation update",
        "link a defender",
    ],
)
def test_a_change_to_a_case_s_parts_leaves_other_cases_pages_cached(
    two_cases, django_assert_num_queries, change
):
    from cases.models import CaseDefender
    from tests.factories import (
        make_citation,
        make_defender,
        make_recommendation,
        make_source,
        make_update,
    )

    case, other, other_appeal = two_cases
    recommendation = make_recommendation(case)
    alert = Alert.objects.get(title="Watched alert")
    # Records any page may show, made before the pages are stored.
    source, defender = make_source(), make_defender(name="Second", public_name="Second")
    page_cache.invalidate_public_pages()
    others = [other.get_absolute_url(), other_appeal.get_absolute_url()]
    mine = case.get_absolute_url()
    warm(mine, "/cases/", *others)
    bumps = Bumps()
    if change == "publish an alert":
        make_alert(case, title="A new development")
    elif change == "edit an alert":
        alert.title = "A corrected title"
        alert.save()
    elif change == "cite a source":
        make_citation(source=source, alert=alert, quoted_passage="What the court said.")
    elif change == "delete an alert":
        alert.delete()
    elif change == "add a recommendation update":
        make_update(recommendation, "committed", case.opened_on)
    else:
        CaseDefender.objects.create(case=case, defender=defender, role=CaseDefender.Role.SUBJECT)
    assert bumps.changed
    for url in others:
        assert is_hit(url, django_assert_num_queries), url
    assert not is_hit(mine, django_assert_num_queries)
    assert not is_hit("/cases/", django_assert_num_queries)  # the lists show every case


def test_a_change_to_an_appeal_s_parts_makes_its_pages_stale_not_other_cases(
    two_cases, django_assert_num_queries
):
    case, other, other_appeal = two_cases
    appeal = make_urgent_appeal(case, make_staff("case-officer"), title="My appeal")
    Appeal.objects.filter(pk=appeal.pk).update(
        state=Appeal.State.PUBLISHED, published_at=case.published_at, date=case.opened_on
    )
    page_cache.invalidate_public_pages()
    appeal = Appeal.objects.get(pk=appeal.pk)
    mine = appeal.get_absolute_url()
    warm(mine, other_appeal.get_absolute_url(), other.get_absolute_url())
    RequestedAction.objects.create(appeal=appeal, position=2, text="Return the files.")
    assert "Return the files." in anonymous().get(mine).content.decode()
    assert is_hit(other_appeal.get_absolute_url(), django_assert_num_queries)
    assert is_hit(other.get_absolute_url(), django_assert_num_queries)


@pytest.mark.parametrize("change", ["rename the case", "rename a source", "move an alert"])
def test_a_change_other_pages_may_show_makes_every_page_stale(
    two_cases, django_assert_num_queries, change
):
    from tests.factories import make_citation

    case, other, other_appeal = two_cases
    alert = Alert.objects.get(title="Watched alert")
    citation = make_citation(alert=alert)
    other.related_cases.add(case)  # the other case's page names this one
    page_cache.invalidate_public_pages()
    others = [other.get_absolute_url(), other_appeal.get_absolute_url()]
    warm(case.get_absolute_url(), *others)
    if change == "rename the case":
        case.title = "Renamed case"
        case.save()
    elif change == "rename a source":
        citation.source.title = "Renamed source"
        citation.source.save()
    else:
        alert.case = other
        alert.save()
    for url in [case.get_absolute_url(), *others]:
        assert not is_hit(url, django_assert_num_queries), url
    if change == "rename the case":
        assert "Renamed case" in anonymous().get(other.get_absolute_url()).content.decode()


def test_a_case_page_is_served_only_under_its_own_and_the_site_s_generation(two_cases):
    case, other, _appeal = two_cases
    match = page_cache.page_match(RequestFactory().get(case.get_absolute_url()))
    before = page_cache.page_generation(match)
    other_match = page_cache.page_match(RequestFactory().get(other.get_absolute_url()))
    other_before = page_cache.page_generation(other_match)
    make_alert(case, title="Another development")
    assert page_cache.page_generation(match) != before
    assert page_cache.page_generation(other_match) == other_before
    page_cache.invalidate_public_pages()  # a restore, a write no signal sees
    assert page_cache.page_generation(other_match) != other_before


def test_deleting_a_case_removes_its_generation(db):
    from cases.models import PageGeneration

    doomed = make_case(title="Doomed")
    make_alert(doomed)
    assert PageGeneration.objects.filter(scope=doomed.pk).exists()
    pk = doomed.pk
    doomed.delete()
    assert not PageGeneration.objects.filter(scope=pk).exists()


def test_a_rolled_back_change_leaves_the_generation_as_it_was(case):
    before = generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        case.title = "Never committed"
        case.save()
        assert generation() == before + 1
        raise RuntimeError
    assert generation() == before


def test_a_write_that_no_signal_sees_is_shown_after_expiring(case):
    url = case.get_absolute_url()
    anonymous().get(url)
    Case.objects.filter(pk=case.pk).update(summary="Changed by hand.")
    page_cache.invalidate_public_pages()
    assert "Changed by hand." in anonymous().get(url).content.decode()


# --- One render per page after a change ---------------------------------------------------


def test_concurrent_misses_render_a_page_once(db, monkeypatch):
    monkeypatch.setattr(page_cache, "page_generation", lambda match: ("every", 42))
    renders = []

    def slow_view(request):
        renders.append(request)
        time.sleep(0.3)
        return HttpResponse("the page")

    middleware = page_cache.PublicPageCacheMiddleware(slow_view)
    responses = []

    def read():
        responses.append(middleware(RequestFactory().get("/cases/")))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renders) == 1
    assert [r.status_code for r in responses] == [200] * 8
    assert {r.content for r in responses} == {b"the page"}


def test_waiters_render_themselves_when_the_page_is_not_stored(db, monkeypatch):
    monkeypatch.setattr(page_cache, "page_generation", lambda match: ("every", 42))
    renders = []

    def slow_not_found(request):
        renders.append(request)
        time.sleep(0.2)
        return HttpResponse("missing", status=404)

    middleware = page_cache.PublicPageCacheMiddleware(slow_not_found)
    threads = [
        threading.Thread(target=lambda: middleware(RequestFactory().get("/cases/")))
        for _ in range(4)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renders) == 4
    assert time.monotonic() - started < page_cache.RENDER_WAIT_SECONDS


def test_a_page_of_an_older_generation_is_never_served_while_waiting(case):
    url = case.get_absolute_url()
    anonymous().get(url)
    key = page_cache.page_key(RequestFactory().get(url))
    case.summary = "Changed while a render holds the lock."
    case.save()
    # Another request is rendering the new page (it holds the lock) and has not stored it.
    generation_now = page_cache.page_generation(page_cache.page_match(RequestFactory().get(url)))
    cache.add(f"{key}:rendering:{'-'.join(map(str, generation_now))}", 1, timeout=1)
    page = anonymous().get(url).content.decode()
    assert "Changed while a render holds the lock." in page


# --- Bounded: only the parameters a page reads make a key ---------------------------------


def test_parameters_a_page_does_not_read_are_never_stored(case):
    factory = RequestFactory()
    assert page_cache.page_key(factory.get("/cases/?utm_source=newsletter")) is None
    assert page_cache.page_key(factory.get(f"{case.get_absolute_url()}?x=1")) is None
    assert page_cache.page_key(factory.get("/cases/?status=open&page=2")) is not None
    assert page_cache.page_key(factory.get("/search/?q=lawyer&type=case")) is not None
    assert page_cache.page_key(factory.get("/sitemap-cases.xml?p=2")) is not None
    assert page_cache.page_key(factory.get("/sitemap.xml?p=2")) is None  # the index has none


def test_random_query_strings_do_not_fill_the_cache(case):
    anonymous().get("/cases/")
    stored = len(cache._cache)
    for n in range(30):
        assert anonymous().get(f"/cases/?random{n}={n}").status_code == 200
        assert anonymous().get(f"{case.get_absolute_url()}?{n}").status_code == 200
    assert len(cache._cache) == stored


def test_the_allowed_parameters_are_the_filters_of_each_list(db):
    from public.filters import CaseFilter

    request = RequestFactory().get("/cases/")
    assert page_cache.parameters(page_cache.page_match(request)) == {
        *CaseFilter.base_filters,
        "page",
    }
    assert page_cache.parameters(page_cache.page_match(RequestFactory().get("/"))) == set()


# --- Compressed, with an ETag -------------------------------------------------------------


def test_pages_are_stored_compressed_and_sent_compressed_when_accepted(case):
    url = case.get_absolute_url()
    plain = anonymous().get(url)
    compressed = anonymous().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content) / 2
    assert "Accept-Encoding" in compressed["Vary"]
    assert compressed["Content-Length"] == str(len(compressed.content))
    refused = anonymous().get(url, HTTP_ACCEPT_ENCODING="gzip;q=0")
    assert "Content-Encoding" not in refused
    assert refused.content == plain.content


def test_pages_go_out_in_brotli_to_browsers_that_accept_it(case):
    import brotli

    url = case.get_absolute_url()
    plain = anonymous().get(url)
    for accepted in ("gzip, deflate, br", "br", "br;q=1, gzip;q=0.5", "*", "br, zstd"):
        response = anonymous().get(url, HTTP_ACCEPT_ENCODING=accepted)
        assert response["Content-Encoding"] == "br", accepted
        assert brotli.decompress(response.content) == plain.content
        assert response["Content-Length"] == str(len(response.content))
        assert "Accept-Encoding" in response["Vary"]
    gzipped = anonymous().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert len(response.content) < len(gzipped.content)
    preferred = anonymous().get(url, HTTP_ACCEPT_ENCODING="br;q=0.4, gzip")
    assert preferred["Content-Encoding"] == "gzip"
    refused = anonymous().get(url, HTTP_ACCEPT_ENCODING="br;q=0, gzip;q=0, *;q=0")
    assert "Content-Encoding" not in refused
    # A weight that is not a number refuses its coding: the plain page always works.
    garbled = anonymous().get(url, HTTP_ACCEPT_ENCODING="br;q=x, ;;, gzip;q")
    assert garbled.status_code == 200 and garbled.content == plain.content


def test_static_files_are_collected_and_served_in_brotli_too(tmp_path, settings):
    """whitenoise writes a .br beside each compressible file when Brotli is installed."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    stylesheets = [p for p in tmp_path.rglob("*.css") if p.stat().st_size > 1000]
    assert stylesheets
    for path in stylesheets:
        assert path.with_name(path.name + ".br").exists(), path
        assert path.with_name(path.name + ".gz").exists(), path


def test_a_conditional_get_of_an_unchanged_page_is_a_304(case):
    url = case.get_absolute_url()
    anonymous().get(url)
    first = anonymous().get(url)
    etag = first["ETag"]
    again = anonymous().get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert anonymous().get(url, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    assert anonymous().get(url, HTTP_IF_NONE_MATCH='"other", ' + etag).status_code == 304
    assert anonymous().get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    case.summary = "Changed: a new ETag."
    case.save()
    changed = anonymous().get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag

"""Atom feeds, sitemap.xml and robots.txt."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Appeal

from .factories import (
    make_alert,
    make_appeal,
    make_case,
    make_defender,
    published_appeal_fields,
    sitemap_text,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed, in a test)
    return [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]


@pytest.fixture
def appeals():
    kazakh, turkish = make_case(state_of_concern="KZ"), make_case(state_of_concern="TR")
    make_appeal(kazakh, title="Kazakh appeal", **published_appeal_fields(datetime.date(2020, 1, 1)))
    make_appeal(
        turkish, title="Turkish appeal", **published_appeal_fields(datetime.date(2021, 1, 1))
    )
    make_appeal(kazakh, title="Draft appeal")
    return kazakh, turkish


def test_the_appeal_feed_lists_published_appeals_newest_first(client, appeals):
    assert _entries(client.get(reverse("cases:appeal_feed"))) == ["Turkish appeal", "Kazakh appeal"]


def test_the_case_appeal_feed_lists_that_case_only(client, appeals):
    kazakh, _ = appeals
    url = reverse("cases:case_appeal_feed", args=[kazakh.slug])
    assert _entries(client.get(url)) == ["Kazakh appeal"]


def test_the_country_appeal_feed_lists_appeals_concerning_the_state(client, appeals):
    assert _entries(client.get(reverse("cases:country_appeal_feed", args=["tr"]))) == [
        "Turkish appeal"
    ]
    assert _entries(client.get(reverse("cases:country_appeal_feed", args=["FR"]))) == []


def test_the_timeline_feed_lists_published_alerts_with_their_dispute(client, jardemalie):
    response = client.get(reverse("cases:case_timeline_feed", args=[jardemalie.slug]))
    titles = _entries(response)
    assert "1 October 2019: Her Brussels home searched under a Kazakh request" in " ".join(titles)
    assert titles[0].startswith("16 December 2025")  # latest development first
    assert "The sources disagree" in response.content.decode()


def test_feeds_of_things_not_published_are_not_found(client):
    draft = make_case(published=False)
    make_alert(draft)
    for name in ("cases:case_timeline_feed", "cases:case_appeal_feed"):
        assert client.get(reverse(name, args=[draft.slug])).status_code == 404
    assert client.get(reverse("cases:country_appeal_feed", args=["xx"])).status_code == 404


def test_feeds_name_the_issuing_organisation_not_staff(client, django_user_model):
    author = django_user_model.objects.create(username="staff-author-name")
    make_appeal(make_case(), author=author, **published_appeal_fields())
    body = client.get(reverse("cases:appeal_feed")).content.decode()
    assert "staff-author-name" not in body
    assert "<author><name>Organisation" in body


def test_pages_link_to_their_feeds(client, jardemalie):
    home = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in home
    appeal = Appeal.objects.published().first()
    assert "appeals.atom" in client.get(appeal.get_absolute_url()).content.decode()


def test_the_sitemap_lists_published_pages_only(client, jardemalie):
    draft = make_case(published=False, slug="draft-case")
    make_appeal(draft, **published_appeal_fields())
    make_defender(make_case(), slug="secret-real-name", public_name="P", identity_protected=True)
    body = sitemap_text(client)
    assert jardemalie.get_absolute_url() in body
    for appeal in Appeal.objects.published():
        assert f"{appeal.get_absolute_url()}</loc>" in body
    assert "/defenders/botagoz-jardemalie/" in body
    assert "/countries/kz/" in body and "/countries/be/" in body
    assert "/recommendations/" in body
    assert "draft-case" not in body and "secret-real-name" not in body
    assert Appeal.objects.exclude(pk__in=Appeal.objects.published()).exists()


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_the_sitemap_is_an_index_of_pages_of_bounded_size(client, monkeypatch):
    from public import sitemaps

    assert sitemaps.URLS_PER_PAGE == 10_000  # the protocol allows 50,000 per file
    monkeypatch.setattr(sitemaps.CaseSitemap, "limit", 2)
    cases = [make_case() for _ in range(5)]
    index = client.get("/sitemap.xml").content.decode()
    pages = re.findall(r"<loc>http://testserver(/sitemap-cases\.xml[^<]*)</loc>", index)
    assert pages == ["/sitemap-cases.xml", "/sitemap-cases.xml?p=2", "/sitemap-cases.xml?p=3"]
    found = []
    for page in pages:
        body = client.get(page).content.decode()
        urls = re.findall(r"<loc>http://testserver(/cases/[^<]+)</loc>", body)
        assert len(urls) <= 2
        found += urls
    assert sorted(found) == sorted(case.get_absolute_url() for case in cases)
    # The index names the latest change of the cases, from one aggregate.
    latest = max(case.last_public_change for case in cases)
    assert f"<lastmod>{timezone.localtime(latest).date().isoformat()}" in index
    assert client.get("/sitemap-cases.xml?p=4").status_code == 404

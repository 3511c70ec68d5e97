"""The site's own pages: about, contact, privacy (staff write them), How we verify, the icon."""

import pytest
from django.utils import timezone

from cases.models import Page

from .factories import make_case

pytestmark = pytest.mark.django_db


def test_a_published_page_is_shown_and_a_draft_is_not(client):
    Page.objects.create(
        slug="about", title="About us", body="One.\n\nTwo <b>.", published_at=timezone.now()
    )
    Page.objects.create(slug="privacy", title="Draft", body="Not yet.")
    page = client.get("/pages/about/").content.decode()
    assert "<h1>About us</h1>" in page and "<p>One.</p>" in page and "Two &lt;b&gt;." in page
    assert client.get("/pages/privacy/").status_code == 404


def test_every_page_links_to_about_contact_privacy_and_how_we_verify(client):
    page = client.get("/").content.decode()
    for href in ("/pages/about/", "/pages/contact/", "/pages/privacy/", "/how-we-verify/"):
        assert f'href="{href}"' in page


def test_how_we_verify_explains_the_badges(client):
    page = client.get("/how-we-verify/").content.decode()
    for word in ("reported", "corroborated", "confirmed", "disputed"):
        assert word in page


def test_the_icon_is_at_favicon_ico(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"


def test_canonical_addresses_drop_the_query(client):
    case = make_case(slug="a-case")
    page = client.get(f"/cases/{case.slug}/?utm_source=newsletter&x=1").content.decode()
    assert '<link rel="canonical" href="http://testserver/cases/a-case/">' in page
    assert '<meta property="og:url" content="http://testserver/cases/a-case/">' in page


def test_the_filter_forms_submit_to_their_own_address_and_errors_come_first(client):
    page = client.get("/cases/?year=notayear").content.decode()
    assert 'action=""' not in page and 'action="/cases/"' in page
    assert page.index('class="form-errors"') < page.index('<form class="filters"')


def test_reading_the_site_sets_no_cookie_as_the_privacy_page_says(client):
    from .factories import make_appeal, published_appeal_fields

    case = make_case(slug="a-case")
    appeal = make_appeal(case, **published_appeal_fields())
    for url in ("/", case.get_absolute_url(), appeal.get_absolute_url(), "/how-we-verify/"):
        response = client.get(url)
        assert response.status_code == 200 and not response.cookies, url

"""The case page's timeline, drawn in Python: what the template drew, escaped as it was."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Alert

from .factories import (
    make_alert,
    make_authority,
    make_case,
    make_citation,
    make_organisation,
    make_source,
)

pytestmark = pytest.mark.django_db


def test_a_disputed_alert_shows_every_part_and_escapes_every_value(client):
    case = make_case()
    alert = make_alert(
        case,
        title="Raid <script>alert(1)</script>",
        place="Brussels & around",
        country="BE",
        disputed=True,
        dispute_note='The ministry says "no raid".',
        verification=Alert.Verification.CORROBORATED,
    )
    alert.authorities.add(make_authority(name="Ministry <b>", office_holder="J. Doe"))
    publisher = make_organisation(name="Rights Watch", acronym="RW")
    make_citation(
        source=make_source(publisher=publisher, language="fr"),
        alert=alert,
        quoted_passage="They came at <dawn>",
        locator="p. 3",
        note="Translated",
        is_version=True,
    )
    # A source of the same alert that supports what is not in dispute: not labelled a version.
    make_citation(
        source=make_source(publisher=make_organisation(name="Other", acronym="OT")),
        alert=alert,
        quoted_passage="At six.",
    )
    page = client.get(reverse("cases:case_detail", args=[case.slug])).content.decode()
    assert f'<li id="alert-{alert.pk}" class="alert disputed">' in page
    assert "Raid &lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert '<p class="meta">Brussels &amp; around, Belgium</p>' in page
    assert "Authorities involved: Ministry &lt;b&gt; (J. Doe)" in page
    assert (
        '<a class="tag verification-corroborated" href="/how-we-verify/" title="How we verify">'
        "corroborated</a>"
    ) in page
    assert '<span class="tag disputed-tag">disputed</span>' in page
    assert "The ministry says &quot;no raid&quot;." in page
    assert '<ul class="citations" aria-label="What each source says">' in page
    assert '<a class="ref" href="#source-1" aria-label="Source 1">[1]</a>' in page
    assert "RW’s version:" in page and "OT’s version:" not in page
    assert '<q lang="fr">They came at &lt;dawn&gt;</q>' in page
    assert (
        '<span class="meta">p. 3</span>' in page and '<span class="note">Translated</span>' in page
    )
    assert '<li id="source-1" value="1">' in page


@pytest.mark.parametrize(
    "date,precision,qualifier,sorts_on",
    [
        ("2019-10-01", "day", "", "2019-10-01"),
        ("2019-10-01", "month", "", "2019-10-31"),  # after the days of October it follows
        ("2019-02-01", "month", "about", "2019-02-28"),
        ("2019-01-01", "year", "", "2019-12-31"),
        ("2019-11-06", "day", "before", "2019-11-05"),  # just before 6 November
        ("2024-02-01", "month", "before", "2024-01-31"),
        ("2020-06-01", "month", "after", "2020-06-30"),
    ],
)
def test_a_partial_date_sorts_where_it_falls_in_the_story(date, precision, qualifier, sorts_on):
    from cases.models.base import natural_sort_date

    day = datetime.date.fromisoformat(date)
    assert natural_sort_date(day, precision, qualifier) == datetime.date.fromisoformat(sorts_on)


def test_the_timeline_follows_the_sort_date_and_staff_can_place_an_entry(client):
    case = make_case()
    month = make_alert(
        case, title="In October", date=datetime.date(2019, 10, 1), date_precision="month"
    )
    day = make_alert(case, title="On 7 October", date=datetime.date(2019, 10, 7))
    year = make_alert(case, title="In 2019", date=datetime.date(2019, 1, 1), date_precision="year")
    assert list(case.alerts.values_list("title", flat=True)) == [
        "On 7 October",
        "In October",
        "In 2019",
    ]
    year.sorts_on = datetime.date(2019, 1, 1)
    year.save()
    page = client.get(case.get_absolute_url()).content.decode()
    timeline = page[page.index('<ol class="timeline">') :]
    assert timeline.index("In 2019") < timeline.index("On 7 October") < timeline.index("In October")
    assert month.sort_date == datetime.date(2019, 10, 31) and day.sort_date == day.date

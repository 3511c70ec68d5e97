"""
Property: whatever sequence of edits, protections, reverts, deletions and restores staff of any
role make, once a defender is protected no public page (nor search, feed, sitemap or export)
shows the real name, an alias or the old address, and a contributor's pages never show them;
a private source's title and quoted passage never reach the public or a contributor.

`make fuzz` runs it with many more examples.
"""

import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Alias, Defender, Source
from tests.admin_forms import form_data
from tests.factories import (
    log_in,
    make_alert,
    make_case,
    make_citation,
    make_defender,
    make_source,
    make_staff,
    sitemap_urls,
)

pytestmark = pytest.mark.django_db

REAL, ALIAS, OLD_SLUG = "Qzrealname", "Qzaliasname", "qzrealname-slug"
PRIVATE_TITLE, PRIVATE_QUOTE = "Qzprivatetitle", "Qzprivatequote"
IDENTITY = [REAL, ALIAS, OLD_SLUG]
PRIVATE = [PRIVATE_TITLE, PRIVATE_QUOTE]
ROLES = ["contributor", "case-officer", "publisher"]

relaxed = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def world():
    case = make_case(slug="the-case", title="The case")
    defender = make_defender(case, name=REAL, public_name=REAL, slug=OLD_SLUG)
    Alias.objects.create(defender=defender, name=ALIAS, kind=Alias.Kind.SPELLING)
    private = make_source(title=PRIVATE_TITLE, is_public=False)
    alert = make_alert(case, title="A search of her home")
    make_citation(source=private, alert=alert, quoted_passage=PRIVATE_QUOTE)
    make_citation(source=make_source(title="A public report"), alert=alert)
    clients = {}
    for role in ROLES:
        clients[role] = log_in(Client(), make_staff(role))
    return {"case": case, "defender": defender, "source": private, "clients": clients}


def admin(model, view, *args):
    return reverse(f"admin:cases_{model._meta.model_name}_{view}", args=args)


def _protect(world, client, n):
    client.post(
        admin(Defender, "publication", world["defender"].pk, "protect"),
        {"public_name": f"Defender {n}", "slug": f"defender-{n}"},
    )


def _revert(model, pk):
    def step(world, client, n):
        versions = list(model.history.filter(id=pk).order_by("history_date"))
        if versions:
            record = versions[n % len(versions)]
            client.post(admin(model, "simple_history", pk, record.history_id))

    return step


def _edit_defender(world, client, n):
    url = admin(Defender, "change", world["defender"].pk)
    response = client.get(url)
    if response.status_code == 200:
        data = form_data(response)
        data["public_profile"] = f"Profile {n}"
        client.post(url, data)


def _edit_source(world, client, n):
    url = admin(Source, "change", world["source"].pk)
    response = client.get(url)
    if response.status_code == 200:
        data = form_data(response)
        data.update({"is_public": "on", "file_is_public": "on", "kind": "testimony"})
        client.post(url, data)


def _delete_alias(world, client, n):
    alias = Alias.objects.filter(defender=world["defender"]).first()
    if alias is not None:
        client.post(admin(Alias, "delete", alias.pk), {"post": "yes"})


def _restore_alias(world, client, n):
    deleted = Alias.history.filter(history_type="-").order_by("-history_date").first()
    if deleted is not None:
        client.post(admin(Alias, "simple_history", deleted.id, deleted.history_id))


STEPS = {
    "protect": _protect,
    "revert defender": lambda world, client, n: _revert(Defender, world["defender"].pk)(
        world, client, n
    ),
    "edit defender": _edit_defender,
    "revert source": lambda world, client, n: _revert(Source, world["source"].pk)(world, client, n),
    "edit source": _edit_source,
    "delete alias": _delete_alias,
    "restore alias": _restore_alias,
}


def _public_pages(world):
    anonymous = Client()
    slugs = {OLD_SLUG, *Defender.objects.values_list("slug", flat=True)}
    urls = [
        world["case"].get_absolute_url(),
        reverse("cases:case_timeline_feed", args=[world["case"].slug]),
        reverse("cases:case_list") + f"?q={REAL}",
        reverse("cases:search") + f"?q={REAL}",
        reverse("cases:search") + f"?q={ALIAS}",
        reverse("cases:search") + f"?q={PRIVATE_TITLE}",
        reverse("cases:source_list"),
        reverse("cases:recommendation_export"),
        *sitemap_urls(),
        *(f"/defenders/{slug}/" for slug in slugs),
    ]
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code in (200, 404), url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        # The query is echoed back to whoever typed it: only what the page found counts.
        yield url, re.sub(r'value="[^"]*"', "", body.decode())


def _contributor_pages(world):
    client = world["clients"]["contributor"]
    defender, source = world["defender"], world["source"]
    urls = [
        admin(Defender, "changelist"),
        admin(Defender, "changelist") + f"?q={REAL}",
        admin(Defender, "change", defender.pk),
        admin(Defender, "history", defender.pk),
        admin(Alias, "changelist"),
        admin(Alias, "deleted"),
        admin(Source, "changelist"),
        admin(Source, "change", source.pk),
        admin(Source, "history", source.pk),
        reverse("admin:search") + f"?q={REAL}",
        reverse("admin:autocomplete")
        + "?app_label=cases&model_name=casedefender&field_name=defender&term=",
        reverse("admin:autocomplete")
        + "?app_label=cases&model_name=citation&field_name=source&term=",
    ]
    urls += [
        admin(Defender, "simple_history", defender.pk, record.history_id)
        for record in Defender.history.filter(id=defender.pk)
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), url
        yield url, re.sub(r'value="[^"]*"', "", response.content.decode())


@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(STEPS)), st.sampled_from(ROLES), st.integers(0, 9)),
        min_size=1,
        max_size=5,
    )
)
@relaxed
def test_no_sequence_of_staff_actions_discloses_a_protected_identity(world, steps):
    was_protected = False
    with transaction.atomic():
        cache.clear()
        for n, (name, role, number) in enumerate(steps):
            STEPS[name](world, world["clients"][role], 10 * n + number)
            world["defender"].refresh_from_db()
            protected = world["defender"].identity_protected
            hidden = PRIVATE + (IDENTITY if protected else [])
            for url, body in _public_pages(world):
                found = [
                    word
                    for word in hidden
                    if word.lower() in body.lower() and word.lower() not in url.lower()
                ]
                assert not found, f"after {steps[: n + 1]}: {url} shows {found}"
            for url, body in _contributor_pages(world):
                found = [word for word in hidden if word in body and word not in url]
                assert not found, f"after {steps[: n + 1]}: the contributor's {url} shows {found}"
            # Once protected, always protected: nothing in these steps lifts it.
            assert protected or not was_protected, steps[: n + 1]
            was_protected = was_protected or protected
        transaction.set_rollback(True)

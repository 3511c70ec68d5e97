"""
The timeline of a case page, and every list of citations on the public site, drawn in Python.
A timeline has hundreds of alerts: through the template engine, each of the dozen values of
each alert and citation costs a variable lookup, a localisation pass and a translation
lookup, and the page spent most of its time there. Here each label is translated once per
page, each country named once per code, and every value is escaped as the template would.
Templates print citations with the `citations` tag (public/templatetags/public_site.py),
which calls `render_citations` below: one renderer.
"""

from html import escape as _html_escape

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from cases.models import Alert
from cases.multilingual import shown_language


def escape(value):
    """As Django's `escape` (and the template's autoescaping), without its lazy-string wrapper."""
    return _html_escape(str(value), quote=True)


class _Labels:
    """Everything the timeline says in the reader's language, looked up once per page."""

    def __init__(self):
        self.kinds = {value: escape(label) for value, label in Alert.Kind.choices}
        self.verifications = {value: escape(label) for value, label in Alert.Verification.choices}
        self.disputed = escape(_("disputed"))
        self.authorities = escape(_("Authorities involved"))
        self.sources_disagree = escape(_("The sources disagree"))
        self.source = escape(_("Source"))
        self.sources = escape(_("Sources"))
        self.what_each_source_says = escape(_("What each source says"))
        self.read_the_appeal = escape(_("Read the appeal"))
        self.how_we_verify = escape(_("How we verify"))
        self.how_we_verify_url = escape(reverse("cases:how_we_verify"))
        self.countries = {}
        self.dates = {}
        self.language = get_language()

    def lang(self, obj, name):
        """` lang="en"` where `obj`'s `name` is shown in another language than the page's."""
        code = shown_language(obj, name, self.language)
        return f' lang="{escape(code)}"' if code and code != self.language else ""

    def country(self, code):
        if code not in self.countries:
            self.countries[code] = escape(countries.name(code)) if code else ""
        return self.countries[code]


def render_timeline(alerts):
    """One `<li>` per alert, safe to print: as many strings as alerts."""
    labels = _Labels()
    # Reviewed: _render_alert escapes every value it prints (tests/test_timeline.py).
    return [mark_safe(_render_alert(alert, labels)) for alert in alerts]  # noqa: S308 # nosec B308 B703


def _render_alert(alert, labels):
    disputed = alert.disputed
    dates = (alert.date, alert.date_precision, alert.date_qualifier)
    if dates not in labels.dates:
        labels.dates[dates] = (escape(alert.date_iso), escape(alert.date_display))
    date_iso, date_display = labels.dates[dates]
    verification = escape(alert.verification)
    parts = [
        f'<li id="alert-{alert.pk}" class="alert{" disputed" if disputed else ""}">\n'
        f'<p class="when"><time datetime="{date_iso}">{date_display}</time>\n'
        f'<span class="tag">{labels.kinds.get(alert.kind) or escape(alert.kind)}</span>\n'
        f'<a class="tag verification-{verification}" href="{labels.how_we_verify_url}" '
        f'title="{labels.how_we_verify}">'
        f"{labels.verifications.get(alert.verification) or verification}</a>\n",
        f'<span class="tag disputed-tag">{labels.disputed}</span>\n' if disputed else "",
        f"</p>\n<h3{labels.lang(alert, 'title')}>{escape(alert.title)}</h3>\n",
    ]
    country = alert.country.code or ""
    if alert.place or country:
        place = f"{escape(alert.place)}, " if alert.place else ""
        parts.append(f'<p class="meta">{place}{labels.country(country)}</p>\n')
    if alert.authority_list:
        authorities = "; ".join(
            f"{escape(a.name)} ({escape(a.office_holder)})" if a.office_holder else escape(a.name)
            for a in alert.authority_list
        )
        parts.append(f'<p class="meta">{labels.authorities}: {authorities}</p>\n')
    parts.append(f"<p{labels.lang(alert, 'description')}>{escape(alert.description)}</p>\n")
    # The timeline entry of a publication leads to it (a withdrawn appeal has no page).
    appeal = getattr(alert, "public_appeal", None)
    if appeal is not None:
        parts.append(
            f'<p class="appeal-link"><a href="{escape(appeal.get_absolute_url())}">'
            f"{labels.read_the_appeal}: {escape(appeal)}</a></p>\n"
        )
    if disputed:
        parts.append(
            f'<p class="dispute"><strong>{labels.sources_disagree}:</strong> '
            f"<span{labels.lang(alert, 'dispute_note')}>{escape(alert.dispute_note)}</span></p>\n"
        )
    if alert.public_citations:
        parts.append(_render_citations(alert.public_citations, disputed, labels))
    parts.append("</li>\n")
    return "".join(parts)


def render_citations(citations, *, disputed=False):
    """
    A list of citations, safe to print. A citation numbered on its page (`number`, as the case
    page numbers its sources) links to that source below; one without names its source.
    """
    citations = list(citations)
    if not citations:
        return ""
    # Reviewed: _render_citations escapes every value it prints (tests/test_timeline.py).
    return mark_safe(_render_citations(citations, disputed, _Labels()))  # noqa: S308 # nosec B308 B703


def _render_citations(citations, disputed, labels):
    label = labels.what_each_source_says if disputed else labels.sources
    parts = [f'<ul class="citations" aria-label="{label}">\n']
    parts.extend(_render_citation(c, disputed, labels) for c in citations)
    parts.append("</ul>\n")
    return "".join(parts)


def _render_citation(citation, disputed, labels):
    source = citation.source
    number = getattr(citation, "number", None)
    if number is not None:
        number = int(number)
        parts = [
            f'<li><a class="ref" href="#source-{number}" aria-label="{labels.source} {number}">'
            f"[{number}]</a>\n"
        ]
    else:
        parts = [f"<li>{_source_reference(source)}"]
    # Only a citation that gives one side of the point in dispute is labelled as that side;
    # the other sources of a disputed alert support what is not in dispute.
    if disputed and citation.is_version:
        publisher = source.publisher
        name = (publisher.short_name if publisher else "") or source.title
        version = _("%(source)s’s version:") % {"source": name}
        parts.append(f'<span class="version">{escape(version)}</span>\n')
    if citation.quoted_passage:
        separator = ": " if number is None else ""
        language, passage = escape(source.language), escape(citation.quoted_passage)
        parts.append(f'{separator}<q lang="{language}">{passage}</q>\n')
    if citation.locator:
        parts.append(f'<span class="meta">{escape(citation.locator)}</span>\n')
    if citation.note:
        parts.append(f'<span class="note">{escape(citation.note)}</span>\n')
    parts.append("</li>\n")
    return "".join(parts)


def _source_reference(source):
    """The source named in full: title (linked when it has an address), publisher, date."""
    title = escape(source.title)
    if source.url:
        reference = f'<a href="{escape(source.url)}" rel="noopener noreferrer">{title}</a>'
    else:
        reference = f"<cite>{title}</cite>"
    if source.publisher:
        reference += f", {escape(source.publisher.short_name)}"
    if source.date:
        reference += f", {escape(source.date_display)}"
    return reference

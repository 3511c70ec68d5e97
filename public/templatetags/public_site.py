from django import template
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from cases.multilingual import fallbacks, shown_language

from ..timeline import render_citations

register = template.Library()


@register.simple_tag
def citations(items, disputed=False):
    """`{% citations update.citations.all %}`: the site's one way of printing citations."""
    return render_citations(items, disputed=disputed)


@register.filter(is_safe=True, needs_autoescape=True)
def paragraphs(text, autoescape=True):
    """
    A text as paragraphs, each line one paragraph: staff type a blank line between
    paragraphs, fixtures fold a paragraph onto one line; either way none run together.
    """
    escape = conditional_escape if autoescape else str
    lines = [line.strip() for line in str(text or "").splitlines()]
    return mark_safe("\n".join(f"<p>{escape(line)}</p>" for line in lines if line))  # noqa: S308 # nosec B308 B703


@register.filter
def language_name(code):
    """'en' → 'English', in the reader's language; an unknown code is shown as it is."""
    try:
        return translation.get_language_info(str(code))["name_translated"]
    except KeyError:
        return code


@register.simple_tag
def lang_of(obj, name):
    """` lang="en"` on a passage shown in another language than the page's (its text has no
    translation yet), nothing otherwise: `<h1{% lang_of case "title" %}>`."""
    code = shown_language(obj, name)
    if code is None or code == translation.get_language():
        return ""
    return format_html(' lang="{}"', code)


@register.inclusion_tag("public/_translation_note.html")
def translation_note(*records):
    """Tells the reader which texts of the page are not in their language yet, and in which
    language they are shown instead: never a silent mix."""
    shown = []
    for record in records:
        for group in record if isinstance(record, (list, tuple)) else [record]:
            for code in fallbacks(group):
                if code not in shown:
                    shown.append(code)
    return {"page_language": translation.get_language(), "shown": shown}

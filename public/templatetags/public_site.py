from django import template
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

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

from django import template

from ..timeline import render_citations

register = template.Library()


@register.simple_tag
def citations(items, disputed=False):
    """`{% citations update.citations.all %}`: the site's one way of printing citations."""
    return render_citations(items, disputed=disputed)

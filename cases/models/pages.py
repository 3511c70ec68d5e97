"""Pages of the site that staff write: about, contact, privacy (django.contrib.flatpages' idea)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import TimeStamped, Translated, Versioned


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)


class Page(Versioned, TimeStamped, Translated):
    """
    A page of plain text at /pages/<slug>/. Unlike flatpages it takes no HTML: a blank line
    starts a paragraph, so nothing staff type can carry a script onto the public site.
    """

    slug = models.SlugField(
        _("address"),
        max_length=100,
        unique=True,
        help_text=_(
            "The page is at /pages/<address>/. The footer links to about, contact and privacy."
        ),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"), help_text=_("Shown publicly. A blank line starts a paragraph.")
    )
    published_at = models.DateTimeField(
        _("published"),
        null=True,
        blank=True,
        help_text=_("Set by Publish (publishers): only then is the page public."),
    )

    objects = PageQuerySet.as_manager()

    # Registered by cases/translation.py, once the translation columns exist.
    history_options = {}

    class Meta:
        ordering = ["title"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cases:page", args=[self.slug])

    def is_published(self):
        return self.published_at is not None

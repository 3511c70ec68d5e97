from django.db import models
from django.utils.translation import gettext_lazy as _


class PageGeneration(models.Model):
    """
    The generation of the public pages: one row, bumped in the same transaction as every write
    that changes what the public sees (public/cache.py). It lives in the database, not in the
    cache, so that a cache restarted from an old snapshot, or one that evicted it, cannot
    bring back a page stored before the last public change: the page carries the generation
    it was rendered under and is served only while that is still the one in this row.
    """

    generation = models.BigIntegerField(_("generation"))
    changed_at = models.DateTimeField(_("last public change"))

    class Meta:
        verbose_name = _("public page generation")
        verbose_name_plural = _("public page generations")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.generation} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

"""Records staff marked ready for publication, waiting for someone who may publish them."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicationRequestQuerySet(models.QuerySet):
    def of(self, obj, what="record"):
        """The request to publish `obj` (or a source's file, `what="file"`), if there is one."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk, what=what
        )

    def for_reviewer(self, user, content_types):
        """
        What awaits `user`'s review: requests to publish the kinds of records they may publish
        (`content_types`), asked by someone else (those who may publish publish their own).
        """
        return self.filter(content_type__in=content_types).exclude(requested_by=user)


class PublicationRequest(models.Model):
    """
    "Ready for publication": a case, an alert, a source or a source's file that its author may
    not publish. Publishing it (or refusing it) ends the request; the dashboard lists the open
    ones for publishers.
    """

    class What(models.TextChoices):
        RECORD = "record", _("the record")
        FILE = "file", _("the source's file")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, editable=False)
    object_id = models.PositiveBigIntegerField(editable=False)
    record = GenericForeignKey("content_type", "object_id")
    what = models.CharField(_("what"), max_length=6, choices=What.choices, default=What.RECORD)
    note = models.CharField(_("note for the publisher"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)

    objects = PublicationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("publication request")
        verbose_name_plural = _("awaiting publication")
        constraints = [
            # Asking twice is one request.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "what"],
                name="publication_request_unique",
                violation_error_message=_("This is already marked ready for publication."),
            ),
            models.CheckConstraint(
                condition=models.Q(what__in=["record", "file"]),
                name="publication_request_what_valid",
                violation_error_message=_("A record or a source's file is what gets published."),
            ),
        ]

    def __str__(self):
        return f"{self.content_type.name} #{self.object_id} ({self.get_what_display()})"


class PageGeneration(models.Model):
    """
    Generations of the cached public pages, bumped in the same transaction as every write
    that changes what the public sees (public/cache.py): one row for every change, one for
    changes that can touch any page, and one per case for changes to that case's parts. They
    live in the database, not in the cache, so that a cache restarted from an old snapshot,
    or one that evicted them, cannot bring back a page stored before the last public change:
    a page carries the generations it was rendered under and is served only while they are
    still these.
    """

    generation = models.BigIntegerField(_("generation"))
    changed_at = models.DateTimeField(_("last public change"))
    # Which pages: 0 for every page a public change can touch, -1 for a change that can touch
    # any page, a case's primary key for the pages of that case. A plain number rather than a
    # foreign key: a case's parts are deleted before the case, and each deletion still bumps
    # the case's row.
    scope = models.BigIntegerField(_("pages"), unique=True)

    class Meta:
        verbose_name = _("public page generation")
        verbose_name_plural = _("public page generations")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.generation} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

"""The documents the observatory relies on, and the passages it cites from them."""

import secrets
from pathlib import PurePath

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import PartialDate, TimeStamped, Versioned, validate_event_date
from .vocabularies import Organisation

language_code = RegexValidator(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", _("Use a language code such as 'en', 'fr' or 'pt-BR'.")
)


class SourceQuerySet(models.QuerySet):
    def published(self):
        """
        Public sources that a published page cites: a published alert of a published case, an
        update of a recommendation of a published case, or such a recommendation itself. A
        public source cited only in drafts is not published: its title, or its file's, could
        announce a case that staff have not published yet. Whether a published page cites it
        is stored (`cited_publicly`, see refresh_cited_publicly), so that the source list
        reads one indexed flag rather than every citation.
        """
        return self.filter(is_public=True, cited_publicly=True)

    def refresh_cited_publicly(self):
        """
        Store for each source whether a published page cites it. One UPDATE, whatever the
        number of sources; returns how many were refreshed. The one rule that writes the flag:
        called after any save or deletion of a citation, an alert, a case, a recommendation
        or a source (CasesConfig), and by the data generator for what it writes in bulk.
        """
        Citation_ = apps.get_model("cases", "Citation")
        Recommendation = apps.get_model("cases", "Recommendation")
        source = models.OuterRef("pk")
        in_alerts = Citation_.objects.filter(
            source=source,
            alert__published_at__isnull=False,
            alert__case__published_at__isnull=False,
        )
        in_updates = Citation_.objects.filter(
            source=source,
            recommendation_update__recommendation__case__published_at__isnull=False,
        )
        in_recommendations = Recommendation.objects.filter(
            source=source, case__published_at__isnull=False
        )
        return self.update(
            cited_publicly=models.ExpressionWrapper(
                models.Q(models.Exists(in_alerts))
                | models.Q(models.Exists(in_updates))
                | models.Q(models.Exists(in_recommendations)),
                output_field=models.BooleanField(),
            )
        )

    def with_public_file(self):
        """Published sources whose attached file anyone may download."""
        return self.published().filter(file_is_public=True).exclude(file="")


def source_file_path(instance, filename):
    """
    A random name that keeps only the extension: an original file name ("statement of
    witness X.pdf") can identify people, and must not be guessable from a public address.
    """
    extension = PurePath(filename).suffix.lower()
    return f"sources/{timezone.now():%Y}/{secrets.token_urlsafe(18)}{extension}"


class SourceKind(models.TextChoices):
    NGO_STATEMENT = "ngo_statement", _("NGO statement")
    PRESS_ARTICLE = "press_article", _("press article")
    COURT_DECISION = "court_decision", _("court decision")
    UN_DOCUMENT = "un_document", _("UN document")
    PARLIAMENTARY_RECORD = "parliamentary_record", _("parliamentary record")
    LETTER = "letter", _("letter")
    TESTIMONY = "testimony", _("internal testimony")
    OTHER = "other", _("other")


class SourceFileType(models.TextChoices):
    """What an attached file's content was checked to be (cases.files)."""

    NONE = "", _("no file")
    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"
    WEBP = "image/webp", "WebP"
    TEXT = "text/plain", _("plain text")
    UNCHECKED = "application/octet-stream", _("unchecked (stored before uploads were checked)")


class SourceReliability(models.TextChoices):
    UNASSESSED = "", _("not assessed")
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class Source(Versioned, PartialDate, TimeStamped):
    Kind = SourceKind

    Reliability = SourceReliability

    FileType = SourceFileType

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        verbose_name=_("publisher"),
    )
    author = models.CharField(_("author"), max_length=200, blank=True)
    # Some sources carry no date at all.
    date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        validators=[validate_event_date],
        help_text=_(
            "For a month or a year, any day in it: it is stored as the first day of the period."
        ),
    )
    language = models.CharField(
        _("language"), max_length=12, validators=[language_code], default="en"
    )
    url = models.URLField(_("address"), max_length=500, blank=True)
    file = models.FileField(
        _("file"),
        upload_to=source_file_path,
        max_length=200,
        blank=True,
        help_text=_(
            "PDF, JPEG, PNG, WebP or plain text. Images are re-encoded without their metadata "
            "(camera, date, GPS position)."
        ),
    )
    # Set from the file's content when it is uploaded (cases.files), never from its name.
    file_type = models.CharField(
        _("file type"), max_length=100, choices=FileType.choices, blank=True, editable=False
    )
    file_size = models.PositiveBigIntegerField(
        _("file size"), null=True, blank=True, editable=False
    )
    file_name = models.CharField(
        _("original file name"),
        max_length=255,
        blank=True,
        editable=False,
        help_text=_("Internal: the name the file was uploaded with; never shown publicly."),
    )
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_(
            "A public source is listed and cited on the public site. Leave internal testimony "
            "and anything that could identify a witness private."
        ),
    )
    file_is_public = models.BooleanField(
        _("file public"),
        default=False,
        help_text=_("The attached file may be downloaded by anyone. Only for a public source."),
    )
    reliability = models.CharField(
        _("reliability"), max_length=6, choices=Reliability.choices, blank=True
    )
    internal_notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Internal: never shown publicly.")
    )
    # Whether a published page cites the source; only refresh_cited_publicly() writes it.
    cited_publicly = models.BooleanField(
        _("cited on a published page"), default=False, editable=False
    )

    objects = SourceQuerySet.as_manager()

    # The history is of what staff wrote: whether a page cites the source follows from it.
    history = HistoricalRecords(excluded_fields=["cited_publicly"])

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = _("source")
        indexes = [
            # The public source list: published sources, latest first. Created on PostgreSQL
            # only (migration 0017): SQLite refuses NULLS LAST in an index.
            models.Index(
                models.F("date").desc(nulls_last=True),
                "title",
                "id",
                condition=models.Q(is_public=True, cited_publicly=True),
                name="source_published_idx",
            ),
        ]
        verbose_name_plural = _("sources")
        permissions = [
            ("publish_source", _("Can make sources and their files public, and private again"))
        ]
        constraints = [
            *PartialDate.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(kind__in=SourceKind.values),
                name="source_kind_valid",
                violation_error_message=_("Choose a kind of source from the list."),
            ),
            models.CheckConstraint(
                condition=models.Q(reliability__in=SourceReliability.values),
                name="source_reliability_valid",
                violation_error_message=_("Choose a reliability from the list."),
            ),
            models.CheckConstraint(
                condition=models.Q(file_is_public=False) | models.Q(is_public=True),
                name="source_public_file_needs_public_source",
                violation_error_message=_("Only the file of a public source can be public."),
            ),
            models.CheckConstraint(
                condition=models.Q(file_type__in=SourceFileType.values),
                name="source_file_type_valid",
                violation_error_message=_("The file is of a type that is not accepted."),
            ),
            # A stored file is served with the type its content was checked to be.
            models.CheckConstraint(
                condition=models.Q(file="", file_type="")
                | (~models.Q(file="") & ~models.Q(file_type="")),
                name="source_file_has_type",
                violation_error_message=_(
                    "A stored file has the type its content was checked to be."
                ),
            ),
        ]

    def __str__(self):
        if self.publisher_id and self.date:
            return f"{self.publisher.short_name}, “{self.title}”, {self.date_display}"
        return self.title

    def clean(self):
        super().clean()
        if self.file_is_public and not self.is_public:
            raise ValidationError(
                {"file_is_public": _("Only the file of a public source can be public.")}
            )

    def is_published(self):
        return Source.objects.published().filter(pk=self.pk).exists()

    def has_public_file(self):
        """On a page that cites it (so published): whether its file may be downloaded."""
        return bool(self.file) and self.is_public and self.file_is_public

    def get_file_url(self):
        """The public address of the file; only for a source whose file is public."""
        return reverse("cases:source_file", args=[self.pk])


class Citation(Versioned):
    """A passage of a source that supports an alert or a recommendation update."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="citations", verbose_name=_("source")
    )
    alert = models.ForeignKey(
        "cases.Alert",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        verbose_name=_("alert"),
    )
    recommendation_update = models.ForeignKey(
        "cases.RecommendationUpdate",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        verbose_name=_("recommendation update"),
    )
    quoted_passage = models.TextField(
        _("quoted passage"),
        blank=True,
        help_text=_("Quote the source as printed; for a disputed alert, this source's version."),
    )
    locator = models.CharField(
        _("locator"), max_length=100, blank=True, help_text=_("e.g. 'paragraph 4', 'p. 2'.")
    )
    note = models.CharField(
        _("note"),
        max_length=500,
        blank=True,
        help_text=_("Shown publicly, e.g. a correction of the source's own mistake."),
    )
    is_version = models.BooleanField(
        _("this source's version"),
        default=False,
        help_text=_(
            "For a disputed alert: this passage gives the source's side of the point in "
            "dispute. Readers see it labelled as that source's version; other citations of the "
            "alert are shown as plain sources."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            # A citation supports exactly one thing.
            models.CheckConstraint(
                condition=models.Q(alert__isnull=False, recommendation_update__isnull=True)
                | models.Q(alert__isnull=True, recommendation_update__isnull=False),
                name="citation_has_one_target",
                violation_error_message=_(
                    "A citation supports one alert or one recommendation update."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.locator}".strip()


def citing_changed(sender, instance, raw=False, **kwargs):
    """
    A citation, an alert, a case, a recommendation or a source was saved (by a form, a revert,
    a fixture loaded raw in any order, a service) or one of the first four deleted: the
    sources it cites, before and after, are refreshed (`cited_publicly`), and so is the
    instance in hand when it is a source. Connected in CasesConfig.ready.
    """
    sources = Source.objects.using(kwargs.get("using") or "default")
    name = sender.__name__
    if name == "Source":
        ids = {instance.pk}
    elif name in ("Citation", "Recommendation"):
        ids = {instance.source_id, getattr(instance, "_source_before", None)}
    elif name == "Alert":
        ids = set(Citation.objects.filter(alert=instance.pk).values_list("source_id", flat=True))
    else:  # a case: every source its pages may cite, each way by its own index
        citations = Citation.objects.using(kwargs.get("using") or "default")
        Recommendation = apps.get_model("cases", "Recommendation")
        ids = set(citations.filter(alert__case=instance.pk).values_list("source_id", flat=True))
        ids |= set(
            citations.filter(recommendation_update__recommendation__case=instance.pk).values_list(
                "source_id", flat=True
            )
        )
        ids |= set(
            Recommendation.objects.filter(case=instance.pk).values_list("source_id", flat=True)
        )
    ids.discard(None)
    if ids:
        sources.filter(pk__in=ids).refresh_cited_publicly()
    if name == "Source":
        instance.cited_publicly = (
            sources.filter(pk=instance.pk).values_list("cited_publicly", flat=True).first() or False
        )


def remember_source(sender, instance, raw=False, **kwargs):
    """pre_save of a citation or a recommendation: the source it cited, to refresh it too."""
    if raw or instance.pk is None:
        return
    instance._source_before = (
        sender._base_manager.filter(pk=instance.pk).values_list("source_id", flat=True).first()
    )

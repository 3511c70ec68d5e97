"""What was asked of governments, and what they did about it."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .base import PartialDate, Translated, Versioned, date_in_range, validate_event_date
from .cases import Case, OfCaseQuerySet
from .sources import Source
from .vocabularies import Authority, Organisation


class RecommendationStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    COMMITTED = "committed", _("committed")
    PARTIAL = "partial", _("partially implemented")
    IMPLEMENTED = "implemented", _("implemented")
    NOT_IMPLEMENTED = "not_implemented", _("not implemented")
    CLOSED = "closed", _("closed")


# Statuses that still wait on the government, and so can become overdue.
OPEN_STATUSES = (RecommendationStatus.PENDING, RecommendationStatus.COMMITTED)


class RecommendationQuerySet(OfCaseQuerySet):
    def published(self):
        """Recommendations of published cases, with their updates (stored: `case_published`)."""
        return self.filter(case_published=True)

    def overdue(self, today=None):
        """
        Pending or committed, with nothing new for RECOMMENDATION_OVERDUE_DAYS since it was
        made or last updated.
        """
        return self.filter(overdue_condition(today))

    def refresh_status(self):
        """
        Store each recommendation's current status and last update date as its updates say:
        the status of the latest update (by date, then as recorded), `pending` with none.
        One UPDATE, whatever the number of recommendations. Returns how many were refreshed.
        """
        latest = latest_updates(models.OuterRef("pk"))
        return self.update(
            current_status=Coalesce(
                models.Subquery(latest.values("status")[:1]),
                models.Value(RecommendationStatus.PENDING.value),
                output_field=models.CharField(),
            ),
            last_update_on=models.Subquery(latest.values("date")[:1]),
        )

    def of_user(self, user):
        """Recommendations of the cases `user` leads or collaborates on."""
        from .cases import assigned_to

        return self.filter(assigned_to(user, prefix="case__"))

    def due_reminders(self, user, today):
        """
        Recommendations whose follow-up date has come (today or past), of the cases `user`
        leads or works on and of the cases nobody is assigned to. Read by the dashboard, and
        by the reminders mailed later.
        """
        from .cases import assigned_to, unassigned

        return self.filter(follow_up_on__lte=today).filter(
            assigned_to(user, prefix="case__") | unassigned(prefix="case__")
        )

    def with_is_overdue(self, today=None):
        """Annotate `is_overdue`, as `overdue()` decides."""
        return self.annotate(
            is_overdue=models.Case(
                models.When(overdue_condition(today), then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )


def overdue_condition(today=None):
    """What makes a recommendation overdue on `today`, as a condition for queries."""
    cutoff = _overdue_cutoff(today)
    return models.Q(current_status__in=OPEN_STATUSES) & (
        models.Q(last_update_on__lt=cutoff)
        | models.Q(last_update_on__isnull=True, issued_on__lt=cutoff)
    )


def _overdue_cutoff(today=None):
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.RECOMMENDATION_OVERDUE_DAYS)


class Recommendation(Versioned, Translated):
    Status = RecommendationStatus

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("case")
    )
    # Bounded so that the search vector stays within PostgreSQL's 1 MB (cases/search.py).
    text = models.TextField(
        _("text"), max_length=10_000, help_text=_("What is asked, in our words. Shown publicly.")
    )
    quote = models.TextField(
        _("quoted from the source"), blank=True, help_text=_("The passage as printed.")
    )
    target_state = CountryField(_("target state"))
    target_authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("target authority"),
    )
    issuer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("issued by"),
    )
    co_issuers = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="co_issued_recommendations",
        verbose_name=_("jointly with"),
    )
    issued_on = models.DateField(_("issued on"), validators=[validate_event_date])
    appeal = models.ForeignKey(
        "cases.Appeal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("appeal"),
    )
    requested_action = models.OneToOneField(
        "cases.RequestedAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendation",
        verbose_name=_("requested action"),
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("source"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The status of the latest update and its date, kept here so that the tracker counts and
    # filters by status with plain indexed queries. Only refresh_status() writes them: when an
    # update is saved or deleted (see update_changed) and when the recommendation is saved.
    current_status = models.CharField(
        _("status"),
        max_length=16,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.PENDING,
        editable=False,
    )
    last_update_on = models.DateField(_("last updated on"), null=True, editable=False)
    # Whether the case is published; only refresh_case_published() writes it.
    case_published = models.BooleanField(_("case published"), default=False, editable=False)
    follow_up_on = models.DateField(
        _("follow up on"),
        null=True,
        blank=True,
        help_text=_(
            "A reminder, e.g. to ask the ministry again: shown on the dashboard of the case's "
            "lead officer and collaborators (everyone's when nobody is assigned) from this "
            "day. Internal."
        ),
    )
    follow_up_note = models.CharField(
        _("follow-up note"),
        max_length=200,
        blank=True,
        help_text=_("What to do then. Internal."),
    )

    objects = RecommendationQuerySet.as_manager()

    # The history is of what staff wrote: the status has its own, in the updates. Registered
    # by cases/translation.py, once the translation columns exist.
    history_options = {
        "m2m_fields": ["co_issuers"],
        "excluded_fields": ["current_status", "last_update_on", "case_published"],
    }

    # Its identifier in the spreadsheet it was imported from (cases/transfer.py): importing the
    # same row again updates this record instead of adding another.
    external_id = models.CharField(_("external id"), max_length=100, blank=True, editable=False)

    class Meta:
        ordering = ["-issued_on", "id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        indexes = [
            # The admin list, latest first.
            models.Index(fields=["-issued_on", "id"], name="recommendation_issued_idx"),
            # The tracker: per government, latest first, and its counts per government.
            models.Index(
                fields=["target_state", "-issued_on", "id"], name="recommendation_state_idx"
            ),
            # The public tracker's and the home page's counts, read from the index alone.
            models.Index(
                fields=["current_status", "last_update_on", "issued_on", "target_state"],
                condition=models.Q(case_published=True),
                name="recommendation_public_idx",
            ),
            # The tracker's summary: per government, per status, overdue or not.
            models.Index(
                fields=["target_state", "current_status", "last_update_on", "issued_on"],
                name="recommendation_status_idx",
            ),
            # The dashboard's reminders: recommendations whose follow-up date has come.
            models.Index(
                fields=["follow_up_on"],
                condition=models.Q(follow_up_on__isnull=False),
                name="recommendation_follow_up_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="recommendation_external_id_unique",
                violation_error_message=_("Another record was imported with this external id."),
            ),
            models.CheckConstraint(
                condition=models.Q(current_status__in=RecommendationStatus.values),
                name="recommendation_status_valid",
                violation_error_message=_("The status is one of the tracker's statuses."),
            ),
            date_in_range("issued_on", "recommendation_issued_on_in_range"),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 80 else f"{self.text[:79]}…"
        return f"{self.target_state.code}: {text}"

    def get_absolute_url(self):
        return f"{reverse('cases:case_detail', args=[self.case.slug])}#recommendation-{self.pk}"

    def is_published(self):
        return self.case.is_published()

    @property
    def status(self):
        """The status of the latest update; `pending` until there is one."""
        return self.current_status

    def get_status_display(self):
        return RecommendationStatus(self.status).label


class RecommendationUpdate(Versioned, PartialDate, Translated):
    """A dated entry in a recommendation's history: a response, an assessment, a development."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="updates",
        verbose_name=_("recommendation"),
    )
    description = models.TextField(_("what happened"), help_text=_("Shown publicly."))
    status = models.CharField(
        _("resulting status"), max_length=16, choices=RecommendationStatus.choices
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    # Registered by cases/translation.py, once the translation columns exist.
    history_options = {}

    class Meta:
        ordering = ["recommendation", "date", "id"]
        verbose_name = _("recommendation update")
        verbose_name_plural = _("recommendation updates")
        # The current status is read from a recommendation's latest update: with the status in
        # the index, from the index alone (the tracker reads it for every recommendation).
        indexes = [
            models.Index(
                fields=["recommendation", "-date", "-id", "status"], name="recupdate_latest_idx"
            )
        ]
        constraints = [
            *PartialDate.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(status__in=RecommendationStatus.values),
                name="recupdate_status_valid",
                violation_error_message=_("Choose the resulting status from the list."),
            ),
        ]

    def __str__(self):
        return f"{self.date_display}: {self.get_status_display()}"


def latest_updates(recommendation):
    """
    The updates of `recommendation` (a primary key, or OuterRef("pk") in a subquery), the
    latest first: by date, then in the order they were recorded. The first sets the status.
    """
    return RecommendationUpdate.objects.filter(recommendation=recommendation).order_by(
        "-date", "-id"
    )


def status_changed(sender, instance, raw=False, **kwargs):
    """
    A recommendation or one of its updates was saved (by a form, a revert, a fixture loaded
    raw in any order, a service) or an update deleted: the stored status and last update date
    become what the updates say, and so does the instance in hand. Connected in
    CasesConfig.ready; bulk writers (the data generator) call refresh_status() themselves.
    """
    recommendation_id = instance.pk if sender is Recommendation else instance.recommendation_id
    queryset = Recommendation.objects.filter(pk=recommendation_id)
    queryset.refresh_status()
    if sender is Recommendation:
        instance.current_status, instance.last_update_on = queryset.values_list(
            "current_status", "last_update_on"
        ).get()

"""Cases and the alerts that make up their timelines."""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .base import (
    PartialDate,
    TimeStamped,
    Translated,
    Versioned,
    date_in_range,
    natural_sort_date,
    validate_event_date,
)
from .defenders import CaseDefender, Defender
from .vocabularies import Authority, ViolationType


class OfCaseQuerySet(models.QuerySet):
    """Records of a case that store whether their case is published (`case_published`)."""

    def refresh_case_published(self):
        """
        Store whether each record's case is published: what `published()` reads, so that the
        lists and their counts filter one column of one table. One UPDATE; the one rule that
        writes the flag, run after every save of the record or of its case (CasesConfig) and
        by the data generator for what it writes in bulk.
        """
        published = Case.objects.filter(pk=models.OuterRef("case_id"), published_at__isnull=False)
        return self.update(case_published=models.Exists(published))


def case_publication_changed(sender, instance, raw=False, **kwargs):
    """
    A case, an appeal or a recommendation was saved (a form, a revert, a fixture loaded raw in
    any order, a service): the records of the case store again whether it is published, and
    so does the instance in hand.
    """
    using = kwargs.get("using") or "default"
    if sender is Case:
        for model in ("Appeal", "Recommendation"):
            apps.get_model("cases", model).objects.using(using).filter(
                case=instance.pk
            ).refresh_case_published()
        return
    rows = sender.objects.using(using).filter(pk=instance.pk)
    rows.refresh_case_published()
    instance.case_published = rows.values_list("case_published", flat=True).first() or False


class CaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def refresh_last_public_change(self):
        """
        Store each case's `last_public_change`: the latest of its own publication and the
        publication (or correction) of its published alerts and appeals; none while the case
        is not published. One UPDATE, whatever the number of cases. Staff edits to internal
        fields never move it, so they never move a case up the home page.
        """
        Appeal = apps.get_model("cases", "Appeal")
        latest_alert = (
            Alert.objects.filter(case=models.OuterRef("pk"), published_at__isnull=False)
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        latest_appeal = (
            Appeal.objects.filter(case=models.OuterRef("pk"), state=Appeal.State.PUBLISHED)
            .annotate(moment=Coalesce("corrected_at", "published_at"))
            .order_by(models.F("moment").desc(nulls_last=True))
            .values("moment")[:1]
        )
        published = models.F("published_at")
        # Coalesce each part: GREATEST() with a NULL is NULL on SQLite but not on PostgreSQL.
        return self.update(
            last_public_change=models.Case(
                models.When(published_at__isnull=True, then=models.Value(None)),
                default=Greatest(
                    Coalesce(models.Subquery(latest_alert), published),
                    Coalesce(models.Subquery(latest_appeal), published),
                    published,
                ),
                output_field=models.DateTimeField(),
            )
        )

    def involving_state(self, code):
        """Cases whose other states involved include `code` (stored as "BE,FR")."""
        return self.filter(
            models.Q(other_states=code)
            | models.Q(other_states__startswith=f"{code},")
            | models.Q(other_states__endswith=f",{code}")
            | models.Q(other_states__contains=f",{code},")
        )

    def of_user(self, user):
        """The cases `user` leads or works on as a collaborator: "my cases"."""
        return self.filter(assigned_to(user))

    def due_reminders(self, user, today):
        """
        Cases whose follow-up date has come (today or past) and that concern `user`: those
        they lead or work on, and those nobody is assigned to (everyone's, then). The seam for
        the reminders mailed later: the dashboard reads it, a mailing will too.
        """
        return self.filter(follow_up_on__lte=today).filter(assigned_to(user) | unassigned())

    def without_alert_since(self, cutoff):
        """
        Cases still followed (not closed) with no alert dated on or after `cutoff`, and opened
        before it: the ones a case officer should look at again.
        """
        recent = Alert.objects.filter(case=models.OuterRef("pk"), date__gte=cutoff)
        return self.exclude(status=CaseStatus.CLOSED).filter(
            ~models.Exists(recent), opened_on__lt=cutoff
        )


def assigned_to(user, prefix=""):
    """The condition "`user` leads the case or collaborates on it", on cases (or, with a
    prefix such as "case__", on records of cases). A subquery, not a join: no duplicates."""
    collaborating = Case.collaborators.through.objects.filter(user=user).values("case_id")
    return models.Q(**{f"{prefix}lead_officer": user}) | models.Q(
        **{f"{prefix}pk__in": collaborating}
    )


def unassigned(prefix=""):
    """Cases with no lead officer and no collaborator: everyone's to follow up."""
    with_collaborators = Case.collaborators.through.objects.values("case_id")
    return models.Q(**{f"{prefix}lead_officer__isnull": True}) & ~models.Q(
        **{f"{prefix}pk__in": with_collaborators}
    )


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    MONITORING = "monitoring", _("monitoring")
    CLOSED = "closed", _("closed")


class CaseRiskLevel(models.TextChoices):
    UNASSESSED = "", _("not assessed")
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    CRITICAL = "critical", _("critical")


class Case(Versioned, TimeStamped, Translated):
    Status = CaseStatus

    RiskLevel = CaseRiskLevel

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    # Texts that feed the search vector are bounded so that the vector stays within
    # PostgreSQL's 1 MB (cases/search.py): at most about five bytes of vector per character.
    summary = models.TextField(
        _("public summary"), max_length=20_000, help_text=_("Shown publicly.")
    )
    state_of_concern = CountryField(
        _("state of concern"), help_text=_("The state responsible for the violations.")
    )
    other_states = CountryField(
        _("other states involved"),
        multiple=True,
        blank=True,
        help_text=_("e.g. the host state where the defender lives in exile."),
    )
    country_number = models.PositiveSmallIntegerField(
        _("case number for the state"),
        null=True,
        blank=True,
        help_text=_(
            "The '001' in 'KAZ 001 / 0720 / OBS 086'. Assigned when the case's first appeal "
            "is published; set it by hand only for cases with historical appeals."
        ),
    )
    violation_types = models.ManyToManyField(
        ViolationType, blank=True, related_name="cases", verbose_name=_("violation types")
    )
    defenders = models.ManyToManyField(
        Defender, through=CaseDefender, related_name="cases", verbose_name=_("defenders")
    )
    related_cases = models.ManyToManyField("self", blank=True, verbose_name=_("related cases"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_on = models.DateField(_("opened on"), validators=[validate_event_date])
    closed_on = models.DateField(
        _("closed on"), null=True, blank=True, validators=[validate_event_date]
    )
    closing_reason = models.TextField(_("closing reason"), blank=True)
    published_at = models.DateTimeField(
        _("published"),
        null=True,
        blank=True,
        help_text=_("Empty until someone publishes the case: only then is it public."),
    )
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_cases",
        verbose_name=_("lead officer"),
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="collaborating_cases",
        verbose_name=_("collaborators"),
        help_text=_("Staff who work on the case with its lead officer. Internal."),
    )
    follow_up_on = models.DateField(
        _("follow up on"),
        null=True,
        blank=True,
        help_text=_(
            "A reminder: the dashboard shows the case to its lead officer and collaborators "
            "(to everyone when nobody is assigned) from this day. Internal."
        ),
    )
    follow_up_note = models.CharField(
        _("follow-up note"),
        max_length=200,
        blank=True,
        help_text=_("What to do then, e.g. “ask the ministry again”. Internal."),
    )
    risk_level = models.CharField(
        _("risk level"),
        max_length=10,
        choices=RiskLevel.choices,
        blank=True,
        help_text=_("Internal: never shown publicly."),
    )
    internal_notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Internal: never shown publicly.")
    )
    # Kept here so that the home page and the sitemap read it from an index, whatever the
    # number of cases and alerts. Only refresh_last_public_change() writes it: after any save
    # of the case, of one of its alerts or appeals, or the deletion of one (CasesConfig).
    last_public_change = models.DateTimeField(_("last public change"), null=True, editable=False)

    objects = CaseQuerySet.as_manager()

    # The history is of what staff wrote: the last public change follows from it. Registered
    # by cases/translation.py, once the translation columns exist.
    history_options = {
        "m2m_fields": ["violation_types", "related_cases", "collaborators"],
        "excluded_fields": ["last_public_change"],
    }

    # Its identifier in the spreadsheet it was imported from (cases/transfer.py): importing the
    # same row again updates this record instead of adding another.
    external_id = models.CharField(_("external id"), max_length=100, blank=True, editable=False)

    class Meta:
        ordering = ["-opened_on", "title"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The case lists, newest first (public list, admin list).
            models.Index(fields=["-opened_on", "title"], name="case_opened_idx"),
            # The public list's filter counts by state, status and year, and the ids of the
            # matching cases, read from the index alone.
            models.Index(
                fields=["state_of_concern", "status", "opened_on", "id", "other_states"],
                condition=models.Q(published_at__isnull=False),
                name="case_published_state_idx",
            ),
            models.Index(
                fields=["status", "state_of_concern", "id"],
                condition=models.Q(published_at__isnull=False),
                name="case_published_status_idx",
            ),
            # The home page: the cases the public last saw change.
            models.Index(
                models.F("last_public_change").desc(),
                "title",
                condition=models.Q(published_at__isnull=False),
                name="case_last_public_change_idx",
            ),
            # The dashboard's reminders: cases whose follow-up date has come.
            models.Index(
                fields=["follow_up_on"],
                condition=models.Q(follow_up_on__isnull=False),
                name="case_follow_up_idx",
            ),
            # The admin's "other state involved" filter lists the states that occur.
            models.Index(
                fields=["other_states"],
                condition=~models.Q(other_states=""),
                name="case_other_states_idx",
            ),
        ]
        permissions = [
            ("publish_case", _("Can publish, unpublish and close cases")),
            # Without it, the change permissions are for translations only (the Translator).
            ("write_originals", _("Can write records, not only their translations")),
            (
                "view_confidential",
                _(
                    "Can see confidential fields: internal notes, risk levels, contact details, "
                    "protected identities, private source files"
                ),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="case_external_id_unique",
                violation_error_message=_("Another record was imported with this external id."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CaseStatus.values),
                name="case_status_valid",
                violation_error_message=_("Choose a status from the list."),
            ),
            models.CheckConstraint(
                condition=models.Q(risk_level__in=CaseRiskLevel.values),
                name="case_risk_level_valid",
                violation_error_message=_("Choose a risk level from the list."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="closed", closed_on__isnull=False)
                | (~models.Q(status="closed") & models.Q(closed_on__isnull=True)),
                name="case_closed_on_iff_closed",
                violation_error_message=_(
                    "A closed case has the date it was closed, and only a closed case has one."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
                violation_error_message=_("A case cannot close before it opened."),
            ),
            models.UniqueConstraint(
                fields=["state_of_concern", "country_number"],
                condition=models.Q(country_number__isnull=False),
                name="case_country_number_unique",
                violation_error_message=_(
                    "Another case of this state already has this number: each case of a state "
                    "has its own number in the reference codes."
                ),
            ),
            date_in_range("opened_on", "case_opened_on_in_range"),
            date_in_range("closed_on", "case_closed_on_in_range"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.status == self.Status.CLOSED and not self.closed_on:
            raise ValidationError({"closed_on": _("A closed case needs the date it was closed.")})
        if self.status != self.Status.CLOSED and self.closed_on:
            raise ValidationError(
                {
                    "closed_on": _(
                        "Only a closed case has a closing date: clear it or close the case."
                    )
                }
            )

    def get_absolute_url(self):
        return reverse("cases:case_detail", args=[self.slug])

    def is_published(self):
        return self.published_at is not None


class AlertQuerySet(models.QuerySet):
    def published(self):
        """Published alerts of published cases: the public timeline."""
        return self.filter(published_at__isnull=False, case__published_at__isnull=False)


class AlertKind(models.TextChoices):
    SEARCH = "search", _("search of premises")
    SEIZURE = "seizure", _("seizure")
    ARREST = "arrest", _("arrest")
    DETENTION = "detention", _("detention")
    HEARING = "hearing", _("hearing")
    VERDICT = "verdict", _("verdict")
    COURT_RULING = "court_ruling", _("court ruling")
    EXTRADITION_REQUEST = "extradition_request", _("extradition request")
    LEGAL_ASSISTANCE_REQUEST = "legal_assistance_request", _("legal-assistance request")
    COMPLAINT = "complaint", _("complaint filed")
    PARLIAMENTARY_DEBATE = "parliamentary_debate", _("parliamentary debate")
    UN_ACTION = "un_action", _("UN action")
    RELEASE = "release", _("release")
    THREAT = "threat", _("threat")
    SURVEILLANCE = "surveillance", _("surveillance")
    KIDNAPPING_ATTEMPT = "kidnapping_attempt", _("kidnapping attempt")
    PROTECTION_GRANTED = "protection_granted", _("protection granted")
    STATEMENT = "statement", _("statement")
    OTHER = "other", _("other")


class AlertVerification(models.TextChoices):
    REPORTED = "reported", _("reported")
    CORROBORATED = "corroborated", _("corroborated")
    CONFIRMED = "confirmed", _("confirmed")


class Alert(Versioned, PartialDate, TimeStamped, Translated):
    """One development in a case: what happened, when, where, to whom, who did it, how we know."""

    Kind = AlertKind

    Verification = AlertVerification

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("headline"), max_length=200)
    description = models.TextField(
        _("what happened"), max_length=50_000, help_text=_("Shown publicly.")
    )
    country = CountryField(_("country"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    authorities = models.ManyToManyField(
        Authority, blank=True, related_name="alerts", verbose_name=_("authorities involved")
    )
    defenders = models.ManyToManyField(
        Defender, blank=True, related_name="alerts", verbose_name=_("defenders affected")
    )
    verification = models.CharField(
        _("verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.REPORTED,
        help_text=_(
            "Reported: one source. Corroborated: independent sources agree. "
            "Confirmed: an official record or the defender confirms it."
        ),
    )
    disputed = models.BooleanField(
        _("disputed"),
        default=False,
        help_text=_("The sources disagree: cite each one and say how in the note."),
    )
    dispute_note = models.TextField(
        _("dispute note"),
        max_length=10_000,
        blank=True,
        help_text=_("How the sources disagree. Shown publicly."),
    )
    sorts_on = models.DateField(
        _("place in the timeline"),
        null=True,
        blank=True,
        help_text=_(
            "Only when the date alone puts this development in the wrong place: the day it "
            "sorts on in the timeline. Empty: a month or a year sorts after the days in it, "
            "'before' a date just before it."
        ),
    )
    # What the timeline sorts on: `sorts_on`, or where the partial date naturally falls
    # (natural_sort_date). Written on every save, fixtures included (see alert_sort_date).
    sort_date = models.DateField(_("sorts on"), null=True, editable=False)
    appeal = models.ForeignKey(
        "cases.Appeal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="timeline_alerts",
        verbose_name=_("appeal"),
        help_text=_("The appeal whose publication this alert records, if any."),
    )
    published_at = models.DateTimeField(
        _("published"),
        null=True,
        blank=True,
        help_text=_(
            "Set by Publish (staff with the permission): only then is the alert public. Others "
            "mark it ready for publication."
        ),
    )
    internal_notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Internal: never shown publicly.")
    )

    objects = AlertQuerySet.as_manager()

    # Registered by cases/translation.py, once the translation columns exist.
    history_options = {"m2m_fields": ["authorities", "defenders"]}

    # Its identifier in the spreadsheet it was imported from (cases/transfer.py): importing the
    # same row again updates this record instead of adding another.
    external_id = models.CharField(_("external id"), max_length=100, blank=True, editable=False)

    class Meta:
        ordering = ["sort_date", "date", "id"]
        permissions = [("publish_alert", _("Can publish and unpublish alerts"))]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [
            # The case timeline reads a case's alerts in the order of the story.
            models.Index(fields=["case", "sort_date", "date", "id"], name="alert_case_sort_idx"),
            # The dashboard's cases without an alert since a date.
            models.Index(fields=["case", "date"], name="alert_case_date_idx"),
            # When a case's latest alert was published (home page, cases recently updated).
            models.Index(fields=["case", "published_at"], name="alert_case_published_idx"),
            # The admin list, latest logged first, and its "logged in the last" filter.
            models.Index(fields=["created_at", "id"], name="alert_created_idx"),
            # The admin's year filter: the first and last years are two index lookups.
            models.Index(fields=["date"], name="alert_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="alert_external_id_unique",
                violation_error_message=_("Another record was imported with this external id."),
            ),
            *PartialDate.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(kind__in=AlertKind.values),
                name="alert_kind_valid",
                violation_error_message=_("Choose a kind of alert from the list."),
            ),
            models.CheckConstraint(
                condition=models.Q(verification__in=AlertVerification.values),
                name="alert_verification_valid",
                violation_error_message=_("Choose a verification from the list."),
            ),
            models.CheckConstraint(
                condition=models.Q(disputed=False) | ~models.Q(dispute_note=""),
                name="alert_disputed_has_note",
                violation_error_message=_("Say how the sources disagree about a disputed alert."),
            ),
        ]

    def __str__(self):
        return f"{self.date_display}: {self.title}"

    def clean(self):
        super().clean()
        if self.disputed and not self.dispute_note.strip():
            raise ValidationError(
                {"dispute_note": _("Say how the sources disagree about a disputed alert.")}
            )

    def get_absolute_url(self):
        return f"{self.case.get_absolute_url()}#alert-{self.pk}"

    def natural_sort_date(self):
        return self.sorts_on or natural_sort_date(
            self.date, self.date_precision, self.date_qualifier
        )

    def is_published(self):
        return self.published_at is not None and self.case.is_published()


def alert_sort_date(sender, instance, raw=False, **kwargs):
    """
    Before any save of an alert (a form, a revert, a fixture loaded raw, a service): the date
    the timeline sorts it on follows its date and `sorts_on`. Connected in CasesConfig.ready.
    """
    instance.sort_date = instance.natural_sort_date()


def public_change_moved(sender, instance, raw=False, **kwargs):
    """
    A case, one of its alerts or one of its appeals was saved (by a form, a revert, a fixture
    loaded raw in any order, a service) or an alert or appeal deleted: the case's stored
    `last_public_change` becomes what its records say, and so does the instance in hand.
    Connected in CasesConfig.ready; bulk writers (the data generator) call
    refresh_last_public_change() themselves.
    """
    case_id = instance.pk if sender is Case else instance.case_id
    cases = Case.objects.using(kwargs.get("using") or "default").filter(pk=case_id)
    cases.refresh_last_public_change()
    if sender is Case:
        instance.last_public_change = cases.values_list("last_public_change", flat=True).first()

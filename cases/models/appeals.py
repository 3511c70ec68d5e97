"""Appeals: what the observatory publishes about a case, and who readers should write to."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Replace, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .base import (
    TimeStamped,
    Translated,
    Versioned,
    date_in_range,
    validate_event_date,
    validate_planned_date,
)
from .cases import Case, OfCaseQuerySet
from .vocabularies import Authority, Organisation, ViolationType


class AppealQuerySet(OfCaseQuerySet):
    def published(self):
        """Published appeals of published cases (stored: `case_published`)."""
        return self.filter(state=Appeal.State.PUBLISHED, case_published=True)


class AppealKind(models.TextChoices):
    URGENT_APPEAL = "urgent_appeal", _("urgent appeal")
    FOLLOW_UP = "follow_up", _("follow-up (new information)")
    OPEN_LETTER = "open_letter", _("open letter")
    PRESS_RELEASE = "press_release", _("press release")
    STATEMENT = "statement", _("statement")
    CASE_CLOSING = "case_closing", _("closing of the case")


class AppealState(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Appeal(Versioned, TimeStamped, Translated):
    Kind = AppealKind

    State = AppealState

    # Kinds that carry an observatory reference code: the start of a chain and what follows it.
    CODED_KINDS = (Kind.URGENT_APPEAL, Kind.FOLLOW_UP, Kind.CASE_CLOSING)

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reference_code = models.CharField(
        _("reference code"),
        max_length=60,
        blank=True,
        help_text=_(
            "Assigned on publication. For a historical appeal, type the code exactly as printed."
        ),
    )
    # The running number of the year behind an assigned code ('086' in 'OBS 086'), kept apart
    # so the next number is a simple MAX() and never parsed back out of printed codes.
    code_year = models.PositiveSmallIntegerField(_("code year"), null=True, blank=True)
    code_number = models.PositiveSmallIntegerField(
        _("running number of the year"), null=True, blank=True
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("original appeal"),
        help_text=_("For a follow-up: the urgent appeal that started the chain."),
    )
    follow_up_number = models.PositiveSmallIntegerField(
        _("follow-up number"), null=True, blank=True, help_text=_("The n in '… .n'.")
    )
    issuer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="issued_appeals",
        verbose_name=_("issued by"),
    )
    co_signers = models.ManyToManyField(
        Organisation, blank=True, related_name="co_signed_appeals", verbose_name=_("co-signers")
    )
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        validators=[validate_event_date],
        help_text=_("The date of issue; set on publication."),
    )
    # The language it was written in, and its model letter: the others translate it.
    language = models.CharField(
        _("language"), max_length=12, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    ORIGINAL_LANGUAGE_FIELD = "language"
    original_language = None
    # Bounded so that the search vector stays within PostgreSQL's 1 MB (cases/search.py).
    body = models.TextField(
        _("body"),
        max_length=100_000,
        blank=True,
        help_text=_("The situation, or the new information. Shown publicly."),
    )
    original_url = models.URLField(
        _("original publication"),
        max_length=500,
        blank=True,
        help_text=_("Where the issuer published it, for appeals of other organisations."),
    )
    body_is_summary = models.BooleanField(
        _("the body is our summary"),
        default=False,
        help_text=_(
            "For an appeal another organisation wrote: the body is our summary, not its text. "
            "Readers are told so and sent to the original publication."
        ),
    )
    take_action_before = models.DateField(
        _("take action before"), null=True, blank=True, validators=[validate_planned_date]
    )
    after_deadline = models.TextField(
        _("after the deadline"),
        blank=True,
        help_text=_(
            "Shown publicly once the take-action date has passed: what readers can still do. "
            "Empty: readers are told that action on this appeal is closed."
        ),
    )
    violation_types = models.ManyToManyField(
        ViolationType, blank=True, related_name="appeals", verbose_name=_("violation types")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_appeals",
        verbose_name=_("author"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_appeals",
        verbose_name=_("reviewer"),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="published_appeals",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    corrected_at = models.DateTimeField(
        _("updated on"),
        null=True,
        blank=True,
        help_text=_("Set when a published appeal is corrected; shown publicly."),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    internal_notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Internal: never shown publicly.")
    )
    # Whether the case is published; only refresh_case_published() writes it.
    case_published = models.BooleanField(_("case published"), default=False, editable=False)

    objects = AppealQuerySet.as_manager()

    # The history is of what staff wrote: whether the case is published is the case's.
    # Registered by cases/translation.py, once the translation columns exist.
    history_options = {
        "m2m_fields": ["co_signers", "violation_types"],
        "excluded_fields": ["case_published"],
    }

    # Its identifier in the spreadsheet it was imported from (cases/transfer.py): importing the
    # same row again updates this record instead of adding another.
    external_id = models.CharField(_("external id"), max_length=100, blank=True, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [
            # Published appeals by publication time (feeds, latest appeals).
            models.Index(fields=["state", "published_at"], name="appeal_state_published_idx"),
            # The public list, latest first, and its counts, read from the index alone.
            models.Index(
                fields=["-date", "-id", "kind", "issuer", "case"],
                condition=models.Q(state="published", case_published=True),
                name="appeal_public_list_idx",
            ),
        ]
        permissions = [
            ("publish_appeal", _("Can review, publish and withdraw appeals")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="appeal_external_id_unique",
                violation_error_message=_("Another record was imported with this external id."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=AppealKind.values),
                name="appeal_kind_valid",
                violation_error_message=_("Choose a kind of appeal from the list."),
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=AppealState.values),
                name="appeal_state_valid",
                violation_error_message=_(
                    "An appeal is a draft, in review, published or withdrawn."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="follow_up") | models.Q(parent__isnull=False),
                name="appeal_follow_up_has_parent",
                violation_error_message=_("A follow-up belongs to the chain of an earlier appeal."),
            ),
            # A follow-up takes its number in the chain when it is published, not when drafted.
            models.CheckConstraint(
                condition=models.Q(parent__isnull=False) | models.Q(follow_up_number__isnull=True),
                name="appeal_only_follow_ups_numbered",
                violation_error_message=_(
                    "Only a follow-up has a number in a chain (the .n of its code)."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(state="published", parent__isnull=False)
                | models.Q(follow_up_number__isnull=False),
                name="appeal_published_follow_up_numbered",
                violation_error_message=_("A published follow-up has its number in the chain."),
            ),
            models.CheckConstraint(
                condition=~models.Q(state="published")
                | models.Q(published_at__isnull=False, date__isnull=False),
                name="appeal_published_is_stamped",
                violation_error_message=_("A published appeal has its date and publication time."),
            ),
            models.CheckConstraint(
                condition=~models.Q(state="withdrawn") | models.Q(withdrawn_at__isnull=False),
                name="appeal_withdrawn_is_stamped",
                violation_error_message=_("A withdrawn appeal has the time it was withdrawn."),
            ),
            # Four eyes: nobody reviews or publishes what they wrote.
            models.CheckConstraint(
                condition=models.Q(author__isnull=True)
                | models.Q(reviewer__isnull=True)
                | ~models.Q(reviewer=models.F("author")),
                name="appeal_reviewer_not_author",
                violation_error_message=_(
                    "An appeal is reviewed by someone other than its author."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(author__isnull=True)
                | models.Q(published_by__isnull=True)
                | ~models.Q(published_by=models.F("author")),
                name="appeal_publisher_not_author",
                violation_error_message=_(
                    "An appeal is published by someone other than its author."
                ),
            ),
            # Codes are compared as search compares them: "kaz 001/0720/obs 086" is the code
            # "KAZ 001 / 0720 / OBS 086", however it was typed (each is still stored as printed).
            models.UniqueConstraint(
                Upper(Replace("reference_code", models.Value(" "), models.Value(""))),
                condition=~models.Q(reference_code=""),
                name="appeal_reference_code_unique",
                violation_error_message=_("Another appeal already has this reference code."),
            ),
            # Two publishers assigning codes at the same moment cannot take the same number.
            models.UniqueConstraint(
                fields=["code_year", "code_number"],
                condition=models.Q(parent__isnull=True, code_number__isnull=False),
                name="appeal_running_number_unique",
                violation_error_message=_(
                    "Another appeal already has this running number of the year."
                ),
            ),
            models.UniqueConstraint(
                fields=["parent", "follow_up_number"],
                condition=models.Q(parent__isnull=False),
                name="appeal_follow_up_number_unique",
                violation_error_message=_(
                    "Another follow-up of this chain already has this number."
                ),
            ),
            date_in_range("date", "appeal_date_in_range"),
            date_in_range("take_action_before", "appeal_take_action_before_in_range"),
        ]

    def __str__(self):
        if self.reference_code:
            return f"{self.reference_code} — {self.title}"
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == self.Kind.FOLLOW_UP and not self.parent_id:
            errors["parent"] = _("A follow-up belongs to the chain of an earlier appeal.")
        if self.parent_id:
            if self.parent.parent_id:
                errors["parent"] = _(
                    "Choose the original appeal of the chain, not one of its follow-ups."
                )
            elif self.parent.case_id != self.case_id:
                errors["parent"] = _("The original appeal belongs to another case.")
            elif self.parent.state == self.State.WITHDRAWN and self.state in (
                self.State.DRAFT,
                self.State.IN_REVIEW,
            ):
                errors["parent"] = _(
                    "The original appeal was withdrawn: its chain takes no new follow-up."
                )
        if self.author_id and self.author_id in (self.reviewer_id, self.published_by_id):
            errors["reviewer"] = _(
                "An appeal is reviewed and published by someone other than its author."
            )
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("cases:appeal_detail", args=[self.pk])

    def is_published(self):
        return self.state == self.State.PUBLISHED and self.case.is_published()

    @property
    def root(self):
        return self.parent or self

    def action_is_closed(self, today=None):
        """The take-action date has passed (the day itself still counts)."""
        if self.take_action_before is None:
            return False
        return self.take_action_before < (today or timezone.localdate())

    def page_parts(self):
        """
        What the appeal's page shows besides the appeal itself: its co-signers, requested
        actions, addressees, violation types, and its place in the chain. The chain lists only
        what is published, also when the appeal is a draft seen in the staff preview.
        """
        root = self.root
        chain = list(
            Appeal.objects.published()
            .filter(models.Q(pk=root.pk) | models.Q(parent=root))
            # The original has no follow-up number: first on every database (PostgreSQL
            # would sort NULL last).
            .order_by(models.F("follow_up_number").asc(nulls_first=True), "date", "id")
        )
        position = next((i for i, item in enumerate(chain) if item.pk == self.pk), None)
        after = position + 1 if position is not None else len(chain)
        return {
            "co_signers": self.co_signers.all(),
            "requested_actions": self.requested_actions.select_related("target_authority"),
            "addressees": self.addressees.select_related("authority"),
            "violation_types": self.violation_types.all(),
            "chain": chain,
            "previous_in_chain": chain[position - 1] if position else None,
            "next_in_chain": chain[after] if after < len(chain) else None,
        }


class RequestedAction(Versioned, Translated):
    """One thing an appeal asks a government to do; becomes a recommendation on publication."""

    appeal = models.ForeignKey(
        Appeal,
        on_delete=models.CASCADE,
        related_name="requested_actions",
        verbose_name=_("appeal"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Becomes the text of a recommendation, which the search vector reads.
    text = models.TextField(_("text"), max_length=10_000)
    target_state = CountryField(_("target state"))
    target_authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requested_actions",
        verbose_name=_("target authority"),
    )

    # Written in the language of its appeal.
    ORIGINAL_LANGUAGE_FIELD = "appeal.language"
    original_language = None

    # Registered by cases/translation.py, once the translation columns exist.
    history_options = {}

    class Meta:
        ordering = ["appeal", "position", "id"]
        verbose_name = _("requested action")
        verbose_name_plural = _("requested actions")

    def __str__(self):
        return self.text if len(self.text) <= 80 else f"{self.text[:79]}…"

    def clean(self):
        super().clean()
        _refuse_while_in_review(self)


class AddresseeRole(models.TextChoices):
    TO = "to", _("to")
    COPY = "copy", _("copy")


class Addressee(Versioned):
    """An authority readers are asked to write to."""

    Role = AddresseeRole

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="addressees", verbose_name=_("appeal")
    )
    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="addressed_in",
        verbose_name=_("authority"),
    )
    role = models.CharField(_("role"), max_length=4, choices=Role.choices, default=Role.TO)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["appeal", "-role", "position", "id"]  # "to" before "copy"
        verbose_name = _("addressee")
        verbose_name_plural = _("addressees")
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "authority"],
                name="addressee_unique",
                violation_error_message=_("This authority is already an addressee of the appeal."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=AddresseeRole.values),
                name="addressee_role_valid",
                violation_error_message=_("An addressee is written to, or in copy."),
            ),
        ]

    def __str__(self):
        return f"{self.authority} ({self.get_role_display()})"

    def clean(self):
        super().clean()
        _refuse_while_in_review(self)


def _refuse_while_in_review(part):
    if part.appeal_id and Appeal.objects.filter(pk=part.appeal_id, state="in_review").exists():
        raise ValidationError(
            _("The appeal is in review: return it to draft before changing what it asks.")
        )


class ActionTally(models.Model):
    """
    How many readers said they acted on an appeal: one row per appeal counts the reports, one
    per addressee the letters said to be sent to it. Nothing else is kept of a report: no
    time, no address, no text, so nothing in it can point back to a reader.
    """

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="tallies", verbose_name=_("appeal")
    )
    addressee = models.ForeignKey(
        Addressee,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tallies",
        verbose_name=_("addressee"),
        help_text=_("Empty: the row counting the reports on the appeal."),
    )
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        ordering = ["appeal", "addressee"]
        verbose_name = _("reader action tally")
        verbose_name_plural = _("reader action tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"],
                condition=models.Q(addressee__isnull=True),
                name="actiontally_one_total_per_appeal",
                violation_error_message=_("This appeal already has its count of reports."),
            ),
            models.UniqueConstraint(
                fields=["appeal", "addressee"],
                condition=models.Q(addressee__isnull=False),
                name="actiontally_one_per_addressee",
                violation_error_message=_("This addressee already has its count of letters."),
            ),
        ]

    def __str__(self):
        what = self.addressee.authority if self.addressee_id else _("reports")
        return f"{self.appeal}: {what}: {self.count}"
